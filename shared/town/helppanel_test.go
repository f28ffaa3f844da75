package town

import (
	"strings"
	"testing"
)

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

// TestStepWordsAreTrue: at the head of a story, Step carries out the
// next happening, which may make several events at one instant, while
// Back goes back exactly one; the caption's hints and the help say
// that, and none says the right arrow steps one event.
func TestStepWordsAreTrue(t *testing.T) {
	g := newTown(t, "hello-tcp")
	g.player.SetPaused(true)
	many := false
	for range 200 {
		before := g.player.EventIndex()
		g.player.Step()
		many = many || g.player.EventIndex()-before > 1
	}
	if !many {
		t.Fatal("no Step made more than one event: the words need no change and the test no such case")
	}
	at := g.player.EventIndex()
	g.player.Back()
	if got := g.player.EventIndex(); got != at-1 {
		t.Fatalf("Back from event %d shows event %d, want one less", at, got)
	}
	words := append([]string{hintStart, hintFirst, hintKept, hintShort[hintStart], hintShort[hintFirst]}, g.helpLines()...)
	all := strings.Join(words, "\n")
	for _, c := range []struct{ name, text string }{
		{name: "hint start", text: hintStart},
		{name: "hint playing", text: hintFirst},
		{name: "hint kept", text: hintKept},
		{name: "help", text: all},
	} {
		if strings.Contains(c.text, "steps one event") || strings.Contains(c.text, "→: one step") {
			t.Errorf("%s says the right arrow steps one event: %q", c.name, c.text)
		}
	}
	if !strings.Contains(all, "back one event") {
		t.Errorf("neither the hints nor the help say Back goes back one event")
	}
}
