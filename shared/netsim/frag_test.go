package netsim_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/wire"
)

// chain builds a - r1 - r2 - b, the middle road with mtu, routes both
// ways, and a process on a and on b.
func chain(t *testing.T, lt *linkTown, mtu int) (*netsim.Process, *netsim.Process) {
	t.Helper()
	a := lt.host("a", "10.0.1.10/24")
	r1, err := lt.w.AddHost("r1", []netip.Prefix{mustPrefix("10.0.1.1/24"), mustPrefix("10.0.2.1/24")}, netsim.HostOptions{Forward: true})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := lt.w.AddHost("r2", []netip.Prefix{mustPrefix("10.0.2.2/24"), mustPrefix("10.0.3.1/24")}, netsim.HostOptions{Forward: true})
	if err != nil {
		t.Fatal(err)
	}
	b := lt.host("b", "10.0.3.10/24")
	lt.link("a", "r1", sock.LinkConfig{Delay: time.Millisecond})
	lt.link("r1", "r2", sock.LinkConfig{Delay: time.Millisecond, MTU: mtu})
	lt.link("r2", "b", sock.LinkConfig{Delay: time.Millisecond})
	for _, r := range []struct {
		h       *netsim.Host
		dst, gw string
	}{
		{a, "0.0.0.0/0", "10.0.1.1"}, {b, "0.0.0.0/0", "10.0.3.1"},
		{r1, "10.0.3.0/24", "10.0.2.2"}, {r2, "10.0.1.0/24", "10.0.2.1"},
	} {
		if err := r.h.AddRoute(mustPrefix(r.dst), netip.MustParseAddr(r.gw)); err != nil {
			t.Fatal(err)
		}
	}
	return lt.proc(a, "client", false), lt.proc(b, "server", false)
}

// TestFragmentationGolden: a datagram bigger than the path leaves a in
// two fragments, the first of which r1 cuts again for the 576-byte road;
// b puts the four pieces back together.
func TestFragmentationGolden(t *testing.T) {
	lt := newLinkTown(t)
	client, server := chain(t, lt, 576)
	if err := resolve(lt.w, client, "10.0.3.10"); err != nil {
		t.Fatal(err)
	}
	lt.events, lt.kinds = nil, nil
	lt.out.Reset()
	srv := udpServer(t, server, "0.0.0.0:7007")
	c := must(client.Socket(sock.SockUDP))
	data := bytes.Repeat([]byte("0123456789"), 200)
	lt.note("2000 bytes of UDP: two fragments from a (1500 and 548 bytes), the first cut again by r1")
	must(client.SendTo(c, data, ap("10.0.3.10:7007")))
	lt.w.RunFor(20 * time.Millisecond)
	dg := must(server.RecvFrom(srv, 4000))
	if !bytes.Equal(dg.Data, data) {
		t.Fatalf("reassembled %d bytes that differ from the 2000 sent", len(dg.Data))
	}
	lt.note("with IP_MTU_DISCOVER DO the same datagram is refused at once")
	must(0, client.SetSockopt(c, sock.OptMTUDiscover, sock.PMTUDiscDo))
	if _, err := client.SendTo(c, data, ap("10.0.3.10:7007")); !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("DF and 2028 bytes: %v, want EMSGSIZE", err)
	}
	lt.golden("fragments")
}

// TestPathMTUGolden: TCP's first full segments die at r1 with "fragmentation
// needed"; a learns the 1400-byte path, its segments shrink to 1360 bytes
// and go again, and IP_MTU reads the path MTU.
func TestPathMTUGolden(t *testing.T) {
	lt := newLinkTown(t)
	client, server := chain(t, lt, 1400)
	lfd := must(server.Socket(sock.SockTCP))
	must(0, server.Bind(lfd, ap("0.0.0.0:8080")))
	must(0, server.Listen(lfd, 4))
	fd := must(client.Socket(sock.SockTCP))
	if err := client.Connect(fd, ap("10.0.3.10:8080")); !errors.Is(err, syscall.EINPROGRESS) {
		t.Fatal(err)
	}
	lt.w.RunFor(100 * time.Millisecond)
	sfd, _, err := server.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 4000)
	for i := range data {
		data[i] = byte(i)
	}
	lt.note("4000 bytes in 1460-byte segments: too big for the 1400-byte road")
	must(client.Send(fd, data))
	lt.w.RunFor(200 * time.Millisecond)
	var got []byte
	for {
		b, err := server.Recv(sfd, 8192)
		if err != nil {
			break
		}
		got = append(got, b...)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("server read %d bytes, want the 4000 sent", len(got))
	}
	if mtu := must(client.GetSockopt(fd, sock.OptMTU)); mtu != 1400 {
		t.Fatalf("IP_MTU %d, want 1400", mtu)
	}
	for _, h := range lt.w.Snapshot().Hosts {
		for _, p := range h.Processes {
			for _, s := range p.Sockets {
				if p.Name == "client" && s.TCP != nil && s.TCP.MSS != 1360 {
					t.Fatalf("client's MSS %d, want 1360 (1400 less 40 bytes of headers)", s.TCP.MSS)
				}
			}
		}
	}
	lt.golden("pmtu")
}

