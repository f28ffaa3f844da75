package play

import (
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// The way back. The simulator is deterministic: a fresh runner given the
// same calls, in the same order, makes the same events. So the player
// records every call it makes to the runner (an op) as plain values, and
// going back is giving a fresh runner, or a copy of one kept on the way
// (checkpoint.go), the recorded calls up to the chosen moment.
//
// A moment must lie between two runner calls, and one call can make many
// events (a frame's Advance at 100x, a typed "run 1m"). So the player
// never makes a long Advance in one call: advanceOnce cuts it at each
// instant something is scheduled, the same way when recording and when
// replaying, so that there is a place to stop between any two instants.
// Those places are the stops; a stop is the state just before the call
// that makes the next events, and is named by how many events came
// before it (see EventIndex).

// opKind says which runner call an op records.
type opKind uint8

const (
	opOpen      opKind = iota + 1 // Open: the scenario's line at the gate may start
	opAdvance                     // Advance to limit, one instant a call (see advanceOnce)
	opStep                        // StepOne, n times
	opInterject                   // Interject a typed line (history.lines[n])
	opArrive                      // Deliver a frame that came from a peer (history.frames[n])
)

// op is one recorded call to the runner, with what the player's own
// clocks said when it was made: wall and paced set the animation's times
// and the pace of playing forward again, started whether the story had
// begun (a caption read before it holds nothing up).
type op struct {
	kind    opKind
	started bool
	// gate says, for a typed line, that the scenario's next line waited
	// at the gate when it came (see Transcript).
	gate bool
	// n is a step op's count, a typed line's place in history.lines.
	n int32
	// limit is where an advance goes; for a typed line, the virtual
	// time it came at.
	limit time.Duration
	wall  time.Duration
	paced time.Duration
}

// pos is a place in the recorded calls: ops[:op] carried out whole and
// sub of ops[op]'s calls to the runner (instants of an advance, steps of
// a step op).
type pos struct{ op, sub int32 }

func (a pos) before(b pos) bool { return a.op < b.op || a.op == b.op && a.sub < b.sub }

// stop is a place one can go back to: the state just before the call that
// makes event events+1.
type stop struct {
	events int32
	at     pos
}

// history is what a scenario's run recorded since it was loaded.
type history struct {
	ops     []op
	lines   []script.Line // typed lines, for opInterject
	frames  []arrival     // frames from peers, for opArrive
	stops   []stop
	entries []TimelineEntry
	// at is where the runner is in ops; at the end of ops it is at the
	// head, and what the player does is recorded.
	at pos
	// head is what the pace said when the player left the head, to give
	// back once it gets there again.
	head paceState
	// offset is how much later on the paced clock the recorded calls are
	// played again than they were first made.
	offset time.Duration
	// checkpoints are copies of the engine along the way, by place
	// (checkpoint.go); spare is a copy of the one at spareOf, made
	// ahead for the next Back.
	checkpoints []checkpoint
	spare       *engine
	spareOf     pos
	// every is how many events apart checkpoints are kept: 0 is
	// CheckpointEvery, below 0 none (tests replay from the start).
	every int
	// dropped is how many entries a town that cannot go back let go
	// from the front of the timeline (see maxLiveEntries).
	dropped int
	// picked is the last filter's entries (see Timeline); cuts counts
	// the times the recorded future was cut off, which changes them.
	picked picks
	cuts   int
}

// paceState is the player's pace at the head, kept while it is back in
// time: a line's time on screen left, and the clocks it was taken at.
type paceState struct {
	gateIn      time.Duration
	running     bool
	wall, paced time.Duration
}

// here is the place the runner is at, named so that it stays the same
// place as more is recorded: at the head after a step op, the count of its
// steps, since more steps made in the same frame join it.
func (h *history) here() pos {
	if n := len(h.ops); h.atHead() && n > 0 && h.ops[n-1].kind == opStep {
		return pos{op: int32(n - 1), sub: h.ops[n-1].n}
	}
	return h.at
}

// norm names place at as the calls give it: the end of a step op is the
// start of the next.
func (h *history) norm(at pos) pos {
	if int(at.op) < len(h.ops) && h.ops[at.op].kind == opStep && at.sub >= h.ops[at.op].n {
		return pos{op: at.op + 1}
	}
	return at
}

// atHead reports whether the runner is at the end of what was recorded,
// where the player's calls are recorded rather than replayed.
func (h *history) atHead() bool { return int(h.at.op) == len(h.ops) && h.at.sub == 0 }

// recording reports whether the player records its calls: it plays its
// own simulator (a live kernel, a remote run or a feed cannot be replayed).
func (p *Player) recording() bool {
	return p.newKernel == nil && p.remote == nil && p.source == nil && p.r != nil
}

// record adds an op made now at the head; consecutive steps made in the
// same frame are one op.
func (p *Player) record(o op) {
	if !p.recording() {
		return
	}
	o.wall, o.paced, o.started = p.wall, p.paced, p.started
	h := &p.hist
	if n := len(h.ops); o.kind == opStep && n > 0 {
		if last := &h.ops[n-1]; last.kind == opStep && last.wall == o.wall && last.paced == o.paced && last.started == o.started {
			last.n++
			h.at = pos{op: int32(n)}
			return
		}
	}
	h.ops = append(h.ops, o)
	h.at = pos{op: int32(len(h.ops))}
}

// noteStop keeps place at, where a call just made at the head started
// with before events, as a stop if the call made events.
func (p *Player) noteStop(at pos, before int) {
	if p.recording() && p.made() > before {
		p.hist.stops = append(p.hist.stops, stop{events: int32(before), at: at})
	}
}

// lastPos is the place of the last call of the op just recorded.
func (p *Player) lastPos() pos {
	n := int32(len(p.hist.ops)) - 1
	if n < 0 {
		return pos{}
	}
	o := p.hist.ops[n]
	if o.kind == opStep {
		return pos{op: n, sub: o.n - 1}
	}
	return pos{op: n}
}

// open lets the scenario's line at the gate start at the next move.
func (p *Player) open() {
	if _, ok := p.r.AtGate(); !ok {
		return // nothing to open: the runner would do nothing
	}
	p.record(op{kind: opOpen})
	p.r.Open()
}

// stepOne does the smallest next thing (see Runner.StepOne).
func (p *Player) stepOne() bool {
	p.record(op{kind: opStep, n: 1})
	at, before := p.lastPos(), p.made()
	ok := p.r.StepOne()
	p.noteStop(at, before)
	return ok
}

// interject adds a typed line beside the scenario. Its op keeps when it
// came (limit) and whether the scenario's next line waited at the gate
// then (gate), for Transcript.
func (p *Player) interject(l script.Line) {
	p.hist.lines = append(p.hist.lines, l)
	_, gate := p.r.AtGate()
	p.record(op{kind: opInterject, n: int32(len(p.hist.lines) - 1), limit: p.r.Now(), gate: gate})
	p.r.Interject(l)
}

// arrival is a frame that came along a road from a peer's town: on
// host's road from far.
type arrival struct {
	host, far string
	b         []byte
}

// arrive hands the runner a frame that came from a peer, now. Its op
// keeps the bytes, so that replaying the town (going back, a saved
// session) gives the same frame at the same instant, with no peer there.
func (p *Player) arrive(host, far string, b []byte) error {
	p.hist.frames = append(p.hist.frames, arrival{host: host, far: far, b: b})
	p.record(op{kind: opArrive, n: int32(len(p.hist.frames) - 1), limit: p.r.Now()})
	at, before := p.lastPos(), p.made()
	err := p.deliver(arrival{host: host, far: far, b: b})
	p.noteStop(at, before)
	return err
}

// deliver hands the runner an arrival and lets it carry out, at the
// same instant, what the frame set going (a background accept that can
// return now): else the next advance would, at whatever instant the
// frame loop reached, and a replay's advances, joined, reach another.
func (p *Player) deliver(a arrival) error {
	err := p.r.Deliver(a.host, a.far, a.b)
	p.r.CatchUp()
	return err
}

// advance carries the runner on to limit, an instant a call. Past
// maxEvents (when set) events or calls it stops where it is, the op says
// so, and stopped is true.
func (p *Player) advance(limit time.Duration) (stopped bool) {
	p.record(op{kind: opAdvance, limit: limit})
	at := p.lastPos()
	for {
		before := p.made()
		over := p.advanceOnce(limit)
		p.noteStop(at, before)
		if over {
			return false
		}
		if p.maxEvents > 0 && (p.made() > p.maxEvents || int(at.sub) > p.maxEvents) {
			p.hist.ops[at.op].limit = p.r.Now() // as far as it went
			return true
		}
		at.sub++
	}
}

// advanceOnce makes one call of an advance to limit: up to the next
// instant something is scheduled, or to limit if that comes first. It
// reports whether the advance is over. Advance(a) then Advance(b) does
// what Advance(b) does, a being an instant at which the world does what
// it had scheduled; cutting there only gives a place to stop.
func (p *Player) advanceOnce(limit time.Duration) (over bool) {
	next, ok := p.r.Kernel().NextEvent()
	if !ok || next >= limit {
		p.r.Advance(limit)
		return true
	}
	now, before := p.r.Now(), p.made()
	p.r.Advance(next)
	if _, held := p.r.AtGate(); held {
		return true // time stands still at the gate: Advance(limit) would return at once
	}
	if p.made() == before && p.r.Now() == now {
		// Nothing moved (a wait the runner keeps): let it go on to
		// limit in one call, which replaying makes the same way.
		p.r.Advance(limit)
		return true
	}
	return false
}

// maxLiveEntries bounds the timeline of a town that cannot go back (a
// live kernel, a remote run, a watch, which may run for hours): past it
// the older half goes.
const maxLiveEntries = 100_000

// newEvent counts an event and, the first time it is seen, adds it to
// the timeline and tells the OnEvent hook.
func (p *Player) newEvent(e sock.Event) {
	h := &p.hist
	if p.events == h.dropped+len(h.entries) {
		h.entries = append(h.entries, entryOf(p.events, e))
		if len(h.entries) > maxLiveEntries && !p.recording() {
			n := len(h.entries) / 2
			h.entries = append(h.entries[:0], h.entries[n:]...)
			h.dropped += n
		}
		if p.onEvent != nil {
			p.onEvent(p.events, e)
		}
	}
	p.events++
	p.console.at = p.made()
}

// made is how many events the runner has made: those the town shows and
// those it holds back (see hold). The recorded calls are counted in it,
// so that a replay that holds events back makes the same calls.
func (p *Player) made() int { return p.events + len(p.held) }
