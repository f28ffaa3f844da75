package hub_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"socketville/native/hub"
	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/p2p/star"
)

// starTown is a hub on loopback whose rooms are stars, with its router.
func starTown(t *testing.T, o star.Options) (*town, *star.Router) {
	t.Helper()
	o.Road.Loopback = true
	rt := star.New(o)
	tw := meshTown(t, hub.Config{Router: rt})
	t.Cleanup(func() { _ = rt.Close() }) // after the meshes, before the hub
	return tw, rt
}

// openStar has n peers join one star room, the first inviting.
func openStar(tw *town, n int, o mesh.Options) []*meshPeer {
	first := tw.openMesh("h1", "", o)
	peers := []*meshPeer{first}
	for i := 2; i <= n; i++ {
		peers = append(peers, tw.openMesh(fmt.Sprintf("h%d", i), first.m.Room(), o))
	}
	return peers
}

// allSee waits until every peer has seen an event of kind about every
// other.
func allSee(t *testing.T, kind mesh.EventKind, peers []*meshPeer) {
	t.Helper()
	until(t, fmt.Sprintf("every peer %s to every other", kind), peers, func() bool {
		for _, p := range peers {
			for _, q := range peers {
				if _, ok := p.has(kind, q.m.You()); p != q && !ok {
					return false
				}
			}
		}
		return true
	})
}

func TestStarThirtyPeers(t *testing.T) {
	start := time.Now()
	tw, rt := starTown(t, star.Options{})
	const n = 30
	peers := openStar(tw, n, mesh.Options{})
	allSee(t, mesh.EventOpen, peers)
	t.Logf("%d peers joined and every road is open after %v", n, time.Since(start).Round(time.Millisecond))

	// One PeerConnection each, to the router, which holds one a peer.
	for _, p := range peers {
		if s := p.m.Stats(); s.Roads != 1 {
			t.Errorf("%s holds %d roads, want 1 (to the router)", p.name, s.Roads)
		}
		infos := p.m.Peers()
		if len(infos) != n-1 {
			t.Errorf("%s knows %d peers, want %d", p.name, len(infos), n-1)
		}
		for _, pi := range infos {
			if !pi.Star || pi.Relayed || pi.State != road.StateOpen {
				t.Errorf("%s sees %s as %s (star %v, relayed %v, err %v), want open via the router", p.name, pi.ID, pi.State, pi.Star, pi.Relayed, pi.Err)
			}
		}
	}
	if s := rt.Stats(); s.Roads != n || s.Rooms != 1 {
		t.Errorf("the router holds %d roads in %d rooms, want %d in 1", s.Roads, s.Rooms, n)
	}

	// A frame from each to each, checked for sender and addressee.
	exchangeFrames(t, peers, 1)
	t.Logf("%d frames every way after %v; router %+v", n*(n-1), time.Since(start).Round(time.Millisecond), rt.Stats())

	// One state message each reaches every other, once sent.
	for _, p := range peers {
		if err := p.m.SendState([]byte("state of " + p.name)); err != nil {
			t.Fatalf("%s sends state: %v", p.name, err)
		}
	}
	until(t, "every state at every other peer", peers, func() bool {
		for _, p := range peers {
			for _, q := range peers {
				if got, ok := p.states["state of "+q.name]; p != q && (!ok || got != q.m.You()) {
					return false
				}
			}
		}
		return true
	})
	if s := rt.Stats(); s.States < n*(n-1) {
		t.Errorf("the router passed on %d state messages, want at least %d", s.States, n*(n-1))
	}

	// The last one leaves: the others see it go, and the router lets
	// go of its road.
	gone := peers[n-1]
	if err := gone.m.Close(); err != nil {
		t.Fatal(err)
	}
	rest := peers[:n-1]
	until(t, "the rest see "+gone.name+" leave", rest, func() bool {
		for _, p := range rest {
			if _, ok := p.has(mesh.EventLeft, gone.m.You()); !ok {
				return false
			}
		}
		return rt.Stats().Roads == n-1
	})
	for _, p := range rest {
		if len(p.m.Peers()) != n-2 {
			t.Errorf("%s still knows %d peers after one left, want %d", p.name, len(p.m.Peers()), n-2)
		}
	}
	t.Logf("the whole test took %v", time.Since(start).Round(time.Millisecond))
}

func TestStarRouterRefusesAndPeerRelays(t *testing.T) {
	// A router that holds two roads: the third peer's offer is refused,
	// its road never opens, and it relays through the hub, as a peer
	// without a data channel does; the others relay to it in turn.
	tw, rt := starTown(t, star.Options{MaxRoads: 2})
	o := mesh.Options{RelayAfter: 2 * time.Second}
	peers := openStar(tw, 2, o)
	allSee(t, mesh.EventOpen, peers) // the two roads are theirs before the third offers
	third := tw.openMesh("h3", peers[0].m.Room(), o)
	peers = append(peers, third)
	until(t, "the third peer relayed both ways", peers, func() bool {
		for _, p := range peers[:2] {
			if _, ok := p.has(mesh.EventRelayed, third.m.You()); !ok {
				return false
			}
			if _, ok := third.has(mesh.EventRelayed, p.m.You()); !ok {
				return false
			}
		}
		_, ok := peers[0].has(mesh.EventOpen, peers[1].m.You())
		return ok
	})
	for _, pi := range third.m.Peers() {
		if !pi.Relayed || !errors.Is(pi.Err, mesh.ErrRouterGone) {
			t.Errorf("the third sees %s relayed %v for %v, want relayed as its road to the router is gone", pi.ID, pi.Relayed, pi.Err)
		}
	}
	if s := third.m.Stats(); s.Roads != 0 || s.Refused == 0 {
		t.Errorf("the third holds %d roads with %d refusals, want none and the router's refusal (last: %v)", s.Roads, s.Refused, s.LastRefusal)
	}
	if s := rt.Stats(); s.Roads != 2 {
		t.Errorf("the router holds %d roads, want 2", s.Roads)
	}
	exchangeFrames(t, peers, 2) // by the router between the two, by the hub to and from the third
}

func TestStarRouterGoneFallsBackToRelay(t *testing.T) {
	tw, rt := starTown(t, star.Options{})
	peers := openStar(tw, 3, mesh.Options{})
	allSee(t, mesh.EventOpen, peers)
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	allSee(t, mesh.EventRelayed, peers)
	exchangeFrames(t, peers, 2)
	for _, p := range peers {
		if s := p.m.Stats(); s.Roads != 0 {
			t.Errorf("%s holds %d roads after the router went, want 0", p.name, s.Roads)
		}
	}
}

// TestStarWelcomeNamesRouter checks the hub's side alone: a welcome names
// the router, and nobody lists it as a peer.
func TestStarWelcomeNamesRouter(t *testing.T) {
	tw, rt := starTown(t, star.Options{})
	a := tw.openMesh("ann", "", mesh.Options{NoWebRTC: true})
	b := tw.dial(nil)
	b.send(signal.Join{Room: a.m.Room(), Name: "bob"})
	w, ok := b.recv().(signal.Welcome)
	if !ok || w.Router != rt.ID() || len(w.Peers) != 1 || w.Peers[0].ID != a.m.You() {
		t.Fatalf("bob's welcome is %+v, want one naming router %s and ann as the only peer", w, rt.ID())
	}
}
