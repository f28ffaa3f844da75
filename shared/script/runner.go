package script

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// Sink receives what a run produces: the core's events and the shell's lines.
type Sink interface {
	// Event is called for every event of the world, as it happens.
	Event(e sock.Event)
	// Line is called when a line starts and, for calls, when it completes.
	Line(r LineRecord)
}

// Phase says where in its life a line is.
type Phase uint8

// The phases of a line.
const (
	PhaseWorld  Phase = iota // a world line (host, link, run, ...) is being carried out
	PhaseIssued              // a call was made
	PhaseDone                // a call returned
)

// LineRecord is one shell line, as issued or as completed.
type LineRecord struct {
	Time       time.Duration
	Line       int
	Who        string // "b/echo" for a call; "" for a world line
	Text       string // the call or world line as written
	Phase      Phase
	Background bool
	Result     string // what the call returned, as C would print it
	Err        error  // the call's error, if it failed
	Unexpected bool   // the result is an error nobody expected, or differs from "=> ..."
}

// Options configure a Runner.
type Options struct {
	// Seed is the world's seed. With SeedFixed it also wins over "seed" lines
	// (the command line's --seed).
	Seed      uint64
	SeedFixed bool
	// Sink receives the run's output; nil discards it.
	Sink Sink
	// Kernel is the kernel the lines run on; nil means a fresh simulated
	// world seeded with Seed.
	Kernel sock.Kernel
	// MaxRun, if not zero, caps every "run D" line at MaxRun: on a kernel
	// whose clock is the wall's, a scenario's closing "run 2m" (letting
	// TIME-WAIT pass) would otherwise take two real minutes.
	MaxRun time.Duration
	// Roads, when set, carries the frames sent on roads to peers' towns
	// ("peer" lines) of the fresh simulated world (see netsim.Options).
	Roads func(host, far string, frame []byte)
	// Interactive keeps a blocked call waiting in a world where nothing is
	// scheduled, since a console line may yet wake it; it still gives up
	// after MaxBlock of virtual time. A scenario run alone says "would
	// block forever" at once.
	Interactive bool
}

// Runner carries out shell lines in one world.
type Runner struct {
	k           sock.Kernel
	sink        Sink
	seedFixed   bool
	interactive bool
	maxRun      time.Duration
	pending     []*pendingCall
	errs        []error
	// threads run lines one after another, each blocked only by its own
	// waiting line: the scenario's first, then the console's beside it,
	// one for each process typed to and one for the other lines.
	threads []thread
	// wait is where a line being carried out leaves its wait, for the
	// thread that runs it to keep.
	wait *waiter
	// stopOnWorldError ends a scenario at a failing world line; the console
	// goes on after one.
	stopOnWorldError bool
	// gated holds the scenario's next line until open lets it through.
	gated, open bool
	// servicedAt is when background calls were last looked at: a line
	// about to start looks again if the clock moved since, which only a
	// kernel whose clock runs by itself (the OS's) does between moves.
	servicedAt time.Duration
}

// Discard is a Sink that drops everything.
type Discard struct{}

// Event drops the event.
func (Discard) Event(sock.Event) {}

// Line drops the line.
func (Discard) Line(LineRecord) {}

// NewRunner makes a runner with a fresh, empty world.
func NewRunner(opts Options) *Runner {
	sink := opts.Sink
	if sink == nil {
		sink = Discard{}
	}
	k := opts.Kernel
	if k == nil {
		k = netsim.New(netsim.Options{Seed: opts.Seed, Roads: opts.Roads}).Kernel()
	}
	r := &Runner{k: k, sink: sink, seedFixed: opts.SeedFixed, interactive: opts.Interactive, maxRun: opts.MaxRun}
	r.threads = make([]thread, 1) // the scenario's
	r.k.Observe(sink.Event)
	return r
}

// Kernel is the kernel the runner's lines run on, for snapshots and events.
func (r *Runner) Kernel() sock.Kernel { return r.k }

