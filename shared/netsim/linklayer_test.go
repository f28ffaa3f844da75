package netsim_test

import (
	"bytes"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/wire"
)

var updateLink = flag.Bool("update", false, "rewrite the golden traces under testdata/link")

// linkTown is a world whose events are printed as the shell's trace, for
// golden link-layer stories.
type linkTown struct {
	*town
	out bytes.Buffer
}

func newLinkTown(t *testing.T) *linkTown {
	lt := &linkTown{town: newTown(t, 1)}
	p := script.NewTextPrinter(&lt.out)
	lt.w.Observe(p.Event)
	return lt
}

// note writes a line of its own into the trace, to say what comes next.
func (lt *linkTown) note(s string) { lt.out.WriteString("# " + s + "\n") }

func (lt *linkTown) golden(name string) {
	t := lt.t
	t.Helper()
	path := filepath.Join("testdata", "link", name+".golden")
	if *updateLink {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, lt.out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./shared/netsim -update writes it)", err)
	}
	if !bytes.Equal(want, lt.out.Bytes()) {
		gotLines, wantLines := strings.Split(lt.out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gotLines), len(wantLines)) {
			if gotLines[i] != wantLines[i] {
				t.Fatalf("%s differs at line %d:\nwant %s\ngot  %s", path, i+1, wantLines[i], gotLines[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gotLines), len(wantLines))
	}
}

func (lt *linkTown) sw(name string) *netsim.Switch {
	lt.t.Helper()
	s, err := lt.w.AddSwitch(name, 0)
	if err != nil {
		lt.t.Fatal(err)
	}
	return s
}

// lanOfThree is a, b and c on switch sw (1 ms cables), a client on a
// with a UDP socket c, and a server on b with srv bound to port 7007.
func lanOfThree(t *testing.T) (lt *linkTown, client, server *netsim.Process, c, srv int) {
	lt = newLinkTown(t)
	a, b := lt.host("a", "10.0.0.1/24"), lt.host("b", "10.0.0.2/24")
	lt.host("c", "10.0.0.3/24")
	lt.sw("sw")
	for _, h := range []string{"a", "b", "c"} {
		lt.link(h, "sw", sock.LinkConfig{Delay: time.Millisecond})
	}
	client, server = lt.proc(a, "client", false), lt.proc(b, "server", false)
	srv = udpServer(t, server, "0.0.0.0:7007")
	return lt, client, server, must(client.Socket(sock.SockUDP)), srv
}

// TestARPGolden: the first datagram waits for a request and its reply,
// the second finds the cache; a host that is not there gets three
// requests and its caller EHOSTUNREACH; an answer older than 30 s is
// STALE, used it goes DELAY, then PROBE asks the old address directly.
func TestARPGolden(t *testing.T) {
	lt, client, server, c, srv := lanOfThree(t)

	lt.note("request, reply, then the datagram that waited")
	must(client.SendTo(c, []byte("one"), ap("10.0.0.2:7007")))
	lt.w.RunFor(10 * time.Millisecond)
	lt.note("the cache knows b: no ARP")
	must(client.SendTo(c, []byte("two"), ap("10.0.0.2:7007")))
	lt.w.RunFor(10 * time.Millisecond)
	for range 2 {
		must(server.RecvFrom(srv, 10))
	}

	lt.note("nobody has 10.0.0.9: three requests a second apart, then EHOSTUNREACH")
	tcp := must(client.Socket(sock.SockTCP))
	must(0, client.SetNonblock(tcp, true))
	if err := client.Connect(tcp, ap("10.0.0.9:80")); !errors.Is(err, syscall.EINPROGRESS) {
		t.Fatalf("connect: %v, want EINPROGRESS", err)
	}
	lt.w.RunFor(4 * time.Second)
	if err := client.ConnectResult(tcp); !errors.Is(err, syscall.EHOSTUNREACH) {
		t.Fatalf("connect to a host that is not there: %v, want EHOSTUNREACH", err)
	}

	lt.note("40 s on, b's answer is stale: used, the entry waits 5 s (DELAY), then asks b directly (PROBE)")
	lt.w.RunFor(40 * time.Second)
	must(client.SendTo(c, []byte("three"), ap("10.0.0.2:7007")))
	lt.w.RunFor(7 * time.Second)
	must(server.RecvFrom(srv, 10))
	neigh := lt.w.Snapshot().Hosts[0].Neigh
	if len(neigh) != 2 || neigh[0].State != sock.NeighReachable || neigh[1].State != sock.NeighFailed {
		t.Fatalf("a's cache %v, want b REACHABLE and 10.0.0.9 FAILED", neigh)
	}
	lt.golden("arp")
}

