package play

import (
	"sort"

	"socketville/shared/sock"
)

// One event at a time. The kernel can only stop between two of its
// happenings (the scheduler fires one wake-up at a time), and one
// happening publishes several events: a SYN|ACK arriving is delivered,
// moves the socket to ESTABLISHED and sends an ACK, three events at one
// instant. The recorded calls stop only between calls (history.go), each
// of which may run several happenings. So to show the town just after
// event n of such a call, the player replays up to the call, carries it
// out while holding back the events after the nth (hold): the animation,
// the console, the timeline's "happened" mark and the hooks see only the
// first n, and the snapshot shown is the one taken as the nth event was
// published, while the runner has gone on to the call's end. Step then
// shows the next held event with the snapshot taken as it was
// published; the last one shows the runner's own. Anything that moves
// the runner on (Play, a typed line, run) first shows what is held.

// heldEvent is an event the runner made that the town does not show yet,
// with the town as it was just after it was published.
type heldEvent struct {
	e    sock.Event
	snap sock.Snapshot
	ok   bool // snap was taken (see maxHeldSnaps)
}

// maxHeldSnaps is how many held events get a snapshot of their own when
// Step replays to a moment partway through an instant: the Steps after
// it show them at once, and the later ones by replaying to them. Back and
// JumpTo take none (a snapshot of a bulk transfer's town takes some 15 µs,
// as much as the rest of a Back from a copy made ahead, and the next move
// is more often another Back): a Step after them replays once.
const maxHeldSnaps = 8

// holdEvent takes event e of a call carried out to show event p.hold: the
// events up to the holdth are shown, those after it held back, each with
// the snapshot of that moment.
func (p *Player) holdEvent(e sock.Event) {
	if p.events < p.hold {
		p.showEvent(e)
		if p.events == p.hold {
			p.holdSnap = p.r.Kernel().Snapshot()
		}
		return
	}
	h := heldEvent{e: e}
	if len(p.held) < p.holdSnaps {
		h.snap, h.ok = p.r.Kernel().Snapshot(), true
	}
	p.held = append(p.held, h)
	p.console.at = p.made()
}

// showEvent is what the town does with an event it shows: the timeline,
// the animation, the console's words for it.
func (p *Player) showEvent(e sock.Event) {
	p.newEvent(e)
	p.anim.event(e, p.links, p.wall)
	p.noteEvent(e)
}

// applyHeld gives the runner the recorded call at the place it is at,
// showing its events up to the nth and holding the rest back, the first
// snaps of them with a snapshot each.
func (p *Player) applyHeld(n, snaps int) {
	p.hold, p.holdSnaps = n, snaps
	p.applyNext()
	p.hold, p.holdSnaps = 0, 0
}

// release shows the next k held events, as they happened, and the town
// as it was just after the last of them: once none is held, the
// runner's own state at the place JumpTo would show (the recorded calls
// that make no event after them are given too, as a time carried on).
// Back at the head with none held, the head's pace comes back.
func (p *Player) release(k int) {
	k = min(k, len(p.held))
	if k <= 0 {
		return
	}
	last := p.held[k-1]
	p.console.mute = true // the log has their lines (console.show)
	for _, h := range p.held[:k] {
		p.showEvent(h.e)
	}
	p.held = p.held[k:]
	if len(p.held) == 0 {
		p.held = nil
		if to, _, hold := p.placeOf(p.events); hold == 0 {
			for h := &p.hist; h.at.before(to); {
				p.applyNext() // calls that make no event: the place JumpTo(p.events) shows
			}
		}
		p.takeSnapshot()
	} else {
		p.showSnapshot(last.snap)
	}
	p.console.mute = false
	p.console.show(p.events, false)
	if p.hist.atHead() && len(p.held) == 0 {
		p.arrived()
	}
}

// flush shows every held event: the runner is about to be moved on.
func (p *Player) flush() { p.release(len(p.held)) }

// atHead reports whether the town shows the end of what was recorded,
// nothing held back: what the player does now is recorded.
func (p *Player) atHead() bool { return p.hist.atHead() && len(p.held) == 0 }

// placeOf is where to replay to show exactly n events: the place of a
// stop with n events before it (the latest), or the head for all of
// them; else the stop whose call makes the nth event, from which
// applyHeld(n) shows it. hold is n then, and 0 for an exact place.
func (p *Player) placeOf(n int) (to pos, before, hold int) {
	st := p.hist.stops
	i := sort.Search(len(st), func(i int) bool { return int(st[i].events) >= n })
	switch {
	case i < len(st) && int(st[i].events) == n:
		return st[i].at, n, 0
	case n >= p.EventCount() || i == 0:
		return pos{op: int32(len(p.hist.ops))}, p.EventCount(), 0
	}
	return st[i-1].at, int(st[i-1].events), n
}

// landOn shows the town just after the first n events (0 <= n <=
// EventCount), paused where the learner put it: on from the events held
// back when n is among them, else replayed from the nearest checkpoint
// or on from here. jumped says the console is laid out again (a jump
// back) rather than added to (a step on).
func (p *Player) landOn(n int, jumped bool) {
	if k := n - p.events; k > 0 && k <= len(p.held) && (k == len(p.held) || p.held[k-1].ok) {
		p.release(k)
		return
	}
	to, before, hold := p.placeOf(n)
	p.seekHeld(to, before, hold, jumped)
}

// showSnapshot makes s the snapshot the town shows.
func (p *Player) showSnapshot(s sock.Snapshot) {
	p.snap = s
	p.snapGen++
	p.snapEvents, p.snapWall = p.anim.events, p.wall
}
