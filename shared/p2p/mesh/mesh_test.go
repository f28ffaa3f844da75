//go:build !js

package mesh_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeHub is a WebSocket server that plays the hub's part from a script:
// it hands the test the one connection it accepts.
type fakeHub struct {
	t    testing.TB
	url  string
	conn chan *websocket.Conn
}

func newFakeHub(t testing.TB) *fakeHub {
	f := &fakeHub{t: t, conn: make(chan *websocket.Conn, 1)}
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		f.conn <- ws
		<-done // the handler's return would close the connection
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	f.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return f
}

// fakeConn is the fake hub's end of one mesh's connection.
type fakeConn struct {
	t  testing.TB
	ws *websocket.Conn
}

func (c *fakeConn) send(m signal.Message) {
	c.t.Helper()
	b, err := signal.Encode(m)
	if err != nil {
		c.t.Fatalf("encode %s: %v", m.Kind(), err)
	}
	c.sendRaw(b)
}

func (c *fakeConn) sendRaw(b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("the fake hub writes: %v", err)
	}
}

func (c *fakeConn) recv() signal.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("the fake hub reads: %v", err)
	}
	m, err := signal.Decode(b)
	if err != nil {
		c.t.Fatalf("the mesh sent %s: %v", b, err)
	}
	return m
}

// join starts a mesh (without WebRTC) against the fake hub, which welcomes
// it into a room where ann (p1) already is.
func join(t *testing.T, o mesh.Options) (*mesh.Mesh, *fakeConn) {
	t.Helper()
	f := newFakeHub(t)
	o.URL, o.Name, o.NoWebRTC = f.url, "bob", true
	room, err := signal.NewRoomID(strings.NewReader(strings.Repeat("r", 16)))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		m   *mesh.Mesh
		err error
	}
	res := make(chan result, 1)
	go func() {
		m, err := mesh.Join(context.Background(), o)
		res <- result{m, err}
	}()
	c := &fakeConn{t: t, ws: <-f.conn}
	if got, ok := c.recv().(signal.Invite); !ok || got.Name != "bob" {
		t.Fatalf("the mesh said %+v, want an invite from bob", got)
	}
	c.send(signal.Welcome{Room: room, You: "p2", Peers: []signal.Peer{{ID: "p1", Name: "ann"}}})
	r := <-res
	if r.err != nil {
		t.Fatalf("join: %v", r.err)
	}
	t.Cleanup(func() {
		// The fake reads while the mesh leaves, as a hub does, so that
		// the close handshake is answered.
		read := make(chan struct{})
		go func() {
			defer close(read)
			for {
				if _, _, err := c.ws.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		_ = r.m.Close()
		_ = c.ws.CloseNow()
		<-read
	})
	if r.m.Room() != room || r.m.You() != "p2" {
		t.Fatalf("in room %s as %s, want %s as p2", r.m.Room(), r.m.You(), room)
	}
	// Without WebRTC, the mesh tells ann to relay at once.
	if got, ok := c.recv().(signal.Relay); !ok || got.Peer != "p1" || string(got.Data) != "\x01" {
		t.Fatalf("the mesh said %+v, want a relay hello to p1", got)
	}
	return r.m, c
}

// eventually waits, at most 5 s, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBadMessagesAreCounted(t *testing.T) {
	m, c := join(t, mesh.Options{})
	room := m.Room()
	for _, raw := range []string{
		"not json", `{"v":2,"type":"relay"}`, `{"v":1,"type":"frobnicate"}`,
		`{"v":1,"type":"offer","peer":"p1"}`, `{"v":1,"type":"relay","peer":"p1","data":""}`,
	} {
		c.sendRaw([]byte(raw))
	}
	eventually(t, "5 malformed messages counted", func() bool { return m.Stats().Malformed == 5 })

	for _, msg := range []signal.Message{
		signal.Welcome{Room: room, You: "p2"},          // a second welcome
		signal.PeerJoined{Peer: signal.Peer{ID: "p1"}}, // ann again
		signal.PeerJoined{Peer: signal.Peer{ID: "p2"}}, // myself
		signal.PeerLeft{Peer: "p9"},                    // never here
		signal.Offer{Peer: "p9", SDP: "v=0"},           // from no one
		signal.Answer{Peer: "p1", SDP: "v=0"},          // to a peer without a road
		signal.Relay{Peer: "p9", Data: []byte{2, 'x'}}, // from no one
		signal.Invite{Name: "eve"},                     // the hub's never to send
	} {
		c.send(msg)
	}
	eventually(t, "8 unexpected messages counted", func() bool { return m.Stats().Unexpected == 8 })

	c.send(signal.Error{Errno: sock.ErrHostUnreach, Text: "a relay to p9, who is not in the room"})
	eventually(t, "the refusal counted", func() bool { return m.Stats().Refused == 1 })
	if err := m.Stats().LastRefusal; !errors.Is(err, sock.ErrHostUnreach) || !strings.Contains(err.Error(), "not in the room") {
		t.Errorf("the last refusal is %v, want EHOSTUNREACH in the hub's words", err)
	}

	// Bad relays from a real peer: a kind of no meaning, a frame over the
	// MTU.
	c.send(signal.Relay{Peer: "p1", Data: []byte{9, 'x'}})
	c.send(signal.Relay{Peer: "p1", Data: append([]byte{2}, make([]byte, road.MTU+1)...)})
	eventually(t, "2 bad relays dropped", func() bool { return m.Peers()[0].Stats.Drops[road.DropBadState] == 2 })

	infos := m.Peers()
	if len(infos) != 1 || infos[0].ID != "p1" || infos[0].Name != "ann" || !infos[0].Relayed || !errors.Is(infos[0].Err, mesh.ErrNoWebRTC) {
		t.Errorf("peers are %+v, want ann alone, relayed for want of WebRTC", infos)
	}
	if n := m.Drain(func(signal.PeerID, []byte) {}); n != 0 {
		t.Errorf("drained %d frames from bad messages, want none", n)
	}
}