// TestSwitchGolden: a switch floods a broadcast and a frame for an
// address it does not know, sends a known one out of one port, and forgets
// an address 300 s after it last saw it.
func TestSwitchGolden(t *testing.T) {
	lt, client, server, c, srv := lanOfThree(t)
	lt.note("a's request is a broadcast: flooded to b and c; the switch learns a, then b")
	must(client.SendTo(c, []byte("one"), ap("10.0.0.2:7007")))
	lt.w.RunFor(10 * time.Millisecond)
	fdb := lt.w.Snapshot().Switches[0].FDB
	if len(fdb) != 2 || fdb[0].Port != 1 || fdb[1].Port != 2 {
		t.Fatalf("MAC table %v, want a on port 1 and b on port 2", fdb)
	}
	lt.note("301 s later both are forgotten: a's frame for b is flooded again, and c's NIC refuses it")
	lt.w.RunFor(301 * time.Second)
	must(client.SendTo(c, []byte("two"), ap("10.0.0.2:7007")))
	lt.w.RunFor(6 * time.Second)
	for range 2 {
		must(server.RecvFrom(srv, 10))
	}
	lt.golden("switch")
}

// TestSwitchLoopRefused: the third cable of a triangle of switches is
// refused, and the town is left as it was.
func TestSwitchLoopRefused(t *testing.T) {
	lt := newLinkTown(t)
	for _, s := range []string{"s1", "s2", "s3"} {
		lt.sw(s)
	}
	lt.link("s1", "s2", sock.LinkConfig{})
	lt.link("s2", "s3", sock.LinkConfig{})
	_, err := lt.w.AddLink("s3", "s1", sock.LinkConfig{})
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "loop") {
		t.Fatalf("a loop of switches: %v, want EINVAL naming the loop", err)
	}
	if n := len(lt.w.Snapshot().Links); n != 2 {
		t.Fatalf("%d links after the refusal, want 2", n)
	}
	if _, err := lt.w.AddSwitch("s1", 0); err == nil {
		t.Fatal("a second switch called s1 was made")
	}
	if _, err := lt.w.AddSwitch("big", 65); err == nil {
		t.Fatal("a switch of 65 ports was made")
	}
}

