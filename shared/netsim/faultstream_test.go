package netsim_test

import (
	"net/netip"
	"testing"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/wire"
)

// TestFaultStreamMatchesLinks: a FaultStream gives the Nth packet of a link
// direction the fate the simulator's own link gives it, so another medium
// with the same seed loses the same packets.
func TestFaultStreamMatchesLinks(t *testing.T) {
	const seed, n = 7, 200
	faults := sock.Faults{Loss: 0.3, Dup: 0.1}
	w := netsim.New(netsim.Options{Seed: seed})
	for _, h := range []struct{ name, addr string }{{"a", "10.0.0.1/24"}, {"b", "10.0.0.2/24"}, {"c", "10.0.0.3/24"}} {
		if _, err := w.AddHost(h.name, []netip.Prefix{netip.MustParsePrefix(h.addr)}, netsim.HostOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddLink("a", "b", sock.LinkConfig{}); err != nil { // link 0
		t.Fatal(err)
	}
	if _, err := w.AddLink("a", "c", sock.LinkConfig{Faults: faults}); err != nil { // link 1
		t.Fatal(err)
	}
	var sim []string
	w.Observe(func(e sock.Event) {
		if e.Link.String() != "a->c" || (e.Frame != nil && wire.FrameSummary(e.Frame)[:3] == "ARP") {
			return // c's port unreachable going back, and ARP, which draws from a stream of its own
		}
		switch {
		case e.Kind == sock.KindDropped:
			sim[len(sim)-1] = "lost"
		case e.Kind == sock.KindSent && e.Reason == "duplicate":
			sim[len(sim)-1] = "twice"
		case e.Kind == sock.KindSent:
			sim = append(sim, "once")
		}
	})
	p, _ := w.Host("a").AddProcess("app", false)
	fd, _ := p.Socket(sock.SockUDP)
	dst := netip.MustParseAddrPort("10.0.0.3:9")
	for range n {
		if _, err := p.SendTo(fd, make([]byte, 100), dst); err != nil {
			t.Fatal(err)
		}
		w.RunFor(0)
	}
	s := netsim.NewFaultStream(seed, 1, 0)
	for i := range n {
		f := s.Decide(faults, 0, 128)
		want := "once"
		switch {
		case f.Lost:
			want = "lost"
		case f.Copies == 2:
			want = "twice"
		}
		if i < len(sim) && sim[i] != want {
			t.Fatalf("packet %d: the link says %s, the stream %s", i, sim[i], want)
		}
	}
	if len(sim) != n {
		t.Fatalf("%d packets sent, want %d", len(sim), n)
	}
}
