// Package play runs a scenario for the town at a pace a person can follow:
// it owns the script runner, gives each line and each letter its time on
// screen and turns wall time into virtual time (pause, one step, 0.1x to
// 100x, as fast as possible) without changing the story, keeps the
// console's lines, and
// turns the core's events into the animation state the town draws (letters
// on roads, poll walks, state changes). It keeps the way back: a timeline
// of every event, and Back and JumpTo, which replay the recorded calls to
// the runner from the nearest checkpoint (replay.go, checkpoint.go); and
// sessions, a town's scenario and what was done to it as text to share or
// save (session.go). It knows no screen: the town reads it, and tests
// drive it with made-up wall time.
package play

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/script"
)

// Pace: a story is told by its lines and its letters, so the pace is set
// by them more than by virtual time. At 1x each scenario line stays on
// screen for LineTime before the next one starts (a line run in the
// background BackgroundTime, and a blocked one's result ResultTime once
// it returns), virtual time standing still meanwhile since in the story
// the next line starts at that instant, and each letter takes at least
// TripTime along its road. Otherwise one virtual millisecond takes a
// tenth of a wall second (BaseRate), and when no letter is on a road time
// runs QuietBoost times faster up to the next happening, so a 60 s
// TIME-WAIT does not keep a learner waiting for ten minutes (Skipping
// says when). Once the story is over and nothing is left to happen
// (Idle), virtual time stands still: a quiet stretch that leads nowhere
// would only run the clock up. The speed control divides all of these
// wall times.
const (
	LineTime   = time.Second            // a line on screen before the next starts
	ResultTime = 500 * time.Millisecond // a blocked line's result before the next starts
	// BackgroundTime is a background line's (&) time on screen before
	// the next starts: it returns at once and shows nothing moving yet,
	// so a row of them (lossy-udp's fourteen reads) need not hold the
	// story up for a full LineTime each.
	BackgroundTime = LineTime / 4
	TripTime       = time.Second // a letter's least time along its road
	BaseRate       = 0.01        // virtual time per wall time at 1x
	QuietBoost     = 2500        // how much faster time runs with no letter on a road
	MinSpeed       = 0.1         // the speed control's range
	MaxSpeed       = 100
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
	lines     int  // the last line's number, so typed lines number on
	lastNo    int  // the scenario's: typed lines number above it
	current   int  // the scenario line started last
	started   bool // a line of the story (past the town's building) has started
	// toldAt is the virtual time the story's last line started or
	// returned at: what its words in force tell of (see CaptionPast).
	toldAt time.Duration

	speed   float64
	paused  bool
	fastest bool

	wall time.Duration // the player's own wall clock, advanced by Tick
	// paced is wall time played, scaled by the speed (at 2x a second of
	// Ticks is two); gateAt is when on it the scenario's next line may
	// start, so a change of speed takes effect at once. running says the
	// line let through last was still blocked then, so its result gets
	// its time on screen when it returns.
	paced, gateAt time.Duration
	running       bool
	// skipping says the last Tick ran a quiet stretch QuietBoost times
	// faster, for the status line to say so.
	skipping bool
	// noSkip says a quiet stretch runs at the pace set, not QuietBoost
	// times faster, while no line is under way (SetNoSkip).
	noSkip bool

	snap sock.Snapshot
	// snapGen counts fresh snapshots; snapEvents and snapWall say when the
	// last one was taken, so quiet frames reuse it.
	snapGen    int
	snapEvents int
	snapWall   time.Duration
	anim       Animation
	console    Console
	caption    captions      // see caption.go
	captionAt  time.Duration // paced time the caption in force came in
	// captionRead says the caption in force was shown before the story
	// started, so its reading time is spent.
	captionRead bool
	// toldChanged says the console has said, since the scenario was
	// loaded, that a learner's call changes the story (see noteChange).
	toldChanged bool

	// newKernel makes the kernel of each load; nil plays on a fresh
	// simulator. live says the kernel's clock runs by itself (see Live).
	newKernel   func(notes io.Writer) (sock.Kernel, error)
	kernelLabel string
	maxRun      time.Duration
	live        bool
	// remote, when set, is a run elsewhere that the player shows instead
	// of running lines itself (remote.go); remoteNow is its last time.
	remote    *Remote
	remoteNow time.Duration
	// source, when set, is what the town shows instead of a scenario
	// (source.go); sourceNow is its last time.
	source    Source
	sourceNow time.Duration
	// peers, when set, are the peers a shared town's roads lead to
	// (peers.go): the town runs in real time.
	peers Peers

	// lineList is the loaded scenario's lines, for a fresh runner to
	// replay; hist is what its run recorded (history.go), and events
	// how many events the runner has made since it was loaded.
	lineList []script.Line
	hist     history
	events   int
	// maxEvents, when set, stops an advance past that many events (a
	// session read from outside: see LoadSession).
	maxEvents int

	// hold, when above 0, is the event a call being replayed is shown up
	// to, and holdSnaps how many events after it get a snapshot; held
	// are the events after it that the runner made and the town does
	// not show yet, holdSnap the town as the holdth was published
	// (instant.go).
	hold, holdSnaps int
	held            []heldEvent
	holdSnap        sock.Snapshot
	// tap, when set, takes the events of a replay aside instead of the
	// town (see OnEvent); onEvent and onReset are the hooks.
	tap     func(i int, e sock.Event)
	onEvent func(i int, e sock.Event)
	onReset func(n int)
}

