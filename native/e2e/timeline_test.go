package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// wayBack is the part of the town's state the way-back tests read: where
// the town is on its timeline, the shown snapshot's digest, the timeline
// panel and the code panel.
type wayBack struct {
	Paused     bool   `json:"paused"`
	Selected   string `json:"selected"`
	Panel      string `json:"panel"`
	EventCount int    `json:"event_count"`
	EventIndex int    `json:"event_index"`
	CanBack    bool   `json:"can_back"`
	Digest     string `json:"digest"`
	PanelBox   box    `json:"panel_box"`
	Console    []string
	Buttons    []wayButton `json:"buttons"`
	Sliders    []waySlider `json:"sliders"`
	Timeline   *struct {
		Total, First, Shown int
		Entries             []wayEntry
	} `json:"timeline"`
	Code *struct {
		Line, Lang, Caption string
		Lines               []string
	} `json:"code"`
}

// wayButton is a button on screen, enabled or not.
type wayButton struct {
	Label    string
	Box      box
	Disabled bool
}

// waySlider is a slider on screen and where its thumb is.
type waySlider struct {
	Name     string
	Box      box
	Value    int
	Min, Max int
}

// wayEntry is an entry of the timeline on screen.
type wayEntry struct {
	Index int
	Kind  string
	Text  string
	Lit   bool
	Box   box
}

// wayBackState reads the town's state through its hook.
func wayBackState(ctx context.Context) (wayBack, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return wayBack{}, err
	}
	var st wayBack
	err = jsonUnmarshal(s, &st)
	return st, err
}

// waitWayBack polls the state until ok holds, or fails the test.
func waitWayBack(t *testing.T, ctx context.Context, d time.Duration, what string, ok func(wayBack) bool) wayBack {
	t.Helper()
	var st wayBack
	var err error
	for end := time.Now().Add(d); time.Now().Before(end); {
		if st, err = wayBackState(ctx); err == nil && ok(st) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s (last state: at event %d of %d, panel %q, err %v)", what, st.EventIndex, st.EventCount, st.Panel, err)
	return st
}

// pressKey sends a key that has no character (an arrow, PageUp, Home,
// End) down and up a few frames apart.
func pressKey(ctx context.Context, key string, code int64) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if typ == input.DispatchKeyEventTypeKeyUp {
			time.Sleep(keyHold)
		}
		ev := input.DispatchKeyEventParams{Type: typ, Key: key, Code: key, WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code}
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev)
			return err
		})); err != nil {
			return err
		}
	}
	return nil
}

// Virtual key codes of the keys the timeline takes.
const (
	vkPageUp   = 33
	vkPageDown = 34
	vkEnd      = 35
	vkLeft     = 37
	vkRight    = 39
)