func TestRelayedFramesBothWays(t *testing.T) {
	m, c := join(t, mesh.Options{RelayQueue: 4})
	if err := m.Send("p1", []byte("hello ann")); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.recv().(signal.Relay); !ok || got.Peer != "p1" || string(got.Data) != "\x02hello ann" {
		t.Fatalf("the mesh said %+v, want a relayed frame to p1", got)
	}
	if err := m.SendState([]byte("snapshot")); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.recv().(signal.Relay); !ok || string(got.Data) != "\x03snapshot" {
		t.Fatalf("the mesh said %+v, want a relayed state message", got)
	}
	// Ten frames into a queue of four: the oldest six go, counted.
	for i := range 10 {
		c.send(signal.Relay{Peer: "p1", Data: []byte{2, byte('0' + i)}})
	}
	c.send(signal.Relay{Peer: "p1", Data: []byte("\x03ann's state")})
	eventually(t, "the state message", func() bool { return m.Peers()[0].Stats.StateRecv == 1 })
	var got []string
	m.Drain(func(from signal.PeerID, b []byte) {
		if from != "p1" {
			t.Errorf("a frame from %s, want p1", from)
		}
		got = append(got, string(b))
	})
	if strings.Join(got, "") != "6789" {
		t.Errorf("drained %q, want the newest four, 6789", got)
	}
	if d := m.Peers()[0].Stats.Drops[road.DropRecvFull]; d != 6 {
		t.Errorf("%d frames dropped, want 6", d)
	}
	var states []string
	m.DrainState(func(_ signal.PeerID, b []byte) { states = append(states, string(b)) })
	if len(states) != 1 || states[0] != "ann's state" {
		t.Errorf("drained states %q, want ann's", states)
	}

	// ann leaves: told once, and she is no longer there to send to.
	c.send(signal.PeerLeft{Peer: "p1"})
	eventually(t, "ann gone", func() bool { return len(m.Peers()) == 0 })
	var kinds []string
	for _, e := range m.Events() {
		kinds = append(kinds, e.Kind.String()+" "+string(e.Peer))
		if e.Kind == mesh.EventLeft && !errors.Is(e.Err, mesh.ErrLeft) {
			t.Errorf("ann left with %v, want ErrLeft", e.Err)
		}
	}
	if want := "joined p1, relayed p1, left p1"; strings.Join(kinds, ", ") != want {
		t.Errorf("events %q, want %q", strings.Join(kinds, ", "), want)
	}
	if err := m.Send("p1", []byte("x")); !errors.Is(err, mesh.ErrNoPeer) {
		t.Errorf("a frame to ann gone: %v, want ErrNoPeer", err)
	}
}