// TestRouterInterfaces: "host r 10.0.1.1/24 10.0.2.1/24" on two switches
// puts one address on each interface, and a packet from one LAN to the
// other crosses r with its TTL one less.
func TestRouterInterfaces(t *testing.T) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.1.10/24")
	tw.host("b", "10.0.2.10/24")
	r, err := tw.w.AddHost("r", []netip.Prefix{mustPrefix("10.0.1.1/24"), mustPrefix("10.0.2.1/24")}, netsim.HostOptions{Forward: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"sw1", "sw2"} {
		if _, err := tw.w.AddSwitch(s, 0); err != nil {
			t.Fatal(err)
		}
	}
	tw.link("a", "sw1", sock.LinkConfig{})
	tw.link("r", "sw1", sock.LinkConfig{})
	tw.link("r", "sw2", sock.LinkConfig{})
	tw.link("b", "sw2", sock.LinkConfig{})
	must(0, a.AddRoute(mustPrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.1.1")))
	must(0, tw.w.Host("b").AddRoute(mustPrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.2.1")))
	_ = r
	var nics []sock.NICState
	for _, h := range tw.w.Snapshot().Hosts {
		if h.Name == "r" {
			nics = h.NICs
		}
	}
	if len(nics) != 3 || nics[1].Addrs[0] != mustPrefix("10.0.1.1/24") || nics[2].Addrs[0] != mustPrefix("10.0.2.1/24") {
		t.Fatalf("r's interfaces %v, want lo, eth0 10.0.1.1/24, eth1 10.0.2.1/24", nics)
	}
	p := tw.proc(a, "p", false)
	if err := resolve(tw.w, p, "10.0.2.10"); err != nil {
		t.Fatal(err)
	}
}

// TestBadFramesAreCounted: frames that lie are dropped with a reason each,
// counted, and never panic a host or a switch.
func TestBadFramesAreCounted(t *testing.T) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.0.1/24")
	tw.host("b", "10.0.0.2/24")
	sw, err := tw.w.AddSwitch("sw", 0)
	if err != nil {
		t.Fatal(err)
	}
	tw.link("a", "sw", sock.LinkConfig{})
	tw.link("b", "sw", sock.LinkConfig{})
	aMAC := wire.LocalMAC(1)
	arp := func(op wire.ARPOp, spa, tpa string) []byte {
		msg := make([]byte, wire.ARPLen)
		must(0, wire.ARPHeader{Op: op, SenderMAC: wire.LocalMAC(9), SenderIP: netip.MustParseAddr(spa), TargetIP: netip.MustParseAddr(tpa)}.Encode(msg))
		return wire.NewFrame(wire.EthernetHeader{Dst: aMAC, Src: wire.LocalMAC(9), Type: wire.EtherTypeARP}, msg)
	}
	lying := arp(wire.ARPRequest, "10.0.0.9", "10.0.0.1")
	lying[wire.EthernetHeaderLen+4] = 8 // hardware length 8
	cases := []struct {
		name, reason string
		frame        []byte
	}{
		{"shorter than its header", "malformed Ethernet frame", []byte{1, 2, 3}},
		{"an 802.3 length for an EtherType", "malformed Ethernet frame", wire.NewFrame(wire.EthernetHeader{Dst: aMAC, Type: 0x0600}, nil)[:12]},
		{"an EtherType no one speaks", "no protocol for EtherType", wire.NewFrame(wire.EthernetHeader{Dst: aMAC, Src: wire.LocalMAC(9), Type: 0x86dd}, nil)},
		{"an ARP length that lies", "malformed ARP", lying},
		{"an ARP reply nobody asked for", "nobody asked for", arp(wire.ARPReply, "10.0.0.7", "10.0.0.1")},
		{"a frame for another MAC", "not this interface's", wire.NewFrame(wire.EthernetHeader{Dst: wire.LocalMAC(42), Src: wire.LocalMAC(9), Type: wire.EtherTypeIPv4}, nil)},
	}
	for _, c := range cases {
		before := a.Drops()
		a.InjectFrame(c.frame)
		n := 0
		for reason, count := range a.Drops() {
			if strings.Contains(reason, c.reason) {
				n += count - before[reason]
			}
		}
		if n != 1 {
			t.Errorf("%s: %d drops counted with %q, want 1 (drops %v)", c.name, n, c.reason, a.Drops())
		}
	}
	// A flood of made-up source addresses fills the MAC table to its
	// limit and no further; the frames are still passed on.
	for i := range 3000 {
		sw.InjectFrame(3, wire.NewFrame(wire.EthernetHeader{Dst: wire.BroadcastMAC, Src: wire.LocalMAC(uint32(1000 + i)), Type: 0x88b5}, nil))
	}
	st := tw.w.Snapshot().Switches[0]
	if len(st.FDB) != 1024 {
		t.Fatalf("MAC table of %d after a flood, want the limit of 1024", len(st.FDB))
	}
	full := 0
	for reason, n := range st.Drops {
		if strings.Contains(reason, "MAC table full") {
			full += n
		}
	}
	if full != 3000-1024 {
		t.Fatalf("%d frames counted as not learned, want %d", full, 3000-1024)
	}
}

// FuzzHostFrames: a host's link layer takes any bytes without panicking.
func FuzzHostFrames(f *testing.F) {
	msg := make([]byte, wire.ARPLen)
	_ = wire.ARPHeader{Op: wire.ARPRequest, SenderMAC: wire.LocalMAC(9), SenderIP: netip.MustParseAddr("10.0.0.9"), TargetIP: netip.MustParseAddr("10.0.0.1")}.Encode(msg)
	f.Add(wire.NewFrame(wire.EthernetHeader{Dst: wire.BroadcastMAC, Src: wire.LocalMAC(9), Type: wire.EtherTypeARP}, msg))
	f.Add(wire.NewFrame(wire.EthernetHeader{Dst: wire.LocalMAC(1), Src: wire.LocalMAC(9), Type: wire.EtherTypeIPv4}, make([]byte, 20)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		w := netsim.New(netsim.Options{})
		a, _ := w.AddHost("a", []netip.Prefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{})
		_, _ = w.AddHost("b", []netip.Prefix{mustPrefix("10.0.0.2/24")}, netsim.HostOptions{})
		_, _ = w.AddLink("a", "b", sock.LinkConfig{})
		a.InjectFrame(b)
		w.RunFor(10 * time.Second)
		_ = w.Snapshot()
	})
}

// FuzzSwitchFrames: a switch takes any bytes on any port without
// panicking, and its table stays bounded.
func FuzzSwitchFrames(f *testing.F) {
	f.Add(uint8(1), wire.NewFrame(wire.EthernetHeader{Dst: wire.BroadcastMAC, Src: wire.LocalMAC(9), Type: wire.EtherTypeARP}, nil))
	f.Add(uint8(3), wire.NewFrame(wire.EthernetHeader{Dst: wire.LocalMAC(1), Src: wire.LocalMAC(2), Type: wire.EtherTypeIPv4}, nil))
	f.Add(uint8(0), []byte{0xff})
	f.Fuzz(func(t *testing.T, port uint8, b []byte) {
		w := netsim.New(netsim.Options{})
		sw, _ := w.AddSwitch("sw", 4)
		_, _ = w.AddHost("a", []netip.Prefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{})
		_, _ = w.AddLink("a", "sw", sock.LinkConfig{})
		sw.InjectFrame(int(port), b)
		sw.InjectFrame(int(port), b)
		w.RunFor(time.Second)
		if n := len(w.Snapshot().Switches[0].FDB); n > 1024 {
			t.Fatalf("MAC table of %d", n)
		}
	})
}