// frag builds fragment [off, off+n) of a UDP datagram from 10.0.0.1 to
// 10.0.0.2:7007 (id 77) whose UDP payload is total-8 bytes of ascending
// bytes; last clears More Fragments.
func frag(t *testing.T, total, off, n int, last bool) []byte {
	t.Helper()
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	udp := make([]byte, total)
	for i := wire.UDPHeaderLen; i < total; i++ {
		udp[i] = byte(i)
	}
	must(0, wire.UDPHeader{SrcPort: 5000, DstPort: 7007}.Encode(udp, src, dst))
	flags := wire.IPv4Flags(0)
	if !last {
		flags = wire.IPv4MoreFragments
	}
	hdr := wire.IPv4Header{ID: 77, Flags: flags, FragOffset: off, TTL: 64, Protocol: wire.ProtocolUDP, Src: src, Dst: dst, PayloadLen: n}
	b := make([]byte, hdr.Len()+n)
	must(0, hdr.Encode(b))
	copy(b[hdr.Len():], udp[off:off+n])
	return b
}

// TestReassembly: pieces in any order make the datagram; an overlap
// discards it; a missing piece times out after 30 s with "fragment
// reassembly time exceeded" to the sender.
func TestReassembly(t *testing.T) {
	cases := []struct {
		name   string
		pieces [][3]int // offset, length, last (1)
		whole  bool
		reason string
	}{
		{name: "in order", pieces: [][3]int{{0, 800, 0}, {800, 800, 0}, {1600, 400, 1}}, whole: true},
		{name: "last first", pieces: [][3]int{{1600, 400, 1}, {0, 800, 0}, {800, 800, 0}}, whole: true},
		{name: "middle last", pieces: [][3]int{{0, 800, 0}, {1600, 400, 1}, {800, 800, 0}}, whole: true},
		{name: "overlap", pieces: [][3]int{{0, 800, 0}, {792, 808, 0}, {1600, 400, 1}}, reason: "overlaps"},
		{name: "a piece missing", pieces: [][3]int{{0, 800, 0}, {1600, 400, 1}}, reason: "reassembly timed out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, client, server := pair(t, sock.LinkConfig{Delay: time.Millisecond})
			tw.neighbours(client, "10.0.0.2")
			srv := udpServer(t, server, "0.0.0.0:7007")
			for _, p := range c.pieces {
				tw.w.Host("b").Inject(frag(t, 2000, p[0], p[1], p[2] == 1))
			}
			tw.w.RunFor(31 * time.Second)
			dg, err := server.RecvFrom(srv, 4000)
			if c.whole {
				if err != nil || dg.Len != 1992 || dg.Data[100] != 108 {
					t.Fatalf("got %d bytes, %v; want the 1992-byte datagram", dg.Len, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("a datagram of %d bytes came out of broken pieces", dg.Len)
			}
			if tw.count(sock.KindDropped, c.reason) == 0 {
				t.Fatalf("no drop saying %q", c.reason)
			}
			if c.reason == "reassembly timed out" {
				found := false
				for _, e := range tw.kinds {
					if e.Kind == sock.KindSent && e.Host == "b" {
						if ip, err := wire.ParseIPv4(e.Packet); err == nil && ip.Protocol() == wire.ProtocolICMP {
							m, _ := wire.ParseICMPv4(ip.Payload())
							found = m.Type() == wire.ICMPv4TimeExceeded && m.Code() == wire.ICMPv4ReassemblyExceeded
						}
					}
				}
				if !found {
					t.Fatal("b sent no \"fragment reassembly time exceeded\"")
				}
			}
		})
	}
}

// TestFragmentsUnderLossAndReordering: over a lossy, reordering road with
// a small MTU, every datagram that comes out is exactly one that went in.
func TestFragmentsUnderLossAndReordering(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{Delay: 2 * time.Millisecond, MTU: 300})
	tw.neighbours(client, "10.0.0.2")
	if err := tw.w.Link("a", "b").SetConfig(sock.LinkConfig{Delay: 2 * time.Millisecond, MTU: 300, Faults: sock.Faults{Loss: 0.05, Reorder: 0.3, Dup: 0.05}}); err != nil {
		t.Fatal(err)
	}
	srv := udpServer(t, server, "0.0.0.0:7007")
	must(0, server.SetSockopt(srv, sock.OptRcvBuf, 4<<20))
	c := must(client.Socket(sock.SockUDP))
	rng := rand.New(rand.NewPCG(3, 4))
	sent := map[uint32][]byte{}
	for i := range 300 {
		d := make([]byte, 4+rng.IntN(3000))
		binary.BigEndian.PutUint32(d, uint32(i))
		for j := 4; j < len(d); j++ {
			d[j] = byte(rng.Uint32())
		}
		sent[uint32(i)] = d
		must(client.SendTo(c, d, ap("10.0.0.2:7007")))
		tw.w.RunFor(time.Millisecond)
	}
	tw.w.RunFor(35 * time.Second)
	got := 0
	for {
		dg, err := server.RecvFrom(srv, 4000)
		if err != nil {
			break
		}
		want, ok := sent[binary.BigEndian.Uint32(dg.Data)]
		if !ok || !bytes.Equal(dg.Data, want) {
			t.Fatalf("a datagram of %d bytes that was never sent", dg.Len)
		}
		got++
	}
	if got < 100 || got == 300 {
		t.Fatalf("%d of 300 datagrams came through; with 5%% loss of each of up to 11 pieces some, not all, should", got)
	}
	if tw.count(sock.KindDropped, "reassembly timed out") == 0 {
		t.Fatal("no datagram timed out, though pieces were lost")
	}
	t.Logf("%d of 300 datagrams reassembled", got)
}

