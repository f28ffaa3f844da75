//go:build !js

package road_test

import (
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"socketville/shared/p2p/road"
)

// BenchmarkFrames sends b.N frames of MTU bytes from one road to another
// as fast as the channel takes them (waiting while it is congested rather
// than dropping), and reports what arrived: the raw data-channel rate,
// native to native on loopback.
func BenchmarkFrames(b *testing.B) {
	for _, hw := range []int{0, 1 << 20} {
		name := "highwater=default"
		if hw != 0 {
			name = fmt.Sprintf("highwater=%dKiB", hw>>10)
		}
		b.Run(name, func(b *testing.B) { benchFrames(b, road.Options{HighWater: hw}) })
	}
}

func benchFrames(b *testing.B, o road.Options) {
	a, c := pair(b, o)
	var got atomic.Int64
	var last atomic.Int64 // unix ns of the latest arrival
	stop := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-stop:
				return
			case <-c.Notify():
				if n := c.Drain(func([]byte) {}); n > 0 {
					got.Add(int64(n))
					last.Store(time.Now().UnixNano())
				}
			}
		}
	}()
	f := make([]byte, road.MTU)
	b.SetBytes(road.MTU)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		for a.Congested() {
			time.Sleep(20 * time.Microsecond) // leave the cores to pion
		}
		if err := a.Send(f); err != nil {
			b.Fatal(err)
		}
	}
	// Wait until nothing more arrives for 100 ms.
	for prev := int64(-1); got.Load() != prev; {
		prev = got.Load()
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	close(stop)
	<-drained
	n := got.Load()
	sa := a.Stats()
	b.ReportMetric(float64(sa.Dropped()), "dropped")
	secs := time.Duration(last.Load() - start.UnixNano()).Seconds()
	if n == 0 || secs <= 0 {
		b.Fatalf("nothing arrived of %d frames", b.N)
	}
	b.ReportMetric(float64(n)/secs, "msgs/s")
	b.ReportMetric(float64(n)*road.MTU*8/secs/1e6, "Mbit/s")
	b.ReportMetric(100*float64(n)/float64(b.N), "%delivered")
}

// BenchmarkRTT is one frame's round trip between two roads (echoed by the
// far road's owner, as the town's core would) against a UDP datagram's
// round trip over loopback, in the same run.
func BenchmarkRTT(b *testing.B) {
	b.Run("road", func(b *testing.B) {
		a, c := pair(b, road.Options{})
		stop := make(chan struct{})
		echoed := make(chan struct{})
		go func() {
			defer close(echoed)
			for {
				select {
				case <-stop:
					return
				case <-c.Notify():
					c.Drain(func(f []byte) { _ = c.Send(f) })
				}
			}
		}()
		f := make([]byte, 64)
		lost := 0
		b.ResetTimer()
		for range b.N {
			if err := a.Send(f); err != nil {
				b.Fatal(err)
			}
			for a.Drain(func([]byte) {}) == 0 {
				select {
				case <-a.Notify():
				case <-time.After(time.Second):
					lost++
					_ = a.Send(f) // an unreliable channel may lose one
				}
			}
		}
		b.StopTimer()
		close(stop)
		<-echoed
		b.ReportMetric(float64(lost), "lost")
	})
	b.Run("udp", func(b *testing.B) {
		srv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		go func() {
			buf := make([]byte, 2048)
			for {
				n, from, err := srv.ReadFromUDP(buf)
				if err != nil {
					return
				}
				_, _ = srv.WriteToUDP(buf[:n], from)
			}
		}()
		cl, err := net.DialUDP("udp4", nil, srv.LocalAddr().(*net.UDPAddr))
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		f, buf := make([]byte, 64), make([]byte, 2048)
		b.ResetTimer()
		for range b.N {
			if _, err := cl.Write(f); err != nil {
				b.Fatal(err)
			}
			if _, err := cl.Read(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
