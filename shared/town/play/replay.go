package play

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// Going back: the runner is rebuilt by giving a fresh one the recorded
// calls (history.go) up to a stop. Once back in time, playing on gives the
// runner the recorded calls again, at the pace they were first made, so
// the town goes the same way; a new line typed there cuts the recorded
// future off (an undo history), and the console says so.

// errCannotGoBack is Back's and JumpTo's error on a town whose run cannot
// be replayed.
var errCannotGoBack = errors.New("this town's clock is not the simulator's (a live kernel, a run on the server, or real programs' sockets): what happened cannot be played again, so there is no going back")

// EventCount is how many events the scenario's run has made since it was
// loaded (the timeline's length), or a town that cannot go back has seen
// since it was made.
func (p *Player) EventCount() int { return p.hist.dropped + len(p.hist.entries) }

// EventIndex is how many events the town now shows as having happened:
// EventCount at the head of the run, fewer once back in time. The
// timeline's entries with an Index below it have happened.
func (p *Player) EventIndex() int { return p.events }

// BackInTime reports whether the town shows a moment before the end of
// what was recorded: playing on replays what happened then, and a typed
// line cuts it off.
func (p *Player) BackInTime() bool { return p.recording() && !p.atHead() }

// CanBack reports whether Back would go back: the town plays its own
// simulator and some event has happened.
func (p *Player) CanBack() bool {
	_, ok := p.stopBefore(p.events)
	return p.recording() && ok && p.peers == nil
}

// Back goes back one event: the town as it was just after the event
// before the last one it shows, even when both happened at one instant
// (EventIndex is one less), and pauses. At the start, or on a town that
// cannot be replayed, it is an error and nothing changes.
func (p *Player) Back() error {
	if !p.recording() {
		return errCannotGoBack
	}
	if p.peers != nil {
		return errShared
	}
	if _, ok := p.stopBefore(p.events); !ok {
		return errors.New("back: this is the start of the story: nothing happened before it")
	}
	p.paused = true
	p.landOn(p.events-1, true)
	return nil
}

// JumpTo shows the town just after the first n events of the timeline
// have happened (0 is the start; EventCount the head), and pauses: its
// snapshot, animation and console as they were then, even when more
// events came at the same instant as the nth. An n outside
// 0..EventCount, or a town that cannot be replayed, is an error and
// nothing changes.
func (p *Player) JumpTo(n int) error {
	if !p.recording() {
		return errCannotGoBack
	}
	if p.peers != nil {
		return errShared
	}
	if n < 0 || n > p.EventCount() {
		return fmt.Errorf("jump: there is no event %d: the timeline has %d", n, p.EventCount())
	}
	p.paused = true
	p.landOn(n, true)
	return nil
}

// stopBefore is the last stop with fewer than n events before it.
func (p *Player) stopBefore(n int) (stop, bool) {
	st := p.hist.stops
	i := sort.Search(len(st), func(i int) bool { return int(st[i].events) >= n })
	if i == 0 {
		return stop{}, false
	}
	return st[i-1], true
}

// seek brings the runner to place to, where events events have
// happened: on from where it is, or from the nearest checkpoint or a
// fresh runner when to lies behind. The animation, the captions and the
// console become what they were there; the player's clocks stay where
// they are.
func (p *Player) seek(to pos, events int) { p.seekHeld(to, events, 0, true) }

