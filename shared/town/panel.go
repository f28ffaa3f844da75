package town

import (
	"image"
	"time"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
)

// A panel is one thing the learner can open beside the town (or, in a
// narrow window, in the drawer over it): the help, a door with its Door,
// Layers and Bytes pages, a letter, a road, a plot. Each is a value of
// its own type in a file of its own; the Game holds the one on show and
// asks it, never a selection kind, what to title, build, draw and tell
// the tests, so adding a panel is adding a file.
//
// A panel value is comparable (no slices or maps in it; what it must
// keep between frames it keeps behind a pointer): the Game tells by ==
// that the learner opened another panel, or the same one on another page,
// and the redraw planner that the screen must be drawn again.
type panel interface {
	// title is the panel's heading.
	title(g *Game) string
	// build puts the panel's tabs and buttons into the two rows above
	// its area, which are empty when it is called.
	build(g *Game, tabs, actions *widget.Container)
	// draw draws the panel's pictures into area; dst is clipped to it.
	draw(g *Game, dst *ebiten.Image, area image.Rectangle)
	// update runs every frame: it returns the panel to show now (this
	// one; or nil when what it shows is gone, for the help) and whether
	// the panel's widgets must be built again (its title moved on).
	update(g *Game) (next panel, rebuild bool)
	// look is what the picture is drawn from beyond the widgets and the
	// panel's own value: a change draws the screen again.
	look(g *Game) panelLook
	// state says what the panel shows, into s: for tests.
	state(g *Game, s *State)
}

// panelLook is what a panel's picture changes with: the snapshot and the
// events (a door's state and last packet, a road's settings), and the
// wall clock while it animates (the cut-away's letter, a state diagram's
// glowing arrow). Zero fields change nothing.
type panelLook struct {
	gen, events int
	wall        time.Duration
	// of is anything else the picture is drawn from (a filter, a
	// scroll), comparable.
	of any
}

// A wheeler is a panel that scrolls with the mouse wheel over its area.
type wheeler interface {
	wheel(g *Game, steps int, pt image.Point)
}

// A clicker is a panel that answers a click in its area (the widgets in
// the rows above it answer their own).
type clicker interface {
	click(g *Game, pt image.Point)
}

// A keyer is a panel that takes keys while it is on show and the console
// has not the keyboard: it reports whether it took the frame's key.
type keyer interface {
	keys(g *Game) bool
}

// shown is the panel on show: the help until the learner opens another.
func (g *Game) shown() panel {
	if g.panel == nil {
		return helpPanel{}
	}
	return g.panel
}

// open shows p in the panel.
func (g *Game) open(p panel) {
	g.panel = p
	g.rebuildPanel()
}

// selectNothing shows the help, and shuts the drawer.
func (g *Game) selectNothing() {
	g.panel, g.helpOpen = helpPanel{}, false
	g.rebuildPanel()
}

// drawPanel draws the panel's ground and its pictures into its area.
func (g *Game) drawPanel(dst *ebiten.Image) {
	if !g.panelShown() {
		return
	}
	col := g.w.panelCol.GetWidget().Rect
	fillRect(dst, float64(col.Min.X), float64(col.Min.Y), float64(col.Dx()), float64(col.Dy()), colPanel)
	line(dst, float64(col.Min.X), float64(col.Min.Y), float64(col.Min.X), float64(col.Max.Y), 1, colPanelEdge)
	area := g.w.panelArea.GetWidget().Rect
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return
	}
	sub, ok := dst.SubImage(area).(*ebiten.Image)
	if !ok {
		return
	}
	g.shown().draw(g, sub, area)
}

// rebuildPanel sets the panel's title, tabs and action buttons for the
// panel on show. Every action button runs a shell line.
func (g *Game) rebuildPanel() {
	w := g.w
	if w == nil || w.tabs == nil {
		return
	}
	p := g.shown()
	if w.panelFor == nil || subject(p) != subject(w.panelFor) {
		g.scroll.dump, g.scroll.fields = 0, 0
	}
	w.panelFor = p
	w.tabs.RemoveChildren()
	w.actions.RemoveChildren()
	defer g.syncDrawer()
	if _, help := p.(helpPanel); !help {
		g.helpOpen = false // the panel shows the selection now
	}
	if g.drawerOpen() {
		w.tabs.AddChild(g.button("Close panel", g.selectNothing))
	}
	w.title.Label = p.title(g)
	p.build(g, w.tabs, w.actions)
	g.relayOut()
}

// relayOut lays the widgets out again at once after the panel's rows
// changed (a page with more or fewer buttons): else this frame would draw
// the panel's pictures in the area the last layout gave it, and the
// state would say so, until the widgets' own drawing laid them out.
func (g *Game) relayOut() {
	if g.ui == nil || g.width == 0 {
		return // not built yet: the first frame lays it out
	}
	g.ui.Container.RequestRelayout()
	g.laidOut.root = nil
	g.layOut()
}

// refreshPanel asks the panel on show whether it moved on, each frame,
// and builds its widgets again when it did.
func (g *Game) refreshPanel() {
	next, rebuild := g.shown().update(g)
	if next == nil {
		next, rebuild = helpPanel{}, true // what it showed is gone
	}
	g.panel = next
	if rebuild || next != g.w.panelFor {
		g.rebuildPanel()
	}
}

// tabButton adds a page's button to tabs, bracketed when it is the page
// on show; a click shows the panel that page gives.
func (g *Game) tabButton(tabs *widget.Container, label string, on bool, to panel) {
	if on {
		label = "[" + label + "]"
	}
	tabs.AddChild(g.button(label, func() { g.open(to) }))
}
