package netsim_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
	"socketville/shared/wire"
)

// town is a small test harness: a world, its hosts by name, and a log of
// every event printed in one line each.
type town struct {
	t      *testing.T
	w      *netsim.World
	events []string
	kinds  []sock.Event
}

func newTown(t *testing.T, seed uint64) *town {
	t.Helper()
	tw := &town{t: t, w: netsim.New(netsim.Options{Seed: seed})}
	tw.w.Observe(func(e sock.Event) {
		tw.events = append(tw.events, fmt.Sprintf("%d %v %s/%s:%d %s %s %v", e.Time, e.Kind, e.Host, e.Proc, e.FD, e.Reason, wire.Summary(e.Packet), e.Err))
		c := e
		c.Packet = append([]byte(nil), e.Packet...)
		c.Frame = append([]byte(nil), e.Frame...)
		tw.kinds = append(tw.kinds, c)
	})
	return tw
}

func (tw *town) host(name, addrs string) *netsim.Host {
	tw.t.Helper()
	var ps []netip.Prefix
	for _, a := range strings.Fields(addrs) {
		ps = append(ps, netip.MustParsePrefix(a))
	}
	h, err := tw.w.AddHost(name, ps, netsim.HostOptions{})
	if err != nil {
		tw.t.Fatal(err)
	}
	return h
}

func (tw *town) link(a, b string, cfg sock.LinkConfig) *netsim.Link {
	tw.t.Helper()
	l, err := tw.w.AddLink(a, b, cfg)
	if err != nil {
		tw.t.Fatal(err)
	}
	return l
}

func (tw *town) proc(h *netsim.Host, name string, root bool) *netsim.Process {
	tw.t.Helper()
	p, err := h.AddProcess(name, root)
	if err != nil {
		tw.t.Fatal(err)
	}
	return p
}

// pair builds hosts a (10.0.0.1) and b (10.0.0.2) joined by a link, with
// a process on each.
func pair(t *testing.T, cfg sock.LinkConfig) (*town, *netsim.Process, *netsim.Process) {
	tw := newTown(t, 1)
	a := tw.host("a", "10.0.0.1/24")
	b := tw.host("b", "10.0.0.2/24")
	tw.link("a", "b", cfg)
	return tw, tw.proc(a, "client", false), tw.proc(b, "server", false)
}

func (tw *town) count(kind sock.Kind, reasonHas string) int {
	n := 0
	for _, e := range tw.kinds {
		if e.Kind == kind && strings.Contains(e.Reason, reasonHas) {
			n++
		}
	}
	return n
}

// must returns v, or panics on err: test-only shorthand for calls that
// cannot fail in a correct stack. The panic fails the test with a stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// udpServer opens a UDP socket bound to addr.
func udpServer(t *testing.T, p *netsim.Process, addr string) int {
	t.Helper()
	fd := must(p.Socket(sock.SockUDP))
	if err := p.Bind(fd, ap(addr)); err != nil {
		t.Fatal(err)
	}
	return fd
}

func runFor(w *netsim.World, d time.Duration) { w.RunFor(d) }

type netipPrefix = netip.Prefix

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// neighbours has p ping dst until an answer comes back, so both ends know
// each other's MAC address (ARP) before a test measures the link; the
// event log is cleared after. (A ping socket takes no UDP or TCP port, so
// the test's own sockets get the ports they would have.)
func (tw *town) neighbours(p *netsim.Process, dst string) {
	tw.t.Helper()
	if err := resolve(tw.w, p, dst); err != nil {
		tw.t.Fatal(err)
	}
	tw.events, tw.kinds = nil, nil
}

// resolve pings dst from p until an answer comes back (30 tries), so the
// hosts on the way know each other's MAC addresses.
func resolve(w *netsim.World, p *netsim.Process, dst string) error {
	fd, err := p.Socket(sock.SockICMP)
	if err != nil {
		return err
	}
	defer p.Close(fd)
	for range 30 {
		if _, err := p.SendTo(fd, []byte("neighbour?"), ap(dst+":0")); err != nil {
			return err
		}
		for range 100 {
			w.RunFor(50 * time.Millisecond)
			// A pending error (an earlier ping's host unreachable) comes
			// first; the answer, if any, after it.
			for p.Readiness(fd)&(sock.PollIn|sock.PollErr) != 0 {
				if _, err := p.RecvFrom(fd, 100); err == nil {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("no answer from %s to 30 pings", dst)
}

// isARP reports whether an event's frame carries ARP.
func isARP(e sock.Event) bool {
	eth, err := wire.ParseEthernet(e.Frame)
	return err == nil && eth.Type() == wire.EtherTypeARP
}
