package town

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ebitenui/ebitenui/widget"

	"socketville/shared/lessons"
	"socketville/shared/town/play"
)

// The lessons in the town: the Lessons button (and ?lesson=N, --lesson N)
// opens the list; a lesson loads its start into the player and opens its
// panel, which shows the goal's checks as they stand, the hints one at a
// time, and plays "show me" through the console. The goal is judged on
// the events (lessonFeed) and on each new snapshot; when it is met the
// panel and the console say so, and the progress store keeps it.

// lessonBook is the town's lessons: the list, the learner's progress and
// the lesson open, if one is.
type lessonBook struct {
	// all is the built-in lessons, read once, on first use (lessons.All
	// takes 1.4 ms), then a class folder's (AddLessons), in that order.
	all      []bookLesson
	loaded   bool
	store    ProgressStore
	progress Progress
	run      *lessonRun // the lesson open, nil for none
	// onView, when set, is told what the lesson panel shows whenever it
	// changes: the browser build keeps its page text in step with it.
	onView   func(LessonView)
	lastView string // the last view told, as a key
	scroll   int    // the lesson panel's text, scrolled by this many rows
	// listButtons are the list's buttons, one a lesson, while it is on
	// show: their places are the state's.
	listButtons []*widget.Button
}

// bookLesson is a lesson of the list and where it came from.
type bookLesson struct {
	lessons.Lesson
	// folder is the class folder's name for a teacher's lesson, "" for
	// a built-in one.
	folder string
}

// key is what the progress knows the lesson by. A built-in lesson is
// its number; a class folder's is the folder's name and its file name
// ("class/03-x.lesson"), kept apart from the numbers (Progress.Class):
// a teacher's 03-x.lesson is not built-in lesson 3, and meeting one never
// marks the other. Two folders with one name share their progress, as a
// folder a teacher renames starts afresh.
func (l bookLesson) key() string {
	if l.folder == "" {
		return strconv.Itoa(l.Number)
	}
	return l.folder + "/" + l.File
}

// scenario is the lesson's town's name in the player: lesson-N for a
// built-in one, class-NN-name for a class folder's, so the two never
// pass for each other (the lesson is left when the player's name
// changes).
func (l bookLesson) scenario() string {
	if l.folder == "" {
		return fmt.Sprintf("lesson-%d", l.Number)
	}
	return "class-" + strings.TrimSuffix(l.File, ".lesson")
}

// named is how the console and the panel speak of the lesson: "lesson 7"
// or "class lesson 21".
func (l bookLesson) named() string {
	if l.folder == "" {
		return fmt.Sprintf("lesson %d", l.Number)
	}
	return fmt.Sprintf("class lesson %d", l.Number)
}

// lessonRun is one lesson being done.
type lessonRun struct {
	lesson bookLesson
	name   string // the scenario's name in the player: lesson.scenario()
	feed   *lessonFeed
	result lessons.Result
	judged struct{ gen, events, consoleGen int }
	hints  int  // how many hints are shown
	met    bool // the goal was met, and said
	// metAt is the event the goal was first met at: from then on the
	// headline stays met though a check goes back (a switch ages a MAC
	// out), unless the town is back before it or that history was cut.
	metAt int
	// starting is set while the start's lines run at full speed; the
	// speed the learner had comes back after.
	starting bool
	// show is the show-me lines still to type, and waited how many
	// frames the town has stood still since the last one finished.
	show   []string
	waited int
	// refocus says the console had the keyboard when the lesson
	// started, and gets it back once the widgets (made before: widgets)
	// are built again.
	refocus bool
	widgets *widgets
	// held says the town is paused while the learner types a line;
	// toldHeld that the console said how the clock goes in a lesson.
	held, toldHeld bool
	// inRoom says a shared lesson's town is the shared one (it was
	// shared while the lesson was open): Start again keeps it, even
	// once the room is left.
	inRoom bool
}

// newLessonBook makes the town's lessons, with the progress kept in
// store (nil keeps none).
func newLessonBook(opts Options) *lessonBook {
	return &lessonBook{store: opts.Progress, onView: opts.OnLesson}
}

