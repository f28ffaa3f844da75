package mesh

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// EventKind says what happened to a peer.
type EventKind uint8

// The kinds of event. The zero EventKind is none.
const (
	EventNone    EventKind = iota
	EventJoined            // a peer is in the room (the welcome's, or a newcomer)
	EventOpen              // the road to a peer opened
	EventRelayed           // a peer's frames go through the hub from now on
	EventLeft              // a peer left; Err says how its road ended
	EventHubGone           // the hub connection ended (once); Err says why
)

var eventNames = [...]string{"none", "joined", "open", "relayed", "left", "hub-gone"}

// String is the kind's name ("relayed").
func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "none"
}

// Event is one thing that happened in the room.
type Event struct {
	Kind EventKind
	Peer signal.PeerID // none for EventHubGone
	Name string        // the peer's name, for EventJoined
	Err  error         // for EventLeft and EventHubGone
}

// PeerInfo is what the mesh knows of one peer now.
type PeerInfo struct {
	ID   signal.PeerID
	Name string
	// State is the road's; a relayed peer is open while the hub is there.
	State road.State
	// Relayed says the peer's frames go through the hub.
	Relayed bool
	// Star says the peer's frames go by the server's router, on the one
	// road of a star room ("via the server").
	Star bool
	// Stats are the road's, or the relay's counters for a relayed peer
	// (no RTT, and Loss -1). For a peer reached by the router they are
	// this peer's frames with the road to the router's state, RTT and
	// loss: the half of the way that this end can measure.
	Stats road.Stats
	// Err says why the road closed, or why the peer is relayed (as
	// ErrNoWebRTC, ErrPeerRelays, or the road's error), or nil.
	Err error
}

// A relay message's data is a kind byte and a body, so that one relay
// path carries both channels of a road and the hello that tells the other
// end to switch.
const (
	relayHello = 1 // no body: relay to me from now on
	relayFrame = 2 // one frame, at most road.MTU bytes
	relayState = 3 // one state message, at most signal.MaxRelay-1 bytes
)

// peer is the mesh's place for one other peer of the room. Its road and
// signaler never change once made; the fields under "m.mu" are the mesh's
// to guard.
type peer struct {
	m    *Mesh
	id   signal.PeerID
	name string
	road *road.Road // nil without WebRTC, or when road.New failed
	sig  *signaler  // nil when road is

	gone     chan struct{} // closed when the peer leaves
	switched chan struct{} // closed when the peer becomes relayed
	in       *queue        // relayed frames for the owner

	// Guarded by m.mu.
	relayed bool
	left    bool
	err     error

	sent, sentBytes, recv, recvBytes atomic.Uint64
	stateSent, stateRecv             atomic.Uint64
	drops                            [road.NumDrops]atomic.Uint64
}

func newPeer(m *Mesh, sp signal.Peer, relayQueue int) *peer {
	return &peer{
		m: m, id: sp.ID, name: sp.Name,
		gone: make(chan struct{}), switched: make(chan struct{}),
		in: newQueue(relayQueue),
	}
}

// leave marks the peer gone for its watcher; m.mu is held.
func (p *peer) leave() {
	if !p.left {
		p.left = true
		close(p.gone)
	}
}

// startRelay makes p relayed, for the reason why (kept for PeerInfo.Err,
// so a road's label can say it), and tells the peer to relay to us too;
// m.mu is held.
func (m *Mesh) startRelay(p *peer, why error) {
	if p.relayed {
		return
	}
	p.relayed, p.err = true, why
	close(p.switched)
	m.event(Event{Kind: EventRelayed, Peer: p.id})
	m.enqueue(signal.Relay{Peer: p.id, Data: []byte{relayHello}})
}

// relayed takes one relay message from p; m.mu is held. Any relay from a
// peer switches it to relayed: its end has given up on the road.
func (m *Mesh) relayed(p *peer, data []byte) {
	m.startRelay(p, ErrPeerRelays)
	if len(data) == 0 { // Decode refuses it; a fake hub might not
		p.drops[road.DropEmpty].Add(1)
		return
	}
	body := data[1:]
	switch {
	case data[0] == relayHello && len(body) == 0:
	case data[0] == relayFrame && len(body) > 0 && len(body) <= road.MTU:
		p.recv.Add(1)
		p.recvBytes.Add(uint64(len(body)))
		if p.in.push(item{peer: p.id, b: body}) {
			p.drops[road.DropRecvFull].Add(1)
		}
		m.poke()
	case data[0] == relayState:
		p.stateRecv.Add(1)
		if m.stateIn.push(item{peer: p.id, b: body}) {
			p.drops[road.DropRecvFull].Add(1)
		}
		m.poke()
	default:
		p.drops[road.DropBadState].Add(1)
	}
}

