// Package play runs a scenario for the town at a pace a person can follow:
// it owns the script runner, turns wall time into virtual time (pause, one
// step, 0.1x to 100x, as fast as possible), keeps the console's lines, and
// turns the core's events into the animation state the town draws (letters
// on roads, poll walks, state changes). It knows no screen: the town reads
// it, and tests drive it with made-up wall time.
package play

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/script"
)

// Pace: at 1x one virtual millisecond takes a tenth of a wall second, so a
// letter on a 5 ms road is on screen for half a second. When no letter is
// on a road, time runs QuietBoost times faster up to the next happening,
// so a 60 s TIME-WAIT does not keep a learner waiting for ten minutes.
const (
	BaseRate   = 0.01
	QuietBoost = 1000
	MinSpeed   = 0.1
	MaxSpeed   = 100
	// FastSteps is how many happenings "as fast as possible" carries out
	// per frame: enough to finish a bulk transfer in seconds, few enough
	// to keep drawing.
	FastSteps = 3000
)

// Player runs one scenario for the town.
type Player struct {
	name, src string
	seed      uint64
	r         *script.Runner
	lines     int // the scenario's lines, so console lines number on

	speed   float64
	paused  bool
	fastest bool

	wall time.Duration // the player's own wall clock, advanced by Tick
	snap netsim.Snapshot
	// snapGen counts fresh snapshots; snapEvents and snapWall say when the
	// last one was taken, so quiet frames reuse it.
	snapGen    int
	snapEvents int
	snapWall   time.Duration
	anim       Animation
	console    Console
	caption    captions // see caption.go
}

// Options say what to play.
type Options struct {
	Name   string // shown in the title and the console
	Source string // the scenario's text
	Seed   uint64
}

// New parses and checks a scenario and makes a player at time zero,
// running at 1x. A scenario that does not parse is an error and no player.
func New(opts Options) (*Player, error) {
	p := &Player{speed: 1, seed: opts.Seed}
	if err := p.Load(opts.Name, opts.Source); err != nil {
		return nil, err
	}
	return p, nil
}

// Load replaces the scenario and starts it from the beginning. When the new
// one does not parse, the old one keeps running and the console says why.
func (p *Player) Load(name, src string) error {
	s, err := script.Parse(name, strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		err = fmt.Errorf("scenario %s: %w", name, err)
		p.console.add(LineError, err.Error())
		return err
	}
	p.name, p.src = name, src
	p.r = script.NewRunner(script.Options{Seed: p.seed, Sink: sink{p}, Interactive: true})
	p.r.Enqueue(s.Lines...)
	p.lines = len(s.Lines)
	p.caption = newCaptions(src)
	p.anim.reset()
	p.console.add(LineInfo, fmt.Sprintf("# scenario %s (%d lines)", name, len(s.Lines)))
	p.takeSnapshot()
	return nil
}

// Restart plays the scenario again from time zero.
func (p *Player) Restart() error { return p.Load(p.name, p.src) }

// Source is the scenario's text.
func (p *Player) Source() string { return p.src }

// Name is the scenario's name.
func (p *Player) Name() string { return p.name }

// Now is the town's virtual time.
func (p *Player) Now() time.Duration { return p.r.Now() }

// Snapshot is the town's state as of the last Tick, Step or Exec.
func (p *Player) Snapshot() netsim.Snapshot { return p.snap }

// SnapshotGen changes whenever Snapshot does, so a view can keep what it
// derived from the last one.
func (p *Player) SnapshotGen() int { return p.snapGen }

// snapshotEvery is how often a quiet town is looked at again: TIME-WAIT
// countdowns and timers move without events.
const snapshotEvery = 200 * time.Millisecond

// Animation is what moves: letters, poll walks, state changes.
func (p *Player) Animation() *Animation { return &p.anim }

// Console is the console's lines and history.
func (p *Player) Console() *Console { return &p.console }

// Wall is the player's wall clock: the sum of the Ticks' durations.
func (p *Player) Wall() time.Duration { return p.wall }

// Busy reports whether scenario or console lines are still to run.
func (p *Player) Busy() bool { return p.r.Busy() }

// Paused reports whether the clock is stopped.
func (p *Player) Paused() bool { return p.paused }

// SetPaused stops or starts the clock.
func (p *Player) SetPaused(paused bool) { p.paused = paused }

// Speed is the pace, a multiple of 1x; Fastest reports "as fast as possible".
func (p *Player) Speed() (speed float64, fastest bool) { return p.speed, p.fastest }