// Options say what to play.
type Options struct {
	Name   string // shown in the title and the console
	Source string // the scenario's text
	Seed   uint64
	// Kernel, when set, makes the kernel each scenario is played on, at
	// New, Load and Restart, instead of a fresh simulator; what it writes
	// to notes (one "# " line each) goes to the console. The kernel made
	// before is closed first when it has a Close method (an OS kernel's
	// namespaces are named after the program and must go before the next
	// town is built). Such a kernel's clock runs by itself, as the wall's
	// does: see Live.
	Kernel func(notes io.Writer) (sock.Kernel, error)
	// KernelLabel says which kernel for people, as the town's badge does
	// ("Linux 6.18 · namespaces"); "" is the kernel's Name.
	KernelLabel string
	// MaxRun caps a scenario's run lines on a kernel of its own, whose
	// closing "run 2m" would take two real minutes (see script.Options).
	MaxRun time.Duration
	// Remote, when set, plays a run carried out elsewhere (a server's OS
	// kernel, streamed over a WebSocket) instead of running the scenario
	// here: Source still gives its captions. Its clock is the wall's, as
	// with Kernel; typed lines cannot reach it.
	Remote *Remote
	// Feed, when set, is a Source shown instead of a scenario (an OS
	// watch): Name names it, Source is unused, and there is nothing to
	// load, restart or type. Its clock is the wall's.
	Feed Source
}

// New parses and checks a scenario and makes a player at time zero,
// running at 1x. A scenario that does not parse is an error and no player.
func New(opts Options) (*Player, error) {
	p := &Player{speed: 1, seed: opts.Seed, newKernel: opts.Kernel, kernelLabel: opts.KernelLabel, maxRun: opts.MaxRun}
	p.live = opts.Kernel != nil || opts.Remote != nil || opts.Feed != nil
	p.anim.live = p.live // letters are slowed onto wall time (see TripTime)
	if opts.Feed != nil {
		p.source, p.name = opts.Feed, opts.Name
		p.caption = newCaptions("")
		p.anim.reset()
		p.console.add(LineInfo, "# "+opts.Feed.Label())
		return p, nil
	}
	if opts.Remote != nil {
		p.remote = opts.Remote
		p.name, p.src = opts.Name, opts.Source
		p.caption = newCaptions(opts.Source)
		p.anim.reset()
		p.console.add(LineInfo, fmt.Sprintf("# scenario %s, run by the server on its kernel", opts.Name))
		return p, nil
	}
	if err := p.Load(opts.Name, opts.Source); err != nil {
		return nil, err
	}
	return p, nil
}

