package town

import "testing"

// TestHelpScrolls opens the help in a short window: more rows than the
// panel holds, so the wheel scrolls them in, three a notch, and stops at
// the last row and at the first.
func TestHelpScrolls(t *testing.T) {
	g, err := New(Options{Scenario: "hello-tcp"})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = 1280, 560
	g.fitUI(1)
	g.layOut()
	area := g.w.panelArea.GetWidget().Rect
	rows, fit := g.helpRows(g.helpLines(), area)
	if len(rows) <= fit {
		t.Fatalf("%d help rows fit the %d px panel: the window is not short enough for the test", len(rows), area.Dy())
	}
	h := helpPanel{}
	h.wheel(g, -1, area.Min)
	if g.scroll.help != 3 {
		t.Errorf("a notch down: help from row %d, want 3", g.scroll.help)
	}
	for range len(rows) {
		h.wheel(g, -1, area.Min)
	}
	if want := len(rows) - fit; g.scroll.help != want {
		t.Errorf("scrolled all the way down: from row %d, want %d (the last row at the bottom)", g.scroll.help, want)
	}
	for range len(rows) {
		h.wheel(g, 1, area.Min)
	}
	if g.scroll.help != 0 {
		t.Errorf("scrolled all the way up: from row %d, want 0", g.scroll.help)
	}
}
