package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"socketville/shared/sock"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

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
	op.LineSpacing = lineSpacing(face) // for labels of several lines
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

// drawTown draws roads, plots, houses, doors, then what moves on them,
// and last the labels placed for them (see labels.go).
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
	var town []label
	for _, l := range g.labels {
		if l.prio != prioFixed {
			town = append(town, l)
		}
	}
	// The keyboard's ring (focus.go) goes round the thing's words, and
	// under the words: one it still crosses stays readable over it.
	g.drawFocus(sub, true)
	g.drawLabels(sub, town)
}

// planLabels lists every label the town shows this frame and places them
// (labels.go): the status line and the captions first, then the town's.
func (g *Game) planLabels() { g.labels = g.labelsIn(g.townRect()) }

// labelsIn are the labels placed in a town drawn in area.
func (g *Game) labelsIn(area image.Rectangle) []label {
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return nil
	}
	ls := []label{g.badgeLabel(area), g.statusLabel(area)}
	ls = append(ls, g.captionLabels(area)...)
	ls = append(ls, g.moreTownLabels(area)...)
	ls = append(ls, g.townLabels(area)...)
	return g.placeLabels(ls, area)
}

// townLabels are the words on the town: signs, houses, doors, roads,
// letters, polls and messages at plots, where each would like to be.
func (g *Game) townLabels(area image.Rectangle) []label {
	var ls []label
	if len(g.lay.Plots) == 0 {
		ls = append(ls, label{kind: "empty", text: "An empty town: type host a 10.0.0.1/24 below, or pick a scenario.",
			short: "An empty town: type a host line below.",
			x:     float64(area.Min.X + area.Dx()/2), y: float64(area.Min.Y + area.Dy()/2), size: 15 * g.scale, c: colDim, a: alignCenter, prio: prioSign})
	}
	roles := rolesOf(g.lay)
	for i := range g.lay.Plots {
		if p := &g.lay.Plots[i]; g.onScreen(p.Rect, area) {
			ls = g.plotLabels(ls, p, roles)
		}
	}
	for _, r := range g.lay.Roads {
		ls = g.roadLabel(ls, r)
	}
	ls = g.letterLabels(ls)
	ls = g.pollLabels(ls)
	return g.flashLabels(ls, area)
}

