//go:build !js

package star_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/p2p/star"
	"socketville/shared/sock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// toRouter is a peer road's Signaler that takes its offer straight to a
// router, as the hub does, and hands the road the router's answer.
type toRouter struct {
	rt     *star.Router
	room   signal.RoomID
	from   signal.PeerID
	answer chan signal.Message
}

func (s *toRouter) Send(ctx context.Context, m signal.Message) error {
	o, ok := m.(signal.Offer)
	if !ok {
		return fmt.Errorf("a %s to the router", m.Kind())
	}
	a, err := s.rt.Offer(ctx, s.room, s.from, o.SDP)
	if err != nil {
		return err
	}
	s.answer <- signal.Answer{Peer: s.rt.ID(), SDP: a}
	return nil
}

func (s *toRouter) Recv(ctx context.Context) (signal.Message, error) {
	select {
	case m := <-s.answer:
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var room = signal.RoomID("q2xk0Yk8Q0W9cQ2a1Zr7uA")

// peerRoad is peer id's road to rt, open, closed when the test ends.
func peerRoad(t testing.TB, rt *star.Router, id signal.PeerID) *road.Road {
	t.Helper()
	r, err := road.New(&toRouter{rt: rt, room: room, from: id, answer: make(chan signal.Message, 1)},
		road.Options{Role: road.RoleOfferer, Peer: rt.ID(), Loopback: true, Overhead: star.MaxTag})
	if err != nil {
		t.Fatalf("%s's road: %v", id, err)
	}
	t.Cleanup(func() { _ = r.Close() })
	select {
	case <-r.Opened():
	case <-r.Done():
		t.Fatalf("%s's road closed before it opened: %v", id, r.Err())
	case <-time.After(15 * time.Second):
		t.Fatalf("%s's road not open after 15 s", id)
	}
	return r
}

func newRouter(t testing.TB, o star.Options) *star.Router {
	t.Helper()
	o.Road.Loopback = true
	rt := star.New(o)
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

// waitFor polls cond every 5 ms for at most 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// frames drains r into got: tagged message -> count.
func frames(r *road.Road, got map[string]int) {
	r.Drain(func(b []byte) { got[string(b)]++ })
}

func TestRouterPassesOnTagged(t *testing.T) {
	rt := newRouter(t, star.Options{})
	a, b, c := peerRoad(t, rt, "p1"), peerRoad(t, rt, "p2"), peerRoad(t, rt, "p3")
	if s := rt.Stats(); s.Roads != 3 || s.Rooms != 1 {
		t.Fatalf("the router holds %d roads in %d rooms, want 3 in 1", s.Roads, s.Rooms)
	}
	gotB, gotC := map[string]int{}, map[string]int{}
	// A frame to p2 comes to p2 from p1, body untouched; none to p3.
	waitFor(t, "a frame from p1 to p2", func() bool {
		_ = a.Send(star.Tag("p2", []byte("E\x00 a frame")))
		time.Sleep(20 * time.Millisecond)
		frames(b, gotB)
		frames(c, gotC)
		return gotB["\x02p1E\x00 a frame"] > 0
	})
	if len(gotB) != 1 || len(gotC) != 0 {
		t.Errorf("p2 got %v and p3 %v; want only p1's frame at p2", gotB, gotC)
	}
	// A state message for every peer comes to both others, reliably.
	if err := a.SendState(star.Tag("", []byte("ann's state"))); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*road.Road{b, c} {
		var got []byte
		waitFor(t, "p1's state", func() bool {
			m, ok := r.RecvState()
			got = m
			return ok
		})
		if string(got) != "\x02p1ann's state" {
			t.Errorf("state %q, want p1's", got)
		}
	}
	// What is for no one is dropped, counted.
	before := rt.Stats().Unroutable
	_ = a.Send(star.Tag("p9", []byte("to nobody")))
	_ = a.Send([]byte("\x7fno tag at all"))
	_ = a.Send(star.Tag("p1", []byte("to myself")))
	waitFor(t, "three unroutable frames counted", func() bool { return rt.Stats().Unroutable >= before+3 })

	// Left closes p2's road, and the others go on.
	rt.Left(room, "p2")
	waitFor(t, "p2's road closed", func() bool { return b.State() == road.StateClosed })
	if s := rt.Stats(); s.Roads != 2 {
		t.Errorf("after p2 left the router holds %d roads, want 2", s.Roads)
	}
	waitFor(t, "a frame from p3 to p1 after p2 left", func() bool {
		_ = c.Send(star.Tag("p1", []byte("still here")))
		time.Sleep(20 * time.Millisecond)
		got := map[string]int{}
		frames(a, got)
		return got["\x02p3still here"] > 0
	})
}

func TestRouterRefusesSecondOffer(t *testing.T) {
	rt := newRouter(t, star.Options{MaxRoads: 2})
	peerRoad(t, rt, "p1")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := rt.Offer(ctx, room, "p1", "v=0\r\n"); !errors.Is(err, star.ErrHasRoad) || !errors.Is(err, sock.ErrIsConn) {
		t.Errorf("a second offer from p1: %v, want ErrHasRoad (EISCONN)", err)
	}
	if _, err := rt.Offer(ctx, room, "p2", "not sdp"); err == nil || !strings.Contains(err.Error(), "p2") {
		t.Errorf("an offer that is no SDP: %v, want a refusal naming p2", err)
	}
	if s := rt.Stats(); s.Roads != 1 {
		t.Errorf("after a refused offer the router holds %d roads, want 1", s.Roads)
	}
	peerRoad(t, rt, "p2")
	if _, err := rt.Offer(ctx, room, "p3", "v=0\r\n"); !errors.Is(err, star.ErrFull) {
		t.Errorf("a third road of MaxRoads 2: %v, want ErrFull", err)
	}
}

func TestRouterCongestedDropsWithoutWaiting(t *testing.T) {
	// The router's road to each peer has a short queue: a flood for p2
	// overflows it, and the router drops, counted, instead of waiting.
	rt := newRouter(t, star.Options{Road: road.Options{SendQueue: 8, HighWater: 16 << 10}})
	a, _, c := peerRoad(t, rt, "p1"), peerRoad(t, rt, "p2"), peerRoad(t, rt, "p3")
	body := make([]byte, road.MTU)
	flood := star.Tag("p2", body)
	for range 3000 {
		for a.Congested() {
			time.Sleep(50 * time.Microsecond) // p1's own road must not drop it
		}
		_ = a.Send(flood)
	}
	// While p2's road is flooded, p3 still hears from p1.
	got := map[string]int{}
	waitFor(t, "a frame from p1 to p3 behind the flood", func() bool {
		_ = a.Send(star.Tag("p3", []byte("hello p3")))
		time.Sleep(10 * time.Millisecond)
		frames(c, got)
		return got["\x02p1hello p3"] > 0
	})
	waitFor(t, "congestion drops counted", func() bool { return rt.Stats().Congested > 0 })
	s := rt.Stats()
	t.Logf("router: %d frames passed on, %d dropped congested, %d unroutable", s.Frames, s.Congested, s.Unroutable)
}