// Check reports every problem a scenario has before it runs: its syntax
// errors are already out by Parse; Check tries the world lines on a scratch
// world and checks that every call names a process that will exist.
func Check(s *Script) error {
	r := NewRunner(Options{})
	var errs []error
	for _, l := range s.Lines {
		var err error
		switch c := l.Cmd.(type) {
		case RunCmd, StepCmd, HelpCmd:
		case CallCmd:
			_, err = r.process(c.Host, c.Proc)
		case ArpCmd:
			_, err = r.arp(c)
		default:
			err = r.world(l)
		}
		if err != nil {
			errs = append(errs, &LineError{Line: l.No, Err: err})
		}
	}
	return errors.Join(errs...)
}

// Run carries out a scenario. Calls that fail are reported and the run goes
// on, as a C program that prints perror would; a world line that fails stops
// the run. The error joins every unexpected failure, each a *LineError.
func (r *Runner) Run(s *Script) error {
	r.stopOnWorldError = true
	defer func() { r.stopOnWorldError = false }()
	r.threads[0].queue = append(r.threads[0].queue, s.Lines...)
	r.drain()
	r.abandonPending()
	return r.takeErrors()
}

// Exec parses and carries out one line, as the console does. Calls left in
// the background go on with later lines.
func (r *Runner) Exec(no int, text string) error {
	cmd, err := ParseLine(text)
	if err != nil {
		return &LineError{Line: no, Err: err}
	}
	if cmd == nil {
		return nil
	}
	r.threads[0].queue = append(r.threads[0].queue, Line{No: no, Text: strings.TrimSpace(text), Cmd: cmd})
	r.drain()
	return r.takeErrors()
}

// Enqueue adds lines to carry out after those already waiting, for Advance
// to work through at the pace of a clock: the town's way of running a
// scenario.
func (r *Runner) Enqueue(lines ...Line) { r.threads[0].queue = append(r.threads[0].queue, lines...) }

// Interject adds lines as typed at a console beside the scenario: they run
// at once even while a scenario's line is blocked. A process's calls wait
// only behind its own earlier typed calls, as a program's next statement
// waits for its last (the console is a thread of the program beside the
// scenario's); the other lines (host, link, run, ...) wait only behind each
// other. Not to be called from a Sink.
func (r *Runner) Interject(lines ...Line) {
	for _, l := range lines {
		t := r.console(l)
		t.queue = append(t.queue, l)
	}
}

// Behind returns the line that a line Interject adds now would wait
// behind: the blocked line of its thread, or the last one queued there.
func (r *Runner) Behind(l Line) (Line, bool) {
	t := r.find(l)
	switch {
	case t == nil:
		return Line{}, false
	case len(t.queue) > 0:
		return t.queue[len(t.queue)-1], true
	case t.wait != nil:
		return t.line, true
	}
	return Line{}, false
}

// console is the thread a typed line runs on, started if need be.
func (r *Runner) console(l Line) *thread {
	if t := r.find(l); t != nil {
		return t
	}
	r.threads = append(r.threads, thread{who: typedBy(l)})
	return &r.threads[len(r.threads)-1]
}

// find is the console thread a typed line runs on, or nil before its first.
func (r *Runner) find(l Line) *thread {
	who := typedBy(l)
	for i := 1; i < len(r.threads); i++ {
		if r.threads[i].who == who {
			return &r.threads[i]
		}
	}
	return nil
}

// typedBy names a typed line's console thread: its process for a call.
func typedBy(l Line) string {
	if c, ok := l.Cmd.(CallCmd); ok {
		return c.Host + "/" + c.Proc
	}
	return ""
}

// SetGated makes each scenario line (those Enqueue adds) wait at a gate
// until Open lets it start, so that a town can give every line its time on
// screen. While a line waits there, virtual time stands still, since the
// line would start at this very instant; Interject's lines go on beside it.
// Run and Exec are not for a gated runner.
func (r *Runner) SetGated(on bool) { r.gated = on }

// AtGate returns the scenario line that waits at the gate, ready to start.
func (r *Runner) AtGate() (Line, bool) {
	if !r.held(&r.threads[0]) {
		return Line{}, false
	}
	return r.threads[0].queue[0], true
}

