package turnrelay_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"socketville/native/turnrelay"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
)

// pipe is one end of a signaler pair that hands messages straight to the
// other end, through the wire form, as the hub would pass them on.
type pipe struct {
	out chan<- []byte
	in  <-chan []byte
}

func pipes() (*pipe, *pipe) {
	ab, ba := make(chan []byte, 4), make(chan []byte, 4)
	return &pipe{out: ab, in: ba}, &pipe{out: ba, in: ab}
}

func (p *pipe) Send(ctx context.Context, m signal.Message) error {
	b, err := signal.Encode(m)
	if err != nil {
		return err
	}
	select {
	case p.out <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pipe) Recv(ctx context.Context) (signal.Message, error) {
	select {
	case b := <-p.in:
		return signal.Decode(b)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// roads is two open roads on loopback, through a relay of their own if
// relayed, closed when the benchmark ends.
func roads(b *testing.B, relayed bool) (x, y *road.Road, relay *turnrelay.Server) {
	b.Helper()
	var o road.Options
	o.Loopback = true
	if relayed {
		s, err := turnrelay.Listen(turnrelay.Config{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		relay = s
		o.RelayOnly = true
	}
	px, py := pipes()
	ox, oy := o, o
	ox.Role, ox.Peer = road.RoleOfferer, "p2"
	oy.Role, oy.Peer = road.RoleAnswerer, "p1"
	if relay != nil {
		ox.ICE = []signal.ICEServer{relay.ICEServer("", "c1")}
		oy.ICE = []signal.ICEServer{relay.ICEServer("", "c2")}
	}
	x, err := road.New(px, ox)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = x.Close() })
	y, err = road.New(py, oy)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = y.Close() })
	for _, r := range []*road.Road{x, y} {
		select {
		case <-r.Opened():
		case <-r.Done():
			b.Fatalf("the road closed before opening: %v", r.Err())
		case <-time.After(15 * time.Second):
			b.Fatal("the road did not open in 15s")
		}
	}
	return x, y, relay
}

// BenchmarkRoadFrames sends b.N frames of road.MTU bytes between two
// native roads on loopback, directly and through the relay, as fast as
// the channel takes them, and reports what arrived.
func BenchmarkRoadFrames(b *testing.B) {
	for _, tc := range []struct {
		name    string
		relayed bool
	}{{"direct", false}, {"relayed", true}} {
		b.Run(tc.name, func(b *testing.B) {
			x, y, relay := roads(b, tc.relayed)
			var got atomic.Int64
			var last atomic.Int64 // unix ns of the latest arrival
			stop, drained := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(drained)
				for {
					select {
					case <-stop:
						return
					case <-y.Notify():
						if n := y.Drain(func([]byte) {}); n > 0 {
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
				for x.Congested() {
					time.Sleep(20 * time.Microsecond) // leave the cores to pion
				}
				if err := x.Send(f); err != nil {
					b.Fatal(err)
				}
			}
			for prev := int64(-1); got.Load() != prev; { // until nothing more comes for 100 ms
				prev = got.Load()
				time.Sleep(100 * time.Millisecond)
			}
			b.StopTimer()
			close(stop)
			<-drained
			n := got.Load()
			secs := time.Duration(last.Load() - start.UnixNano()).Seconds()
			if n == 0 || secs <= 0 {
				b.Fatalf("nothing arrived of %d frames", b.N)
			}
			b.ReportMetric(float64(n)/secs, "msgs/s")
			b.ReportMetric(float64(n)*road.MTU*8/secs/1e6, "Mbit/s")
			b.ReportMetric(100*float64(n)/float64(b.N), "%delivered")
			if relay != nil && relay.Stats().ToPeers < uint64(n)*road.MTU {
				b.Fatalf("the relay carried %d bytes of %d frames' %d", relay.Stats().ToPeers, n, n*road.MTU)
			}
		})
	}
}

// BenchmarkRoadRTT is one small frame's round trip between two native
// roads on loopback, directly and through the relay.
func BenchmarkRoadRTT(b *testing.B) {
	for _, tc := range []struct {
		name    string
		relayed bool
	}{{"direct", false}, {"relayed", true}} {
		b.Run(tc.name, func(b *testing.B) {
			x, y, _ := roads(b, tc.relayed)
			stop, echoed := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(echoed)
				for {
					select {
					case <-stop:
						return
					case <-y.Notify():
						y.Drain(func(f []byte) { _ = y.Send(f) })
					}
				}
			}()
			f := make([]byte, 64)
			lost := 0
			b.ResetTimer()
			for range b.N {
				if err := x.Send(f); err != nil {
					b.Fatal(err)
				}
				for x.Drain(func([]byte) {}) == 0 {
					select {
					case <-x.Notify():
					case <-time.After(time.Second):
						lost++
						_ = x.Send(f) // an unreliable channel may lose one
					}
				}
			}
			b.StopTimer()
			close(stop)
			<-echoed
			b.ReportMetric(float64(lost), "lost")
		})
	}
}
