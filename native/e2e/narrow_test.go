package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// layoutState is what the narrow-window test reads besides the shared
// state: whether the panel is a drawer, and where the console is.
type layoutState struct {
	Drawer     bool `json:"drawer"`
	DrawerOpen bool `json:"drawer_open"`
	ConsoleBox box  `json:"console_box"`
}

func layoutOf(ctx context.Context) (layoutState, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return layoutState{}, err
	}
	var ls layoutState
	err = jsonUnmarshal(s, &ls)
	return ls, err
}

// TestBrowserNarrowWindows plays hello-tcp in a phone's window, a half
// screen, a classroom projector's and a laptop's. At 360x640, 800x600
// and 1024x768 the town has the whole width (the panel is a closed
// drawer) at a zoom where its labels are readable, a click on a door
// opens the drawer over the town, and its Close button and Esc shut it,
// and a Help button opens it on the help; at 1280x800 the panel stands
// beside the town. Every control stays inside the window. Screenshots of
// each are kept to be looked at.
func TestBrowserNarrowWindows(t *testing.T) {
	url := serve(t)
	for _, size := range []struct {
		w, h   int
		drawer bool
	}{{w: 360, h: 640, drawer: true}, {w: 800, h: 600, drawer: true}, {w: 1024, h: 768, drawer: true}, {w: 1280, h: 800}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			ctx := browser(t, size.w, size.h)
			if err := chromedp.Do(ctx, chromedp.Navigate(url+"?play=1&scenario=hello-tcp")); err != nil {
				t.Fatal(err)
			}
			needWebGL(t, ctx)
			get := func() (state, error) { return pageState(ctx) }
			st := waitFor(t, 60*time.Second, "b/web's listening door", get, func(s state) bool {
				_, ok := s.door("b", "web", "listen")
				return ok && s.Town.W > 0
			})
			if err := press(ctx, ' '); err != nil {
				t.Fatal(err)
			}
			st = waitFor(t, 5*time.Second, "space pauses", get, func(s state) bool { return s.Paused })
			ls, err := layoutOf(ctx)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("narrow-%dx%d", size.w, size.h)
			shot(t, ctx, name+"-town.png")
			if ls.Drawer != size.drawer {
				t.Errorf("drawer %v at %dx%d, want %v", ls.Drawer, size.w, size.h, size.drawer)
			}
			minTown := 300.0
			if !size.drawer {
				minTown = float64(size.w) - 470
			}
			if st.Town.W < minTown || st.Town.W > float64(size.w) {
				t.Errorf("the town is %.0f CSS px wide in a window %d wide; want at least %.0f", st.Town.W, size.w, minTown)
			}
			checkInside(t, st, size.w, size.h)
			if d, _ := st.door("b", "web", "listen"); size.drawer && d.Box.W < 44 {
				// A door is 40 units wide and its smallest label 10: at
				// 1.1 CSS px a unit, that label is 11 px.
				t.Errorf("a door %.0f CSS px wide: its labels are under 11 px", d.Box.W)
			}
			if size.drawer {
				checkDrawer(t, ctx, name)
			} else if st.PanelBox.W == 0 || st.PanelBox.X < st.Town.X+st.Town.W-1 {
				t.Errorf("the panel %+v is not beside the town %+v", st.PanelBox, st.Town)
			}
		})
	}
}

// checkInside checks every button on screen lies inside the window.
func checkInside(t *testing.T, st state, w, h int) {
	t.Helper()
	for _, b := range st.Buttons {
		if b.Box.W == 0 {
			continue
		}
		if b.Box.X < 0 || b.Box.Y < 0 || b.Box.X+b.Box.W > float64(w)+0.5 || b.Box.Y+b.Box.H > float64(h)+0.5 {
			t.Errorf("button %q at %+v is cut by the %dx%d window", b.Label, b.Box, w, h)
		}
	}
}

