package hub_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// meshPeer is one mesh of a test with the events it has seen so far.
type meshPeer struct {
	t      testing.TB
	name   string
	m      *mesh.Mesh
	seen   []mesh.Event
	frames map[string]signal.PeerID // frame text -> who sent it
	states map[string]signal.PeerID
}

// openMesh joins (room zero: invites) the town's hub as name, and closes
// the mesh when the test ends.
func (tw *town) openMesh(name string, room signal.RoomID, o mesh.Options) *meshPeer {
	tw.t.Helper()
	o.URL, o.Name, o.Room = tw.url, name, room
	o.Road.Loopback = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := mesh.Join(ctx, o)
	if err != nil {
		tw.t.Fatalf("%s joins: %v", name, err)
	}
	p := &meshPeer{t: tw.t, name: name, m: m, frames: map[string]signal.PeerID{}, states: map[string]signal.PeerID{}}
	tw.t.Cleanup(func() { _ = m.Close() })
	return p
}

// poll takes what has arrived: events, frames and state messages.
func (p *meshPeer) poll() {
	p.seen = append(p.seen, p.m.Events()...)
	p.m.Drain(func(from signal.PeerID, b []byte) { p.frames[string(b)] = from })
	p.m.DrainState(func(from signal.PeerID, b []byte) { p.states[string(b)] = from })
}

// has says whether p has seen an event of kind about peer.
func (p *meshPeer) has(kind mesh.EventKind, peer signal.PeerID) (mesh.Event, bool) {
	for _, e := range p.seen {
		if e.Kind == kind && e.Peer == peer {
			return e, true
		}
	}
	return mesh.Event{}, false
}

// until polls every peer until cond holds, for at most 15 s, waking on
// their Notify tokens (and every 20 ms, for resends).
func until(t testing.TB, what string, peers []*meshPeer, cond func() bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range peers {
			p.poll()
		}
		if cond() {
			return
		}
		select {
		case <-deadline:
			for _, p := range peers {
				t.Logf("%s (%s): events %v, peers %+v", p.name, p.m.You(), p.seen, p.m.Peers())
			}
			t.Fatalf("waited 15s for %s", what)
		case <-peers[0].m.Notify():
		case <-tick.C:
		}
	}
}

// frameText is the frame from one peer to another, so that each arrival
// is checked for sender, addressee and content.
func frameText(from, to signal.PeerID, i int) string {
	return fmt.Sprintf("frame %d from %s to %s", i, from, to)
}

// exchangeFrames has every peer send n frames to every other and waits
// until each has arrived, from the right peer, resending what is missing:
// the frames channel is unreliable by design.
func exchangeFrames(t testing.TB, peers []*meshPeer, n int) {
	t.Helper()
	missing := func() []string {
		var out []string
		for _, from := range peers {
			for _, to := range peers {
				if from == to {
					continue
				}
				for i := range n {
					s := frameText(from.m.You(), to.m.You(), i)
					if got, ok := to.frames[s]; !ok || got != from.m.You() {
						out = append(out, s)
					}
				}
			}
		}
		return out
	}
	send := func() {
		for _, from := range peers {
			for _, to := range peers {
				for i := range n {
					s := frameText(from.m.You(), to.m.You(), i)
					if from == to {
						continue
					}
					if _, ok := to.frames[s]; ok {
						continue
					}
					if err := from.m.Send(to.m.You(), []byte(s)); err != nil {
						t.Fatalf("%s sends %q: %v", from.name, s, err)
					}
				}
			}
		}
	}
	send()
	last := time.Now()
	until(t, "every frame every way", peers, func() bool {
		if time.Since(last) > 200*time.Millisecond {
			send()
			last = time.Now()
		}
		return len(missing()) == 0
	})
}

func meshTown(t *testing.T, cfg hub.Config) *town {
	cfg.ConnRate, cfg.MsgRate = rate.Inf, rate.Inf
	return newTown(t, cfg)
}

