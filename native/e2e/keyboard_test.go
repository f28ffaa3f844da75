package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"socketville/shared/lessons"
)

// keyTown has a datagram socket on each of two hosts, b's bound.
const keyTown = `# Two hosts, a datagram socket on each.
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a app
process b srv
b/srv: socket udp
b/srv: bind 3 0.0.0.0:9000
a/app: socket udp
`

// Virtual key codes of the focus keys.
const (
	vkTab   = 9
	vkEnter = 13
)

// tabUntil presses Tab until the focus ring is on a thing of kind whose
// label has label in it, reading the page between presses. Tab past the
// town's last thing goes to the page's Share menu (no ring for that
// press), and the next back to the town's first thing.
func tabUntil(t *testing.T, ctx context.Context, kind, label string) buildState {
	t.Helper()
	var st buildState
	for range 60 {
		if err := pressKey(ctx, "Tab", vkTab); err != nil {
			t.Fatal(err)
		}
		if !ringOrPage(ctx) {
			t.Fatalf("after a Tab neither the town's ring nor the page has the keyboard")
		}
		st = waitBuild(t, ctx, time.Second, "the town's state", func(buildState) bool { return true })
		if st.Focus.Kind == kind && strings.Contains(st.Focus.Label, label) {
			return st
		}
	}
	t.Fatalf("sixty Tabs and the ring never reached a %s %q (last on %+v)", kind, label, st.Focus)
	return st
}