// Load replaces the scenario and starts it from the beginning. When the new
// one does not parse, the old one keeps running and the console says why.
func (p *Player) Load(name, src string) error {
	if p.remote != nil {
		return p.remoteLoad(name, src)
	}
	if err := p.load(name, src); err != nil {
		return err
	}
	p.build()
	p.takeSnapshot()
	return nil
}

// load replaces the scenario with a fresh runner at its start, before
// the lines that build the town.
func (p *Player) load(name, src string) error {
	if p.remote != nil {
		return p.remoteLoad(name, src)
	}
	if p.source != nil {
		err := errors.New("this town shows real programs' sockets: there is no scenario to load or restart here (socketville desktop " + name + " plays one)")
		p.console.add(LineError, err.Error())
		return err
	}
	s, err := script.Parse(name, strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		err = fmt.Errorf("scenario %s: %w", name, err)
		p.console.add(LineError, err.Error())
		return err
	}
	var k sock.Kernel
	if p.newKernel != nil {
		p.Close()
		if k, err = p.newKernel(consoleNotes{&p.console}); err != nil {
			err = fmt.Errorf("scenario %s: the %s kernel: %w", name, p.KernelLabel(), err)
			p.console.add(LineError, err.Error())
			return err
		}
	}
	p.name, p.src = name, src
	p.lineList, p.lastNo = s.Lines, 0
	if n := len(s.Lines); n > 0 {
		p.lastNo = s.Lines[n-1].No // typed lines number on from the file's last
	}
	p.hist = history{}
	p.freshRunner(k)
	p.reset(0)
	p.toldChanged = false
	p.console.gen++
	p.console.begin(p.recording())
	p.console.add(LineInfo, fmt.Sprintf("# scenario %s (%d lines)", name, len(s.Lines)))
	p.gateAt, p.running, p.started = p.paced, false, false
	return nil
}

// build carries out the lines that build the town before its story
// starts (host, link, process, route, seed), so that a scenario picked
// while paused shows its plots and houses at once. They take no virtual
// time, so the story is the same.
func (p *Player) build() {
	for {
		l, ok := p.r.AtGate()
		if !ok {
			return
		}
		switch l.Cmd.(type) {
		case script.CallCmd, script.RunCmd, script.StepCmd:
			return
		}
		p.open()
		p.advance(p.r.Now())
	}
}

// Close closes the kernel the scenario plays on, when it has a Close
// method: an OS kernel removes its namespaces. The player must not be
// ticked after it, except by a Load that makes a new kernel.
func (p *Player) Close() error {
	if p.remote != nil && p.remote.Send != nil {
		p.remote.send("close")
	}
	if p.source != nil {
		return p.source.Close()
	}
	if p.r == nil {
		return nil
	}
	if c, ok := p.r.Kernel().(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Live reports whether the kernel's clock runs by itself (an OS kernel's
// is the wall clock): time can be neither slowed nor hurried, so the
// speed controls do nothing and SetFastest is ignored; pause holds the
// scenario's next line at the gate while real time goes on, and what the
// kernel does meanwhile still shows.
func (p *Player) Live() bool { return p.live }

// KernelName is the kernel's name: "simulator", "Linux".
func (p *Player) KernelName() string {
	if p.remote != nil {
		k, _, _ := p.remote.names()
		return k
	}
	if p.source != nil {
		return p.source.Kernel()
	}
	if p.r == nil {
		return ""
	}
	return p.r.Kernel().Name()
}

// KernelLabel says which kernel the town shows, for its badge:
// "Linux 6.18 · namespaces", "simulator": Options.KernelLabel, else the
// kernel's own Label method's, else its Name.
func (p *Player) KernelLabel() string {
	if p.kernelLabel != "" {
		return p.kernelLabel
	}
	if p.remote != nil {
		if _, b, _ := p.remote.names(); b != "" {
			return b
		}
		return "the server's (connecting)"
	}
	if p.source != nil {
		return p.source.Label()
	}
	if p.r == nil {
		return "simulator"
	}
	if l, ok := p.r.Kernel().(interface{ Label() string }); ok && l.Label() != "" {
		return l.Label()
	}
	return p.KernelName()
}

// consoleNotes writes a kernel's notes to the console, one line each.
type consoleNotes struct{ c *Console }

func (n consoleNotes) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		n.c.add(LineInfo, l)
	}
	return len(b), nil
}

