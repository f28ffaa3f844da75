package town

import (
	"fmt"
	"image"
	"math"
	"strings"

	eimage "github.com/ebitenui/ebitenui/image"
	"github.com/ebitenui/ebitenui/widget"

	"socketville/shared/town/layout"
)

// In a narrow window (a phone, half a classroom screen) a panel beside the
// town would leave the town a sliver. There the panel is a drawer over
// the town instead: closed at first, so the town has the whole width; open
// while a door, a letter or a road is selected; shut by its Close button,
// by Esc, or by a click on open ground.

// drawerWidth is the window width, in CSS pixels, below which the panel
// is a drawer: below it a side panel of 330 to 470 px would leave the
// town too narrow to read. At 1024x768, a classroom projector's size, the
// town beside the panel was 554 px wide and a three-plot town's door words
// 6 px high; as a drawer the town has the whole width at a readable zoom
// (readableZoom). At 1280 and wider the panel stays beside the town, with
// the help in it.
const drawerWidth = 1200

// isDrawer reports whether a window of this many device pixels across, at
// this scale, shows the panel as a drawer.
func isDrawer(width int, scale float64) bool { return float64(width) < drawerWidth*scale }

// drawerOpen reports whether the panel is on screen as an open drawer:
// showing the selection, or the help its button asked for.
func (g *Game) drawerOpen() bool {
	_, help := g.shown().(helpPanel)
	return g.drawer && (!help || g.helpOpen)
}

// openHelp opens the drawer on the help, which a side panel shows while
// nothing is selected.
func (g *Game) openHelp() {
	g.panel, g.helpOpen = helpPanel{}, true
	g.rebuildPanel()
}

// panelShown reports whether the panel is on screen: always beside the
// town, or as an open drawer.
func (g *Game) panelShown() bool { return !g.drawer || g.drawerOpen() }

// middle is the row under the top bar: the town beside the panel, or in
// a narrow window the town with the panel over its right-hand side.
func (g *Game) middle() *widget.Container {
	w := g.w
	w.townArea = widget.NewContainer()
	if !g.drawer {
		m := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewGridLayout(
			widget.GridLayoutOpts.Columns(2),
			widget.GridLayoutOpts.Stretch([]bool{true, false}, []bool{true}),
		)))
		m.AddChild(w.townArea)
		m.AddChild(g.panelColumn())
		return m
	}
	m := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewAnchorLayout()))
	w.townArea.GetWidget().LayoutData = widget.AnchorLayoutData{StretchHorizontal: true, StretchVertical: true}
	m.AddChild(w.townArea)
	col := g.panelColumn()
	col.GetWidget().LayoutData = widget.AnchorLayoutData{HorizontalPosition: widget.AnchorLayoutPositionEnd, StretchVertical: true}
	m.AddChild(col)
	g.syncDrawer()
	return m
}

// syncDrawer shows or hides the drawer as the selection says.
func (g *Game) syncDrawer() {
	if !g.drawer || g.w == nil || g.w.panelCol == nil {
		return
	}
	v := widget.Visibility_Hide
	if g.drawerOpen() {
		v = widget.Visibility_Show
	}
	g.w.panelCol.GetWidget().SetVisibility(v)
}

// overTown reports whether a screen point is on the town where a click
// or the wheel reaches it: not under an open drawer.
func (g *Game) overTown(pt image.Point) bool {
	if !pt.In(g.townRect()) {
		return false
	}
	return !g.drawerOpen() || !pt.In(g.w.panelCol.GetWidget().Rect)
}

// panelRect is where the panel is drawn, or an empty rectangle while it
// is a closed drawer.
func (g *Game) panelRect() image.Rectangle {
	if !g.panelShown() {
		return image.Rectangle{}
	}
	return g.w.panelCol.GetWidget().Rect
}

// readableZoom is the least zoom at which the town's smallest labels (10
// units) are 11 CSS pixels: in a narrow window the town is never shown
// smaller, and a drag shows the rest of it. A wide window fits the whole
// town, as a projector wants.
func (g *Game) readableZoom() float64 {
	if !g.drawer {
		return 0
	}
	return 1.1 * g.scale
}

