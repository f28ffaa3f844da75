// Package hub is Socketville's signaling hub: the WebSocket endpoint
// (served by socketville serve at /signal) where the peers of a shared
// town meet. A page asks it for a room ("invite"), a friend's page joins
// that room by its id, and the hub passes each offer, answer and relayed
// packet to the one peer it names, telling every peer of the room who
// comes and who goes. It speaks the messages of shared/p2p/signal, one
// JSON text message each.
//
// A hub is careful with what it is sent: an origin allow-list, a read
// limit, per-connection message and per-address connection rate limits,
// caps on connections, rooms and the peers of a room, rooms that expire
// when empty, connections that must join within a while, and a bounded
// send queue per connection, so a slow client is dropped and never stalls
// the others. Every refusal is told to the client: an error message with
// an errno and a sentence, and, when the hub will not go on, a WebSocket
// close with a status and the same reason. Each connection has one reader
// (its HTTP handler) and one writer goroutine, and nothing else.
package hub

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Config sets a hub's limits. Every zero field has the default its
// comment gives, made for a classroom demo (30 peers in a room, a school's
// network behind one address).
type Config struct {
	// Origins lists the pages, besides the hub's own, whose scripts may
	// connect: "https://class.example" (a whole origin) or a host pattern
	// of path.Match ("*.example:8080"); "*" allows any. A request without
	// an Origin header (a native peer, not a browser) is always allowed.
	Origins []string
	// ICE is the STUN and TURN servers each welcome hands out (none: the
	// peers use their host candidates only, enough on one LAN).
	ICE []signal.ICEServer
	// PeerICE, if set, is asked for the ICE servers of one welcome, handed
	// out before ICE's (and, with them, at most signal.MaxICEServers): the
	// place for a TURN relay's short-lived credential made for that one
	// peer (socketville serve --turn). host is the host the peer reached
	// the hub at (its request's Host, "192.168.1.10:8080"), and conn a
	// name for its connection unique in the hub's life ("c17"). It is
	// called with the hub's lock held: it must be quick and must not call
	// the hub.
	PeerICE func(host, conn string) []signal.ICEServer
	// MaxConns caps the connections the hub holds at once (2000).
	MaxConns int
	// MaxRooms caps the rooms (500).
	MaxRooms int
	// MaxPeers caps the peers of one room (32).
	MaxPeers int
	// RoomIdle is how long an empty room waits for a peer before it
	// expires (10 minutes: a page reloaded, or a link passed round).
	RoomIdle time.Duration
	// JoinTimeout is how long a connection may stay in no room (2 minutes).
	JoinTimeout time.Duration
	// MsgRate and MsgBurst limit the messages of one connection: MsgRate a
	// second on average, MsgBurst at once (200 and 400: relayed packets
	// are messages too). rate.Inf removes the limit.
	MsgRate  rate.Limit
	MsgBurst int
	// ConnRate and ConnBurst limit the new connections from one address (2
	// a second and 40 at once: a class behind one NAT joining together).
	// rate.Inf removes the limit.
	ConnRate  rate.Limit
	ConnBurst int
	// SendQueue is how many messages may wait for a slow client before it
	// is dropped (64).
	SendQueue int
	// WriteTimeout is how long one message may take to write (10 s).
	WriteTimeout time.Duration
	// Random is where room ids come from (crypto/rand.Reader).
	Random io.Reader
	// Router, when set, makes every room a star (serve --star): the hub
	// holds it as a peer of every room, and each peer makes one road, to
	// it, instead of one to every other peer.
	Router Router
}

// Defaults is the configuration a zero Config stands for.
func Defaults() Config {
	return Config{
		MaxConns:     2000,
		MaxRooms:     500,
		MaxPeers:     32,
		RoomIdle:     10 * time.Minute,
		JoinTimeout:  2 * time.Minute,
		MsgRate:      200,
		MsgBurst:     400,
		ConnRate:     2,
		ConnBurst:    40,
		SendQueue:    64,
		WriteTimeout: 10 * time.Second,
		Random:       rand.Reader,
	}
}