// drawRoad draws a road along its polyline: the tarmac, square at the
// bends, a dashed middle line that runs on round the bends, and the
// link's properties over its label point.
func (g *Game) drawRoad(dst *ebiten.Image, r layout.Road) {
	z := g.cam.zoom
	c := colRoad
	if p, ok := g.roadShown(); ok && p.link == r.Link {
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
	g.drawDashes(dst, r) // its words are a label (labels.go): placed with the others
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
	if p.Kind == layout.PlotSwitch {
		g.drawSwitch(dst, p)
		return
	}
	z := g.cam.zoom
	x, y, w, h := g.cam.rect(p.Rect)
	fillRect(dst, x, y, w, h, colPlot)
	strokeRect(dst, x, y, w, h, 3*z, colPlotEdge)
	if p.Kind == layout.PlotRouter {
		g.drawCrossroads(dst, p)
	}
	for i := range p.Houses {
		g.drawHouse(dst, &p.Houses[i])
	}
	if len(p.Orphans) > 0 {
		kx, ky, kw, kh := g.cam.rect(p.Kernel)
		fillRect(dst, kx, ky, kw, kh, colKernel)
		for i := range p.Orphans {
			g.drawDoor(dst, &p.Orphans[i])
		}
	}
}

// plotLabels adds the plot's sign (the host's name and address, on its
// board), its houses' names and roles, and its doors' words.
func (g *Game) plotLabels(ls []label, p *layout.Plot, roles map[[2]string]string) []label {
	z := g.cam.zoom
	if 14*z < minTextSize {
		return ls // a whole crowded town: nothing on a plot is readable
	}
	if p.Kind == layout.PlotSwitch {
		return g.switchLabels(ls, p)
	}
	x, y, _, _ := g.cam.rect(p.Rect)
	host := p.Host
	if _, plots := g.player.PeerSigns(); plots[p.Host] != "" {
		host += " (" + plots[p.Host] + ")" // a shared town: whose plot
	}
	ls = append(ls, label{kind: "sign", text: host + "  " + p.Sign, short: host, x: x + 12*z, y: y + 12*z,
		size: 14 * z, c: colSignText, bg: colSign, pad: 4 * z, prio: prioSign})
	for i := range p.Houses {
		h := &p.Houses[i]
		hx, hy, hw, _ := g.cam.rect(h.Rect)
		name := h.Proc
		if h.Root && !strings.HasSuffix(name, " root") { // a watch's "sshd (612) root" says it already
			name += " (root)"
		}
		ls = append(ls, label{kind: "house", text: name, short: h.Proc, x: hx + hw/2, y: hy + 4*z, size: 13 * z, c: colInk, a: alignCenter, prio: prioHouse})
		if r := roles[[2]string{p.Host, h.Proc}]; r != "" {
			ls = append(ls, label{kind: "role", text: r, x: hx + hw/2, y: hy - layout.RoofH*z*0.55, size: 11 * z, c: colRoleText, a: alignCenter, prio: prioRole})
		}
		for j := range h.Doors {
			ls = g.doorLabels(ls, &h.Doors[j])
		}
	}
	if len(p.Orphans) > 0 {
		kx, ky, _, _ := g.cam.rect(p.Kernel)
		ls = append(ls, label{kind: "kernel", text: "kernel: connections without an fd", short: "kernel", x: kx + 6*z, y: ky + 3*z, size: 10 * z, c: colText, prio: prioHouse})
		for j := range p.Orphans {
			ls = g.doorLabels(ls, &p.Orphans[j])
		}
	}
	return ls
}

var colRoleText = color.RGBA{0xff, 0xf4, 0xd8, 0xff}

func (g *Game) drawHouse(dst *ebiten.Image, h *layout.House) {
	z := g.cam.zoom
	x, y, w, hh := g.cam.rect(h.Rect)
	roof := colRoof
	if h.Root {
		roof = colRootRoof
	}
	triangle(dst, x-6*z, y, x+w+6*z, y, x+w/2, y-layout.RoofH*z, roof)
	fillRect(dst, x, y, w, hh, colWall)
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
	if p, ok := g.doorShown(); ok && p.key == d.Key {
		strokeRect(dst, x-4*z, y-4*z, w+8*z, h+8*z, 3*z, colSelect)
	}
}

// doorLabels adds a door's words: its port (and the service of a
// well-known one) over the lintel, its fd on it, and under it the peer's
// address and the socket's state.
func (g *Game) doorLabels(ls []label, d *layout.Door) []label {
	z := g.cam.zoom
	if 12*z < minTextSize {
		return ls
	}
	x, y, w, h := g.cam.rect(d.Rect)
	port, short := d.Port, d.Port
	if port == "" {
		port, short = "-", "-"
	}
	if svc, ok := wellKnown(d.Socket.Local.Port()); ok {
		port = d.Port + " " + svc
	}
	ls = append(ls, label{kind: "port", text: port, short: short, x: x + w/2, y: y - 16*z, size: 12 * z, c: colInk, mono: true, a: alignCenter, prio: prioPort})
	if d.FD > 0 {
		ls = append(ls, label{kind: "fd", text: fmt.Sprintf("fd %d", d.FD), x: x + w/2, y: y + h/2 - 6*z, size: 10 * z, c: colSign, a: alignCenter, prio: prioDoor})
	}
	ink := colInk
	if d.Proc == "" {
		ink = colText
	}
	if d.Remote != "" {
		ls = append(ls, label{kind: "remote", text: d.Remote, x: x + w/2, y: y + h + 2*z, size: 10 * z, c: ink, mono: true, a: alignCenter, prio: prioDoor})
	}
	ls = append(ls, label{kind: "state", text: doorCaption(d), x: x + w/2, y: y + h + 15*z, size: 10 * z, c: ink, a: alignCenter, prio: prioDoor})
	return ls
}

// doorCaption is the word under a door. A TCP socket that is not (or no
// longer) talking to anyone is CLOSED in RFC 9293's words; under the door
// it says, as a UDP door does, whether it is bound to a port yet.
func doorCaption(d *layout.Door) string {
	switch {
	case d.Style == layout.StyleTimeWait && d.Socket.TCP != nil:
		return fmt.Sprintf("TIME-WAIT %.0fs", math.Ceil(d.Socket.TCP.TimeWaitLeft.Seconds()))
	case d.Socket.TCP != nil && d.State == sock.StateClosed && !d.Socket.Remote.IsValid():
		if d.Port == "" {
			return "unbound"
		}
		return "bound"
	}
	return d.State.String()
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
		if l.Kind == play.LetterARP && w >= 8 {
			// An ARP message is a postcard, not an envelope: no flap, a
			// line of writing and a stamp, for it is the link layer's
			// own note and not a packet someone sealed.
			line(dst, x-w/2+3*z, y+h/6, x+w/6, y+h/6, 1.2*z, colInk)
			fillRect(dst, x+w/2-8*z, y-h/2+2*z, 6*z, 6*z, colInk)
		} else if w >= 8 { // the envelope's flap, where it can be seen
			// A shallow flap, so that the kind's mark fits under it.
			line(dst, x-w/2, y-h/2, x, y-h/8, 1.2*z, colInk)
			line(dst, x+w/2, y-h/2, x, y-h/8, 1.2*z, colInk)
		}
		// Its kind in ink too, for a reader who tells no colour (style.go).
		g.text(dst, letterMark(l.Kind), x, y-h/8, 8*z, colInk, false, alignCenter)
		if p, ok := g.letterShown(); ok && p.id == l.ID {
			strokeRect(dst, x-w/2-3*z, y-h/2-3*z, w+6*z, h+6*z, 2*z, colSelect)
		}
	}
}

