package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const offerSDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n"
const answerSDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=candidate:1 1 udp 2130706431 127.0.0.1 50001 typ host\r\n"

// town is a hub served over loopback, closed (and checked for leaks by
// TestMain) when the test ends.
type town struct {
	t   testing.TB
	hub *hub.Hub
	srv *httptest.Server
	url string
}

func newTown(t testing.TB, cfg hub.Config) *town {
	t.Helper()
	h := hub.New(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close) // after the hub's Close, below
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &town{t: t, hub: h, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/signal"}
}

// client is a real WebSocket client of the hub.
type client struct {
	t  testing.TB
	ws *websocket.Conn
	in chan event // with readAhead: what its reader read
}

// event is one read of a client's.
type event struct {
	b   []byte
	err error
}

// readAhead gives c a reader of its own, as a page has, so that it keeps
// reading while the test sends.
func (c *client) readAhead() *client {
	c.in = make(chan event, 1024)
	go func() {
		for {
			_, b, err := c.ws.Read(context.Background())
			c.in <- event{b, err}
			if err != nil {
				return
			}
		}
	}()
	return c
}

func (tw *town) dial(header http.Header) *client {
	tw.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, tw.url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		tw.t.Fatalf("dial %s: %v", tw.url, err)
	}
	ws.SetReadLimit(signal.MaxMessage)
	c := &client{t: tw.t, ws: ws}
	tw.t.Cleanup(func() { _ = ws.CloseNow() })
	return c
}

func (c *client) send(m signal.Message) {
	c.t.Helper()
	b, err := signal.Encode(m)
	if err != nil {
		c.t.Fatalf("encode: %v", err)
	}
	c.sendRaw(websocket.MessageText, b)
}

