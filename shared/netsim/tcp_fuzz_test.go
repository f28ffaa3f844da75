package netsim

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// fuzzConn is a connection driven into one state, for injecting segments.
type fuzzConn struct {
	w      *World
	target *Socket // the socket whose connection receives the segment
	peer   netip.AddrPort
	host   *Host
}

// The states FuzzTCPInject can put a connection in, by index.
var fuzzStates = []tcpState{
	stateListen, stateSynSent, stateSynReceived, stateEstablished, stateFinWait1,
	stateFinWait2, stateCloseWait, stateClosing, stateLastAck, stateTimeWait,
}

// connIn builds a and b (10 ms apart), b listening on port 80, and drives a
// connection until the socket of interest is in state want.
func connIn(want tcpState) (*fuzzConn, error) {
	w := New(Options{Seed: 1})
	a, _ := w.AddHost("a", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, HostOptions{})
	b, _ := w.AddHost("b", []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}, HostOptions{})
	if _, err := w.AddLink("a", "b", sock.LinkConfig{Delay: 10 * time.Millisecond}); err != nil {
		return nil, err
	}
	pa, _ := a.AddProcess("client", false)
	pb, _ := b.AddProcess("server", true)
	lfd, _ := pb.Socket(sock.SockTCP)
	if err := pb.Bind(lfd, netip.MustParseAddrPort("0.0.0.0:80")); err != nil {
		return nil, err
	}
	if err := pb.Listen(lfd, 4); err != nil {
		return nil, err
	}
	listener := pb.lookupFD(lfd)
	cfd, _ := pa.Socket(sock.SockTCP)
	client := pa.lookupFD(cfd)
	fc := &fuzzConn{w: w}
	at := func(s *Socket, h *Host, peer string) *fuzzConn {
		fc.target, fc.host, fc.peer = s, h, netip.MustParseAddrPort(peer)
		return fc
	}
	if want == stateListen {
		return at(listener, b, "10.0.0.1:40000"), nil
	}
	_ = pa.Connect(cfd, netip.MustParseAddrPort("10.0.0.2:80"))
	if want == stateSynSent {
		return at(client, a, "10.0.0.2:80"), nil
	}
	w.RunFor(35 * time.Millisecond) // after one ARP round trip (20 ms) the SYN is at b, the SYN|ACK on its way
	if want == stateSynReceived {
		return at(listener.tcp.synQueue[0], b, "10.0.0.1:49152"), nil
	}
	w.RunFor(time.Second)
	sfd, _, err := pb.Accept(lfd)
	if err != nil {
		return nil, err
	}
	server := pb.lookupFD(sfd)
	switch want {
	case stateEstablished:
		return at(client, a, "10.0.0.2:80"), nil
	case stateFinWait1, stateFinWait2, stateTimeWait:
		_ = pa.Shutdown(cfd, sock.ShutWr)
		if want == stateFinWait2 {
			w.RunFor(30 * time.Millisecond)
		}
		if want == stateTimeWait {
			_ = pb.Close(sfd)
			w.RunFor(100 * time.Millisecond)
		}
		return at(client, a, "10.0.0.2:80"), nil
	case stateCloseWait, stateLastAck:
		_ = pa.Shutdown(cfd, sock.ShutWr)
		w.RunFor(15 * time.Millisecond)
		if want == stateLastAck {
			_ = pb.Shutdown(sfd, sock.ShutWr)
		}
		return at(server, b, "10.0.0.1:49152"), nil
	case stateClosing:
		_ = pa.Shutdown(cfd, sock.ShutWr)
		_ = pb.Shutdown(sfd, sock.ShutWr)
		w.RunFor(15 * time.Millisecond)
		return at(client, a, "10.0.0.2:80"), nil
	}
	return nil, fmt.Errorf("state %v", want)
}

// inject builds a segment for the target's connection, numbered relative
// to what the connection expects, and hands it to the target's host.
func (fc *fuzzConn) inject(flags byte, seqOff, ackOff int32, wnd uint16, opts, payload []byte, raw bool) {
	s := fc.target
	c := s.tcp
	local := s.local
	if local.Addr().IsUnspecified() {
		local = netip.AddrPortFrom(fc.host.addrs[0].Addr(), local.Port())
	}
	opts = opts[:min(len(opts), 40)&^3]
	hdr := wire.TCPHeader{
		SrcPort: fc.peer.Port(), DstPort: local.Port(), Flags: wire.TCPFlags(flags), Window: wnd, Options: opts,
		Seq: c.rcvNxt.Add(int(seqOff)), Ack: c.sndUna.Add(int(ackOff)),
	}
	payload = payload[:min(len(payload), 1400)]
	ih := wire.IPv4Header{TTL: 64, Protocol: wire.ProtocolTCP, Src: fc.peer.Addr(), Dst: local.Addr(), PayloadLen: hdr.Len() + len(payload)}
	pkt := make([]byte, ih.Len()+hdr.Len()+len(payload))
	if ih.Encode(pkt) != nil {
		return
	}
	copy(pkt[ih.Len()+hdr.Len():], payload)
	if hdr.Encode(pkt[ih.Len():], ih.Src, ih.Dst) != nil {
		return
	}
	if raw && len(payload) > 0 {
		pkt[ih.Len()+12] = payload[0] // a data offset from the fuzzer; the checksum still matches the old one
	}
	fc.host.Inject(pkt)
}