// letterLabels name each letter under it, or over it, or a little aside
// when another label is there; in a crowd, the shorter name or none.
func (g *Game) letterLabels(ls []label) []label {
	z := g.cam.zoom
	if 11*z < minTextSize {
		return ls
	}
	for _, l := range g.player.Animation().Letters {
		p, ok := g.letterPoint(l)
		if !ok {
			continue
		}
		x, y := g.cam.pt(p)
		text, short := l.Label, ""
		if l.Note != "" {
			text, short = l.Label+" ("+l.Note+")", l.Label
		}
		lb := label{kind: "letter", text: text, short: short, x: x, y: y + 9*z, size: 10 * z, c: colText, a: alignCenter, prio: prioLetter,
			moves: letterMoves(z), offPlots: true}
		if l.Lost {
			lb.kind, lb.text, lb.short, lb.size, lb.c, lb.prio = "lost", text+" - "+l.Reason, l.Label+" - "+l.Reason, 11*z, colError, prioLost
		}
		ls = append(ls, lb)
	}
	return ls
}

// letterMoves are the other places for a letter's name, in device
// pixels from under the letter: over it, further under and over, then
// aside along the road, so that at a road's end, by a plot, the name can
// stand on the road rather than on the plot.
func letterMoves(z float64) []image.Point {
	var out []image.Point
	for _, dx := range []float64{0, -40, 40, -64, 64} {
		for _, dy := range []float64{0, -30, 12, -42, 24} {
			if dx != 0 || dy != 0 {
				out = append(out, image.Point{X: int(dx * z), Y: int(dy * z)})
			}
		}
	}
	return out
}