// Open lets the line at the gate start at the next move; with none there
// it does nothing.
func (r *Runner) Open() {
	if _, ok := r.AtGate(); ok {
		r.open = true
	}
}

// held reports whether t's next line could start but waits at the gate.
func (r *Runner) held(t *thread) bool {
	return r.gated && !r.open && t == &r.threads[0] && t.wait == nil && len(t.queue) > 0
}

// Busy reports whether lines are waiting or one is still blocked.
func (r *Runner) Busy() bool {
	for i := range r.threads {
		if r.threads[i].busy() {
			return true
		}
	}
	return false
}

// thread is a queue of lines and the line that blocks it.
type thread struct {
	who   string // a console thread's process, "host/proc"; "" for its other lines
	queue []Line
	wait  *waiter
	line  Line // the line started last: the one that set wait
}

func (t *thread) busy() bool { return t.wait != nil || len(t.queue) > 0 }

// startable reports whether some thread has a line to start now.
func (r *Runner) startable() bool {
	for i := range r.threads {
		if t := &r.threads[i]; t.wait == nil && len(t.queue) > 0 && !r.held(t) {
			return true
		}
	}
	return false
}

// on carries out f as thread t: a wait f sets is t's.
func (r *Runner) on(t *thread, f func()) {
	r.wait = nil
	f()
	t.wait, r.wait = r.wait, nil
}

// Advance carries out waiting lines and lets the world run until virtual
// time reaches limit, never beyond: a blocking call blocks only the lines
// after it, as a program's next statement waits for its last. When the lines
// are done the world goes on by itself (timers, TIME-WAIT).
func (r *Runner) Advance(limit time.Duration) {
	for r.Now() < limit || r.dueBy(limit) {
		if !r.tick(limit) {
			return
		}
	}
	for r.startable() {
		r.tick(limit) // lines that take no time start at once
	}
}

// CatchUp brings the runner up to its kernel's clock when that clock runs
// by itself (the wall clock of an OS kernel): the kernel looks at what
// happened since the last move, background and blocked calls that can
// finish do, and lines that take no time start, even while a scenario line
// waits at the gate, since real time does not stand still there. It lets
// no time pass itself and so returns at once.
func (r *Runner) CatchUp() {
	r.k.RunUntil(r.k.Now())
	r.servicePending()
	for range 1000 { // bounded: each move starts a line or ends a wait
		moved := false
		for i := range r.threads {
			t := &r.threads[i]
			if w := t.wait; w != nil {
				if ok, stuck, over := r.settled(w); over {
					t.wait = nil
					r.on(t, func() { r.wake(w, ok, stuck) })
					moved = true
				}
			}
		}
		if r.startable() {
			r.tick(r.k.Now())
			moved = true
		}
		if !moved {
			return
		}
		r.servicePending()
	}
}

// StepOne does the smallest thing that can happen next: starts the next
// line, finishes a blocked one, or runs one of the world's happenings. It
// reports false when nothing at all is left to do.
func (r *Runner) StepOne() bool { return r.tick(math.MaxInt64) }

// Now is the world's virtual time.
func (r *Runner) Now() time.Duration { return r.k.Now() }

// Errors returns the unexpected failures since the last call, each a
// *LineError, and forgets them.
func (r *Runner) Errors() []error {
	errs := r.errs
	r.errs = nil
	return errs
}

func (r *Runner) takeErrors() error { return errors.Join(r.Errors()...) }

// drain carries out every waiting line, letting virtual time run as they need.
func (r *Runner) drain() {
	for r.Busy() {
		r.tick(math.MaxInt64)
	}
}

// dueBy reports whether the world has a happening at or before t.
func (r *Runner) dueBy(t time.Duration) bool {
	next, ok := r.k.NextEvent()
	return ok && next <= t
}

