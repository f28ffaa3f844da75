package lessons

import "socketville/shared/sock"

// Check is one named condition of a goal, as a goal line gives it.
type Check struct {
	// Line is the goal line as written: "listening b 80"; in a bound
	// shared lesson, with YOU and FRIEND named ("listening bob 7000").
	Line string
	// raw is the line as the lesson file has it, YOU and FRIEND
	// included: what Bind reads again.
	raw string
	// Name says what the check wants, as a sentence a learner reads:
	// "a socket on host b is listening on port 80".
	Name string
	// watch makes a fresh watcher, so that one Check serves any number
	// of Checkers.
	watch func() watcher
	// hosts and switches are the names the check looks at, which the
	// lesson's town must have.
	hosts, switches []string
	// events says the check reads events, not the snapshot alone: in a
	// shared town it cannot look at a friend's host, whose events stay
	// on the friend's page.
	events bool
}

// watcher is one check's state while a town runs: it sees every event
// once, keeps only what it needs, and judges a snapshot.
type watcher interface {
	event(e sock.Event)
	// result says whether the check holds and, when it does not, what is
	// missing, as a sentence.
	result(snap sock.Snapshot) (met bool, missing string)
}

// Result is how a goal stands: met when every check holds.
type Result struct {
	Met    bool
	Checks []CheckResult
}

// CheckResult is how one check stands. Missing says, when it does not
// hold, what is missing ("no socket on host b is listening on port 80
// (host b listens on port 81)"); it is empty when it holds.
type CheckResult struct {
	Name    string
	Met     bool
	Missing string
}

// Missing lists what is missing, one sentence for each check that does not
// hold, in the goal's order.
func (r Result) Missing() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Met {
			out = append(out, c.Missing)
		}
	}
	return out
}

// Checker judges a goal while a town runs: feed it every event as it
// happens, and ask for the Result at any moment with the snapshot of that
// moment. It keeps only what its checks need, not the events. A Checker is
// not safe for use by several goroutines at once.
type Checker struct {
	checks   []Check
	watchers []watcher
}

// NewChecker makes a Checker for a lesson's goal, as if the town had just
// begun.
func NewChecker(l Lesson) *Checker { return NewGoalChecker(l.Goal) }

// NewGoalChecker makes a Checker for any list of checks.
func NewGoalChecker(goal []Check) *Checker {
	c := &Checker{checks: goal, watchers: make([]watcher, len(goal))}
	for i, ch := range goal {
		c.watchers[i] = ch.watch()
	}
	return c
}

// Event shows the checker one event; events must come in the order they
// happened.
func (c *Checker) Event(e sock.Event) {
	for _, w := range c.watchers {
		w.event(e)
	}
}

// Result judges the goal on snap, the town as it is after the events seen
// so far. An empty goal is never met: a lesson always asks for something.
func (c *Checker) Result(snap sock.Snapshot) Result {
	r := Result{Met: len(c.checks) > 0, Checks: make([]CheckResult, len(c.checks))}
	for i, w := range c.watchers {
		met, missing := w.result(snap)
		if met {
			missing = ""
		}
		r.Checks[i] = CheckResult{Name: c.checks[i].Name, Met: met, Missing: missing}
		r.Met = r.Met && met
	}
	return r
}

// Check judges the lesson's goal on a snapshot and the events that led to
// it, in order.
func (l Lesson) Check(snap sock.Snapshot, events []sock.Event) Result {
	c := NewChecker(l)
	for _, e := range events {
		c.Event(e)
	}
	return c.Result(snap)
}