// flashLabels are the messages rising over plots: a drop, an error. The
// same message twice at one plot (two events of one drop) shows once.
// They keep above the caption band at the town's foot: in a short window
// a plot's message would otherwise rise out of the band, over the
// captions' ground by the console, where it reads as the console's.
func (g *Game) flashLabels(ls []label, area image.Rectangle) []label {
	z := g.cam.zoom
	floor := float64(area.Max.Y)
	if band := g.captionBand(area); band.Dy() > 0 {
		floor = float64(band.Min.Y)
	}
	var up []image.Point // the other places: up and aside, never down
	for _, m := range shifts(16*z, 3) {
		if m.Y <= 0 {
			up = append(up, m)
		}
	}
	fs := g.player.Animation().Flashes
	for i, f := range fs {
		newer := false
		for _, o := range fs[i+1:] {
			newer = newer || o.Host == f.Host && o.Text == f.Text
		}
		p, ok := g.lay.Plot(f.Host)
		if newer || !ok {
			continue
		}
		age := float64(g.player.Wall()-f.Wall) / float64(play.FlashTime)
		x, y, w, _ := g.cam.rect(p.Rect)
		c := colError
		if f.Calm {
			c = colDim
		}
		c.A = uint8(255 * (1 - math.Min(age, 1)))
		y -= 20*z + age*20*z
		if h := g.measure(f.Text, x, y, 12*z, false, alignCenter, 0).h; y+h > floor {
			y = floor - h // lifted out of the band
		}
		if y < float64(area.Min.Y) {
			continue // no room above the band: left out, not drawn over it
		}
		ls = append(ls, label{kind: "flash", text: f.Text, x: x + w/2, y: y, size: 12 * z, c: c, a: alignCenter, prio: prioFlash,
			moves: up})
	}
	return ls
}

// drawPolls shows each poll call as a ring walking past the polled doors
// of the process, below their captions, lighting the doors poll found
// ready.
func (g *Game) drawPolls(dst *ebiten.Image) {
	z := g.cam.zoom
	g.eachPoll(func(d *layout.Door, fd sock.PollFD, current bool) {
		x, y, w, h := g.cam.rect(d.Rect)
		if fd.Revents != 0 {
			strokeRect(dst, x-6*z, y-6*z, w+12*z, h+12*z, 4*z, colReady)
		}
		if current {
			vector.StrokeCircle(dst, float32(x-pollRingX*z), float32(y+h*pollRingY), float32(9*z), float32(3*z), colSelect, false)
		}
	})
}

// The poll ring walks beside the polled doors, pollRingX units left of
// each, a third of the way down it: in the gap between two doors (or a
// door and the wall), where neither the port over the door nor the two
// lines under it are, and which stays inside the house (under the words,
// as it walked first, it ran over the house's bottom edge).
const (
	pollRingX = 18.0
	pollRingY = 0.36 // of the door's height
)

// pollLabels say what poll found at each ready door, and name the ring.
func (g *Game) pollLabels(ls []label) []label {
	z := g.cam.zoom
	g.eachPoll(func(d *layout.Door, fd sock.PollFD, current bool) {
		x, y, w, h := g.cam.rect(d.Rect)
		if fd.Revents != 0 {
			ls = append(ls, label{kind: "revents", text: fd.Revents.String(), x: x + w/2, y: y - 30*z, size: 10 * z, c: colReady, mono: true, a: alignCenter, prio: prioPoll,
				moves: []image.Point{{Y: int(-12 * z)}}})
		}
		if current {
			ls = append(ls, label{kind: "poll", text: "poll", x: x - pollRingX*z, y: y + h*pollRingY + 11*z, size: 10 * z, c: colSelect, a: alignCenter, prio: prioPoll,
				moves: []image.Point{{Y: int(-34 * z)}}})
		}
	})
	return ls
}