// watch follows p's road until the peer leaves or the mesh closes: it
// says when the road opens, switches to the relay when it does not open in
// time (or fails before it does), and passes the road's tokens on.
func (p *peer) watch() {
	defer p.m.peersWG.Done()
	var opened, done, notify <-chan struct{}
	var timeout <-chan time.Time
	if p.road != nil {
		opened, done, notify = p.road.Opened(), p.road.Done(), p.road.Notify()
		t := time.NewTimer(p.m.opts.RelayAfter)
		defer t.Stop()
		timeout = t.C
	}
	switched := p.switched
	for {
		select {
		case <-p.m.stop:
			p.closeRoad()
			return
		case <-p.gone:
			err := p.closeRoad()
			p.m.mu.Lock()
			p.m.removePeer(p)
			p.m.event(Event{Kind: EventLeft, Peer: p.id, Err: err})
			p.m.mu.Unlock()
			return
		case <-opened:
			opened, timeout = nil, nil
			p.m.mu.Lock()
			if !p.relayed {
				p.m.event(Event{Kind: EventOpen, Peer: p.id})
			}
			p.m.mu.Unlock()
		case <-done:
			done = nil
			p.roadDone()
		case <-timeout:
			timeout = nil
			p.m.mu.Lock()
			p.m.startRelay(p, fmt.Errorf("mesh: no road within %s: %w", p.m.opts.RelayAfter, road.ErrNoChannel))
			p.m.mu.Unlock()
		case <-switched:
			// The road is of no more use; closing it frees its ports
			// and goroutines. Its frames still waiting are drained.
			switched, opened, timeout = nil, nil, nil
			p.closeRoad()
		case <-notify:
			p.m.poke()
		}
	}
}

// roadDone handles the road ending by itself: before it opened, the peer
// is relayed from now on (road.ErrNoChannel, or a failed connection), and
// so after it opened if it fell silent (the path between us broke, but the
// peer may still be in the room: if it is not, the hub says so); a road
// the peer closed stays closed, its error kept for PeerInfo.
func (p *peer) roadDone() {
	wasOpen := false
	select {
	case <-p.road.Opened():
		wasOpen = true
	default:
	}
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	err := p.road.Err()
	if !wasOpen || errors.Is(err, road.ErrSilent) {
		p.m.startRelay(p, err)
		return
	}
	if !p.relayed {
		p.err = err
	}
}

// closeRoad closes p's road, if any, and says how it had ended: its own
// error, or ErrLeft when it had none.
func (p *peer) closeRoad() error {
	if p.road == nil {
		return ErrLeft
	}
	err := p.road.Err()
	_ = p.road.Close()
	if err == nil || err == road.ErrClosed {
		return ErrLeft
	}
	return err
}

// relaySend sends one frame or state message to p through the hub; false
// when it was dropped (counted): over the pace, or the hub's queue full.
func (p *peer) relaySend(kind byte, b []byte) bool {
	if !p.m.pace.Allow() {
		p.drops[road.DropBuffered].Add(1)
		return false
	}
	data := make([]byte, 1+len(b))
	data[0] = kind
	copy(data[1:], b)
	if !p.m.enqueue(signal.Relay{Peer: p.id, Data: data}) {
		p.drops[road.DropQueueFull].Add(1)
		return false
	}
	if kind == relayState {
		p.stateSent.Add(1)
	} else {
		p.sent.Add(1)
		p.sentBytes.Add(uint64(len(b)))
	}
	return true
}

