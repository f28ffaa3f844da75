package forward

import "fmt"

// Mode says how an inbound forward carries a real client's connection
// into the town.
type Mode int

const (
	// Splice ends the real client's TCP at the forwarder and makes a
	// connection of the town's own from the outside plot: bytes, ends and
	// resets are passed across. It needs no privilege.
	Splice Mode = iota
	// TUN puts the kernel's own packets into the town: the forwarder
	// connects to the town's server from a network namespace whose
	// default route is a TUN device the town reads and writes, so the
	// kernel's TCP and the town's TCP talk end to end and every packet
	// is a letter. It needs CAP_NET_ADMIN.
	TUN
)

// ParseMode reads --forward-mode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "splice", "":
		return Splice, nil
	case "tun":
		return TUN, nil
	}
	return Splice, fmt.Errorf("--forward-mode %q: want splice (the default) or tun", s)
}

func (m Mode) String() string {
	if m == TUN {
		return "tun"
	}
	return "splice"
}
