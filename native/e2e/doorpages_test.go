package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// typeLine clicks the console's input and types a shell line, key by key.
func typeLine(t *testing.T, ctx context.Context, line string) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	st, err := get()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Typing {
		if err := click(ctx, st.Town.X+st.Town.W/2, float64(780)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "the console's input takes the keyboard", get, func(s state) bool { return s.Typing })
	}
	for _, r := range line {
		if err := press(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "the typed "+line, get, func(s state) bool { return s.Input == line })
	ran := func(s state) bool { return s.Input == "" && lastEcho(s.Console) == "$ "+line }
	// Software WebGL draws a few frames a second here: an Enter that
	// falls between two frames is missed, and pressed again.
	for try := 0; try < 3; try++ {
		if err := press(ctx, '\r'); err != nil {
			t.Fatal(err)
		}
		end := time.Now().Add(3 * time.Second)
		for time.Now().Before(end) {
			if s, err := get(); err == nil && ran(s) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(t, time.Second, "the line "+line, get, ran)
}

// lastEcho is the console's newest echoed line.
func lastEcho(console []string) string {
	for i := len(console) - 1; i >= 0; i-- {
		if strings.HasPrefix(console[i], "$ ") {
			return console[i]
		}
	}
	return ""
}

// TestBrowserDoorPages opens the panel of a bound TCP socket and of a
// connection in TIME-WAIT: the first says "bound (CLOSED)" and shows its
// buffers and options, not a peer's MSS; the second says whose it was
// and that no fd holds it, with its 4-tuple.
func TestBrowserDoorPages(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"?play=1&scenario=hello-tcp")); err != nil {
		t.Fatal(err)
	}
	needWebGL(t, ctx)
	get := func() (state, error) { return pageState(ctx) }
	waitFor(t, 30*time.Second, "the town", get, func(s state) bool { return s.Frames > 0 })
	clickButton(t, ctx, "As fast as possible")
	waitFor(t, 60*time.Second, "hello-tcp done", get, func(s state) bool { return !s.Busy && s.Letters == 0 })
	clickButton(t, ctx, "Back to 1x")
	for _, l := range []string{
		"a/browser: socket tcp",
		"a/browser: bind 3 0.0.0.0:5000",
		"a/browser: socket tcp",
		"a/browser: connect 4 10.0.0.2:80",
		"b/web: accept 3",
	} {
		typeLine(t, ctx, l)
	}
	// Paused, the closes run at once and Step walks the FIN exchange one
	// event at a time: a's TIME-WAIT stays for the clicks below instead of
	// running out (or its FIN-WAIT-2 timing out) while a line is typed.
	waitFor(t, 30*time.Second, "the accepted connection", get, func(s state) bool {
		_, ok := s.door("b", "web", "open")
		return ok
	})
	clickButton(t, ctx, "Pause")
	waitFor(t, 5*time.Second, "paused", get, func(s state) bool { return s.Paused })
	typeLine(t, ctx, "a/browser: close 4")
	typeLine(t, ctx, "b/web: close 4")
	both := func(s state) bool {
		_, tw := s.door("a", "", "time-wait")
		_, b := s.door("a", "browser", "closed")
		return tw && b
	}
	for i := 0; i < 12; i++ {
		if s, err := get(); err == nil && both(s) {
			break
		}
		clickButton(t, ctx, "Step")
		time.Sleep(300 * time.Millisecond) // a few frames: the state is published every sixth
	}
	st := waitFor(t, 10*time.Second, "a's TIME-WAIT connection and its bound door", get, both)
	bound, _ := st.door("a", "browser", "closed")
	x, y := bound.Box.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the bound door's panel", get, func(s state) bool { return s.Selected == "door" })
	if want := "a/browser fd 3: tcp bound (CLOSED) 0.0.0.0:5000"; st.Panel != want {
		t.Errorf("panel %q, want %q", st.Panel, want)
	}
	shot(t, ctx, "door-bound.png")
	tw, _ := st.door("a", "", "time-wait")
	x, y = tw.Box.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the TIME-WAIT door's panel", get, func(s state) bool {
		return strings.Contains(s.Panel, "TIME-WAIT")
	})
	if want := "a TIME-WAIT connection of a/browser, held by the kernel (no fd): 10.0.0.1:49154 <-> 10.0.0.2:80"; st.Panel != want || strings.Contains(st.Panel, "fd 0") {
		t.Errorf("panel %q, want %q", st.Panel, want)
	}
	shot(t, ctx, "door-time-wait.png")
}