// lessonsAll is the list of lessons, read the first time it is needed,
// with the progress the store kept; a store that cannot be read is said
// in the console and the town goes on with no progress.
func (g *Game) lessonsAll() []bookLesson {
	b := g.book
	if b.loaded {
		return b.all
	}
	b.loaded = true
	for _, l := range lessons.All() {
		b.all = append(b.all, bookLesson{Lesson: l})
	}
	if b.store != nil {
		p, err := b.store.Load()
		if err != nil {
			g.player.Console().Add(play.LineError, "# lessons: the progress kept could not be read, so it starts afresh: "+err.Error())
		}
		b.progress = p
	}
	return b.all
}

// findLesson is built-in lesson n, if there is one: ?lesson=N and
// --lesson N name the built-in ones.
func (g *Game) findLesson(n int) (bookLesson, bool) {
	for _, l := range g.lessonsAll() {
		if l.folder == "" && l.Number == n {
			return l, true
		}
	}
	return bookLesson{}, false
}

// openLessons shows the list of lessons (the top bar's Lessons button).
func (g *Game) openLessons() {
	g.lessonsAll()
	g.open(lessonListPanel{})
}

// startLesson opens built-in lesson n.
func (g *Game) startLesson(n int) {
	l, ok := g.findLesson(n)
	if !ok {
		g.player.Console().Add(play.LineError, fmt.Sprintf("# no lesson %d: the Lessons button lists them", n))
		return
	}
	g.openLesson(l)
}

// openLesson loads a lesson's start into the player, playing, and opens
// its panel. The start's lines run at full speed, so the learner gets to
// the lesson's question at once.
func (g *Game) openLesson(l bookLesson) {
	if g.player.Live() || g.player.Watching() {
		g.player.Console().Add(play.LineError, "# lessons play on the simulator, whose run the goal is judged on: open the town without --os, ?kernel= or watch for them")
		return
	}
	name := l.scenario()
	keep := l.Shared && g.keepsSharedTown(l)
	if keep {
		// A shared lesson in the shared town: the town is its start,
		// and the goal is judged from now.
		name = g.player.Name()
	} else if err := g.player.Load(name, l.Start); err != nil {
		return // the console says why
	}
	b := g.book
	b.run = &lessonRun{lesson: l, name: name, feed: newLessonFeed(l.Lesson), starting: !keep}
	if keep {
		b.run.feed.from = g.player.EventIndex()
		b.run.inRoom = true
	}
	b.run.judged.gen = -1
	b.scroll = 0
	g.scroll.console = 0
	if !keep {
		g.player.SetFastest(true)
		g.player.SetPaused(false)
	}
	g.player.Console().Add(play.LineInfo, fmt.Sprintf("# %s: %s. The goal is in the panel; Hint and Show me help.", capital(l.named()), l.Title))
	if l.Shared {
		g.player.Console().Add(play.LineInfo, "# "+g.sharedNote(b.run))
	}
	b.progress = b.progress.withLast(l)
	g.saveProgress()
	g.open(lessonPanel{key: l.key()})
	// The widgets again, so the picker names the lesson's town; the
	// console keeps the keyboard if it had it (refocus).
	b.run.refocus, b.run.widgets = g.w != nil && g.w.input.IsFocused(), g.w
	g.built = uiFit{}
}

// startAgain loads the open lesson's start again (its hints stay shown).
func (g *Game) startAgain() {
	r := g.book.run
	if r == nil {
		return
	}
	hints := r.hints
	g.openLesson(r.lesson)
	if g.book.run != nil {
		g.book.run.hints = hints
	}
}

// nextLesson opens the lesson after the open one.
func (g *Game) nextLesson() {
	if r := g.book.run; r != nil {
		if next, ok := g.lessonAfter(r.lesson); ok {
			g.openLesson(next)
		}
	}
}

// lessonAfter is the lesson that follows l in the list, in l's own group:
// the built-in ones lead to one another, a class folder's to the
// folder's next.
func (g *Game) lessonAfter(l bookLesson) (bookLesson, bool) {
	all := g.lessonsAll()
	for i, x := range all {
		if x.key() == l.key() && i+1 < len(all) && all[i+1].folder == l.folder {
			return all[i+1], true
		}
	}
	return bookLesson{}, false
}

// capital is s with its first letter a capital, to open a sentence.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// hint shows the open lesson's next hint.
func (g *Game) hint() {
	if r := g.book.run; r != nil && r.hints < len(r.lesson.Hints) {
		r.hints++
		g.rebuildPanel()
	}
}

