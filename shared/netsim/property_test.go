package netsim_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// propertySeeds is how many seeds TestTCPDeliversEveryByteOnce tries: 1,000
// by default (CI), or SOCKETVILLE_SEEDS (./build.sh property runs 10,000).
func propertySeeds(t *testing.T) int {
	if s := os.Getenv("SOCKETVILLE_SEEDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SOCKETVILLE_SEEDS=%q: want a positive number", s)
		}
		return n
	}
	return 1000
}

// TestTCPDeliversEveryByteOnce is the property test of TCP: for each seed,
// a random link (loss, duplication, reordering and corruption each up to
// 20%, random delay and rate) carries random amounts of data both ways in
// random write and read sizes. Every byte must arrive exactly once and in
// order, both ends must see end of file and close without an error, every
// connection must be gone (no fd, no TIME-WAIT) in the end, and the same
// seed must replay the same trace.
//
// Corruption counts as loss, so a link can lose over a third of the
// segments each way; now and then a connection then does what Linux does
// after 15 unanswered retransmissions, and gives up with ETIMEDOUT. That is
// allowed, as long as what arrived before is exactly a prefix of what was
// sent; the log says how often it happened.
func TestTCPDeliversEveryByteOnce(t *testing.T) {
	n := propertySeeds(t)
	gaveUp := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		first, timedOut := transferProperty(t, seed, false)
		if timedOut {
			gaveUp++
		}
		if seed%100 == 1 {
			if again, _ := transferProperty(t, seed, false); again != first {
				t.Fatalf("seed %d: the same seed gave a different trace", seed)
			}
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d seeds: %d delivered every byte once and in order and closed; %d gave up with ETIMEDOUT after a correct prefix", n, n-gaveUp, gaveUp)
	fmt.Printf("property: %d seeds, %d complete, %d ETIMEDOUT\n", n, n-gaveUp, gaveUp)
}

// endpoint is one side of the property test's connection.
type endpoint struct {
	p       *netsim.Process
	fd      int
	out     []byte // what this side sends
	written int
	in      []byte // what it has read
	eof     bool
	shut    bool
	closed  bool
	rng     *rand.Rand
}

// pumpOnce writes and reads what the socket takes now, in random sizes.
func (e *endpoint) pumpOnce() error {
	for e.written < len(e.out) {
		n := min(1+e.rng.IntN(8192), len(e.out)-e.written)
		k, err := e.p.Send(e.fd, e.out[e.written:e.written+n])
		if errors.Is(err, syscall.EAGAIN) {
			break
		}
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		e.written += k
	}
	if e.written == len(e.out) && !e.shut {
		if err := e.p.Shutdown(e.fd, sock.ShutWr); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		e.shut = true
	}
	for !e.eof {
		b, err := e.p.Recv(e.fd, 1+e.rng.IntN(8192))
		if errors.Is(err, syscall.EAGAIN) {
			break
		}
		if err != nil {
			return fmt.Errorf("recv: %w", err)
		}
		if len(b) == 0 {
			e.eof = true
		}
		e.in = append(e.in, b...)
	}
	if e.eof && e.shut && !e.closed {
		e.closed = true
		return e.p.Close(e.fd)
	}
	return nil
}

// TestTCPDeliversEveryByteOnceAcrossALAN is the same property over a path
// of two switches and a router, the random link between the switches:
// every segment is framed, switched, routed (its TTL and checksum
// rewritten) and framed again.
func TestTCPDeliversEveryByteOnceAcrossALAN(t *testing.T) {
	n := max(propertySeeds(t)/5, 1)
	gaveUp := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		if _, timedOut := transferProperty(t, seed, true); timedOut {
			gaveUp++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d seeds across two switches and a router: %d complete, %d gave up with ETIMEDOUT after a correct prefix", n, n-gaveUp, gaveUp)
}

// propertyTown builds the property test's town: a and b on one random
// link, or (lan) a - sw1 - sw2 - r - b with the random link between the
// switches. It returns the two processes and b's address.
func propertyTown(w *netsim.World, cfg sock.LinkConfig, lan bool) (*netsim.Process, *netsim.Process, string) {
	if !lan {
		a := must(w.AddHost("a", []netipPrefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{}))
		b := must(w.AddHost("b", []netipPrefix{mustPrefix("10.0.0.2/24")}, netsim.HostOptions{}))
		must(w.AddLink("a", "b", cfg))
		return must(a.AddProcess("client", false)), must(b.AddProcess("server", false)), "10.0.0.2"
	}
	a := must(w.AddHost("a", []netipPrefix{mustPrefix("10.0.1.10/24")}, netsim.HostOptions{}))
	must(w.AddHost("r", []netipPrefix{mustPrefix("10.0.1.1/24"), mustPrefix("10.0.2.1/24")}, netsim.HostOptions{Forward: true}))
	b := must(w.AddHost("b", []netipPrefix{mustPrefix("10.0.2.10/24")}, netsim.HostOptions{}))
	must(w.AddSwitch("sw1", 0))
	must(w.AddSwitch("sw2", 0))
	clean := sock.LinkConfig{Delay: time.Millisecond}
	must(w.AddLink("a", "sw1", clean))
	must(w.AddLink("sw1", "sw2", cfg))
	must(w.AddLink("r", "sw2", clean))
	must(w.AddLink("r", "b", clean))
	must(0, a.AddRoute(mustPrefix("0.0.0.0/0"), netipAddr("10.0.1.1")))
	must(0, b.AddRoute(mustPrefix("0.0.0.0/0"), netipAddr("10.0.2.1")))
	return must(a.AddProcess("client", false)), must(b.AddProcess("server", false)), "10.0.2.10"
}

// transferProperty runs one seed and returns a digest of its trace, and
// whether the connection gave up with ETIMEDOUT.
func transferProperty(t *testing.T, seed uint64, lan bool) (string, bool) {
	rng := rand.New(rand.NewPCG(seed, 0x50c4e7))
	pct := func() float64 { return float64(rng.IntN(21)) / 100 }
	cfg := sock.LinkConfig{
		Delay:  time.Duration(1+rng.IntN(20)) * time.Millisecond,
		Faults: sock.Faults{Loss: pct(), Dup: pct(), Reorder: pct(), Corrupt: pct()},
	}
	if rng.IntN(2) == 0 {
		cfg.Rate = int64(10+rng.IntN(90)) * 1e6
	}
	w := netsim.New(netsim.Options{Seed: seed})
	trace := newTraceHash()
	w.Observe(trace.add)
	timedOut := false
	w.Observe(func(e sock.Event) {
		if e.Kind == sock.KindError && errors.Is(e.Err, syscall.ETIMEDOUT) {
			timedOut = true
		}
	})
	pa, pb, bAddr := propertyTown(w, cfg, lan)
	fail := func(format string, args ...any) (string, bool) {
		t.Errorf("seed %d (link %+v): %s", seed, cfg, fmt.Sprintf(format, args...))
		return "", false
	}

	// Under heavy loss three ARP requests can all go unanswered, and a
	// connect then fails with EHOSTUNREACH, as on Linux; the property is
	// about TCP, so the neighbours meet first.
	if err := resolve(w, pa, bAddr); err != nil {
		return fail("%v", err)
	}
	lfd := must(pb.Socket(sock.SockTCP))
	must(0, pb.Bind(lfd, ap("0.0.0.0:8080")))
	must(0, pb.Listen(lfd, 4))
	payload := func() []byte {
		p := make([]byte, rng.IntN(100<<10))
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		return p
	}
	serverAddr := ap(bAddr + ":8080")
	client := &endpoint{p: pa, out: payload(), rng: rand.New(rand.NewPCG(seed, 1))}
	server := &endpoint{p: pb, fd: -1, out: payload(), rng: rand.New(rand.NewPCG(seed, 2))}

	// Connect, as an application would, again after a timeout: with 20%
	// loss each way, seven lost SYNs in a row do happen now and then.
	client.fd = must(pa.Socket(sock.SockTCP))
	for attempt := 0; ; attempt++ {
		pa.Connect(client.fd, serverAddr)
		runUntil(w, func() bool { return pa.Readiness(client.fd)&(sock.PollOut|sock.PollErr) != 0 }, time.Hour)
		err := pa.ConnectResult(client.fd)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.ETIMEDOUT) || attempt == 3 {
			return fail("connect: %v", err)
		}
	}
	var ioErr error
	done := runUntil(w, func() bool {
		if server.fd < 0 {
			if fd, _, err := pb.Accept(lfd); err == nil {
				server.fd = fd
			}
		}
		if ioErr == nil {
			ioErr = client.pumpOnce()
		}
		if ioErr == nil && server.fd >= 0 {
			ioErr = server.pumpOnce()
		}
		return ioErr != nil || (client.closed && server.closed)
	}, 2*time.Hour)
	prefixes := bytes.HasPrefix(client.out, server.in) && bytes.HasPrefix(server.out, client.in)
	switch {
	case timedOut && prefixes && (!done || errors.Is(ioErr, syscall.ETIMEDOUT)):
		return trace.sum(), true
	case ioErr != nil:
		return fail("%v", ioErr)
	case !done:
		return fail("the transfer did not finish in 2 hours of virtual time (client %d/%d, server %d/%d)",
			len(server.in), len(client.out), len(client.in), len(server.out))
	case !bytes.Equal(server.in, client.out):
		return fail("the server read %d bytes that differ from the %d sent", len(server.in), len(client.out))
	case !bytes.Equal(client.in, server.out):
		return fail("the client read %d bytes that differ from the %d sent", len(client.in), len(server.out))
	}
	must(0, pb.Close(lfd))
	w.RunFor(30 * time.Minute) // TIME-WAIT and any last retransmissions
	for _, h := range w.Snapshot().Hosts {
		for _, p := range h.Processes {
			if len(p.Sockets) > 0 {
				return fail("%s/%s still has sockets: %+v", h.Name, p.Name, p.Sockets)
			}
		}
		if len(h.Orphans) > 0 {
			return fail("%s still has connections: %+v", h.Name, h.Orphans)
		}
	}
	return trace.sum(), false
}

// runUntil steps w until cond holds or limit passes; cond is checked after
// every happening, as an event-driven application would.
func runUntil(w *netsim.World, cond func() bool, limit time.Duration) bool {
	end := w.Now() + limit
	for !cond() {
		next, ok := w.NextEvent()
		if !ok || next > end {
			w.RunUntil(end)
			return cond()
		}
		w.Step()
	}
	return true
}

// traceHash digests the events of a run, so that two runs can be compared
// without keeping their traces.
type traceHash struct {
	h   hash.Hash
	buf []byte
}

func newTraceHash() *traceHash { return &traceHash{h: sha256.New()} }

func (th *traceHash) add(e sock.Event) {
	th.buf = binary.AppendVarint(th.buf[:0], int64(e.Time))
	th.buf = append(th.buf, byte(e.Kind))
	th.buf = append(th.buf, e.Host...)
	th.buf = append(th.buf, e.Reason...)
	th.buf = append(th.buf, e.Packet...)
	th.h.Write(th.buf)
}

func (th *traceHash) sum() string { return fmt.Sprintf("%x", th.h.Sum(nil)) }