func (c *client) sendRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, typ, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// recv is the next message from the hub; the connection closing fails the
// test.
func (c *client) recv() signal.Message {
	c.t.Helper()
	m, err := c.next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

func (c *client) next() (signal.Message, error) {
	var b []byte
	if c.in != nil {
		select {
		case ev := <-c.in:
			if ev.err != nil {
				return nil, ev.err
			}
			b = ev.b
		case <-time.After(10 * time.Second):
			return nil, errors.New("nothing read in 10s")
		}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, got, err := c.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		b = got
	}
	m, err := signal.Decode(b)
	if err != nil {
		c.t.Fatalf("the hub sent %s, which does not decode: %v", b, err)
	}
	return m, nil
}

// expect reads the next message and checks that it is a T.
func expect[T signal.Message](c *client) T {
	c.t.Helper()
	m := c.recv()
	v, ok := m.(T)
	if !ok {
		var want T
		c.t.Fatalf("got %#v, want a %s", m, want.Kind())
	}
	return v
}

// refused reads an error message that wraps errno and says says, and, if
// status is not 0, then the close of the connection with that status.
func (c *client) refused(errno *sock.Errno, says string, status websocket.StatusCode) {
	c.t.Helper()
	e := expect[signal.Error](c)
	if !errors.Is(e.Err(), errno) || !strings.Contains(e.Text, says) {
		c.t.Fatalf("refusal %s %q, want %s saying %q", e.Errno.Name(), e.Text, errno.Name(), says)
	}
	if status == 0 {
		return
	}
	m, err := c.next()
	if err == nil {
		c.t.Fatalf("after the refusal, got %#v, want the close", m)
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != status || !strings.Contains(says, "") || ce.Reason == "" || !strings.HasPrefix(e.Text, ce.Reason) {
		c.t.Fatalf("the connection ended with %v, want status %d and the refusal's words %q", err, status, e.Text)
	}
}

// waitFor waits, up to 10 s, for cond.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// pair makes a room of two peers, ann (p1, who invited) and bob (p2).
func (tw *town) pair() (ann, bob *client, room signal.RoomID) {
	tw.t.Helper()
	ann = tw.dial(nil)
	ann.send(signal.Invite{Name: "ann"})
	w := expect[signal.Welcome](ann)
	bob = tw.dial(nil)
	bob.send(signal.Join{Room: w.Room, Name: "bob"})
	expect[signal.Welcome](bob)
	expect[signal.PeerJoined](ann)
	return ann, bob, w.Room
}

// exchange has bob offer to ann and ann answer, and checks what each
// hears.
func exchange(t testing.TB, offerer *client, offererID signal.PeerID, answerer *client, answererID signal.PeerID) {
	t.Helper()
	offerer.send(signal.Offer{Peer: answererID, SDP: offerSDP})
	o := expect[signal.Offer](answerer)
	if o.Peer != offererID || o.SDP != offerSDP {
		t.Fatalf("the offer arrived as %#v", o)
	}
	answerer.send(signal.Answer{Peer: offererID, SDP: answerSDP})
	a := expect[signal.Answer](offerer)
	if a.Peer != answererID || a.SDP != answerSDP {
		t.Fatalf("the answer arrived as %#v", a)
	}
}

func TestTwoPeersExchangeOfferAndAnswer(t *testing.T) {
	ice := []signal.ICEServer{{URLs: []string{"stun:127.0.0.1:3478"}}}
	tw := newTown(t, hub.Config{ICE: ice})
	ann := tw.dial(nil)
	ann.send(signal.Invite{Name: "ann"})
	w := expect[signal.Welcome](ann)
	if err := signal.CheckRoomID(w.Room); err != nil || w.You != "p1" || w.Peers != nil || len(w.ICE) != 1 || w.ICE[0].URLs[0] != "stun:127.0.0.1:3478" {
		t.Fatalf("ann's welcome: %#v (%v)", w, err)
	}
	bob := tw.dial(nil)
	bob.send(signal.Join{Room: w.Room, Name: "bob"})
	wb := expect[signal.Welcome](bob)
	if wb.Room != w.Room || wb.You != "p2" || len(wb.Peers) != 1 || wb.Peers[0] != (signal.Peer{ID: "p1", Name: "ann"}) {
		t.Fatalf("bob's welcome: %#v", wb)
	}
	if pj := expect[signal.PeerJoined](ann); pj.Peer != (signal.Peer{ID: "p2", Name: "bob"}) {
		t.Fatalf("ann heard %#v", pj)
	}
	exchange(t, bob, "p2", ann, "p1")
	// A packet through the hub, as when no data channel opens.
	pkt := []byte{0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17}
	bob.send(signal.Relay{Peer: "p1", Data: pkt})
	if r := expect[signal.Relay](ann); r.Peer != "p2" || string(r.Data) != string(pkt) {
		t.Fatalf("the relay arrived as %#v", r)
	}
	s := tw.hub.Stats()
	if s.Rooms != 1 || s.Peers != 2 || s.Conns != 2 || s.Forwarded != 3 || len(s.Refusals) != 0 {
		t.Errorf("stats: %+v", s)
	}
}

// TestEachWelcomeHasItsOwnICE gives every welcome a server of its own
// from PeerICE, named for the connection and the host it reached the hub
// at, before the static ICE servers and never more than a welcome holds.
func TestEachWelcomeHasItsOwnICE(t *testing.T) {
	static := []signal.ICEServer{}
	for i := range signal.MaxICEServers {
		static = append(static, signal.ICEServer{URLs: []string{fmt.Sprintf("stun:127.0.0.1:%d", 3478+i)}})
	}
	var mu sync.Mutex
	asked := map[string]bool{}
	tw := newTown(t, hub.Config{ICE: static, PeerICE: func(host, conn string) []signal.ICEServer {
		mu.Lock()
		defer mu.Unlock()
		asked[conn] = true
		return []signal.ICEServer{{URLs: []string{"turn:" + host + "?transport=udp"}, Username: "u-" + conn, Credential: "secret"}}
	}})
	_, _, room := tw.pair()
	cat := tw.dial(nil)
	cat.send(signal.Join{Room: room, Name: "cat"})
	w := expect[signal.Welcome](cat)
	host := strings.TrimPrefix(tw.srv.URL, "http://")
	if len(w.ICE) != signal.MaxICEServers || w.ICE[0].URLs[0] != "turn:"+host+"?transport=udp" || w.ICE[0].Credential != "secret" || w.ICE[1].URLs[0] != static[0].URLs[0] {
		t.Fatalf("cat's welcome hands out %+v, want its own TURN server first, then the static ones, %d in all", w.ICE, signal.MaxICEServers)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 3 || w.ICE[0].Username != "u-c3" {
		t.Errorf("PeerICE was asked for %v and cat was given %q, want three names, cat's c3", asked, w.ICE[0].Username)
	}
}

func TestAThirdIsToldOfBothAndLeavesAreTold(t *testing.T) {
	tw := newTown(t, hub.Config{})
	ann, bob, room := tw.pair()
	cat := tw.dial(nil)
	cat.send(signal.Join{Room: room})
	w := expect[signal.Welcome](cat)
	if w.You != "p3" || len(w.Peers) != 2 || w.Peers[0].ID != "p1" || w.Peers[1] != (signal.Peer{ID: "p2", Name: "bob"}) {
		t.Fatalf("cat's welcome: %#v", w)
	}
	for _, c := range []*client{ann, bob} {
		if pj := expect[signal.PeerJoined](c); pj.Peer.ID != "p3" || pj.Peer.Name != "" {
			t.Fatalf("heard %#v", pj)
		}
	}
	// An offer goes to the peer it names and no other: bob's next message
	// is the news of cat leaving, not ann's offer to cat.
	exchange(t, ann, "p1", cat, "p3")
	cat.send(signal.Leave{})
	for _, c := range []*client{ann, bob} {
		if pl := expect[signal.PeerLeft](c); pl.Peer != "p3" {
			t.Fatalf("heard %#v, want p3 left", pl)
		}
	}
	// cat, out of the room, may join it again, as a new peer.
	cat.send(signal.Join{Room: room, Name: "cat"})
	if w := expect[signal.Welcome](cat); w.You != "p4" || len(w.Peers) != 2 {
		t.Fatalf("cat's second welcome: %#v", w)
	}
	expect[signal.PeerJoined](ann)
	expect[signal.PeerJoined](bob)
	// A peer whose connection drops is gone as if it had left.
	_ = bob.ws.CloseNow()
	for _, c := range []*client{ann, cat} {
		if pl := expect[signal.PeerLeft](c); pl.Peer != "p2" {
			t.Fatalf("heard %#v, want p2 gone", pl)
		}
	}
	waitFor(t, "bob's connection to be forgotten", func() bool { s := tw.hub.Stats(); return s.Conns == 2 && s.Peers == 2 })
}

func TestOutOfOrderIsRefusedInWords(t *testing.T) {
	tw := newTown(t, hub.Config{})
	lone := tw.dial(nil)
	lone.send(signal.Offer{Peer: "p1", SDP: offerSDP})
	lone.refused(sock.ErrNotConn, "an offer before any join: invite or join a room first", 0)
	lone.send(signal.Leave{})
	lone.refused(sock.ErrNotConn, "a leave from no room", 0)
	lone.send(signal.Welcome{Room: "q2xk0Yk8Q0W9cQ2a1Zr7uA", You: "p1"})
	lone.refused(sock.ErrInval, "a welcome is the hub's to send, not a client's", 0)

	ann, bob, _ := tw.pair()
	ann.send(signal.Answer{Peer: "p2", SDP: answerSDP})
	ann.refused(sock.ErrNotConn, "an answer to p2, who has made you no offer", 0)
	ann.send(signal.Offer{Peer: "p9", SDP: offerSDP})
	ann.refused(sock.ErrHostUnreach, "an offer to p9, who is not in room", 0)
	ann.send(signal.Relay{Peer: "p1", Data: []byte{1}})
	ann.refused(sock.ErrInval, "a relay to yourself (p1)", 0)
	ann.send(signal.Invite{})
	ann.refused(sock.ErrIsConn, "an invite while in room", 0)
	// None of it closed anything: the two still talk, and an answer is
	// taken once per offer.
	exchange(t, bob, "p2", ann, "p1")
	ann.send(signal.Answer{Peer: "p2", SDP: answerSDP})
	ann.refused(sock.ErrNotConn, "who has made you no offer", 0)
	// The lone connection may still invite.
	lone.send(signal.Invite{})
	expect[signal.Welcome](lone)
	if s := tw.hub.Stats(); s.Refusals[hub.ReasonOutOfOrder] != 7 || s.Refusals[hub.ReasonNoPeer] != 1 {
		t.Errorf("refusals: %v", s.Refusals)
	}
}

// TestRefusals reaches each limit of the hub and checks the words it is
// refused with.
func TestRefusals(t *testing.T) {
	wrongRoom, _ := signal.NewRoomID(strings.NewReader(strings.Repeat("x", 16)))
	cases := []struct {
		name   string
		cfg    hub.Config
		reason hub.Reason
		// do does what is refused, and returns the client that hears it.
		do     func(tw *town) *client
		errno  *sock.Errno
		says   string
		status websocket.StatusCode
	}{
		{
			name: "a page of another origin", reason: hub.ReasonOrigin,
			do:    func(tw *town) *client { return tw.dial(http.Header{"Origin": {"http://evil.example"}}) },
			errno: sock.ErrAccess, says: "pages of http://evil.example may not use this hub", status: websocket.StatusPolicyViolation,
		},
		{
			name: "an origin not on the list", cfg: hub.Config{Origins: []string{"https://class.example", "*.school.example"}}, reason: hub.ReasonOrigin,
			do: func(tw *town) *client {
				for _, ok := range []string{"https://class.example", "http://a.school.example", tw.srv.URL} {
					c := tw.dial(http.Header{"Origin": {ok}})
					c.send(signal.Invite{})
					expect[signal.Welcome](c)
				}
				return tw.dial(http.Header{"Origin": {"http://class.example"}})
			},
			errno: sock.ErrAccess, says: "pages of http://class.example may not use this hub", status: websocket.StatusPolicyViolation,
		},
		{
			name: "connections from one address too fast", cfg: hub.Config{ConnRate: 0.001, ConnBurst: 2}, reason: hub.ReasonConnRate,
			do: func(tw *town) *client {
				tw.dial(nil)
				tw.dial(nil)
				return tw.dial(nil)
			},
			errno: sock.ErrAgain, says: "too many new connections from 127.0.0.1: at most 2 at once and 0.001 a second", status: websocket.StatusTryAgainLater,
		},
		{
			name: "the hub's most connections", cfg: hub.Config{MaxConns: 2}, reason: hub.ReasonConnsFull,
			do: func(tw *town) *client {
				tw.dial(nil)
				tw.dial(nil)
				return tw.dial(nil)
			},
			errno: sock.ErrAgain, says: "the hub holds its most connections (2)", status: websocket.StatusTryAgainLater,
		},
		{
			name: "the hub's most rooms", cfg: hub.Config{MaxRooms: 1}, reason: hub.ReasonRoomsFull,
			do: func(tw *town) *client {
				tw.pair()
				c := tw.dial(nil)
				c.send(signal.Invite{})
				return c
			},
			errno: sock.ErrAgain, says: "the hub holds its most rooms (1)", status: websocket.StatusTryAgainLater,
		},
		{
			name: "a full room", cfg: hub.Config{MaxPeers: 2}, reason: hub.ReasonRoomFull,
			do: func(tw *town) *client {
				_, _, room := tw.pair()
				c := tw.dial(nil)
				c.send(signal.Join{Room: room})
				return c
			},
			errno: sock.ErrAgain, says: "is full: it has its 2 peers", status: websocket.StatusTryAgainLater,
		},
		{
			name: "a wrong room id", reason: hub.ReasonNoRoom,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				c.send(signal.Join{Room: wrongRoom})
				return c
			},
			errno: sock.ErrConnRefused, says: "no room " + string(wrongRoom) + " here: the link may be mistyped, or the room expired", status: websocket.StatusPolicyViolation,
		},
		{
			name: "messages too fast", cfg: hub.Config{MsgRate: 0.001, MsgBurst: 3}, reason: hub.ReasonMsgRate,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				for range 3 {
					c.send(signal.Leave{})
					c.refused(sock.ErrNotConn, "a leave from no room", 0)
				}
				c.send(signal.Leave{})
				return c
			},
			errno: sock.ErrAgain, says: "too many messages: at most 3 at once and 0.001 a second", status: websocket.StatusPolicyViolation,
		},
		{
			name: "a message over the read limit", reason: hub.ReasonTooBig,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				c.sendRaw(websocket.MessageText, []byte(`{"v":1,"type":"invite","name":"`+strings.Repeat("n", signal.MaxMessage)+`"}`))
				return c
			},
			errno: sock.ErrMsgSize, says: "a message over the 65536 bytes the hub reads", status: websocket.StatusMessageTooBig,
		},
		{
			name: "a megabyte", reason: hub.ReasonTooBig,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				c.sendRaw(websocket.MessageText, make([]byte, 1<<20))
				return c
			},
			errno: sock.ErrMsgSize, says: "a message over the 65536 bytes the hub reads", status: websocket.StatusMessageTooBig,
		},
		{
			name: "an unknown type", reason: hub.ReasonMalformed,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				c.sendRaw(websocket.MessageText, []byte(`{"v":1,"type":"candidate","candidate":"a=candidate:1"}`))
				return c
			},
			errno: sock.ErrInval, says: `unknown field "candidate"`, status: websocket.StatusPolicyViolation,
		},
		{
			name: "a binary message", reason: hub.ReasonMalformed,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				c.sendRaw(websocket.MessageBinary, []byte(`{"v":1,"type":"leave"}`))
				return c
			},
			errno: sock.ErrInval, says: "a binary message: signaling messages are JSON text", status: websocket.StatusUnsupportedData,
		},
		{
			name: "no join in time", cfg: hub.Config{JoinTimeout: 50 * time.Millisecond}, reason: hub.ReasonIdle,
			do:    func(tw *town) *client { return tw.dial(nil) },
			errno: sock.ErrTimedOut, says: "no invite or join within 50ms", status: websocket.StatusPolicyViolation,
		},
		{
			name: "an empty room that expired", cfg: hub.Config{RoomIdle: 30 * time.Millisecond}, reason: hub.ReasonNoRoom,
			do: func(tw *town) *client {
				ann := tw.dial(nil)
				ann.send(signal.Invite{})
				room := expect[signal.Welcome](ann).Room
				ann.send(signal.Leave{})
				waitFor(tw.t, "the empty room to expire", func() bool { return tw.hub.Stats().Expired == 1 })
				ann.send(signal.Join{Room: room})
				return ann
			},
			errno: sock.ErrConnRefused, says: "or the room expired (an empty room lasts 30ms)", status: websocket.StatusPolicyViolation,
		},
		{
			name: "the hub shutting down", reason: hub.ReasonShutdown,
			do: func(tw *town) *client {
				c := tw.dial(nil)
				waitFor(tw.t, "the connection", func() bool { return tw.hub.Stats().Conns == 1 })
				go tw.hub.Close()
				return c
			},
			errno: sock.ErrConnReset, says: "the hub is shutting down", status: websocket.StatusGoingAway,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw := newTown(t, c.cfg)
			cl := c.do(tw)
			cl.refused(c.errno, c.says, c.status)
			if n := tw.hub.Stats().Refusals[c.reason]; n != 1 {
				t.Errorf("refusals for %s: %d, want 1 (%v)", c.reason, n, tw.hub.Stats().Refusals)
			}
		})
	}
}