// checkInvariants looks at every connection of every host.
func checkInvariants(w *World) error {
	for _, h := range w.hosts {
		var all []*Socket
		for _, p := range h.procs {
			all = append(all, p.Sockets()...)
		}
		all = append(all, h.orphans...)
		for _, s := range all {
			if s.tcp == nil {
				continue
			}
			if err := s.tcp.invariants(); err != nil {
				return fmt.Errorf("%s %v<->%v %v: %w", h.name, s.local, s.remote, s.tcp.state, err)
			}
			for _, child := range append(append([]*Socket(nil), s.tcp.synQueue...), s.tcp.acceptQ...) {
				if err := child.tcp.invariants(); err != nil {
					return fmt.Errorf("queued connection %v: %w", child.remote, err)
				}
			}
		}
	}
	return nil
}

func (c *tcb) invariants() error {
	switch {
	case c.state == stateClosed || c.state == stateListen:
		return nil
	case c.sndNxt.LessThan(c.sndUna) || c.sndMax.LessThan(c.sndNxt):
		return fmt.Errorf("send sequence out of order: una %d nxt %d max %d", c.sndUna, c.sndNxt, c.sndMax)
	case c.sndBuf.Len() > c.s.opts.sndBuf:
		return fmt.Errorf("send buffer holds %d bytes, more than SO_SNDBUF %d", c.sndBuf.Len(), c.s.opts.sndBuf)
	case c.rcvBuf.Len()+c.oooBytes > c.s.opts.rcvBuf:
		return fmt.Errorf("receive side holds %d+%d bytes, more than SO_RCVBUF %d", c.rcvBuf.Len(), c.oooBytes, c.s.opts.rcvBuf)
	case c.rcvAdv.LessThan(c.rcvNxt) && c.state.Synchronized():
		return fmt.Errorf("advertised edge %d is left of RCV.NXT %d", c.rcvAdv, c.rcvNxt)
	case c.oooBytes < 0:
		return fmt.Errorf("out-of-order byte count %d", c.oooBytes)
	case c.state.Synchronized() && c.cwnd < 1:
		return fmt.Errorf("congestion window %d", c.cwnd)
	}
	for i := 1; i < len(c.ooo); i++ {
		if c.ooo[i].seq.LessThan(c.ooo[i-1].seq) {
			return fmt.Errorf("out-of-order queue not sorted")
		}
	}
	return nil
}

// FuzzTCPInject puts a connection in each state and hands it a segment the
// fuzzer shapes (flags, sequence and acknowledgment numbers near what the
// connection expects, window, options, data, a lying data offset). Nothing
// may panic, every connection must keep its invariants, and the world must
// go on running.
func FuzzTCPInject(f *testing.F) {
	for i := range fuzzStates {
		f.Add(uint8(i), byte(wire.TCPAck), int32(0), int32(0), uint16(1000), []byte{}, []byte("data"), false)
		f.Add(uint8(i), byte(wire.TCPRst), int32(0), int32(0), uint16(0), []byte{}, []byte{}, false)
		f.Add(uint8(i), byte(wire.TCPSyn), int32(5), int32(0), uint16(0), []byte{2, 4, 5, 180, 3, 3, 14, 0}, []byte{}, false)
		f.Add(uint8(i), byte(wire.TCPFin|wire.TCPAck), int32(0), int32(1), uint16(500), []byte{}, []byte("bye"), false)
		f.Add(uint8(i), byte(wire.TCPAck), int32(-3000), int32(70000), uint16(0), []byte{1, 1, 8, 10}, []byte{0xf0, 1}, true)
	}
	f.Fuzz(func(t *testing.T, state uint8, flags byte, seqOff, ackOff int32, wnd uint16, opts, payload []byte, raw bool) {
		fc, err := connIn(fuzzStates[int(state)%len(fuzzStates)])
		if err != nil {
			t.Fatal(err)
		}
		fc.inject(flags, seqOff, ackOff, wnd, opts, payload, raw)
		for i := 0; i < 2000 && fc.w.Step(); i++ {
			if err := checkInvariants(fc.w); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestFuzzStatesAreReached(t *testing.T) {
	for _, want := range fuzzStates {
		fc, err := connIn(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := fc.target.tcp.state; got != want {
			t.Errorf("connIn(%v) reached %v", want, got)
		}
	}
}
