package star

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Errors of a router's, as the hub tells them to the peer that offered.
var (
	// ErrRouterClosed says the router was closed.
	ErrRouterClosed = fmt.Errorf("star: the router is closed: %w", sock.ErrConnRefused)
	// ErrHasRoad says a peer offered a second road while it has one.
	ErrHasRoad = fmt.Errorf("star: the peer has a road to the router already: %w", sock.ErrIsConn)
	// ErrFull says the router holds Options.MaxRoads roads already.
	ErrFull = fmt.Errorf("star: the router holds its most roads: %w", sock.ErrAgain)
)

// Options configure a Router. Every zero field has the default its
// comment gives.
type Options struct {
	// ID is the router's peer id in every room ("star"); the hub's own
	// ids are p1, p2, ..., so it is none of them.
	ID signal.PeerID
	// Road is the template of the road to each peer: the router sets its
	// Role, Peer and Overhead. Its queues are the per-peer queues of the
	// router (SendQueue and HighWater bound what waits for a slow peer),
	// and its SilentAfter defaults to 15 s, as a page's does.
	Road road.Options
	// MaxRoads caps the roads the router holds in all rooms together
	// (512: 16 classrooms of 32).
	MaxRoads int
}

func (o Options) withDefaults() Options {
	if o.ID == "" {
		o.ID = "star"
	}
	if o.Road.SilentAfter <= 0 {
		o.Road.SilentAfter = 15 * time.Second
	}
	if o.MaxRoads <= 0 {
		o.MaxRoads = 512
	}
	o.Road.Role, o.Road.Overhead = road.RoleAnswerer, MaxTag
	return o
}

// Stats are a router's counters at one moment.
type Stats struct {
	// Rooms is how many rooms have a peer with a road here, and Roads how
	// many roads (PeerConnections) the router holds.
	Rooms int `json:"rooms"`
	Roads int `json:"roads"`
	// Frames and States count the messages passed on (a state message for
	// every peer counts once for each peer it went to).
	Frames uint64 `json:"frames"`
	States uint64 `json:"states"`
	// Unroutable counts messages dropped because they were for no peer
	// with an open road here (gone, relayed, not yet open, or a tag that
	// is no peer), Congested those dropped because the addressee's road
	// was congested (its send queue full or its channel over HighWater).
	Unroutable uint64 `json:"unroutable"`
	Congested  uint64 `json:"congested"`
}

// Router is the server's peer of every star room: it answers each peer's
// offer with a road of its own and passes on what comes on it to the
// road of the peer its tag names, tagged with the peer it came from.
// Every road has one goroutine that forwards what arrives on it; a send
// never waits (a congested addressee drops, counted), so one slow peer
// does not slow the others. Its methods are safe from any goroutine.
type Router struct {
	opts Options
	wg   sync.WaitGroup

	mu     sync.Mutex
	closed bool
	rooms  map[signal.RoomID]map[signal.PeerID]*link
	roads  int

	frames, states, unroutable, congested atomic.Uint64
}

// link is the router's road to one peer of one room.
type link struct {
	room signal.RoomID
	id   signal.PeerID
	road *road.Road
	sig  *answerer
	stop chan struct{} // closed to close the road
	once sync.Once
}

func (l *link) close() { l.once.Do(func() { close(l.stop) }) }

// New makes a router; it holds no road until a peer offers one.
func New(o Options) *Router {
	return &Router{opts: o.withDefaults(), rooms: map[signal.RoomID]map[signal.PeerID]*link{}}
}

// ID is the router's peer id in every room.
func (rt *Router) ID() signal.PeerID { return rt.opts.ID }

// Offer takes the whole SDP offer of peer from of room and returns the
// router's whole answer, once its road to the peer has gathered its
// candidates; the road opens when the peer has the answer. It refuses a
// peer that has a road here already (ErrHasRoad), a router that is full
// (ErrFull) or closed, and an offer the road cannot take.
func (rt *Router) Offer(ctx context.Context, room signal.RoomID, from signal.PeerID, sdp string) (string, error) {
	sig := &answerer{offer: signal.Offer{Peer: rt.opts.ID, SDP: sdp}, answer: make(chan string, 1)}
	o := rt.opts.Road
	o.Peer = from
	rt.mu.Lock()
	switch {
	case rt.closed:
		rt.mu.Unlock()
		return "", ErrRouterClosed
	case rt.rooms[room][from] != nil:
		rt.mu.Unlock()
		return "", ErrHasRoad
	case rt.roads >= rt.opts.MaxRoads:
		rt.mu.Unlock()
		return "", fmt.Errorf("%w (%d)", ErrFull, rt.opts.MaxRoads)
	}
	// The place is held while the road is made, so that a second offer
	// is refused and Left finds it.
	l := &link{room: room, id: from, sig: sig, stop: make(chan struct{})}
	if rt.rooms[room] == nil {
		rt.rooms[room] = map[signal.PeerID]*link{}
	}
	rt.rooms[room][from] = l
	rt.roads++
	rt.mu.Unlock()

	r, err := road.New(sig, o)
	if err != nil {
		rt.forget(l)
		return "", fmt.Errorf("star: a road to %s: %w", from, err)
	}
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		_ = r.Close()
		return "", ErrRouterClosed
	}
	l.road = r
	rt.wg.Add(1) // under mu, so that Close waits for it
	rt.mu.Unlock()
	go rt.run(l)
	select {
	case a := <-sig.answer:
		return a, nil
	case <-r.Done():
		err = fmt.Errorf("star: the road to %s: %w", from, r.Err())
	case <-l.stop:
		err = fmt.Errorf("star: %s left while its offer was answered: %w", from, sock.ErrConnReset)
	case <-ctx.Done():
		err = fmt.Errorf("star: answering %s: %w", from, ctx.Err())
	}
	// Forgotten now, not when its goroutine gets to it, so that the
	// refused peer holds no place.
	rt.forget(l)
	l.close()
	return "", err
}