func TestMeshThreePeersOpenAndTalk(t *testing.T) {
	tw := meshTown(t, hub.Config{})
	ann := tw.openMesh("ann", "", mesh.Options{})
	bob := tw.openMesh("bob", ann.m.Room(), mesh.Options{})
	cat := tw.openMesh("cat", ann.m.Room(), mesh.Options{})
	peers := []*meshPeer{ann, bob, cat}
	until(t, "every road open", peers, func() bool {
		for _, p := range peers {
			for _, q := range peers {
				if _, ok := p.has(mesh.EventOpen, q.m.You()); p != q && !ok {
					return false
				}
			}
		}
		return true
	})
	for _, p := range peers {
		infos := p.m.Peers()
		if len(infos) != 2 {
			t.Fatalf("%s knows %d peers, want 2: %+v", p.name, len(infos), infos)
		}
		for _, pi := range infos {
			if pi.State != road.StateOpen || pi.Relayed || pi.Err != nil {
				t.Errorf("%s sees %s as %s (relayed %v, err %v), want open on its road", p.name, pi.ID, pi.State, pi.Relayed, pi.Err)
			}
		}
		if _, ok := p.has(mesh.EventJoined, p.m.You()); ok {
			t.Errorf("%s was told it joined itself", p.name)
		}
	}
	if got := ann.m.Peers(); got[0].Name != "bob" || got[1].Name != "cat" {
		t.Errorf("ann's peers are %s, %s; want bob, cat in the order they came", got[0].Name, got[1].Name)
	}

	exchangeFrames(t, peers, 5)
	for _, p := range peers {
		for _, pi := range p.m.Peers() {
			if pi.Relayed || pi.Stats.RecvMsgs < 5 || pi.Stats.SentMsgs < 5 {
				t.Errorf("%s's road to %s carried %d frames in and %d out (relayed %v), want at least 5 each way", p.name, pi.ID, pi.Stats.RecvMsgs, pi.Stats.SentMsgs, pi.Relayed)
			}
		}
	}

	for _, p := range []*meshPeer{ann, bob} {
		if err := p.m.SendState([]byte("state of " + p.name)); err != nil {
			t.Fatalf("%s sends state: %v", p.name, err)
		}
	}
	until(t, "state both ways", peers, func() bool {
		return bob.states["state of ann"] == ann.m.You() && cat.states["state of ann"] == ann.m.You() &&
			ann.states["state of bob"] == bob.m.You() && cat.states["state of bob"] == bob.m.You()
	})

	if err := ann.m.Send(ann.m.You(), []byte("x")); !errors.Is(err, sock.ErrHostUnreach) {
		t.Errorf("a frame to myself: %v, want EHOSTUNREACH", err)
	}
	if err := ann.m.Send(bob.m.You(), make([]byte, road.MTU+1)); !errors.Is(err, sock.ErrMsgSize) {
		t.Errorf("a frame over the MTU: %v, want EMSGSIZE", err)
	}

	if err := cat.m.Close(); err != nil {
		t.Fatalf("cat closes: %v", err)
	}
	catID := cat.m.You()
	rest := []*meshPeer{ann, bob}
	until(t, "cat's leaving told", rest, func() bool {
		_, a := ann.has(mesh.EventLeft, catID)
		_, b := bob.has(mesh.EventLeft, catID)
		return a && b
	})
	for _, p := range rest {
		e, _ := p.has(mesh.EventLeft, catID)
		if e.Err == nil {
			t.Errorf("%s's left event for cat has no error", p.name)
		}
		if infos := p.m.Peers(); len(infos) != 1 || infos[0].ID == catID {
			t.Errorf("%s still knows %+v after cat left", p.name, infos)
		}
		if err := p.m.Send(catID, []byte("x")); !errors.Is(err, mesh.ErrNoPeer) {
			t.Errorf("%s sends to cat who left: %v, want ErrNoPeer", p.name, err)
		}
	}
	exchangeFrames(t, rest, 2) // the others are unaffected
}

func TestMeshRelays(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ann, bob mesh.Options
		why      error // why bob relays to ann (nil: either end may give up first)
	}{
		// A page whose browser has no WebRTC: its peers switch when its
		// first relay (the hello) comes.
		{name: "a newcomer without WebRTC", bob: mesh.Options{NoWebRTC: true}, why: mesh.ErrNoWebRTC},
		{name: "an old-timer without WebRTC", ann: mesh.Options{NoWebRTC: true}, why: mesh.ErrPeerRelays},
		// Roads that cannot open in time: each end gives up by itself.
		{name: "roads too slow to open", ann: mesh.Options{RelayAfter: time.Millisecond}, bob: mesh.Options{RelayAfter: time.Millisecond}},
		// One end gives up; its hello switches the other.
		{name: "one end gives up", ann: mesh.Options{RelayAfter: time.Millisecond}, bob: mesh.Options{}, why: mesh.ErrPeerRelays},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tw := meshTown(t, hub.Config{})
			ann := tw.openMesh("ann", "", tc.ann)
			bob := tw.openMesh("bob", ann.m.Room(), tc.bob)
			peers := []*meshPeer{ann, bob}
			until(t, "both relayed", peers, func() bool {
				_, a := ann.has(mesh.EventRelayed, bob.m.You())
				_, b := bob.has(mesh.EventRelayed, ann.m.You())
				return a && b
			})
			if why := bob.m.Peers()[0].Err; tc.why != nil && !errors.Is(why, tc.why) {
				t.Errorf("bob relays to ann for %v, want %v", why, tc.why)
			}
			exchangeFrames(t, peers, 5)
			for _, p := range peers {
				pi := p.m.Peers()[0]
				if !pi.Relayed || pi.State != road.StateOpen || pi.Stats.RecvMsgs < 5 || pi.Stats.SentMsgs < 5 {
					t.Errorf("%s sees %+v, want relayed and open with 5 frames each way", p.name, pi)
				}
				if pi.Err == nil {
					t.Errorf("%s's relayed peer says no reason why", p.name)
				}
				if _, ok := p.has(mesh.EventOpen, pi.ID); ok {
					t.Errorf("%s was told the road opened, with the peer relayed", p.name)
				}
			}
			if err := ann.m.SendState([]byte("state of ann")); err != nil {
				t.Fatal(err)
			}
			if err := bob.m.SendState([]byte("state of bob")); err != nil {
				t.Fatal(err)
			}
			until(t, "relayed state both ways", peers, func() bool {
				return bob.states["state of ann"] == ann.m.You() && ann.states["state of bob"] == bob.m.You()
			})
		})
	}
}

