package lessons

import (
	"fmt"
	"io"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// Outcome is what playing a scenario for a lesson gave: how the goal
// stands where the scenario ends, and the calls that failed on the way.
type Outcome struct {
	Result
	// Failures are the lines whose calls failed when the scenario did not
	// expect it, each a *script.LineError: often the reason a check is
	// missing ("line 9: connect: ECONNREFUSED: connection refused").
	Failures []error
}

// Run plays a whole scenario (the lesson's start with the learner's lines
// after it) headless on the simulator, seeing every event, and judges the
// goal on the town where it ends. name names the scenario in errors. The
// error is for a scenario that cannot run at all (a line that does not
// parse, a process that is never made), each problem a *script.LineError;
// calls that fail while it runs are Failures, and the goal is still judged.
func (l Lesson) Run(name string, src io.Reader) (Outcome, error) {
	return l.RunWith(name, src, script.Options{})
}

// RunWith is Run with the runner's options: opts.Kernel runs the scenario
// on another kernel (the operating system's, for "the same town on real
// sockets"), and opts.Sink, if set, sees the run too (a trace printer).
func (l Lesson) RunWith(name string, src io.Reader, opts script.Options) (Outcome, error) {
	s, err := script.Parse(name, src)
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("%s cannot run: %w", name, err)
	}
	c := NewChecker(l)
	opts.Sink = checkerSink{c: c, next: opts.Sink}
	r := script.NewRunner(opts)
	runErr := r.Run(s)
	return Outcome{Result: c.Result(r.Kernel().Snapshot()), Failures: unjoinAll(runErr)}, nil
}

// checkerSink shows a run's events to a Checker, and passes everything on
// to next, if there is one.
type checkerSink struct {
	c    *Checker
	next script.Sink
}

func (s checkerSink) Event(e sock.Event) {
	s.c.Event(e)
	if s.next != nil {
		s.next.Event(e)
	}
}

func (s checkerSink) Line(r script.LineRecord) {
	if s.next != nil {
		s.next.Line(r)
	}
}

// unjoinAll lists the errors err joins; none for nil.
func unjoinAll(err error) []error {
	if err == nil {
		return nil
	}
	return unjoin(err)
}