// floorCamera shows the town at zoom: centred along an axis where it
// fits; else centred on the town point at (where the action is), but
// never past the town's ends; else, with no such point, from its start
// (the first plot, top left), so the first screen shows whole houses
// rather than the gaps between them.
func floorCamera(bounds layout.Rect, area image.Rectangle, zoom float64, at *layout.Point) camera {
	const margin = 20
	place := func(lo, hi, areaLo, areaLen float64, f *float64) float64 {
		if (hi-lo)*zoom <= areaLen {
			return areaLo + (areaLen-(hi-lo)*zoom)/2 - lo*zoom
		}
		start := areaLo + margin*zoom - lo*zoom         // the town's start at the area's
		end := areaLo + areaLen - margin*zoom - hi*zoom // its end at the area's
		if f == nil {
			return start
		}
		return min(max(areaLo+areaLen/2-*f*zoom, end), start)
	}
	var fx, fy *float64
	if at != nil {
		fx, fy = &at.X, &at.Y
	}
	return camera{
		zoom: zoom,
		offX: place(bounds.Min.X, bounds.Max.X, float64(area.Min.X), float64(area.Dx()), fx),
		offY: place(bounds.Min.Y, bounds.Max.Y, float64(area.Min.Y), float64(area.Dy()), fy),
	}
}

// followAction points a narrow town's view at where the action is: the
// door selected, else the letter selected, else the letters on the roads
// (the middle of them), else the house whose line the story is carrying
// out; when there is none it stays where the last was. The view glides
// there rather than jumps. A view the learner zoomed or dragged is
// theirs: it is left alone.
func (g *Game) followAction() {
	v := &g.view
	if v.free || v.minZoom == 0 {
		return
	}
	if p, ok := g.actionPoint(); ok {
		v.focus, v.hasFocus = p, true
	}
	if !v.hasFocus {
		return
	}
	if !v.hasShown {
		v.shown, v.hasShown = v.focus, true
		return
	}
	const glide = 0.15 // of the way there, each frame
	dx, dy := v.focus.X-v.shown.X, v.focus.Y-v.shown.Y
	if math.Abs(dx) < 0.5 && math.Abs(dy) < 0.5 {
		v.shown = v.focus
		return
	}
	v.shown.X += dx * glide
	v.shown.Y += dy * glide
}

// actionPoint is the town point followAction centres a narrow town on.
func (g *Game) actionPoint() (layout.Point, bool) {
	centre := func(r layout.Rect) layout.Point {
		return layout.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
	}
	if p, ok := g.doorShown(); ok {
		if d, ok := g.lay.Door(p.key); ok {
			return centre(d.Rect), true
		}
	}
	var sum layout.Point
	n := 0
	for _, l := range g.player.Animation().Letters {
		p, ok := g.letterPoint(l)
		if !ok {
			continue
		}
		if lp, ok := g.letterShown(); ok && l.ID == lp.id {
			return p, true
		}
		sum.X, sum.Y, n = sum.X+p.X, sum.Y+p.Y, n+1
	}
	if n > 0 {
		return layout.Point{X: sum.X / float64(n), Y: sum.Y / float64(n)}, true
	}
	// No letter: the house of the story's line being carried out
	// ("b/web: listen 3 16": b's web), or its plot.
	lines := strings.Split(g.player.Source(), "\n")
	n = g.player.CurrentLine()
	if n < 1 || n > len(lines) {
		return layout.Point{}, false
	}
	f := strings.Fields(lines[n-1])
	if len(f) == 0 || !strings.HasSuffix(f[0], ":") {
		return layout.Point{}, false
	}
	host, proc, ok := strings.Cut(strings.TrimSuffix(f[0], ":"), "/")
	if !ok {
		return layout.Point{}, false
	}
	for _, p := range g.lay.Plots {
		if p.Host != host {
			continue
		}
		for _, h := range p.Houses {
			if h.Proc == proc {
				return centre(h.Rect), true
			}
		}
		return centre(p.Rect), true
	}
	return layout.Point{}, false
}