// Started reports whether the story has begun: a line past those that
// build the town has started since the scenario was loaded.
func (p *Player) Started() bool { return p.started }

// Restart plays the scenario again from time zero.
func (p *Player) Restart() error { return p.Load(p.name, p.src) }

// Source is the scenario's text.
func (p *Player) Source() string { return p.src }

// Name is the scenario's name.
func (p *Player) Name() string { return p.name }

// Now is the town's virtual time.
func (p *Player) Now() time.Duration {
	if p.remote != nil {
		return p.remoteNow
	}
	if p.source != nil {
		return p.sourceNow
	}
	if len(p.held) > 0 {
		return p.snap.Now // the moment of the event shown: the runner is past it
	}
	return p.r.Now()
}

// Snapshot is the town's state as of the last Tick, Step or Exec: just
// after the last event shown (EventIndex), even when more events came at
// the same instant.
func (p *Player) Snapshot() sock.Snapshot { return p.snap }

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

// Busy reports whether scenario or console lines are still to run, or,
// back in time, what was recorded after the moment shown.
func (p *Player) Busy() bool {
	if p.BackInTime() {
		return true
	}
	if p.remote != nil {
		_, _, over := p.remote.names()
		return !over
	}
	if p.source != nil {
		return true // it goes on until the town is closed
	}
	return p.r.Busy()
}

// Idle reports whether the story is over and nothing is left to show: no
// scenario or console line waits or is blocked, no letter is on a road,
// and nothing will happen by itself (the world has nothing scheduled and
// no background call has a deadline), and the town is not back in time.
// Tick then leaves virtual time where it is, since running on would lead
// nowhere; a typed line that gives the town something to do sets it
// going again.
func (p *Player) Idle() bool {
	if p.BackInTime() {
		return false // the recorded future is still to be played
	}
	if p.remote != nil {
		return !p.Busy() && p.anim.onRoad(p.wall) == 0
	}
	if p.source != nil {
		return false
	}
	return !p.r.Busy() && p.anim.onRoad(p.wall) == 0 && p.r.Idle()
}

// Paused reports whether the clock is stopped.
func (p *Player) Paused() bool { return p.paused }

// SetPaused stops or starts the clock.
func (p *Player) SetPaused(paused bool) {
	if p.peers != nil {
		return // real time: see JoinPeers
	}
	p.paused = paused
	if p.remote != nil {
		p.remote.send(map[bool]string{true: "pause", false: "play"}[paused])
	}
}

// Speed is the pace, a multiple of 1x; Fastest reports "as fast as possible".
func (p *Player) Speed() (speed float64, fastest bool) { return p.speed, p.fastest }

// SetSpeed sets the pace, clamped to MinSpeed..MaxSpeed. A live kernel
// (see Live) stays at 1x.
func (p *Player) SetSpeed(speed float64) {
	if p.live || p.peers != nil {
		return
	}
	p.speed = min(max(speed, MinSpeed), MaxSpeed)
	p.fastest = false
}

// SetFastest runs as fast as possible, or back at the speed set before.
// A live kernel (see Live) cannot be hurried: it is ignored there.
func (p *Player) SetFastest(on bool) { p.fastest = on && !p.live && p.peers == nil }

