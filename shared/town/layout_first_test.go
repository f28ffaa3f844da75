package town

import (
	"image"
	"testing"
)

// TestFirstFrameIsLaidOut builds the town's widgets for 1280x800, then
// for a window that grew from 1280x713 to 1280x800 (a browser settling
// its page): each time, before the frame draws, layOut has put the
// console at the bottom of the screen and the town and the panel above
// it, where every later frame has them: nothing drawn by hand uses a
// layout that the widgets drawn after it no longer have.
func TestFirstFrameIsLaidOut(t *testing.T) {
	g, err := New(Options{Scenario: "hello-tcp"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		g.fitUI(1)
		g.layOut()
		console := g.w.consoleBox.GetWidget().Rect
		town, panel := g.townRect(), g.w.panelCol.GetWidget().Rect
		if console.Max.Y != g.height || console.Min.Y <= 0 || town.Max.Y != console.Min.Y || panel.Max.Y != console.Min.Y {
			t.Errorf("%s (%dx%d): console %v, town %v, panel %v: want the console at the bottom, the town and the panel down to it",
				when, g.width, g.height, console, town, panel)
		}
		// The next layout of the same screen moves nothing.
		before := [3]image.Rectangle{console, town, panel}
		g.ui.Container.RequestRelayout()
		g.ui.Container.Render(g.scratch)
		if after := [3]image.Rectangle{g.w.consoleBox.GetWidget().Rect, g.townRect(), g.w.panelCol.GetWidget().Rect}; after != before {
			t.Errorf("%s: laid out again, the layout moved from %v to %v", when, before, after)
		}
	}
	g.width, g.height = 1280, 800
	check("the first frame")
	g, _ = New(Options{Scenario: "hello-tcp"})
	g.width, g.height = 1280, 713
	check("at first")
	g.width, g.height = 1280, 800
	check("after the resize")
}
