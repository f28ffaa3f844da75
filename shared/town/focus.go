package town

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/town/layout"
)

// The keyboard's focus: one thing at a time carries a ring, a town thing
// (a plot, a house, a door, a road, a letter) or a widget (the panel's
// buttons and fields, the top bar's buttons, the console's input). Tab and
// Shift-Tab move it, Enter opens the thing or presses the button, Esc
// backs out (keyboard.go). Town things are named by what they show, so the
// ring stays on a door while the town is laid out again; widgets by their
// place in the panel, so it stays on a button while the panel is rebuilt.

// focusState is where the ring is.
type focusState struct {
	// id names a town thing ("door a 7", "plot a", "house a/app", "road
	// a-b", "letter 12"); "" when the ring is on a widget or nowhere.
	id string
	// w is the widget with the ring, and at its place in the list of
	// widgets, for when the panel is built again under it.
	w  widget.PreferredSizeLocateableWidget
	at int
	// from is the town thing whose panel the ring went into: Esc takes
	// it back there.
	from string
}

// FocusState is where the keyboard's focus ring is, for tests: the kind
// of thing ("plot", "house", "door", "road", "letter", "button", "input",
// "picker"),
// what it says, and where it is drawn; Kind "" for nowhere.
type FocusState struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Box   Box    `json:"box"`
}

// target is a thing the ring can be on.
type target struct {
	id    string // a town thing's, "" for a widget
	w     widget.PreferredSizeLocateableWidget
	kind  string
	label string
	box   image.Rectangle // device pixels
	open  func()          // Enter on a town thing
	panel bool            // a widget of the panel's
}

// townTargets are the town's things in reading order: each plot, its
// houses and their doors, the kernel's doors; then the roads; then the
// letters on them.
func (g *Game) townTargets() []target {
	var out []target
	rect := func(r layout.Rect) image.Rectangle {
		x, y, w, h := g.cam.rect(r)
		return image.Rect(int(x), int(y), int(x+w), int(y+h))
	}
	door := func(d layout.Door) target {
		return target{id: fmt.Sprintf("door %s %d", d.Key.Host, d.Key.ID), kind: "door", label: doorTitle(d), box: rect(d.Rect),
			open: func() { g.open(doorPanel{key: d.Key, tab: tabDoor}); g.revealDoor(d) }}
	}
	for _, p := range g.lay.Plots {
		out = append(out, target{id: "plot " + p.Host, kind: "plot", label: strings.TrimSpace(p.Host + " " + p.Sign), box: rect(p.Rect),
			open: func() { g.open(plotPanel{host: p.Host}) }})
		for _, h := range p.Houses {
			out = append(out, target{id: "house " + p.Host + "/" + h.Proc, kind: "house", label: p.Host + "/" + h.Proc, box: rect(houseBox(h)),
				open: func() { g.open(housePanel{host: p.Host, proc: h.Proc}) }})
			for _, d := range h.Doors {
				out = append(out, door(d))
			}
		}
		for _, d := range p.Orphans {
			out = append(out, door(d))
		}
	}
	for _, r := range g.lay.Roads {
		b := image.Rectangle{}
		for i, pt := range r.Points {
			x, y := g.cam.pt(pt)
			p := image.Rect(int(x)-4, int(y)-4, int(x)+4, int(y)+4)
			if i == 0 {
				b = p
			}
			b = b.Union(p)
		}
		out = append(out, target{id: "road " + r.Link, kind: "road", label: "road " + r.Link, box: b,
			open: func() { g.open(roadPanel{link: r.Link, a: r.A, b: r.B}) }})
	}
	for _, l := range g.player.Animation().Letters {
		pt, ok := g.letterPoint(l)
		if !ok {
			continue
		}
		x, y := g.cam.pt(pt)
		w, h := letterW*g.cam.zoom, letterH*g.cam.zoom
		out = append(out, target{id: fmt.Sprintf("letter %d", l.ID), kind: "letter", label: l.Label,
			box:  image.Rect(int(x-w/2), int(y-h/2), int(x+w/2), int(y+h/2)),
			open: func() { g.open(newLetterPanel(l)) }})
	}
	return out
}

// widgetTargets are the widgets the ring can be on: the panel's (its
// tabs, call buttons and fields) first, then the rest of the screen's (the
// top bar's buttons, the console's input). A disabled button is passed
// over, as one on a closed drawer is; a door's greyed call is not
// disabled, and the ring lands on it to say why it is refused.
func (g *Game) widgetTargets() []target {
	var panel, rest []target
	var walk func(w widget.PreferredSizeLocateableWidget, inPanel bool)
	walk = func(w widget.PreferredSizeLocateableWidget, inPanel bool) {
		if !w.GetWidget().IsVisible() {
			return
		}
		inPanel = inPanel || w == widget.PreferredSizeLocateableWidget(g.w.panelCol)
		add := func(t target) {
			t.panel = inPanel
			if inPanel {
				panel = append(panel, t)
			} else {
				rest = append(rest, t)
			}
		}
		switch w := w.(type) {
		case *widget.Button:
			if !w.GetWidget().Disabled {
				add(target{w: w, kind: "button", label: w.Text().Label, box: w.GetWidget().Rect})
			}
		case *widget.TextInput:
			if !w.GetWidget().Disabled {
				add(target{w: w, kind: "input", label: w.GetText(), box: w.GetWidget().Rect})
			}
		case *widget.ListComboButton:
			// The scenario picker: Enter opens its list, the up and
			// down arrows go through the stories (keyboard.go).
			add(target{w: w, kind: "picker", label: g.player.Name(), box: w.GetWidget().Rect})
		case *widget.Container:
			for _, c := range w.Children() {
				walk(c, inPanel)
			}
		}
	}
	walk(g.ui.Container, false)
	return append(panel, rest...)
}

