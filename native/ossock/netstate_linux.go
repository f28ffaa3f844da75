//go:build linux

package ossock

import (
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// clockTick is the unit of the kernel's neighbour times (USER_HZ).
const clockTick = 10 * time.Millisecond

// NICs reads host's interfaces from its namespace: the loopback first,
// then its links' devices in the order they were made, each with the MAC,
// MTU and addresses the kernel has for it now. A device netlink cannot
// read is listed as the town made it.
func (t *Town) NICs(hostName string) []sock.NICState {
	t.mu.RLock()
	defer t.mu.RUnlock()
	h, ok := t.hosts[hostName]
	if !ok || h.isSwitch || h.nl == nil {
		return nil
	}
	out := []sock.NICState{{Name: "lo", Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}, MTU: 65536}}
	if lo, err := h.nl.LinkByName("lo"); err == nil {
		out[0].MTU = lo.Attrs().MTU
	}
	for _, i := range h.ifaces {
		n := sock.NICState{Name: i.Name, MAC: slices.Clone(i.MAC), Addrs: slices.Clone(i.Addrs), Link: sock.LinkID(i.LinkID)}
		if dev, err := h.nl.LinkByIndex(i.Index); err == nil {
			n.MTU = dev.Attrs().MTU
			if mac := dev.Attrs().HardwareAddr; len(mac) == 6 {
				n.MAC = slices.Clone(mac)
			}
			if addrs, err := h.nl.AddrList(dev, unix.AF_INET); err == nil {
				n.Addrs = nil
				for _, a := range addrs {
					if p, ok := prefixOf(a.IPNet); ok {
						n.Addrs = append(n.Addrs, p)
					}
				}
			}
		}
		if !i.LAN {
			if far, ok := t.hosts[i.Peer]; ok {
				for _, p := range far.addrs {
					n.Peers = append(n.Peers, p.Addr())
				}
			}
		}
		out = append(out, n)
	}
	return out
}

// Neigh reads host's ARP cache from its namespace, as `ip neigh` lists
// it: the entries on its links' devices, by interface and address.
func (t *Town) Neigh(hostName string) []sock.NeighState {
	t.mu.RLock()
	defer t.mu.RUnlock()
	h, ok := t.hosts[hostName]
	if !ok || h.isSwitch || h.nl == nil {
		return nil
	}
	list, err := h.nl.NeighList(0, unix.AF_INET)
	if err != nil {
		return nil
	}
	var out []sock.NeighState
	for _, n := range list {
		st := neighStatus(n.State)
		dev := h.ifaceByIndex(n.LinkIndex)
		a, ok := netip.AddrFromSlice(n.IP.To4())
		if st == 0 || dev == nil || !ok {
			continue
		}
		e := sock.NeighState{Addr: a, Dev: dev.Name, State: st}
		if len(n.HardwareAddr) == 6 && st != sock.NeighIncomplete && st != sock.NeighFailed {
			e.MAC = slices.Clone(n.HardwareAddr)
		}
		out = append(out, e)
	}
	// The kernel lists by hash; by interface, then address, reads the
	// same on every run.
	slices.SortStableFunc(out, func(a, b sock.NeighState) int {
		ia := slices.IndexFunc(h.ifaces, func(i Iface) bool { return i.Name == a.Dev })
		ib := slices.IndexFunc(h.ifaces, func(i Iface) bool { return i.Name == b.Dev })
		if ia != ib {
			return ia - ib
		}
		return a.Addr.Compare(b.Addr)
	})
	return out
}

// neighStatus maps the kernel's NUD state to the simulator's names; 0 for
// the states a town has no name for (permanent, noarp, none).
func neighStatus(nud int) sock.NeighStatus {
	switch {
	case nud&netlink.NUD_INCOMPLETE != 0:
		return sock.NeighIncomplete
	case nud&netlink.NUD_REACHABLE != 0:
		return sock.NeighReachable
	case nud&netlink.NUD_STALE != 0:
		return sock.NeighStale
	case nud&netlink.NUD_DELAY != 0:
		return sock.NeighDelay
	case nud&netlink.NUD_PROBE != 0:
		return sock.NeighProbe
	case nud&netlink.NUD_FAILED != 0:
		return sock.NeighFailed
	}
	return 0
}

// Switch reads switch name's state from its namespace: its ports (the
// cable in each, in the order they were plugged in) and its bridge's
// forwarding database, the MACs it learned (not its ports' own), with
// the port each is behind and how long since a frame from it came in.
func (t *Town) Switch(name string) (sock.SwitchState, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	h, ok := t.hosts[name]
	if !ok || !h.isSwitch {
		return sock.SwitchState{}, false
	}
	st := sock.SwitchState{Name: name, Ports: h.nports, Used: make([]sock.LinkID, h.nports)}
	for i, p := range h.ifaces {
		st.Used[i] = sock.LinkID(p.LinkID)
	}
	if h.nl == nil {
		return st, true
	}
	list, err := h.nl.NeighList(0, unix.AF_BRIDGE)
	if err != nil {
		return st, true
	}
	for _, n := range list {
		if n.State&netlink.NUD_PERMANENT != 0 || n.State&netlink.NUD_NOARP != 0 || len(n.HardwareAddr) != 6 || n.HardwareAddr[0]&1 != 0 {
			continue
		}
		port := slices.IndexFunc(h.ifaces, func(i Iface) bool { return i.Index == n.LinkIndex })
		if port < 0 {
			continue
		}
		st.FDB = append(st.FDB, sock.FDBEntry{MAC: slices.Clone(n.HardwareAddr), Port: port + 1, Age: time.Duration(n.Updated) * clockTick})
	}
	// The kernel lists by hash; the oldest first reads as "in the order
	// learned" as well as a table of ages can.
	slices.SortStableFunc(st.FDB, func(a, b sock.FDBEntry) int { return int(b.Age - a.Age) })
	return st, true
}

// Switches are the town's switches' names in the order they were made.
func (t *Town) Switches() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []string
	for _, n := range t.order {
		if t.hosts[n].isSwitch {
			out = append(out, n)
		}
	}
	return out
}

// IsSwitch reports whether name is one of the town's switches.
func (t *Town) IsSwitch(name string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	h, ok := t.hosts[name]
	return ok && h.isSwitch
}

func (h *host) ifaceByIndex(idx int) *Iface {
	for i := range h.ifaces {
		if h.ifaces[i].Index == idx {
			return &h.ifaces[i]
		}
	}
	return nil
}

// prefixOf converts an address with its mask to a prefix that keeps the
// host bits.
func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP.To4())
	if !ok {
		return netip.Prefix{}, false
	}
	bits, _ := n.Mask.Size()
	return netip.PrefixFrom(a, bits), true
}