// Tick moves the town on by dt of wall time at the pace set, unless
// paused. Animations that run on wall time go on even when paused, so a
// letter falling off the road finishes its fall.
func (p *Player) Tick(dt time.Duration) {
	p.wall += dt
	p.skipping = false
	if p.remote != nil {
		p.tickRemote()
		p.anim.settle(p.Now(), p.wall)
		return
	}
	if p.source != nil {
		p.tickSource()
		p.anim.settle(p.Now(), p.wall)
		return
	}
	if p.peers != nil {
		p.tickShared(dt)
	} else if p.live {
		p.paceLive(dt)
	} else if p.paused {
		p.prepareBack() // while the learner looks, ready for the next Back
	} else if p.BackInTime() {
		p.flush()
		if p.BackInTime() {
			p.replayForward(dt)
		}
	} else if p.Idle() {
		p.prepareBack() // the story is over: the next thing may be Back
	} else {
		switch {
		case p.fastest:
			for i := 0; i < FastSteps; i++ {
				p.open() // no line waits for its time on screen
				if !p.stepOne() {
					break
				}
				p.checkpointHead()
			}
		default:
			p.pace(dt)
		}
	}
	p.after()
}

// pace moves the town on by dt of wall time at the speed set: the
// scenario's next line starts once the one before has had its time on
// screen, and until then virtual time stands still.
func (p *Player) pace(dt time.Duration) {
	p.paced += time.Duration(float64(dt) * p.speed)
	p.advance(p.r.Now()) // console lines that take no time go first
	p.openGate()
	if _, held := p.r.AtGate(); held || p.Idle() {
		return
	}
	t, skipping := p.target(dt)
	p.skipping = skipping
	p.advance(t)
	p.openGate() // a line whose time came during the move
}

// paceLive moves a town whose kernel keeps its own time on by dt of wall
// time: the runner is brought up to the kernel's clock (which returns at
// once), and unless paused the scenario's next line starts once the one
// before has had its time on screen, as at 1x on the simulator. Paused,
// the next line waits at the gate while what is under way goes on.
func (p *Player) paceLive(dt time.Duration) {
	p.paced += dt
	p.r.CatchUp()
	if !p.paused {
		p.openGate()
	}
}

// SetNoSkip sets whether a quiet stretch between lines runs at the pace
// set rather than QuietBoost times faster: a lesson's learner, typing
// the next call, should not find a minute's timer (FIN-WAIT-2's) gone in
// the seconds it took. A line under way (run 2m, a blocked call) still
// skips its quiet stretches, so it does not take hours.
func (p *Player) SetNoSkip(on bool) { p.noSkip = on }

// NoSkip reports what SetNoSkip set.
func (p *Player) NoSkip() bool { return p.noSkip }

// Skipping reports whether the last Tick ran a quiet stretch faster: with
// no letter on a road, virtual time ran up to QuietBoost times the pace
// set towards the next happening, so that a 60 s TIME-WAIT or a SYN's
// minutes of retries pass in seconds. The pace a learner chose no longer
// holds then, and a view should say so. It is false while paused, as
// fast as possible, while a line has its time on screen, and once the
// story is over (Idle).
func (p *Player) Skipping() bool { return p.skipping }

// openGate lets the scenario's next line start if its time has come.
func (p *Player) openGate() {
	if _, ok := p.r.AtGate(); !ok {
		return
	}
	if p.running {
		// The line before was blocked and has just returned: its
		// result gets its own time on screen.
		p.running = false
		p.gateAt = max(p.gateAt, p.paced+ResultTime)
	}
	if p.paced >= p.gateAt && !p.holdCaption() {
		p.letThrough()
	}
}

// CatchUpTime is how long, at 1x, a new caption may wait for the letters
// the last one explained to finish their trips, past its reading time.
const CatchUpTime = 2 * time.Second

