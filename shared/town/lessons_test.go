package town

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebitenui/ebitenui/event"

	"socketville/examples"
	"socketville/shared/lessons"
	"socketville/shared/town/play"
)

// wrongAttempts are, for each built-in lesson, a few lines a learner
// might type that fall short of its goal: a step left out or the wrong
// call (the browser's scripted learner types the same).
var wrongAttempts = map[int]string{
	1:  "a/app: socket udp\na/app: sendto 3 10.0.0.2:7 \"hi\"",    // never read
	2:  "a/browser: socket tcp\na/browser: connect 3 10.0.0.2:80", // never accepted
	3:  "a/app: socket udp\na/app: sendto 3 10.0.0.2:7 \"x\"",     // UDP alone
	4:  "a/app: socket tcp\na/app: connect 3 10.0.0.2:25",         // one port of three
	5:  "b/web: bind 3 0.0.0.0:80",                                // bound, not listening
	6:  "c1/app: socket tcp\nc1/app: connect 3 10.0.0.1:80",       // one client
	7:  "c1/app: send 3 \"a\"\ns/server: poll 4,5 in",             // polled, not read
	8:  "a/browser: close 3\nrun 1s",                              // the server never closes
	9:  "a/app: ping 192.168.9.10",                                // the far host alone
	10: "a/browser: socket tcp\na/browser: connect 3 10.0.0.2:80", // no conversation
}

// memProgress is a ProgressStore in memory, that may refuse to load.
type memProgress struct {
	p       Progress
	saves   int
	loadErr error
}

func (m *memProgress) Load() (Progress, error) { return m.p, m.loadErr }
func (m *memProgress) Save(p Progress) error   { m.p = p; m.saves++; return nil }

// lessonTown is a 1280x800 town opening lesson n, with progress in store.
func lessonTown(t *testing.T, n int, store ProgressStore) *Game {
	t.Helper()
	g, err := New(Options{Lesson: n, Progress: store})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = 1280, 800
	g.fitUI(1)
	g.layOut()
	return g
}

// frames runs the town's frames (its clock, the lesson, the widgets)
// until ok holds, for at most n frames.
func frames(g *Game, n int, ok func(State) bool) (State, bool) {
	for range n {
		g.player.Tick(time.Second / TPS)
		g.updateLesson()
		g.refreshWidgets()
		if s := g.State(); ok(s) {
			return s, true
		}
	}
	return g.State(), false
}

// typeLines types lines in the console at 1x, each when the last has
// run, as a quick learner would.
func typeLines(t *testing.T, g *Game, lines string) {
	t.Helper()
	for _, l := range strings.Split(lines, "\n") {
		g.exec(l)
		if _, ok := frames(g, 2000, func(State) bool { return !g.player.Busy() }); !ok {
			t.Fatalf("%q: still running after 2000 frames", l)
		}
	}
}

func metOf(s State) bool { return s.Lesson != nil && s.Lesson.Met }

// wrongThenSolved types a wrong attempt, which must leave the lesson's
// goal unmet, then starts the lesson again and types its show-me lines,
// which must meet it; it returns the state once met.
func wrongThenSolved(t *testing.T, g *Game, wrong, show string) State {
	t.Helper()
	typeLines(t, g, wrong)
	if s, _ := frames(g, 120, metOf); s.Lesson.Met {
		t.Fatalf("the wrong attempt %q meets the goal: %+v", wrong, s.Lesson.Checks)
	}
	g.startAgain()
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	typeLines(t, g, strings.TrimSpace(show))
	s, ok := frames(g, 3000, metOf)
	if !ok {
		t.Fatalf("show me's lines typed: the goal is not met: %+v", s.Lesson.Checks)
	}
	return s
}

