package interop_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	"socketville/shared/netsim"
	"socketville/shared/simnet"
)

// gvisorStack is a gVisor network stack with one NIC whose packets go in
// and out through a channel endpoint.
type gvisorStack struct {
	s    *stack.Stack
	ep   *channel.Endpoint
	addr tcpip.Address
}

func newGVisor(t testing.TB, addr string, mtu uint32) *gvisorStack {
	t.Helper()
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol},
	})
	ep := channel.New(4096, mtu, "")
	if err := s.CreateNIC(1, ep); err != nil {
		t.Fatalf("gvisor: create NIC: %v", err)
	}
	a := tcpip.AddrFrom4(netip.MustParseAddr(addr).As4())
	pa := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: a.WithPrefix()}
	if err := s.AddProtocolAddress(1, pa, stack.AddressProperties{}); err != nil {
		t.Fatalf("gvisor: add address: %v", err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: header.IPv4EmptySubnet, NIC: 1}})
	return &gvisorStack{s: s, ep: ep, addr: a}
}

// inject hands the stack one IPv4 packet from its link.
func (g *gvisorStack) inject(pkt []byte) {
	pb := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(pkt)})
	g.ep.InjectInbound(ipv4.ProtocolNumber, pb)
	pb.DecRef()
}

// pumpOut passes each packet the stack sends to out, until ctx is done.
func (g *gvisorStack) pumpOut(ctx context.Context, out func([]byte)) {
	for {
		pb := g.ep.ReadContext(ctx)
		if pb == nil {
			return
		}
		b := pb.ToView().AsSlice()
		pkt := append([]byte(nil), b...)
		pb.DecRef()
		out(pkt)
	}
}

func (g *gvisorStack) full(port uint16) tcpip.FullAddress {
	return tcpip.FullAddress{NIC: 1, Addr: g.addr, Port: port}
}

// mixed is a town where host a (10.0.0.1) is ours and host g (10.0.0.3)
// stands in for a gVisor stack, joined by a link that carries the raw IPv4
// packets both ways. Every packet on the link is recorded for the checks.
type mixed struct {
	n      *simnet.Network
	ours   *simnet.Stack
	gv     *gvisorStack
	cancel context.CancelFunc
	done   chan struct{}
}