// SetSpeed sets the pace, clamped to MinSpeed..MaxSpeed.
func (p *Player) SetSpeed(speed float64) {
	p.speed = min(max(speed, MinSpeed), MaxSpeed)
	p.fastest = false
}

// SetFastest runs as fast as possible, or back at the speed set before.
func (p *Player) SetFastest(on bool) { p.fastest = on }

// Tick moves the town on by dt of wall time: virtual time advances at the
// pace set, unless paused. Animations that run on wall time go on even
// when paused, so a letter falling off the road finishes its fall.
func (p *Player) Tick(dt time.Duration) {
	p.wall += dt
	if !p.paused {
		switch {
		case p.fastest:
			for i := 0; i < FastSteps && p.r.StepOne(); i++ {
			}
		default:
			p.r.Advance(p.target(dt))
		}
	}
	p.after()
}

// target is the virtual time dt of wall time leads to.
func (p *Player) target(dt time.Duration) time.Duration {
	now := p.r.Now()
	p.r.Advance(now) // lines that take no time go first: they may send
	step := time.Duration(float64(dt) * BaseRate * p.speed)
	if p.anim.onRoad(p.wall) > 0 {
		return now + step
	}
	t := now + step*QuietBoost
	if next, ok := p.r.World().NextEvent(); ok && next < t && next > now+step {
		// Stop at the next happening: a letter it sends starts at
		// its beginning of the road, at the normal pace.
		t = next
	}
	return t
}

// Step carries out the smallest next thing (a line, or one happening of
// the world) and pauses.
func (p *Player) Step() {
	p.paused = true
	before := p.anim.events
	for i := 0; i < 1000 && p.anim.events == before; i++ {
		if !p.r.StepOne() {
			break
		}
	}
	p.after()
}

// Exec runs a console line: beside the scenario (a blocked scenario line
// does not hold it up), after earlier console lines, and
// echoed in the console as it is carried out. A line that does not parse
// changes nothing and the console says why.
func (p *Player) Exec(text string) error {
	text = strings.TrimSpace(text)
	p.console.remember(text)
	cmd, err := script.ParseLine(text)
	if err != nil {
		p.console.add(LineInput, "$ "+text)
		p.console.add(LineError, err.Error())
		return err
	}
	if cmd == nil {
		return nil
	}
	p.lines++
	p.r.Interject(script.Line{No: p.lines, Text: text, Cmd: cmd})
	if p.paused {
		// A paused town still answers calls that take no time.
		p.r.Advance(p.r.Now())
	}
	p.after()
	return nil
}

// after collects what the last move left: errors for the console and a
// fresh snapshot.
func (p *Player) after() {
	for _, err := range p.r.Errors() {
		var le *script.LineError
		if errors.As(err, &le) {
			err = le.Err
		}
		if !p.console.echoed(err) {
			p.console.add(LineError, err.Error())
		}
	}
	p.console.shown = p.console.shown[:0]
	if p.anim.events != p.snapEvents || p.wall-p.snapWall >= snapshotEvery || p.snapGen == 0 {
		p.takeSnapshot()
	}
	p.anim.settle(p.r.Now(), p.wall)
}

// sink feeds the runner's output to the console and the animation.
type sink struct{ p *Player }

func (s sink) Event(e netsim.Event) { s.p.anim.event(e, s.p.links, s.p.wall) }

// links looks up the link a packet took from its direction ("a->b"), with
// its properties as they are now (a road's loss slider may have changed
// them).
func (p *Player) links(dir string) (netsim.LinkState, bool) {
	from, to, ok := strings.Cut(dir, "->")
	if !ok {
		return netsim.LinkState{}, false
	}
	l := p.r.World().Link(from, to)
	if l == nil {
		return netsim.LinkState{}, false
	}
	a, b, _ := strings.Cut(l.Name(), "-")
	if p.r.World().Link(a, b) != l {
		a, b = from, to // host names with dashes: the direction is enough
	}
	return netsim.LinkState{Name: l.Name(), A: a, B: b, Config: l.Config()}, true
}

func (s sink) Line(r script.LineRecord) {
	if lines, ok := s.p.caption.record(r); ok {
		for _, l := range lines { // the author's words first, then the lines they explain
			s.p.console.add(LineInfo, "# "+l)
		}
	}
	s.p.console.record(r)
}

func (p *Player) takeSnapshot() {
	p.snap = p.r.World().Snapshot()
	p.snapGen++
	p.snapEvents, p.snapWall = p.anim.events, p.wall
}