// Send sends one frame to peer: on its road if open, through the hub if
// the peer is relayed. A frame over road.MTU is refused with EMSGSIZE and
// an empty one with EINVAL; a frame for a road still connecting, or
// closed, is dropped (counted) with an error that says so. A frame lost
// to congestion returns nil, as on a road: it is lost the way a cable
// loses one.
func (m *Mesh) Send(id signal.PeerID, frame []byte) error {
	switch {
	case len(frame) > road.MTU:
		return fmt.Errorf("mesh: a frame of %d bytes is over the road's MTU of %d: %w", len(frame), road.MTU, sock.ErrMsgSize)
	case len(frame) == 0:
		return fmt.Errorf("mesh: an empty frame: %w", sock.ErrInval)
	}
	m.mu.Lock()
	p := m.byID[id]
	var relayed, hubGone, star bool
	if p != nil {
		relayed, hubGone, star = p.relayed, m.hubGone, m.viaStar(p)
	}
	m.mu.Unlock()
	switch {
	case p == nil:
		return fmt.Errorf("mesh: to %s: %w", id, ErrNoPeer)
	case star:
		return m.starSend(p, frame)
	case relayed && hubGone:
		p.drops[road.DropNotOpen].Add(1)
		return fmt.Errorf("mesh: to %s (relayed): %w", id, ErrHubGone)
	case relayed:
		p.relaySend(relayFrame, frame)
		return nil
	}
	switch p.road.State() {
	case road.StateOpen:
		return p.road.Send(frame)
	case road.StateConnecting:
		p.drops[road.DropNotOpen].Add(1)
		return fmt.Errorf("mesh: to %s: %w", id, ErrNotOpen)
	default:
		p.drops[road.DropNotOpen].Add(1)
		return fmt.Errorf("mesh: to %s: %w", id, p.road.Err())
	}
}

// Congested reports whether a frame for peer sent now would be dropped
// for congestion on this end: its road (or the star's road to the
// router) is over its high water or its send queue is full, or, relayed,
// the relay's pace or the hub's queue has no room. A sender that would
// rather wait than lose frames (a benchmark, a bulk copy that is not TCP)
// can look before it sends; an unknown peer is not congested (Send says
// what is wrong with it).
func (m *Mesh) Congested(id signal.PeerID) bool {
	m.mu.Lock()
	p := m.byID[id]
	var relayed, star bool
	if p != nil {
		relayed, star = p.relayed, m.viaStar(p)
	}
	m.mu.Unlock()
	switch {
	case p == nil:
		return false
	case star:
		return m.star.road.Congested()
	case relayed:
		return m.pace.Tokens() < 1 || len(m.out) == cap(m.out)
	}
	return p.road.Congested()
}

// Drain hands every frame received since the last call (on a road or
// through the hub) to f, peer by peer in the order they came, oldest
// first, and returns how many it handed. It never blocks; f runs on the
// caller's goroutine and may keep the slices.
func (m *Mesh) Drain(f func(peer signal.PeerID, frame []byte)) int {
	n := m.starDrain(f)
	var items []item
	for _, p := range m.snapshot() {
		if p.road != nil {
			n += p.road.Drain(func(b []byte) { f(p.id, b) })
		}
		items = p.in.take(items[:0])
		for _, it := range items {
			f(it.peer, it.b)
		}
		n += len(items)
	}
	return n
}

// SendState sends one state message (a snapshot) to every peer: on the
// road's reliable channel to every open peer, and through the hub to every
// relayed one when it fits in one relay message (signal.MaxRelay-1 bytes;
// a bigger one is not sent to relayed peers, counted as an oversize drop).
// In a star room it is one message, for every peer the router reaches,
// on the road to the router. A message over road.MaxState is refused with
// EMSGSIZE; a peer whose road is not open is skipped.
func (m *Mesh) SendState(b []byte) error {
	if len(b) > road.MaxState {
		return fmt.Errorf("mesh: a state message of %d bytes is over %d: %w", len(b), road.MaxState, sock.ErrMsgSize)
	}
	var starred []*peer // reached by the router: one message for them all
	for _, p := range m.snapshot() {
		m.mu.Lock()
		relayed, star := p.relayed, m.viaStar(p)
		m.mu.Unlock()
		switch {
		case star:
			starred = append(starred, p)
		case relayed && 1+len(b) > signal.MaxRelay:
			p.drops[road.DropOversize].Add(1)
		case relayed:
			p.relaySend(relayState, b)
		case p.road.State() == road.StateOpen:
			if p.road.SendState(b) != nil {
				p.drops[road.DropSendError].Add(1)
			}
		}
	}
	m.starSendState(starred, b)
	return nil
}

