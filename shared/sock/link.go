package sock

import (
	"fmt"
	"time"
)

// LinkConfig are a link's properties. Both directions share them.
type LinkConfig struct {
	Delay time.Duration // one-way propagation delay
	Rate  int64         // bits per second; 0 means unlimited (no serialization delay, no queue)
	MTU   int           // largest packet in bytes; 0 means 1500
	Queue int           // packets waiting to be sent before drop-tail; 0 means 1000
	Faults
}

// Faults are the link's seeded impairments, each a probability in [0, 1]
// applied to every packet independently.
type Faults struct {
	Loss    float64 // the packet vanishes
	Dup     float64 // the packet arrives twice
	Reorder float64 // the packet is held back long enough for later ones to pass it
	Corrupt float64 // one bit of the packet flips on the way
}

// DefaultMTU is the MTU of a link configured without one (Ethernet's).
const DefaultMTU = 1500

// MinMTU is the smallest MTU a link may have: RFC 791 says every host must take 68-byte packets.
const MinMTU = 68

// Validate checks that every property is in range; the error wraps EINVAL.
func (c LinkConfig) Validate() error {
	probs := []struct {
		name string
		p    float64
	}{{"loss", c.Loss}, {"dup", c.Dup}, {"reorder", c.Reorder}, {"corrupt", c.Corrupt}}
	for _, p := range probs {
		if !(p.p >= 0 && p.p <= 1) {
			return fmt.Errorf("%s %v: want a probability from 0 to 1: %w", p.name, p.p, ErrInval)
		}
	}
	switch {
	case c.Delay < 0 || c.Delay > time.Hour:
		return fmt.Errorf("delay %v: want 0 to 1h: %w", c.Delay, ErrInval)
	case c.Rate < 0:
		return fmt.Errorf("rate %d: want 0 (unlimited) or more bits per second: %w", c.Rate, ErrInval)
	case c.MTU != 0 && (c.MTU < MinMTU || c.MTU > 65535):
		return fmt.Errorf("mtu %d: want %d to 65535: %w", c.MTU, MinMTU, ErrInval)
	case c.Queue < 0:
		return fmt.Errorf("queue %d: want 0 (default) or more packets: %w", c.Queue, ErrInval)
	}
	return nil
}

// LinkID names one link of a town: its place in Snapshot.Links plus one,
// so that the zero value names no link. Events and snapshots name links by
// it rather than by a string a reader would have to split.
type LinkID uint32

// Hop is one direction of a link as an event names it: the link, and the
// hosts (or switches) it leaves and reaches. A host's loopback is a hop
// with From == To and no LinkID.
type Hop struct {
	Link     LinkID
	From, To string
}

// IsZero reports whether the hop names nothing (an event that is not
// about a link).
func (h Hop) IsZero() bool { return h == Hop{} }

// Loopback reports whether the hop is a host's loopback.
func (h Hop) Loopback() bool { return h.From != "" && h.From == h.To }

// String is how traces print a hop: "a->b", "a/lo" for a loopback, "" for
// none.
func (h Hop) String() string {
	switch {
	case h.IsZero():
		return ""
	case h.Loopback():
		return h.From + "/lo"
	}
	return h.From + "->" + h.To
}
