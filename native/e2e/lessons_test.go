package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"socketville/shared/lessons"
)

// lessonRow is the town state's lesson part, as the tests read it.
type lessonRow struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Checks []struct {
		Name string `json:"name"`
		Met  bool   `json:"met"`
	} `json:"checks"`
	Hints      int    `json:"hints"`
	Met        bool   `json:"met"`
	Showing    bool   `json:"showing"`
	Note       string `json:"note"`   // a shared lesson's word on the friend
	You        string `json:"you"`    // who YOU is, once bound
	Friend     string `json:"friend"` // and FRIEND`
	MetLessons []int  `json:"met_lessons"`
	List       []struct {
		Number int  `json:"number"`
		Met    bool `json:"met"`
		Box    box  `json:"box"`
	} `json:"list"`
}

// lessonState is the town's state with its lesson row.
type lessonState struct {
	state
	Lesson     *lessonRow `json:"lesson"`
	ConsoleBox box        `json:"console_box"`
}

// lessonPage reads a page's town state with its lesson row.
func lessonPage(ctx context.Context) (lessonState, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return lessonState{}, err
	}
	var st lessonState
	err = json.Unmarshal([]byte(s), &st)
	return st, err
}

// waitLesson polls the page until ok holds.
func waitLesson(t *testing.T, ctx context.Context, d time.Duration, what string, ok func(lessonState) bool) lessonState {
	t.Helper()
	end := time.Now().Add(d)
	var last lessonState
	var err error
	for time.Now().Before(end) {
		if last, err = lessonPage(ctx); err == nil && ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v (lesson %+v, console %q, err %v)", what, d, last.Lesson, lastLines(last.Console, 12), err)
	return last
}

func lastLines(l []string, n int) []string { return l[max(len(l)-n, 0):] }

// lastIndex is the index of the last line that starts with prefix, -1
// for none.
func lastIndex(lines []string, prefix string) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return i
		}
	}
	return -1
}

// wrongAttempts are, for each lesson, a few lines a learner might type
// that fall short of its goal: a step left out or the wrong call.
var wrongAttempts = map[int][]string{
	1:  {"a/app: socket udp", `a/app: sendto 3 10.0.0.2:7 "hi"`},      // never read
	2:  {"a/browser: socket tcp", "a/browser: connect 3 10.0.0.2:80"}, // never accepted
	3:  {"a/app: socket udp", `a/app: sendto 3 10.0.0.2:7 "x"`},       // UDP alone
	4:  {"a/app: socket tcp", "a/app: connect 3 10.0.0.2:25"},         // one port of three
	5:  {"b/web: bind 3 0.0.0.0:80"},                                  // bound, not listening
	6:  {"c1/app: socket tcp", "c1/app: connect 3 10.0.0.1:80"},       // one client
	7:  {`c1/app: send 3 "a"`, "s/server: poll 4,5 in"},               // polled, not read
	8:  {"a/browser: close 3", "run 1s"},                              // the server never closes
	9:  {"a/app: ping 192.168.9.10"},                                  // the far host alone
	10: {"a/browser: socket tcp", "a/browser: connect 3 10.0.0.2:80"}, // no conversation
}

// typeQuick types a shell line in the console as typeLine does, but
// the whole line's keys go in one call to the browser, each character's
// key going down and up at once: the town reads characters from the
// page's key events as they come, not once a frame as it reads Enter, so
// no key needs holding down, and a lesson's lines go in quickly. Enter
// is pressed and held as typeLine presses it.
func typeQuick(t *testing.T, ctx context.Context, line string) {
	t.Helper()
	focusConsole(t, ctx)
	enterLine(t, ctx, line, true)
}

