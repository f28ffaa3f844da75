//go:build !js

package town

import "testing"

// fakePage stands in for the browser's page round the canvas: it takes
// the keyboard when asked (unless it has no Share menu), and hands it
// back once, as Shift-Tab from its Share button does.
type fakePage struct {
	share         bool // the page has a Share menu on show
	has, giveBack bool
	asked         int
}

func (p *fakePage) takeFocus() bool {
	p.asked++
	p.has = p.share
	return p.share
}

func (p *fakePage) gaveBack() bool {
	b := p.giveBack
	if b {
		p.has, p.giveBack = false, false
	}
	return b
}

// TestTabReachesThePage: past the last thing in the canvas (the
// console's input), Tab hands the keyboard to the page's Share menu and
// the town shows no ring; Shift-Tab there brings it back to the last
// thing; the next Tab from outside starts at the first plot. With no page
// (a window) or a page without its Share menu, Tab wraps round as before.
func TestTabReachesThePage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		page   *fakePage
		toPage bool
	}{
		{name: "browser", page: &fakePage{share: true}, toPage: true},
		{name: "page without a Share menu", page: &fakePage{}},
		{name: "window"},
	} {
		g := newTown(t, "hello-tcp")
		stepUntil(t, g, 10)
		settle(g)
		if tc.page != nil {
			g.hook.page = tc.page
		}
		g.moveFocus(-1) // from nowhere to the last thing
		if f := g.State().Focus; f.Kind != "input" {
			t.Fatalf("%s: Shift-Tab from nowhere is on %+v, want the console's input", tc.name, f)
		}
		g.moveFocus(1)
		f := g.State().Focus
		switch {
		case tc.toPage && (f.Kind != "" || !tc.page.has || g.w.input.IsFocused()):
			t.Fatalf("%s: Tab past the last thing: ring on %+v, page has the keyboard %v, console typing %v; want the page's Share menu, no ring",
				tc.name, f, tc.page.has, g.w.input.IsFocused())
		case !tc.toPage && f.Kind != "plot":
			t.Fatalf("%s: Tab past the last thing is on %+v, want round to the first plot", tc.name, f)
		}
		if !tc.toPage {
			continue
		}
		tc.page.giveBack = true // Shift-Tab on the Share button
		if !g.keyboard() {
			t.Errorf("%s: the keyboard did not take the page's handing back", tc.name)
		}
		if f := g.State().Focus; f.Kind != "input" || tc.page.has {
			t.Errorf("%s: Shift-Tab from the page: ring on %+v, the page keeps the keyboard %v; want the console's input", tc.name, f, tc.page.has)
		}
		g.clearFocus() // as if the page had it again and Tab came in
		g.moveFocus(1)
		if f := g.State().Focus; f.Kind != "plot" {
			t.Errorf("%s: Tab into the canvas is on %+v, want the first plot", tc.name, f)
		}
		if tc.page.asked != 1 {
			t.Errorf("%s: the page was asked for the focus %d times, want once", tc.name, tc.page.asked)
		}
		g.clearFocus()
	}
}
