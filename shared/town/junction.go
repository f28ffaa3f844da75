package town

import (
	"fmt"
	"image/color"

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
		ls = append(ls, label{kind: "house", text: fmt.Sprintf("MAC table: %d", len(sw.FDB)), short: fmt.Sprint(len(sw.FDB)),
			x: bx + bw/2, y: by + 3*z, size: 11 * z, c: colInk, a: alignCenter, prio: prioHouse})
	}
	return ls
}

// drawCrossroads draws a router's plot as a crossroads: two streets
// crossing in the middle of its land with the router's building on the
// corner where they meet; its houses (if any process runs there) stand
// over them as on any plot.
func (g *Game) drawCrossroads(dst *ebiten.Image, p *layout.Plot) {
	z := g.cam.zoom
	x, y, w, h := g.cam.rect(p.Rect)
	c := p.Rect.Center()
	cx, cy := g.cam.pt(c)
	rw := layout.RoadW * z * 0.8
	fillRect(dst, x, cy-rw/2, w, rw, colRoad)
	fillRect(dst, cx-rw/2, y, rw, h, colRoad)
	// The crossing's markings: a box junction's criss-cross.
	line(dst, cx-rw/2, cy-rw/2, cx+rw/2, cy+rw/2, 1.5*z, colRoadLine)
	line(dst, cx+rw/2, cy-rw/2, cx-rw/2, cy+rw/2, 1.5*z, colRoadLine)
	// The router's building on the corner: a signal box with a
	// lantern roof.
	bw, bh := 46*z, 34*z
	bx, by := cx+rw/2+6*z, cy-rw/2-bh-6*z
	triangle(dst, bx-4*z, by, bx+bw+4*z, by, bx+bw/2, by-14*z, colRoof)
	fillRect(dst, bx, by, bw, bh, colRouterHub)
	strokeRect(dst, bx, by, bw, bh, 1.5*z, colInk)
	fillRect(dst, bx+bw/2-5*z, by+bh-16*z, 10*z, 16*z, colInk)
}