// TestBrowserWayBack plays lossy-bulk in headless Chromium as fast as
// possible past 2,000 events and pauses, then goes back 1,000 events
// through the timeline (clicks on the slider's track, PageUp or PageDown
// a page at a time, then a click on the entry just before) and forward
// again with End: the snapshot's digest is the head's again, and was
// another back in time. The left arrow goes back an event at a time and
// Step (the right arrow) forward again to the same digest; the console
// says each move.
func TestBrowserWayBack(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, url+"?scenario=lossy-bulk")
	st := waitWayBack(t, ctx, 5*time.Second, "the Back button", func(s wayBack) bool { return len(s.Buttons) > 0 })
	if b, ok := buttonOf(st, "Back"); !ok || !b.Disabled || st.CanBack {
		t.Fatalf("at the start: Back button %+v (found %v), CanBack %v; want it there and disabled", b, ok, st.CanBack)
	}
	clickButton(t, ctx, "As fast as possible")
	waitWayBack(t, ctx, 60*time.Second, "2,000 events", func(s wayBack) bool { return s.EventCount >= 2000 })
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	head := waitWayBack(t, ctx, 5*time.Second, "the pause", func(s wayBack) bool { return s.Paused })
	head = waitWayBack(t, ctx, 5*time.Second, "the pause's state", func(s wayBack) bool { return s.EventIndex == s.EventCount && s.Digest != "" })
	if b, _ := buttonOf(head, "Back"); b.Disabled || !head.CanBack {
		t.Fatalf("%d events in, the Back button is disabled", head.EventCount)
	}
	t.Logf("paused at event %d, digest %.12s", head.EventIndex, head.Digest)

	if err := press(ctx, 't'); err != nil {
		t.Fatal(err)
	}
	st = waitWayBack(t, ctx, 5*time.Second, "the timeline panel", func(s wayBack) bool { return s.Selected == "timeline" && s.Timeline != nil })
	if tl := st.Timeline; tl.Total != head.EventCount || tl.Shown != tl.Total-1 || len(tl.Entries) < 10 {
		t.Fatalf("timeline: %d entries, %d on screen, lit %d; want all %d, the newest lit", tl.Total, len(tl.Entries), tl.Shown, head.EventCount)
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "timeline-head.png", shot)

	// Most of the way with clicks on the scrub slider's track, left of
	// its handle (each a twentieth of the story back); then PageUp or
	// PageDown until the entry before the target is on screen, and a
	// click on it.
	target := head.EventIndex - 1000
	scrub, ok := sliderOf(st, "timeline")
	if !ok || scrub.Value != head.EventIndex || scrub.Max != head.EventCount {
		t.Fatalf("the timeline's slider: %+v (found %v); want it at the head, %d of %d", scrub, ok, head.EventIndex, head.EventCount)
	}
	for st.EventIndex > target+head.EventCount/20 {
		before := st.EventIndex
		if err := click(ctx, scrub.Box.X+3, scrub.Box.Y+scrub.Box.H/2); err != nil {
			t.Fatal(err)
		}
		st = waitWayBack(t, ctx, 10*time.Second, "a click on the slider's track", func(s wayBack) bool { return s.EventIndex < before && s.Timeline != nil })
	}
	t.Logf("the slider took the town to event %d", st.EventIndex)
	for presses := 0; ; presses++ {
		if e, ok := entryOf(st, target-1); ok {
			x, y := e.Box.center()
			if err := click(ctx, x, y); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d PageUps or PageDowns to bring event %d into the list", presses, target-1)
			break
		}
		if presses > 20 {
			t.Fatalf("after %d PageUps or PageDowns the town is at event %d, and event %d is not in the list", presses, st.EventIndex, target-1)
		}
		before := st.EventIndex
		key, code := "PageUp", int64(vkPageUp)
		if st.EventIndex < target {
			key, code = "PageDown", vkPageDown
		}
		if err := pressKey(ctx, key, code); err != nil {
			t.Fatal(err)
		}
		st = waitWayBack(t, ctx, 10*time.Second, key, func(s wayBack) bool { return s.EventIndex != before && s.Timeline != nil })
	}
	back := waitWayBack(t, ctx, 10*time.Second, "the jump to event 1,000 back", func(s wayBack) bool { return s.EventIndex == target })
	if back.Digest == head.Digest {
		t.Errorf("1,000 events back the snapshot's digest is the head's")
	}
	if say := lastLine(back.Console); !strings.HasPrefix(say, "# at event ") {
		t.Errorf("after the jump the console says %q, want where the town went", say)
	}
	if lit, ok := litOf(back); !ok || lit.Index != target-1 {
		t.Errorf("the lit entry is event %d (on screen: %v), want %d", lit.Index, ok, target-1)
	}
	shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "timeline-back.png", shot)

	// Back a few events with the left arrow, then Step as many times: the
	// same moment, the same digest.
	at := back
	const n = 5
	for i := 0; i < n; i++ {
		before := at.EventIndex
		if err := pressKey(ctx, "ArrowLeft", vkLeft); err != nil {
			t.Fatal(err)
		}
		at = waitWayBack(t, ctx, 10*time.Second, "Back", func(s wayBack) bool { return s.EventIndex < before })
	}
	if say := lastLine(at.Console); !strings.HasPrefix(say, "# back to event ") {
		t.Errorf("after Back the console says %q", say)
	}
	for i := 0; i < n; i++ {
		before := at.EventIndex
		if err := pressKey(ctx, "ArrowRight", vkRight); err != nil {
			t.Fatal(err)
		}
		at = waitWayBack(t, ctx, 10*time.Second, "Step", func(s wayBack) bool { return s.EventIndex > before })
	}
	if at.EventIndex != back.EventIndex || at.Digest != back.Digest {
		t.Errorf("%d Backs and %d Steps: event %d digest %.12s; want event %d digest %.12s", n, n, at.EventIndex, at.Digest, back.EventIndex, back.Digest)
	}

	start := time.Now()
	if err := pressKey(ctx, "End", vkEnd); err != nil {
		t.Fatal(err)
	}
	end := waitWayBack(t, ctx, 20*time.Second, "End: forward again", func(s wayBack) bool { return s.EventIndex == head.EventIndex })
	t.Logf("End: forward %d events to the head in %v, key press and state polling included", head.EventIndex-at.EventIndex, time.Since(start).Round(time.Millisecond))
	end = waitWayBack(t, ctx, 5*time.Second, "the head's digest", func(s wayBack) bool { return s.Digest != back.Digest })
	if end.Digest != head.Digest {
		t.Errorf("forward again to event %d: digest %.12s, want the head's %.12s", end.EventIndex, end.Digest, head.Digest)
	}
}