// waiter is a line that blocks the lines after it: a foreground call, a
// program's watch (ping, traceroute), run D or step N. It is plain data:
// what it waits for is named (call, prog), never a closure.
type waiter struct {
	call        *pendingCall // the foreground call that waits; nil for the others
	prog        prober       // the program whose watch waits; nil for the others
	waitOut     bool         // prog's watch only waits out its deadline, as run D does
	deadline    time.Duration
	hasDeadline bool
	giveUp      time.Duration // a call without a deadline stops waiting here
	steps       int           // happenings left for step N; -1 otherwise
}

// timed reports whether w waits only for its deadline: run D, or a watch
// waited out.
func (w *waiter) timed() bool { return w.call == nil && (w.prog == nil || w.waitOut) }

// waitReady reports whether what w waits for holds (a call's or a
// program's wait).
func (r *Runner) waitReady(w *waiter) bool {
	if w.call != nil {
		return r.callReady(w.call)
	}
	return w.prog.ready(r)
}

// wake goes on after w's wait is over.
func (r *Runner) wake(w *waiter, ok, stuck bool) {
	switch {
	case w.call != nil:
		r.resume(w.call, ok, stuck)
	case w.prog != nil:
		r.wakeProbe(w)
	}
}

// Clonable reports whether the runner holds no closure bound to its
// kernel, so that a deep copy of the runner graph (with its kernel) goes on
// by itself. Calls under way (foreground and background), ping and
// traceroute, run and step are all plain data now, so it always holds; it
// stays for the callers that checked it when a running ping was not.
func (r *Runner) Clonable() bool { return true }

// tick makes one move no later than limit and reports whether it could.
func (r *Runner) tick(limit time.Duration) bool {
	for i := range r.threads {
		t := &r.threads[i]
		if w := t.wait; w != nil {
			if ok, stuck, over := r.settled(w); over {
				t.wait = nil
				r.on(t, func() { r.wake(w, ok, stuck) })
				return true
			}
			continue
		}
		if len(t.queue) > 0 && !r.held(t) {
			if r.k.Now() != r.servicedAt {
				// On Linux a background connect ends while the lines
				// after it take no virtual time; it must not wait for
				// the next run line to be seen (or see its fd closed).
				r.servicePending()
			}
			l := t.queue[0]
			t.queue = t.queue[1:]
			t.line = l
			if i == 0 {
				r.open = false // the gate closes behind it
			}
			r.on(t, func() {
				if err := r.exec(l); err != nil {
					r.errs = append(r.errs, &LineError{Line: l.No, Err: err})
					if r.stopOnWorldError {
						t.queue = nil
					}
				}
			})
			return true
		}
	}
	if r.held(&r.threads[0]) {
		return false // time stands still while a line waits at the gate
	}
	var waits []*waiter
	for i := range r.threads {
		if w := r.threads[i].wait; w != nil {
			waits = append(waits, w)
		}
	}
	if len(waits) > 0 {
		return r.waitStep(waits, limit)
	}
	if limit == math.MaxInt64 {
		if !r.k.Step() {
			return false
		}
		r.servicePending()
		return true
	}
	r.advance(limit, true)
	return true
}

// settled reports whether w's wait is over, and how it ended.
func (r *Runner) settled(w *waiter) (ok, stuck, over bool) {
	now := r.k.Now()
	switch {
	case w.steps >= 0:
		if _, more := r.k.NextEvent(); w.steps == 0 || !more {
			return true, false, true
		}
	case w.timed(): // run D, or a watch waited out
		if now >= w.deadline {
			r.k.RunUntil(w.deadline)
			return true, false, true
		}
	case r.waitReady(w):
		return true, false, true
	case w.hasDeadline && now >= w.deadline:
		return false, false, true
	case !w.hasDeadline && (now >= w.giveUp || r.idle() && !r.interactive):
		return false, true, true
	}
	return false, false, false
}