// TestErrorQueue: with IP_RECVERR an ICMP error queues with who sent it
// and a DF datagram over the path MTU queues a local EMSGSIZE with the
// MTU; taking the last queued error clears the pending one, as Linux's
// sock_dequeue_err_skb does.
func TestErrorQueue(t *testing.T) {
	lt := newLinkTown(t)
	client, _ := chain(t, lt, 1400)
	c := must(client.Socket(sock.SockUDP))
	must(0, client.SetSockopt(c, sock.OptRecvErr, 1))
	must(0, client.SetSockopt(c, sock.OptTTL, 1))
	must(client.SendTo(c, []byte("probe"), ap("10.0.3.10:33434")))
	lt.w.RunFor(100 * time.Millisecond)
	ee, err := client.RecvErr(c)
	if err != nil || ee.Local || ee.Type != uint8(wire.ICMPv4TimeExceeded) || ee.Offender != netipAddr("10.0.1.1") || string(ee.Data[8:]) != "probe" {
		t.Fatalf("RecvErr = %+v, %v; want time exceeded from 10.0.1.1 quoting the probe", ee, err)
	}
	if client.Readiness(c)&sock.PollErr != 0 {
		t.Fatal("the pending error is still there after the queue was read empty")
	}
	if _, err := client.RecvErr(c); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("an empty queue: %v, want EAGAIN", err)
	}
	must(0, client.SetSockopt(c, sock.OptTTL, 64))
	must(0, client.SetSockopt(c, sock.OptMTUDiscover, sock.PMTUDiscDo))
	if _, err := client.SendTo(c, make([]byte, 1472), ap("10.0.3.10:33434")); err != nil {
		t.Fatal(err)
	}
	lt.w.RunFor(100 * time.Millisecond)
	if ee, _ := client.RecvErr(c); ee.Info != 1400 || ee.Local {
		t.Fatalf("after the first too-big datagram: %+v, want fragmentation needed with mtu 1400 from r1", ee)
	}
	if _, err := client.SendTo(c, make([]byte, 1472), ap("10.0.3.10:33434")); !errors.Is(err, syscall.EMSGSIZE) {
		t.Fatalf("the second: %v, want EMSGSIZE from the learned path MTU", err)
	}
	if ee, _ := client.RecvErr(c); !ee.Local || ee.Info != 1400 || ee.Err != sock.ErrMsgSize {
		t.Fatalf("local error %+v, want EMSGSIZE with mtu 1400", ee)
	}
}
