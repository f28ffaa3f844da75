package netsim

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// Options configure a World. The zero value is a world with seed 0.
type Options struct {
	// Seed drives every random choice (link faults). The same seed and the
	// same calls give the same events.
	Seed uint64
	// FirstMAC is the number of the first MAC address the world hands out
	// less one: interfaces get 02:00:00:00:00:01 and up by default, and
	// worlds joined by outside ports need ranges that do not overlap.
	FirstMAC uint32
	// Roads, when set, carries the frames a host sends on its roads to
	// peers' towns (AddRoad): host's road to far sent frame, a copy,
	// from inside the world's step. Nil drops them: a town replayed
	// from its trace sends nothing to anyone.
	Roads func(host, far string, frame []byte)
}

// World is the whole town: hosts, the links between them, the clock, and the
// observers of its events. It is not safe for concurrent use; one driver owns it.
type World struct {
	sched     Scheduler
	seed      uint64
	hosts     []*Host
	links     []*Link
	switches  []*Switch
	observers []func(sock.Event)
	flights   flightTable
	nextSock  uint64
	isnCount  uint64
	isnBase   *wire.SeqNum // tests fix initial sequence numbers near the wrap
	macs      uint32       // MAC addresses handed out, in the order interfaces were made
	arena     frameArena
	roadsOut  func(host, far string, frame []byte)
	roads     map[roadKey]*OutsidePort
}

// New makes an empty world.
func New(opts Options) *World {
	w := &World{seed: opts.Seed, macs: opts.FirstMAC, roadsOut: opts.Roads}
	w.flights.w = w
	return w
}

// Seed is the world's seed.
func (w *World) Seed() uint64 { return w.seed }

// SetSeed changes the seed. It is refused once a link exists, since links
// draw their random streams from the seed when they are made.
func (w *World) SetSeed(seed uint64) error {
	if len(w.links) > 0 {
		return fmt.Errorf("seed: must come before the first link: %w", sock.ErrInval)
	}
	w.seed = seed
	return nil
}

// Now is the current virtual time.
func (w *World) Now() time.Duration { return w.sched.Now() }

// NextEvent returns the virtual time at which something next happens.
func (w *World) NextEvent() (time.Duration, bool) { return w.sched.Next() }

// Step runs the next scheduled happening and reports whether there was one.
func (w *World) Step() bool { return w.sched.Step() }

// RunUntil runs everything due up to t and leaves the clock at t.
func (w *World) RunUntil(t time.Duration) { w.sched.RunUntil(t) }

// RunFor runs the world for d of virtual time.
func (w *World) RunFor(d time.Duration) { w.sched.RunUntil(w.sched.Now() + d) }

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

func checkName(what, name string) error {
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%s name %q: use a letter then letters, digits, '-' or '_' (at most 32): %w", what, name, sock.ErrInval)
	}
	return nil
}

// HostOptions configure a host.
type HostOptions struct {
	// Forward makes the host a router: it passes on packets addressed to
	// others (Linux's net.ipv4.ip_forward=1). Hosts do not forward by default.
	Forward bool
	// Outside makes the host stand in for a network stack outside the town
	// (a peer's browser over WebRTC, another TCP stack in a test): every
	// packet that reaches the host is handed to Outside, a copy it may keep,
	// instead of to the host's own stack; Host.Send puts the outside stack's
	// packets on the town's roads. Outside runs inside the world's step, so
	// it must not call back into the world.
	Outside func(pkt []byte)
}

// AddHost makes a host with one or more addresses, each with its prefix
// length ("10.0.0.1/24"). Every host also has 127.0.0.1/8 on its loopback.
func (w *World) AddHost(name string, addrs []netip.Prefix, opts HostOptions) (*Host, error) {
	if err := checkName("host", name); err != nil {
		return nil, err
	}
	if w.Host(name) != nil {
		return nil, fmt.Errorf("host %s already exists: %w", name, sock.ErrInval)
	}
	if w.Switch(name) != nil {
		return nil, fmt.Errorf("host %s: a switch has that name: %w", name, sock.ErrInval)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("host %s needs an address: %w", name, sock.ErrInval)
	}
	for _, p := range addrs {
		if err := checkHostAddr(p); err != nil {
			return nil, fmt.Errorf("host %s: %w", name, err)
		}
		if owner := w.hostWithAddr(p.Addr()); owner != nil {
			return nil, fmt.Errorf("host %s: address %v already belongs to %s: %w", name, p.Addr(), owner.name, sock.ErrAddrInUse)
		}
	}
	h := newHost(w, name, addrs, opts)
	w.hosts = append(w.hosts, h)
	return h, nil
}

