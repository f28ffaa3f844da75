package netsim_test

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
	"socketville/shared/wire"
)

// routed builds a - r - c with r forwarding between 10.0.1.0/24 and 10.0.2.0/24.
func routed(t *testing.T) (*town, *netsim.Process, *netsim.Process) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.1.1/24")
	ps := []netip.Prefix{netip.MustParsePrefix("10.0.1.254/24"), netip.MustParsePrefix("10.0.2.254/24")}
	if _, err := tw.w.AddHost("r", ps, netsim.HostOptions{Forward: true}); err != nil {
		t.Fatal(err)
	}
	c := tw.host("c", "10.0.2.1/24")
	tw.link("a", "r", sock.LinkConfig{Delay: time.Millisecond})
	tw.link("r", "c", sock.LinkConfig{Delay: time.Millisecond})
	if err := a.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.1.254")); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRoute(netip.MustParsePrefix("10.0.1.0/24"), netip.MustParseAddr("10.0.2.254")); err != nil {
		t.Fatal(err)
	}
	return tw, tw.proc(a, "client", false), tw.proc(c, "server", false)
}

func TestForwarding(t *testing.T) {
	tw, client, server := routed(t)
	sfd := udpServer(t, server, "0.0.0.0:7007")
	cfd := must(client.Socket(sock.SockUDP))
	must(client.SendTo(cfd, []byte("via r"), ap("10.0.2.1:7007")))
	tw.w.RunFor(10 * time.Millisecond)
	dg := must(server.RecvFrom(sfd, 100))
	if string(dg.Data) != "via r" || dg.TTL != 63 || dg.From != ap("10.0.1.1:49152") {
		t.Fatalf("got %+v, want the data with TTL 63 after one router", dg)
	}
	if tw.count(sock.KindForwarded, "") != 1 {
		t.Fatal("r should publish one forwarded event")
	}
}

func TestTTLExpires(t *testing.T) {
	tw, client, server := routed(t)
	udpServer(t, server, "0.0.0.0:7007")
	cfd := must(client.Socket(sock.SockUDP))
	if err := client.SetSockopt(cfd, sock.OptTTL, 1); err != nil {
		t.Fatal(err)
	}
	// Time exceeded is a soft error: Linux reports it only with IP_RECVERR.
	if err := client.SetSockopt(cfd, sock.OptRecvErr, 1); err != nil {
		t.Fatal(err)
	}
	if err := client.Connect(cfd, ap("10.0.2.1:7007")); err != nil {
		t.Fatal(err)
	}
	must(client.Send(cfd, []byte("short-lived")))
	tw.w.RunFor(10 * time.Millisecond)
	if tw.count(sock.KindDropped, "TTL expired in transit") != 1 {
		t.Fatalf("router should drop the packet: %v", tw.events)
	}
	if _, err := client.Recv(cfd, 10); !errors.Is(err, syscall.EHOSTUNREACH) {
		t.Fatalf("time exceeded on a connected socket with IP_RECVERR: %v, want EHOSTUNREACH as Linux maps it", err)
	}
}

func TestNoForwardingByDefault(t *testing.T) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.0.1/24")
	tw.host("b", "10.0.0.2/24")
	tw.host("c", "10.0.1.1/24")
	tw.link("a", "b", sock.LinkConfig{})
	tw.link("b", "c", sock.LinkConfig{})
	if err := a.AddRoute(netip.MustParsePrefix("10.0.1.0/24"), netip.MustParseAddr("10.0.0.2")); err != nil {
		t.Fatal(err)
	}
	p := tw.proc(a, "p", false)
	fd := must(p.Socket(sock.SockUDP))
	must(p.SendTo(fd, []byte("x"), ap("10.0.1.1:9")))
	tw.w.RunFor(time.Millisecond)
	if tw.count(sock.KindDropped, "forwarding is off") != 1 {
		t.Fatalf("b does not forward: %v", tw.events)
	}
}

func TestRouteNeedsNeighbour(t *testing.T) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.0.1/24")
	err := a.AddRoute(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.0.254"))
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("%v, want ENETUNREACH for a gateway no link reaches", err)
	}
}

func TestLoopback(t *testing.T) {
	tw, client, _ := pair(t, sock.LinkConfig{Delay: time.Second})
	s := udpServer(t, client, "127.0.0.1:7007")
	c := must(client.Socket(sock.SockUDP))
	must(client.SendTo(c, []byte("self"), ap("127.0.0.1:7007")))
	tw.w.RunFor(0)
	dg := must(client.RecvFrom(s, 10))
	if string(dg.Data) != "self" || dg.From.Addr().String() != "127.0.0.1" {
		t.Fatalf("%+v", dg)
	}
}

