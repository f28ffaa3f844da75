package lessons_test

import (
	"strings"
	"testing"

	"socketville/shared/lessons"
	"socketville/shared/script"
)

// BenchmarkCheckerEvent is what judging a goal live costs the town per
// event: lesson 7's goal fed the events of its solution.
func BenchmarkCheckerEvent(b *testing.B) {
	l, _ := lessons.Find(7)
	rec := &recorder{}
	s, err := script.Parse(l.File, strings.NewReader(l.Solution()))
	if err != nil {
		b.Fatal(err)
	}
	r := script.NewRunner(script.Options{Sink: rec})
	if err := r.Run(s); err != nil {
		b.Fatal(err)
	}
	snap := r.Kernel().Snapshot()
	b.ResetTimer()
	for b.Loop() {
		c := lessons.NewChecker(l)
		for _, e := range rec.events {
			c.Event(e)
		}
		if !c.Result(snap).Met {
			b.Fatal("not met")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rec.events)), "ns/event")
}

// BenchmarkRunLesson is lesson N --check on the simulator: parse, run and
// judge lesson 8's solution (two minutes of virtual time).
func BenchmarkRunLesson(b *testing.B) {
	l, _ := lessons.Find(8)
	src := l.Solution()
	for b.Loop() {
		o, err := l.Run(l.File, strings.NewReader(src))
		if err != nil || !o.Met {
			b.Fatal(err, o.Missing())
		}
	}
}

// BenchmarkAll is what reading the built-in lessons costs (parse, and try
// each town's world lines): a frontend calls All once, not every frame.
func BenchmarkAll(b *testing.B) {
	for b.Loop() {
		if len(lessons.All()) == 0 {
			b.Fatal("no lessons")
		}
	}
}
