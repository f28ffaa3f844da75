package town

import (
	"image"
	"image/color"
	"math"
	"sort"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// The town's words are placed in one pass before they are drawn: every
// label is listed with the box it would take, and placed in order of
// importance where it overlaps no label placed before it and lies inside
// the town. A label that finds no free place tries its other places, then
// its shorter form, and is left out rather than drawn over another or cut
// at the town's edge. What is drawn is exactly the list the state hook
// publishes, so a test over those boxes checks what a learner sees.

// prio orders labels: lower values are placed first and so win a spot.
type prio uint8

const (
	prioFixed  prio = iota // the status line and the captions: never move
	prioBadge              // "more town: drag" at a narrow town's edge
	prioSign               // a plot's host name and address
	prioHouse              // a house's process name
	prioPort               // the port over a door
	prioDoor               // what is written on and under a door
	prioRole               // client or server, in the roof
	prioFlash              // a message at a plot (a drop, an error)
	prioPoll               // a poll walk's words
	prioLost               // why a letter was lost
	prioRoad               // a road's properties
	prioLetter             // a letter's name
)

// label is one text the town draws, and where it ended up.
type label struct {
	kind  string // "sign", "house", "role", "port", "fd", "remote", "state", ...
	text  string
	short string // a shorter form for a crowded spot, "" for none
	// x, y is where the text goes: its top, at x aligned by a.
	x, y  float64
	size  float64
	mono  bool
	a     align
	c     color.Color
	bg    color.Color // when set, a box of this colour behind the text
	pad   float64     // the background's margin around the text
	prio  prio
	moves []image.Point // other places to try, as offsets in device pixels from x, y
	// offPlots keeps the label off the plots where it can: a letter's
	// name belongs to the road, not to the houses at its end.
	offPlots bool
	// What the pass decided: the text drawn and its box (device pixels).
	shown string
	box   boxF
}

// boxF is a rectangle in device pixels.
type boxF struct{ x, y, w, h float64 }

func (b boxF) overlaps(o boxF) bool {
	return b.x < o.x+o.w && o.x < b.x+b.w && b.y < o.y+o.h && o.y < b.y+b.h
}

// inside moves b by the least into area; it reports false when b is
// larger than area, or would move by more than half its size: a label
// whose thing is mostly out of sight (zoomed in) would only mislead.
func (b boxF) inside(area image.Rectangle) (boxF, bool) {
	minX, minY, maxX, maxY := float64(area.Min.X), float64(area.Min.Y), float64(area.Max.X), float64(area.Max.Y)
	if b.w > maxX-minX || b.h > maxY-minY {
		return b, false
	}
	x := math.Min(math.Max(b.x, minX), maxX-b.w)
	y := math.Min(math.Max(b.y, minY), maxY-b.h)
	if math.Abs(x-b.x) > b.w/2 || math.Abs(y-b.y) > b.h/2 {
		return b, false
	}
	b.x, b.y = x, y
	return b, true
}

// measure is the box of s drawn at x, y (top) with alignment a; s may
// have several lines.
func (g *Game) measure(s string, x, y, size float64, mono bool, a align, pad float64) boxF {
	face := g.fonts.face(size, mono)
	lines := strings.Split(s, "\n")
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, text.Advance(l, face))
	}
	m := face.Metrics()
	h := m.HAscent + m.HDescent + float64(len(lines)-1)*lineSpacing(face)
	switch a {
	case alignCenter:
		x -= w / 2
	case alignRight:
		x -= w
	}
	return boxF{x: x - pad, y: y - pad, w: w + 2*pad, h: h + 2*pad}
}

// placeLabels places ls inside area in order of importance and returns
// those shown. Labels too small to read are left out: they are not drawn.
func (g *Game) placeLabels(ls []label, area image.Rectangle) []label {
	sort.SliceStable(ls, func(i, j int) bool { return ls[i].prio < ls[j].prio })
	var grid labelGrid
	plots := g.plotGrid(ls, area)
	out := ls[:0]
	for _, l := range ls {
		if l.size < minTextSize || l.text == "" {
			continue
		}
		if g.placeOff(&l, area, &grid, &plots) {
			grid.add(l.box)
			out = append(out, l)
		}
	}
	return out
}

// placeOff places l, off the plots if it is to keep off them: a
// letter's name that finds no room on the road or in the street is left
// out (in a pile of letters at a road's end the first ones are named),
// while why a letter was lost may stand on a plot when nowhere else.
func (g *Game) placeOff(l *label, area image.Rectangle, grid, plots *labelGrid) bool {
	if !l.offPlots {
		return g.place(l, area, grid, nil)
	}
	return g.place(l, area, grid, plots) || l.prio == prioLost && g.place(l, area, grid, nil)
}

// plotGrid holds the plots' boxes on screen, when some label is to keep
// off them.
func (g *Game) plotGrid(ls []label, area image.Rectangle) labelGrid {
	var plots labelGrid
	for _, l := range ls {
		if !l.offPlots {
			continue
		}
		for i := range g.lay.Plots {
			if r := g.lay.Plots[i].Rect; g.onScreen(r, area) {
				x, y, w, h := g.cam.rect(r)
				plots.add(boxF{x: x, y: y, w: w, h: h})
			}
		}
		break
	}
	return plots
}