// TestEveryLessonInTheTown does every lesson as a learner would: its
// start shows its goal not met, a wrong attempt leaves it so, and after
// Start again, its show-me lines typed in the console meet it; the
// console says so, the progress store keeps it and the list marks it.
func TestEveryLessonInTheTown(t *testing.T) {
	all := soloLessons()
	if len(all) != len(wrongAttempts) {
		t.Fatalf("%d lessons, %d wrong attempts: give each lesson one", len(all), len(wrongAttempts))
	}
	for _, l := range all {
		t.Run(l.Name, func(t *testing.T) {
			store := &memProgress{}
			g := lessonTown(t, l.Number, store)
			s, _ := frames(g, 600, func(s State) bool { return !g.player.Busy() })
			if s.Lesson == nil || s.Lesson.Number != l.Number || s.Selected != "lesson" || len(s.Lesson.Checks) != len(l.Goal) {
				t.Fatalf("the lesson row %+v, panel %q; want lesson %d's, its %d checks", s.Lesson, s.Selected, l.Number, len(l.Goal))
			}
			if s.Lesson.Met {
				t.Fatalf("the start meets the goal already: %+v", s.Lesson.Checks)
			}
			s = wrongThenSolved(t, g, wrongAttempts[l.Number], l.Show)
			if !strings.Contains(strings.Join(s.Console, "\n"), "# Goal met: lesson") {
				t.Errorf("the console does not say the goal is met:\n%s", strings.Join(s.Console, "\n"))
			}
			if !store.p.HasMet(l.Number) || store.p.Last != l.Number || !slices.Contains(s.Lesson.MetLessons, l.Number) {
				t.Errorf("progress kept %+v, shown %v; want lesson %d met and last", store.p, s.Lesson.MetLessons, l.Number)
			}
			if _, ok := s.button("Next lesson"); !ok && l.Number < len(lessons.All()) {
				t.Errorf("no Next lesson button once met: %v", s.Buttons)
			}
		})
	}
}

// soloLessons are the lessons played alone: a shared one is played with
// a friend (TestLessonWithAFriend).
func soloLessons() []lessons.Lesson {
	var out []lessons.Lesson
	for _, l := range lessons.All() {
		if !l.Shared {
			out = append(out, l)
		}
	}
	return out
}

// button finds a button on screen by its label.
func (s State) button(label string) (ButtonState, bool) {
	for _, b := range s.Buttons {
		if b.Label == label {
			return b, true
		}
	}
	return ButtonState{}, false
}

