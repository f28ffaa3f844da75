package town

import (
	"image"
	"math"

	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// camera maps town units to screen pixels: screen = town*zoom + offset.
type camera struct{ zoom, offX, offY float64 }

// viewport is how the learner looks at the town. Until they zoom or pan
// it fits the whole town, following it as it grows; then it is theirs:
// zoom times closer than the fit, centred on center (in town units),
// until zooming all the way out or the F key gives the whole town back.
type viewport struct {
	free   bool
	zoom   float64
	center layout.Point
	// panning is set while a drag that started on open ground moves the
	// town; from is where the cursor was last frame.
	panning bool
	from    image.Point
	// minZoom, when set, is the least zoom (device pixels per unit) the
	// fitted view may have: a narrow window shows part of the town with
	// readable labels rather than all of it unreadably small.
	minZoom float64
	// focus is where the action is (Game.followAction), the town point
	// a fitted view too narrow for the whole town centres on; shown is
	// where it centres now, gliding towards focus frame by frame. Before
	// any action (hasFocus unset) it shows the town from its start.
	focus, shown       layout.Point
	hasFocus, hasShown bool
	// loaded is the console's generation (play.Console.Gen) the view was
	// set for: a scenario loaded or restarted since then gets the whole
	// town again, not the last story's pan and zoom.
	loaded int
}

// The view's limits: from the whole town to a door filling the screen.
const (
	maxZoom  = 40.0
	zoomStep = 1.25
)

// camera is the fitted camera with the learner's zoom and pan applied.
func (v viewport) camera(bounds layout.Rect, area image.Rectangle, scale float64) camera {
	c := fitCamera(bounds, area, scale)
	if c.zoom < v.minZoom {
		var at *layout.Point
		if v.hasShown {
			at = &v.shown
		}
		c = floorCamera(bounds, area, v.minZoom, at)
	}
	if !v.free {
		return c
	}
	c.zoom *= v.zoom
	cx, cy := float64(area.Min.X+area.Max.X)/2, float64(area.Min.Y+area.Max.Y)/2
	c.offX, c.offY = cx-v.center.X*c.zoom, cy-v.center.Y*c.zoom
	return c
}

// hold takes the view over from the fit, where it is now: centred on
// the town point in the middle of area under cam.
func (v *viewport) hold(cam camera, area image.Rectangle) {
	if !v.free {
		v.free, v.zoom = true, 1
		v.center = cam.toTown(float64(area.Min.X+area.Max.X)/2, float64(area.Min.Y+area.Max.Y)/2)
	}
}

// zoomAt zooms by steps (negative: out) keeping the town point under the
// screen point x, y where it is.
func (v *viewport) zoomAt(cam camera, bounds layout.Rect, area image.Rectangle, x, y float64, steps int) {
	p := cam.toTown(x, y)
	v.hold(cam, area)
	old := v.zoom
	v.zoom = math.Min(math.Max(v.zoom*math.Pow(zoomStep, float64(steps)), 1), maxZoom)
	if v.zoom == 1 && steps < 0 {
		*v = viewport{minZoom: v.minZoom, loaded: v.loaded} // all the way out: the whole town again
		return
	}
	// The new camera's zoom is cam.zoom*v.zoom/old; p stays under x, y.
	z := cam.zoom * v.zoom / old
	cx, cy := float64(area.Min.X+area.Max.X)/2, float64(area.Min.Y+area.Max.Y)/2
	v.center = layout.Point{X: p.X - (x-cx)/z, Y: p.Y - (y-cy)/z}
}

// followLoad gives the whole town back, as the F key does, when a
// scenario was loaded or restarted since the view was last set: the
// learner's pan and zoom were for the houses of the last story, and at
// a narrow window's readable zoom they could leave the new one's first
// plot out of sight.
func (g *Game) followLoad() {
	if gen := g.player.Console().Gen(); gen != g.view.loaded {
		g.view = viewport{minZoom: g.view.minZoom, loaded: gen}
	}
}

// fitCamera shows the whole town in area, centered, never larger than
// 1.5 device pixels per unit.
func fitCamera(bounds layout.Rect, area image.Rectangle, scale float64) camera {
	const margin = 40
	bw, bh := bounds.W()+2*margin, bounds.H()+2*margin
	aw, ah := float64(area.Dx()), float64(area.Dy())
	if bw <= 0 || bh <= 0 || aw <= 0 || ah <= 0 {
		return camera{zoom: scale, offX: float64(area.Min.X), offY: float64(area.Min.Y)}
	}
	z := math.Min(math.Min(aw/bw, ah/bh), 1.5*scale)
	c := camera{zoom: z}
	c.offX = float64(area.Min.X) + (aw-bounds.W()*z)/2 - bounds.Min.X*z
	c.offY = float64(area.Min.Y) + (ah-bounds.H()*z)/2 - bounds.Min.Y*z
	return c
}

func (c camera) pt(p layout.Point) (float64, float64) {
	return p.X*c.zoom + c.offX, p.Y*c.zoom + c.offY
}

func (c camera) rect(r layout.Rect) (x, y, w, h float64) {
	x, y = c.pt(r.Min)
	return x, y, r.W() * c.zoom, r.H() * c.zoom
}

func (c camera) toTown(x, y float64) layout.Point {
	if c.zoom == 0 {
		return layout.Point{}
	}
	return layout.Point{X: (x - c.offX) / c.zoom, Y: (y - c.offY) / c.zoom}
}

// townRect is where the town is drawn: the space the widgets leave.
func (g *Game) townRect() image.Rectangle { return g.w.townArea.GetWidget().Rect }

// letterPoint is where a letter is, in town units, and whether its road
// is on the map. It moves along the road's polyline by arc length, on
// its own side of the road, and a lost letter falls off that side into
// the street, never onto another plot. A letter slowed for a live kernel
// that has not left its door yet is nowhere.
func (g *Game) letterPoint(l *play.Letter) (layout.Point, bool) {
	r, ok := g.lay.Road(l.Link)
	if !ok {
		return g.doorLetterPoint(l) // a host's packet to itself: door to door
	}
	if !l.Departed(g.player.Wall()) {
		return layout.Point{}, false // a slowed letter waiting for the one before it
	}
	return r.Letter(l.From, l.Progress(g.player.Now(), g.player.Wall()), l.Fall(g.player.Wall())), true
}

// mouse handles the town under the mouse: a click selects a letter, a
// door or a road; a drag from open ground pans the view, the wheel zooms
// it (the panel and the console scroll with theirs instead).
func (g *Game) mouse() {
	x, y := pointerPosition()
	pt := image.Point{X: x, Y: y}
	over := g.overTown(pt)
	v := &g.view
	switch {
	case v.panning && pointerDown():
		if d := pt.Sub(v.from); d != (image.Point{}) && g.cam.zoom > 0 {
			v.hold(g.cam, g.townRect())
			v.center.X -= float64(d.X) / g.cam.zoom
			v.center.Y -= float64(d.Y) / g.cam.zoom
			v.from = pt
		}
	case v.panning:
		v.panning = false
	case pointerJustDown() && over:
		if !g.clickTown(float64(x), float64(y)) {
			v.panning, v.from = true, pt
		}
	case pointerJustDown() && pt.In(g.w.logArea.GetWidget().Rect):
		g.clickConsole(pt)
	case pointerJustDown() && g.panelShown() && pt.In(g.w.panelArea.GetWidget().Rect):
		if c, ok := g.shown().(clicker); ok {
			c.click(g, pt)
		}
	}
	if steps := wheelSteps(); steps != 0 && over {
		v.zoomAt(g.cam, g.lay.Bounds, g.fitRect(), float64(x), float64(y), steps)
	}
}

// clickTown selects what is under a screen point, and reports whether
// there was anything.
func (g *Game) clickTown(x, y float64) bool {
	pt := g.cam.toTown(x, y)
	if l := g.letterAt(pt); l != nil {
		g.open(newLetterPanel(l)) // its bytes kept after it lands
		return true
	}
	if d, ok := g.lay.DoorAt(pt); ok {
		g.open(doorPanel{key: d.Key, tab: tabDoor})
		g.revealDoor(d)
		return true
	}
	if host, proc, ok := g.houseAt(pt); ok {
		g.open(housePanel{host: host, proc: proc}) // its sockets (build_house.go)
		return false                               // still ground: a drag pans
	}
	if r, ok := g.lay.RoadAt(pt, 14); ok {
		g.open(roadPanel{link: r.Link, a: r.A, b: r.B})
		return true
	}
	for _, p := range g.lay.Plots {
		if p.Rect.Contains(pt) {
			// A plot's land (or a switch's yard) shows what the host or
			// switch knows below its sockets. It is still ground: a drag
			// from it pans the town, so this says there was nothing.
			g.open(plotPanel{host: p.Host})
			return false
		}
	}
	g.selectNothing()
	return false
}

func (g *Game) letterAt(pt layout.Point) *play.Letter {
	best, found := 16.0, (*play.Letter)(nil)
	for _, l := range g.player.Animation().Letters {
		p, ok := g.letterPoint(l)
		if !ok {
			continue
		}
		if d := math.Hypot(p.X-pt.X, p.Y-pt.Y); d < best {
			best, found = d, l
		}
	}
	return found
}