// seekHeld is seek, and then, when hold is above events, the call at to
// carried out showing its events up to the holdth (see applyHeld).
// jumped says the console is laid out again rather than added to.
func (p *Player) seekHeld(to pos, events, hold int, jumped bool) {
	h := &p.hist
	to = h.norm(to)
	if len(p.held) > 0 && !to.before(h.at) {
		p.flush() // on from here: the runner is past them
	}
	if p.atHead() {
		p.leaveHead()
	}
	wall, paced := p.wall, p.paced
	// From the nearest checkpoint before, if it is nearer than where the
	// runner is; else from the start, or on from here. The player's
	// clocks are set to those recorded there, and the animation's times
	// with them.
	switch c, ok := h.checkpointBefore(to); {
	case ok && (to.before(h.at) || h.at.before(c.at)):
		p.restore(c)
	case to.before(h.at):
		p.freshRunner(nil)
		p.wall, p.paced = h.clocksAt(pos{})
		p.captionAt = p.paced
	default:
		p.retime(h.clocksAt(h.at))
	}
	p.console.mute = true
	lastWall := p.wall
	for h.at.before(to) {
		o := h.ops[h.at.op]
		p.wall, p.paced = o.wall, o.paced
		if o.wall != lastWall {
			p.anim.settle(p.r.Now(), lastWall) // as each frame's end did
			lastWall = o.wall
		}
		p.applyNext()
		if near := h.spacing() / 4; p.events >= events-near {
			p.maybeCheckpoint(near) // where the learner goes back, going back again is quick
		}
	}
	if hold > p.events && !h.atHead() {
		o := h.ops[h.at.op]
		p.wall, p.paced = o.wall, o.paced
		snaps := 0
		if !jumped {
			snaps = maxHeldSnaps // stepping on: the next Steps show them at once
		}
		p.applyHeld(hold, snaps)
	}
	p.console.mute = false
	p.wall, p.paced = h.clocksAt(h.at)
	p.retime(wall, paced)
	p.r.Errors() // said when they first happened: the console has them
	p.console.show(p.events, jumped)
	p.arrived()
	if len(p.held) > 0 {
		p.showSnapshot(p.holdSnap)
	} else {
		p.takeSnapshot()
	}
	p.anim.settle(p.Now(), p.wall)
}

// clocksAt are the player's wall and paced clocks as recorded at place at.
func (h *history) clocksAt(at pos) (wall, paced time.Duration) {
	if int(at.op) < len(h.ops) {
		o := h.ops[at.op]
		return o.wall, o.paced
	}
	return h.head.wall, h.head.paced
}

// retime sets the player's clocks to wall and paced, moving what was
// timed on them along, so that a letter falls and a caption is read as
// long after its start as it was.
func (p *Player) retime(wall, paced time.Duration) {
	p.anim.shiftWall(wall - p.wall)
	p.wall = wall
	d := paced - p.paced
	p.captionAt += d
	p.gateAt += d
	p.paced = paced
}

// leaveHead keeps the pace of the head, to give back on coming to it again.
func (p *Player) leaveHead() {
	p.hist.head = paceState{gateIn: p.gateAt - p.paced, running: p.running, wall: p.wall, paced: p.paced}
	p.console.logging = false
}

// arrived sets the pace for the place the runner has come to: the head's
// as it was, or the next line's time on screen from now.
func (p *Player) arrived() {
	h := &p.hist
	if p.atHead() {
		p.gateAt, p.running = p.paced+h.head.gateIn, h.head.running
		p.console.logging = true
		return
	}
	p.gateAt, p.running = p.paced+LineTime, false
	// Play replays the recorded calls at their pace from here.
	_, at := h.clocksAt(h.at)
	h.offset = p.paced - at
}

// applyNext gives the runner the recorded call at the place it is at, and
// moves the place on. It does nothing at the head.
func (p *Player) applyNext() {
	h := &p.hist
	if h.atHead() {
		return
	}
	o := h.ops[h.at.op]
	p.started = o.started
	next := pos{op: h.at.op + 1}
	switch o.kind {
	case opOpen:
		p.r.Open()
	case opInterject:
		l := h.lines[o.n]
		p.r.Interject(l)
		p.lines = max(p.lines, l.No)
	case opArrive:
		_ = p.deliver(h.frames[o.n]) // as it went the first time: refused then too
	case opStep:
		p.r.StepOne()
		if h.at.sub+1 < o.n {
			next = pos{op: h.at.op, sub: h.at.sub + 1}
		}
	case opAdvance:
		if !p.advanceOnce(o.limit) {
			next = pos{op: h.at.op, sub: h.at.sub + 1}
		}
	}
	h.at = next
}

// freshRunner makes a new runner for the loaded scenario on kernel k (nil:
// a fresh simulator), at its start, with everything that follows its run
// (animation, captions, events) back at theirs.
func (p *Player) freshRunner(k sock.Kernel) {
	p.r = script.NewRunner(script.Options{Seed: p.seed, Sink: sink{p}, Interactive: true, Kernel: k, MaxRun: p.maxRun, Roads: p.sendRoad})
	p.r.SetGated(true)
	p.r.Enqueue(p.lineList...)
	p.lines, p.current = p.lastNo, 0
	p.caption = newCaptions(p.src)
	p.toldAt = 0
	p.anim.reset()
	p.events, p.console.at = 0, 0
	p.held = nil
	p.started = false
	p.hist.at = pos{}
}

