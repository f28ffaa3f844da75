package netsim

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"

	"socketville/shared/sock"
)

// Host is a plot in the town: a machine with IPv4 addresses, interfaces (one
// per link, plus loopback), a routing table, processes and socket tables.
type Host struct {
	w       *World
	name    string
	addrs   []netip.Prefix
	forward bool
	nics    []*nic // the loopback first, then one per cable in the order they were made
	routes  []route
	procs   []*Process
	ipID    uint16
	ports   portTable
	drops   map[string]int
	orphans []*Socket // TCP connections whose fd was closed, finishing on their own
	outside func(pkt []byte)
	frags   reassembler
	pmtu    []pmtuEntry // path MTUs learned from "fragmentation needed"
}

type route struct {
	dst     netip.Prefix
	gateway netip.Addr
}

var loopbackNet = netip.MustParsePrefix("127.0.0.0/8")

func newHost(w *World, name string, addrs []netip.Prefix, opts HostOptions) *Host {
	h := &Host{w: w, name: name, addrs: slices.Clone(addrs), forward: opts.Forward, drops: map[string]int{}, outside: opts.Outside}
	lo := &nic{host: h, name: "lo", addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}
	cable := &Link{w: w, name: name + "/lo", cfg: linkDefaults(sock.LinkConfig{MTU: 65535})}
	cable.dirs[0] = &linkDir{link: cable, from: lo, to: lo, way: sock.Hop{From: name, To: name}}
	lo.med = cable.dirs[0]
	h.nics = []*nic{lo}
	h.ports.init()
	h.frags.h = h
	return h
}

// Name is the host's name.
func (h *Host) Name() string { return h.name }

// Addrs are the host's addresses with their prefixes, loopback not included.
func (h *Host) Addrs() []netip.Prefix { return slices.Clone(h.addrs) }

// plainAddrs are the host's addresses without their prefixes.
func (h *Host) plainAddrs() []netip.Addr {
	out := make([]netip.Addr, len(h.addrs))
	for i, p := range h.addrs {
		out[i] = p.Addr()
	}
	return out
}

// isBroadcast reports whether a is the limited broadcast address or the
// broadcast address of one of the host's subnets (all host bits set).
func (h *Host) isBroadcast(a netip.Addr) bool {
	if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	for _, p := range h.addrs {
		if p.Bits() >= 31 || !p.Contains(a) {
			continue
		}
		b := p.Masked().Addr().As4()
		for i := p.Bits(); i < 32; i++ {
			b[i/8] |= 0x80 >> (i % 8)
		}
		if netip.AddrFrom4(b) == a {
			return true
		}
	}
	return false
}

// hasAddr reports whether a is one of the host's own addresses (loopback included).
func (h *Host) hasAddr(a netip.Addr) bool {
	if loopbackNet.Contains(a) {
		return true
	}
	for _, p := range h.addrs {
		if p.Addr() == a {
			return true
		}
	}
	return false
}

// AddRoute sends packets for dst through gateway, which must be on a
// link of the host: a point-to-point peer, or on the subnet of an
// interface behind a switch. Use 0.0.0.0/0 for a default route.
func (h *Host) AddRoute(dst netip.Prefix, gateway netip.Addr) error {
	if !dst.IsValid() || !dst.Addr().Is4() || !gateway.Is4() {
		return fmt.Errorf("route %v via %v: only IPv4: %w", dst, gateway, sock.ErrAFNoSupport)
	}
	if _, ok := h.onLink(gateway); !ok {
		return fmt.Errorf("route %v via %v: no link of %s leads to %v: %w", dst, gateway, h.name, gateway, sock.ErrNetUnreach)
	}
	h.routes = append(h.routes, route{dst: dst.Masked(), gateway: gateway})
	// Longest prefix first; equal prefixes keep the order they were added in.
	sort.SliceStable(h.routes, func(i, j int) bool { return h.routes[i].dst.Bits() > h.routes[j].dst.Bits() })
	return nil
}

func (h *Host) countDrop(reason string) { h.drops[reason]++ }

// Drops returns how many packets this host (and the links it sends on)
// discarded, by reason.
func (h *Host) Drops() map[string]int {
	m := make(map[string]int, len(h.drops))
	for k, v := range h.drops {
		m[k] = v
	}
	return m
}

func (h *Host) dropped(pkt []byte, reason string) {
	h.countDrop(reason)
	e := sock.Event{Kind: sock.KindDropped, Host: h.name, Packet: pkt, Reason: reason}
	h.w.emit(e)
}

// AddProcess starts a process on the host. Root processes may bind ports
// below 1024.
func (h *Host) AddProcess(name string, root bool) (*Process, error) {
	if err := checkName("process", name); err != nil {
		return nil, err
	}
	if h.Process(name) != nil {
		return nil, fmt.Errorf("process %s/%s already exists: %w", h.name, name, sock.ErrInval)
	}
	p := &Process{host: h, name: name, root: root}
	h.procs = append(h.procs, p)
	return p, nil
}

// Process returns the process called name, or nil.
func (h *Host) Process(name string) *Process {
	for _, p := range h.procs {
		if p.name == name {
			return p
		}
	}
	return nil
}

// Processes returns the host's processes in the order they started.
func (h *Host) Processes() []*Process { return slices.Clone(h.procs) }
