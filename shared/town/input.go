package town

import (
	"image"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"socketville/shared/town/play"
)

// scrolling is how far the scrollable parts are scrolled: the console
// back from its newest line, the inspector's dump by rows and its field
// list by fields. The inspector's are clamped where they are drawn.
type scrolling struct {
	console, dump, fields int
	help                  int // the help's first row shown
	consoleAdded          int // the console's line count the last frame
}

// follow keeps a scrolled-back console on the lines it shows as new ones
// come in below.
func (s *scrolling) follow(c *play.Console) {
	if s.console > 0 {
		s.console = min(s.console+c.Added()-s.consoleAdded, max(len(c.Lines)-1, 0))
	}
	s.consoleAdded = c.Added()
}

// pageKeys scroll the console a page at a time, typing or not: PageUp
// back, PageDown forward, End to the newest line; unless the panel on
// show takes them while the console is not typed in (the timeline).
func (g *Game) pageKeys() {
	if k, ok := g.shown().(keyer); ok && !g.w.input.IsFocused() && k.keys(g) {
		return // the panel's: the timeline scrubs with them
	}
	page := max(g.consoleRows()-1, 1)
	last := max(len(g.player.Console().Lines)-1, 0)
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeyPageUp):
		g.scroll.console = min(g.scroll.console+page, last)
	case inpututil.IsKeyJustPressed(ebiten.KeyPageDown):
		g.scroll.console = max(g.scroll.console-page, 0)
	case inpututil.IsKeyJustPressed(ebiten.KeyEnd) && !g.w.input.IsFocused():
		g.scroll.console = 0
	}
}

// wheel scrolls what is under the mouse: the console, or the panel
// (the byte inspector's dump or field list, the lesson list).
func (g *Game) wheel() {
	steps := wheelSteps()
	if steps == 0 {
		return
	}
	x, y := ebiten.CursorPosition()
	pt := image.Point{X: x, Y: y}
	switch {
	case pt.In(g.w.logArea.GetWidget().Rect):
		g.scroll.console = min(max(g.scroll.console+3*steps, 0), max(len(g.player.Console().Lines)-1, 0))
	case g.panelShown() && pt.In(g.panelRect()): // its rows too: the lesson list's are buttons
		if wh, ok := g.shown().(wheeler); ok {
			wh.wheel(g, steps, pt)
		}
	}
}

// wheelSteps is which way the wheel turned this frame: 1 up, -1 down, 0
// not at all. One step a frame whatever the amount: a desktop wheel says
// 1 a notch, a browser 100 (pixels), a trackpad many small amounts.
func wheelSteps() int {
	_, dy := ebiten.Wheel()
	switch {
	case dy > 0:
		return 1
	case dy < 0:
		return -1
	}
	return 0
}