func TestRateSerializes(t *testing.T) {
	// 1000-byte packets at 8 Mbit/s take 1 ms each to put on the wire.
	tw, client, server := pair(t, sock.LinkConfig{Rate: 8_000_000, Delay: 2 * time.Millisecond, Queue: 2})
	tw.neighbours(client, "10.0.0.2")
	start := tw.w.Now()
	s := udpServer(t, server, "0.0.0.0:7007")
	c := must(client.Socket(sock.SockUDP))
	payload := make([]byte, 1000-28)
	for i := 0; i < 4; i++ {
		must(client.SendTo(c, payload, ap("10.0.0.2:7007")))
	}
	if n := tw.count(sock.KindDropped, "queue full"); n != 2 {
		t.Fatalf("%d queue drops, want 2 (queue of 2)", n)
	}
	var arrivals []time.Duration
	for _, e := range tw.kinds {
		if e.Kind == sock.KindDelivered {
			arrivals = append(arrivals, e.Time)
		}
	}
	tw.w.RunFor(10 * time.Millisecond)
	for _, e := range tw.kinds {
		if e.Kind == sock.KindDelivered {
			arrivals = append(arrivals, e.Time)
		}
	}
	// A frame is its packet plus 38 bytes on the wire (header, FCS,
	// preamble and gap): 1038 bytes at 8 Mbit/s take 1.038 ms.
	want := []time.Duration{start + 3038*time.Microsecond, start + 4076*time.Microsecond}
	if !reflect.DeepEqual(arrivals, want) {
		t.Fatalf("arrivals %v, want %v", arrivals, want)
	}
	if must(server.RecvFrom(s, 2000)).Len != 972 {
		t.Fatal("payload size")
	}
}

// lossyRun sends n datagrams over a faulty link and returns the event log.
func lossyRun(t *testing.T, seed uint64, f sock.Faults, n int) *town {
	tw := newTown(t, seed)
	a, b := tw.host("a", "10.0.0.1/24"), tw.host("b", "10.0.0.2/24")
	tw.link("a", "b", sock.LinkConfig{Delay: time.Millisecond, Faults: f})
	client, server := tw.proc(a, "c", false), tw.proc(b, "s", false)
	s := udpServer(t, server, "0.0.0.0:7007")
	if err := server.SetSockopt(s, sock.OptRcvBuf, 1<<20); err != nil {
		t.Fatal(err)
	}
	c := must(client.Socket(sock.SockUDP))
	for i := 0; i < n; i++ {
		must(client.SendTo(c, []byte{byte(i)}, ap("10.0.0.2:7007")))
		tw.w.RunFor(100 * time.Microsecond)
	}
	tw.w.RunFor(time.Second)
	return tw
}

func TestFaultsAreSeededAndDeterministic(t *testing.T) {
	f := sock.Faults{Loss: 0.1, Dup: 0.1, Reorder: 0.1, Corrupt: 0.1}
	one := lossyRun(t, 42, f, 500)
	two := lossyRun(t, 42, f, 500)
	if !reflect.DeepEqual(one.events, two.events) {
		t.Fatal("the same seed gave different events")
	}
	other := lossyRun(t, 43, f, 500)
	if reflect.DeepEqual(one.events, other.events) {
		t.Fatal("a different seed gave the same events")
	}
	lost := one.count(sock.KindDropped, "lost on the link")
	dups := one.count(sock.KindSent, "duplicate")
	bad := one.count(sock.KindDropped, "bad FCS")
	for name, n := range map[string]int{"lost": lost, "duplicated": dups, "corrupted": bad} {
		if n < 25 || n > 80 {
			t.Errorf("%s %d of 500, want about 50 at 10%%", name, n)
		}
	}
}

func TestReorderChangesOrder(t *testing.T) {
	tw := lossyRun(t, 7, sock.Faults{Reorder: 0.3}, 200)
	var seen []byte
	for _, e := range tw.kinds {
		if e.Kind == sock.KindDelivered && !isARP(e) {
			ip, _ := wire.ParseIPv4(e.Packet)
			u, _ := wire.ParseUDP(ip.Payload())
			seen = append(seen, u.Payload()[0])
		}
	}
	if len(seen) != 200 {
		t.Fatalf("%d delivered, want all 200 (reordering loses nothing)", len(seen))
	}
	inversions := 0
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			inversions++
		}
	}
	if inversions == 0 {
		t.Fatal("30% reordering left the order alone")
	}
}

func TestLinkConfigValidation(t *testing.T) {
	bad := []sock.LinkConfig{
		{Faults: sock.Faults{Loss: 1.5}},
		{Faults: sock.Faults{Dup: -0.1}},
		{Delay: -time.Millisecond},
		{MTU: 67},
		{Rate: -1},
	}
	for _, cfg := range bad {
		tw := newTown(t, 1)
		tw.host("a", "10.0.0.1/24")
		tw.host("b", "10.0.0.2/24")
		if _, err := tw.w.AddLink("a", "b", cfg); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%+v: %v, want EINVAL", cfg, err)
		}
		if len(tw.w.Snapshot().Links) != 0 {
			t.Errorf("%+v: a refused link exists", cfg)
		}
	}
}