// place finds l a free spot: its own place or one of its moves, with its
// text and then its short form, clear of the placed labels and, when
// avoid is set, of the boxes in it. Fixed labels take their place as it
// is.
func (g *Game) place(l *label, area image.Rectangle, grid, avoid *labelGrid) bool {
	texts := []string{l.text}
	if l.short != "" {
		texts = append(texts, l.short)
	}
	moves := append([]image.Point{{}}, l.moves...)
	for _, s := range texts {
		for _, m := range moves {
			b := g.measure(s, l.x+float64(m.X), l.y+float64(m.Y), l.size, l.mono, l.a, l.pad)
			if l.prio != prioFixed {
				var ok bool
				if b, ok = b.inside(area); !ok {
					continue
				}
			}
			if grid.free(b) && (avoid == nil || avoid.free(b)) {
				l.shown, l.box = s, b
				return true
			}
		}
	}
	return false
}

// labelGrid finds the placed boxes near a box quickly: a crowded town
// has thousands of labels.
type labelGrid struct {
	cells map[[2]int][]boxF
}

const gridCell = 64.0

func (lg *labelGrid) cellsOf(b boxF, f func(k [2]int)) {
	for cx := int(math.Floor(b.x / gridCell)); float64(cx)*gridCell < b.x+b.w; cx++ {
		for cy := int(math.Floor(b.y / gridCell)); float64(cy)*gridCell < b.y+b.h; cy++ {
			f([2]int{cx, cy})
		}
	}
}

func (lg *labelGrid) add(b boxF) {
	if lg.cells == nil {
		lg.cells = map[[2]int][]boxF{}
	}
	lg.cellsOf(b, func(k [2]int) { lg.cells[k] = append(lg.cells[k], b) })
}

func (lg *labelGrid) free(b boxF) bool {
	ok := true
	lg.cellsOf(b, func(k [2]int) {
		for _, o := range lg.cells[k] {
			if o.overlaps(b) {
				ok = false
			}
		}
	})
	return ok
}

// lineSpacing is the distance between the baselines of a label's lines.
func lineSpacing(face *text.GoTextFace) float64 {
	m := face.Metrics()
	return m.HAscent + m.HDescent + m.HLineGap
}

// minTextSize is the smallest text drawn, in device pixels: smaller is
// unreadable and not worth the work.
const minTextSize = 4

// drawLabels draws the placed labels: each background, then its text.
func (g *Game) drawLabels(dst *ebiten.Image, ls []label) {
	for _, l := range ls {
		if l.bg != nil {
			fillRect(dst, l.box.x, l.box.y, l.box.w, l.box.h, l.bg)
		}
		x := l.box.x + l.pad
		switch l.a {
		case alignCenter:
			x = l.box.x + l.box.w/2
		case alignRight:
			x = l.box.x + l.box.w - l.pad
		}
		g.text(dst, l.shown, x, l.box.y+l.pad, l.size, l.c, l.mono, l.a)
	}
}

// LabelState is one text drawn over the town and its box, for the state
// hook: no two overlap, and each lies inside the town.
type LabelState struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	Box  Box    `json:"box"`
}

func (g *Game) labelStates() []LabelState {
	out := make([]LabelState, 0, len(g.labels))
	for _, l := range g.labels {
		out = append(out, LabelState{Kind: l.kind, Text: l.shown, Box: g.css(l.box.x, l.box.y, l.box.w, l.box.h)})
	}
	return out
}

// shifts are the usual other places for a label: nudged down, up, left
// and right by steps of d device pixels.
func shifts(d float64, n int) []image.Point {
	var out []image.Point
	for i := 1; i <= n; i++ {
		s := int(math.Round(d * float64(i)))
		out = append(out, image.Point{Y: s}, image.Point{Y: -s}, image.Point{X: -s}, image.Point{X: s})
	}
	return out
}

// Roles, in the seed's words: a process that listens, or holds a
// connection it accepted, is a server; one that connects is a client.
// From the snapshot alone: a listening socket, or a socket bound to a
// port of its own choosing (below the ephemeral range) that talks or
// waits, makes a server; a socket on an ephemeral port the kernel picked
// when it connected or sent makes a client.
func rolesOf(lay layout.Layout) map[[2]string]string {
	out := map[[2]string]string{}
	for _, p := range lay.Plots {
		for _, h := range p.Houses {
			var client, server bool
			for _, d := range h.Doors {
				c, s := doorRole(d, p.Ephemeral)
				client, server = client || c, server || s
			}
			switch {
			case client && server:
				out[[2]string{p.Host, h.Proc}] = "client + server"
			case server:
				out[[2]string{p.Host, h.Proc}] = "server"
			case client:
				out[[2]string{p.Host, h.Proc}] = "client"
			}
		}
	}
	return out
}

// doorRole says whether a door makes its process a client or a server.
// eph is the host's ephemeral range (a watched Linux machine's is
// 32768-60999, the simulator's 49152-65535).
func doorRole(d layout.Door, eph sock.PortRange) (client, server bool) {
	s := d.Socket
	port := s.Local.Port()
	switch {
	case s.State == sock.StateListen:
		return false, true
	case s.State == sock.StateSynSent:
		return true, false
	case port == 0:
		return false, false
	case eph.Contains(port):
		return s.Remote.IsValid() || s.TCP == nil, false
	case s.TCP != nil:
		return false, s.Remote.IsValid() // accepted
	}
	return false, true // a datagram socket bound to its own port
}
