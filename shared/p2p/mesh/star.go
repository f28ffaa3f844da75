package mesh

import (
	"errors"
	"fmt"
	"time"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/p2p/star"
)

// ErrRouterGone says a peer is relayed because the road to the star's
// router ended (or never opened): its frames go through the hub instead.
var ErrRouterGone = errors.New("mesh: relayed: the road to the server's router ended")

// routerRoad is the one road of a star room (the welcome named a router):
// it goes to the server's router and carries what this peer sends every
// other peer, each message tagged with the peer it is for (star.Tag).
type routerRoad struct {
	id   signal.PeerID // the router's
	road *road.Road
	sig  *signaler

	// Guarded by m.mu.
	open   bool
	failed error // why every peer is relayed now, or nil
}

// newRouterRoad makes the road to the router of a star room; m.mu is not
// held. Without WebRTC, or when no road can be made, it is failed from
// the start and every peer is relayed.
func (m *Mesh) newRouterRoad(id signal.PeerID) *routerRoad {
	h := &routerRoad{id: id}
	if m.opts.NoWebRTC {
		h.failed = ErrNoWebRTC
		return h
	}
	ro := m.opts.Road
	ro.Role, ro.Peer, ro.ICE, ro.Overhead = road.RoleOfferer, id, m.ice, star.MaxTag
	h.sig = newSignaler(m, id)
	r, err := road.New(h.sig, ro)
	if err != nil {
		h.sig, h.failed = nil, fmt.Errorf("%w: no road: %v", ErrRouterGone, err)
		return h
	}
	h.road = r
	return h
}

// viaStar says p's frames go by the router now; m.mu is held.
func (m *Mesh) viaStar(p *peer) bool {
	return m.star != nil && m.star.failed == nil && !p.relayed
}

// starJoined tells of a peer that came into a star room whether it is
// reached already (its road is the router's, open) or relayed; m.mu is
// held.
func (m *Mesh) starJoined(p *peer) {
	switch {
	case m.star.failed != nil:
		m.startRelay(p, m.star.failed)
	case m.star.open:
		m.event(Event{Kind: EventOpen, Peer: p.id})
	}
}

// watchStar follows the road to the router until the mesh closes: when
// it opens, every peer's road is open; when it does not open in time, or
// ends while the mesh is open, every peer is relayed through the hub, as a
// peer whose own road failed would be.
func (m *Mesh) watchStar() {
	defer m.peersWG.Done()
	h := m.star
	r := h.road
	t := time.NewTimer(m.opts.RelayAfter)
	defer t.Stop()
	opened, done, timeout := r.Opened(), r.Done(), t.C
	for {
		select {
		case <-m.stop:
			_ = r.Close()
			return
		case <-opened:
			opened, timeout = nil, nil
			m.mu.Lock()
			if h.failed == nil {
				h.open = true
				for _, p := range m.peers {
					if !p.relayed {
						m.event(Event{Kind: EventOpen, Peer: p.id})
					}
				}
			}
			m.mu.Unlock()
		case <-timeout:
			m.starFailed(fmt.Errorf("%w: no road to it within %s: %w", ErrRouterGone, m.opts.RelayAfter, road.ErrNoChannel))
			_ = r.Close()
			return
		case <-done:
			m.starFailed(fmt.Errorf("%w: %w", ErrRouterGone, r.Err()))
			_ = r.Close()
			return
		case <-r.Notify():
			m.poke()
		}
	}
}

// starFailed relays every peer of a star room from now on, for why.
func (m *Mesh) starFailed(why error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closing || m.star.failed != nil {
		return
	}
	m.star.open, m.star.failed = false, why
	for _, p := range m.peers {
		m.startRelay(p, why)
	}
}

// starSend sends one frame to p by the router.
func (m *Mesh) starSend(p *peer, frame []byte) error {
	r := m.star.road
	switch r.State() {
	case road.StateOpen:
		p.sent.Add(1)
		p.sentBytes.Add(uint64(len(frame)))
		return r.Send(star.Tag(p.id, frame))
	case road.StateConnecting:
		p.drops[road.DropNotOpen].Add(1)
		return fmt.Errorf("mesh: to %s (by the router): %w", p.id, ErrNotOpen)
	default:
		p.drops[road.DropNotOpen].Add(1)
		return fmt.Errorf("mesh: to %s (by the router): %w", p.id, r.Err())
	}
}

// starDrain hands f every frame the router passed on from a known peer;
// what is from no peer of the room, or ill tagged, is counted and left.
func (m *Mesh) starDrain(f func(peer signal.PeerID, frame []byte)) int {
	if m.star == nil || m.star.road == nil {
		return 0
	}
	n := 0
	m.star.road.Drain(func(b []byte) {
		from, body, err := star.Untag(b)
		p := m.lookup(from)
		if err != nil || p == nil {
			m.count.starDrops.Add(1)
			return
		}
		p.recv.Add(1)
		p.recvBytes.Add(uint64(len(body)))
		f(from, body)
		n++
	})
	return n
}

// starDrainState hands f every state message the router passed on.
func (m *Mesh) starDrainState(f func(peer signal.PeerID, b []byte)) int {
	if m.star == nil || m.star.road == nil {
		return 0
	}
	n := 0
	for b, ok := m.star.road.RecvState(); ok; b, ok = m.star.road.RecvState() {
		from, body, err := star.Untag(b)
		p := m.lookup(from)
		if err != nil || p == nil {
			m.count.starDrops.Add(1)
			continue
		}
		p.stateRecv.Add(1)
		f(from, body)
		n++
	}
	return n
}

// starSendState sends one state message for every peer the router
// reaches, once: the router passes it on to each. One that finds the
// road congested is dropped, counted for each peer it was for; on a road
// not open yet nothing is sent, and each peer gets the next one.
func (m *Mesh) starSendState(to []*peer, b []byte) {
	if len(to) == 0 {
		return
	}
	r := m.star.road
	if r.State() != road.StateOpen {
		return // each gets the next one
	}
	err := r.SendState(star.Tag("", b))
	for _, p := range to {
		switch {
		case err == nil:
			p.stateSent.Add(1)
		case errors.Is(err, road.ErrCongested):
			p.drops[road.DropBuffered].Add(1)
		default:
			p.drops[road.DropSendError].Add(1)
		}
	}
}

// starStats are the counters of a peer reached by the router: its own
// frames, and the road's state, RTT and loss (to the router and back, the
// half of the way each message goes that this end can measure).
func (p *peer) starStats(r *road.Road) road.Stats {
	s := p.relayStats(false)
	rs := r.Stats()
	s.State, s.RTT, s.Loss = rs.State, rs.RTT, rs.Loss
	return s
}
