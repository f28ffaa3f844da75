package town

import (
	"strings"
	"testing"
)

// TestLessonGoalFollowsBackAndForward: lesson 6's goal, met by its
// show-me lines, is not met once the town is back at the start of the
// learner's lines, and met again when stepped forward to the end, event
// by event; a lesson started again judges its own run from its start.
func TestLessonGoalFollowsBackAndForward(t *testing.T) {
	g := lessonTown(t, 6, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	start := g.player.EventIndex()
	typeLines(t, g, strings.TrimSpace(lessonOf(t, 6).Show))
	if s, ok := frames(g, 3000, metOf); !ok {
		t.Fatalf("not met: %+v", s.Lesson)
	}
	end := g.player.EventIndex()
	if err := g.player.JumpTo(start); err != nil {
		t.Fatal(err)
	}
	if s, _ := frames(g, 1, func(State) bool { return true }); s.Lesson.Met {
		t.Errorf("back at event %d, before the show-me lines, the goal shows met", start)
	}
	for g.player.EventIndex() < end {
		g.player.Step()
	}
	s, _ := frames(g, 1, func(State) bool { return true })
	if !s.Lesson.Met || g.book.run.feed.events != end {
		t.Errorf("stepped forward to event %d: met %v, the checker saw %d events", end, s.Lesson.Met, g.book.run.feed.events)
	}
	g.startAgain()
	if s, _ := frames(g, 600, func(State) bool { return !g.player.Busy() }); s.Lesson.Met {
		t.Error("started again, the goal shows met")
	}
	if f := g.book.run.feed; f.events != g.player.EventIndex() || len(f.kept) != g.player.EventCount() {
		t.Errorf("started again: the checker saw %d events and keeps %d; the town shows %d of %d", f.events, len(f.kept), g.player.EventIndex(), g.player.EventCount())
	}
}

// BenchmarkLessonJudgeAfterBack is what judging a lesson's goal costs a
// frame after Back (the left arrow): lesson 8, its show-me lines typed
// and two minutes of TIME-WAIT run, the town one event back or at the
// end again, in turn. Back itself is not timed.
func BenchmarkLessonJudgeAfterBack(b *testing.B) {
	g, f := lesson8Met(b)
	n := g.player.EventIndex()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if err := g.player.JumpTo(n - i%2); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		f.result(g.player)
	}
	b.ReportMetric(float64(n), "events") // after the loop: ResetTimer forgets metrics
}

// TestLessonFeedLetsGoOfALeftLesson: once the learner plays another
// scenario the lesson's feed keeps none of its events.
func TestLessonFeedLetsGoOfALeftLesson(t *testing.T) {
	g := lessonTown(t, 5, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	f := g.book.run.feed
	if len(f.kept) == 0 || len(f.kept) != g.player.EventCount() {
		t.Fatalf("in the lesson the feed keeps %d events of %d", len(f.kept), g.player.EventCount())
	}
	if err := g.player.Load("hello-tcp", "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\nprocess a c\na/c: socket udp\n"); err != nil {
		t.Fatal(err)
	}
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	f.result(g.player) // as a judge late in the frame would
	if g.book.run != nil || len(f.kept) != 0 || g.player.EventCount() == 0 {
		t.Errorf("another scenario played: lesson open %v, the old feed keeps %d events, the town made %d", g.book.run != nil, len(f.kept), g.player.EventCount())
	}
}