// waitStep lets the world move towards the end of the first wait to end,
// no later than limit. A step N counts the world's happenings.
func (r *Runner) waitStep(waits []*waiter, limit time.Duration) bool {
	end := limit
	stepping := false
	for _, w := range waits {
		switch {
		case w.steps >= 0:
			stepping = true
		case w.hasDeadline:
			end = min(end, w.deadline)
		default:
			end = min(end, w.giveUp)
		}
	}
	if stepping {
		if next, ok := r.k.NextEvent(); !ok || next > end {
			r.k.RunUntil(end)
			return false
		}
		r.k.Step()
		r.servicePending()
		for _, w := range waits {
			if w.steps > 0 {
				w.steps--
			}
		}
		return true
	}
	if r.k.Now() >= end && !r.dueBy(end) {
		return false
	}
	r.advance(end, true)
	return true
}

func (r *Runner) exec(l Line) error {
	switch c := l.Cmd.(type) {
	case RunCmd:
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseWorld})
		r.runFor(c.D)
		return nil
	case StepCmd:
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseWorld})
		r.wait = &waiter{steps: c.N}
		return nil
	case CallCmd:
		r.call(l, c)
		return nil
	case HelpCmd:
		// The help text is the line's result, so that every sink (the
		// trace, the console) shows it where a result goes.
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseWorld})
		text, err := Help(c.Topic)
		if err != nil {
			return err
		}
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseDone, Result: text})
		return nil
	case ArpCmd:
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseWorld})
		text, err := r.arp(c)
		if err != nil {
			return err
		}
		r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseDone, Result: text})
		return nil
	}
	r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Text: l.Text, Phase: PhaseWorld})
	return r.world(l)
}

// world carries out a line that builds or changes the town.
func (r *Runner) world(l Line) error {
	switch c := l.Cmd.(type) {
	case HostCmd:
		return r.k.AddHost(c.Name, c.Addrs, sock.HostOptions{Forward: c.Forward})
	case SwitchCmd:
		return r.k.AddSwitch(c.Name, c.Ports)
	case LinkCmd:
		switches := r.switches()
		for _, name := range []string{c.A, c.B} {
			if !r.hasHost(name) && !slices.Contains(switches, name) {
				// netsim says as much without the guess, which
				// needs the names the shell offers.
				if hint := meanOneOf(closest(name, append(r.k.Hosts(), switches...))); hint != "" {
					return fmt.Errorf("link: no host or switch called %s: %w; %s", name, sock.ErrInval, hint)
				}
			}
		}
		if link, ok := r.k.Link(c.A, c.B); ok {
			cfg := link.Config
			for _, p := range c.Props {
				p.apply(&cfg)
			}
			return r.k.SetLink(c.A, c.B, cfg)
		}
		var cfg sock.LinkConfig
		for _, p := range c.Props {
			p.apply(&cfg)
		}
		return r.k.AddLink(c.A, c.B, cfg)
	case RouteCmd:
		if !r.hasHost(c.Host) {
			return r.noHost("route", c.Host, "")
		}
		return r.k.AddRoute(c.Host, c.Dst, c.Gateway)
	case ProcessCmd:
		if !r.hasHost(c.Host) {
			return r.noHost("process", c.Host, fmt.Sprintf("declare it first with host %s ADDR/PREFIX", c.Host))
		}
		_, err := r.k.AddProcess(c.Host, c.Name, c.Root)
		return err
	case PeerCmd:
		return r.peer(c)
	case SeedCmd:
		if r.seedFixed {
			return nil
		}
		return r.k.SetSeed(c.Seed)
	}
	return fmt.Errorf("%q cannot be carried out here", l.Text)
}

// peer carries out a peer line on the simulator's world.
func (r *Runner) peer(c PeerCmd) error {
	w := netsim.KernelWorld(r.k)
	if w == nil {
		return fmt.Errorf("peer: roads to peers' towns are the simulator's; the %s kernel has none: %w", r.k.Name(), sock.ErrOpNotSupp)
	}
	if !r.hasHost(c.Host) {
		return r.noHost("peer", c.Host, fmt.Sprintf("declare it first with host %s ADDR/PREFIX", c.Host))
	}
	if c.Gone {
		return w.RoadDown(c.Host, c.Far, c.Far+" left the room")
	}
	return w.AddRoad(c.Host, c.Far, c.Addr)
}

