package netsim_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// benchTown is two hosts joined by a link with no delay and no rate limit,
// so that the benchmarks measure the stack, not the simulated wire.
func benchTown(b *testing.B, mtu int) (*netsim.World, *netsim.Process, *netsim.Process) {
	b.Helper()
	w := netsim.New(netsim.Options{Seed: 1})
	ha := must(w.AddHost("a", []netip.Prefix{mustPrefix("10.0.0.1/24")}, netsim.HostOptions{}))
	hb := must(w.AddHost("b", []netip.Prefix{mustPrefix("10.0.0.2/24")}, netsim.HostOptions{}))
	must(w.AddLink("a", "b", sock.LinkConfig{MTU: mtu}))
	return w, must(ha.AddProcess("client", false)), must(hb.AddProcess("server", true))
}

// connected opens a connection from client to server:80 and returns both fds.
func connected(b *testing.B, w *netsim.World, client, server *netsim.Process) (int, int) {
	b.Helper()
	return connectedTo(b, w, client, server, "10.0.0.2:80")
}

// connectedTo opens a connection from client to server at addr (port 80).
func connectedTo(b *testing.B, w *netsim.World, client, server *netsim.Process, addr string) (int, int) {
	b.Helper()
	lfd := must(server.Socket(sock.SockTCP))
	must(0, server.Bind(lfd, ap("0.0.0.0:80")))
	must(0, server.Listen(lfd, 16))
	cfd := must(client.Socket(sock.SockTCP))
	client.Connect(cfd, ap(addr))
	runUntil(w, func() bool { return server.Readiness(lfd)&sock.PollIn != 0 }, time.Minute)
	sfd, _, err := server.Accept(lfd)
	if err != nil {
		b.Fatal(err)
	}
	return cfd, sfd
}

// BenchmarkTCPBulk moves 1 MiB per op from one host to the other through the
// whole stack (send buffer, segments, IPv4, link, reassembly, receive
// buffer), as fast as one core runs the world. It reports throughput in
// Gbit/s of wall-clock time, events per second through the stack, and heap
// allocations per segment.
func BenchmarkTCPBulk(b *testing.B) {
	for _, mtu := range []int{1500, 9000} {
		b.Run(fmt.Sprintf("mtu=%d", mtu), func(b *testing.B) {
			w, client, server := benchTown(b, mtu)
			cfd, sfd := connected(b, w, client, server)
			var segments, events int
			w.Observe(func(e sock.Event) {
				events++
				if e.Kind == sock.KindSent {
					segments++
				}
			})
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			elapsed := bulk(b, w, client, server, cfd, sfd)
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
			if segments > 0 {
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(segments), "allocs/segment")
			}
		})
	}
}

// BenchmarkTCPConnections opens a connection, accepts it, closes both ends
// and lets TIME-WAIT pass, per op: the whole life of a connection.
func BenchmarkTCPConnections(b *testing.B) {
	w, client, server := benchTown(b, 1500)
	lfd := must(server.Socket(sock.SockTCP))
	must(0, server.Bind(lfd, ap("0.0.0.0:80")))
	must(0, server.Listen(lfd, 128))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		cfd := must(client.Socket(sock.SockTCP))
		client.Connect(cfd, ap("10.0.0.2:80"))
		runUntil(w, func() bool { return server.Readiness(lfd)&sock.PollIn != 0 }, time.Minute)
		sfd, _, err := server.Accept(lfd)
		if err != nil {
			b.Fatal(err)
		}
		must(0, client.Close(cfd))
		must(0, server.Close(sfd))
		w.RunFor(61 * time.Second)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "conns/s")
}
