package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"socketville/shared/netsim"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// align is where a text's anchor point is.
type align uint8

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// Shapes are drawn without anti-aliasing: in a browser without a GPU
// (software WebGL) each anti-aliased path costs an offscreen pass, and the
// town's shapes are mostly axis-aligned anyway.

// text draws s with its top at y, anchored at x.
func (g *Game) text(dst *ebiten.Image, s string, x, y, size float64, c color.Color, mono bool, a align) {
	if size < 4 {
		return // too small to read: skip the work
	}
	face := g.fonts.face(size, mono)
	op := &text.DrawOptions{}
	switch a {
	case alignCenter:
		op.PrimaryAlign = text.AlignCenter
	case alignRight:
		op.PrimaryAlign = text.AlignEnd
	}
	op.GeoM.Translate(math.Round(x), math.Round(y))
	op.ColorScale.ScaleWithColor(c)
	text.Draw(dst, s, face, op)
}

// onScreen reports whether any of r (in town units, with room for what
// is drawn above and below it) shows in area, zoomed in as it may be.
func (g *Game) onScreen(r layout.Rect, area image.Rectangle) bool {
	const reach = 60 // labels over doors, flashes over plots
	x, y, w, h := g.cam.rect(r)
	m := reach * g.cam.zoom
	return x+w+m >= float64(area.Min.X) && x-m <= float64(area.Max.X) && y+h+m >= float64(area.Min.Y) && y-m <= float64(area.Max.Y)
}

// wrap breaks s into lines no wider than width at size, between words.
func (g *Game) wrap(s string, size, width float64) []string {
	face := g.fonts.face(size, false)
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && text.Advance(try, face) > width {
			lines, line = append(lines, line), word
			continue
		}
		line = try
	}
	return append(lines, line)
}

func fillRect(dst *ebiten.Image, x, y, w, h float64, c color.Color) {
	vector.FillRect(dst, float32(x), float32(y), float32(w), float32(h), c, false)
}

func strokeRect(dst *ebiten.Image, x, y, w, h, width float64, c color.Color) {
	vector.StrokeRect(dst, float32(x), float32(y), float32(w), float32(h), float32(width), c, false)
}

func line(dst *ebiten.Image, x0, y0, x1, y1, width float64, c color.Color) {
	vector.StrokeLine(dst, float32(x0), float32(y0), float32(x1), float32(y1), float32(width), c, false)
}

func triangle(dst *ebiten.Image, x0, y0, x1, y1, x2, y2 float64, c color.Color) {
	var p vector.Path
	p.MoveTo(float32(x0), float32(y0))
	p.LineTo(float32(x1), float32(y1))
	p.LineTo(float32(x2), float32(y2))
	p.Close()
	op := &vector.DrawPathOptions{}
	op.ColorScale.ScaleWithColor(c)
	vector.FillPath(dst, &p, nil, op)
}

// drawTown draws roads, plots, houses, doors, then what moves on them.
func (g *Game) drawTown(dst *ebiten.Image) {
	area := g.townRect()
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return
	}
	sub, ok := dst.SubImage(area).(*ebiten.Image)
	if !ok {
		return
	}
	sub.Fill(colBackground)
	for _, r := range g.lay.Roads {
		g.drawRoad(sub, r)
	}
	for i := range g.lay.Plots {
		if g.onScreen(g.lay.Plots[i].Rect, area) {
			g.drawPlot(sub, &g.lay.Plots[i])
		}
	}
	g.drawPolls(sub)
	g.drawLetters(sub)
	g.drawFlashes(sub)
	if len(g.lay.Plots) == 0 {
		g.text(sub, "An empty town: type host a 10.0.0.1/24 below, or pick a scenario.",
			float64(area.Min.X+area.Dx()/2), float64(area.Min.Y+area.Dy()/2), 15*g.scale, colDim, false, alignCenter)
	}
}

