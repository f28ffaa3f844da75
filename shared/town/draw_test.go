package town

import (
	"image"
	"testing"
)

// TestFlashLabelsKeepOutOfTheCaptionBand: in short windows a drop's
// message at a plot by the town's foot rose out of the caption band, over
// the captions' ground by the console. Every flash label drawn lies in the
// town, above the band.
func TestFlashLabelsKeepOutOfTheCaptionBand(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		w, h     int
	}{
		{"tcp-errors", 1280, 800},
		{"tcp-errors", 1024, 400},
		{"tcp-errors", 700, 300},
		{"hello-udp", 700, 300},
	} {
		g := newTown(t, tc.scenario)
		g.width, g.height = tc.w, tc.h
		g.fitUI(1)
		g.layOutNow()
		g.cam = g.view.camera(g.lay.Bounds, g.fitRect(), g.scale)
		seen := 0
		for i := 0; i < 3000 && g.player.Busy(); i++ {
			g.step()
			if len(g.player.Animation().Flashes) == 0 {
				continue
			}
			if gen := g.player.SnapshotGen(); gen != g.layGen {
				g.lay, g.layGen = g.layouter.Of(g.player.Snapshot()), gen
			}
			town := g.townRect()
			band := g.captionBand(town)
			for _, l := range g.labelsIn(town) {
				if l.kind != "flash" {
					continue
				}
				seen++
				b := image.Rect(int(l.box.x), int(l.box.y), int(l.box.x+l.box.w), int(l.box.y+l.box.h))
				if !b.In(town) || b.Overlaps(band) {
					t.Fatalf("%s at %dx%d: flash %q at %v; the town is %v, its caption band %v", tc.scenario, tc.w, tc.h, l.shown, b, town, band)
				}
			}
		}
		if seen == 0 {
			t.Errorf("%s at %dx%d: no flash label shown at all", tc.scenario, tc.w, tc.h)
		}
	}
}