// withDefaults is c with its zero fields given their defaults.
func (c Config) withDefaults() Config {
	d := Defaults()
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pickD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&c.MaxConns, d.MaxConns)
	pick(&c.MaxRooms, d.MaxRooms)
	pick(&c.MaxPeers, d.MaxPeers)
	pick(&c.MsgBurst, d.MsgBurst)
	pick(&c.ConnBurst, d.ConnBurst)
	pick(&c.SendQueue, d.SendQueue)
	pickD(&c.RoomIdle, d.RoomIdle)
	pickD(&c.JoinTimeout, d.JoinTimeout)
	pickD(&c.WriteTimeout, d.WriteTimeout)
	if c.MsgRate <= 0 {
		c.MsgRate = d.MsgRate
	}
	if c.ConnRate <= 0 {
		c.ConnRate = d.ConnRate
	}
	if c.Random == nil {
		c.Random = d.Random
	}
	return c
}

// Reason names why the hub refused something; Stats counts refusals by
// it.
type Reason string

// The reasons of refusal.
const (
	ReasonOrigin     Reason = "origin"       // a page of an origin not allowed
	ReasonConnRate   Reason = "conn-rate"    // too many new connections from one address
	ReasonConnsFull  Reason = "conns-full"   // the hub holds its most connections
	ReasonRoomsFull  Reason = "rooms-full"   // the hub holds its most rooms
	ReasonRoomFull   Reason = "room-full"    // the room has its most peers
	ReasonNoRoom     Reason = "no-room"      // a join to a room that is not (or no longer) here
	ReasonMsgRate    Reason = "msg-rate"     // too many messages from one connection
	ReasonTooBig     Reason = "too-big"      // a message over the read limit
	ReasonMalformed  Reason = "malformed"    // a message the decoder refused, or not text
	ReasonOutOfOrder Reason = "out-of-order" // a message that makes no sense now (an offer before a join)
	ReasonNoPeer     Reason = "no-peer"      // a message to a peer not in the room
	ReasonSlow       Reason = "slow"         // a client that does not read what it is sent
	ReasonIdle       Reason = "idle"         // a connection that joined no room in time
	ReasonShutdown   Reason = "shutdown"     // the hub is closing
)

// Hub is a signaling hub; serve it with ServeHTTP and end it with Close.
type Hub struct {
	cfg  Config
	stop chan struct{} // closed by Close: the janitor ends
	wg   sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	rooms     map[signal.RoomID]*room
	conns     map[*conn]struct{}
	addrs     map[string]*rate.Limiter
	refusals  map[Reason]uint64
	forwarded uint64
	expired   uint64
	serial    uint64 // the connections so far, for their names
}

// room is a room of peers, in the order they came.
type room struct {
	id         signal.RoomID
	peers      []*conn
	next       int       // the number of the next peer's id
	emptySince time.Time // when the last peer left; zero while it has peers
}

// New makes a hub with cfg's limits; it runs until Close.
func New(cfg Config) *Hub {
	h := &Hub{
		cfg:      cfg.withDefaults(),
		stop:     make(chan struct{}),
		rooms:    map[signal.RoomID]*room{},
		conns:    map[*conn]struct{}{},
		addrs:    map[string]*rate.Limiter{},
		refusals: map[Reason]uint64{},
	}
	h.wg.Add(1)
	go h.janitor()
	return h
}

// Stats is what a hub holds and what it has refused, for tests and for
// GET .../stats.
type Stats struct {
	Conns     int               `json:"conns"`
	Rooms     int               `json:"rooms"`
	Peers     int               `json:"peers"`
	Forwarded uint64            `json:"forwarded"` // offers, answers and relays passed on
	Expired   uint64            `json:"expired"`   // rooms that expired empty
	Refusals  map[Reason]uint64 `json:"refusals"`
}

// Stats is the hub's counters now.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Stats{Conns: len(h.conns), Rooms: len(h.rooms), Forwarded: h.forwarded, Expired: h.expired, Refusals: map[Reason]uint64{}}
	for _, r := range h.rooms {
		s.Peers += len(r.peers)
	}
	for k, v := range h.refusals {
		s.Refusals[k] = v
	}
	return s
}

// Close closes every connection, telling each client why, and returns
// once every goroutine of the hub has ended. Requests after it are
// answered 503.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.stop)
	for c := range h.conns {
		h.refuse(c, ReasonShutdown, sock.ErrConnReset, "the hub is shutting down", websocket.StatusGoingAway)
	}
	h.mu.Unlock()
	h.wg.Wait()
	return nil
}

