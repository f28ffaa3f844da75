// Package mesh is one peer's place in a room of a shared town: one
// WebSocket connection to the signaling hub (native/hub), shared by one
// road (shared/p2p/road) to every other peer of the room. One reader
// goroutine reads the hub and routes each offer and answer to the road of
// the peer it is from; one writer goroutine writes everything the mesh and
// its roads send, so nothing ever waits on the hub but the roads'
// negotiation. When a road has not opened within Options.RelayAfter, that
// peer's frames go through the hub as relay messages instead, and the peer
// is "relayed".
//
// In a star room (the hub's welcome names a router: serve --star) the
// mesh makes one road, to the router, instead of one to every peer; a
// frame for a peer goes on it tagged with the peer's id, and the router
// passes it on (shared/p2p/star). When that road does not open in time,
// or ends, every peer is relayed through the hub, as above.
//
// The town's frame loop calls Send, Drain, SendState, DrainState, Events
// and Peers on its own tick; none of them blocks. The same code runs
// natively and in the browser (GOOS=js): coder/websocket and the road both
// do.
package mesh

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"socketville/shared/p2p/hubconn"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Errors of a mesh's peers, besides a road's own (road.ErrNoChannel, ...).
var (
	// ErrNoPeer says no peer of that id is in the room (gone, or never
	// there).
	ErrNoPeer = fmt.Errorf("mesh: no such peer in the room: %w", sock.ErrHostUnreach)
	// ErrNotOpen says the peer's road is still connecting: the frame was
	// dropped, counted.
	ErrNotOpen = fmt.Errorf("mesh: the road to the peer is not open yet: %w", sock.ErrNotConn)
	// ErrLeft says the peer left the room while its road had no error of
	// its own.
	ErrLeft = fmt.Errorf("mesh: the peer left the room: %w", sock.ErrConnReset)
	// ErrHubGone says the connection to the hub ended: open roads go on,
	// but no peer can join and nothing can be relayed.
	ErrHubGone = fmt.Errorf("mesh: the hub connection ended: %w", sock.ErrConnReset)
	// ErrNoWebRTC says a peer is relayed because this end makes no roads
	// (Options.NoWebRTC).
	ErrNoWebRTC = errors.New("mesh: relayed: no WebRTC on this end")
	// ErrPeerRelays says a peer is relayed because its end gave up on the
	// road and relays to us.
	ErrPeerRelays = errors.New("mesh: relayed: the peer relays through the hub")
	// ErrClosed says the mesh was closed.
	ErrClosed = fmt.Errorf("mesh: closed: %w", sock.ErrNotConn)
)

// Options configure a mesh. Every zero field has the default its comment
// gives.
type Options struct {
	// URL is the hub's WebSocket address (ws://127.0.0.1:8080/signal).
	URL string
	// Name is my name in the room (at most signal.MaxName bytes).
	Name string
	// Room is the room to join; the zero RoomID invites: a new room.
	Room signal.RoomID
	// Road is the template of every road; the mesh sets its Role, Peer and
	// ICE (the ICE servers of the hub's welcome).
	Road road.Options
	// RelayAfter is how long a road may take to open before that peer's
	// frames go through the hub instead (10 s).
	RelayAfter time.Duration
	// NoWebRTC makes no roads at all: every peer is relayed from the
	// start, as for a page whose browser has no WebRTC.
	NoWebRTC bool
	// RelayQueue is how many relayed frames from one peer may wait for
	// the owner (1024); when full, the oldest is dropped.
	RelayQueue int
	// SendQueue is how many messages may wait for the hub (256); a relayed
	// frame that finds it full is dropped, counted.
	SendQueue int
	// RelayRate and RelayBurst pace the relayed frames and state messages
	// to all peers together: RelayRate a second on average, RelayBurst at
	// once (150 and 48). A relay over the pace is dropped, counted, as a
	// congested road drops: the hub limits each connection's messages
	// (hub.Config.MsgRate, 200 and 400 by default) and drops a connection
	// that goes over, which would cut every peer's signaling, so the mesh
	// stays under it with room for offers and answers. The burst stays
	// under the hub's send queue to one client (hub.Config.SendQueue, 64),
	// since a burst relayed to one peer waits there, and a fuller queue
	// drops that peer as too slow. rate.Inf removes the pace.
	RelayRate  rate.Limit
	RelayBurst int
}

func (o Options) withDefaults() Options {
	if o.RelayAfter <= 0 {
		o.RelayAfter = 10 * time.Second
	}
	if o.RelayQueue <= 0 {
		o.RelayQueue = 1024
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 256
	}
	if o.RelayRate <= 0 {
		o.RelayRate = 150
	}
	if o.RelayBurst <= 0 {
		o.RelayBurst = 48
	}
	return o
}

