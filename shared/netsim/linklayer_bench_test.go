package netsim_test

import (
	"net/netip"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/wire"
)

// pathTown is a - sw1 - sw2 - r1 - r2 - r3 - b: two switches and three
// routers, every link without delay or rate limit, so that a benchmark
// measures what the layers cost.
func pathTown(b *testing.B) (*netsim.World, *netsim.Process, *netsim.Process) {
	b.Helper()
	w := netsim.New(netsim.Options{Seed: 1})
	host := func(name string, forward bool, addrs ...string) *netsim.Host {
		var ps []netip.Prefix
		for _, a := range addrs {
			ps = append(ps, mustPrefix(a))
		}
		return must(w.AddHost(name, ps, netsim.HostOptions{Forward: forward}))
	}
	ha := host("a", false, "10.0.1.10/24")
	r1 := host("r1", true, "10.0.1.1/24", "10.0.2.1/24")
	r2 := host("r2", true, "10.0.2.2/24", "10.0.3.1/24")
	r3 := host("r3", true, "10.0.3.2/24", "10.0.4.1/24")
	hb := host("b", false, "10.0.4.10/24")
	must(w.AddSwitch("sw1", 0))
	must(w.AddSwitch("sw2", 0))
	for _, l := range [][2]string{{"a", "sw1"}, {"sw1", "sw2"}, {"r1", "sw2"}, {"r1", "r2"}, {"r2", "r3"}, {"r3", "b"}} {
		must(w.AddLink(l[0], l[1], sock.LinkConfig{}))
	}
	for _, r := range []struct {
		h       *netsim.Host
		dst, gw string
	}{
		{ha, "0.0.0.0/0", "10.0.1.1"}, {hb, "0.0.0.0/0", "10.0.4.1"},
		{r1, "10.0.4.0/24", "10.0.2.2"}, {r1, "10.0.3.0/24", "10.0.2.2"},
		{r2, "10.0.4.0/24", "10.0.3.2"}, {r2, "10.0.1.0/24", "10.0.2.1"},
		{r3, "10.0.1.0/24", "10.0.3.1"}, {r3, "10.0.2.0/24", "10.0.3.1"},
	} {
		must(0, r.h.AddRoute(mustPrefix(r.dst), netip.MustParseAddr(r.gw)))
	}
	return w, must(ha.AddProcess("client", false)), must(hb.AddProcess("server", true))
}

// BenchmarkTCPBulkPath moves 1 MiB per op over one direct link and over
// two switches and three routers, in the same run: the ratio of their
// Gbit/s is what framing, ARP, switching and routing cost.
func BenchmarkTCPBulkPath(b *testing.B) {
	for _, c := range []struct {
		name string
		town func(*testing.B) (*netsim.World, *netsim.Process, *netsim.Process)
		addr string
	}{
		{"direct", func(b *testing.B) (*netsim.World, *netsim.Process, *netsim.Process) { return benchTown(b, 1500) }, "10.0.0.2:80"},
		{"switches=2,routers=3", pathTown, "10.0.4.10:80"},
	} {
		b.Run(c.name, func(b *testing.B) {
			w, client, server := c.town(b)
			cfd, sfd := connectedTo(b, w, client, server, c.addr)
			bulk(b, w, client, server, cfd, sfd)
		})
	}
}

// bulk sends 1 MiB per op from cfd to sfd as fast as one core runs the
// world, reports Gbit/s of wall-clock time, and returns the time it took.
func bulk(b *testing.B, w *netsim.World, client, server *netsim.Process, cfd, sfd int) time.Duration {
	chunk := make([]byte, 64<<10)
	buf := make([]byte, 256<<10)
	const perOp = 1 << 20
	b.SetBytes(perOp)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		sent, got := 0, 0
		for got < perOp {
			// Write only when writable, as an event-driven program does: a
			// failing send costs an error message, which would charge the
			// longer path (more steps per byte) for the loop, not the stack.
			for sent < perOp && client.Readiness(cfd)&sock.PollOut != 0 {
				n, err := client.Send(cfd, chunk[:min(len(chunk), perOp-sent)])
				if err != nil {
					break
				}
				sent += n
			}
			if !w.Step() && server.Readiness(sfd)&sock.PollIn == 0 {
				b.Fatal("the transfer stalled")
			}
			for server.Unread(sfd) > 0 {
				k, _ := server.Read(sfd, buf)
				got += k
			}
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)*perOp*8/elapsed.Seconds()/1e9, "Gbit/s")
	return elapsed
}

// BenchmarkSwitchFrames hands a switch minimum-size frames for a host it
// has learned, and reports frames per second through it (learning, the
// table lookup, the cable out and the frame landing at the host's NIC).
func BenchmarkSwitchFrames(b *testing.B) {
	w := netsim.New(netsim.Options{Seed: 1})
	sw := must(w.AddSwitch("sw", 0))
	must(w.AddHost("a", []netip.Prefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{}))
	must(w.AddHost("b", []netip.Prefix{mustPrefix("10.0.0.2/24")}, netsim.HostOptions{}))
	must(w.AddLink("a", "sw", sock.LinkConfig{}))
	must(w.AddLink("b", "sw", sock.LinkConfig{}))
	// b's MAC is the second handed out; a frame from it teaches the switch its port.
	bMAC, src := wire.LocalMAC(2), wire.LocalMAC(77)
	sw.InjectFrame(2, wire.NewFrame(wire.EthernetHeader{Dst: wire.BroadcastMAC, Src: bMAC, Type: 0x88b5}, nil))
	w.RunFor(0)
	frame := wire.NewFrame(wire.EthernetHeader{Dst: bMAC, Src: src, Type: 0x88b5}, nil)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		sw.InjectFrame(1, frame)
		if i%64 == 63 {
			w.RunFor(0)
		}
	}
	w.RunFor(0)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "frames/s")
}
