//go:build linux

package ossock_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"socketville/native/ossock"
	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// BenchmarkCalls measures what a socket call costs on each kernel: one op
// is a whole connection's calls (socket, setsockopt, bind, listen, socket,
// connect, accept, and three closes, the server's end first) between two hosts joined by a link without
// properties. On the simulator, virtual time moves only as far as the
// calls need; on Linux the kernel does the handshake itself.
func BenchmarkCalls(b *testing.B) {
	b.Run("simulator", func(b *testing.B) {
		w := netsim.New(netsim.Options{})
		benchCalls(b, w.Kernel(), func(ready func() bool) {
			for !ready() && w.Step() {
			}
		})
	})
	for _, mode := range []ossock.Mode{ossock.Namespaces, ossock.Loopback} {
		b.Run("linux-"+mode.String(), func(b *testing.B) {
			if mode == ossock.Namespaces {
				needRoot(b)
			}
			k, err := ossock.New(ossock.Options{Mode: mode})
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			benchCalls(b, k, func(ready func() bool) {
				// Spin, but let the wires' goroutines run: the kernel does
				// the handshake on its own.
				deadline := time.Now().Add(5 * time.Second)
				for !ready() && time.Now().Before(deadline) {
					runtime.Gosched()
				}
			})
		})
	}
}

func benchCalls(b *testing.B, k sock.Kernel, wait func(ready func() bool)) {
	must := func(err error) {
		if err != nil {
			b.Helper()
			b.Fatal(err)
		}
	}
	must(k.AddHost("a", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, sock.HostOptions{}))
	must(k.AddHost("b", []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}, sock.HostOptions{}))
	must(k.AddLink("a", "b", sock.LinkConfig{}))
	client, err := k.AddProcess("a", "client", false)
	must(err)
	server, err := k.AddProcess("b", "server", false)
	must(err)
	dst := netip.MustParseAddrPort("10.0.0.2:8080")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lfd, err := server.Socket(sock.SockTCP)
		must(err)
		must(server.SetSockopt(lfd, sock.OptReuseAddr, 1))
		must(server.Bind(lfd, netip.AddrPortFrom(netip.IPv4Unspecified(), dst.Port())))
		must(server.Listen(lfd, 16))
		cfd, err := client.Socket(sock.SockTCP)
		must(err)
		if err := client.Connect(cfd, dst); sock.ErrnoOf(err) != sock.ErrInProgress && err != nil {
			b.Fatal(err)
		}
		wait(func() bool { return server.Readiness(lfd)&sock.PollIn != 0 })
		afd, _, err := server.Accept(lfd)
		must(err)
		wait(func() bool { return client.Readiness(cfd)&sock.PollOut != 0 })
		must(client.ConnectResult(cfd))
		// The server closes first, so that TIME-WAIT holds the server's
		// end and the client's ports come free again at once.
		must(server.Close(afd))
		wait(func() bool { return client.Readiness(cfd)&sock.PollIn != 0 })
		must(client.Close(cfd))
		must(server.Close(lfd))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conns/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10, "ns/call")
}

// BenchmarkBuildTown is the time to build a 10-host, 12-link town of
// namespaces and wires (a ring and two chords, each link delay=1ms
// loss=1%) and to take it down again, through the OS kernel.
func BenchmarkBuildTown(b *testing.B) {
	needRoot(b)
	for i := 0; i < b.N; i++ {
		k, err := ossock.New(ossock.Options{Mode: ossock.Namespaces})
		if err != nil {
			b.Fatal(err)
		}
		for h := 1; h <= 10; h++ {
			addr := netip.MustParsePrefix(fmt.Sprintf("10.0.0.%d/24", h))
			if err := k.AddHost(fmt.Sprintf("h%d", h), []netip.Prefix{addr}, sock.HostOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		cfg := sock.LinkConfig{Delay: time.Millisecond, Faults: sock.Faults{Loss: 0.01}}
		for h := 1; h <= 10; h++ {
			if err := k.AddLink(fmt.Sprintf("h%d", h), fmt.Sprintf("h%d", h%10+1), cfg); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range [][2]int{{1, 6}, {3, 8}} {
			if err := k.AddLink(fmt.Sprintf("h%d", c[0]), fmt.Sprintf("h%d", c[1]), cfg); err != nil {
				b.Fatal(err)
			}
		}
		if err := k.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/town")
}