// drawRoad draws a road along its polyline: the tarmac, square at the
// bends, a dashed middle line that runs on round the bends, and the
// link's properties over its label point.
func (g *Game) drawRoad(dst *ebiten.Image, r layout.Road) {
	z := g.cam.zoom
	c := colRoad
	if g.sel.kind == selRoad && g.sel.road == r.Link {
		c = color.RGBA{0x8a, 0x80, 0x50, 0xff}
	}
	w := layout.RoadW * z
	for i := 1; i < len(r.Points); i++ {
		x0, y0 := g.cam.pt(r.Points[i-1])
		x1, y1 := g.cam.pt(r.Points[i])
		line(dst, x0, y0, x1, y1, w, c)
		if i > 1 { // fill the bend's corner
			fillRect(dst, x0-w/2, y0-w/2, w, w, c)
		}
	}
	g.drawDashes(dst, r)
	if cfg, ok := g.linkConfig(r.Link); ok {
		mx, my := g.cam.pt(r.LabelAt())
		g.text(dst, cfg, mx, my-36*z, 11*z, colText, false, alignCenter)
	}
}

// drawDashes draws a road's dashed middle line, the dashes counted along
// the whole road so they keep their rhythm round a bend.
func (g *Game) drawDashes(dst *ebiten.Image, r layout.Road) {
	z := g.cam.zoom
	dash := 14 * z
	if dash <= 1 {
		return
	}
	s := 0.0 // where this segment starts along the road, in pixels
	for i := 1; i < len(r.Points); i++ {
		x0, y0 := g.cam.pt(r.Points[i-1])
		x1, y1 := g.cam.pt(r.Points[i])
		n := math.Hypot(x1-x0, y1-y0)
		if n == 0 {
			continue
		}
		// Dashes start every 2*dash along the road: the first may have
		// begun in the segment before.
		for d := -math.Mod(s, 2*dash); d < n; d += 2 * dash {
			a, b := math.Max(d, 0)/n, math.Min(d+dash, n)/n
			if b > a {
				line(dst, x0+(x1-x0)*a, y0+(y1-y0)*a, x0+(x1-x0)*b, y0+(y1-y0)*b, 2*z, colRoadLine)
			}
		}
		s += n
	}
}

func (g *Game) drawPlot(dst *ebiten.Image, p *layout.Plot) {
	z := g.cam.zoom
	x, y, w, h := g.cam.rect(p.Rect)
	fillRect(dst, x, y, w, h, colPlot)
	strokeRect(dst, x, y, w, h, 3*z, colPlotEdge)
	// The sign: the host's name and address.
	signW := math.Min(w-16*z, (float64(len(p.Host)+len(p.Sign))*8+40)*z)
	fillRect(dst, x+8*z, y+8*z, signW, 26*z, colSign)
	g.text(dst, p.Host+"  "+p.Sign, x+16*z, y+12*z, 14*z, colSignText, false, alignLeft)
	for i := range p.Houses {
		g.drawHouse(dst, &p.Houses[i])
	}
	if len(p.Orphans) > 0 {
		kx, ky, kw, kh := g.cam.rect(p.Kernel)
		fillRect(dst, kx, ky, kw, kh, colKernel)
		g.text(dst, "kernel: connections without an fd", kx+6*z, ky+3*z, 10*z, colText, false, alignLeft)
		for i := range p.Orphans {
			g.drawDoor(dst, &p.Orphans[i])
		}
	}
}

func (g *Game) drawHouse(dst *ebiten.Image, h *layout.House) {
	z := g.cam.zoom
	x, y, w, hh := g.cam.rect(h.Rect)
	roof := colRoof
	if h.Root {
		roof = colRootRoof
	}
	triangle(dst, x-6*z, y, x+w+6*z, y, x+w/2, y-layout.RoofH*z, roof)
	fillRect(dst, x, y, w, hh, colWall)
	name := h.Proc
	if h.Root {
		name += " (root)"
	}
	g.text(dst, name, x+w/2, y+4*z, 13*z, colInk, false, alignCenter)
	for i := range h.Doors {
		g.drawDoor(dst, &h.Doors[i])
	}
}