// showMe plays the lesson's show-me lines through the console, one after
// another at the story's pace, from the lesson's start: the learner sees
// each echoed as a shell line, as if typed.
func (g *Game) showMe() {
	r := g.book.run
	if r == nil {
		return
	}
	if r.lesson.Shared && r.lesson.Bound.IsZero() {
		g.player.Console().Add(play.LineInfo, "# Show me types your lines once a friend's road is open, as they name your friend's host: "+inviteHow)
		return
	}
	key := r.lesson.key()
	g.startAgain()
	if r = g.book.run; r == nil || r.lesson.key() != key {
		return
	}
	r.show = showLines(r.lesson.Show)
	g.rebuildPanel()
}

// LineGap is the wall time, at 1x, between two show-me lines: a line of
// the story's own pace (play.LineTime).
const LineGap = play.LineTime

// showLines are the show-me block's lines, without blank ones; its
// comments stay, the console shows them as the author's words.
func showLines(show string) []string {
	var out []string
	for _, l := range strings.Split(show, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// updateLesson runs every frame: it ends the lesson when the player
// plays another scenario, brings the speed back once the start has run,
// types the next show-me line when its time comes, and judges the goal.
func (g *Game) updateLesson() {
	b := g.book
	r := b.run
	if r == nil {
		g.tellView()
		return
	}
	if g.player.Name() != r.name {
		// The picker, a shared link or a file: the lesson is left.
		if r.starting {
			g.player.SetFastest(false)
		}
		g.player.SetNoSkip(false)
		b.run = nil
		g.tellView()
		return
	}
	if r.refocus && g.w != r.widgets {
		r.refocus = false
		g.w.input.Focus(true)
	}
	if r.starting && !g.player.Busy() {
		r.starting = false
		g.player.SetFastest(false)
	}
	if len(r.show) > 0 && !r.starting {
		g.typeShowLine(r)
	} else {
		g.holdWhileTyping(r)
	}
	// Judged ten times a second: reading the player's session costs
	// 0.2 ms at lesson 8's end (BenchmarkLessonJudge), and "Goal met"
	// a tenth of a second late is not seen as late.
	if g.frames%(TPS/10) == 0 {
		g.judge(r)
	}
	g.tellView()
}

// holdWhileTyping keeps the town's clock to the learner's console: in
// a quiet stretch the clock runs fast (play's QuietBoost), and a
// lesson's goal can hang on a timer (FIN-WAIT-2 gives up after a minute)
// that would run out in the seconds between two lines a learner types.
// So while the console has the keyboard quiet time is not skipped (the
// letters still move, a line still runs), and while a line is being
// typed the clock stands still, going on when it is in. A town the
// learner paused stays paused.
func (g *Game) holdWhileTyping(r *lessonRun) {
	focused := g.w.input.IsFocused()
	if g.player.Shared() {
		// A shared town keeps the wall's time whatever the learner
		// does: friends' TCP would time out on one that waited.
		g.player.SetNoSkip(false)
		r.held = false
		return
	}
	g.player.SetNoSkip(focused)
	if focused && !r.toldHeld {
		r.toldHeld = true
		g.player.Console().Add(play.LineInfo, "# In a lesson, while the console has the keyboard, the town keeps its pace (no skipping ahead) and waits while you type a line; Enter goes on.")
	}
	typing := focused && g.w.input.GetText() != ""
	switch {
	case typing && !r.held && !g.player.Paused():
		r.held = true
		g.player.SetPaused(true)
	case !typing && r.held:
		r.held = false
		g.player.SetPaused(false)
	}
}

// typeShowLine types the next show-me line once the last has finished
// and had its time on screen. Meanwhile the town's clock stands still,
// as it does at a story's line: a learner reading the line misses
// nothing, and no timer (FIN-WAIT-2's, TIME-WAIT's) runs out between two
// lines that a program would make at once.
func (g *Game) typeShowLine(r *lessonRun) {
	if g.player.Busy() {
		return // the last line still runs: the town plays on
	}
	if r.waited == 0 {
		g.player.SetPaused(true)
	}
	r.waited++
	speed, fastest := g.player.Speed()
	if !fastest && float64(r.waited) < LineGap.Seconds()*TPS/speed {
		return
	}
	r.waited = 0
	g.player.SetPaused(false) // a call that blocks waits on the town's clock
	line := r.show[0]
	r.show = r.show[1:]
	if strings.HasPrefix(line, "#") {
		g.player.Console().Add(play.LineInfo, line)
	} else {
		g.exec(typedPart(line))
	}
	if len(r.show) == 0 {
		g.rebuildPanel() // Show me is offered again
	}
}

// typedPart is a show-me line as a learner types it: without the
// result the author wrote after "=>" (lesson 7's poll lines have one),
// which the echo would show beside the call and the console then again
// as the call's own result. A "=>" inside quotes is data.
func typedPart(line string) string {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && quoted:
			i++ // an escaped character, a quote included
		case line[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(line[i:], "=>"):
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

// judge judges the goal again when the town moved on (a new snapshot, a
// new event, a new load), and says once when it is met.
func (g *Game) judge(r *lessonRun) {
	p := g.player
	key := struct{ gen, events, consoleGen int }{p.SnapshotGen(), p.EventIndex(), p.Console().Gen()}
	if key == r.judged {
		return
	}
	r.judged = key
	g.bindShared(r)
	r.result = r.feed.result(p)
	if !r.result.Met || r.met {
		return
	}
	r.met, r.metAt = true, p.EventIndex()
	r.feed.cut = r.metAt // only a cut below it undoes the meeting
	p.Console().Add(play.LineInfo, fmt.Sprintf("# Goal met: %s, %s.", r.lesson.named(), r.lesson.Title))
	if next, ok := g.lessonAfter(r.lesson); ok {
		p.Console().Add(play.LineInfo, fmt.Sprintf("# Next lesson: %d, %s (the panel's Next lesson button).", next.Number, next.Title))
	}
	g.book.progress = g.book.progress.withMetLesson(r.lesson)
	g.saveProgress()
	g.rebuildPanel()
}

// goalMet is the lesson's headline: met once the goal was met in this
// run, as long as the town shows that moment or later of the same
// history; before the goal is met, the judge's word.
func (r *lessonRun) goalMet(p *play.Player) bool {
	if r.met && p.EventIndex() >= r.metAt && r.feed.cut >= r.metAt {
		return true
	}
	return r.result.Met
}

// saveProgress keeps the progress; a store that cannot is said once a
// time in the console, and the lesson goes on.
func (g *Game) saveProgress() {
	if s := g.book.store; s != nil {
		if err := s.Save(g.book.progress); err != nil {
			g.player.Console().Add(play.LineError, "# lessons: the progress could not be kept: "+err.Error())
		}
	}
}

// LessonView is what the lesson panel shows, as plain data for a page to
// show as text beside the canvas (the browser build's aside): Open is
// false when no lesson is open.
type LessonView struct {
	Open   bool
	Number int
	// Key tells the lesson from every other ("7" for built-in lesson 7,
	// "class/21-x.lesson" for a class folder's); Class is the class
	// folder's name, "" for a built-in lesson.
	Key    string
	Class  string
	Title  string
	Text   string // Markdown: LessonHTML renders it
	Checks []LessonCheck
	Hints  []string // those shown
	Met    bool
	// Note is a shared lesson's word on the friend: how to invite one,
	// or who YOU and FRIEND are; "" for other lessons.
	Note string
}

// view is the lesson panel's content now.
func (g *Game) lessonView() LessonView {
	r := g.book.run
	if r == nil {
		return LessonView{}
	}
	v := LessonView{Open: true, Number: r.lesson.Number, Key: r.lesson.key(), Class: r.lesson.folder, Title: r.lesson.Title, Text: r.lesson.Text,
		Hints: r.lesson.Hints[:r.hints], Met: r.goalMet(g.player)}
	if r.lesson.Shared {
		v.Note = g.sharedNote(r)
	}
	for _, c := range r.result.Checks {
		v.Checks = append(v.Checks, LessonCheck{Name: c.Name, Met: c.Met, Missing: c.Missing})
	}
	return v
}

// tellView tells onView what the lesson panel shows, when it changed.
func (g *Game) tellView() {
	b := g.book
	if b.onView == nil {
		return
	}
	v := g.lessonView()
	key := fmt.Sprint(v)
	if key == b.lastView {
		return
	}
	b.lastView = key
	b.onView(v)
}