func newMixed(t *testing.T, link sock.LinkConfig) *mixed {
	t.Helper()
	gv := newGVisor(t, "10.0.0.3", 1500)
	w := netsim.New(netsim.Options{Seed: 1})
	if _, err := w.AddHost("a", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, netsim.HostOptions{}); err != nil {
		t.Fatal(err)
	}
	inbound := make(chan []byte, 4096)
	g, err := w.AddHost("g", []netip.Prefix{netip.MustParsePrefix("10.0.0.3/24")}, netsim.HostOptions{
		// The world's step must not wait for gVisor: a goroutine feeds it.
		Outside: func(pkt []byte) {
			select {
			case inbound <- pkt:
			default: // a full queue drops, as a NIC would
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddLink("a", "g", link); err != nil {
		t.Fatal(err)
	}
	n := simnet.New(w, simnet.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	m := &mixed{n: n, gv: gv, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		go gv.pumpOut(ctx, func(pkt []byte) { n.Do(func(*netsim.World) { g.Send(pkt) }) })
		for {
			select {
			case <-ctx.Done():
				return
			case pkt := <-inbound:
				gv.inject(pkt)
			}
		}
	}()
	ours, err := n.Stack("a", "app")
	if err != nil {
		t.Fatal(err)
	}
	m.ours = ours
	t.Cleanup(func() {
		m.close()
		m.checkWire(t)
	})
	return m
}

// checkWire fails the test if either stack rejected a single packet of the
// other's as malformed or with a bad checksum: the bytes on the link must
// be real IPv4/TCP to both.
func (m *mixed) checkWire(t *testing.T) {
	st := m.gv.s.Stats()
	for name, c := range map[string]*tcpip.StatCounter{
		"IP malformed": st.IP.MalformedPacketsReceived, "TCP checksum errors": st.TCP.ChecksumErrors,
		"TCP invalid segments": st.TCP.InvalidSegmentsReceived,
	} {
		if v := c.Value(); v != 0 {
			t.Errorf("gVisor counted %d %s from us", v, name)
		}
	}
	m.n.Do(func(w *netsim.World) {
		for reason, count := range w.Host("a").Drops() {
			if strings.Contains(reason, "malformed") || strings.Contains(reason, "checksum") {
				t.Errorf("we dropped %d of gVisor's packets: %s", count, reason)
			}
		}
	})
}

func (m *mixed) close() {
	m.cancel()
	<-m.done
	m.n.Close()
	m.gv.s.Close()
}

// randomBytes is n bytes from a fixed seed, so failures repeat.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// exchange sends 10 MiB each way at once over a and b, closes the sending
// sides, and checks that each side read exactly what the other wrote.
func exchange(t *testing.T, a, b net.Conn) {
	t.Helper()
	const size = 10 << 20
	fromA, fromB := randomBytes(size, 1), randomBytes(size, 2)
	type result struct {
		got []byte
		err error
	}
	send := func(c net.Conn, data []byte) chan error {
		ch := make(chan error, 1)
		go func() {
			_, err := c.Write(data)
			if err == nil {
				err = c.(interface{ CloseWrite() error }).CloseWrite()
			}
			ch <- err
		}()
		return ch
	}
	recv := func(c net.Conn) chan result {
		ch := make(chan result, 1)
		go func() {
			got, err := io.ReadAll(c)
			ch <- result{got, err}
		}()
		return ch
	}
	sa, sb := send(a, fromA), send(b, fromB)
	ra, rb := recv(a), recv(b)
	for _, err := range []error{<-sa, <-sb} {
		if err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	gotA, gotB := <-ra, <-rb
	if gotA.err != nil || gotB.err != nil {
		t.Fatalf("read: %v / %v", gotA.err, gotB.err)
	}
	if !bytes.Equal(gotB.got, fromA) {
		t.Errorf("the far side read %d bytes that differ from the %d sent", len(gotB.got), len(fromA))
	}
	if !bytes.Equal(gotA.got, fromB) {
		t.Errorf("the near side read %d bytes that differ from the %d sent", len(gotA.got), len(fromB))
	}
}

// acceptOne accepts one connection on ln in the background.
func acceptOne(ln net.Listener) <-chan net.Conn {
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	return accepted
}

// weDial connects our host to a gVisor listener on port and returns both
// ends; the test's cleanup closes them.
func weDial(t *testing.T, m *mixed, port uint16) (ours, theirs net.Conn) {
	t.Helper()
	ln, err := gonet.ListenTCP(m.gv.s, m.gv.full(port), ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := acceptOne(ln)
	ours, err = m.ours.Dial("tcp", fmt.Sprintf("10.0.0.3:%d", port))
	if err != nil {
		t.Fatalf("we could not connect to gVisor: %v", err)
	}
	theirs = <-accepted
	t.Cleanup(func() { ours.Close(); theirs.Close() })
	return ours, theirs
}

func TestGVisorDialsUs(t *testing.T) {
	m := newMixed(t, sock.LinkConfig{Delay: time.Millisecond})
	ln, err := m.ours.Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := acceptOne(ln)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	theirs, err := gonet.DialContextTCP(ctx, m.gv.s, tcpip.FullAddress{NIC: 1, Addr: tcpip.AddrFrom4([4]byte{10, 0, 0, 1}), Port: 80}, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatalf("gVisor could not connect to us: %v", err)
	}
	defer theirs.Close()
	ours := <-accepted
	defer ours.Close()
	exchange(t, ours, theirs)
}

func TestWeDialGVisor(t *testing.T) {
	m := newMixed(t, sock.LinkConfig{Delay: time.Millisecond})
	ours, theirs := weDial(t, m, 8080)
	exchange(t, ours, theirs)
}

// TestCloseAndResetEitherWay closes from each side and resets from each
// side, and checks what the other side sees.
func TestCloseAndResetEitherWay(t *testing.T) {
	pairUp := func(t *testing.T) (ours, theirs net.Conn) {
		return weDial(t, newMixed(t, sock.LinkConfig{Delay: time.Millisecond}), 7)
	}
	readErr := func(c net.Conn) error {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := c.Read(make([]byte, 10))
		return err
	}
	t.Run("we close", func(t *testing.T) {
		ours, theirs := pairUp(t)
		ours.Close()
		if err := readErr(theirs); err != io.EOF {
			t.Errorf("gVisor read after our FIN: %v, want EOF", err)
		}
	})
	t.Run("they close", func(t *testing.T) {
		ours, theirs := pairUp(t)
		theirs.Close()
		if err := readErr(ours); err != io.EOF {
			t.Errorf("our read after gVisor's FIN: %v, want EOF", err)
		}
	})
	t.Run("we reset", func(t *testing.T) {
		ours, theirs := pairUp(t)
		// Unread data makes close abort with RST, as on Linux.
		if _, err := theirs.Write([]byte("unread")); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, func() bool { return ours.(*simnet.Conn).Buffered() > 0 })
		ours.Close()
		if err := readErr(theirs); err == nil || err == io.EOF {
			t.Errorf("gVisor read after our RST: %v, want connection reset", err)
		}
	})
	t.Run("they reset", func(t *testing.T) {
		ours, theirs := pairUp(t)
		if _, err := ours.Write([]byte("unread")); err != nil {
			t.Fatal(err)
		}
		// Once gVisor acknowledged the data it sits unread in its buffer.
		waitUntil(t, func() bool { return ours.(*simnet.Conn).Unacked() == 0 })
		theirs.Close()
		if err := readErr(ours); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("our read after gVisor's RST: %v, want ECONNRESET", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		m := newMixed(t, sock.LinkConfig{Delay: time.Millisecond})
		if _, err := m.ours.Dial("tcp", "10.0.0.3:9"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial to a gVisor port with no listener: %v, want ECONNREFUSED", err)
		}
	})
}

// waitUntil polls cond until it holds, for at most 10 seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