// focusTargets are every target, town things first.
func (g *Game) focusTargets() []target {
	return append(g.townTargets(), g.widgetTargets()...)
}

// focused is the target with the ring, and its index in ts; -1 for none.
// A widget rebuilt away leaves the ring on the widget now at its place.
func (g *Game) focused(ts []target) int {
	f := &g.focus
	if f.id == "" && f.w == nil {
		return -1
	}
	for i, t := range ts {
		if f.id != "" && t.id == f.id || f.w != nil && t.w == f.w {
			return i
		}
	}
	if f.w == nil {
		return -1 // the thing is gone
	}
	ws := g.widgetTargets()
	if len(ws) == 0 {
		return -1
	}
	f.w = ws[min(f.at, len(ws)-1)].w
	for i, t := range ts {
		if t.w == f.w {
			return i
		}
	}
	return -1
}

// ringShown reports a ring put somewhere by Tab (it may be on a thing
// gone since).
func (g *Game) ringShown() bool { return g.focus.id != "" || g.focus.w != nil }

// focusOn puts the ring on t, giving a text input the keyboard and taking
// it from the one that had it.
func (g *Game) focusOn(t target) {
	// Whatever field had the keyboard (the ring's, or the console's
	// clicked into) gives it up, unless the ring goes to it.
	for _, in := range g.textInputs() {
		if in.IsFocused() && widget.PreferredSizeLocateableWidget(in) != t.w {
			in.Focus(false)
		}
	}
	g.focus.id, g.focus.w = t.id, t.w
	if t.w != nil {
		for i, w := range g.widgetTargets() {
			if w.w == t.w {
				g.focus.at = i
			}
		}
	}
	if in, ok := t.w.(*widget.TextInput); ok {
		in.Focus(true)
		in.CursorMoveEnd()
	}
	g.refreshWhy() // a greyed call with the ring says why at once
}

// textInputs are the fields on screen: the console's and the form's.
func (g *Game) textInputs() []*widget.TextInput {
	out := []*widget.TextInput{g.w.input}
	for _, in := range g.forms.inputs {
		out = append(out, in)
	}
	return out
}

// clearFocus takes the ring away.
func (g *Game) clearFocus() {
	if in, ok := g.focus.w.(*widget.TextInput); ok {
		in.Focus(false)
	}
	g.focus = focusState{}
	g.refreshWhy()
}

// focusState says where the ring is, for State.
func (g *Game) focusedState() FocusState {
	if !g.ringShown() {
		return FocusState{}
	}
	ts := g.focusTargets()
	i := g.focused(ts)
	if i < 0 {
		return FocusState{}
	}
	return FocusState{Kind: ts[i].kind, Label: ts[i].label, Box: g.cssRect(ts[i].box)}
}

// drawFocus draws the ring round the focused thing: a light band with a
// dark one inside, seen on the grass, the road and the panel alike, and a
// shape that needs no colour to be told.
func (g *Game) drawFocus(dst *ebiten.Image, town bool) {
	if !g.ringShown() {
		return // the usual case: no one has pressed Tab
	}
	ts := g.focusTargets()
	i := g.focused(ts)
	if i < 0 || (ts[i].id != "") != town {
		return
	}
	if town {
		sub, ok := dst.SubImage(g.townRect()).(*ebiten.Image)
		if !ok {
			return
		}
		dst = sub
	}
	r := g.ringRect(ts[i])
	x, y, w, h := float64(r.Min.X), float64(r.Min.Y), float64(r.Dx()), float64(r.Dy())
	strokeRect(dst, x, y, w, h, 3*g.scale, colFocus)
	strokeRect(dst, x+3*g.scale, y+3*g.scale, w-6*g.scale, h-6*g.scale, 1.5*g.scale, colInk)
}

// ringRect is the outer edge of the ring round t: a little outside its
// box and, for a town thing, out round its own words the ring would
// otherwise run through (a door's port over it, its peer's address and
// state under it: words centred over the thing), so that they stay
// readable inside it. A neighbour's words it may still cross are drawn over the ring
// (drawTown), and taking them in would ring the wrong thing.
func (g *Game) ringRect(t target) image.Rectangle {
	r := t.box.Inset(-g.px(4))
	if t.id == "" {
		return r // a widget's ring: in the panel, among no town words
	}
	band := ringBand(g.scale)
	// A word taken in may bring the ring onto the next one down the
	// thing's column (its peer, then its state): a few rounds, no more.
	for range 4 {
		grown := r
		for _, l := range g.labels {
			b := l.rect()
			cx := (b.Min.X + b.Max.X) / 2
			own := cx >= t.box.Min.X && cx <= t.box.Max.X
			if l.prio == prioFixed || !own || !b.Overlaps(r.Inset(-band)) || b.In(r.Inset(band)) {
				continue
			}
			grown = grown.Union(b.Inset(-band - g.px(2)))
		}
		if grown == r {
			break
		}
		r = grown
	}
	return r
}

// ringBand is how deep the ring's two strokes reach in from its edge.
func ringBand(scale float64) int { return int(math.Ceil(5 * scale)) }

// rect is the label's box in whole device pixels, round it.
func (l label) rect() image.Rectangle {
	return image.Rect(int(math.Floor(l.box.x)), int(math.Floor(l.box.y)), int(math.Ceil(l.box.x+l.box.w)), int(math.Ceil(l.box.y+l.box.h)))
}