// TestBrowserCodePanel plays hello-tcp until b/web listens, clicks the
// console's listen line and reads its code in Go, then in C and Python.
func TestBrowserCodePanel(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, url+"?scenario=hello-tcp")
	for {
		st, err := wayBackState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(st.Console, "\n"), ": listen 3") {
			break
		}
		before := st.EventIndex
		if err := pressKey(ctx, "ArrowRight", vkRight); err != nil {
			t.Fatal(err)
		}
		waitWayBack(t, ctx, 10*time.Second, "a step", func(s wayBack) bool { return s.EventIndex > before || len(s.Console) != len(st.Console) })
	}
	clickButton(t, ctx, "Code")
	st := waitWayBack(t, ctx, 5*time.Second, "the code panel", func(s wayBack) bool { return s.Selected == "code" && s.Code != nil })
	if !strings.Contains(st.Code.Line, "listen 3") || st.Code.Lang != "Go" || !strings.Contains(strings.Join(st.Code.Lines, "\n"), "net.Listen") {
		t.Errorf("the code panel shows %+v; want the listen in Go, with net.Listen", st.Code)
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "code-go.png", shot)
	for lang, want := range map[string]string{"C": "listen(", "Python": ".listen("} {
		clickButton(t, ctx, lang)
		st = waitWayBack(t, ctx, 5*time.Second, "the "+lang+" tab", func(s wayBack) bool { return s.Code != nil && s.Code.Lang == lang })
		if !strings.Contains(strings.Join(st.Code.Lines, "\n"), want) {
			t.Errorf("%s: %q, want %q", lang, st.Code.Lines, want)
		}
	}
	shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "code-python.png", shot)
}

// buttonOf is the button labelled label, if it is on screen.
func buttonOf(s wayBack, label string) (wayButton, bool) {
	for _, b := range s.Buttons {
		if b.Label == label {
			return b, true
		}
	}
	return wayButton{}, false
}

// entryOf is the timeline's entry for event index, if it is on screen.
func entryOf(s wayBack, index int) (wayEntry, bool) {
	if s.Timeline != nil {
		for _, e := range s.Timeline.Entries {
			if e.Index == index {
				return e, true
			}
		}
	}
	return wayEntry{}, false
}

// litOf is the timeline's lit entry, if it is on screen.
func litOf(s wayBack) (wayEntry, bool) {
	if s.Timeline != nil {
		for _, e := range s.Timeline.Entries {
			if e.Lit {
				return e, true
			}
		}
	}
	return wayEntry{Index: -1}, false
}

// sliderOf is the slider named name, if it is on screen.
func sliderOf(s wayBack, name string) (waySlider, bool) {
	for _, sl := range s.Sliders {
		if sl.Name == name {
			return sl, true
		}
	}
	return waySlider{}, false
}

// lastLine is the console's newest line.
func lastLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}

// TestBrowserWayBackNarrow opens the timeline and the code panel in a
// narrow window (a phone's 390x800, and 900x700 half a classroom
// screen), where the panel is a drawer over the town: its rows of
// entries and of code lie inside it, under the top bar's rows.
func TestBrowserWayBackNarrow(t *testing.T) {
	url := serve(t)
	for _, size := range []struct{ w, h int }{{390, 800}, {900, 700}} {
		ctx := browser(t, size.w, size.h)
		openTown(t, ctx, url+"?scenario=hello-tcp")
		for i := 0; i < 12; i++ {
			before, err := wayBackState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := pressKey(ctx, "ArrowRight", vkRight); err != nil {
				t.Fatal(err)
			}
			waitWayBack(t, ctx, 10*time.Second, "a step", func(s wayBack) bool {
				return s.EventIndex > before.EventIndex || len(s.Console) != len(before.Console)
			})
		}
		if err := press(ctx, 't'); err != nil {
			t.Fatal(err)
		}
		st := waitWayBack(t, ctx, 5*time.Second, "the timeline's drawer", func(s wayBack) bool {
			return s.Timeline != nil && len(s.Timeline.Entries) > 0 && s.PanelBox.W > 0
		})
		for _, e := range st.Timeline.Entries {
			if e.Box.X < st.PanelBox.X-1 || e.Box.X+e.Box.W > st.PanelBox.X+st.PanelBox.W+1 || e.Box.Y < st.PanelBox.Y || e.Box.Y+e.Box.H > st.PanelBox.Y+st.PanelBox.H+1 {
				t.Errorf("%dx%d: entry %d at %+v, outside the drawer %+v", size.w, size.h, e.Index, e.Box, st.PanelBox)
			}
		}
		for _, b := range st.Buttons {
			if b.Box.X+b.Box.W > float64(size.w)+1 {
				t.Errorf("%dx%d: the %q button runs off the window: %+v", size.w, size.h, b.Label, b.Box)
			}
		}
		shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		saveArtifact(t, fmt.Sprintf("timeline-%dx%d.png", size.w, size.h), shot)
		if err := press(ctx, 'c'); err != nil {
			t.Fatal(err)
		}
		st = waitWayBack(t, ctx, 5*time.Second, "the code drawer", func(s wayBack) bool { return s.Code != nil && len(s.Code.Lines) > 0 })
		shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		saveArtifact(t, fmt.Sprintf("code-%dx%d.png", size.w, size.h), shot)
	}
}