// ringOrPage waits up to 5 s for the town's ring to show or for the
// keyboard to be the page's (off the canvas); false if neither came.
func ringOrPage(ctx context.Context) bool {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		  const a = document.activeElement;
		  if (a && a.tagName !== "CANVAS" && a !== document.body) return true;
		  const s = window.socketville && JSON.parse(window.socketville.state());
		  return !!(s && s.focus && s.focus.kind);
		})()`))
		if err == nil && ok {
			return true
		}
	}
	return false
}

// TestBrowserKeyboardOnly opens a door and makes a call with the keys
// alone: Tab to a/app's door, Enter opens its panel (the ring on its
// first button), Tab to sendto and Enter opens its form, Tab into the
// text field and type, Tab to the run button and Enter: the console
// echoes the line and its result, and no mouse was used.
func TestBrowserKeyboardOnly(t *testing.T) {
	base := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, base+"?play=1&scenario=keys&src="+url.QueryEscape(keyTown))
	waitBuild(t, ctx, 20*time.Second, "a/app's socket", func(s buildState) bool {
		for _, d := range s.Doors {
			if d.Host == "a" && d.FD == 3 && d.Box.W > 0 {
				return true
			}
		}
		return false
	})
	st := tabUntil(t, ctx, "door", "a/app fd 3")
	if st.Focus.Box.W <= 0 {
		t.Fatalf("the ring on the door has no box: %+v", st.Focus)
	}
	saveShot(t, ctx, "keys-1-door")
	if err := pressKey(ctx, "Enter", vkEnter); err != nil {
		t.Fatal(err)
	}
	st = waitBuild(t, ctx, 5*time.Second, "the door's panel", func(s buildState) bool {
		return s.Selected == "door" && s.Focus.Kind == "button"
	})
	tabUntil(t, ctx, "button", "sendto")
	if err := pressKey(ctx, "Enter", vkEnter); err != nil {
		t.Fatal(err)
	}
	waitBuild(t, ctx, 5*time.Second, "the sendto form", func(s buildState) bool { return s.Form != nil && s.Form.Name == "sendto" })
	before := tabUntil(t, ctx, "input", "hello").Paused
	for _, r := range " town" {
		if err := press(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st = waitBuild(t, ctx, 5*time.Second, "the typed text in the form", func(s buildState) bool {
		return s.Form != nil && s.Form.Values["data"] == "hello town"
	})
	if st.Paused != before {
		t.Error("the space typed in the field paused or played the town")
	}
	saveShot(t, ctx, "keys-2-form")
	tabUntil(t, ctx, "button", `Run: sendto 3 10.0.0.2:9000 "hello town"`)
	if err := pressKey(ctx, "Enter", vkEnter); err != nil {
		t.Fatal(err)
	}
	echoed(t, ctx, `a/app: sendto 3 10.0.0.2:9000 "hello town"`)
	waitBuild(t, ctx, 10*time.Second, "sendto's result", func(s buildState) bool {
		return strings.Contains(strings.Join(s.Console, "\n"), "=> 10")
	})
	saveShot(t, ctx, "keys-3-sent")
}

// TestBrowserKeyboardLesson does lesson 6, a new socket for each client,
// with the keyboard alone: Tab to Lessons and Enter, Tab to the lesson's
// row and Enter, Tab to the console and type its lines, each with Enter.
// The goal turns green, and no mouse was used.
func TestBrowserKeyboardLesson(t *testing.T) {
	l, ok := lessons.Find(6)
	if !ok {
		t.Fatal("no lesson 6")
	}
	base := serve(t)
	ctx := browser(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(learnerScale))); err != nil {
		t.Fatal(err)
	}
	openTown(t, ctx, base+"/?speed="+learnerSpeed)
	tabUntil(t, ctx, "button", "Lessons")
	if err := pressKey(ctx, "Enter", vkEnter); err != nil {
		t.Fatal(err)
	}
	waitLesson(t, ctx, 10*time.Second, "the list of lessons", func(s lessonState) bool { return s.Selected == "lessons" })
	tabUntil(t, ctx, "button", l.Title)
	if err := pressKey(ctx, "Enter", vkEnter); err != nil {
		t.Fatal(err)
	}
	waitLesson(t, ctx, 30*time.Second, "lesson 6 started", func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == 6 && s.Selected == "lesson" && !s.Busy && len(s.Lesson.Checks) == len(l.Goal)
	})
	saveShot(t, ctx, "keys-lesson-6-open")
	for _, line := range showLines(l.Show) {
		if st, err := lessonPage(ctx); err != nil || !st.Typing {
			tabUntil(t, ctx, "input", "")
		}
		enterLine(t, ctx, line, false)
	}
	goalMet := fmt.Sprintf("# Goal met: lesson 6, %s.", l.Title)
	waitLesson(t, ctx, 60*time.Second, "the goal met", func(s lessonState) bool {
		return s.Lesson.Met || slices.Contains(s.Console, goalMet)
	})
	saveShot(t, ctx, "keys-lesson-6-met")
}

// TestBrowserTabToShare presses Tab through the town until the focus
// leaves the canvas for the page's Share menu, as the help says, and
// Shift-Tab there brings it back to the town with the ring on its last
// thing, and Tab there on to its first: a keyboard user reaches Copy
// link, Save and Open, and comes back.
func TestBrowserTabToShare(t *testing.T) {
	base := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, base+"?play=1&scenario=keys&src="+url.QueryEscape(keyTown))
	active := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const a = document.activeElement; return a ? a.tagName.toLowerCase() + (a.closest("#share") ? " in share" : "") : ""; })()`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tabs := 0
	for ; tabs < 80 && active() != "summary in share"; tabs++ {
		if err := pressKey(ctx, "Tab", vkTab); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	if got := active(); got != "summary in share" {
		t.Fatalf("after %d Tabs the focus is on %q, not the Share menu", tabs, got)
	}
	t.Logf("the Share menu after %d Tabs", tabs)
	saveShot(t, ctx, "keys-tab-to-share")
	if err := pressShiftTab(ctx); err != nil {
		t.Fatal(err)
	}
	st := waitBuild(t, ctx, 5*time.Second, "the ring back in the town", func(s buildState) bool { return s.Focus.Kind != "" })
	if got := active(); got != "canvas" {
		t.Errorf("Shift-Tab from the Share menu left the focus on %q, not the town's canvas (ring %+v)", got, st.Focus)
	}
	last := st.Focus
	// Tab to the menu again, then on: the town's first thing.
	if err := pressKey(ctx, "Tab", vkTab); err != nil {
		t.Fatal(err)
	}
	if got := active(); got != "summary in share" {
		t.Fatalf("Tab from the town's last thing (%+v) went to %q, not the Share menu", last, got)
	}
	if err := pressKey(ctx, "Tab", vkTab); err != nil {
		t.Fatal(err)
	}
	st = waitBuild(t, ctx, 5*time.Second, "the ring on the town's first thing", func(s buildState) bool { return s.Focus.Kind != "" })
	if got := active(); got != "canvas" || st.Focus.Kind != "plot" {
		t.Errorf("Tab from the Share menu: focus on %q, ring %+v; want the canvas, the ring on the first plot", got, st.Focus)
	}
}

// pressShiftTab presses Tab with Shift held.
func pressShiftTab(ctx context.Context) error {
	const shift = 8
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if typ == input.DispatchKeyEventTypeKeyUp {
			time.Sleep(keyHold)
		}
		ev := input.DispatchKeyEventParams{Type: typ, Key: "Tab", Code: "Tab", WindowsVirtualKeyCode: vkTab, NativeVirtualKeyCode: vkTab, Modifiers: shift}
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev)
			return err
		})); err != nil {
			return err
		}
	}
	return nil
}