func TestWorldErrors(t *testing.T) {
	tw := newTown(t, 1)
	tw.host("a", "10.0.0.1/24")
	cases := []struct {
		name string
		err  error
	}{
		{name: "duplicate host", err: errOf(tw.w.AddHost("a", []netip.Prefix{netip.MustParsePrefix("10.0.0.5/24")}, netsim.HostOptions{}))},
		{name: "address taken", err: errOf(tw.w.AddHost("b", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, netsim.HostOptions{}))},
		{name: "loopback address", err: errOf(tw.w.AddHost("c", []netip.Prefix{netip.MustParsePrefix("127.0.0.2/8")}, netsim.HostOptions{}))},
		{name: "bad name", err: errOf(tw.w.AddHost("1x", []netip.Prefix{netip.MustParsePrefix("10.0.0.7/24")}, netsim.HostOptions{}))},
		{name: "link to unknown", err: errOf(tw.w.AddLink("a", "zz", sock.LinkConfig{}))},
		{name: "link to itself", err: errOf(tw.w.AddLink("a", "a", sock.LinkConfig{}))},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if len(tw.w.Hosts()) != 1 {
		t.Fatal("refused hosts were added")
	}
}

func errOf[T any](_ T, err error) error { return err }

func TestInjectedGarbageIsDroppedWithReason(t *testing.T) {
	good := func() []byte {
		tw, client, _ := pair(t, sock.LinkConfig{})
		c := must(client.Socket(sock.SockUDP))
		must(client.SendTo(c, []byte("hello"), ap("10.0.0.2:7007")))
		tw.w.RunFor(time.Second)
		for _, e := range tw.kinds {
			if e.Kind == sock.KindSent && !isARP(e) {
				return e.Packet
			}
		}
		t.Fatal("no packet")
		return nil
	}()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name   string
		pkt    []byte
		reason string
	}{
		{name: "empty", pkt: nil, reason: "malformed IPv4"},
		{name: "truncated header", pkt: good[:12], reason: "malformed IPv4"},
		{name: "truncated payload", pkt: good[:30], reason: "malformed IPv4"},
		{name: "bad ip checksum", pkt: mut(func(b []byte) []byte { b[10] ^= 0xff; return b }), reason: "bad IPv4 header checksum"},
		{name: "bad udp checksum", pkt: mut(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), reason: "bad UDP checksum"},
		{name: "udp length lies", pkt: mut(func(b []byte) []byte { b[25] = 200; return b }), reason: "malformed UDP"},
		{name: "fragment", pkt: mut(func(b []byte) []byte {
			ip := wire.IPv4(b)
			b[6] |= 0x20 // MF
			ip.SetTTL(ip.TTL())
			return b
		}), reason: "fragment"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, _, server := pair(t, sock.LinkConfig{})
			udpServer(t, server, "0.0.0.0:7007")
			before := tw.w.Snapshot()
			tw.w.Host("b").Inject(c.pkt)
			tw.w.RunFor(time.Second)
			if tw.count(sock.KindDropped, c.reason) != 1 {
				t.Fatalf("want one drop with reason %q, events %v", c.reason, tw.events)
			}
			after := tw.w.Snapshot()
			after.Hosts[1].Drops, before.Hosts[1].Drops = nil, nil
			after.Now = before.Now
			if !reflect.DeepEqual(before, after) {
				t.Fatal("a garbage packet changed the town")
			}
		})
	}
}

func FuzzReceive(f *testing.F) {
	f.Add([]byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	f.Add([]byte("\x45\x00\x00\x27\x00\x01\x40\x00\x40\x11\x26\xc3\x0a\x00\x00\x01\x0a\x00\x00\x02\xc0\x00\x1b\x5f\x00\x13\xce\x7b" + "hello, town"))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		tw, _, server := pair(t, sock.LinkConfig{})
		udpServer(t, server, "0.0.0.0:7007")
		must(server.Socket(sock.SockICMP))
		tw.w.Host("b").Inject(pkt)
		// A repaired copy gets past the checksums, so the fuzzer reaches the
		// transport handlers too.
		tw.w.Host("b").Inject(repairChecksums(pkt))
		tw.w.RunFor(time.Second)
		for _, e := range tw.kinds {
			if e.Kind == sock.KindDropped && !strings.Contains(e.Reason, " ") {
				t.Fatalf("drop without a reason: %+v", e)
			}
		}
	})
}

// repairChecksums returns a copy of pkt with a correct IPv4 header checksum,
// no UDP checksum (zero means none) and a correct ICMP checksum, where the
// headers parse.
func repairChecksums(pkt []byte) []byte {
	b := append([]byte(nil), pkt...)
	ip, err := wire.ParseIPv4(b)
	if err != nil {
		return b
	}
	ip.SetTTL(ip.TTL())
	p := ip.Payload()
	switch ip.Protocol() {
	case wire.ProtocolUDP:
		if len(p) >= wire.UDPHeaderLen {
			p[6], p[7] = 0, 0
		}
	case wire.ProtocolICMP:
		if len(p) >= wire.ICMPv4HeaderLen {
			p[2], p[3] = 0, 0
			sum := wire.Checksum(p)
			p[2], p[3] = byte(sum>>8), byte(sum)
		}
	}
	return b
}
