package town

import (
	"fmt"
	"image/color"
	"net/netip"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// The colours of what stands below IP: a switch's paved yard and its
// junction box, and a router's crossroads.
var (
	colYard      = color.RGBA{0x4c, 0x58, 0x52, 0xff}
	colYardEdge  = color.RGBA{0x3a, 0x44, 0x40, 0xff}
	colBox       = color.RGBA{0x8c, 0x96, 0xa0, 0xff}
	colBoxEdge   = color.RGBA{0x2e, 0x34, 0x3a, 0xff}
	colPortFree  = color.RGBA{0x30, 0x36, 0x3c, 0xff}
	colPortUsed  = color.RGBA{0x7c, 0xe0, 0x6a, 0xff}
	colRouterHub = color.RGBA{0xd8, 0xc8, 0xa0, 0xff}
)

// switchState is the switch a plot stands for, as the snapshot has it.
func (g *Game) switchState(name string) (sock.SwitchState, bool) {
	for _, sw := range g.player.Snapshot().Switches {
		if sw.Name == name {
			return sw, true
		}
	}
	return sock.SwitchState{}, false
}

// drawSwitch draws a switch's yard and its junction box: a cabinet with a
// row of port lights, lit where a cable is plugged in, and the roads
// come in to it from the yard's sides.
func (g *Game) drawSwitch(dst *ebiten.Image, p *layout.Plot) {
	z := g.cam.zoom
	x, y, w, h := g.cam.rect(p.Rect)
	fillRect(dst, x, y, w, h, colYard)
	strokeRect(dst, x, y, w, h, 3*z, colYardEdge)
	bx, by, bw, bh := g.cam.rect(p.Box())
	// The cables from each road's end into the box.
	for _, r := range g.lay.Roads {
		for _, end := range []struct {
			host string
			pt   layout.Point
		}{{r.A, r.From}, {r.B, r.To}} {
			if end.host == p.Host {
				ex, ey := g.cam.pt(end.pt)
				line(dst, ex, ey, bx+bw/2, by+bh/2, 4*z, colBoxEdge)
			}
		}
	}
	fillRect(dst, bx, by, bw, bh, colBox)
	strokeRect(dst, bx, by, bw, bh, 2*z, colBoxEdge)
	sw, ok := g.switchState(p.Host)
	if !ok || sw.Ports == 0 {
		return
	}
	// The port lights, in rows of eight along the box's bottom.
	const perRow = 8
	rows := (sw.Ports + perRow - 1) / perRow
	pitch := bw / (perRow + 1)
	size := pitch * 0.6
	for i := range sw.Ports {
		r, c := i/perRow, i%perRow
		px := bx + pitch*(float64(c)+0.7)
		py := by + bh - float64(rows-r)*(size+3*z) - 2*z
		col := colPortFree
		if i < len(sw.Used) && sw.Used[i] != 0 {
			col = colPortUsed
		}
		fillRect(dst, px, py, size, size, col)
	}
}

// switchLabels are the words on a switch's plot: its sign, and on the
// box how many addresses it has learned.
func (g *Game) switchLabels(ls []label, p *layout.Plot) []label {
	z := g.cam.zoom
	x, y, _, _ := g.cam.rect(p.Rect)
	ls = append(ls, label{kind: "sign", text: p.Host + "  " + p.Sign, short: p.Host, x: x + 12*z, y: y + 12*z,
		size: 14 * z, c: colSignText, bg: colSign, pad: 4 * z, prio: prioSign})
	if sw, ok := g.switchState(p.Host); ok {
		bx, by, bw, _ := g.cam.rect(p.Box())
		ls = append(ls, label{kind: "fdb", text: fmt.Sprintf("MAC table: %d", len(sw.FDB)), short: fmt.Sprint(len(sw.FDB)),
			x: bx + bw/2, y: by + 3*z, size: 11 * z, c: colInk, a: alignCenter, prio: prioHouse})
	}
	return ls
}

// drawCrossroads draws a router's plot as a crossroads: two streets
// crossing at the bottom of its land, every road that ends at the plot
// joined to them, and the router's building on a corner no road takes.
func (g *Game) drawCrossroads(dst *ebiten.Image, p *layout.Plot) {
	z := g.cam.zoom
	c := p.Crossing()
	rw := layout.RoadW * 0.8
	top := p.Rect.Max.Y - layout.CrossroadsH + 8
	// The streets, in town units: across the strip, and up and down it.
	segs := [][2]layout.Point{
		{{X: p.Rect.Min.X, Y: c.Y}, {X: p.Rect.Max.X, Y: c.Y}},
		{{X: c.X, Y: top}, {X: c.X, Y: p.Rect.Max.Y}},
	}
	// Each road's end joins the street nearest it, square to its side.
	var joins [][2]layout.Point
	for _, r := range g.lay.Roads {
		for _, end := range []struct {
			host string
			pt   layout.Point
		}{{r.A, r.From}, {r.B, r.To}} {
			if end.host != p.Host {
				continue
			}
			e := end.pt
			if e.X == p.Rect.Min.X || e.X == p.Rect.Max.X {
				joins = append(joins, [2]layout.Point{e, {X: c.X, Y: e.Y}}, [2]layout.Point{{X: c.X, Y: e.Y}, {X: c.X, Y: c.Y}})
			} else {
				joins = append(joins, [2]layout.Point{e, {X: e.X, Y: c.Y}})
			}
		}
	}
	for i, sg := range append(segs, joins...) {
		x0, y0 := g.cam.pt(sg[0])
		x1, y1 := g.cam.pt(sg[1])
		line(dst, x0, y0, x1, y1, rw*z, colRoad)
		if i >= len(segs) { // a join's inner end: square, as a road's bend
			fillRect(dst, x1-rw*z/2, y1-rw*z/2, rw*z, rw*z, colRoad)
		}
	}
	cx, cy := g.cam.pt(c)
	// The crossing's markings: a box junction's criss-cross.
	h := rw * z / 2
	line(dst, cx-h, cy-h, cx+h, cy+h, 1.5*z, colRoadLine)
	line(dst, cx+h, cy-h, cx-h, cy+h, 1.5*z, colRoadLine)
	// The router's building, a signal box with a roof, on the first
	// corner no join runs through.
	const bw, bh, roof, gap = 40.0, 26.0, 10.0, 5.0
	corners := []layout.Point{
		{X: c.X + rw/2 + gap, Y: c.Y + rw/2 + gap + roof},      // below right
		{X: c.X - rw/2 - gap - bw, Y: c.Y + rw/2 + gap + roof}, // below left
		{X: c.X + rw/2 + gap, Y: c.Y - rw/2 - gap - bh},        // above right
		{X: c.X - rw/2 - gap - bw, Y: c.Y - rw/2 - gap - bh},   // above left
	}
	at := corners[0]
	for _, k := range corners {
		box := layout.Rect{Min: layout.Point{X: k.X, Y: k.Y - roof}, Max: layout.Point{X: k.X + bw, Y: k.Y + bh}}
		free := true
		for _, j := range joins {
			if segmentNearRect(j[0], j[1], box, rw/2) {
				free = false
			}
		}
		if free {
			at = k
			break
		}
	}
	bx, by := g.cam.pt(at)
	triangle(dst, bx-4*z, by, bx+(bw+4)*z, by, bx+bw/2*z, by-roof*z, colRoof)
	fillRect(dst, bx, by, bw*z, bh*z, colRouterHub)
	strokeRect(dst, bx, by, bw*z, bh*z, 1.5*z, colInk)
	fillRect(dst, bx+(bw/2-5)*z, by+(bh-16)*z, 10*z, 16*z, colInk)
}

// segmentNearRect reports whether the axis-aligned segment a-b, widened
// by half on each side, touches r.
func segmentNearRect(a, b layout.Point, r layout.Rect, half float64) bool {
	minX, maxX := min(a.X, b.X)-half, max(a.X, b.X)+half
	minY, maxY := min(a.Y, b.Y)-half, max(a.Y, b.Y)+half
	return minX < r.Max.X && maxX > r.Min.X && minY < r.Max.Y && maxY > r.Min.Y
}

// passesOn reports whether host is a router and addr is not one of its
// own addresses: a packet from or to addr only passes through it.
func (g *Game) passesOn(host string, addr netip.Addr) bool {
	for _, h := range g.player.Snapshot().Hosts {
		if h.Name != host {
			continue
		}
		if !h.Forward {
			return false
		}
		for _, a := range h.Addrs {
			if a.Addr() == addr {
				return false
			}
		}
		return true
	}
	return false
}
