package hub_test

import (
	"sync/atomic"
	"testing"
	"time"

	"socketville/native/hub"
	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/p2p/star"
)

// BenchmarkStarFrames sends b.N frames of road.MTU bytes from one peer to
// another as fast as the sender's road takes them (waiting while it is
// congested, not dropping), on a direct road of a mesh room and through
// the router of a star room, in the same run, and reports what arrived:
// frames a second, Mbit/s, the share delivered and the router's drops.
func BenchmarkStarFrames(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		tw := newTown(b, benchHub(hub.Config{}))
		benchPair(b, tw, nil)
	})
	b.Run("star", func(b *testing.B) {
		rt := star.New(star.Options{Road: road.Options{Loopback: true}})
		tw := newTown(b, benchHub(hub.Config{Router: rt}))
		b.Cleanup(func() { _ = rt.Close() })
		benchPair(b, tw, rt)
	})
}

func benchHub(cfg hub.Config) hub.Config {
	cfg.ConnRate, cfg.MsgRate = 1e9, 1e9
	return cfg
}

func benchPair(b *testing.B, tw *town, rt *star.Router) {
	a := tw.openMesh("ann", "", mesh.Options{})
	c := tw.openMesh("bob", a.m.Room(), mesh.Options{})
	peers := []*meshPeer{a, c}
	allSeeOpen(b, peers)
	if rt != nil && !a.m.Peers()[0].Star || rt == nil && a.m.Peers()[0].Star {
		b.Fatalf("ann's road to bob: %+v, want star %v", a.m.Peers()[0], rt != nil)
	}
	to := c.m.You()
	var got atomic.Int64
	var last atomic.Int64 // unix ns of the latest arrival
	stop, drained := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-stop:
				return
			case <-c.m.Notify():
				if n := c.m.Drain(func(signal.PeerID, []byte) {}); n > 0 {
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
		for a.m.Congested(to) {
			time.Sleep(20 * time.Microsecond) // leave the cores to pion
		}
		if err := a.m.Send(to, f); err != nil {
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
	b.ReportMetric(float64(n)/secs, "frames/s")
	b.ReportMetric(float64(n)*road.MTU*8/secs/1e6, "Mbit/s")
	b.ReportMetric(100*float64(n)/float64(b.N), "%delivered")
	if rt != nil {
		s := rt.Stats()
		b.ReportMetric(float64(s.Congested+s.Unroutable), "router-drops")
	}
}

// allSeeOpen waits until each of peers has seen the road to every other
// open.
func allSeeOpen(b testing.TB, peers []*meshPeer) {
	until(b, "every road open", peers, func() bool {
		for _, p := range peers {
			for _, q := range peers {
				if _, ok := p.has(mesh.EventOpen, q.m.You()); p != q && !ok {
					return false
				}
			}
		}
		return true
	})
}