// moreTownLabels mark the edges of the town area beyond which the town
// goes on, so a learner on a small screen knows to drag. They are labels
// (labels.go), placed right after the status line and the captions: just
// above the caption band, or higher where a caption's line or another
// badge is in the way, so they never cover the keys' hint or a caption.
func (g *Game) moreTownLabels(area image.Rectangle) []label {
	if !g.drawer || area.Dx() <= 0 {
		return nil
	}
	x0, _ := g.cam.pt(g.lay.Bounds.Min)
	x1, _ := g.cam.pt(g.lay.Bounds.Max)
	size, pad := 12*g.scale, 4*g.scale
	// Its box's bottom just above the band: the text's height, the
	// margin round it and a gap.
	m := g.fonts.face(size, false).Metrics()
	y := float64(g.fitIn(area).Max.Y) - m.HAscent - m.HDescent - pad - 4*g.scale
	var up []image.Point
	for i := 1; i <= 6; i++ {
		up = append(up, image.Point{Y: -int(float64(i) * 12 * g.scale)})
	}
	badge := func(s string, x float64, a align) label {
		return label{kind: "more", text: s, x: x, y: y, size: size, a: a, c: colText, bg: colStatusStrip, pad: pad, prio: prioBadge, moves: up}
	}
	var out []label
	if x0 < float64(area.Min.X)-1 {
		out = append(out, badge("< "+g.hostsBeyond(area, -1)+" · drag", float64(area.Min.X)+8*g.scale, alignLeft))
	}
	if x1 > float64(area.Max.X)+1 {
		out = append(out, badge("drag · "+g.hostsBeyond(area, +1)+" >", float64(area.Max.X)-8*g.scale, alignRight))
	}
	return out
}

// hostsBeyond names the plots the town area cuts off on one side (side
// -1: the left, +1: the right): "b", "b, c", "b and 3 more", or "more
// town" where no whole plot is cut, so a badge says what a drag shows.
func (g *Game) hostsBeyond(area image.Rectangle, side int) string {
	var names []string
	for _, p := range g.lay.Plots {
		x, _, w, _ := g.cam.rect(p.Rect)
		if side < 0 && x < float64(area.Min.X)-1 || side > 0 && x+w > float64(area.Max.X)+1 {
			names = append(names, p.Host)
		}
	}
	switch {
	case len(names) == 0:
		return "more town"
	case len(names) <= 2:
		return "host " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("host %s and %d more", names[0], len(names)-1)
}

// barRows holds the top bar, and in a narrow window the rows that
// fitBar moves its overflowing controls to.
func (g *Game) barRows(bar *widget.Container) *widget.Container {
	rows := widget.NewContainer(
		widget.ContainerOpts.BackgroundImage(eimage.NewNineSliceColor(colPanel)),
		widget.ContainerOpts.Layout(widget.NewRowLayout(widget.RowLayoutOpts.Direction(widget.DirectionVertical))),
	)
	rows.AddChild(bar)
	return rows
}

// fitBar gives a narrow window's top bar a Help button (the drawer's way
// to the help) and moves the controls that would be cut off at the
// window's edge to further rows, in their order. It needs the widgets
// themed (validated) to know their sizes.
func (g *Game) fitBar(root, rows, bar *widget.Container) {
	if !g.drawer {
		return
	}
	// Last, a way to the help that a side panel shows when nothing is
	// selected.
	bar.AddChild(g.button("Help", g.openHelp))
	root.GetWidget().SetTheme(g.ui.PrimaryTheme)
	root.Validate()
	room := g.width - g.px(16) // the rows' padding
	var row *widget.Container
	used := 0
	// A copy: moving a child out of bar changes bar's own list.
	for _, k := range append([]widget.PreferredSizeLocateableWidget(nil), bar.Children()...) {
		w, _ := k.PreferredSize()
		if used > 0 && used+w > room {
			row, used = g.row(8), 0
			rows.AddChild(row)
		}
		if row != nil {
			bar.RemoveChild(k)
			row.AddChild(k)
		}
		used += w + g.px(8)
	}
}

// revealDoor pans the town, when a drawer opens over the door just
// selected, so that the door stands in the part of the town the drawer
// leaves uncovered, if that part is wide enough to show it.
func (g *Game) revealDoor(d layout.Door) {
	area := g.townRect()
	free := area
	free.Max.X = area.Max.X - g.px(g.panelWidth())
	if !g.drawer || free.Dx() < g.px(200) || g.cam.zoom <= 0 {
		return
	}
	x, _, w, _ := g.cam.rect(d.Rect)
	if x >= float64(free.Min.X) && x+w <= float64(free.Max.X) {
		return
	}
	g.view.hold(g.cam, area)
	g.view.center.X += (x + w/2 - float64(free.Min.X+free.Max.X)/2) / g.cam.zoom
}