func checkHostAddr(p netip.Prefix) error {
	a := p.Addr()
	switch {
	case !p.IsValid() || !a.Is4():
		return fmt.Errorf("address %v: only IPv4 addresses with a prefix length: %w", p, sock.ErrAFNoSupport)
	case a.IsLoopback():
		return fmt.Errorf("address %v cannot name a host: 127.0.0.0/8 is every host's own loopback: %w", a, sock.ErrInval)
	case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Errorf("address %v cannot name a host (unspecified, multicast or broadcast): %w", a, sock.ErrInval)
	case p.Bits() == 0:
		return fmt.Errorf("address %v: prefix length 0 is not a subnet: %w", p, sock.ErrInval)
	}
	return nil
}

// Host returns the host called name, or nil.
func (w *World) Host(name string) *Host {
	for _, h := range w.hosts {
		if h.name == name {
			return h
		}
	}
	return nil
}

// Hosts returns the hosts in the order they were made.
func (w *World) Hosts() []*Host { return append([]*Host(nil), w.hosts...) }

func (w *World) hostWithAddr(a netip.Addr) *Host {
	for _, h := range w.hosts {
		if h.hasAddr(a) {
			return h
		}
	}
	return nil
}

// AddLink joins a and b with a cable: two hosts (a point-to-point link),
// a host and a switch (the host's interface on that switch's LAN), or two
// switches, unless that would close a loop of switches.
func (w *World) AddLink(a, b string, cfg sock.LinkConfig) (*Link, error) {
	if l := w.Link(a, b); l != nil {
		return nil, fmt.Errorf("link: %s and %s are already linked (%s): %w", a, b, l.name, sock.ErrInval)
	}
	if a == b {
		return nil, fmt.Errorf("link: %s cannot be linked to itself (a host has a loopback): %w", a, sock.ErrInval)
	}
	ea, err := w.nodeEnd(a)
	if err != nil {
		return nil, err
	}
	eb, err := w.nodeEnd(b)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("link %s-%s: %w", a, b, err)
	}
	if err := w.checkLoop(a, b); err != nil {
		return nil, err
	}
	ends := [2]endpoint{ea.plug(eb), eb.plug(ea)}
	l := newLink(w, ends[0], ends[1], cfg, uint64(len(w.links)))
	for i, e := range ends {
		switch e := e.(type) {
		case *nic:
			e.med = l.dirs[i]
		case *switchPort:
			e.med, e.link = l.dirs[i], l
		}
	}
	w.links = append(w.links, l)
	return l, nil
}

// nodeEnd is what a cable to node name plugs into: a new interface of a
// host, or a free port of a switch.
type nodeEnd struct {
	h  *Host
	sw *Switch
}

func (w *World) nodeEnd(name string) (nodeEnd, error) {
	if h := w.Host(name); h != nil {
		return nodeEnd{h: h}, nil
	}
	sw := w.Switch(name)
	if sw == nil {
		return nodeEnd{}, fmt.Errorf("link: no host or switch called %s: %w", name, sock.ErrInval)
	}
	if sw.freePort() == nil {
		return nodeEnd{}, fmt.Errorf("link: all %d ports of switch %s are in use: %w", len(sw.ports), name, sock.ErrInval)
	}
	return nodeEnd{sw: sw}, nil
}

// plug makes this end's endpoint for a cable to far: the switch's free
// port, or the host's next interface with the addresses that share a
// subnet with what lies beyond the cable.
func (e nodeEnd) plug(far nodeEnd) endpoint {
	if e.sw != nil {
		return e.sw.freePort()
	}
	if far.h != nil {
		n := e.h.addNIC(far.h.plainAddrs())
		n.peers = far.h.plainAddrs()
		return n
	}
	var lan []netip.Addr
	nics, _ := e.h.w.segment(far.sw)
	for _, other := range nics {
		for _, p := range other.addrs {
			lan = append(lan, p.Addr())
		}
	}
	n := e.h.addNIC(lan)
	n.connected = true
	return n
}

// checkLoop refuses a cable between two switches that are already joined:
// with no spanning tree, a broadcast would circle the loop forever.
func (w *World) checkLoop(a, b string) error {
	sa, sb := w.Switch(a), w.Switch(b)
	if sa == nil || sb == nil {
		return nil
	}
	if _, joined := w.segment(sa); slices.Contains(joined, sb) {
		names := make([]string, len(joined))
		for i, s := range joined {
			names[i] = s.name
		}
		return fmt.Errorf("link %s %s: %s and %s are already joined through the other switches of their LAN (%s), and a second way "+
			"between them would make a loop where a broadcast circles forever (Socketville's switches run no spanning tree): %w",
			a, b, a, b, strings.Join(names, ", "), sock.ErrInval)
	}
	return nil
}

// Link returns the link between hosts a and b (in either order), or nil.
func (w *World) Link(a, b string) *Link {
	for _, l := range w.links {
		if (l.an == a && l.bn == b) || (l.an == b && l.bn == a) {
			return l
		}
	}
	return nil
}
