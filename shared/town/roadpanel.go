package town

import (
	"image"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/sock"
)

// roadPanel is a road (a link between two plots, or a plot and a
// switch): what its settings mean, and a slider for each, whose every
// change is a link line in the console.
type roadPanel struct {
	link string // the link's name
	a, b string // the names at its ends
}

func (p roadPanel) title(*Game) string { return "Road " + p.link + ": slide to change the link" }

func (p roadPanel) build(g *Game, _, actions *widget.Container) { p.editor(g, actions) }

// update builds the sliders again when the link changed from elsewhere
// (a link line typed in the console).
func (p roadPanel) update(g *Game) (panel, bool) {
	l, ok := p.linkState(g)
	return p, ok && l.Config != g.w.roadCfg
}

func (roadPanel) look(g *Game) panelLook {
	return panelLook{gen: g.player.SnapshotGen(), events: g.player.Animation().Events()}
}

func (roadPanel) state(_ *Game, s *State) { s.Selected = "road" }

// roadShown is the road panel on show, if a road's is.
func (g *Game) roadShown() (roadPanel, bool) {
	p, ok := g.panel.(roadPanel)
	return p, ok
}

func (p roadPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	desc, _ := g.linkConfig(p.link)
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(10))
	g.text(dst, desc, x, y, 14*g.scale, colText, false, alignLeft)
	y += 28 * g.scale
	for _, l := range []string{
		"delay: how long a packet takes to cross, one way",
		"rate: how fast bits go onto the road; a full",
		"  queue drops what comes next (unlimited: none)",
		"loss, dup, reorder, corrupt: the chance that each",
		"  packet vanishes, arrives twice, is overtaken,",
		"  or has one bit flipped",
		"mtu: the largest packet the road carries",
		"",
		"Each change is a shell line in the console, so a",
		"scenario can replay it. Letters already on the",
		"road keep the properties they left with.",
	} {
		g.text(dst, l, x, y, 13*g.scale, colDim, false, alignLeft)
		y += 18 * g.scale
	}
}

// link is the road's link as it is now.
func (p roadPanel) linkState(g *Game) (sock.LinkState, bool) {
	for _, l := range g.player.Snapshot().Links {
		if l.Name == p.link {
			return l, true
		}
	}
	return sock.LinkState{}, false
}

// roadEditor puts a slider for each knob in the panel. Dragging shows the
// value; letting go (or a click on the track) runs the link line, once.
func (p roadPanel) editor(g *Game, actions *widget.Container) {
	w := g.w
	l, ok := p.linkState(g)
	if !ok {
		return
	}
	w.roadCfg = l.Config
	grid := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewGridLayout(
		widget.GridLayoutOpts.Columns(3),
		widget.GridLayoutOpts.Spacing(g.px(8), g.px(6)),
		widget.GridLayoutOpts.Stretch([]bool{false, true, false}, nil),
	)))
	for _, k := range knobs {
		at := k.stop(k.get(l.Config))
		value := widget.NewText(widget.TextOpts.Text(k.show(k.values[at]), g.fonts.faceRef(13*g.scale), colText),
			widget.TextOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(80), 0)))
		grid.AddChild(widget.NewText(widget.TextOpts.Text(k.key, g.fonts.faceRef(13*g.scale), colDim),
			widget.TextOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(60), 0))))
		slider := widget.NewSlider(
			widget.SliderOpts.Direction(widget.DirectionHorizontal),
			widget.SliderOpts.MinMax(0, len(k.values)-1),
			widget.SliderOpts.InitialCurrent(at),
			widget.SliderOpts.PageSizeFunc(func() int { return 1 }),
			widget.SliderOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(160), g.px(20))),
			widget.SliderOpts.ChangedHandler(func(e *widget.SliderChangedEventArgs) {
				value.Label = k.show(k.values[e.Current])
				if !e.Dragging && e.Current != k.stop(k.get(w.roadCfg)) {
					g.exec(k.line(l.A, l.B, e.Current))
				}
			}),
		)
		w.sliderNames[slider] = k.key
		grid.AddChild(slider)
		grid.AddChild(value)
	}
	actions.AddChild(grid)
}