// holdCaption reports whether the line at the gate must wait because it
// brings a new caption: the one in force has not had its reading time
// yet, or letters it explains are still on the road (for at most
// CatchUpTime more), so the words never run ahead of the town. Before the
// story has started the learner has read the opening words at leisure.
func (p *Player) holdCaption() bool {
	l, ok := p.r.AtGate()
	if !ok || !p.started || p.captionRead || !p.caption.changesAt(l.No) {
		return false
	}
	read := p.captionAt + readingTime(p.caption.text())
	return p.paced < read || p.anim.onRoad(p.wall) > 0 && p.paced < read+CatchUpTime
}

// letThrough starts the scenario's next line now and gives it its time on
// screen before the one after.
func (p *Player) letThrough() {
	p.started = true
	l, _ := p.r.AtGate()
	p.open()
	p.advance(p.r.Now())
	p.gateAt = p.paced + LineTime
	if c, ok := l.Cmd.(script.CallCmd); ok && c.Background {
		p.gateAt = p.paced + BackgroundTime
	}
	_, done := p.r.AtGate()
	p.running = !done
}

// target is the virtual time dt of wall time leads to: a letter takes at
// least TripTime (at 1x) along its road. skipping says it lies further
// on than the pace alone would go, since no letter is on a road.
func (p *Player) target(dt time.Duration) (t time.Duration, skipping bool) {
	now := p.r.Now()
	rate := BaseRate
	if d, ok := p.anim.shortestTrip(); ok {
		rate = min(rate, float64(d)/float64(TripTime))
	}
	step := time.Duration(float64(dt) * rate * p.speed)
	if p.anim.onRoad(p.wall) > 0 || p.noSkip && !p.r.Busy() {
		return now + step, false
	}
	t = now + step*QuietBoost
	if next, ok := p.r.Kernel().NextEvent(); ok && next < t {
		// Stop at the next happening, or a normal step on: a letter
		// it sends starts at its beginning of the road, at the normal
		// pace.
		t = max(next, now+step)
	}
	return t, t > now+step
}

// Step pauses and moves the town on: back in time, by one event (the
// next of an instant, if the town shows one partway); at the head, by
// the smallest next thing the runner can carry out (a line, or one
// happening of the world, with every event it makes). A line it starts
// has its time on screen before Play starts the next.
func (p *Player) Step() {
	if p.peers != nil {
		return // real time cannot be stepped, nor paused: see JoinPeers
	}
	p.paused = true
	if p.remote != nil {
		p.remote.send("step")
		return
	}
	if p.source != nil {
		// One more look: whatever the source has, then paused again.
		p.paused = false
		p.tickSource()
		p.paused = true
		p.anim.settle(p.Now(), p.wall)
		return
	}
	if p.live {
		// Real time cannot be stepped: the next line starts now.
		if _, ok := p.r.AtGate(); ok {
			p.letThrough()
		}
		p.r.CatchUp()
		p.after()
		return
	}
	if p.BackInTime() {
		p.stepForward()
		p.after()
		return
	}
	// At the head the next thing is carried out: one line, or one
	// happening of the world, with all the events it makes.
	before := p.anim.events
	if _, ok := p.r.AtGate(); ok {
		p.letThrough()
	}
	for i := 0; i < 1000 && p.anim.events == before; i++ {
		if !p.stepOne() {
			break // nothing left, or the next line waits at the gate
		}
	}
	p.after()
}

