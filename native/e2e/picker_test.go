package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// TestBrowserPickerAndLoad opens the scenario picker in a laptop's, a
// half screen's and a phone's window and keeps a screenshot of each list
// to be looked at (its entries are fitted to the room right of the
// picker; fitEntry's test checks the words). At 800x600 it then zooms in
// and restarts: the town is shown whole again, as after F, and c1's door
// is in sight.
func TestBrowserPickerAndLoad(t *testing.T) {
	url := serve(t)
	for _, size := range [][2]int{{1280, 800}, {800, 600}, {360, 640}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx := browser(t, size[0], size[1])
			openTown(t, ctx, url+"?play=1&scenario=two-clients")
			st := waitLabels(t, ctx, "the picker laid out", func(s labelsState) bool { return s.Picker.W > 0 })
			x, y := st.Picker.center()
			if err := click(ctx, x, y); err != nil {
				t.Fatal(err)
			}
			waitLabels(t, ctx, "the picker's list open", func(s labelsState) bool { return s.PickerOpen })
			shot(t, ctx, fmt.Sprintf("picker-%dx%d.png", size[0], size[1]))
			if err := press(ctx, []rune(kb.Escape)[0]); err != nil {
				t.Fatal(err)
			}
			waitLabels(t, ctx, "Esc closes the picker", func(s labelsState) bool { return !s.PickerOpen })
			if size[0] == 800 {
				checkRestartFits(t, ctx)
			}
		})
	}
}

// checkRestartFits zooms in twice with the = key, then restarts: the
// learner's zoom is dropped and c1's door stands inside the town.
func checkRestartFits(t *testing.T, ctx context.Context) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	for range 2 {
		if err := press(ctx, '='); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "= zooms in", get, func(s state) bool { return s.Zoom > 1.2 })
	clickButton(t, ctx, "Restart")
	waitFor(t, 10*time.Second, "Restart shows the whole town", get, func(s state) bool {
		d, ok := s.door("c1", "app", "fresh")
		return s.Zoom == 1 && ok && d.Box.X >= s.Town.X && d.Box.X+d.Box.W <= s.Town.X+s.Town.W
	})
	shot(t, ctx, "picker-restarted-800x600.png")
}