func TestMeshRefusals(t *testing.T) {
	tw := meshTown(t, hub.Config{MaxPeers: 1})
	ann := tw.openMesh("ann", "", mesh.Options{})
	other, err := signal.NewRoomID(strings.NewReader(strings.Repeat("x", 16)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		room  signal.RoomID
		errno *sock.Errno
		says  string
	}{
		{name: "room full", room: ann.m.Room(), errno: sock.ErrAgain, says: "is full"},
		{name: "unknown room", room: other, errno: sock.ErrConnRefused, says: "no room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			m, err := mesh.Join(ctx, mesh.Options{URL: tw.url, Name: "bob", Room: tc.room})
			if err == nil {
				_ = m.Close()
				t.Fatal("joined, want a refusal")
			}
			if !errors.Is(err, tc.errno) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("refused with %q, want %s saying %q", err, tc.errno.Name(), tc.says)
			}
		})
	}
}

func TestMeshOutlivesTheHub(t *testing.T) {
	tw := meshTown(t, hub.Config{})
	ann := tw.openMesh("ann", "", mesh.Options{})
	bob := tw.openMesh("bob", ann.m.Room(), mesh.Options{})
	peers := []*meshPeer{ann, bob}
	until(t, "the road open", peers, func() bool {
		_, a := ann.has(mesh.EventOpen, bob.m.You())
		_, b := bob.has(mesh.EventOpen, ann.m.You())
		return a && b
	})
	if err := tw.hub.Close(); err != nil {
		t.Fatal(err)
	}
	until(t, "the hub's going told", peers, func() bool {
		_, a := ann.has(mesh.EventHubGone, "")
		_, b := bob.has(mesh.EventHubGone, "")
		return a && b
	})
	exchangeFrames(t, peers, 3) // peer to peer, without the hub
	for _, p := range peers {
		n := 0
		for _, e := range p.seen {
			if e.Kind == mesh.EventHubGone {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s was told %d times that the hub went, want once", p.name, n)
		}
	}
}

// TestMeshRelayStaysUnderTheHubsRate blasts relayed frames at a hub with
// its default message limits: the mesh's pace drops what is over it, so
// the hub never cuts the connection and the relay still works after.
func TestMeshRelayStaysUnderTheHubsRate(t *testing.T) {
	tw := newTown(t, hub.Config{ConnRate: rate.Inf})
	ann := tw.openMesh("ann", "", mesh.Options{})
	bob := tw.openMesh("bob", ann.m.Room(), mesh.Options{NoWebRTC: true})
	peers := []*meshPeer{ann, bob}
	until(t, "both relayed", peers, func() bool {
		_, a := ann.has(mesh.EventRelayed, bob.m.You())
		_, b := bob.has(mesh.EventRelayed, ann.m.You())
		return a && b
	})
	frame := make([]byte, road.MTU)
	for range 2000 {
		if err := bob.m.Send(ann.m.You(), frame); err != nil {
			t.Fatal(err)
		}
	}
	if s := bob.m.Peers()[0].Stats; s.Drops[road.DropBuffered] == 0 {
		t.Errorf("2,000 frames at once went unpaced: %+v", s)
	}
	exchangeFrames(t, peers, 3)
	for _, p := range peers {
		if _, gone := p.has(mesh.EventHubGone, ""); gone {
			t.Errorf("the hub cut %s off", p.name)
		}
	}
	if n := tw.hub.Stats().Refusals[hub.ReasonMsgRate]; n != 0 {
		t.Errorf("the hub refused %d messages over its rate", n)
	}
}