// ServeHTTP answers GET PATH/stats with the hub's Stats as JSON, and
// takes every other request as a WebSocket of signaling messages.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/stats") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_ = json.NewEncoder(w).Encode(h.Stats())
		return
	}
	h.mu.Lock()
	closed := h.closed
	if !closed {
		h.wg.Add(1) // this handler, the connection's reader
	}
	h.mu.Unlock()
	if closed {
		http.Error(w, "the signaling hub is shut down", http.StatusServiceUnavailable)
		return
	}
	defer h.wg.Done()
	c := &conn{
		host:  r.Host,
		send:  make(chan []byte, h.cfg.SendQueue),
		kickc: make(chan struct{}),
		lim:   rate.NewLimiter(h.cfg.MsgRate, h.cfg.MsgBurst),
		since: time.Now(),
	}
	// The connection is admitted (or not) before the handshake is
	// answered, so that a client whose handshake completed holds its
	// place. A refused one is still upgraded, so that it hears why: a
	// browser shows a script no HTTP error body. The origin is checked
	// here rather than by Accept for the same reason; nothing is done for
	// a page refused but that message and a close.
	h.mu.Lock()
	no := h.admission(r)
	if no.why == "" {
		h.conns[c] = struct{}{}
		h.serial++
		c.serial = fmt.Sprintf("c%d", h.serial)
	}
	h.mu.Unlock()
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil { // Accept has answered (not a WebSocket request)
		h.mu.Lock()
		delete(h.conns, c)
		h.mu.Unlock()
		return
	}
	ws.SetReadLimit(signal.MaxMessage + 1) // what is over signal.MaxMessage is refused in words, below
	h.mu.Lock()
	c.ws = ws // under mu: enqueue may close it
	h.mu.Unlock()
	h.wg.Add(1)
	go h.write(c)
	if no.why != "" {
		h.mu.Lock()
		h.refuse(c, no.why, no.errno, no.text, no.status)
		h.mu.Unlock()
		return
	}
	h.read(c)
}

// refusal is why the hub will not take a connection in.
type refusal struct {
	why    Reason
	errno  *sock.Errno
	text   string
	status websocket.StatusCode
}

// admission says why a new connection may not come in, if it may not;
// h.mu is held.
func (h *Hub) admission(r *http.Request) refusal {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	switch {
	case !h.originAllowed(r):
		return refusal{ReasonOrigin, sock.ErrAccess,
			fmt.Sprintf("pages of %s may not use this hub (only this server's own pages, and those serve --hub-origins lists)", clip(r.Header.Get("Origin"), 60)),
			websocket.StatusPolicyViolation}
	case !h.addrLimiter(addr).Allow():
		return refusal{ReasonConnRate, sock.ErrAgain,
			fmt.Sprintf("too many new connections from %s: at most %d at once and %s a second; try again in a moment", addr, h.cfg.ConnBurst, perSecond(h.cfg.ConnRate)),
			websocket.StatusTryAgainLater}
	case len(h.conns) >= h.cfg.MaxConns:
		return refusal{ReasonConnsFull, sock.ErrAgain,
			fmt.Sprintf("the hub holds its most connections (%d); try again later", h.cfg.MaxConns),
			websocket.StatusTryAgainLater}
	}
	return refusal{}
}

// addrLimiter is the connection rate limiter of a remote address.
func (h *Hub) addrLimiter(addr string) *rate.Limiter {
	lim := h.addrs[addr]
	if lim == nil {
		lim = rate.NewLimiter(h.cfg.ConnRate, h.cfg.ConnBurst)
		h.addrs[addr] = lim
	}
	return lim
}

// originAllowed says whether r comes from no browser, from a page of this
// server, or from an origin of the allow-list.
func (h *Hub) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, p := range h.cfg.Origins {
		if p == "*" {
			return true
		}
		if strings.Contains(p, "://") {
			if strings.EqualFold(strings.TrimSuffix(p, "/"), u.Scheme+"://"+u.Host) {
				return true
			}
			continue
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(u.Host)); ok {
			return true
		}
	}
	return false
}

