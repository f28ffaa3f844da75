package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// labelsState is the part of the town's state about its words.
type labelsState struct {
	Frames  int    `json:"frames"`
	Paused  bool   `json:"paused"`
	Caption string `json:"caption"`
	Town    box    `json:"town"`
	Labels  []struct {
		Kind string `json:"kind"`
		Text string `json:"text"`
		Box  box    `json:"box"`
	} `json:"labels"`
	Buttons []struct {
		Label string
		Box   box
	} `json:"buttons"`
	Picker     box  `json:"picker"`
	PickerOpen bool `json:"picker_open"`
}

func labelsOf(ctx context.Context) (labelsState, error) {
	var st labelsState
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return st, err
	}
	err = jsonUnmarshal(s, &st)
	return st, err
}

// TestBrowserLabels opens the crowded and the wordy examples in the page
// and reads the town's words as drawn: none overlaps another or leaves
// the town, the scenario's comment is shown as a caption, the first screen says how to pause, step and slow down,
// and the Pause button keeps its width when it becomes Play. (That each
// caption is printed in the console is play's test.)
func TestBrowserLabels(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	for _, name := range []string{"hello-tcp", "two-clients", "lossy-bulk", "lossy-udp", "hello-udp", "poll-udp"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"?play=1&scenario="+name)); err != nil {
			t.Fatal(err)
		}
		needWebGL(t, ctx)
		var st labelsState
		var err error
		end := time.Now().Add(40 * time.Second)
		for time.Now().Before(end) {
			if st, err = labelsOf(ctx); err == nil && st.Frames > 0 && len(st.Labels) > 3 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(st.Labels) <= 3 {
			t.Fatalf("%s: no town words after 40 s (%v): %+v", name, err, st)
		}
		var hint bool
		for i, moment := range []time.Duration{1500 * time.Millisecond, 2 * time.Second, 2 * time.Second} {
			time.Sleep(moment)
			if st, err = labelsOf(ctx); err != nil {
				t.Fatal(err)
			}
			checkLabelBoxes(t, name, st)
			for _, l := range st.Labels {
				hint = hint || l.Kind == "hint" && strings.Contains(l.Text, "Space pauses")
			}
			if i == 1 {
				shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				saveArtifact(t, "labels-"+name+".png", shot)
			}
		}
		if !hint {
			t.Errorf("%s: the first screen does not say how to pause and step", name)
		}
		var shown bool
		for _, l := range st.Labels {
			shown = shown || l.Kind == "caption" && strings.HasPrefix(st.Caption, l.Text)
		}
		if st.Caption == "" || !shown {
			t.Errorf("%s: the caption %q is not shown over the town", name, st.Caption)
		}
	}
	checkPauseWidth(t, ctx)
	checkPickerEsc(t, ctx)
}

// checkPickerEsc opens the scenario picker and presses Esc: it closes.
func checkPickerEsc(t *testing.T, ctx context.Context) {
	t.Helper()
	st, _ := labelsOf(ctx)
	picker := st.Picker
	if picker.W == 0 {
		t.Fatalf("no scenario picker: %+v", st)
	}
	x, y := picker.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	waitLabels(t, ctx, "the picker's list open", func(s labelsState) bool { return s.PickerOpen })
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "labels-picker.png", shot)
	if err := press(ctx, []rune(kb.Escape)[0]); err != nil {
		t.Fatal(err)
	}
	waitLabels(t, ctx, "Esc closes the picker", func(s labelsState) bool { return !s.PickerOpen })
}

// waitLabels waits until the state satisfies ok.
func waitLabels(t *testing.T, ctx context.Context, what string, ok func(labelsState) bool) labelsState {
	t.Helper()
	var st labelsState
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if s, err := labelsOf(ctx); err == nil && ok(s) {
			return s
		}
		st, _ = labelsOf(ctx)
	}
	t.Fatalf("%s: not within 5 s (%+v)", what, st.PickerOpen)
	return st
}

// checkLabelBoxes fails on two labels that overlap or one outside the
// town.
func checkLabelBoxes(t *testing.T, name string, st labelsState) {
	t.Helper()
	const slack = 0.01 // CSS pixels: rounding of device pixels
	tw := st.Town
	for i, a := range st.Labels {
		b := a.Box
		if b.X < tw.X-slack || b.Y < tw.Y-slack || b.X+b.W > tw.X+tw.W+slack || b.Y+b.H > tw.Y+tw.H+slack {
			t.Errorf("%s: %s %q at %+v is not inside the town %+v", name, a.Kind, a.Text, b, tw)
		}
		for _, c := range st.Labels[i+1:] {
			o := c.Box
			if b.X < o.X+o.W-slack && o.X < b.X+b.W-slack && b.Y < o.Y+o.H-slack && o.Y < b.Y+b.H-slack {
				t.Errorf("%s: %s %q at %+v overlaps %s %q at %+v", name, a.Kind, a.Text, b, c.Kind, c.Text, o)
			}
		}
	}
}

// checkPauseWidth presses space twice: the button that says Pause and
// then Play keeps its place and width, and so does the bar after it.
func checkPauseWidth(t *testing.T, ctx context.Context) {
	t.Helper()
	find := func(st labelsState, label string) box {
		for _, b := range st.Buttons {
			if b.Label == label {
				return b.Box
			}
		}
		return box{}
	}
	before, _ := labelsOf(ctx)
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	var after labelsState
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if after, _ = labelsOf(ctx); after.Paused != before.Paused && find(after, "Play").W > 0 {
			break
		}
	}
	pause, play := find(before, "Pause"), find(after, "Play")
	if pause.W == 0 || pause != play {
		t.Errorf("the Pause button at %+v became Play at %+v", pause, play)
	}
	if a, b := find(before, "Step"), find(after, "Step"); a != b {
		t.Errorf("the Step button moved from %+v to %+v", a, b)
	}
}
