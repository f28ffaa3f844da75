package town

import (
	"image"
	"testing"

	"socketville/shared/town/layout"
)

// TestNarrowViewKeepsLabelsReadable: in a phone's town area the fitted
// view keeps the readable zoom, shows the town from its first plot, and
// the first drag or wheel turn takes the view over where it is, without
// a jump back to the whole town.
func TestNarrowViewKeepsLabelsReadable(t *testing.T) {
	bounds := layout.Rect{Min: layout.Point{X: 0, Y: 0}, Max: layout.Point{X: 522, Y: 240}}
	area := image.Rect(0, 74, 360, 536)
	v := viewport{minZoom: 1.1}
	cam := v.camera(bounds, area, 1)
	if cam.zoom != 1.1 {
		t.Fatalf("zoom %v, want the readable 1.1", cam.zoom)
	}
	if x, _ := cam.pt(bounds.Min); x < 0 || x > 30 {
		t.Errorf("the town's left edge is at %v: want it just inside the area", x)
	}
	if _, y := cam.pt(bounds.Center()); y != float64(area.Min.Y+area.Max.Y)/2 {
		t.Errorf("a town that fits the height is not centred in it (%v)", y)
	}
	v.hold(cam, area)
	if held := v.camera(bounds, area, 1); held != cam {
		t.Errorf("taking the view over moved it: %+v, then %+v", cam, held)
	}
	// A wide area fits the whole town, whatever the floor.
	wide := image.Rect(0, 0, 1200, 700)
	if c := (viewport{minZoom: 1.1}).camera(bounds, wide, 1); c != fitCamera(bounds, wide, 1) {
		t.Errorf("a town that fits at a readable zoom is not simply fitted: %+v", c)
	}
}