// Exec runs a console line, echoed in the console at once as "$ line",
// before its result or its error. A line about the town's clock acts on
// the town at once, paused or not: step [N] is N presses of Step, run D
// carries the town D of virtual time on as fast as possible. Any other
// line runs beside the scenario (a blocked scenario line does not hold it
// up): a process's call waits only behind that process's earlier typed
// calls, and the console shows it as queued (LineQueued) until it runs
// and is echoed again. A line that does not parse changes nothing and the
// console says why.
func (p *Player) Exec(text string) error {
	text = strings.TrimSpace(text)
	p.console.remember(text)
	cmd, err := script.ParseLine(text)
	if err == nil && cmd == nil {
		return nil // a comment, or nothing
	}
	if err != nil {
		p.console.add(LineInput, "$ "+text)
		p.console.add(LineError, err.Error())
		return err
	}
	if p.remote != nil {
		p.console.add(LineInput, "$ "+text)
		err := errors.New("this town shows a run on the server's kernel: typed lines run only in a town of its own (open the page without ?kernel=os)")
		p.console.add(LineError, err.Error())
		return err
	}
	if p.source != nil {
		p.console.add(LineInput, "$ "+text)
		p.console.add(LineError, errWatched.Error())
		return errWatched
	}
	switch c := cmd.(type) {
	case script.StepCmd:
		p.console.add(LineInput, "$ "+text)
		for range min(c.N, maxTypedSteps) {
			p.Step()
		}
		return nil
	case script.RunCmd:
		p.console.add(LineInput, "$ "+text)
		if p.live {
			p.console.add(LineInfo, "# the "+p.KernelName()+" kernel's clock is the wall's: it cannot be run on, it runs by itself")
			return nil
		}
		p.flush()
		if p.BackInTime() {
			p.runForward(c.D)
			return nil
		}
		p.runFor(c.D)
		return nil
	case script.HelpCmd:
		if p.BackInTime() {
			// Help changes nothing in the town: it need not cut the
			// recorded future off.
			p.console.add(LineInput, "$ "+text)
			if h, err := script.Help(c.Topic); err != nil {
				p.console.add(LineError, err.Error())
			} else {
				p.console.add(LineResult, "=> "+h)
			}
			return nil
		}
	}
	p.cutFuture()
	if c, ok := cmd.(script.CallCmd); ok {
		p.noteChange(c)
	}
	p.lines++
	l := script.Line{No: p.lines, Text: text, Cmd: cmd}
	if ahead, ok := p.r.Behind(l); ok {
		p.console.add(LineQueued, fmt.Sprintf("$ %s   (queued behind %s)", text, ahead.Text))
	} else {
		p.console.add(LineInput, "$ "+text)
		p.console.echoedNo = l.No // the runner's echo as it starts is this one
	}
	p.interject(l)
	// Lines that take no time answer at once, even in a paused town.
	p.advance(p.r.Now())
	p.console.echoedNo = 0
	p.after()
	return nil
}

// changedStory is what the console says, once a scenario, when a typed
// or clicked socket call runs while the scenario's lines are still to
// come.
const changedStory = "# You are changing the story: the scenario's next lines now run after yours and may give other results (Restart plays it as written)"

// noteChange says once a scenario that a learner's call c, run while
// scenario lines are still to come, changes what they will do: a send
// wakes a read the scenario meant for its own letter, a socket takes the
// fd a later line names. Without a word the story's surprises would look
// like the scenario's own. A call to a process that is not there runs
// nothing and changes nothing.
func (p *Player) noteChange(c script.CallCmd) {
	if p.toldChanged || p.current >= p.lastNo {
		return
	}
	if p.r.Kernel().Process(c.Host, c.Proc) == nil {
		return
	}
	p.toldChanged = true
	p.console.add(LineInfo, changedStory)
}

// maxTypedSteps bounds a typed step N: for more, run D says how far.
const maxTypedSteps = 10_000

// maxMoves bounds the moves of one runFor, so that no input can hang a
// frame; a run of an hour of busy virtual time takes far fewer.
const maxMoves = 1_000_000

// runFor carries the town d of virtual time on at once, as fast as
// possible: scenario lines whose time comes start without their time on
// screen; the line after gets its time from now.
func (p *Player) runFor(d time.Duration) {
	end := p.r.Now() + d
	if end < p.r.Now() {
		end = math.MaxInt64
	}
	for i := 0; i < maxMoves && p.r.Now() < end; i++ {
		p.open()
		p.advance(end)
		p.checkpointHead()
	}
	p.gateAt, p.running, p.started = p.paced+LineTime, false, true
	p.after()
}

