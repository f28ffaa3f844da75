package netsim

import (
	"fmt"
	"net/netip"

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
}

// AddOutsidePort gives host a new Ethernet interface with the host's
// addresses on the subnets of far (the addresses expected beyond it; a
// route to each of those subnets), whose frames go to send, a copy each,
// from inside the world's step: send must not call into the world. mtu 0
// means 1500.
func (w *World) AddOutsidePort(host string, far []netip.Addr, mtu int, send func(frame []byte)) (*OutsidePort, error) {
	h := w.Host(host)
	switch {
	case h == nil:
		return nil, fmt.Errorf("outside port: no host called %s: %w", host, sock.ErrInval)
	case send == nil:
		return nil, fmt.Errorf("outside port of %s: nowhere to send: %w", host, sock.ErrInval)
	case mtu == 0:
		mtu = sock.DefaultMTU
	case mtu < minMTU || mtu > 65535:
		return nil, fmt.Errorf("outside port of %s: MTU %d: want %d to 65535: %w", host, mtu, minMTU, sock.ErrInval)
	}
	n := h.addNIC(far)
	n.connected = true
	p := &OutsidePort{nic: n, out: send, maxLen: mtu, way: sock.Hop{From: host, To: "outside"}}
	n.med = p
	return p, nil
}

// MAC is the port's interface address.
func (p *OutsidePort) MAC() wire.MAC { return p.nic.mac }

// Deliver hands the host a frame that came back along the cable, as if
// it had just come off it. The bytes are untrusted: what does not parse
// is dropped with a counted reason. The world keeps b.
func (p *OutsidePort) Deliver(b []byte) { p.nic.arrive(untrusted(b), nil) }

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
	if len(f.l3) > p.maxLen {
		h.countDrop("bigger than the outside port's MTU")
		h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Link: p.way, Packet: f.l3, Frame: f.b,
			Reason: fmt.Sprintf("%d bytes exceed the outside port's MTU of %d", len(f.l3), p.maxLen)})
		return
	}
	p.out(append([]byte(nil), f.b...))
}