// read is the connection's reader: one message at a time, each handled
// before the next is read, until the connection ends or is refused.
func (h *Hub) read(c *conn) {
	defer h.drop(c)
	for !c.kicked() {
		typ, rd, err := c.ws.Reader(context.Background())
		if err != nil {
			return // the client went, or the writer closed the connection
		}
		b, err := io.ReadAll(io.LimitReader(rd, signal.MaxMessage+1))
		if err != nil {
			return
		}
		h.mu.Lock()
		switch {
		case len(b) > signal.MaxMessage:
			h.refuse(c, ReasonTooBig, sock.ErrMsgSize, fmt.Sprintf("a message over the %d bytes the hub reads", signal.MaxMessage), websocket.StatusMessageTooBig)
		case !c.lim.Allow():
			h.refuse(c, ReasonMsgRate, sock.ErrAgain, fmt.Sprintf("too many messages: at most %d at once and %s a second", h.cfg.MsgBurst, perSecond(h.cfg.MsgRate)), websocket.StatusPolicyViolation)
		case typ != websocket.MessageText:
			h.refuse(c, ReasonMalformed, sock.ErrInval, "a binary message: signaling messages are JSON text", websocket.StatusUnsupportedData)
		default:
			if m, err := signal.Decode(b); err != nil {
				h.refuse(c, ReasonMalformed, sock.ErrnoOf(err), err.Error(), websocket.StatusPolicyViolation)
			} else {
				h.handle(c, m)
			}
		}
		h.mu.Unlock()
	}
}

// drop forgets a connection whose reader has ended: its room is told, and
// its writer ends.
func (h *Hub) drop(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.room != nil {
		h.leave(c)
	}
	delete(h.conns, c)
	c.kick(websocket.StatusNormalClosure, "", true)
}

// handle acts on one message from c; h.mu is held.
func (h *Hub) handle(c *conn, m signal.Message) {
	switch m := m.(type) {
	case signal.Invite:
		if h.inRoom(c, "an invite") {
			return
		}
		if len(h.rooms) >= h.cfg.MaxRooms {
			h.refuse(c, ReasonRoomsFull, sock.ErrAgain, fmt.Sprintf("the hub holds its most rooms (%d); try again later", h.cfg.MaxRooms), websocket.StatusTryAgainLater)
			return
		}
		id, err := signal.NewRoomID(h.cfg.Random)
		if err != nil || h.rooms[id] != nil {
			h.refuse(c, ReasonRoomsFull, sock.ErrAgain, "the hub could not make a room id; try again", websocket.StatusInternalError)
			return
		}
		r := &room{id: id}
		h.rooms[id] = r
		h.join(c, r, m.Name)
	case signal.Join:
		if h.inRoom(c, "a join") {
			return
		}
		r := h.rooms[m.Room]
		switch {
		case r == nil:
			h.refuse(c, ReasonNoRoom, sock.ErrConnRefused, fmt.Sprintf("no room %s here: the link may be mistyped, or the room expired (an empty room lasts %s)", m.Room, h.cfg.RoomIdle), websocket.StatusPolicyViolation)
		case len(r.peers) >= h.cfg.MaxPeers:
			h.refuse(c, ReasonRoomFull, sock.ErrAgain, fmt.Sprintf("room %s is full: it has its %d peers", m.Room, h.cfg.MaxPeers), websocket.StatusTryAgainLater)
		default:
			h.join(c, r, m.Name)
		}
	case signal.Leave:
		if c.room == nil {
			h.tell(c, ReasonOutOfOrder, sock.ErrNotConn, "a leave from no room")
			return
		}
		h.leave(c)
	case signal.Offer:
		if h.toRouter(c, m) {
			return
		}
		if to := h.addressee(c, m.Peer, "an offer"); to != nil {
			to.offers[c.id] = true
			h.forward(to, signal.Offer{Peer: c.id, SDP: m.SDP})
		}
	case signal.Answer:
		to := h.addressee(c, m.Peer, "an answer")
		if to == nil {
			return
		}
		if !c.offers[to.id] {
			h.tell(c, ReasonOutOfOrder, sock.ErrNotConn, fmt.Sprintf("an answer to %s, who has made you no offer", to.id))
			return
		}
		delete(c.offers, to.id)
		h.forward(to, signal.Answer{Peer: c.id, SDP: m.SDP})
	case signal.Relay:
		if to := h.addressee(c, m.Peer, "a relay"); to != nil {
			h.forward(to, signal.Relay{Peer: c.id, Data: m.Data})
		}
	default:
		h.tell(c, ReasonOutOfOrder, sock.ErrInval, fmt.Sprintf("a %s is the hub's to send, not a client's", m.Kind()))
	}
}