// Deliver hands host a frame that came along its road from far (a peer
// line's), at the kernel's time now.
func (r *Runner) Deliver(host, far string, frame []byte) error {
	w := netsim.KernelWorld(r.k)
	if w == nil {
		return fmt.Errorf("a frame from %s: the %s kernel has no roads to peers' towns: %w", far, r.k.Name(), sock.ErrOpNotSupp)
	}
	return w.DeliverRoad(host, far, frame)
}

// switches are the names of the town's switches, in the order they were
// added.
func (r *Runner) switches() []string {
	var names []string
	for _, sw := range r.k.Snapshot().Switches {
		names = append(names, sw.Name)
	}
	return names
}

// arp is what "arp HOST" prints: the host's neighbour cache as ip neigh
// lists it, one entry a line, or "(empty)".
func (r *Runner) arp(c ArpCmd) (string, error) {
	if !r.hasHost(c.Host) {
		if slices.Contains(r.switches(), c.Host) {
			return "", fmt.Errorf("arp: %s is a switch, which has no ARP cache (a switch learns MAC addresses, not IP addresses)", c.Host)
		}
		return "", r.noHost("arp", c.Host, "")
	}
	for _, h := range r.k.Snapshot().Hosts {
		if h.Name != c.Host {
			continue
		}
		if len(h.Neigh) == 0 {
			return "(empty)", nil
		}
		lines := make([]string, len(h.Neigh))
		for i, n := range h.Neigh {
			lines[i] = n.String()
		}
		return strings.Join(lines, "\n"), nil
	}
	return "(empty)", nil
}

// nearHosts are the town's hosts whose names are close to name.
func (r *Runner) nearHosts(name string) []string {
	return closest(name, r.k.Hosts())
}

// hasHost reports whether the town has a host called name.
func (r *Runner) hasHost(name string) bool {
	_, ok := r.k.Processes(name)
	return ok
}

// noHost says that the town has no host called name, naming the closest
// it has.
func (r *Runner) noHost(line, name, declare string) error {
	if hint := meanOneOf(r.nearHosts(name)); hint != "" {
		return fmt.Errorf("%s: no host called %s; %s", line, name, hint)
	}
	if declare != "" {
		return fmt.Errorf("%s: no host called %s (%s)", line, name, declare)
	}
	return fmt.Errorf("%s: no host called %s", line, name)
}

// process finds the process a call names. Only now, with the town built,
// is it known whether HOST/PROC exists; when it does not, the error names
// the closest that do.
func (r *Runner) process(host, proc string) (sock.Proc, error) {
	names, ok := r.k.Processes(host)
	if !ok {
		// A close host that runs the process is the likeliest meaning.
		near := r.nearHosts(host)
		var withProc []string
		for _, name := range near {
			if r.k.Process(name, proc) != nil {
				withProc = append(withProc, name+"/"+proc)
			}
		}
		if len(withProc) == 0 {
			withProc = near
		}
		if hint := meanOneOf(withProc); hint != "" {
			return nil, fmt.Errorf("%s/%s: no host called %s; %s", host, proc, host, hint)
		}
		return nil, fmt.Errorf("%s/%s: no host called %s", host, proc, host)
	}
	p := r.k.Process(host, proc)
	if p == nil {
		var here, elsewhere []string
		for _, name := range closest(proc, names) {
			here = append(here, host+"/"+name)
		}
		for _, o := range r.k.Hosts() {
			if o != host && r.k.Process(o, proc) != nil {
				elsewhere = append(elsewhere, o+"/"+proc)
			}
		}
		hint := meanOneOf(here)
		if hint == "" {
			hint = meanOneOf(elsewhere)
		}
		if hint != "" {
			return nil, fmt.Errorf("%s/%s: no process called %s on %s; %s", host, proc, proc, host, hint)
		}
		return nil, fmt.Errorf("%s/%s: no process called %s on %s (start it with process %s %s)", host, proc, proc, host, host, proc)
	}
	return p, nil
}