// enterLine types line into the console that has the keyboard and
// presses Enter until it runs; with click, the console is clicked again
// when it lost the keyboard.
func enterLine(t *testing.T, ctx context.Context, line string, click bool) {
	t.Helper()
	var keys []*input.DispatchKeyEventParams
	for _, r := range line {
		keys = append(keys, kb.Encode(r)...)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, k := range keys {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, *k); err != nil {
				return err
			}
		}
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	waitLesson(t, ctx, 10*time.Second, "the typed "+line, func(s lessonState) bool { return s.Input == line })
	if click {
		focusConsole(t, ctx) // still the console's, for Enter
	}
	// In: echoed as it runs, or queued behind its process's call still
	// under way (the console echoes it again when it runs).
	// Among the newest lines, since a line typed earlier may run (and be
	// echoed again) just after it: a run 2m carries queued calls out.
	ran := func(s lessonState) bool {
		if s.Input != "" {
			return false
		}
		for _, e := range lastLines(s.Console, 16) {
			if e == "$ "+line || strings.HasPrefix(e, "$ "+line+"   (queued behind ") {
				return true
			}
		}
		return false
	}
	for try := 0; try < 4; try++ {
		// Held longer each try: a frame under load can outlast a
		// short press, and the town sees Enter only if a frame does.
		if err := pressFor(ctx, '\r', time.Duration(try+1)*300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		end := time.Now().Add(3 * time.Second)
		for time.Now().Before(end) {
			if s, err := lessonPage(ctx); err == nil && ran(s) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if s, err := lessonPage(ctx); err != nil || !ran(s) {
		shot(t, ctx, "lesson-line-not-run.png")
	}
	waitLesson(t, ctx, time.Second, "the line "+line, ran)
}

// clickUntil clicks the button labelled label (or, with at set, that
// box) until ok holds: each click is held longer than the last, since a
// frame under load can outlast a short click and the town sees a button
// pressed only if a frame does.
func clickUntil(t *testing.T, ctx context.Context, label string, at *box, what string, ok func(lessonState) bool) lessonState {
	t.Helper()
	for try := 0; try < 4; try++ {
		st, err := lessonPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, found := st.button(label)
		if at != nil {
			b, found = *at, true
		}
		if found && b.W > 0 {
			x, y := b.center()
			hold := time.Duration(try+1) * 300 * time.Millisecond
			if err := chromedp.Do(ctx,
				chromedp.MouseEvent(chromedp.MouseMoved, x, y),
				chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
				chromedp.Sleep(hold),
				chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
			); err != nil {
				t.Fatal(err)
			}
		}
		end := time.Now().Add(5 * time.Second)
		for time.Now().Before(end) {
			if s, err := lessonPage(ctx); err == nil && ok(s) {
				return s
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return waitLesson(t, ctx, time.Second, what, ok)
}

// focusConsole gives the console's input the keyboard, with a click on
// it, unless it has it.
func focusConsole(t *testing.T, ctx context.Context) {
	t.Helper()
	st, err := lessonPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Typing {
		return
	}
	at := box{X: st.ConsoleBox.X + st.ConsoleBox.W/2, Y: st.ConsoleBox.Y + st.ConsoleBox.H - 18, W: 1, H: 1}
	clickUntil(t, ctx, "", &at, "the console's input takes the keyboard", func(s lessonState) bool { return s.Typing })
}

// pressFor presses a key and holds it down for hold.
func pressFor(ctx context.Context, r rune, hold time.Duration) error {
	for _, k := range kb.Encode(r) {
		if k.Type == input.DispatchKeyEventTypeKeyUp {
			time.Sleep(hold)
		}
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *k)
			return err
		})); err != nil {
			return err
		}
	}
	return nil
}

// showMeLessons are the lessons done through their Show me button; the
// others' show-me lines are typed key by key, so both ways are tried on
// lessons of every kind (one host and many, TCP and UDP, a poll, a ping).
var showMeLessons = map[int]bool{2: true, 4: true, 6: true, 7: true, 10: true}

// pausedLesson is typed with the town paused and played after: closing
// one side, then the other, as a learner does at 1x, where FIN-WAIT-2's
// minute lasts a minute. At the learner's 100x it would be gone in 0.6 s.
const pausedLesson = 8

// learnerSpeed is the pace the scripted learner plays at (?speed=100):
// every lesson's timers (TIME-WAIT's minute, a ping's seconds) pass in a
// moment, and what a lesson judges does not hang on the pace.
const learnerSpeed = "100"

// learnerScale is the device pixel ratio of the learner's page: half the
// pixels of a 1x screen, a quarter of the software WebGL's work a frame,
// and the town's boxes (in CSS pixels) where a 1x page has them.
const learnerScale = 0.5

// TestBrowserLessons is the scripted learner: in headless Chromium it
// does every lesson through the page with real clicks and keys. For
// each, the Lessons button and the lesson's row open it; lines typed key
// by key that fall short leave its goal red; Start again, and the
// show-me lines typed (or, for one lesson, the Show me button) turn it
// green, in the panel, in the console and in the page's aside for a
// screen reader. The progress is kept in the browser: a new page's list
// marks every lesson met.
func TestBrowserLessons(t *testing.T) {
	var all []lessons.Lesson // those played alone: TestBrowserLessonWithAFriend plays the shared one
	for _, l := range lessons.All() {
		if !l.Shared {
			all = append(all, l)
		}
	}
	if len(all) != len(wrongAttempts) {
		t.Fatalf("%d lessons, %d wrong attempts: give each lesson one", len(all), len(wrongAttempts))
	}
	chosen := chosenLessons(t, all)
	url := serve(t)
	ctx := browser(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(learnerScale))); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	openTown(t, ctx, url+"/?speed="+learnerSpeed)
	ran := 0
	for _, l := range chosen {
		began := time.Now()
		if t.Run(l.Name, func(t *testing.T) { ran++; learnLesson(t, ctx, l) }) == false {
			return // the next lesson's list would not be the one expected
		}
		t.Logf("lesson %d: %.1f s", l.Number, time.Since(began).Seconds())
	}
	t.Logf("%d lessons in %.1f s", len(chosen), time.Since(start).Seconds())
	if ran < len(chosen) {
		return // -run picked some lessons: the list cannot have them all met
	}
	done := map[int]bool{}
	for _, l := range chosen {
		done[l.Number] = true
	}
	// A new page of the same browser: the list remembers.
	openTown(t, ctx, url+"/?speed="+learnerSpeed)
	st := clickUntil(t, ctx, "Lessons", nil, "the list of lessons", func(s lessonState) bool {
		return s.Selected == "lessons" && s.Lesson != nil && len(s.Lesson.List) == len(lessons.All())
	})
	for _, e := range st.Lesson.List {
		if e.Met != done[e.Number] {
			t.Errorf("a new page: lesson %d marked met %v, want %v", e.Number, e.Met, done[e.Number])
		}
	}
	shot(t, ctx, "lessons-list-1280x800@0.5x.png")
}

// defaultLessons are the lessons the scripted learner does unless
// SOCKETVILLE_E2E_LESSONS says otherwise: all of them, each a wrong
// attempt, then its solution (5 to 20 s a lesson at 100x on half the
// pixels). SOCKETVILLE_E2E_LESSONS=1,5,8 does a few.
const defaultLessons = "all"

// chosenLessons are the lessons SOCKETVILLE_E2E_LESSONS names.
func chosenLessons(t *testing.T, all []lessons.Lesson) []lessons.Lesson {
	want := os.Getenv("SOCKETVILLE_E2E_LESSONS")
	if want == "" {
		want = defaultLessons
	}
	if want == "all" {
		return all
	}
	var out []lessons.Lesson
	for _, f := range strings.Split(want, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		l, ok := lessons.FindIn(all, n)
		if err != nil || !ok {
			t.Fatalf("SOCKETVILLE_E2E_LESSONS=%q: %q is no lesson's number", want, f)
		}
		out = append(out, l)
	}
	return out
}

// learnLesson does one lesson as a learner at the page.
func learnLesson(t *testing.T, ctx context.Context, l lessons.Lesson) {
	clickUntil(t, ctx, "Lessons", nil, "the list of lessons", func(s lessonState) bool {
		return s.Selected == "lessons" && s.Lesson != nil && len(s.Lesson.List) >= l.Number
	})
	// The list's rows are where the frame after it opened laid them out.
	time.Sleep(500 * time.Millisecond)
	st := waitLesson(t, ctx, 10*time.Second, "the list of lessons", func(s lessonState) bool {
		return s.Selected == "lessons" && s.Lesson != nil && len(s.Lesson.List) >= l.Number
	})
	row := st.Lesson.List[l.Number-1]
	if row.Number != l.Number {
		t.Fatalf("row %d is lesson %d", l.Number-1, row.Number)
	}
	started := func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == l.Number && s.Selected == "lesson" && !s.Busy && len(s.Lesson.Checks) == len(l.Goal)
	}
	clickUntil(t, ctx, "", &row.Box, "the lesson opened", func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == l.Number && s.Selected == "lesson"
	})
	waitLesson(t, ctx, 30*time.Second, "the lesson's start played", started)
	checkAside(t, ctx, l, false)

	for _, line := range wrongAttempts[l.Number] {
		typeQuick(t, ctx, line)
	}
	st = settle(t, ctx)
	if st.Lesson.Met {
		t.Fatalf("a wrong attempt (%q) turned the goal green: %+v", wrongAttempts[l.Number], st.Lesson.Checks)
	}
	checkAside(t, ctx, l, false)
	if l.Number == 7 {
		hint, _ := buttonPrefix(st.state, "Hint") // "Hint 1 of 3"
		clickUntil(t, ctx, "", &hint, "a hint", func(s lessonState) bool { return s.Lesson.Hints >= 1 })
		shot(t, ctx, "lesson-7-wrong-1280x800@0.5x.png")
	}

	// Started again: the console's newest load of the lesson comes after
	// the wrong attempt's last line (or that line has scrolled out).
	wrong := wrongAttempts[l.Number]
	again := func(s lessonState) bool {
		return lastIndex(s.Console, fmt.Sprintf("# scenario lesson-%d ", l.Number)) > lastIndex(s.Console, "$ "+wrong[len(wrong)-1])
	}
	clickUntil(t, ctx, "Start again", nil, "the lesson loaded again", again)
	waitLesson(t, ctx, 30*time.Second, "the lesson started again", func(s lessonState) bool { return started(s) && again(s) && !s.Lesson.Met })
	goalMet := fmt.Sprintf("# Goal met: lesson %d, %s.", l.Number, l.Title)
	watchAside(t, ctx)
	switch {
	case showMeLessons[l.Number]:
		clickUntil(t, ctx, "Show me", nil, "show me under way", func(s lessonState) bool { return s.Lesson.Showing || s.Lesson.Met })
	case l.Number == pausedLesson:
		clickUntil(t, ctx, "Pause", nil, "the town paused", func(s lessonState) bool { return s.Paused })
		for _, line := range showLines(l.Show) {
			typeQuick(t, ctx, line)
		}
		clickUntil(t, ctx, "Play", nil, "the town playing", func(s lessonState) bool { return !s.Paused })
	default:
		for _, line := range showLines(l.Show) {
			typeQuick(t, ctx, line)
		}
	}
	st = waitLesson(t, ctx, 90*time.Second, "the goal met", func(s lessonState) bool {
		return (s.Lesson.Met || slices.Contains(s.Console, goalMet)) && !s.Lesson.Showing
	})
	if !slices.Contains(st.Console, goalMet) {
		t.Errorf("the console does not say the goal is met: %q", lastLines(st.Console, 12))
	}
	if !slices.Contains(st.Lesson.MetLessons, l.Number) {
		t.Errorf("lessons met %v: want %d among them", st.Lesson.MetLessons, l.Number)
	}
	if _, ok := st.button("Next lesson"); !ok && l.Number < len(lessons.All()) {
		t.Errorf("no Next lesson button once the goal is met")
	}
	checkAside(t, ctx, l, true)
	if showMeLessons[l.Number] {
		console := strings.Join(st.Console, "\n")
		for _, line := range showLines(l.Show) {
			// Show me types the call alone, not the result its author
			// wrote after "=>" (the console prints that as the result).
			if call, _, _ := strings.Cut(line, "=>"); !strings.Contains(console, "$ "+strings.TrimSpace(call)) {
				t.Errorf("show me did not echo %q in the console", line)
			}
		}
	}
	if l.Number == 7 {
		shot(t, ctx, "lesson-7-met-1280x800@0.5x.png")
	}
}