func (g *Game) drawDoor(dst *ebiten.Image, d *layout.Door) {
	z := g.cam.zoom
	x, y, w, h := g.cam.rect(d.Rect)
	c := doorColor(d.Style)
	switch d.Style {
	case layout.StyleListen:
		// An open archway: the frame in colour, the inside dark.
		fillRect(dst, x, y, w, h, c)
		fillRect(dst, x+5*z, y+5*z, w-10*z, h-5*z, color.RGBA{0x1c, 0x2a, 0x20, 0xff})
	case layout.StyleTimeWait, layout.StyleClosed:
		fillRect(dst, x, y, w, h, c)
		line(dst, x+4*z, y+h/2, x+w-4*z, y+h/2, 3*z, colInk) // barred
	default:
		fillRect(dst, x, y, w, h, c)
		// The knob: a circle when it is big enough to tell from a
		// square, which is cheaper (a crowded town has a thousand).
		switch r := 3 * z; {
		case r >= 2:
			vector.FillCircle(dst, float32(x+w-8*z), float32(y+h/2), float32(r), colSign, false)
		case r >= 0.5:
			fillRect(dst, x+w-8*z-r, y+h/2-r, 2*r, 2*r, colSign)
		}
	}
	if g.sel.kind == selDoor && g.sel.door == d.Key {
		strokeRect(dst, x-4*z, y-4*z, w+8*z, h+8*z, 3*z, colSelect)
	}
	label := d.Port
	if label == "" {
		label = "-"
	}
	g.text(dst, label, x+w/2, y-16*z, 12*z, colInk, true, alignCenter)
	if d.FD > 0 {
		g.text(dst, fmt.Sprintf("fd %d", d.FD), x+w/2, y+h/2-6*z, 10*z, colSign, false, alignCenter)
	}
	under := d.State
	if d.Style == layout.StyleTimeWait && d.Socket.TCP != nil {
		under = fmt.Sprintf("TIME-WAIT %.0fs", math.Ceil(d.Socket.TCP.TimeWaitLeft.Seconds()))
	}
	ink := colInk
	if d.Proc == "" {
		ink = colText
	}
	if d.Remote != "" {
		g.text(dst, d.Remote, x+w/2, y+h+2*z, 10*z, ink, true, alignCenter)
	}
	g.text(dst, under, x+w/2, y+h+15*z, 10*z, ink, false, alignCenter)
}

// A letter's size in town units.
const letterW, letterH = 22.0, 14.0

func (g *Game) drawLetters(dst *ebiten.Image) {
	z := g.cam.zoom
	anim := g.player.Animation()
	for _, l := range anim.Letters {
		p, ok := g.letterPoint(l)
		if !ok {
			continue
		}
		x, y := g.cam.pt(p)
		c := letterColor(l.Kind)
		fall := l.Fall(g.player.Wall())
		if fall > 0 {
			c.A = uint8(255 * (1 - fall*0.7))
			c.R, c.G, c.B = uint8(float64(c.R)*(1-fall*0.7)), uint8(float64(c.G)*(1-fall*0.7)), uint8(float64(c.B)*(1-fall*0.7))
		}
		w, h := letterW*z, letterH*z
		fillRect(dst, x-w/2, y-h/2, w, h, c)
		if w >= 8 { // the envelope's flap, where it can be seen
			line(dst, x-w/2, y-h/2, x, y, 1.2*z, colInk)
			line(dst, x+w/2, y-h/2, x, y, 1.2*z, colInk)
		}
		if g.sel.kind == selLetter && g.sel.letter == l.ID {
			strokeRect(dst, x-w/2-3*z, y-h/2-3*z, w+6*z, h+6*z, 2*z, colSelect)
		}
		label := l.Label
		if l.Note != "" {
			label += " (" + l.Note + ")"
		}
		if l.Lost {
			label += " - " + l.Reason
			g.text(dst, label, x, y+9*z, 11*z, colError, false, alignCenter)
			continue
		}
		g.text(dst, label, x, y+9*z, 10*z, colText, false, alignCenter)
	}
}