// Stats are the mesh's own counters: what it refused or dropped, and what
// the hub refused of its messages.
type Stats struct {
	// Malformed counts messages from the hub that did not decode.
	Malformed uint64
	// Unexpected counts well-formed messages out of place: an offer from
	// no known peer, a second welcome, a peer joining twice.
	Unexpected uint64
	// Refused counts the hub's error messages while in the room, and
	// LastRefusal is the latest (nil before the first).
	Refused     uint64
	LastRefusal error
	// SendDrops counts messages for the hub dropped because its queue was
	// full, and SignalDrops offers or answers dropped because their road
	// had one waiting already.
	SendDrops, SignalDrops uint64
	// EventDrops counts events dropped because the owner did not take
	// them (the oldest go).
	EventDrops uint64
	// StarDrops counts messages from a star's router that were from no
	// peer of the room, or ill tagged.
	StarDrops uint64
	// Roads is how many roads (PeerConnections) the mesh holds now, open
	// or connecting: one a peer, or one in all in a star room.
	Roads int
}

// counters are the live counters behind Stats.
type counters struct {
	malformed, unexpected, refused, sendDrops, signalDrops, eventDrops, starDrops atomic.Uint64
}

// maxEvents bounds the events waiting for the owner.
const maxEvents = 1024

// Mesh is one peer's place in a room. Its methods are safe to call from
// any goroutine, and none of them blocks on the network except Join and
// Close.
type Mesh struct {
	opts Options
	ws   *hubconn.Conn
	room signal.RoomID
	you  signal.PeerID
	ice  []signal.ICEServer
	star *routerRoad // the road to a star room's router; nil in a mesh

	out    chan []byte   // encoded messages for the writer
	stop   chan struct{} // closed to stop the peers' watchers and the writer
	notify chan struct{} // a token when something arrives

	readers sync.WaitGroup // the reader
	writers sync.WaitGroup // the writer
	peersWG sync.WaitGroup // the peers' watchers

	mu      sync.Mutex
	peers   []*peer // in the order they came
	byID    map[signal.PeerID]*peer
	events  []Event
	hubGone bool
	closing bool
	refusal error

	stateIn *queue        // state messages of relayed peers
	pace    *rate.Limiter // of relays, below the hub's message rate

	count counters
}

// Join dials the hub, invites (Room zero) or joins Room, and returns once
// the hub has welcomed it, with a road being negotiated to every peer the
// welcome lists. A refusal of the hub's is an error that wraps its errno
// and says its words.
func Join(ctx context.Context, o Options) (*Mesh, error) {
	o = o.withDefaults()
	var hello signal.Message = signal.Invite{Name: o.Name}
	if o.Room != "" {
		hello = signal.Join{Room: o.Room, Name: o.Name}
	}
	b, err := signal.Encode(hello)
	if err != nil {
		return nil, fmt.Errorf("mesh: %w", err)
	}
	ws, err := hubconn.Dial(ctx, o.URL)
	if err != nil {
		return nil, fmt.Errorf("mesh: %w", err)
	}
	w, err := greet(ctx, ws, b)
	if err != nil {
		_ = ws.CloseNow()
		return nil, err
	}
	m := &Mesh{
		opts: o, ws: ws, room: w.Room, you: w.You, ice: w.ICE,
		out: make(chan []byte, o.SendQueue), stop: make(chan struct{}),
		notify: make(chan struct{}, 1),
		byID:   map[signal.PeerID]*peer{},
		// Relayed state is small snapshots a few times a second a peer.
		stateIn: newQueue(256),
		pace:    rate.NewLimiter(o.RelayRate, o.RelayBurst),
	}
	if w.Router != "" {
		m.star = m.newRouterRoad(w.Router)
	}
	m.mu.Lock()
	for _, sp := range w.Peers {
		// The newcomer offers to everyone already there.
		m.addPeer(m.newPlace(sp, road.RoleOfferer))
	}
	m.mu.Unlock()
	if m.star != nil && m.star.road != nil {
		m.peersWG.Add(1)
		go m.watchStar()
	}
	m.readers.Add(1)
	m.writers.Add(1)
	go m.read()
	go m.write()
	return m, nil
}