// showLines are a show-me block's calls, as a learner types them.
func showLines(show string) []string {
	var out []string
	for _, l := range strings.Split(show, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// settle waits until the typed lines have run and the town has had a
// moment to carry their letters, and returns the state then.
func settle(t *testing.T, ctx context.Context) lessonState {
	t.Helper()
	// A ping takes its seconds between requests: up to 90 s here.
	waitLesson(t, ctx, 90*time.Second, "the typed lines done", func(s lessonState) bool { return !s.Busy })
	time.Sleep(time.Second)
	st, err := lessonPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// asideState is what the page's lesson aside says.
type asideState struct {
	Found, Hidden   bool
	Role, Label     string
	Title, Text     string
	Goal, Live      string
	Checks, Met     int
	TextHasMarkup   bool
	OutsideCanvas   bool
	ChecksLivePolit bool
	SeenMet         bool // watchAside saw every check met and "Goal met."
}

// watchAside has the page note when its lesson aside says the goal is met
// with every check ticked: at 100x a goal that holds for a moment (a
// switch's learned address ages out after 300 s, 3 s here) may be past by
// the time the test looks, and what a screen reader heard is what counts.
func watchAside(t *testing.T, ctx context.Context) {
	t.Helper()
	js := `(() => {
	  const a = document.getElementById("sv-lesson");
	  window.svSeenMet = false;
	  if (!a) return false;
	  const look = () => {
	    const lis = [...a.querySelectorAll("ul.sv-lesson-checks li")];
	    if (a.querySelector(".sv-lesson-goal").textContent === "Goal met." && lis.length > 0 && lis.every(li => li.dataset.met === "true")) window.svSeenMet = true;
	  };
	  if (window.svAsideWatch) window.svAsideWatch.disconnect();
	  window.svAsideWatch = new MutationObserver(look);
	  window.svAsideWatch.observe(a, {subtree: true, childList: true, characterData: true, attributes: true});
	  look();
	  return true;
	})()`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
		t.Fatalf("watching the lesson's aside: %v (found %v)", err, ok)
	}
}

// checkAside reads the page's aside: a region labelled Lesson outside the
// canvas, with the lesson's title and text, and its checks as a list,
// each marked, all met when the goal is.
func checkAside(t *testing.T, ctx context.Context, l lessons.Lesson, met bool) {
	t.Helper()
	var a asideState
	end := time.Now().Add(5 * time.Second)
	for {
		js := `(() => {
		  const a = document.getElementById("sv-lesson");
		  if (!a) return {Found: false};
		  const lis = [...a.querySelectorAll("ul.sv-lesson-checks li")];
		  return {Found: true, Hidden: a.hidden, Role: a.getAttribute("role"), Label: a.getAttribute("aria-label"),
		    Title: a.querySelector("h2").textContent, Text: a.querySelector(".sv-lesson-text").textContent,
		    Goal: a.querySelector(".sv-lesson-goal").textContent, Live: a.querySelector(".sv-lesson-goal").getAttribute("aria-live"),
		    Checks: lis.length, Met: lis.filter(li => li.dataset.met === "true").length,
		    TextHasMarkup: a.querySelector(".sv-lesson-text").querySelector("p") !== null,
		    OutsideCanvas: !a.closest("canvas"),
		    ChecksLivePolit: a.querySelector("ul.sv-lesson-checks").getAttribute("aria-live") === "polite",
		    SeenMet: window.svSeenMet === true};
		})()`
		var err error
		if a, err = chromedp.Run(ctx, chromedp.Evaluate[asideState](js)); err != nil {
			t.Fatal(err)
		}
		if a.Found && (a.Met == a.Checks || met && a.SeenMet) == met && strings.Contains(a.Title, l.Title) {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the lesson's aside: %+v; want lesson %d, met=%v", a, l.Number, met)
		}
		time.Sleep(100 * time.Millisecond)
	}
	first := strings.Fields(l.Text)[:4]
	if a.Hidden || a.Role != "region" || a.Label != "Lesson" || !a.OutsideCanvas || a.Live != "polite" || !a.ChecksLivePolit ||
		!a.TextHasMarkup || !strings.Contains(a.Text, strings.Join(first, " ")) || a.Checks != len(l.Goal) {
		t.Errorf("the lesson's aside: %+v", a)
	}
	if want := map[bool]string{true: "Goal met.", false: "Goal not met yet."}[met]; a.Goal != want {
		t.Errorf("the aside says %q, want %q", a.Goal, want)
	}
}

// TestBrowserLessonLayout opens a lesson by its link (?lesson=7) at
// 1280x800 and 900 px wide with every hint shown: the panel's buttons are
// on screen and overlap nothing, and the screenshots are kept to look at.
func TestBrowserLessonLayout(t *testing.T) {
	url := serve(t)
	for _, size := range [][2]int{{1280, 800}, {900, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx := browser(t, size[0], size[1])
			openTown(t, ctx, url+"/?lesson=7")
			waitLesson(t, ctx, 30*time.Second, "lesson 7 open", func(s lessonState) bool {
				return s.Lesson != nil && s.Lesson.Number == 7 && !s.Busy
			})
			for i := 0; i < 3; i++ {
				st, _ := lessonPage(ctx)
				if !slices.ContainsFunc(st.Buttons, func(b struct {
					Label string
					Box   box
				}) bool {
					return strings.HasPrefix(b.Label, "Hint")
				}) {
					break
				}
				b, _ := buttonPrefix(st.state, "Hint")
				clickUntil(t, ctx, "", &b, "a hint", func(s lessonState) bool { return s.Lesson.Hints >= i+1 })
			}
			st, _ := lessonPage(ctx)
			for i, a := range st.Buttons {
				if a.Box.W <= 0 || a.Box.X < 0 || a.Box.Y < 0 || a.Box.X+a.Box.W > float64(size[0])+0.5 || a.Box.Y+a.Box.H > float64(size[1])+0.5 {
					t.Errorf("button %q at %+v is not all on the %dx%d screen", a.Label, a.Box, size[0], size[1])
				}
				for _, b := range st.Buttons[i+1:] {
					if overlap(a.Box, b.Box) {
						t.Errorf("buttons %q %+v and %q %+v overlap", a.Label, a.Box, b.Label, b.Box)
					}
				}
			}
			shot(t, ctx, fmt.Sprintf("lesson-7-hints-%dx%d.png", size[0], size[1]))
		})
	}
}

// buttonPrefix finds a button whose label starts with prefix.
func buttonPrefix(s state, prefix string) (box, bool) {
	for _, b := range s.Buttons {
		if strings.HasPrefix(b.Label, prefix) {
			return b.Box, true
		}
	}
	return box{}, false
}

func overlap(a, b box) bool {
	return a.X < b.X+b.W-0.5 && b.X < a.X+a.W-0.5 && a.Y < b.Y+b.H-0.5 && b.Y < a.Y+a.H-0.5
}

// TestDesktopLesson opens lesson 5 in the desktop build under Xvfb with
// real clicks (the Lessons button, the lesson's row) and keys (its
// show-me lines typed), and finds the progress in the configuration
// folder it was given: lesson 5 met and last opened.
func TestDesktopLesson(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		need(t, "xdotool is not installed")
	}
	bin := binary(t)
	display := xvfb(t, 1280, 800)
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	statePath := filepath.Join(dir, "state.json")
	cmd := exec.Command(bin, "desktop", "--size", "1280x800")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath, "XDG_CONFIG_HOME="+config)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)
	get := func() (lessonState, error) {
		b, err := os.ReadFile(statePath)
		if err != nil {
			return lessonState{}, err
		}
		var s lessonState
		return s, json.Unmarshal(b, &s)
	}
	wait := func(what string, d time.Duration, ok func(lessonState) bool) lessonState {
		t.Helper()
		end := time.Now().Add(d)
		for {
			s, err := get()
			if err == nil && ok(s) {
				return s
			}
			if time.Now().After(end) {
				t.Fatalf("%s: not within %v (lesson %+v, console %q; stderr %s)", what, d, s.Lesson, lastLines(s.Console, 8), stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	xdo := func(args ...string) {
		t.Helper()
		c := exec.Command("xdotool", args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
	}
	clickAt := func(b box) {
		t.Helper()
		x, y := b.center()
		xdo("mousemove", fmt.Sprint(int(x)), fmt.Sprint(int(y)))
		time.Sleep(100 * time.Millisecond)
		xdo("mousedown", "1")
		time.Sleep(100 * time.Millisecond)
		xdo("mouseup", "1")
	}
	st := wait("the Lessons button", 60*time.Second, func(s lessonState) bool { _, ok := s.button("Lessons"); return ok })
	b, _ := st.button("Lessons")
	clickAt(b)
	st = wait("the list", 10*time.Second, func(s lessonState) bool { return s.Lesson != nil && len(s.Lesson.List) >= 5 })
	clickAt(st.Lesson.List[4].Box)
	wait("lesson 5 started", 30*time.Second, func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == 5 && !s.Busy && !s.Lesson.Met
	})
	l, _ := lessons.Find(5)
	for _, line := range showLines(l.Show) {
		st, _ := get()
		if !st.Typing {
			clickAt(box{X: 640, Y: st.ConsoleBox.Y + st.ConsoleBox.H - 15, W: 1, H: 1})
			wait("the console takes the keys", 5*time.Second, func(s lessonState) bool { return s.Typing })
		}
		xdo("type", "--delay", "30", line)
		wait("the line typed", 10*time.Second, func(s lessonState) bool { return s.Input == line })
		xdo("key", "Return")
		wait("the line run", 10*time.Second, func(s lessonState) bool { return lastEcho(s.Console) == "$ "+line && s.Input == "" })
	}
	wait("the goal met", 60*time.Second, func(s lessonState) bool { return s.Lesson.Met })
	shotPNG, err := exec.Command("import", "-display", display, "-window", "root", "png:-").Output()
	if err == nil {
		saveArtifact(t, "desktop-lesson-5.png", shotPNG)
	}
	path := filepath.Join(config, "socketville", "lessons.json")
	var saved struct {
		Met  []int `json:"met"`
		Last int   `json:"last"`
	}
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(b, &saved) == nil && slices.Contains(saved.Met, 5) {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the progress file %s: %q, %v; want lesson 5 met", path, b, err)
		}
	}
	if saved.Last != 5 {
		t.Errorf("the progress file says lesson %d was opened last, want 5", saved.Last)
	}
	if err := run.interrupt(10 * time.Second); err != nil {
		t.Fatalf("desktop exited with %v; stderr:\n%s", err, stderr.String())
	}
}
