package town

import (
	"testing"
	"time"
)

// TestCaretRedrawsAtItsBeat: a paused town with the console focused and
// nothing else changing draws everything again as often as the caret
// can blink (caretTick) and each fullEvery, not every frame; with the
// console not focused, only each fullEvery. Counted over ten seconds.
func TestCaretRedrawsAtItsBeat(t *testing.T) {
	for _, tc := range []struct {
		name     string
		focused  bool
		min, max int // full redraws in ten seconds
	}{
		{name: "console focused", focused: true, min: 10, max: int(10*time.Second/caretTick) + 12},
		{name: "console not focused", focused: false, min: 9, max: 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTown(t, "hello-tcp")
			g.player.SetPaused(true)
			g.w.input.Focus(tc.focused)
			g.planRedraw()
			full := 0
			for range 10 * TPS {
				g.player.Tick(time.Second / TPS)
				g.planRedraw()
				if g.redraw == redrawAll {
					full++
				}
				g.redraw = redrawNone // as a frame's draw does
			}
			if full < tc.min || full > tc.max {
				t.Errorf("%d full redraws in %d frames, want %d to %d", full, 10*TPS, tc.min, tc.max)
			}
			t.Logf("%d full redraws in %d frames", full, 10*TPS)
		})
	}
}