// checkDrawer clicks the listening door: the drawer opens over the town
// with the door's page; "Close panel" shuts it, and so does Esc.
func checkDrawer(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	openDoor := func() state {
		st, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if st.PanelBox.W != 0 {
			t.Errorf("a closed drawer has a panel box %+v", st.PanelBox)
		}
		d := dragIntoView(t, ctx, st, name)
		x, y := d.Box.center()
		if err := click(ctx, x, y); err != nil {
			t.Fatal(err)
		}
		st = waitFor(t, 5*time.Second, "the drawer open on the door", get, func(s state) bool {
			_, ok := s.button("Close panel")
			return s.Selected == "door" && s.PanelBox.W > 0 && ok
		})
		// Where the drawer leaves room, the town moves the door out
		// from under it.
		if d, _ := st.door("b", "web", "listen"); st.Town.W-st.PanelBox.W >= 200 && d.Box.X+d.Box.W > st.PanelBox.X {
			t.Errorf("the selected door %+v is under the drawer %+v", d.Box, st.PanelBox)
		}
		if ls, _ := layoutOf(ctx); !ls.DrawerOpen {
			t.Errorf("the door's panel is shown but the state says the drawer is shut")
		}
		if !strings.Contains(st.Panel, "b/web fd 3") || st.PanelBox.X < st.Town.X || st.PanelBox.X+st.PanelBox.W > st.Town.X+st.Town.W+0.5 {
			t.Errorf("drawer %+v titled %q over the town %+v", st.PanelBox, st.Panel, st.Town)
		}
		return st
	}
	st := openDoor()
	checkInside(t, st, int(st.Town.X+st.Town.W), 1<<20)
	shot(t, ctx, name+"-drawer.png")
	clickButton(t, ctx, "Layers")
	waitFor(t, 5*time.Second, "the Layers page", get, func(s state) bool { return s.Tab == "layers" })
	shot(t, ctx, name+"-layers.png")
	clickButton(t, ctx, "Close panel")
	waitFor(t, 5*time.Second, "Close panel shuts the drawer", get, func(s state) bool {
		return s.Selected == "" && s.PanelBox.W == 0
	})
	openDoor()
	if err := press(ctx, '\x1b'); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "Esc shuts the drawer", get, func(s state) bool {
		return s.Selected == "" && s.PanelBox.W == 0
	})
	shot(t, ctx, name+"-closed.png")
	clickButton(t, ctx, "Help")
	st = waitFor(t, 5*time.Second, "Help opens the drawer on the help", get, func(s state) bool {
		_, ok := s.button("Close panel")
		return s.PanelBox.W > 0 && ok
	})
	if !strings.HasPrefix(st.Panel, "Click a door") {
		t.Errorf("the help drawer is titled %q", st.Panel)
	}
	shot(t, ctx, name+"-help.png")
	clickButton(t, ctx, "Close panel")
	waitFor(t, 5*time.Second, "Close panel shuts the help", get, func(s state) bool { return s.PanelBox.W == 0 })
}

// shot saves a screenshot under name.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, name, b)
}

// dragIntoView drags the town from open ground until b/web's listening
// door is inside the town area, as a learner on a phone would.
func dragIntoView(t *testing.T, ctx context.Context, st state, name string) door {
	t.Helper()
	d, _ := st.door("b", "web", "listen")
	right := st.Town.X + st.Town.W - 30
	if d.Box.X+d.Box.W <= right {
		return d
	}
	dx := d.Box.X + d.Box.W - right
	// Open ground: below the plots, above the town's bottom edge.
	x, y := st.Town.X+st.Town.W-10, st.Town.Y+st.Town.H-50
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseMoved, x-dx/2, y, chromedp.ButtonLeft),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseMoved, x-dx, y, chromedp.ButtonLeft),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseReleased, x-dx, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the door dragged into view", func() (state, error) { return pageState(ctx) }, func(s state) bool {
		d, ok := s.door("b", "web", "listen")
		return ok && d.Box.X >= s.Town.X && d.Box.X+d.Box.W <= s.Town.X+s.Town.W
	})
	shot(t, ctx, name+"-dragged.png")
	d, _ = st.door("b", "web", "listen")
	return d
}