// TestShowMe plays lesson 6's show me: its lines are typed one at a time
// (the console echoes each), and the goal is met at the end.
func TestShowMe(t *testing.T) {
	g := lessonTown(t, 6, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	g.showMe()
	s, ok := frames(g, 6000, func(s State) bool { return s.Lesson.Met && !s.Lesson.Showing })
	if !ok {
		t.Fatalf("show me did not meet the goal: %+v", s.Lesson)
	}
	console := strings.Join(s.Console, "\n")
	for _, l := range showLines(lessonOf(t, 6).Show) {
		if !strings.HasPrefix(l, "#") && !strings.Contains(console, "$ "+typedPart(l)) {
			t.Errorf("the console does not echo %q:\n%s", l, console)
		}
	}
}

func lessonOf(t *testing.T, n int) lessons.Lesson {
	t.Helper()
	l, ok := lessons.Find(n)
	if !ok {
		t.Fatalf("no lesson %d", n)
	}
	return l
}

// TestHintsOneAtATime: the Hint button says which hint it gives and
// shows it, until none is left and it says so, greyed.
func TestHintsOneAtATime(t *testing.T) {
	g := lessonTown(t, 5, nil)
	g.refreshWidgets()
	l := lessonOf(t, 5)
	for i := range l.Hints {
		s := g.State()
		if s.Lesson.Hints != i {
			t.Fatalf("%d hints shown, want %d", s.Lesson.Hints, i)
		}
		want := fmt.Sprintf("Hint %d of %d", i+1, len(l.Hints))
		if b, ok := s.button(want); !ok || b.Disabled {
			t.Fatalf("no %q button (enabled) with %d shown: %v", want, i, s.Buttons)
		}
		g.hint()
		g.refreshWidgets()
	}
	s := g.State()
	if s.Lesson.Hints != len(l.Hints) {
		t.Errorf("%d hints shown, want all %d", s.Lesson.Hints, len(l.Hints))
	}
	if b, ok := s.button("No more hints"); !ok || !b.Disabled {
		t.Errorf("every hint shown: want a greyed No more hints button, have %v", s.Buttons)
	}
	for _, b := range s.Buttons {
		if strings.HasPrefix(b.Label, "Hint") {
			t.Errorf("a %q button with every hint shown", b.Label)
		}
	}
}

// TestLessonFeedFollowsBack: the checker sees exactly the events up to
// the moment shown, going back in time included, and the goal goes back
// to not met when the town goes back before it was.
func TestLessonFeedFollowsBack(t *testing.T) {
	g := lessonTown(t, 5, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	typeLines(t, g, strings.TrimSpace(lessonOf(t, 5).Show))
	s, ok := frames(g, 2000, metOf)
	if !ok {
		t.Fatalf("not met: %+v", s.Lesson)
	}
	f := g.book.run.feed
	if f.events != g.player.EventIndex() {
		t.Fatalf("the checker saw %d events, the town made %d", f.events, g.player.EventIndex())
	}
	g.player.SetPaused(true)
	for range 40 {
		if !g.player.CanBack() {
			break
		}
		g.player.Back()
	}
	s, _ = frames(g, 1, func(State) bool { return true })
	if f.events != g.player.EventIndex() {
		t.Fatalf("back in time: the checker saw %d events, the town shows %d", f.events, g.player.EventIndex())
	}
	if s.Lesson.Met {
		t.Errorf("40 events back (before the accept), the goal still shows met: %+v", s.Lesson.Checks)
	}
}

// TestProgressFile: the desktop's file keeps progress, a missing file is
// none, and a corrupt one is said in the console and ignored.
func TestProgressFile(t *testing.T) {
	dir := t.TempDir()
	f := FileProgress{Path: filepath.Join(dir, "socketville", "lessons.json")}
	if p, err := f.Load(); err != nil || len(p.Met) != 0 {
		t.Fatalf("a missing file: %+v, %v; want no progress and no error", p, err)
	}
	if err := f.Save(Progress{Met: []int{3, 1}, Last: 3}); err != nil {
		t.Fatal(err)
	}
	if p, err := f.Load(); err != nil || !slices.Equal(p.Met, []int{1, 3}) || p.Last != 3 {
		t.Fatalf("read back %+v, %v", p, err)
	}
	if err := os.WriteFile(f.Path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(); err == nil {
		t.Fatal("a corrupt file loads without an error")
	}
	g := lessonTown(t, 1, f)
	s := g.State()
	if s.Lesson == nil || len(s.Lesson.MetLessons) != 0 || !strings.Contains(strings.Join(s.Console, "\n"), "could not be read") {
		t.Errorf("a corrupt store: lessons %+v; console:\n%s", s.Lesson, strings.Join(s.Console, "\n"))
	}
}

func TestDecodeProgress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		met  []int
		last int
		bad  bool
	}{
		{in: `{"met":[2,1,2,-4,0],"last":-1}`, met: []int{1, 2}, last: 0},
		{in: `{}`, met: []int{}, last: 0},
		{in: `[1,2]`, bad: true},
		{in: ``, bad: true},
	} {
		p, err := DecodeProgress([]byte(tc.in))
		if (err != nil) != tc.bad {
			t.Errorf("%q: error %v, want bad=%v", tc.in, err, tc.bad)
			continue
		}
		if !tc.bad && (!slices.Equal(p.Met, tc.met) && len(p.Met)+len(tc.met) > 0 || p.Last != tc.last) {
			t.Errorf("%q: %+v, want met %v last %d", tc.in, p, tc.met, tc.last)
		}
	}
}

// TestLessonListOpensALesson: the list has a button for each lesson,
// inside the panel, says which are met, and a button starts its lesson.
func TestLessonListOpensALesson(t *testing.T) {
	store := &memProgress{p: Progress{Met: []int{2}}}
	g, err := New(Options{Progress: store})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = 1280, 800
	g.fitUI(1)
	g.layOut()
	g.openLessons()
	g.laidOut.root = nil // lay the new panel's widgets out now, as a frame's drawing does
	g.layOut()
	s := g.State()
	if s.Selected != "lessons" || s.Lesson == nil || len(s.Lesson.List) != len(lessons.All()) {
		t.Fatalf("the list: selected %q, %+v", s.Selected, s.Lesson)
	}
	if !s.Lesson.List[1].Met || s.Lesson.List[0].Met {
		t.Errorf("met marks %+v; want lesson 2 alone", s.Lesson.List)
	}
	if !strings.HasSuffix(s.Lesson.List[1].Label, "· met") || strings.Contains(s.Lesson.List[0].Label, "met") {
		t.Errorf("labels %q, %q: want the second alone to say met", s.Lesson.List[0].Label, s.Lesson.List[1].Label)
	}
	for _, e := range s.Lesson.List {
		if e.Box.W <= 0 || e.Box.X+e.Box.W > s.PanelBox.X+s.PanelBox.W || e.Box.Y+e.Box.H > s.PanelBox.Y+s.PanelBox.H {
			t.Errorf("lesson %d's button %+v is not inside the panel %+v", e.Number, e.Box, s.PanelBox)
		}
	}
	g.book.listButtons[6].Click()
	event.ExecuteDeferred()
	s = g.State()
	if s.Lesson.Number != 7 || s.Selected != "lesson" || !strings.HasPrefix(s.Panel, "Lesson 7:") {
		t.Errorf("a click on row 7: lesson %d, panel %q", s.Lesson.Number, s.Panel)
	}
	g.fitUI(1) // the next frame's
	if e, ok := g.w.combo.SelectedEntry().(examples.Scenario); !ok || e.Name != "lesson-7" {
		t.Errorf("the picker shows %v, want the lesson's town", g.w.combo.SelectedEntry())
	}
	if s := g.State(); s.Selected != "lesson" || !strings.HasPrefix(s.Panel, "Lesson 7:") {
		t.Errorf("the widgets built again: panel %q %q", s.Selected, s.Panel)
	}
}

// TestStoreThatCannotSave: a store that refuses is said, and the lesson
// goes on.
func TestStoreThatCannotSave(t *testing.T) {
	g := lessonTown(t, 1, refusing{})
	if !strings.Contains(strings.Join(g.State().Console, "\n"), "could not be kept") {
		t.Errorf("a store that cannot save is not said")
	}
	if g.State().Lesson.Number != 1 {
		t.Errorf("the lesson did not open")
	}
}

type refusing struct{}

func (refusing) Load() (Progress, error) { return Progress{}, nil }
func (refusing) Save(Progress) error     { return errors.New("disk full") }

// TestTownWaitsWhileTyping: in a lesson the clock stands still while a
// line is being typed, and goes on once it is in; a town the learner
// paused stays paused.
func TestTownWaitsWhileTyping(t *testing.T) {
	g := lessonTown(t, 8, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	g.w.input.Focus(true)
	g.w.input.SetText("a/browser: clo")
	s, _ := frames(g, 1, func(State) bool { return true })
	if !s.Paused {
		t.Fatal("the town plays on while a line is typed")
	}
	now := g.player.Now()
	frames(g, 30, func(State) bool { return false })
	if g.player.Now() != now {
		t.Errorf("the clock ran from %v to %v while a line was typed", now, g.player.Now())
	}
	g.w.input.SetText("")
	if s, _ := frames(g, 1, func(State) bool { return true }); s.Paused {
		t.Error("the town stays paused once the line is in")
	}
	g.player.SetPaused(true)
	g.w.input.SetText("x")
	frames(g, 1, func(State) bool { return true })
	g.w.input.SetText("")
	if s, _ := frames(g, 1, func(State) bool { return true }); !s.Paused {
		t.Error("a town the learner paused plays once a line is typed")
	}
}

// BenchmarkLessonJudge is what judging a lesson's goal costs a frame in
// which the town made an event: the session read, the runner beside the
// player given what is new, the goal judged on the snapshot. Lesson 8,
// its show-me lines typed, two minutes of TIME-WAIT run.
func BenchmarkLessonJudge(b *testing.B) {
	g, f := lesson8Met(b)
	b.ResetTimer()
	for range b.N {
		f.seen = -1 // as if an event came
		f.result(g.player)
	}
	b.ReportMetric(float64(g.player.EventIndex()), "events") // after the loop: ResetTimer forgets metrics
}

// lesson8Met is the benchmarks' town: lesson 8 with its show-me lines
// typed and run (two minutes of TIME-WAIT), its goal met, and its feed.
func lesson8Met(b *testing.B) (*Game, *lessonFeed) {
	b.Helper()
	g, err := New(Options{Lesson: 8})
	if err != nil {
		b.Fatal(err)
	}
	g.width, g.height = 1280, 800
	g.fitUI(1)
	g.layOut()
	for range 600 {
		g.player.Tick(time.Second / TPS)
		g.updateLesson()
	}
	l, _ := lessons.Find(8)
	for _, line := range showLines(l.Show) {
		g.exec(line)
		for i := 0; i < 2000 && g.player.Busy(); i++ {
			g.player.Tick(time.Second / TPS)
			g.updateLesson()
		}
	}
	f := g.book.run.feed
	if !f.result(g.player).Met {
		b.Fatal("lesson 8's goal is not met")
	}
	return g, f
}

// TestMetGoalStaysMet: lesson 9's goal, once met, stays met in the
// panel, the page's view and the state while the town plays on long
// after, though a check goes back (the switch ages the MACs it learned
// out); the checks themselves show their live state, and the console
// says "Goal met" once.
func TestMetGoalStaysMet(t *testing.T) {
	g := lessonTown(t, 9, nil)
	var views []LessonView
	g.book.onView = func(v LessonView) { views = append(views, v) }
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	typeLines(t, g, strings.TrimSpace(lessonOf(t, 9).Show))
	if s, ok := frames(g, 3000, metOf); !ok {
		t.Fatalf("show me's lines: not met: %+v", s.Lesson)
	}
	typeLines(t, g, "run 20m")
	s, _ := frames(g, 60, func(State) bool { return false })
	if !slices.ContainsFunc(s.Lesson.Checks, func(c LessonCheck) bool { return !c.Met }) {
		t.Fatalf("20 minutes on, every check still holds (%+v): the test needs one that goes back", s.Lesson.Checks)
	}
	if !s.Lesson.Met {
		t.Errorf("20 minutes on, the goal shows not met again: %+v", s.Lesson.Checks)
	}
	if v := views[len(views)-1]; !v.Met {
		t.Errorf("the page's view says not met: %+v", v)
	}
	if lines := (lessonPanel{key: g.book.run.lesson.key()}).lines(g, 400); len(lines) == 0 || lines[0].text != "Goal met!" {
		t.Errorf("the panel's headline: %+v", lines)
	}
	if n := strings.Count(strings.Join(s.Console, "\n"), "# Goal met:"); n != 1 {
		t.Errorf("the console says Goal met %d times, want once", n)
	}
}

// TestShowMePrintsAResultOnce: lesson 7's show me types its poll lines,
// whose author wrote the result after "=>": the console shows each
// poll's result once, as the call's, not in the echo too.
func TestShowMePrintsAResultOnce(t *testing.T) {
	g := lessonTown(t, 7, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	g.showMe()
	if s, ok := frames(g, 6000, func(s State) bool { return s.Lesson.Met && !s.Lesson.Showing }); !ok {
		t.Fatalf("show me did not meet the goal: %+v", s.Lesson)
	}
	s, _ := frames(g, 200, func(State) bool { return false })
	console := strings.Join(s.Console, "\n")
	for _, r := range []string{"1 [3:- 4:IN 5:-]", "1 [3:- 4:- 5:IN]"} {
		if n := strings.Count(console, r); n != 1 {
			t.Errorf("the poll result %q is in the console %d times, want once:\n%s", r, n, console)
		}
	}
}

func TestTypedPart(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{in: "s/server: poll 3,4,5 in => 1 [3:- 4:IN 5:-]", want: "s/server: poll 3,4,5 in"},
		{in: `a/app: send 3 "a => b"`, want: `a/app: send 3 "a => b"`},
		{in: `a/app: send 3 "q\" => " => 7`, want: `a/app: send 3 "q\" => "`},
		{in: "a/app: socket tcp", want: "a/app: socket tcp"},
		{in: "", want: ""},
	} {
		if got := typedPart(tc.in); got != tc.want {
			t.Errorf("typedPart(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLessonKeepsThePaceAtTheConsole: lesson 8, one side closed, the
// console with the keyboard and nothing typed: the quiet stretch of
// FIN-WAIT-2 is not skipped, so its minute is still running some wall
// seconds on (at 1x they are some tens of virtual ms), while the clock
// does go on; the console says so once. Left, the town skips again.
func TestLessonKeepsThePaceAtTheConsole(t *testing.T) {
	g := lessonTown(t, 8, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	g.w.input.Focus(true)
	typeLines(t, g, "a/browser: close 3")
	from := g.player.Now()
	s, _ := frames(g, 5*TPS, func(State) bool { return false })
	ran := g.player.Now() - from
	if ran <= 0 || ran > time.Duration(5*float64(time.Second)*play.BaseRate)+time.Millisecond || g.player.Skipping() {
		t.Errorf("5 s of wall time at 1x with the console focused ran the clock %v (skipping %v); want the pace, %v", ran, g.player.Skipping(), time.Duration(5*float64(time.Second)*play.BaseRate))
	}
	var states []string
	for _, h := range g.player.Snapshot().Hosts {
		for _, so := range h.Orphans {
			states = append(states, so.State.String()) // a's, closed: the town's
		}
		for _, p := range h.Processes {
			for _, so := range p.Sockets {
				states = append(states, so.State.String())
			}
		}
	}
	if !slices.ContainsFunc(states, func(st string) bool { return strings.Contains(st, "FIN") }) {
		t.Errorf("5 s on, a's side is no longer in FIN-WAIT-2: %v", states)
	}
	if n := strings.Count(strings.Join(s.Console, "\n"), "no skipping ahead"); n != 1 {
		t.Errorf("the console says how the clock goes %d times, want once", n)
	}
	g.w.input.Focus(false)
	frames(g, 2, func(State) bool { return false })
	if g.player.NoSkip() {
		t.Error("the console without the keyboard: quiet time is still not skipped")
	}
}