func (g *Game) drawFlashes(dst *ebiten.Image) {
	z := g.cam.zoom
	for _, f := range g.player.Animation().Flashes {
		p, ok := g.lay.Plot(f.Host)
		if !ok {
			continue
		}
		age := float64(g.player.Wall()-f.Wall) / float64(play.FlashTime)
		x, y, w, _ := g.cam.rect(p.Rect)
		c := colError
		c.A = uint8(255 * (1 - math.Min(age, 1)))
		g.text(dst, f.Text, x+w/2, y-20*z-age*20*z, 12*z, c, false, alignCenter)
	}
}

// drawPolls shows each poll call as a ring walking past the polled doors
// of the process, lighting the doors poll found ready.
func (g *Game) drawPolls(dst *ebiten.Image) {
	z := g.cam.zoom
	for _, pw := range g.player.Animation().Polls {
		doors := g.pollDoors(pw)
		if len(doors) == 0 {
			continue
		}
		prog := pw.Progress(g.player.Wall())
		at := min(int(prog*float64(len(doors))), len(doors)-1)
		for i, d := range doors {
			if d == nil || i > at {
				continue
			}
			x, y, w, h := g.cam.rect(d.Rect)
			if pw.FDs[i].Revents != 0 {
				strokeRect(dst, x-6*z, y-6*z, w+12*z, h+12*z, 4*z, colReady)
				g.text(dst, pw.FDs[i].Revents.String(), x+w/2, y-30*z, 10*z, colReady, true, alignCenter)
			}
			if i == at {
				vector.StrokeCircle(dst, float32(x+w/2), float32(y+h+26*z), float32(9*z), float32(3*z), colSelect, false)
				g.text(dst, "poll", x+w/2, y+h+36*z, 10*z, colSelect, false, alignCenter)
			}
		}
	}
}

// pollDoors finds the doors a poll call looked at, in its order.
func (g *Game) pollDoors(pw play.PollWalk) []*layout.Door {
	p, ok := g.lay.Plot(pw.Host)
	if !ok {
		return nil
	}
	for hi := range p.Houses {
		h := &p.Houses[hi]
		if h.Proc != pw.Proc {
			continue
		}
		out := make([]*layout.Door, len(pw.FDs))
		for i, fd := range pw.FDs {
			for di := range h.Doors {
				if h.Doors[di].FD == fd.FD {
					out[i] = &h.Doors[di]
				}
			}
		}
		return out
	}
	return nil
}

// linkConfig describes a road's properties in the shell's words.
func (g *Game) linkConfig(name string) (string, bool) {
	for _, l := range g.player.Snapshot().Links {
		if l.Name != name {
			continue
		}
		return describeLink(l.Config), true
	}
	return "", false
}

// describeLink says what is set on a link, in the link line's words.
func describeLink(c netsim.LinkConfig) string {
	s := "delay " + c.Delay.String()
	if c.Rate > 0 {
		s += ", " + formatRate(c.Rate)
	}
	for _, f := range []struct {
		name string
		p    float64
	}{{"loss", c.Loss}, {"dup", c.Dup}, {"reorder", c.Reorder}, {"corrupt", c.Corrupt}} {
		if f.p > 0 {
			s += fmt.Sprintf(", %s %s", f.name, percent(f.p))
		}
	}
	if c.MTU != 0 && c.MTU != netsim.DefaultMTU {
		s += fmt.Sprintf(", mtu %d", c.MTU)
	}
	return s
}

func formatRate(bps int64) string {
	switch {
	case bps >= 1e9 && bps%1e9 == 0:
		return fmt.Sprintf("%dGbit", bps/1e9)
	case bps >= 1e6 && bps%1e6 == 0:
		return fmt.Sprintf("%dMbit", bps/1e6)
	case bps >= 1e3 && bps%1e3 == 0:
		return fmt.Sprintf("%dkbit", bps/1e3)
	}
	return fmt.Sprintf("%dbit", bps)
}