// greet sends the invite or join and reads until the welcome, or the
// hub's refusal.
func greet(ctx context.Context, ws *hubconn.Conn, hello []byte) (signal.Welcome, error) {
	if err := ws.Write(ctx, hello); err != nil {
		return signal.Welcome{}, fmt.Errorf("mesh: to the hub: %w", err)
	}
	for {
		b, err := ws.Read(ctx)
		if err != nil {
			return signal.Welcome{}, fmt.Errorf("mesh: waiting for the hub's welcome: %w", err)
		}
		msg, err := signal.Decode(b)
		if err != nil {
			return signal.Welcome{}, fmt.Errorf("mesh: the hub's answer: %w", err)
		}
		switch msg := msg.(type) {
		case signal.Welcome:
			return msg, nil
		case signal.Error:
			return signal.Welcome{}, fmt.Errorf("mesh: the hub refused: %w", msg.Err())
		}
		// Anything else before the welcome is no business of ours yet.
	}
}

// Room is the room's id, for an invite link.
func (m *Mesh) Room() signal.RoomID { return m.room }

// You is my id in the room.
func (m *Mesh) You() signal.PeerID { return m.you }

// Notify gives a token (without blocking the sender) whenever a frame, a
// state message or an event arrives, for an owner that sleeps between
// ticks.
func (m *Mesh) Notify() <-chan struct{} { return m.notify }

func (m *Mesh) poke() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// Stats returns the mesh's own counters.
func (m *Mesh) Stats() Stats {
	m.mu.Lock()
	last := m.refusal
	roads := 0
	for _, p := range m.peers {
		if p.road != nil && p.road.State() != road.StateClosed {
			roads++
		}
	}
	m.mu.Unlock()
	if m.star != nil && m.star.road != nil && m.star.road.State() != road.StateClosed {
		roads++
	}
	c := &m.count
	return Stats{
		Malformed: c.malformed.Load(), Unexpected: c.unexpected.Load(),
		Refused: c.refused.Load(), LastRefusal: last,
		SendDrops: c.sendDrops.Load(), SignalDrops: c.signalDrops.Load(),
		EventDrops: c.eventDrops.Load(), StarDrops: c.starDrops.Load(),
		Roads: roads,
	}
}

// event records e for the owner; m.mu is held.
func (m *Mesh) event(e Event) {
	if len(m.events) >= maxEvents {
		m.events = m.events[1:]
		m.count.eventDrops.Add(1)
	}
	m.events = append(m.events, e)
	m.poke()
}

// Events returns what happened since the last call, oldest first, without
// blocking.
func (m *Mesh) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	ev := m.events
	m.events = nil
	return ev
}

// enqueue hands one message to the writer without waiting; false when the
// queue is full (counted) or the mesh is stopping.
func (m *Mesh) enqueue(msg signal.Message) bool {
	b, err := signal.Encode(msg)
	if err != nil {
		return false
	}
	select {
	case <-m.stop:
		return false
	default:
	}
	select {
	case m.out <- b:
		return true
	default:
		m.count.sendDrops.Add(1)
		return false
	}
}

// write writes every queued message to the hub until the mesh stops. It
// is the only writer while the mesh runs, so messages leave in the order
// they were queued.
func (m *Mesh) write() {
	defer m.writers.Done()
	for {
		select {
		case <-m.stop:
			return
		case b := <-m.out:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := m.ws.Write(ctx, b)
			cancel()
			if err != nil {
				// The reader sees the connection end and says so.
				return
			}
		}
	}
}

// read reads the hub until the connection ends and routes each message.
func (m *Mesh) read() {
	defer m.readers.Done()
	for {
		b, err := m.ws.Read(context.Background())
		if err != nil {
			m.mu.Lock()
			if !m.closing && !m.hubGone {
				m.hubGone = true
				m.event(Event{Kind: EventHubGone, Err: fmt.Errorf("%w: %v", ErrHubGone, err)})
			}
			m.mu.Unlock()
			return
		}
		msg, err := signal.Decode(b)
		if err != nil {
			m.count.malformed.Add(1)
			continue
		}
		if j, ok := msg.(signal.PeerJoined); ok {
			m.joined(j.Peer)
			continue
		}
		m.route(msg)
	}
}

// route hands one message from the hub to whom it concerns.
func (m *Mesh) route(msg signal.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch msg := msg.(type) {
	case signal.PeerLeft:
		if p := m.byID[msg.Peer]; p != nil {
			p.leave()
			return
		}
		m.count.unexpected.Add(1)
	case signal.Offer:
		m.signalFrom(msg.Peer, msg)
	case signal.Answer:
		m.signalFrom(msg.Peer, msg)
	case signal.Relay:
		p := m.byID[msg.Peer]
		if p == nil {
			m.count.unexpected.Add(1)
			return
		}
		m.relayed(p, msg.Data)
	case signal.Error:
		m.count.refused.Add(1)
		m.refusal = fmt.Errorf("mesh: the hub refused: %w", msg.Err())
	default:
		m.count.unexpected.Add(1)
	}
}