// inRoom tells c off and says true if it is in a room already.
func (h *Hub) inRoom(c *conn, what string) bool {
	if c.room == nil {
		return false
	}
	h.tell(c, ReasonOutOfOrder, sock.ErrIsConn, fmt.Sprintf("%s while in room %s as %s: leave it first", what, c.room.id, c.id))
	return true
}

// join puts c in room r, welcomes it and tells the others.
func (h *Hub) join(c *conn, r *room, name string) {
	r.next++
	c.room, c.id, c.name, c.offers = r, signal.PeerID(fmt.Sprintf("p%d", r.next)), name, map[signal.PeerID]bool{}
	w := signal.Welcome{Room: r.id, You: c.id, ICE: h.iceFor(c), Router: h.routerID()}
	for _, p := range r.peers {
		w.Peers = append(w.Peers, signal.Peer{ID: p.id, Name: p.name})
		h.enqueue(p, signal.PeerJoined{Peer: signal.Peer{ID: c.id, Name: name}})
	}
	r.peers = append(r.peers, c)
	r.emptySince = time.Time{}
	h.enqueue(c, w)
}

// iceFor is the ICE servers of c's welcome: PeerICE's, then ICE, at most
// signal.MaxICEServers of them.
func (h *Hub) iceFor(c *conn) []signal.ICEServer {
	if h.cfg.PeerICE == nil {
		return h.cfg.ICE
	}
	ice := append(h.cfg.PeerICE(c.host, c.serial), h.cfg.ICE...)
	return ice[:min(len(ice), signal.MaxICEServers)]
}

// leave takes c out of its room and tells the others.
func (h *Hub) leave(c *conn) {
	r := c.room
	h.routerLeft(c)
	for i, p := range r.peers {
		if p == c {
			r.peers = append(r.peers[:i], r.peers[i+1:]...)
			break
		}
	}
	for _, p := range r.peers {
		delete(p.offers, c.id)
		h.enqueue(p, signal.PeerLeft{Peer: c.id})
	}
	if len(r.peers) == 0 {
		r.emptySince = time.Now()
	}
	c.room, c.id, c.offers, c.since = nil, "", nil, time.Now()
}

// addressee is the peer of c's room that a message of c's names, or nil
// after telling c why there is none.
func (h *Hub) addressee(c *conn, id signal.PeerID, what string) *conn {
	if c.room == nil {
		h.tell(c, ReasonOutOfOrder, sock.ErrNotConn, fmt.Sprintf("%s before any join: invite or join a room first", what))
		return nil
	}
	if id == c.id {
		h.tell(c, ReasonOutOfOrder, sock.ErrInval, fmt.Sprintf("%s to yourself (%s)", what, id))
		return nil
	}
	for _, p := range c.room.peers {
		if p.id == id {
			return p
		}
	}
	h.tell(c, ReasonNoPeer, sock.ErrHostUnreach, fmt.Sprintf("%s to %s, who is not in room %s (gone, or never there)", what, id, c.room.id))
	return nil
}

// forward passes a message on to its addressee.
func (h *Hub) forward(to *conn, m signal.Message) {
	h.forwarded++
	h.enqueue(to, m)
}

// tell refuses one message of c's in words and goes on; h.mu is held.
//
// A refusal that would fill more than half of c's send queue is counted
// but not sent: c is sending faster than it reads what it is told, and
// its own refusals must not crowd out what its peers send it (nor get it
// dropped as slow before its message rate limit speaks).
func (h *Hub) tell(c *conn, why Reason, errno *sock.Errno, text string) {
	h.refusals[why]++
	if len(c.send) < cap(c.send)/2 {
		h.enqueue(c, signal.Error{Errno: errno, Text: text})
	}
}

// refuse tells c why in an error message, then closes its connection with
// status and the same words; h.mu is held.
func (h *Hub) refuse(c *conn, why Reason, errno *sock.Errno, text string, status websocket.StatusCode) {
	if c.kicked() {
		return
	}
	h.refusals[why]++
	if len(c.send) < cap(c.send) { // else the close's reason alone says why
		h.enqueue(c, signal.Error{Errno: errno, Text: text})
	}
	c.kick(status, text, true)
}

