package netsim_test

import (
	"container/heap"
	"fmt"
	"io"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// The scheduler benchmarks keep n wake-ups pending; each op pops the
// earliest and schedules a new one a pseudo-random distance ahead, the
// hold model of event-queue benchmarking.

var pendingSizes = []int{100, 10_000, 1_000_000}

// lcg is a tiny deterministic sequence of delays for the benchmarks.
type lcg uint64

func (l *lcg) delay() time.Duration {
	*l = *l*6364136223846793005 + 1442695040888963407
	return time.Duration(uint64(*l)>>44) + 1 // up to about a millisecond
}

func BenchmarkScheduler(b *testing.B) {
	for _, n := range pendingSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			var s netsim.Scheduler
			var r lcg
			for i := 0; i < n; i++ {
				s.Schedule(r.delay(), nop{}, uint64(i))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Step()
				s.Schedule(s.Now()+r.delay(), nop{}, uint64(i))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// The baseline is the textbook container/heap queue: pointers to events
// that carry a closure, as most Go simulators start out.
type heapEvent struct {
	at  time.Duration
	seq uint64
	fn  func()
}

type eventHeap []*heapEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].seq < h[j].seq)
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*heapEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

func BenchmarkContainerHeapBaseline(b *testing.B) {
	for _, n := range pendingSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			var h eventHeap
			var r lcg
			var seq uint64
			var now time.Duration
			fired := 0
			fn := func() { fired++ }
			for i := 0; i < n; i++ {
				seq++
				heap.Push(&h, &heapEvent{at: r.delay(), seq: seq, fn: fn})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := heap.Pop(&h).(*heapEvent)
				now = e.at
				e.fn()
				seq++
				heap.Push(&h, &heapEvent{at: now + r.delay(), seq: seq, fn: fn})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkUDPDatagram sends one 64-byte datagram from a socket on one host
// to a socket on another, through UDP, IPv4, the link and back up, and reads
// it: the whole stack, single-threaded. With observer=text every event is
// also printed (to io.Discard), as socketville run does.
func BenchmarkUDPDatagram(b *testing.B) {
	for _, observe := range []bool{false, true} {
		name := "observer=none"
		if observe {
			name = "observer=trace"
		}
		b.Run(name, func(b *testing.B) {
			w := netsim.New(netsim.Options{Seed: 1})
			if observe {
				w.Observe(func(e sock.Event) { fmt.Fprintln(io.Discard, e.Kind, e.Host, e.Len) })
			}
			mk := func(name, addr string) *netsim.Process {
				h, err := w.AddHost(name, []netipPrefix{mustPrefix(addr)}, netsim.HostOptions{})
				if err != nil {
					b.Fatal(err)
				}
				return must(h.AddProcess("p", false))
			}
			client, server := mk("a", "10.0.0.1/24"), mk("b", "10.0.0.2/24")
			must(w.AddLink("a", "b", sock.LinkConfig{Delay: time.Millisecond}))
			sfd := must(server.Socket(sock.SockUDP))
			if err := server.Bind(sfd, ap("0.0.0.0:7007")); err != nil {
				b.Fatal(err)
			}
			cfd := must(client.Socket(sock.SockUDP))
			if err := client.Connect(cfd, ap("10.0.0.2:7007")); err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 64)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := client.Send(cfd, payload); err != nil {
					b.Fatal(err)
				}
				for w.Step() {
				}
				if _, err := server.Recv(sfd, 100); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "datagrams/s")
		})
	}
}