// startEngine is a fresh engine for the loaded scenario on a fresh
// simulator, at its start, as freshRunner makes the player's.
func (p *Player) startEngine() *engine {
	r := script.NewRunner(script.Options{Seed: p.seed, Sink: sink{p}, Interactive: true, MaxRun: p.maxRun, Roads: p.sendRoad})
	r.SetGated(true)
	r.Enqueue(p.lineList...)
	e := &engine{r: r, caption: newCaptions(p.src), lines: p.lastNo}
	e.anim.live = p.anim.live
	e.anim.reset()
	return e
}

// replayForward plays the recorded calls on from the place the runner is
// at, for dt of wall time: those made within dt of the pace they were
// first made at, or as fast as possible FastSteps of them. It reports
// whether the runner came to the head.
func (p *Player) replayForward(dt time.Duration) {
	h := &p.hist
	p.console.mute = true
	if p.fastest {
		for i := 0; i < FastSteps && !h.atHead(); i++ {
			p.applyNext()
		}
	} else {
		p.paced += time.Duration(float64(dt) * p.speed)
		for !h.atHead() && h.ops[h.at.op].paced+h.offset <= p.paced {
			p.applyNext()
		}
	}
	p.console.mute = false
	p.movedForward()
}

// stepForward shows one event more: the next held back, or the recorded
// calls replayed on to just after it; with every event shown, the calls
// on to the head.
func (p *Player) stepForward() {
	p.landOn(min(p.events+1, p.EventCount()), false)
	if !p.atHead() {
		_, at := p.hist.clocksAt(p.hist.at)
		p.hist.offset = p.paced - at // Play goes on at the recorded pace from here
	}
}

// movedForward shows what the recorded calls just given made: the console
// lines they made then, and the head's pace once it is there.
func (p *Player) movedForward() {
	p.r.Errors() // said when they first happened
	p.console.show(p.events, false)
	if p.hist.atHead() {
		p.arrived()
	}
}

// runForward carries the town d of virtual time on along what was
// recorded, and live past the head.
func (p *Player) runForward(d time.Duration) {
	end := p.r.Now() + d
	p.console.mute = true
	for h := &p.hist; !h.atHead() && p.r.Now() < end; {
		p.applyNext()
	}
	p.console.mute = false
	p.movedForward()
	if p.hist.atHead() && p.r.Now() < end {
		p.runFor(end - p.r.Now())
	}
}

// cutFuture makes the moment the town shows the head, forgetting what was
// recorded after it: a new line typed back in time makes another story.
// The console says so.
func (p *Player) cutFuture() {
	h := &p.hist
	p.flush() // a line cannot come between the events of one instant
	if !p.recording() || h.atHead() {
		return
	}
	at := h.at
	i := sort.Search(len(h.stops), func(i int) bool { return !h.stops[i].at.before(at) })
	h.stops = h.stops[:i]
	h.dropCheckpointsAfter(at)
	// The op under way ends here: an advance at the instant reached,
	// steps after those made.
	if at.sub > 0 {
		o := &h.ops[at.op]
		switch o.kind {
		case opAdvance:
			o.limit = p.r.Now()
		case opStep:
			o.n = at.sub
		}
		h.at = pos{op: at.op + 1}
		if n := len(h.checkpoints); n > 0 && h.checkpoints[n-1].at == at {
			h.checkpoints[n-1].at = h.at
		}
	}
	cut := len(h.entries) - p.events
	h.cuts++
	h.spare = nil // a checkpoint at its place would be of the new story
	h.ops = h.ops[:h.at.op]
	h.entries = h.entries[:p.events]
	p.console.cut(p.events)
	p.gateAt, p.running = p.paced+LineTime, false
	p.console.logging = true
	p.reset(p.events)
	p.console.add(LineInfo, fmt.Sprintf("# Back in time: what you do now makes another story from event %d on (the %d events recorded after it are forgotten)", p.events, cut))
}