// DrainState hands every state message received since the last call to
// f, and returns how many it handed. It never blocks.
func (m *Mesh) DrainState(f func(peer signal.PeerID, b []byte)) int {
	n := m.starDrainState(f)
	for _, p := range m.snapshot() {
		if p.road == nil {
			continue
		}
		for b, ok := p.road.RecvState(); ok; b, ok = p.road.RecvState() {
			f(p.id, b)
			n++
		}
	}
	items := m.stateIn.take(nil)
	for _, it := range items {
		f(it.peer, it.b)
	}
	return n + len(items)
}

// Peers is every peer in the room now, in the order they came.
func (m *Mesh) Peers() []PeerInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]PeerInfo, 0, len(m.peers))
	for _, p := range m.peers {
		pi := PeerInfo{ID: p.id, Name: p.name, Relayed: p.relayed, Err: p.err}
		switch {
		case m.viaStar(p):
			pi.Star = true
			pi.Stats = p.starStats(m.star.road)
			pi.State = pi.Stats.State
		case p.relayed:
			pi.Stats = p.relayStats(m.hubGone)
			pi.State = pi.Stats.State
		case p.road != nil:
			pi.Stats = p.road.Stats()
			pi.State = pi.Stats.State
			if pi.Err == nil {
				pi.Err = p.road.Err()
			}
		}
		out = append(out, pi)
	}
	return out
}

// relayStats are the counters of a relayed peer, shaped like a road's.
func (p *peer) relayStats(hubGone bool) road.Stats {
	s := road.Stats{
		State:    road.StateOpen,
		SentMsgs: p.sent.Load(), SentBytes: p.sentBytes.Load(),
		RecvMsgs: p.recv.Load(), RecvBytes: p.recvBytes.Load(),
		StateSent: p.stateSent.Load(), StateRecv: p.stateRecv.Load(),
		Loss: -1,
	}
	if hubGone {
		s.State = road.StateClosed
	}
	for i := range p.drops {
		s.Drops[i] = p.drops[i].Load()
	}
	return s
}

// signaler is one road's Signaler: what it sends goes to the mesh's
// writer, and the reader hands it the offers and answers of its peer.
type signaler struct {
	m    *Mesh
	peer signal.PeerID
	in   chan signal.Message
}

func newSignaler(m *Mesh, id signal.PeerID) *signaler {
	// A road takes one offer or one answer; a second waits at most.
	return &signaler{m: m, peer: id, in: make(chan signal.Message, 2)}
}

// deliver hands msg to the road without waiting; false when it already
// has messages waiting (a peer repeating itself).
func (s *signaler) deliver(msg signal.Message) bool {
	select {
	case s.in <- msg:
		return true
	default:
		return false
	}
}

// Send queues the road's offer or answer for the hub, waiting for room in
// the queue (SDP is not dropped) until ctx is done or the mesh closes.
func (s *signaler) Send(ctx context.Context, msg signal.Message) error {
	b, err := signal.Encode(msg)
	if err != nil {
		return fmt.Errorf("mesh: to the hub: %w", err)
	}
	select {
	case s.m.out <- b:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mesh: to the hub: %w", ctx.Err())
	case <-s.m.stop:
		return ErrClosed
	}
}

// Recv returns the next offer or answer from the peer.
func (s *signaler) Recv(ctx context.Context) (signal.Message, error) {
	select {
	case msg := <-s.in:
		return msg, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("mesh: from %s: %w", s.peer, ctx.Err())
	case <-s.m.stop:
		return nil, ErrClosed
	}
}

// item is one message of a peer's waiting for the owner.
type item struct {
	peer signal.PeerID
	b    []byte
}

// queue is a bounded FIFO that drops its oldest item when a new one finds
// it full, as the road's own queues do: the newest frame is worth most.
type queue struct {
	mu   sync.Mutex
	buf  []item
	head int
	n    int
}

func newQueue(capacity int) *queue { return &queue{buf: make([]item, capacity)} }

// push adds it and reports whether it pushed the oldest item out.
func (q *queue) push(it item) (dropped bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == len(q.buf) {
		q.buf[q.head] = item{}
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		dropped = true
	}
	q.buf[(q.head+q.n)%len(q.buf)] = it
	q.n++
	return dropped
}

// take removes every item held, oldest first, appending them to into.
func (q *queue) take(into []item) []item {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ; q.n > 0; q.n-- {
		into = append(into, q.buf[q.head])
		q.buf[q.head] = item{}
		q.head = (q.head + 1) % len(q.buf)
	}
	return into
}