// signalFrom hands an offer or answer to the road of peer; m.mu is held.
func (m *Mesh) signalFrom(id signal.PeerID, msg signal.Message) {
	if m.star != nil && id == m.star.id && m.star.sig != nil {
		if !m.star.sig.deliver(msg) {
			m.count.signalDrops.Add(1)
		}
		return
	}
	p := m.byID[id]
	if p == nil || p.sig == nil {
		// From no known peer, or to a peer without a road (no WebRTC
		// here): the relay hello already sent tells it to relay.
		m.count.unexpected.Add(1)
		return
	}
	if !p.sig.deliver(msg) {
		m.count.signalDrops.Add(1)
	}
}

// joined makes a place for a peer that came into the room after me: whoever
// was here first answers the newcomer's offer. Only the reader calls it,
// so no offer of the peer's can come before its place is there.
func (m *Mesh) joined(sp signal.Peer) {
	m.mu.Lock()
	ok := m.byID[sp.ID] == nil && sp.ID != m.you && !m.closing && len(m.peers) < signal.MaxPeers
	m.mu.Unlock()
	if !ok {
		// A peer joining twice, myself, or more than a room may hold.
		m.count.unexpected.Add(1)
		return
	}
	p := m.newPlace(sp, road.RoleAnswerer)
	m.mu.Lock()
	added := m.addPeer(p)
	m.mu.Unlock()
	if !added && p.road != nil {
		_ = p.road.Close()
	}
}

// newPlace makes the place of one peer, with its road unless NoWebRTC. It
// takes no lock: a PeerConnection takes a while to make, and the owner's
// tick must not wait for it.
func (m *Mesh) newPlace(sp signal.Peer, role road.Role) *peer {
	p := newPeer(m, sp, m.opts.RelayQueue)
	if m.opts.NoWebRTC || m.star != nil {
		return p // relayed, or reached by the star's one road
	}
	ro := m.opts.Road
	ro.Role, ro.Peer, ro.ICE = role, sp.ID, m.ice
	p.sig = newSignaler(m, sp.ID)
	r, err := road.New(p.sig, ro)
	if err != nil {
		p.sig, p.err = nil, err
		return p
	}
	p.road = r
	return p
}

// addPeer puts p in the room and starts its watcher; m.mu is held. It
// says false, leaving p's road to its caller to close, when the mesh is
// closing.
func (m *Mesh) addPeer(p *peer) bool {
	if m.closing {
		return false
	}
	m.peers = append(m.peers, p)
	m.byID[p.id] = p
	m.event(Event{Kind: EventJoined, Peer: p.id, Name: p.name})
	switch {
	case m.star != nil:
		m.starJoined(p)
	case p.road == nil:
		why := ErrNoWebRTC
		if p.err != nil {
			why = fmt.Errorf("mesh: no road: %w", p.err)
		}
		m.startRelay(p, why)
	}
	m.peersWG.Add(1)
	go p.watch()
	return true
}

// removePeer forgets p once it has left; m.mu is held.
func (m *Mesh) removePeer(p *peer) {
	delete(m.byID, p.id)
	for i, q := range m.peers {
		if q == p {
			m.peers = append(m.peers[:i], m.peers[i+1:]...)
			break
		}
	}
}

// lookup is the peer of id, or nil.
func (m *Mesh) lookup(id signal.PeerID) *peer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

// snapshot is the peers known now, in the order they came.
func (m *Mesh) snapshot() []*peer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*peer(nil), m.peers...)
}

// Close leaves the room, closes every road and the hub connection, and
// returns once every goroutine of the mesh has ended. It returns nil, or
// ErrClosed when the mesh was closed already.
func (m *Mesh) Close() error {
	m.mu.Lock()
	if m.closing {
		m.mu.Unlock()
		return ErrClosed
	}
	m.closing = true
	gone := m.hubGone
	m.mu.Unlock()
	close(m.stop)
	m.peersWG.Wait() // each watcher closes its road
	m.writers.Wait()
	if !gone {
		// The writer has stopped, so this is the only write.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if b, err := signal.Encode(signal.Leave{}); err == nil {
			_ = m.ws.Write(ctx, b)
		}
		cancel()
	}
	_ = m.ws.Close("leaving")
	m.readers.Wait()
	return nil
}
