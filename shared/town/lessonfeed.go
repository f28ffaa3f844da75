package town

import (
	"socketville/shared/lessons"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// lessonFeed shows a lesson's Checker every event of the town, in order,
// up to the moment the town shows. It follows the player's run through
// its hooks: OnEvent tells it each event once, as the run first makes it
// (and, when it starts following, the events so far), and OnReset that
// the events from some point on are gone (a load, a line typed back in
// time). It keeps them, so that when the town goes back the checker is
// given the events up to the moment shown again, without running the
// story a second time (a lesson's town makes some hundreds of events; a
// checker takes some 30 ns an event).
type lessonFeed struct {
	lesson  lessons.Lesson
	checker *lessons.Checker
	player  *play.Player // the player followed
	name    string       // the scenario it played then: the lesson's
	kept    []sock.Event // the run's events, by their index
	events  int          // the events the checker has seen: kept[:events]
	seen    int          // the player's EventIndex when the feed last looked; -1 none
	// cut is the lowest event forgotten since the goal was met (the
	// judge sets it to the event it was met at): the run's history
	// from there on is another.
	cut int
	// from is the first event the checker sees: a shared lesson opened
	// in a town already shared is judged from that moment, not from
	// the town's start.
	from int
}

// newLessonFeed makes a feed for l's goal, to start on the first sync.
func newLessonFeed(l lessons.Lesson) *lessonFeed { return &lessonFeed{lesson: l, seen: -1} }

// follow makes the feed follow p's run, if it does not already: the
// hooks replace any a feed before it set (a lesson started again). Once
// the player has left the lesson's scenario the feed follows nothing.
func (f *lessonFeed) follow(p *play.Player) {
	if f.player == p || f.name != "" && p.Name() != f.name {
		return
	}
	f.player, f.name, f.kept, f.checker, f.events, f.seen = p, p.Name(), nil, nil, 0, -1
	p.OnReset(f.forget)
	p.OnEvent(f.event) // the events so far first
}

// event keeps the run's ith event. A replayed event is never told, so i
// is the next index unless the feed was told to forget.
func (f *lessonFeed) event(i int, e sock.Event) {
	if i != len(f.kept) {
		f.kept = f.kept[:min(i, len(f.kept))]
		if i > len(f.kept) {
			return // a gap cannot be judged; a reset comes before one
		}
	}
	f.kept = append(f.kept, e)
}

// forget lets the events from n on go: another story follows, or none.
// When the player loaded another scenario the lesson is left: the feed
// lets go of the hooks, so that it keeps no event of the town after.
func (f *lessonFeed) forget(n int) {
	if p := f.player; p != nil && p.Name() != f.name {
		p.OnEvent(nil)
		p.OnReset(nil)
		f.player, f.kept = nil, nil
	}
	f.kept = f.kept[:min(n, len(f.kept))]
	f.cut = min(f.cut, n)
	if f.events > n {
		f.checker = nil // judged again from the start
	}
	f.seen = -1
}

// sync brings the checker to the player's moment: on from where it is
// when the town went on, from the start when it went back.
func (f *lessonFeed) sync(p *play.Player) {
	f.follow(p)
	if f.checker != nil && f.seen == p.EventIndex() {
		return
	}
	f.seen = p.EventIndex()
	n := min(p.EventIndex(), len(f.kept))
	if f.checker == nil || f.events > n {
		f.checker, f.events = lessons.NewChecker(f.lesson), min(f.from, n)
	}
	for ; f.events < n; f.events++ {
		f.checker.Event(f.kept[f.events])
	}
}

// result judges the goal on the player's snapshot, with every event up
// to it seen.
func (f *lessonFeed) result(p *play.Player) lessons.Result {
	f.sync(p)
	return f.checker.Result(p.Snapshot())
}

// rebind judges another goal from the feed's start: a shared lesson's,
// once YOU and FRIEND are named.
func (f *lessonFeed) rebind(l lessons.Lesson) {
	f.lesson, f.checker, f.seen = l, nil, -1
}