// Left forgets peer of room and closes its road, without waiting.
func (rt *Router) Left(room signal.RoomID, peer signal.PeerID) {
	rt.mu.Lock()
	l := rt.rooms[room][peer]
	rt.mu.Unlock()
	if l != nil {
		rt.forget(l)
		l.close()
	}
}

// forget takes l out of its room, if it is still there.
func (rt *Router) forget(l *link) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	peers := rt.rooms[l.room]
	if peers[l.id] != l {
		return
	}
	delete(peers, l.id)
	rt.roads--
	if len(peers) == 0 {
		delete(rt.rooms, l.room)
	}
}

// Close closes every road and returns once every goroutine of the router
// has ended; offers after it are refused.
func (rt *Router) Close() error {
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil
	}
	rt.closed = true
	var all []*link
	for _, peers := range rt.rooms {
		for _, l := range peers {
			all = append(all, l)
		}
	}
	rt.rooms, rt.roads = map[signal.RoomID]map[signal.PeerID]*link{}, 0
	rt.mu.Unlock()
	for _, l := range all {
		l.close()
	}
	rt.wg.Wait()
	return nil
}

// Stats returns the router's counters.
func (rt *Router) Stats() Stats {
	rt.mu.Lock()
	s := Stats{Rooms: len(rt.rooms), Roads: rt.roads}
	rt.mu.Unlock()
	s.Frames, s.States = rt.frames.Load(), rt.states.Load()
	s.Unroutable, s.Congested = rt.unroutable.Load(), rt.congested.Load()
	return s
}

// run forwards what arrives on l's road until the road ends or l is
// closed, then closes the road and forgets it.
func (rt *Router) run(l *link) {
	defer rt.wg.Done()
	defer rt.forget(l)
	defer l.road.Close()
	for {
		select {
		case <-l.stop:
			return
		case <-l.road.Done():
			return
		case <-l.road.Notify():
			rt.forward(l)
		}
	}
}

// forward passes on every frame and state message waiting on l's road.
func (rt *Router) forward(l *link) {
	l.road.Drain(func(b []byte) {
		to, body, err := Untag(b)
		if err != nil || to == "" {
			rt.unroutable.Add(1)
			return
		}
		dst := rt.open(l.room, to, l)
		if dst == nil {
			rt.unroutable.Add(1)
			return
		}
		if dst.road.Congested() {
			rt.congested.Add(1)
			return
		}
		_ = dst.road.Send(Tag(l.id, body)) // within MTU+MaxTag: it came so
		rt.frames.Add(1)
	})
	for b, ok := l.road.RecvState(); ok; b, ok = l.road.RecvState() {
		to, body, err := Untag(b)
		if err != nil {
			rt.unroutable.Add(1)
			continue
		}
		var dsts []*link
		if to == "" {
			dsts = rt.others(l)
		} else if dst := rt.open(l.room, to, l); dst != nil {
			dsts = []*link{dst}
		}
		if len(dsts) == 0 {
			rt.unroutable.Add(1)
			continue
		}
		msg := Tag(l.id, body)
		for _, dst := range dsts {
			switch err := dst.road.SendState(msg); {
			case err == nil:
				rt.states.Add(1)
			case err == road.ErrCongested:
				rt.congested.Add(1)
			default:
				rt.unroutable.Add(1)
			}
		}
	}
}

// open is the link to peer of room when its road is open, else nil; the
// sender is never its own addressee.
func (rt *Router) open(room signal.RoomID, peer signal.PeerID, from *link) *link {
	rt.mu.Lock()
	l := rt.rooms[room][peer]
	ok := l != nil && l != from && l.road != nil
	rt.mu.Unlock()
	if !ok || l.road.State() != road.StateOpen {
		return nil
	}
	return l
}

// others is every link of l's room but l whose road is open.
func (rt *Router) others(l *link) []*link {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out []*link
	for _, o := range rt.rooms[l.room] {
		if o != l && o.road != nil && o.road.State() == road.StateOpen {
			out = append(out, o)
		}
	}
	return out
}

// answerer is the Signaler of one of the router's roads: it hands the
// road the peer's offer, once, and takes the road's answer for Offer to
// return. The hub carries both; nothing else passes.
type answerer struct {
	offer  signal.Offer
	once   sync.Once
	answer chan string
}

// Recv returns the offer the first time, and then waits for ctx.
func (a *answerer) Recv(ctx context.Context) (signal.Message, error) {
	first := false
	a.once.Do(func() { first = true })
	if first {
		return a.offer, nil
	}
	<-ctx.Done()
	return nil, fmt.Errorf("star: nothing more from the peer: %w", ctx.Err())
}

// Send takes the road's answer.
func (a *answerer) Send(_ context.Context, m signal.Message) error {
	ans, ok := m.(signal.Answer)
	if !ok {
		return fmt.Errorf("star: the router's road sent %s, not an answer: %w", m.Kind(), sock.ErrInval)
	}
	select {
	case a.answer <- ans.SDP:
		return nil
	default:
		return fmt.Errorf("star: the router's road answered twice: %w", sock.ErrInval)
	}
}
