package netsim

import (
	"fmt"
	"net/netip"
	"slices"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// OutsidePort is a host's interface whose cable leaves the town: what the
// host sends on it is handed to a function (a peer's data channel, another
// world in a test), and what comes back is handed to Deliver. It is the
// medium of a road to somewhere the simulator does not run.
type OutsidePort struct {
	nic    *nic
	out    func(frame []byte)
	maxLen int
	way    sock.Hop
	// down, when not "", says why the road is gone (the peer left): what
	// is sent is dropped with those words and nothing comes back.
	down string
}

// PortOptions say where an outside port leads.
type PortOptions struct {
	// Far are the addresses expected beyond the port.
	Far []netip.Addr
	// PointToPoint makes Far the port's peers, a route each and no route
	// to their subnet (Linux's "ip addr add LOCAL peer REMOTE"), so that
	// a host may have one port for each of several far hosts on one
	// subnet: a road to each peer of a shared town. Otherwise the port
	// holds the host's addresses on Far's subnets and routes to them.
	PointToPoint bool
	// To names the far end in events' hops ("bob"); "" is "outside".
	To string
	// MAC is the port's address; zero takes the world's next. Two towns'
	// worlds hand out the same addresses, so a road between them needs
	// addresses of its own.
	MAC wire.MAC
	// MTU is the largest IP packet the port carries; 0 means 1500.
	MTU int
}

// AddOutsidePort gives host a new Ethernet interface with the host's
// addresses on the subnets of far (the addresses expected beyond it; a
// route to each of those subnets), whose frames go to send, a copy each,
// from inside the world's step: send must not call into the world. mtu 0
// means 1500.
func (w *World) AddOutsidePort(host string, far []netip.Addr, mtu int, send func(frame []byte)) (*OutsidePort, error) {
	return w.AddOutside(host, PortOptions{Far: far, MTU: mtu}, send)
}

// AddOutside gives host a new Ethernet interface that leads where o says,
// whose frames go to send, a copy each, from inside the world's step:
// send must not call into the world.
func (w *World) AddOutside(host string, o PortOptions, send func(frame []byte)) (*OutsidePort, error) {
	h := w.Host(host)
	mtu := o.MTU
	switch {
	case h == nil:
		return nil, fmt.Errorf("outside port: no host called %s: %w", host, sock.ErrInval)
	case send == nil:
		return nil, fmt.Errorf("outside port of %s: nowhere to send: %w", host, sock.ErrInval)
	case o.MAC != (wire.MAC{}) && (o.MAC[0]&1 == 1 || w.hasMAC(o.MAC)):
		return nil, fmt.Errorf("outside port of %s: MAC %v is a group address or taken: %w", host, o.MAC, sock.ErrInval)
	case mtu == 0:
		mtu = sock.DefaultMTU
	case mtu < minMTU || mtu > 65535:
		return nil, fmt.Errorf("outside port of %s: MTU %d: want %d to 65535: %w", host, mtu, minMTU, sock.ErrInval)
	}
	to := o.To
	if to == "" {
		to = "outside"
	}
	n := h.addNIC(o.Far)
	if o.MAC != (wire.MAC{}) {
		n.mac = o.MAC
	}
	if o.PointToPoint {
		n.peers = slices.Clone(o.Far)
	} else {
		n.connected = true
	}
	p := &OutsidePort{nic: n, out: send, maxLen: mtu, way: sock.Hop{From: host, To: to}}
	n.med = p
	return p, nil
}

// hasMAC reports whether an interface of the world has address m.
func (w *World) hasMAC(m wire.MAC) bool {
	for _, h := range w.hosts {
		for _, n := range h.nics {
			if n.mac == m {
				return true
			}
		}
	}
	return false
}

// SetDown takes the road away, why saying why in the trace ("bob left
// the room"): from then on what the host sends on the port is dropped
// with those words, and what comes back is dropped too. "" brings the
// road back.
func (p *OutsidePort) SetDown(why string) { p.down = why }

// Down says why the road is gone, or "" while it is there.
func (p *OutsidePort) Down() string { return p.down }

// MAC is the port's interface address.
func (p *OutsidePort) MAC() wire.MAC { return p.nic.mac }

// Deliver hands the host a frame that came back along the cable, as if
// it had just come off it. The bytes are untrusted: what does not parse
// is dropped with a counted reason. The world keeps b.
func (p *OutsidePort) Deliver(b []byte) {
	if p.down != "" {
		p.nic.host.countDrop("a frame on a road that is gone")
		return
	}
	p.nic.arrive(untrusted(b), nil)
}

func (p *OutsidePort) mtu() int      { return p.maxLen }
func (p *OutsidePort) hop() sock.Hop { return p.way }

// send hands a frame to the outside, as a link puts one on its wire.
func (p *OutsidePort) send(f frame, s *Socket, note string) {
	h := p.nic.host
	e := sock.Event{Kind: sock.KindSent, Host: h.name, Link: p.way, Packet: f.l3, Frame: f.b, Reason: note}
	if s != nil {
		e.Proc, e.FD, e.Sock, e.Local, e.Remote = s.proc.name, s.fd, s.typ, s.local, s.remote
	}
	h.w.emit(e)
	if p.down != "" {
		h.countDrop("sent on a road that is gone")
		h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Link: p.way, Packet: f.l3, Frame: f.b, Reason: p.down})
		return
	}
	if len(f.l3) > p.maxLen {
		h.countDrop("bigger than the outside port's MTU")
		h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Link: p.way, Packet: f.l3, Frame: f.b,
			Reason: fmt.Sprintf("%d bytes exceed the outside port's MTU of %d", len(f.l3), p.maxLen)})
		return
	}
	p.out(append([]byte(nil), f.b...))
}
