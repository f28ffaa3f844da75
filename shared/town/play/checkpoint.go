package play

import (
	"reflect"
	"sort"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// Checkpoints make going back quick however far in: the player keeps deep
// copies of its engine (the runner and its kernel, the animation, the
// captions) along the run, and going back starts from the nearest copy
// before the moment instead of from the beginning. A copy costs about as
// much as replaying a thousand events of the same town, so while playing
// one is taken every CheckpointEvery events, or further apart in a town
// whose copy costs more (see checkpointHead); going
// back, one is taken within a quarter of CheckpointEvery of where it
// goes, so that the next Back replays fewer events than that; and while
// the town waits, paused, a checkpoint is brought to where the next Back
// goes (see prepareBack). At most MaxCheckpoints are kept,
// the old ones thinned out so that those near the moment the town shows
// stay close together.
const (
	CheckpointEvery = 1000
	MaxCheckpoints  = 24
)

// engine is what a checkpoint copies: everything that follows the
// runner's calls.
type engine struct {
	r       *script.Runner
	anim    Animation
	caption captions
	current int
	toldAt  time.Duration
	lines   int
	events  int
	// captionAt and captionRead: see Player.
	captionAt   time.Duration
	captionRead bool
}

// checkpoint is an engine at a place of the recorded calls, and the
// player's clocks then (the animation is timed on them); bytes is what
// copying it took.
type checkpoint struct {
	at          pos
	events      int
	wall, paced time.Duration
	e           *engine
	bytes       uintptr
}

// notCopied are the types a checkpoint shares with the player rather than
// copies: the runner's sink is the player itself, and the kernel's errors
// are sentinels compared by identity.
var notCopied = []reflect.Type{reflect.TypeFor[sink](), reflect.TypeFor[sock.Errno]()}

// keptFields are fields that checkpoints share: the bytes a send call
// writes (size=N makes N of them once, and they are only read), which
// would otherwise be most of a bulk transfer's checkpoint (40 MiB of 42
// at 100,000 events). The field is the script runner's own, found by its
// name: TestCheckpointsStaySmall fails if it goes.
var keptFields = func() []field {
	pending, ok := reflect.TypeFor[script.Runner]().FieldByName("pending")
	if !ok || pending.Type.Kind() != reflect.Slice || pending.Type.Elem().Kind() != reflect.Pointer {
		return nil
	}
	return []field{{in: pending.Type.Elem().Elem(), name: "data"}}
}()

// copyEngine copies the player's engine, and says how many bytes.
func (p *Player) copyEngine() (*engine, uintptr) {
	e := p.engine()
	return deepCopySized(&e, notCopied, keptFields)
}

// restore makes a copy of checkpoint c the player's engine: the spare
// one made while the town waited, if it is of c.
func (p *Player) restore(c *checkpoint) {
	h := &p.hist
	e := h.spare
	if e == nil || h.spareOf != c.at {
		e = deepCopy(c.e, notCopied, keptFields)
	}
	h.spare = nil
	p.setEngine(e)
	p.hist.at = p.hist.norm(c.at)
	p.wall, p.paced = c.wall, c.paced
}

// every is how many events apart checkpoints are at least, -1 for none.
func (h *history) spacing() int {
	if h.every == 0 {
		return CheckpointEvery
	}
	return h.every
}

// copyBytesPerEvent is how many bytes of a checkpoint take as long to
// copy as one event takes to replay, about (a bulk transfer's 2.2 MB
// take 5 ms, its thousand events as long).
const copyBytesPerEvent = 2048

// checkpointHead keeps a checkpoint at the head when the last one is far
// enough back: CheckpointEvery events, or more for a big town, so that
// copying costs playing on at most a tenth more (ten times the events
// its last copy cost).
func (p *Player) checkpointHead() {
	h := &p.hist
	every := h.spacing()
	if n := len(h.checkpoints); n > 0 && every > 0 {
		every = max(every, int(10*h.checkpoints[n-1].bytes/copyBytesPerEvent))
	}
	p.maybeCheckpoint(every)
}

// maybeCheckpoint keeps a checkpoint of the engine where it is now if the
// nearest one before it is every events back, and the runner can be
// copied (a running ping cannot: see script.Runner.Clonable).
func (p *Player) maybeCheckpoint(every int) {
	h := &p.hist
	if !p.recording() || every <= 0 || !p.r.Clonable() || len(p.held) > 0 {
		return // partway through an instant the runner is past the events shown
	}
	i := sort.Search(len(h.checkpoints), func(i int) bool { return h.checkpoints[i].events > p.events })
	if i > 0 && p.events-h.checkpoints[i-1].events < every {
		return
	}
	if i < len(h.checkpoints) && h.checkpoints[i].events-p.events < every/2 {
		return // one just after will do: replaying from here to it is short
	}
	e, bytes := p.copyEngine()
	c := checkpoint{at: h.here(), events: p.events, wall: p.wall, paced: p.paced, e: e, bytes: bytes}
	h.checkpoints = append(h.checkpoints, checkpoint{})
	copy(h.checkpoints[i+1:], h.checkpoints[i:])
	h.checkpoints[i] = c
	p.thin()
}

// thin lets a checkpoint go while there are more than MaxCheckpoints: the
// one whose going leaves the smallest gap for how far it is from the
// moment shown, so that far ones thin out first. The first is always
// kept.
func (p *Player) thin() {
	h := &p.hist
	for len(h.checkpoints) > MaxCheckpoints {
		best, score := -1, 0.0
		for j := 1; j < len(h.checkpoints); j++ {
			next := p.EventCount()
			if j+1 < len(h.checkpoints) {
				next = h.checkpoints[j+1].events
			}
			gap := float64(next - h.checkpoints[j-1].events)
			far := float64(abs(h.checkpoints[j].events-p.events) + CheckpointEvery)
			if s := gap / far; best < 0 || s < score {
				best, score = j, s
			}
		}
		h.checkpoints = append(h.checkpoints[:best], h.checkpoints[best+1:]...)
	}
}

func abs(n int) int { return max(n, -n) }

// AheadEvents is how many events a waiting town replays in a frame to
// bring a checkpoint near the moment the next Back goes to.
const AheadEvents = 1000

// prepareBack readies the next Back while the town waits (paused, or its
// story over): if the nearest checkpoint before where it goes is far, a
// copy of it is replayed AheadEvents on and kept as a checkpoint, a
// frame at a time, until one is near; then a copy of that one is made
// ahead, so that Back itself only replays from it. (A copy at 100,000
// events of a bulk transfer is 5 ms natively and some ten times that in
// a browser.)
func (p *Player) prepareBack() {
	h := &p.hist
	every := h.spacing()
	if !p.recording() || every <= 0 || p.events == 0 {
		return
	}
	// Back replays to the place that shows one event less.
	to, before, _ := p.placeOf(p.events - 1)
	s := stop{events: int32(before), at: to}
	c, ok := h.checkpointBefore(s.at)
	switch {
	case !ok:
		return
	case int(s.events)-c.events > every/4:
		p.nearer(c, s)
	case h.spare == nil || h.spareOf != c.at:
		h.spare, h.spareOf = deepCopy(c.e, notCopied, keptFields), c.at
	}
}

// nearer replays a copy of checkpoint c up to AheadEvents towards stop s,
// aside from the player's own engine, and keeps it as a checkpoint.
func (p *Player) nearer(c *checkpoint, s stop) {
	h := &p.hist
	e, bytes := deepCopySized(c.e, notCopied, keptFields)
	at, wall, paced := c.at, c.wall, c.paced
	p.aside(e, func() {
		h.at, p.wall, p.paced = h.norm(at), wall, paced
		for h.at.before(s.at) && p.events < c.events+AheadEvents {
			o := h.ops[h.at.op]
			p.wall, p.paced = o.wall, o.paced
			p.applyNext()
		}
		at, wall, paced = h.here(), p.wall, p.paced
	})
	if !e.r.Clonable() || e.events == c.events {
		return // a running ping holds closures: no checkpoint here
	}
	i := sort.Search(len(h.checkpoints), func(i int) bool { return at.before(h.checkpoints[i].at) })
	h.checkpoints = append(h.checkpoints, checkpoint{})
	copy(h.checkpoints[i+1:], h.checkpoints[i:])
	h.checkpoints[i] = checkpoint{at: at, events: e.events, wall: wall, paced: paced, e: e, bytes: bytes}
	p.thin()
}

// aside runs f with e as the player's engine, which it leaves as f left
// it, and gives the player its own engine, place and clocks back.
func (p *Player) aside(e *engine, f func()) {
	own := p.engine()
	h := &p.hist
	at, wall, paced, started, consoleAt, held := h.at, p.wall, p.paced, p.started, p.console.at, p.held
	p.setEngine(e)
	p.console.mute = true
	f()
	p.console.mute = false
	p.r.Errors() // said when they first happened
	*e = p.engine()
	p.setEngine(&own)
	h.at, p.wall, p.paced, p.started, p.console.at, p.held = at, wall, paced, started, consoleAt, held
}

// engine is the player's engine, not copied.
func (p *Player) engine() engine {
	return engine{
		r: p.r, anim: p.anim, caption: p.caption, current: p.current, toldAt: p.toldAt, lines: p.lines, events: p.events,
		captionAt: p.captionAt, captionRead: p.captionRead,
	}
}

// setEngine makes e the player's engine, not copied.
func (p *Player) setEngine(e *engine) {
	p.r, p.anim, p.caption, p.current, p.toldAt, p.lines, p.events = e.r, e.anim, e.caption, e.current, e.toldAt, e.lines, e.events
	p.held = nil // an engine is copied, or set aside, with none held back
	p.captionAt, p.captionRead = e.captionAt, e.captionRead
	p.console.at = p.made()
}

// checkpointBefore is the last checkpoint at or before place to.
func (h *history) checkpointBefore(to pos) (*checkpoint, bool) {
	i := sort.Search(len(h.checkpoints), func(i int) bool { return to.before(h.checkpoints[i].at) })
	if i == 0 {
		return nil, false
	}
	return &h.checkpoints[i-1], true
}

// dropCheckpointsAfter forgets the checkpoints after place at.
func (h *history) dropCheckpointsAfter(at pos) {
	i := sort.Search(len(h.checkpoints), func(i int) bool { return at.before(h.checkpoints[i].at) })
	h.checkpoints = h.checkpoints[:i]
}