// runFor lets d of virtual time pass, completing background calls as they can.
func (r *Runner) runFor(d time.Duration) {
	if r.maxRun > 0 {
		d = min(d, r.maxRun)
	}
	end := r.k.Now() + d
	if end < r.k.Now() {
		end = math.MaxInt64 // the end of virtual time
	}
	r.wait = &waiter{deadline: end, hasDeadline: true, steps: -1}
}

// advance moves the world to its next point of interest, no later than
// limit: the next scheduled happening, or the deadline of a background call,
// whichever comes first. It reports false when there is none before the
// limit and no limit either (nothing will ever happen again).
func (r *Runner) advance(limit time.Duration, hasLimit bool) bool {
	next, ok := r.k.NextEvent()
	for _, pc := range r.pending {
		if pc.hasDeadline && (!ok || pc.deadline < next) {
			next, ok = pc.deadline, true
		}
	}
	switch {
	case hasLimit && (!ok || next > limit):
		r.k.RunUntil(limit)
	case !ok:
		return false
	case next < r.k.Now():
		next = r.k.Now()
		fallthrough
	default:
		if at, scheduled := r.k.NextEvent(); scheduled && at == next {
			r.k.Step()
		} else {
			r.k.RunUntil(next)
		}
	}
	r.servicePending()
	return true
}

// Idle reports whether nothing at all will happen by itself: the world has
// no scheduled happening and no background call has a deadline. Lines may
// still wait (see Busy); a background call without a deadline waits on
// the town, which only a new line can move. A town pacing virtual time
// lets it stand still then: running it on would lead nowhere.
func (r *Runner) Idle() bool { return r.idle() }

// idle reports whether nothing at all will happen: no scheduled happening
// and no background call with a deadline.
func (r *Runner) idle() bool {
	if _, ok := r.k.NextEvent(); ok {
		return false
	}
	for _, pc := range r.pending {
		if pc.hasDeadline {
			return false
		}
	}
	return true
}

// servicePending moves background calls on that can go on now.
func (r *Runner) servicePending() {
	r.servicedAt = r.k.Now()
	for i := 0; i < len(r.pending); {
		pc := r.pending[i]
		ready := r.callReady(pc)
		if !ready && !(pc.hasDeadline && r.k.Now() >= pc.deadline) {
			i++
			continue
		}
		res, err := r.doCall(pc, !ready)
		if err == errNotDone {
			i++
			continue
		}
		r.pending = append(r.pending[:i], r.pending[i+1:]...)
		r.finish(pc.line, pc.cmd, res, err)
	}
}

// abandonPending reports the background calls still blocked when a run ends.
func (r *Runner) abandonPending() {
	for _, pc := range r.pending {
		r.sink.Line(LineRecord{
			Time: r.k.Now(), Line: pc.line.No, Who: pc.cmd.Host + "/" + pc.cmd.Proc, Text: pc.cmd.Call.Text,
			Phase: PhaseDone, Background: true, Result: "still blocked when the scenario ended",
		})
	}
	r.pending = nil
}

// Pending is the number of background calls still waiting.
func (r *Runner) Pending() int { return len(r.pending) }

// MaxBlock is the longest a foreground call may block, in virtual time. A
// TCP connection probing a window that never opens, for one, keeps the town
// busy for ever without the call ever going on.
const MaxBlock = time.Hour

func (r *Runner) call(l Line, c CallCmd) {
	who := c.Host + "/" + c.Proc
	p, err := r.process(c.Host, c.Proc)
	if err != nil {
		r.errs = append(r.errs, &LineError{Line: l.No, Err: err})
		return
	}
	r.sink.Line(LineRecord{Time: r.k.Now(), Line: l.No, Who: who, Text: c.Call.Text, Phase: PhaseIssued, Background: c.Background})
	i, ok := callRowOf(c.Call.Op)
	if !ok {
		r.finish(l, c, "", fmt.Errorf("%s: not a call", c.Call.Op))
		return
	}
	row := &callTable[i]
	if row.program != nil {
		row.program(r, l, c, p)
		return
	}
	pc := &pendingCall{line: l, cmd: c, row: i}
	if row.start != nil {
		row.start(r, p, pc)
	}
	if c.Background && !r.callReady(pc) {
		r.pending = append(r.pending, pc)
		return
	}
	r.carryOut(pc)
}

