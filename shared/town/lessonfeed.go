package town

import (
	"strings"

	"socketville/shared/lessons"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// lessonFeed shows a lesson's Checker every event of the town, in order,
// up to the moment the town shows. The player hands its events to its
// own sink only, so the feed keeps a runner of its own beside it and
// gives it the calls the player made (its Session: the lines let
// through, how far time was carried, the lines typed): the simulator is
// deterministic, so that runner makes the player's events one for one.
// When the player goes back in time, or is loaded again, the session is
// no longer one the feed's runner is partway through, and the feed
// starts again from the scenario's start.
type lessonFeed struct {
	lesson  lessons.Lesson
	checker *lessons.Checker
	r       *script.Runner
	// applied is how many of the session's inputs the runner has had;
	// the last may be an advance under way, whose limit grows.
	applied  int
	last     play.Input
	events   int // the events the checker has seen
	name     string
	src      string
	seed     uint64
	broken   bool // the scenario would not parse: nothing to feed
	gen      int  // the console's Gen the runner was made for
	sessions int  // how many times a session was read (for tests)
	typed    int  // the last line number given to the runner
	seen     int  // the player's EventIndex when the feed last looked
}

// feedSink hands the feed's runner's events to the checker.
type feedSink struct{ f *lessonFeed }

func (s feedSink) Event(e sock.Event) {
	s.f.checker.Event(e)
	s.f.events++
}

func (feedSink) Line(script.LineRecord) {}

// newLessonFeed makes a feed for l's goal, to start on the first sync.
func newLessonFeed(l lessons.Lesson) *lessonFeed { return &lessonFeed{lesson: l, gen: -1} }

// sync brings the checker up to the player's moment: it reads the
// player's session only when the player made or undid events, or loaded
// a scenario, since the feed last looked.
func (f *lessonFeed) sync(p *play.Player) {
	gen := p.Console().Gen()
	if gen == f.gen && p.EventIndex() == f.seen {
		return
	}
	f.seen = p.EventIndex()
	s := p.Session()
	f.sessions++
	if gen != f.gen || !f.continues(s) {
		f.restart(s, gen)
	}
	if f.broken {
		return
	}
	if f.applied > 0 {
		// The last input given may be an advance that went further since.
		if in := s.Inputs[f.applied-1]; in.Kind == play.InputAdvance && in.Limit > f.last.Limit {
			f.r.Advance(in.Limit)
			f.last = in
		}
	}
	for _, in := range s.Inputs[f.applied:] {
		f.apply(in)
	}
	f.applied = len(s.Inputs)
}

// continues reports whether s goes on from what the runner was given:
// the same scenario, and inputs that extend those applied (the last of
// them an advance that may have gone further, never less far).
func (f *lessonFeed) continues(s play.Session) bool {
	if f.r == nil || s.Name != f.name || s.Source != f.src || s.Seed != f.seed || len(s.Inputs) < f.applied {
		return false
	}
	if f.applied == 0 {
		return true
	}
	in := s.Inputs[f.applied-1]
	if in.Kind != f.last.Kind || in.Line != f.last.Line || in.N != f.last.N {
		return false
	}
	return in.Kind != play.InputAdvance || in.Limit >= f.last.Limit
}

// restart makes a fresh runner at the scenario's start and a fresh
// checker, as the player does when it loads.
func (f *lessonFeed) restart(s play.Session, gen int) {
	f.checker = lessons.NewChecker(f.lesson)
	f.applied, f.last, f.events, f.gen = 0, play.Input{}, 0, gen
	f.name, f.src, f.seed = s.Name, s.Source, s.Seed
	sc, err := script.Parse(s.Name, strings.NewReader(s.Source))
	if err != nil {
		f.broken, f.r = true, nil
		return
	}
	f.broken = false
	f.r = script.NewRunner(script.Options{Seed: s.Seed, Sink: feedSink{f}, Interactive: true})
	f.r.SetGated(true)
	f.r.Enqueue(sc.Lines...)
	f.typed = 0
	if n := len(sc.Lines); n > 0 {
		f.typed = sc.Lines[n-1].No
	}
}

// apply gives the runner one input, as the player made it.
func (f *lessonFeed) apply(in play.Input) {
	switch in.Kind {
	case play.InputOpen:
		f.r.Open()
	case play.InputAdvance:
		f.r.Advance(in.Limit)
	case play.InputStep:
		for range in.N {
			f.r.StepOne()
		}
	case play.InputLine:
		cmd, err := script.ParseLine(in.Line)
		if err != nil || cmd == nil {
			break // the player refused it too: it never ran
		}
		// Typed lines number on from the scenario's last, as the
		// player numbers them.
		f.typed++
		f.r.Interject(script.Line{No: f.typed, Text: in.Line, Cmd: cmd})
	}
	f.last = in
}

// result judges the goal on the player's snapshot, with every event up
// to it seen.
func (f *lessonFeed) result(p *play.Player) lessons.Result {
	f.sync(p)
	if f.checker == nil {
		f.checker = lessons.NewChecker(f.lesson)
	}
	return f.checker.Result(p.Snapshot())
}
