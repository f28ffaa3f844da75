package play

import "socketville/shared/sock"

// Hooks for a view that follows the run's events (the town's lesson
// judge): each event once, in order, and a word when the timeline loses
// the events past a point, so that it need not replay the run itself.

// OnEvent sets the function told of each event of the run once, in order,
// as the timeline first lists it (i is its Index): when the runner makes
// it at the head, not again when going back and forward replays it. It
// is first told the events so far, replayed aside from the scenario's
// start, so that it need not have been set before the town was loaded. It
// replaces the one set before; nil sets none. Events come from inside the
// kernel: fn must not call the player.
func (p *Player) OnEvent(fn func(i int, e sock.Event)) {
	p.onEvent = nil
	if fn != nil && p.EventCount() > 0 {
		p.replayAside(fn)
	}
	p.onEvent = fn
}

// OnReset sets the function told that the timeline lost its events from
// n on: n is 0 when a scenario is loaded (or played again), and the
// moment shown when a line typed back in time cut the recorded future
// off. The events told to OnEvent from then on are numbered from n. Back
// and JumpTo lose nothing: they change EventIndex, which a follower
// judging the moment shown reads. It replaces the one set before; nil
// sets none.
func (p *Player) OnReset(fn func(n int)) { p.onReset = fn }

// reset tells the OnReset hook that the timeline lost its events from n on.
func (p *Player) reset(n int) {
	if p.onReset != nil {
		p.onReset(n)
	}
}

// replayAside tells fn every event the run has made, replaying the
// recorded calls with a fresh runner aside from the player's own. A town
// that cannot be replayed tells nothing of what came before.
func (p *Player) replayAside(fn func(i int, e sock.Event)) {
	if !p.recording() {
		return
	}
	h := &p.hist
	e := p.startEngine()
	n := p.EventCount()
	p.aside(e, func() {
		p.tap = fn
		h.at = pos{}
		for !h.atHead() && p.events < n {
			p.applyNext()
		}
		p.tap = nil
	})
}
