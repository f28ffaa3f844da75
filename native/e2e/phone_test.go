package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// tap touches the screen at x, y for a few frames, as a finger does: a
// phone's browser sends touches and no mouse events.
func tap(ctx context.Context, x, y float64) error {
	if err := touch(ctx, input.DispatchTouchEventTypeTouchStart, []*input.TouchPoint{{X: x, Y: y}}); err != nil {
		return err
	}
	time.Sleep(keyHold)
	return touch(ctx, input.DispatchTouchEventTypeTouchEnd, []*input.TouchPoint{})
}

// touch sends one touch event to the page.
func touch(ctx context.Context, typ input.DispatchTouchEventType, pts []*input.TouchPoint) error {
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
		return err
	}))
}

// tapButton taps the button with this label once it is laid out.
func tapButton(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	st := waitFor(t, 5*time.Second, "the "+label+" button", func() (state, error) { return pageState(ctx) }, func(s state) bool {
		b, ok := s.button(label)
		return ok && b.W > 0
	})
	b, _ := st.button(label)
	if err := tap(ctx, b.X+b.W/2, b.Y+b.H/2); err != nil {
		t.Fatal(err)
	}
}

// phoneState adds the Layers page's words to the shared state.
type phoneState struct {
	Layers []string `json:"layers"`
}

// TestBrowserPhoneTaps plays hello-tcp on a 360x640 touch screen with
// fingers only: Pause and Step are tapped, the handshake's last letter
// (the ACK) is tapped on the road, and the drawer opens on its Layers
// page, which says the ACK is TCP's own (the program wrote nothing) and
// names the socket between the application and the transport; Close
// panel, tapped, shuts the drawer.
func TestBrowserPhoneTaps(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 360, 640)
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 1})
			return err
		}),
		chromedp.Navigate(url+"?play=1&scenario=hello-tcp"),
	); err != nil {
		t.Fatal(err)
	}
	needWebGL(t, ctx)
	get := func() (state, error) { return pageState(ctx) }
	waitFor(t, 60*time.Second, "the town", get, func(s state) bool { return s.Frames > 0 && len(s.Doors) > 0 })
	tapButton(t, ctx, "Pause")
	st := waitFor(t, 5*time.Second, "a tap pauses", get, func(s state) bool { return s.Paused })
	ack := func(s state) (box, bool) {
		for _, l := range s.LetterBoxes {
			if l.Label == "ACK" && l.Box.X >= s.Town.X && l.Box.X+l.Box.W <= s.Town.X+s.Town.W {
				return l.Box, true
			}
		}
		return box{}, false
	}
	for i := 0; i < 40; i++ {
		if _, ok := ack(st); ok {
			break
		}
		tapButton(t, ctx, "Step")
		time.Sleep(keyHold)
		st, _ = get()
	}
	b, ok := ack(st)
	if !ok {
		t.Fatalf("no ACK letter on the visible road after 40 steps: %+v", st.LetterBoxes)
	}
	// A narrow town's camera glides to follow the letters: tap the
	// letter where it stands once the view has come to rest.
	for range 50 {
		time.Sleep(100 * time.Millisecond)
		now, _ := get()
		nb, ok := ack(now)
		if !ok {
			break
		}
		if nb == b {
			break
		}
		b = nb
	}
	x, y := b.center()
	if err := tap(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the letter's drawer", get, func(s state) bool {
		return s.Selected == "letter" && s.Tab == "layers" && s.PanelBox.W > 0
	})
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville.state()`))
	if err != nil {
		t.Fatal(err)
	}
	var ps phoneState
	if err := jsonUnmarshal(raw, &ps); err != nil || len(ps.Layers) != 5 {
		t.Fatalf("layers %q (%v)", ps.Layers, err)
	}
	if app := ps.Layers[0]; !strings.Contains(app, "this ACK is TCP's own") || strings.Contains(app, "send()") {
		t.Errorf("the ACK's application floor says %q", app)
	}
	shot(t, ctx, "phone-ack-layers.png")
	tapButton(t, ctx, "Close panel")
	waitFor(t, 5*time.Second, "a tap on Close panel shuts the drawer", get, func(s state) bool {
		return s.Selected == "" && s.PanelBox.W == 0
	})
}