// enqueue puts a message in c's send queue; a client whose queue is full
// does not read, and is dropped rather than waited for.
func (h *Hub) enqueue(c *conn, m signal.Message) {
	if c.kicked() {
		return
	}
	b, err := signal.Encode(m)
	if err != nil {
		// Only a bug of the hub's could make one; say so to the client
		// rather than send nothing.
		b, _ = signal.Encode(signal.Error{Errno: sock.ErrInval, Text: clip("the hub failed to encode a "+m.Kind().String()+": "+err.Error(), signal.MaxText)})
	}
	select {
	case c.send <- b:
	default:
		h.refusals[ReasonSlow]++
		c.kick(websocket.StatusPolicyViolation, fmt.Sprintf("too slow: %d messages waited unread", cap(c.send)), false)
		// Closed now, not by the writer: it may be stuck on the client's
		// full window until its write times out, and the peer would be
		// listed in its room meanwhile. CloseNow does no I/O.
		if c.ws != nil {
			_ = c.ws.CloseNow()
		}
	}
}

// janitor expires empty rooms, closes connections that joined no room in
// time and forgets the rate limiters of quiet addresses.
func (h *Hub) janitor() {
	defer h.wg.Done()
	every := min(h.cfg.RoomIdle, h.cfg.JoinTimeout) / 4
	every = max(every, time.Millisecond)
	every = min(every, 10*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			h.sweep(now)
		}
	}
}

func (h *Hub) sweep(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, r := range h.rooms {
		if len(r.peers) == 0 && now.Sub(r.emptySince) >= h.cfg.RoomIdle {
			delete(h.rooms, id)
			h.expired++
		}
	}
	for c := range h.conns {
		if c.room == nil && now.Sub(c.since) >= h.cfg.JoinTimeout {
			h.refuse(c, ReasonIdle, sock.ErrTimedOut, fmt.Sprintf("no invite or join within %s", h.cfg.JoinTimeout), websocket.StatusPolicyViolation)
		}
	}
	for addr, lim := range h.addrs {
		if lim.TokensAt(now) >= float64(h.cfg.ConnBurst) {
			delete(h.addrs, addr) // a fresh limiter would be the same
		}
	}
}

// conn is one client's connection.
type conn struct {
	host  string // the host the client reached the hub at (its request's Host)
	ws    *websocket.Conn
	send  chan []byte   // encoded messages for the writer
	kickc chan struct{} // closed when the connection is to be closed
	lim   *rate.Limiter // the client's messages

	kickOnce sync.Once
	status   websocket.StatusCode // set before kickc is closed
	reason   string
	flush    bool // the writer sends what is queued before it closes

	// Guarded by the hub's mu.
	serial string // the connection's name in the hub's life ("c17")
	room   *room
	id     signal.PeerID
	name   string
	offers map[signal.PeerID]bool // the peers whose offer to this one awaits its answer
	since  time.Time              // when it came, or left its last room
}

// kick asks the writer to close the connection with status and reason,
// after sending what is queued if flush.
func (c *conn) kick(status websocket.StatusCode, reason string, flush bool) {
	c.kickOnce.Do(func() {
		c.status, c.reason, c.flush = status, clip(reason, 123), flush
		close(c.kickc)
	})
}

// kicked says whether the connection is closing.
func (c *conn) kicked() bool {
	select {
	case <-c.kickc:
		return true
	default:
		return false
	}
}

// write is the connection's writer: it sends queued messages in order,
// and closes the connection when kicked.
func (h *Hub) write(c *conn) {
	defer h.wg.Done()
	for {
		select {
		case b := <-c.send:
			if err := h.writeOne(c, b); err != nil {
				_ = c.ws.CloseNow()
				return
			}
		case <-c.kickc:
			if !c.flush {
				// A client that does not read would not read a close
				// frame either; waiting on its full window for one would
				// only hold the connection longer.
				_ = c.ws.CloseNow()
				return
			}
			for n := len(c.send); n > 0; n-- {
				if err := h.writeOne(c, <-c.send); err != nil {
					_ = c.ws.CloseNow()
					return
				}
			}
			_ = c.ws.Close(c.status, c.reason)
			return
		}
	}
}

func (h *Hub) writeOne(c *conn, b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.WriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("hub: write: %w", err)
	}
	return nil
}

// perSecond prints a rate.
func perSecond(l rate.Limit) string {
	if l == rate.Inf {
		return "any number"
	}
	return fmt.Sprintf("%g", float64(l))
}

// clip shortens s to at most n bytes, on a character's boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