// after collects what the last move left: errors for the console and a
// fresh snapshot.
func (p *Player) after() {
	if p.BackInTime() {
		p.r.Errors() // said when they first happened: the console has them
	}
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
	if p.atHead() {
		p.checkpointHead()
	}
	if len(p.held) == 0 && (p.anim.events != p.snapEvents || p.wall-p.snapWall >= snapshotEvery || p.snapGen == 0) {
		p.takeSnapshot() // partway through an instant the shown one stays: the runner is past it
	}
	p.anim.settle(p.Now(), p.wall)
}

// sink feeds the runner's output to the console and the animation.
type sink struct{ p *Player }

func (s sink) Event(e sock.Event) {
	p := s.p
	switch {
	case p.tap != nil:
		p.tap(p.events, e)
		p.events++
	case p.hold > 0:
		p.holdEvent(e)
	default:
		p.showEvent(e)
	}
}

// links looks up the link a packet took, with its properties as they are
// now (a road's loss slider may have changed them).
func (p *Player) links(hop sock.Hop) (sock.LinkState, bool) {
	if hop.IsZero() || hop.Loopback() {
		return sock.LinkState{}, false
	}
	if p.remote != nil || p.source != nil {
		return hopLink(p.snap.Links, hop)
	}
	if l, ok := p.r.Kernel().Link(hop.From, hop.To); ok || p.peers == nil {
		return l, ok
	}
	return hopLink(p.snap.Links, hop) // a road to a peer's host, as Peers shows it
}

// hopLink finds a hop's link in a snapshot's links: by its id, or by its
// ends for a kernel that names none (a capture on a shared loopback).
func hopLink(links []sock.LinkState, hop sock.Hop) (sock.LinkState, bool) {
	if i := int(hop.Link) - 1; i >= 0 && i < len(links) && links[i].ID == hop.Link {
		return links[i], true
	}
	for _, l := range links {
		if l.A == hop.From && l.B == hop.To || l.A == hop.To && l.B == hop.From {
			return l, true
		}
	}
	return sock.LinkState{}, false
}

func (s sink) Line(r script.LineRecord) {
	if r.Phase != script.PhaseDone && r.Line <= s.p.lastNo {
		s.p.current = r.Line
	}
	if r.Line >= 1 && r.Line <= s.p.lastNo {
		s.p.toldAt = r.Time // a run line counts from its start
	}
	if lines, ok := s.p.caption.record(r); ok {
		// A caption that came in before the story started was read
		// on the first screen, paused: it holds nothing up.
		s.p.captionAt, s.p.captionRead = s.p.paced, !s.p.started
		for _, l := range lines { // the author's words first, then the lines they explain
			s.p.console.add(LineInfo, "# "+l)
		}
	}
	s.p.console.record(r)
}

// CaptionPast reports, once the story is over, whether its clock ran on
// past what its words in force tell of: a closing "run 2m" lets the
// TIME-WAIT its caption speaks of end, and the town no longer shows what
// the words say. told is when the story's last line started; a view
// should say the words are of then. It is false while lines wait or
// block, or when the clock moved on less than a second.
func (p *Player) CaptionPast() (told time.Duration, ok bool) {
	if p.remote != nil || p.source != nil || p.r == nil || p.r.Busy() || p.Caption() == "" {
		return 0, false
	}
	if p.Now()-p.toldAt < time.Second {
		return 0, false
	}
	return p.toldAt, true
}

// CurrentLine is the number, in the scenario's text, of the scenario line
// started last (0 before the first): what a caption or a code view marks
// as being carried out. Typed lines do not change it.
func (p *Player) CurrentLine() int { return p.current }

func (p *Player) takeSnapshot() {
	s := p.r.Kernel().Snapshot()
	if p.peers != nil {
		s = p.peers.Show(s)
	}
	p.showSnapshot(s)
}
