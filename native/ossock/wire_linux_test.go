//go:build linux

package ossock

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder keeps what a town's wires report.
type recorder struct {
	mu   sync.Mutex
	pkts []Packet
}

func record(town *Town) *recorder {
	r := &recorder{}
	town.OnPacket(func(p Packet) {
		r.mu.Lock()
		r.pkts = append(r.pkts, p)
		r.mu.Unlock()
	})
	return r
}

// on returns the reports of IP frames on direction link ("a->b") so far,
// in order: the ARP that goes before is left out (see arpOn).
func (r *recorder) on(link string) []Packet {
	return r.filter(link, func(p Packet) bool { return !isARP(p) })
}

// arpOn returns the reports of ARP frames on direction link so far.
func (r *recorder) arpOn(link string) []Packet { return r.filter(link, isARP) }

func (r *recorder) filter(link string, keep func(Packet) bool) []Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Packet
	for _, p := range r.pkts {
		if p.Link.String() == link && keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// isARP reports whether a report's frame carries ARP.
func isARP(p Packet) bool { return len(p.Frame) >= 14 && p.Frame[12] == 0x08 && p.Frame[13] == 0x06 }

// count is how many reports on link match kind and reason.
func (r *recorder) count(link string, kind PacketKind, reason string) int {
	n := 0
	for _, p := range r.on(link) {
		if p.Kind == kind && p.Reason == reason {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, d time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// udpPayload is the payload of an IPv4 UDP packet, or nil.
func udpPayload(pkt []byte) []byte {
	if len(pkt) < 20 || pkt[0]>>4 != 4 || pkt[9] != 17 {
		return nil
	}
	ihl := int(pkt[0]&0xf) * 4
	if len(pkt) < ihl+8 {
		return nil
	}
	return pkt[ihl+8:]
}

// seqOf reads the "seq N" payload of a test datagram, or -1.
func seqOf(pkt []byte) int {
	n, err := strconv.Atoi(strings.TrimPrefix(string(udpPayload(pkt)), "seq "))
	if err != nil {
		return -1
	}
	return n
}

// twoHosts is a town of a (10.0.0.1) and b (10.0.0.2) joined by p, with a
// recorder on its wires. Each host knows the other's MAC from the start (a
// permanent neighbour entry), so that the wire's dice fall on the test's
// datagrams only: a seed that loses the ARP exchange would lose them all.
func twoHosts(t *testing.T, seed uint64, p LinkProps) (*Town, *recorder) {
	t.Helper()
	town := newTown(t)
	town.SetSeed(seed)
	rec := record(town)
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	addLink(t, town, "a", "b", p)
	knowNeighbours(t, town, "a", "b")
	return town, rec
}

// knowNeighbours gives each of hosts a and b, joined by a link, a permanent
// ARP entry for the other.
func knowNeighbours(t *testing.T, town *Town, a, b string) {
	t.Helper()
	for _, e := range [][2]string{{a, b}, {b, a}} {
		me, far := town.Interfaces(e[0]), town.Interfaces(e[1])
		if len(me) == 0 || len(far) == 0 {
			t.Fatalf("%s and %s have no interfaces", e[0], e[1])
		}
		addr := town.hosts[e[1]].addrs[0].Addr().String()
		if err := town.Do(e[0], func() error {
			out, err := exec.Command("ip", "neigh", "replace", addr, "lladdr", far[0].MAC.String(), "dev", me[0].Name, "nud", "permanent").CombinedOutput()
			if err != nil {
				return fmt.Errorf("ip neigh in %s: %v: %s", e[0], err, out)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// udpBurst sends n datagrams "seq 0".."seq n-1" from a to b:9000, waits until
// the wire has decided each one's fate (want of them delivered, as
// Delivered reports counted by fates), and returns the seqs b's socket read
// within settle after that.
func udpBurst(t *testing.T, town *Town, rec *recorder, n int, fates func() bool, settle time.Duration) []int {
	t.Helper()
	var srv net.PacketConn
	if err := town.Do("b", func() (err error) {
		srv, err = net.ListenPacket("udp4", "10.0.0.2:9000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var c net.Conn
	if err := town.Do("a", func() (err error) {
		c, err = net.Dial("udp4", "10.0.0.2:9000")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range n {
		if _, err := fmt.Fprintf(c, "seq %d", i); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	waitFor(t, "the wire's verdicts", 5*time.Second, fates)
	var got []int
	buf := make([]byte, 256)
	srv.SetReadDeadline(time.Now().Add(settle))
	for {
		k, _, err := srv.ReadFrom(buf)
		if err != nil {
			break
		}
		i, err := strconv.Atoi(strings.TrimPrefix(string(buf[:k]), "seq "))
		if err != nil {
			t.Fatalf("datagram %q", buf[:k])
		}
		got = append(got, i)
		srv.SetReadDeadline(time.Now().Add(settle))
	}
	return got
}

// TestWireLossSeeded: loss=30% with a fixed seed drops the same packet
// numbers in two runs, b receives exactly the others, and another seed drops
// others.
func TestWireLossSeeded(t *testing.T) {
	const n = 100
	run := func(seed uint64) (dropped []int) {
		town, rec := twoHosts(t, seed, LinkProps{Loss: 0.3})
		decided := func() bool {
			return rec.count("a->b", PacketDropped, lostOnLink)+rec.count("a->b", PacketDelivered, "") == n
		}
		got := udpBurst(t, town, rec, n, decided, 200*time.Millisecond)
		for _, p := range rec.on("a->b") {
			if p.Kind == PacketDropped {
				dropped = append(dropped, seqOf(p.Data))
			}
		}
		var want []int
		for i := range n {
			if !slices.Contains(dropped, i) {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("seed %d: b read %v, want every seq but the dropped %v", seed, got, dropped)
		}
		if err := town.Close(); err != nil {
			t.Fatal(err)
		}
		return dropped
	}
	first, second, other := run(7), run(7), run(8)
	t.Logf("seed 7 dropped %d of %d: %v", len(first), n, first)
	if !slices.Equal(first, second) {
		t.Errorf("seed 7 dropped %v, then %v", first, second)
	}
	if len(first) < 15 || len(first) > 45 {
		t.Errorf("seed 7 dropped %d of %d at 30%% loss", len(first), n)
	}
	if slices.Equal(first, other) {
		t.Errorf("seeds 7 and 8 dropped the same packets %v", first)
	}
}

// TestWireDup: dup=100% delivers every datagram twice, and reports the
// second copy as sent with reason "duplicate", as the simulator does.
func TestWireDup(t *testing.T) {
	const n = 20
	town, rec := twoHosts(t, 1, LinkProps{Dup: 1, Delay: time.Millisecond})
	got := udpBurst(t, town, rec, n, func() bool { return rec.count("a->b", PacketDelivered, "") == 2*n }, 200*time.Millisecond)
	slices.Sort(got)
	var want []int
	for i := range n {
		want = append(want, i, i)
	}
	if !slices.Equal(got, want) {
		t.Errorf("b read %v, want each of 0..%d twice", got, n-1)
	}
	if s, d := rec.count("a->b", PacketSent, ""), rec.count("a->b", PacketSent, "duplicate"); s != n || d != n {
		t.Errorf("sent %d, duplicates %d; want %d and %d", s, d, n, n)
	}
}

// TestWireCorrupt: corrupt=100% flips exactly one bit of every datagram's
// frame, so b's NIC drops each one for its bad FCS (reported at b), as the
// simulator's NIC does, and nothing reaches b's socket. ARP frames are
// damaged too, which is why twoHosts teaches both hosts their MACs.
func TestWireCorrupt(t *testing.T) {
	const n = 20
	town, rec := twoHosts(t, 3, LinkProps{Corrupt: 1})
	got := udpBurst(t, town, rec, n, func() bool { return rec.count("a->b", PacketDropped, badFCS) == n }, 200*time.Millisecond)
	if len(got) != 0 {
		t.Errorf("b read %v, want nothing: every datagram has a flipped bit", got)
	}
	var sent, delivered [][]byte
	for _, p := range rec.on("a->b") {
		switch p.Kind {
		case PacketSent:
			sent = append(sent, p.Data)
		case PacketDropped:
			if p.At != "b" || len(p.Frame) < 60 {
				t.Errorf("a damaged frame dropped at %q, %d bytes; want at b, padded to 60", p.At, len(p.Frame))
			}
			delivered = append(delivered, p.Data)
		case PacketDelivered:
			t.Errorf("a damaged frame was delivered")
		}
	}
	if len(sent) != n || len(delivered) != n {
		t.Fatalf("%d sent, %d dropped at b, want %d each", len(sent), len(delivered), n)
	}
	for i := range sent {
		flipped := 0
		for j := range sent[i] {
			flipped += bits.OnesCount8(sent[i][j] ^ delivered[i][j])
		}
		if flipped != 1 {
			t.Errorf("datagram %d arrived with %d bits flipped, want 1", i, flipped)
		}
	}
}

// TestWireReorder: reorder=50% holds some datagrams back, so b reads them
// out of order, yet every one arrives.
func TestWireReorder(t *testing.T) {
	const n = 50
	town, rec := twoHosts(t, 5, LinkProps{Reorder: 0.5})
	var got []int
	// Sent 1 ms apart, so that a packet held back 1-2 ms is overtaken.
	var c net.Conn
	var srv net.PacketConn
	if err := town.Do("b", func() (err error) { srv, err = net.ListenPacket("udp4", "10.0.0.2:9000"); return err }); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := town.Do("a", func() (err error) { c, err = net.Dial("udp4", "10.0.0.2:9000"); return err }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range n {
		fmt.Fprintf(c, "seq %d", i)
		time.Sleep(time.Millisecond)
	}
	waitFor(t, "deliveries", 5*time.Second, func() bool { return rec.count("a->b", PacketDelivered, "") == n })
	buf := make([]byte, 64)
	srv.SetReadDeadline(time.Now().Add(time.Second))
	for len(got) < n {
		k, _, err := srv.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(string(buf[:k]), "seq "))
		got = append(got, i)
	}
	if slices.IsSorted(got) {
		t.Errorf("b read %v in order, want some overtaken", got)
	}
	slices.Sort(got)
	for i := range n {
		if got[i] != i {
			t.Fatalf("b read %v, want each of 0..%d once", got, n-1)
		}
	}
}

// tcpTransfer sends size bytes over TCP from a to b:port and returns how long
// it took from the dial until b had read them all.
func tcpTransfer(tb testing.TB, town *Town, size int64) time.Duration {
	tb.Helper()
	var ln net.Listener
	if err := town.Do("b", func() (err error) { ln, err = net.Listen("tcp4", "10.0.0.2:5001"); return err }); err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	var end time.Time
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		n, err := io.Copy(io.Discard, c)
		end = time.Now()
		if err == nil && n != size {
			err = fmt.Errorf("b read %d bytes, want %d", n, size)
		}
		done <- err
	}()
	start := time.Now()
	var c net.Conn
	if err := town.Do("a", func() (err error) { c, err = net.Dial("tcp4", "10.0.0.2:5001"); return err }); err != nil {
		tb.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.CopyN(c, zeros{}, size); err != nil {
		tb.Fatalf("write: %v", err)
	}
	c.Close()
	if err := <-done; err != nil {
		tb.Fatal(err)
	}
	return end.Sub(start)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestWireRate: 125 kB over a 1 Mbit/s link take at least a second.
func TestWireRate(t *testing.T) {
	town, rec := twoHosts(t, 1, LinkProps{Rate: 1_000_000})
	d := tcpTransfer(t, town, 125_000)
	t.Logf("125 kB at 1 Mbit/s: %v; %d packets a->b, %d dropped (queue full)", d, rec.count("a->b", PacketSent, ""), rec.count("a->b", PacketDropped, fmt.Sprintf("link queue full (%d packets)", wireQueue)))
	if d < 950*time.Millisecond || d > 10*time.Second {
		t.Errorf("transfer took %v, want about 1s (>= 0.95s)", d)
	}
}

// TestWireTshark cross-checks the wire with a capture nobody here wrote:
// tshark on b's device sees exactly the datagrams the callback reported as
// delivered on a->b, and none it reported dropped.
func TestWireTshark(t *testing.T) {
	needNetAdmin(t)
	needTool(t, "tshark")
	const n = 30
	town, rec := twoHosts(t, 11, LinkProps{Loss: 0.3, Delay: time.Millisecond})
	lines := tsharkIn(t, town.Namespace("b"), n, "-f", "udp dst port 9000", "-T", "fields", "-e", "udp.payload")
	decided := func() bool {
		return rec.count("a->b", PacketDropped, lostOnLink)+rec.count("a->b", PacketDelivered, "") == n
	}
	udpBurst(t, town, rec, n, decided, 100*time.Millisecond)
	var delivered, dropped []string
	for _, p := range rec.on("a->b") {
		switch p.Kind {
		case PacketDelivered:
			delivered = append(delivered, string(udpPayload(p.Data)))
		case PacketDropped:
			dropped = append(dropped, string(udpPayload(p.Data)))
		}
	}
	var seen []string
	timeout := time.After(10 * time.Second)
	for len(seen) < len(delivered) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("tshark ended after %v", seen)
			}
			b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(l), ":", ""))
			if err != nil {
				t.Fatalf("tshark printed %q", l)
			}
			seen = append(seen, string(b))
		case <-timeout:
			t.Fatalf("tshark saw %q, the callback delivered %q", seen, delivered)
		}
	}
	select {
	case l := <-lines:
		t.Errorf("tshark saw more than the callback delivered: %q", l)
	case <-time.After(100 * time.Millisecond):
	}
	if !slices.Equal(seen, delivered) {
		t.Errorf("tshark saw %q\nthe callback delivered %q", seen, delivered)
	}
	t.Logf("tshark saw the %d delivered datagrams; %d were dropped", len(seen), len(dropped))
}

// TestWireCloseLeavesNothing: after Close, with packets still on a slow
// wire, the goroutine count is back to what it was within a second, no
// namespace of this process is left, and the root namespace's links and
// routes are as before.
func TestWireCloseLeavesNothing(t *testing.T) {
	needNetAdmin(t)
	needTool(t, "ip")
	rootBefore := command(t, "ip", "-o", "link") + command(t, "ip", "route")
	waitQuiet := func() int {
		// Goroutines from earlier tests (Do's threads, servers) end soon.
		time.Sleep(50 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	base := waitQuiet()
	town, err := NewTown()
	if err != nil {
		t.Fatal(err)
	}
	rec := record(town)
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "r", true, "10.0.0.2/24")
	addHost(t, town, "c", false, "10.0.0.3/24")
	addLink(t, town, "a", "r", LinkProps{Delay: time.Millisecond})
	addLink(t, town, "r", "c", LinkProps{Delay: 500 * time.Millisecond, Rate: 100_000})
	answer, _ := udpExchange(t, town, "a", "r", "10.0.0.2:7")
	if answer != "answer to a" {
		t.Errorf("answer %q", answer)
	}
	// Leave packets in flight on the slow link.
	var c net.Conn
	if err := town.Do("r", func() (err error) { c, err = net.Dial("udp4", "10.0.0.3:9"); return err }); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		c.Write(make([]byte, 1000))
	}
	c.Close()
	waitFor(t, "sends on r->c", 5*time.Second, func() bool { return rec.count("r->c", PacketSent, "") == 20 })
	if got := runtime.NumGoroutine(); got < base+4 {
		t.Errorf("%d goroutines with two wires, baseline %d: want 2 per wire", got, base)
	}
	start := time.Now()
	if err := town.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if n := rec.count("r->c", PacketDelivered, ""); n >= 20 {
		t.Errorf("%d delivered on r->c before Close, want some still in flight", n)
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines a second after Close, baseline %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
	entries, _ := os.ReadDir(netnsDir)
	mine := fmt.Sprintf("%s%d-", NamespacePrefix, os.Getpid())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), mine) {
			t.Errorf("namespace %s left after Close", e.Name())
		}
	}
	if after := command(t, "ip", "-o", "link") + command(t, "ip", "route"); after != rootBefore {
		t.Errorf("root namespace changed:\nbefore:\n%s\nafter:\n%s", rootBefore, after)
	}
	n := len(rec.on("r->c"))
	time.Sleep(20 * time.Millisecond)
	if len(rec.on("r->c")) != n {
		t.Errorf("reports after Close")
	}
}

// TestWireFlightHeap: flights come out by time, equal times in push order.
func TestWireFlightHeap(t *testing.T) {
	var h flightHeap
	ats := []time.Duration{5, 1, 3, 3, 9, 0, 3, 7, 1}
	for i, at := range ats {
		h.push(flight{at: at, seq: uint64(i)})
	}
	var prev flight
	for i := range ats {
		f := h.pop()
		if i > 0 && (f.at < prev.at || f.at == prev.at && f.seq < prev.seq) {
			t.Fatalf("popped %+v after %+v", f, prev)
		}
		prev = f
	}
	if len(h) != 0 {
		t.Fatalf("%d left", len(h))
	}
}

// TestWireQueue: the rate queue holds 1000 packets and drains at the rate.
// (The fates themselves are netsim's FaultStream, tested there.)
func TestWireQueue(t *testing.T) {
	d := &wireDir{}
	rate := &LinkProps{Rate: 8_000_000, Delay: time.Millisecond} // 1 µs a byte
	for i := range wireQueue {
		at, ok := d.enqueue(0, 1000, rate)
		if want := time.Duration(i+1)*time.Millisecond + time.Millisecond; !ok || at != want {
			t.Fatalf("packet %d arrives at %v (%v), want %v", i, at, ok, want)
		}
	}
	if _, ok := d.enqueue(0, 1000, rate); ok {
		t.Error("packet 1001 queued, want drop-tail at 1000")
	}
	if _, ok := d.enqueue(time.Millisecond, 1000, rate); !ok {
		t.Error("after one packet's time there is room again")
	}
}

// BenchmarkWireTCP is bulk TCP over one link without properties: the wire's
// throughput (bytes per op set, so go test reports MB/s).
func BenchmarkWireTCP(b *testing.B) {
	needNetAdmin(b)
	town, err := NewTown()
	if err != nil {
		b.Fatal(err)
	}
	defer town.Close()
	addHost(b, town, "a", false, "10.0.0.1/24")
	addHost(b, town, "b", false, "10.0.0.2/24")
	addLink(b, town, "a", "b", LinkProps{})
	const size = 64 << 20
	b.SetBytes(size)
	for b.Loop() {
		tcpTransfer(b, town, size)
	}
}

// TestWireTsharkARP: Linux ARPs on its own across a wire, and tshark inside
// b's namespace, which knows nothing of the wire, decodes what b's eth0
// saw: a's who-has from the simulator's MAC for a, and b's reply from b's,
// the same frames the wire reported delivered and sent.
func TestWireTsharkARP(t *testing.T) {
	needNetAdmin(t)
	needTool(t, "tshark")
	town := newTown(t)
	rec := record(town)
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	addLink(t, town, "a", "b", LinkProps{Delay: time.Millisecond})
	lines := tsharkIn(t, town.Namespace("b"), 16, "-f", "arp", "-T", "fields",
		"-e", "arp.opcode", "-e", "arp.src.hw_mac", "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4")
	if answer, _ := udpExchange(t, town, "a", "b", "10.0.0.2:9000"); answer != "answer to a" {
		t.Fatalf("answer %q", answer)
	}
	want := []string{"1\t02:00:00:00:00:01\t10.0.0.1\t10.0.0.2", "2\t02:00:00:00:00:02\t10.0.0.2\t10.0.0.1"}
	var seen []string
	timeout := time.After(10 * time.Second)
	for len(seen) < len(want) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("tshark ended after %q", seen)
			}
			seen = append(seen, l)
		case <-timeout:
			t.Fatalf("tshark saw %q, want %q", seen, want)
		}
	}
	if !slices.Equal(seen, want) {
		t.Errorf("tshark saw %q, want %q", seen, want)
	}
	req, rep := rec.arpOn("a->b"), rec.arpOn("b->a")
	if len(req) != 2 || req[0].Kind != PacketSent || req[1].Kind != PacketDelivered || len(rep) != 2 || rep[0].Kind != PacketSent {
		t.Fatalf("the wire reported ARP a->b %v, b->a %v; want the request sent and delivered, the reply sent", req, rep)
	}
	if len(req[1].Frame) != 60 || len(req[1].Data) != 28 {
		t.Errorf("the request's frame is %d bytes with %d of ARP, want 60 (padded) and 28", len(req[1].Frame), len(req[1].Data))
	}
}

// tsharkIn starts tshark on eth0 inside namespace ns with args, waits until
// it has tapped the device, and returns its output lines (closed when it
// ends; it is killed when the test ends).
func tsharkIn(t *testing.T, ns string, buffer int, args ...string) <-chan string {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, "tshark", "-i", "eth0", "-l", "-n"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// tshark prints "Capturing on" when dumpcap is told to start, and
	// "Capture started" once it has (only then is the device tapped).
	capturing := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Capture started") {
				once.Do(func() { close(capturing) })
			}
		}
	}()
	select {
	case <-capturing:
	case <-time.After(20 * time.Second):
		t.Fatal("tshark did not start capturing")
	}
	lines := make(chan string, buffer)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}
