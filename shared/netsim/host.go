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
	ifaces  []*linkDir // outgoing side of each link, in the order links were made
	lo      *linkDir
	routes  []route
	procs   []*Process
	ipID    uint16
	ports   portTable
	drops   map[string]int
	orphans []*Socket // TCP connections whose fd was closed, finishing on their own
	outside func(pkt []byte)
}

type route struct {
	dst     netip.Prefix
	gateway netip.Addr
}

var loopbackNet = netip.MustParsePrefix("127.0.0.0/8")

func newHost(w *World, name string, addrs []netip.Prefix, opts HostOptions) *Host {
	h := &Host{w: w, name: name, addrs: slices.Clone(addrs), forward: opts.Forward, drops: map[string]int{}, outside: opts.Outside}
	lo := &Link{w: w, name: name + "/lo", a: h, b: h, cfg: linkDefaults(sock.LinkConfig{MTU: 65535})}
	h.lo = &linkDir{link: lo, from: h, to: h, hop: sock.Hop{From: name, To: name}}
	lo.dirs[0] = h.lo
	h.ports.init()
	return h
}

// Name is the host's name.
func (h *Host) Name() string { return h.name }

// Addrs are the host's addresses with their prefixes, loopback not included.
func (h *Host) Addrs() []netip.Prefix { return slices.Clone(h.addrs) }

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

// AddRoute sends packets for dst through gateway, which must be a neighbour
// (the far end of one of the host's links). Use 0.0.0.0/0 for a default route.
func (h *Host) AddRoute(dst netip.Prefix, gateway netip.Addr) error {
	if !dst.IsValid() || !dst.Addr().Is4() || !gateway.Is4() {
		return fmt.Errorf("route %v via %v: only IPv4: %w", dst, gateway, sock.ErrAFNoSupport)
	}
	if h.neighbour(gateway) == nil {
		return fmt.Errorf("route %v via %v: no link of %s leads to %v: %w", dst, gateway, h.name, gateway, sock.ErrNetUnreach)
	}
	h.routes = append(h.routes, route{dst: dst.Masked(), gateway: gateway})
	// Longest prefix first; equal prefixes keep the order they were added in.
	sort.SliceStable(h.routes, func(i, j int) bool { return h.routes[i].dst.Bits() > h.routes[j].dst.Bits() })
	return nil
}

// neighbour returns the interface whose far end owns address a.
func (h *Host) neighbour(a netip.Addr) *linkDir {
	for _, d := range h.ifaces {
		if d.to.hasAddr(a) && !loopbackNet.Contains(a) {
			return d
		}
	}
	return nil
}

// lookup finds the interface a packet for dst leaves through.
func (h *Host) lookup(dst netip.Addr) (*linkDir, *sock.Errno) {
	if h.hasAddr(dst) {
		return h.lo, nil
	}
	if d := h.neighbour(dst); d != nil {
		return d, nil
	}
	for _, r := range h.routes {
		if r.dst.Contains(dst) {
			return h.neighbour(r.gateway), nil
		}
	}
	for _, p := range h.addrs {
		if p.Contains(dst) {
			return nil, sock.ErrHostUnreach // on our subnet, but no link reaches it
		}
	}
	return nil, sock.ErrNetUnreach
}

// sourceFor picks the source address for packets to dst leaving through d:
// an address on the same subnet as dst if there is one, else the first.
func (h *Host) sourceFor(dst netip.Addr, d *linkDir) netip.Addr {
	if d == h.lo && loopbackNet.Contains(dst) {
		return dst
	}
	for _, p := range h.addrs {
		if p.Contains(dst) {
			return p.Addr()
		}
	}
	return h.addrs[0].Addr()
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
