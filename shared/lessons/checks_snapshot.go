package lessons

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"socketville/shared/sock"
)

// The checks that read only the snapshot: how the town stands when it is
// judged. Their watchers ignore events.

// snapshotOnly is a watcher that judges the snapshot alone.
type snapshotOnly func(snap sock.Snapshot) (bool, string)

func (snapshotOnly) event(sock.Event) {}

func (f snapshotOnly) result(snap sock.Snapshot) (bool, string) { return f(snap) }

// listening: a TCP socket of the place in LISTEN on the port.
func listening(at place, port uint16) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		var ports []string
		for _, s := range at.sockets(snap) {
			if s.Type != sock.SockTCP || s.State != sock.StateListen {
				continue
			}
			if s.Local.Port() == port {
				return true, ""
			}
			ports = append(ports, strconv.Itoa(int(s.Local.Port())))
		}
		missing := fmt.Sprintf("no socket on %v is listening on port %d", at, port)
		if len(ports) > 0 {
			return false, fmt.Sprintf("%s (%v listens on port %s)", missing, at, list(ports))
		}
		return false, missing + fmt.Sprintf(" (nothing on %v listens: a server binds a TCP socket to the port and calls listen)", at)
	}
}

// bound: a socket of the type on the place with the port as its local one.
func bound(at place, typ sock.SockType, port uint16) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		var ports []string
		for _, s := range at.sockets(snap) {
			if s.Type != typ || !s.Local.IsValid() || s.Local.Port() == 0 {
				continue
			}
			if s.Local.Port() == port {
				return true, ""
			}
			ports = append(ports, strconv.Itoa(int(s.Local.Port())))
		}
		missing := fmt.Sprintf("no %s socket on %v is bound to port %d", upper(typ), at, port)
		if len(ports) > 0 {
			return false, fmt.Sprintf("%s (its %s sockets have port %s)", missing, upper(typ), list(ports))
		}
		return false, missing
	}
}

// connected: at least peers TCP sockets of the place, ESTABLISHED on the
// port, each with a different peer.
func connected(at place, port uint16, peers int) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		var seen []netip.AddrPort
		for _, s := range at.sockets(snap) {
			if s.Type == sock.SockTCP && s.State == sock.StateEstablished && s.Local.Port() == port && !slices.Contains(seen, s.Remote) {
				seen = append(seen, s.Remote)
			}
		}
		if len(seen) >= peers {
			return true, ""
		}
		if len(seen) == 0 {
			return false, fmt.Sprintf("%v has no connected (ESTABLISHED) socket on port %d; the goal wants %s", at, port, plural(peers, "with a client", "with different clients"))
		}
		from := make([]string, len(seen))
		for i, r := range seen {
			from[i] = r.String()
		}
		return false, fmt.Sprintf("%v has %s on port %d (with %s); the goal wants %d, each with a different peer",
			at, plural(len(seen), "connected socket", "connected sockets"), port, list(from), peers)
	}
}

// arpEntry: the host's neighbour cache knows addr's MAC address.
func arpEntry(at place, addr netip.Addr) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		h, _ := at.hostState(snap)
		var others []string
		for _, n := range h.Neigh {
			if n.Addr != addr {
				others = append(others, n.Addr.String())
				continue
			}
			if n.MAC != nil {
				return true, ""
			}
			return false, fmt.Sprintf("host %s asked for %v's MAC address and has no answer (%v)", at.host, addr, n.State)
		}
		missing := fmt.Sprintf("host %s has no ARP entry for %v (it learns one when it first sends to %v)", at.host, addr, addr)
		if len(others) > 0 {
			missing += fmt.Sprintf("; its cache holds %s", list(others))
		}
		return false, missing
	}
}

// learned: the switch's MAC table holds at least n addresses.
func learned(name string, n int) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		for _, s := range snap.Switches {
			if s.Name != name {
				continue
			}
			if len(s.FDB) >= n {
				return true, ""
			}
			if len(s.FDB) == 0 {
				return false, fmt.Sprintf("switch %s has learned no MAC address yet; the goal wants %d (it learns one from each frame that comes in)", name, n)
			}
			return false, fmt.Sprintf("switch %s knows where %s are; the goal wants %d (it learns an address from a frame that comes in from it)",
				name, plural(len(s.FDB), "MAC address", "MAC addresses"), n)
		}
		return false, fmt.Sprintf("there is no switch %s in the town", name)
	}
}

// option: a socket of the place has the option set to the value, as
// getsockopt would read it.
func option(at place, opt sock.SockOpt, value int) snapshotOnly {
	return func(snap sock.Snapshot) (bool, string) {
		var values []string
		for _, s := range at.sockets(snap) {
			for _, o := range s.Options {
				if o.Opt != opt {
					continue
				}
				if o.Value == value {
					return true, ""
				}
				values = append(values, strconv.Itoa(o.Value))
			}
		}
		missing := fmt.Sprintf("no socket on %v has %v set to %d", at, opt, value)
		if len(values) > 0 {
			missing += fmt.Sprintf(" (its sockets have %s)", list(values))
		}
		return false, missing + fmt.Sprintf("; setsockopt FD %v %d sets it", opt, value)
	}
}

// upper is "TCP" or "UDP".
func upper(t sock.SockType) string {
	switch t {
	case sock.SockTCP:
		return "TCP"
	case sock.SockUDP:
		return "UDP"
	case sock.SockICMP:
		return "ICMP"
	}
	return t.String()
}