func TestStatsOverHTTP(t *testing.T) {
	tw := newTown(t, hub.Config{})
	tw.pair()
	bad := tw.dial(nil)
	bad.sendRaw(websocket.MessageText, []byte("hello"))
	bad.refused(sock.ErrInval, "not a signaling message of JSON", websocket.StatusPolicyViolation)
	resp, err := http.Get(tw.srv.URL + "/signal/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s hub.Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("stats: %v (%s)", err, resp.Header.Get("Content-Type"))
	}
	if s.Rooms != 1 || s.Peers != 2 || s.Refusals[hub.ReasonMalformed] != 1 {
		t.Errorf("stats: %+v", s)
	}
}

func TestASlowClientIsDroppedAndStallsNoOne(t *testing.T) {
	tw := newTown(t, hub.Config{SendQueue: 8, MsgRate: rate.Inf, WriteTimeout: time.Second})
	ann, bob, room := tw.pair()
	cat := tw.dial(nil).readAhead()
	cat.send(signal.Join{Room: room, Name: "cat"})
	expect[signal.Welcome](cat)
	expect[signal.PeerJoined](ann)
	// bob reads nothing from here on; cat relays to him until the hub
	// gives up on him (his socket buffers fill first).
	pkt := make([]byte, signal.MaxRelay)
	for i := 0; tw.hub.Stats().Refusals[hub.ReasonSlow] == 0; i++ {
		if i > 100000 {
			t.Fatal("100,000 relays to a peer that reads nothing, and the hub still queues for him")
		}
		cat.send(signal.Relay{Peer: "p2", Data: pkt})
	}
	// ann was never held up, and hears that bob is gone.
	if pl := expect[signal.PeerLeft](ann); pl.Peer != "p2" {
		t.Fatalf("ann heard %#v", pl)
	}
	// cat hears it too, and can still set up a channel with ann, among the
	// refusals of the relays that reached the hub after bob was gone.
	cat.send(signal.Offer{Peer: "p1", SDP: offerSDP})
	if o := expect[signal.Offer](ann); o.Peer != "p3" {
		t.Fatalf("ann got %#v", o)
	}
	ann.send(signal.Answer{Peer: "p3", SDP: answerSDP})
	left := false
	for {
		m := cat.recv()
		if pl, ok := m.(signal.PeerLeft); ok && pl.Peer == "p2" {
			left = true
			continue
		}
		if an, ok := m.(signal.Answer); ok && an.Peer == "p1" {
			break
		}
		if e, ok := m.(signal.Error); !ok || !strings.Contains(e.Text, "a relay to p2, who is not in room") {
			t.Fatalf("cat heard %#v", m)
		}
	}
	if !left {
		t.Fatal("cat was not told that bob left")
	}
	if _, err := bob.next(); err == nil {
		// What was queued before the hub gave up may arrive; the end
		// must follow.
		for err == nil {
			_, err = bob.next()
		}
	}
}