func TestTheHubGoingIsToldOnce(t *testing.T) {
	m, c := join(t, mesh.Options{})
	_ = c.ws.Close(websocket.StatusGoingAway, "the hub is shutting down")
	var gone []mesh.Event
	eventually(t, "the hub's going told", func() bool {
		for _, e := range m.Events() {
			if e.Kind == mesh.EventHubGone {
				gone = append(gone, e)
			}
		}
		return len(gone) > 0
	})
	if !errors.Is(gone[0].Err, mesh.ErrHubGone) {
		t.Errorf("the hub went with %v, want ErrHubGone", gone[0].Err)
	}
	if err := m.Send("p1", []byte("x")); !errors.Is(err, mesh.ErrHubGone) {
		t.Errorf("a relayed frame with the hub gone: %v, want ErrHubGone", err)
	}
	if st := m.Peers()[0].State; st != road.StateClosed {
		t.Errorf("a relayed peer with the hub gone is %s, want closed", st)
	}
	for _, e := range m.Events() {
		if e.Kind == mesh.EventHubGone {
			t.Errorf("told twice that the hub went")
		}
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := m.Close(); !errors.Is(err, mesh.ErrClosed) {
		t.Errorf("a second Close: %v, want ErrClosed", err)
	}
}

// TestRandomRelays has a peer send random relays, as a malicious one
// might: no panic, and every one either queued or counted.
func TestRandomRelays(t *testing.T) {
	m, c := join(t, mesh.Options{RelayQueue: 64})
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	for range n {
		data := make([]byte, 1+rng.IntN(signal.MaxRelay))
		for i := range data {
			data[i] = byte(rng.IntN(4)) // mostly the kinds there are
		}
		c.send(signal.Relay{Peer: "p1", Data: data})
	}
	counted := func() uint64 {
		s := m.Peers()[0].Stats
		return s.RecvMsgs + s.StateRecv + s.Drops[road.DropBadState] + s.Drops[road.DropEmpty]
	}
	eventually(t, "every relay counted", func() bool { return counted() >= n })
	if got := counted(); got != n {
		t.Errorf("%d relays counted, want %d", got, n)
	}
	m.Drain(func(signal.PeerID, []byte) {})
	m.DrainState(func(signal.PeerID, []byte) {})
}

// TestAFloodOfPeersIsBounded has the hub announce more peers than a room
// may hold: the mesh keeps signal.MaxPeers and counts the rest.
func TestAFloodOfPeersIsBounded(t *testing.T) {
	m, c := join(t, mesh.Options{})
	const extra = 10
	for i := range signal.MaxPeers + extra {
		c.send(signal.PeerJoined{Peer: signal.Peer{ID: signal.PeerID(fmt.Sprintf("q%d", i))}})
	}
	// ann (p1) was there already: MaxPeers-1 more fit.
	eventually(t, "the flood taken", func() bool { return m.Stats().Unexpected == extra+1 })
	if n := len(m.Peers()); n != signal.MaxPeers {
		t.Errorf("%d peers, want %d", n, signal.MaxPeers)
	}
}

// TestRelaysArePaced sends relayed frames faster than the pace allows:
// the burst goes, the rest is dropped and counted.
func TestRelaysArePaced(t *testing.T) {
	m, c := join(t, mesh.Options{RelayRate: 0.001, RelayBurst: 3})
	for i := range 10 {
		if err := m.Send("p1", []byte{byte('0' + i)}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	for i := range 3 {
		if got, ok := c.recv().(signal.Relay); !ok || string(got.Data) != "\x02"+string(rune('0'+i)) {
			t.Fatalf("relay %d is %+v, want frame %d", i, got, i)
		}
	}
	s := m.Peers()[0].Stats
	if s.SentMsgs != 3 || s.Drops[road.DropBuffered] != 7 {
		t.Errorf("%d relayed and %d dropped over the pace, want 3 and 7", s.SentMsgs, s.Drops[road.DropBuffered])
	}
}