// eachPoll calls f for every door each poll walk has reached so far,
// saying whether the ring is at it now.
func (g *Game) eachPoll(f func(d *layout.Door, fd sock.PollFD, current bool)) {
	for _, pw := range g.player.Animation().Polls {
		doors := g.pollDoors(pw)
		if len(doors) == 0 {
			continue
		}
		prog := pw.Progress(g.player.Wall())
		at := min(int(prog*float64(len(doors))), len(doors)-1)
		for i, d := range doors {
			if d != nil && i <= at {
				f(d, pw.FDs[i], i == at)
			}
		}
	}
}

// roadLabel says what is set on a road, over its middle, or under it
// when something else is there: in lines as wide as the road is long,
// so that the words stay between the plots it joins.
func (g *Game) roadLabel(ls []label, r layout.Road) []label {
	z := g.cam.zoom
	cfg, ok := g.linkConfig(r.Link)
	if !ok || 11*z < minTextSize {
		return ls
	}
	size := 11 * z
	x, y := g.roadLabelPoint(r)
	if labelOnUpright(r) {
		// An upright stretch: the words go beside the road, one part a
		// line, where its dashes do not run through them.
		lines := strings.Join(strings.Split(cfg, ", "), "\n")
		h := g.measure(lines, 0, 0, size, false, alignLeft, 0).h
		side := layout.RoadW*z/2 + 6*z
		return append(ls, label{kind: "road", text: lines, short: cfg, x: x + side, y: y - h/2, size: size, c: colText, a: alignLeft, prio: prioRoad,
			bg: colBackground, pad: 2 * z, moves: []image.Point{{X: int(-2 * side)}, {Y: int(h)}, {Y: int(-h)}}})
	}
	lines := g.pack(strings.Split(cfg, ", "), ", ", size, longestStretch(r)*z-8*z)
	h := g.measure(lines, 0, 0, size, false, alignLeft, 0).h
	return append(ls, label{kind: "road", text: lines, short: cfg, x: x, y: y - 22*z - h, size: size, c: colText, a: alignCenter, prio: prioRoad,
		moves: []image.Point{{Y: int(44*z + h)}, {Y: int(-14 * z)}, {Y: int(58*z + h)}}})
}

// pack joins parts with sep into lines no wider than width (a part wider
// than width has a line of its own), one line under the other.
func (g *Game) pack(parts []string, sep string, size, width float64) string {
	face := g.fonts.face(size, false)
	var lines []string
	for _, p := range parts {
		if n := len(lines); n > 0 && text.Advance(lines[n-1]+sep+p, face) <= width {
			lines[n-1] += sep + p
			continue
		}
		lines = append(lines, p)
	}
	return strings.Join(lines, "\n")
}

// labelOnUpright reports whether the stretch a road's words go on runs up
// and down.
func labelOnUpright(r layout.Road) bool {
	at := r.LabelAt()
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		if a.X == b.X && a.X == at.X && at.Y >= min(a.Y, b.Y) && at.Y <= max(a.Y, b.Y) {
			return a.Y != b.Y
		}
	}
	return false
}

// roadLabelPoint is where a road's words are centred, on screen: over
// the stretch the layout keeps for them.
func (g *Game) roadLabelPoint(r layout.Road) (x, y float64) { return g.cam.pt(r.LabelAt()) }

// longestStretch is the length of a road's longest straight part, in town
// units: the words over it are packed no wider.
func longestStretch(r layout.Road) float64 {
	longest := 0.0
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		longest = max(longest, math.Hypot(b.X-a.X, b.Y-a.Y))
	}
	return longest
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
	if roads, _ := g.player.PeerSigns(); roads[name] != "" {
		return roads[name], true // a road to a friend's host: how it goes
	}
	for _, l := range g.player.Snapshot().Links {
		if l.Name != name {
			continue
		}
		return describeLink(l.Config), true
	}
	return "", false
}

// describeLink says what is set on a link, in the link line's words.
func describeLink(c sock.LinkConfig) string {
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
	if c.MTU != 0 && c.MTU != sock.DefaultMTU {
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