// procOf is the process that makes a call under way. A pending call names
// it rather than holding it, so that it stays plain data.
func (r *Runner) procOf(pc *pendingCall) sock.Proc {
	return r.k.Process(pc.cmd.Host, pc.cmd.Proc)
}

// callReady reports whether a call under way can go on now.
func (r *Runner) callReady(pc *pendingCall) bool {
	row := &callTable[pc.row]
	if row.ready == nil {
		return true
	}
	p := r.procOf(pc)
	return p == nil || row.ready(r, p, pc)
}

// doCall carries a call under way out, or on.
func (r *Runner) doCall(pc *pendingCall, timedOut bool) (string, error) {
	p := r.procOf(pc)
	if p == nil {
		return "", fmt.Errorf("%s/%s: the process is gone", pc.cmd.Host, pc.cmd.Proc)
	}
	return callTable[pc.row].do(r, p, pc, timedOut)
}

// carryOut does a foreground call once it can go on, waiting for it in
// between; a call that makes progress but is not done (send all, recv all)
// waits again.
func (r *Runner) carryOut(pc *pendingCall) {
	if r.callReady(pc) {
		r.resume(pc, true, false)
		return
	}
	r.wait = &waiter{
		call: pc, deadline: pc.deadline, hasDeadline: pc.hasDeadline,
		giveUp: r.k.Now() + MaxBlock, steps: -1,
	}
}

// resume goes on with a foreground call whose wait is over: ok when it can
// go on, stuck when nothing will ever wake it.
func (r *Runner) resume(pc *pendingCall, ok, stuck bool) {
	l, c := pc.line, pc.cmd
	if stuck {
		r.finish(l, c, "", fmt.Errorf("%s: would block forever: nothing that could wake it is left in the town, or it waited %v of virtual time (add & to run it in the background, or set a timeout)", c.Call.Op, MaxBlock))
		return
	}
	res, err := r.doCall(pc, !ok)
	if err == errNotDone {
		if c.Background {
			r.pending = append(r.pending, pc)
			return
		}
		r.carryOut(pc)
		return
	}
	r.finish(l, c, res, err)
}

// finish reports a completed call and checks it against its "=> ...".
func (r *Runner) finish(l Line, c CallCmd, res string, err error) {
	rec := LineRecord{Time: r.k.Now(), Line: l.No, Who: c.Host + "/" + c.Proc, Text: c.Call.Text, Phase: PhaseDone, Background: c.Background, Result: res, Err: err}
	if err != nil {
		rec.Result = resultOfError(err)
	}
	switch {
	case c.HasExpect && !matches(c.Expect, rec.Result, err):
		rec.Unexpected = true
		r.errs = append(r.errs, &LineError{Line: l.No, Err: fmt.Errorf("%s: got %s, want %s", c.Call.Op, rec.Result, c.Expect)})
	case !c.HasExpect && err != nil:
		rec.Unexpected = true
		r.errs = append(r.errs, &LineError{Line: l.No, Err: err})
	}
	r.sink.Line(rec)
}

// resultOfError is what C would print for a failed call: "ENAME: sentence".
func resultOfError(err error) string {
	if errno := sock.ErrnoOf(err); errno != nil {
		return errno.Error()
	}
	return err.Error()
}

// matches compares a result with an expectation. An errno name alone
// matches any failure with that errno, and a result of several lines
// (ping's errors before its statistics) is matched whole or by its last
// line.
func matches(expect, result string, err error) bool {
	if errno := sock.ErrnoOf(err); errno != nil && expect == errno.Name() {
		return true
	}
	same := func(a, b string) bool {
		return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
	}
	if i := strings.LastIndexByte(strings.TrimRight(result, "\n"), '\n'); i >= 0 && same(expect, result[i+1:]) {
		return true
	}
	return same(expect, result)
}
