package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/netsim"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// drawPanel draws the selected tab's pictures into the panel's area.
func (g *Game) drawPanel(dst *ebiten.Image) {
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
	switch g.sel.kind {
	case selNone:
		g.drawHelp(sub, area)
	case selRoad:
		g.drawRoadPanel(sub, area)
	case selLetter:
		g.drawPacketTab(sub, area, g.selPacket)
	case selDoor:
		d, ok := g.lay.Door(g.sel.door)
		if !ok {
			return
		}
		if g.tab == tabDoor {
			g.drawDoorTab(sub, area, d)
			return
		}
		g.drawPacketTab(sub, area, g.doorPacket(d))
	}
}

// doorPacket is the last packet the door's connection sent or received.
func (g *Game) doorPacket(d layout.Door) []byte {
	anim := g.player.Animation()
	s := d.Socket
	if pkt, ok := anim.LastPacket[play.PacketKey(d.Key.Host, s.Local, s.Remote)]; ok && s.Remote.IsValid() {
		return pkt
	}
	return anim.LastPacket[d.Key.Host+" "+s.Local.String()]
}

func (g *Game) drawPacketTab(dst *ebiten.Image, area image.Rectangle, pkt []byte) {
	if len(pkt) == 0 {
		g.text(dst, "No packet yet: this door has not sent or received one.", float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(12)), 13*g.scale, colDim, false, alignLeft)
		return
	}
	if g.tab == tabBytes {
		g.drawInspector(dst, area, pkt)
		return
	}
	g.drawCutaway(dst, area, pkt)
}

func (g *Game) drawHelp(dst *ebiten.Image, area image.Rectangle) {
	lines := []string{
		"Plots are hosts, with their address on the sign.",
		"Houses are processes; a purple roof runs as root.",
		"Doors are sockets, with the port over the lintel:",
		"  green archway: listening (LISTEN)",
		"  blue: a connection (ESTABLISHED), peer under it",
		"  yellow: opening; orange: closing; grey: TIME-WAIT",
		"  purple: UDP; brown: a fresh socket",
		"Letters on the roads are packets: SYN yellow,",
		"  SYN|ACK orange, ACK white, data blue, FIN violet,",
		"  RST red, UDP teal, ICMP pink.",
		"",
		"Click a door: its state, buffers and last packet.",
		"Click a letter: its layers and bytes.",
		"Click a road: change its delay, rate, loss, ...",
		"Space pauses, right arrow steps one event,",
		"Enter types in the console below.",
		"The wheel zooms the town, a drag moves it,",
		"F shows all of it again.",
	}
	y := float64(area.Min.Y + g.px(10))
	for _, l := range lines {
		g.text(dst, l, float64(area.Min.X+g.px(12)), y, 13*g.scale, colText, false, alignLeft)
		y += 19 * g.scale
	}
}

func (g *Game) drawRoadPanel(dst *ebiten.Image, area image.Rectangle) {
	desc, _ := g.linkConfig(g.sel.road)
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

// drawDoorTab draws the state diagram, then buffers and windows or the
// listening queues.
func (g *Game) drawDoorTab(dst *ebiten.Image, area image.Rectangle, d layout.Door) {
	x0, y0 := float64(area.Min.X+g.px(10)), float64(area.Min.Y+g.px(6))
	w := float64(area.Dx() - g.px(20))
	s := d.Socket
	if s.Type != netsim.SockTCP {
		g.text(dst, fmt.Sprintf("%s socket, %s; %d datagrams waiting", s.Type, s.State, s.Queued), x0, y0, 13*g.scale, colText, false, alignLeft)
		g.text(dst, "poll says: "+s.Ready.String(), x0, y0+20*g.scale, 13*g.scale, colText, false, alignLeft)
		return
	}
	diagH := math.Min(float64(area.Dy())*0.62, 300*g.scale)
	g.drawDiagram(dst, x0, y0, w, diagH, d)
	y := y0 + diagH + 8*g.scale
	if s.TCP == nil {
		return
	}
	t := s.TCP
	if s.State == "LISTEN" {
		g.bar(dst, x0, y, w, "SYN queue (half-open)", t.SynQueue, t.Backlog+1, 0, colDim)
		g.bar(dst, x0, y+40*g.scale, w, "accept queue (ready for accept)", t.AcceptQueue, t.Backlog+1, 0, colDim)
		g.text(dst, fmt.Sprintf("backlog %d: Linux keeps up to backlog+1 connections waiting", t.Backlog), x0, y+80*g.scale, 12*g.scale, colDim, false, alignLeft)
		return
	}
	g.bar(dst, x0, y, w, fmt.Sprintf("send buffer: %d B queued, %d in flight", t.SndQueued, t.InFlight), t.SndQueued, t.SndBuf, t.InFlight, color.RGBA{0x50, 0xa8, 0xff, 0xff})
	g.bar(dst, x0, y+40*g.scale, w, fmt.Sprintf("receive buffer: %d B unread, %d out of order", t.RcvQueued, t.OutOfOrder), t.RcvQueued, t.RcvBuf, t.OutOfOrder, color.RGBA{0x40, 0xd8, 0x90, 0xff})
	g.text(dst, fmt.Sprintf("windows: the peer's %d B, ours %d B;  MSS %d B", t.SndWnd, t.RcvWnd, t.MSS), x0, y+80*g.scale, 12*g.scale, colDim, false, alignLeft)
	g.text(dst, fmt.Sprintf("congestion window %d B, ssthresh %s;  RTO %v, smoothed RTT %v",
		t.Cwnd, ssthresh(t.Ssthresh), t.RTO.Round(time.Millisecond), t.SRTT.Round(10*time.Microsecond)), x0, y+97*g.scale, 12*g.scale, colDim, false, alignLeft)
	if t.TimeWaitLeft > 0 {
		g.text(dst, fmt.Sprintf("TIME-WAIT: %.1f s left; the address cannot be bound until then", t.TimeWaitLeft.Seconds()), x0, y+116*g.scale, 12*g.scale, colSelect, false, alignLeft)
	}
}

func ssthresh(v int) string {
	if v >= 1<<30 {
		return "inf"
	}
	return fmt.Sprint(v)
}

// bar draws a labelled fill bar: used of size, with extra drawn hatched
// after it (bytes in flight, bytes out of order).
func (g *Game) bar(dst *ebiten.Image, x, y, w float64, label string, used, size, extra int, c color.RGBA) {
	g.text(dst, label, x, y, 12*g.scale, colText, false, alignLeft)
	by, bh := y+17*g.scale, 14*g.scale
	fillRect(dst, x, by, w, bh, color.RGBA{0x30, 0x36, 0x40, 0xff})
	if size > 0 {
		f := math.Min(float64(used)/float64(size), 1)
		fillRect(dst, x, by, w*f, bh, c)
		if extra > 0 {
			e := math.Min(float64(extra)/float64(size), 1-f)
			dim := c
			dim.A = 0x80
			fillRect(dst, x+w*f, by, w*e, bh, dim)
		}
	}
	strokeRect(dst, x, by, w, bh, 1, colPanelEdge)
	g.text(dst, fmt.Sprintf("%d / %d", used, size), x+w-4*g.scale, by, 11*g.scale, colText, true, alignRight)
}

// drawDiagram draws RFC 9293's state diagram with the door's state lit
// and its latest transition's arrow glowing for a moment.
func (g *Game) drawDiagram(dst *ebiten.Image, x, y, w, h float64, d layout.Door) {
	bw, bh := w/3-12*g.scale, math.Min(h/7-6*g.scale, 26*g.scale)
	center := func(c diagramCell) (float64, float64) {
		return x + (c.col+0.5)*w/3, y + (c.row+0.5)*h/7
	}
	last, lit := g.lastTransition(d)
	for _, e := range diagramEdges {
		a, _ := diagramCellOf(e.from)
		b, _ := diagramCellOf(e.to)
		ax, ay := center(a)
		bx, by := center(b)
		c, width := color.Color(colPanelEdge), 1.5
		if lit && last.From == e.from && last.To == e.to {
			age := float64(g.player.Wall()-last.Wall) / float64(play.TransitionTime)
			c, width = colSelect, 4-2*age
		}
		line(dst, ax, ay, bx, by, width*g.scale, c)
		// An arrowhead where the line meets the target's box.
		g.arrowHead(dst, ax, ay, bx, by, bw, bh, c)
	}
	for _, c := range diagramCells {
		cx, cy := center(c)
		fill, ink := color.RGBA{0x2a, 0x30, 0x3a, 0xff}, colDim
		if c.state == d.State {
			fill, ink = colSelect, colInk
		}
		fillRect(dst, cx-bw/2, cy-bh/2, bw, bh, fill)
		strokeRect(dst, cx-bw/2, cy-bh/2, bw, bh, 1, colPanelEdge)
		g.text(dst, c.state, cx, cy-7*g.scale, 11*g.scale, ink, false, alignCenter)
	}
	if lit {
		g.text(dst, last.From+" -> "+last.To, x+w, y, 12*g.scale, colSelect, false, alignRight)
		if why := transitionCause(last.From, last.To); why != "" {
			g.text(dst, why, x+w, y+16*g.scale, 11*g.scale, colSelect, false, alignRight)
		}
	}
}

func (g *Game) arrowHead(dst *ebiten.Image, ax, ay, bx, by, bw, bh float64, c color.Color) {
	dx, dy := bx-ax, by-ay
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	ux, uy := dx/n, dy/n
	// Back off from the center to the box's edge.
	t := math.Min(math.Abs(bw/2/nz(ux)), math.Abs(bh/2/nz(uy)))
	tx, ty := bx-ux*t, by-uy*t
	s := 7 * g.scale
	triangle(dst, tx, ty, tx-ux*s-uy*s/2, ty-uy*s+ux*s/2, tx-ux*s+uy*s/2, ty-uy*s-ux*s/2, c)
}

func nz(v float64) float64 {
	if math.Abs(v) < 1e-9 {
		return 1e-9
	}
	return v
}

// lastTransition finds the door's newest state change still glowing.
func (g *Game) lastTransition(d layout.Door) (play.Transition, bool) {
	ts := g.player.Animation().Transitions
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		if t.Host == d.Key.Host && t.Local == d.Socket.Local.String() && t.Remote == d.Socket.Remote.String() {
			return t, true
		}
	}
	return play.Transition{}, false
}

// The five floors of the cut-away, top to bottom.
var floors = []string{"application", "transport", "network", "link", "physical"}

// drawCutaway shows the message going down the sender's five floors as
// headers are added, across the road, and up the receiver's as they are
// taken off, again and again.
func (g *Game) drawCutaway(dst *ebiten.Image, area image.Rectangle, pkt []byte) {
	x0, y0 := float64(area.Min.X+g.px(10)), float64(area.Min.Y+g.px(6))
	w := float64(area.Dx() - g.px(20))
	h := math.Min(float64(area.Dy())-g.px2(60), 330*g.scale)
	floorH := h / 5
	units := layerUnits(pkt)
	src, dst2 := "sender", "receiver"
	if ip, err := wire.ParseIPv4(pkt); err == nil {
		src, dst2 = ip.Src().String(), ip.Dst().String()
	}
	colW := w * 0.42
	for i, name := range floors {
		fy := y0 + float64(i)*floorH
		shade := color.RGBA{0x26 + uint8(i*6), 0x2c + uint8(i*6), 0x36 + uint8(i*6), 0xff}
		fillRect(dst, x0, fy, colW, floorH-2, shade)
		fillRect(dst, x0+w-colW, fy, colW, floorH-2, shade)
		g.text(dst, name, x0+w/2, fy+floorH/2-7*g.scale, 11*g.scale, colDim, false, alignCenter)
	}
	g.text(dst, src, x0+colW/2, y0+h+4*g.scale, 12*g.scale, colText, true, alignCenter)
	g.text(dst, dst2, x0+w-colW/2, y0+h+4*g.scale, 12*g.scale, colText, true, alignCenter)
	// The moving block: 0..0.4 down the sender, 0.4..0.6 across, 0.6..1 up.
	const cycle = 5 * time.Second
	ph := float64(g.player.Wall()%cycle) / float64(cycle)
	var floor float64
	var bx float64
	switch {
	case ph < 0.4:
		floor, bx = ph/0.4*4, x0
	case ph < 0.6:
		floor, bx = 4, x0+(ph-0.4)/0.2*(w-colW)
	default:
		floor, bx = (1-(ph-0.6)/0.4)*4, x0+w-colW
	}
	level := int(math.Round(floor))
	u := units[level]
	by := y0 + floor*floorH + 4*g.scale
	g.drawUnit(dst, bx+4*g.scale, by, colW-8*g.scale, floorH-10*g.scale, u)
	for i, l := range g.wrap(units[level].caption, 12*g.scale, w) {
		g.text(dst, l, x0, y0+h+(24+float64(i)*16)*g.scale, 12*g.scale, colText, false, alignLeft)
	}
}

func (g *Game) px2(v float64) float64 { return v * g.scale }

// unit is what a message is on one floor: its parts and their sizes.
type unit struct {
	parts   []unitPart
	caption string
}

type unitPart struct {
	name string
	n    int
	c    color.RGBA
}

var (
	colApp   = color.RGBA{0xff, 0xa8, 0x40, 0xff}
	colTrans = color.RGBA{0x50, 0xc8, 0x70, 0xff}
	colNet   = color.RGBA{0x50, 0x90, 0xf0, 0xff}
	colLink  = color.RGBA{0xb0, 0x70, 0xe0, 0xff}
)

// layerUnits says what the packet is on each floor, from the bytes.
func layerUnits(pkt []byte) [5]unit {
	ipHdr, trHdr, payload := len(pkt), 0, 0
	trName := "transport"
	if ip, err := wire.ParseIPv4(pkt); err == nil {
		ipHdr = ip.HeaderLen()
		body := len(pkt) - ipHdr
		switch ip.Protocol() {
		case wire.ProtocolTCP:
			trName = "TCP"
			if t, err := wire.ParseTCP(ip.Payload()); err == nil {
				trHdr = t.HeaderLen()
			}
		case wire.ProtocolUDP:
			trName, trHdr = "UDP", wire.UDPHeaderLen
		case wire.ProtocolICMP:
			trName, trHdr = "ICMP", wire.ICMPv4HeaderLen
		}
		trHdr = min(trHdr, body)
		payload = body - trHdr
	}
	app := unitPart{"data", payload, colApp}
	tr := unitPart{trName + " hdr", trHdr, colTrans}
	nw := unitPart{"IP hdr", ipHdr, colNet}
	eth := unitPart{"frame hdr", 14, colLink}
	fcs := unitPart{"FCS", 4, colLink}
	total := len(pkt)
	return [5]unit{
		{parts: []unitPart{app}, caption: fmt.Sprintf("application: a message of %d bytes, written with send()", payload)},
		{parts: []unitPart{tr, app}, caption: fmt.Sprintf("transport: a %s segment, %d-byte header + %d bytes (ports, seq, ack)", trName, trHdr, payload)},
		{parts: []unitPart{nw, tr, app}, caption: fmt.Sprintf("network: an IP packet of %d bytes, %d-byte header (addresses, TTL)", total, ipHdr)},
		{parts: []unitPart{eth, nw, tr, app, fcs}, caption: fmt.Sprintf("link: a frame; Ethernet would add 14 + 4 bytes (the town's links carry the %d-byte packet)", total)},
		{parts: []unitPart{{"bits on the wire", total + 18, colDim}}, caption: fmt.Sprintf("physical: %d bits, as signals on the wire", (total+18)*8)},
	}
}

func (g *Game) drawUnit(dst *ebiten.Image, x, y, w, h float64, u unit) {
	total := 0
	for _, p := range u.parts {
		total += max(p.n, 1)
	}
	// Headers are small next to data: give each part at least a fifth.
	minW := w / 5
	widths := make([]float64, len(u.parts))
	sum := 0.0
	for i, p := range u.parts {
		widths[i] = math.Max(w*float64(max(p.n, 1))/float64(total), minW)
		sum += widths[i]
	}
	for i := range widths {
		widths[i] *= w / sum
	}
	for i, p := range u.parts {
		fillRect(dst, x, y, widths[i]-2, h, p.c)
		g.text(dst, p.name, x+widths[i]/2, y+h/2-13*g.scale, 10*g.scale, colInk, false, alignCenter)
		g.text(dst, fmt.Sprintf("%d B", p.n), x+widths[i]/2, y+h/2, 10*g.scale, colInk, true, alignCenter)
		x += widths[i]
	}
}

// inspectorGeom is where the hex dump's bytes and the field list are; the
// drawing, the hover test and the state hook share it. Both scroll: the
// dump by rows of sixteen bytes, the list by fields.
type inspectorGeom struct {
	x, y           float64 // the hex dump's top-left
	cellW, lineH   float64
	firstRow, rows int // the dump shows rows firstRow .. firstRow+rows-1
	totalRows      int
	fieldsY        float64
	fieldH         float64
	firstField     int
	fieldsVisible  int
	valueX         float64 // where the field list's values start
}

const bytesPerRow = 16

// byteBox is where the dump lights byte i, if its row is on screen.
func (ig inspectorGeom) byteBox(i int, scale float64) (x, y, w, h float64, ok bool) {
	r, c := i/bytesPerRow-ig.firstRow, i%bytesPerRow
	if r < 0 || r >= ig.rows {
		return 0, 0, 0, 0, false
	}
	return ig.x + float64(c)*ig.cellW - 2*scale, ig.y + float64(r)*ig.lineH, ig.cellW - 2*scale, ig.lineH, true
}

// fieldY is where field i's row of the list is, if it is on screen.
func (ig inspectorGeom) fieldY(i int) (float64, bool) {
	r := i - ig.firstField
	return ig.fieldsY + float64(r)*ig.fieldH, r >= 0 && r < ig.fieldsVisible
}

func (g *Game) inspectorGeometry(area image.Rectangle, n, fields int) inspectorGeom {
	// Sixteen columns of bytes in what the panel's width leaves.
	cellW := math.Min(24*g.scale, (float64(area.Dx())-56*g.scale)/bytesPerRow)
	ig := inspectorGeom{
		x: float64(area.Min.X) + 48*g.scale, y: float64(area.Min.Y) + 8*g.scale,
		cellW: cellW, lineH: 16 * g.scale, fieldH: 17 * g.scale,
		valueX: float64(area.Min.X) + math.Min(190*g.scale, float64(area.Dx())*0.45),
	}
	maxRows := max(int((float64(area.Dy())*0.45)/ig.lineH), 1)
	ig.totalRows = (n + bytesPerRow - 1) / bytesPerRow
	ig.rows = min(ig.totalRows, maxRows)
	ig.firstRow = min(max(g.scroll.dump, 0), ig.totalRows-ig.rows)
	ig.fieldsY = ig.y + float64(ig.rows)*ig.lineH + 12*g.scale
	fit := max(int((float64(area.Max.Y)-ig.fieldsY)/ig.fieldH), 0)
	ig.firstField = max(min(g.scroll.fields, fields-fit), 0)
	ig.fieldsVisible = min(fields-ig.firstField, fit)
	return ig
}

// hoveredField is the inspector field under the mouse, by its row in the
// field list or by one of its bytes in the dump.
func (g *Game) hoveredField() int {
	pkt, ok := g.inspectedPacket()
	if !ok {
		return -1
	}
	fields := g.fieldsOf(pkt)
	area := g.w.panelArea.GetWidget().Rect
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	mx, my := ebiten.CursorPosition()
	return ig.fieldAt(fields, float64(mx), float64(my), area)
}

// dissected is the inspector's packet decoded, kept while it stays the
// same packet: the hover test, the wheel, the drawing and the state hook
// all read it every frame.
type dissected struct {
	pkt    []byte
	fields []wire.Field
}

// fieldsOf decodes pkt, or returns the fields decoded last time for it.
func (g *Game) fieldsOf(pkt []byte) []wire.Field {
	d := &g.dissected
	if len(pkt) != len(d.pkt) || len(pkt) == 0 || &pkt[0] != &d.pkt[0] {
		d.pkt, d.fields = pkt, wire.Dissect(pkt)
	}
	return d.fields
}

// inspectedPacket is the packet the byte inspector shows, if it is open.
func (g *Game) inspectedPacket() ([]byte, bool) {
	if g.tab != tabBytes {
		return nil, false
	}
	switch g.sel.kind {
	case selLetter:
		return g.selPacket, len(g.selPacket) > 0
	case selDoor:
		d, ok := g.lay.Door(g.sel.door)
		if !ok {
			return nil, false
		}
		pkt := g.doorPacket(d)
		return pkt, len(pkt) > 0
	}
	return nil, false
}

// fieldAt is the field whose row in the list, or one of whose bytes in
// the dump, is under the screen point x, y; -1 for none.
func (ig inspectorGeom) fieldAt(fields []wire.Field, x, y float64, area image.Rectangle) int {
	if y >= ig.fieldsY && x >= float64(area.Min.X) && x < float64(area.Max.X) {
		if r := int((y - ig.fieldsY) / ig.fieldH); r < ig.fieldsVisible {
			return ig.firstField + r
		}
	}
	col, row := int((x-ig.x)/ig.cellW), int((y-ig.y)/ig.lineH)
	if x < ig.x || col >= bytesPerRow || y < ig.y || row >= ig.rows {
		return -1
	}
	off := (ig.firstRow+row)*bytesPerRow + col
	for i, f := range fields {
		if off >= f.Off && off < f.Off+f.Len {
			return i
		}
	}
	return -1
}

// drawInspector shows the packet's bytes in hex, coloured by layer, and
// its decoded fields; the hovered field lights its bytes.
func (g *Game) drawInspector(dst *ebiten.Image, area image.Rectangle, pkt []byte) {
	fields := g.fieldsOf(pkt)
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	layerOf := make([]wire.Layer, len(pkt))
	for _, f := range fields {
		for i := f.Off; i < f.Off+f.Len && i < len(pkt); i++ {
			layerOf[i] = f.Layer
		}
	}
	var lit wire.Field
	if g.hover >= 0 && g.hover < len(fields) {
		lit = fields[g.hover]
	}
	for r := 0; r < ig.rows; r++ {
		y := ig.y + float64(r)*ig.lineH
		row := ig.firstRow + r
		g.text(dst, fmt.Sprintf("%04x", row*bytesPerRow), float64(area.Min.X)+8*g.scale, y, 11*g.scale, colDim, true, alignLeft)
		for c := 0; c < bytesPerRow; c++ {
			i := row*bytesPerRow + c
			if i >= len(pkt) {
				break
			}
			x := ig.x + float64(c)*ig.cellW
			ink := layerColor(layerOf[i])
			if lit.Len > 0 && i >= lit.Off && i < lit.Off+lit.Len {
				hx, hy, hw, hh, _ := ig.byteBox(i, g.scale)
				fillRect(dst, hx, hy, hw, hh, colHighlight)
				ink = colInk // dark on the highlight
			}
			g.text(dst, fmt.Sprintf("%02x", pkt[i]), x, y, 12*g.scale, ink, true, alignLeft)
		}
	}
	if ig.rows < ig.totalRows {
		more := fmt.Sprintf("rows %d-%d of %d: the wheel scrolls", ig.firstRow+1, ig.firstRow+ig.rows, ig.totalRows)
		g.text(dst, more, float64(area.Max.X)-8*g.scale, ig.y+float64(ig.rows)*ig.lineH-1*g.scale, 10*g.scale, colDim, false, alignRight)
	}
	for i := ig.firstField; i < ig.firstField+ig.fieldsVisible; i++ {
		f := fields[i]
		y, _ := ig.fieldY(i)
		nameInk, valueInk := color.Color(layerColor(f.Layer)), color.Color(colText)
		if i == g.hover {
			fillRect(dst, float64(area.Min.X), y, float64(area.Dx()), ig.fieldH, colHighlight)
			nameInk, valueInk = colInk, colInk
		}
		name := fmt.Sprintf("%-5s %s", f.Header, f.Name)
		g.text(dst, name, float64(area.Min.X)+8*g.scale, y, 12*g.scale, nameInk, false, alignLeft)
		val := f.Value
		if len(val) > 44 {
			val = val[:41] + "..."
		}
		g.text(dst, strings.ReplaceAll(val, "\n", " "), ig.valueX, y, 12*g.scale, valueInk, true, alignLeft)
	}
	if ig.fieldsVisible < len(fields) {
		g.text(dst, fmt.Sprintf("fields %d-%d of %d", ig.firstField+1, ig.firstField+ig.fieldsVisible, len(fields)),
			float64(area.Max.X)-8*g.scale, ig.fieldsY-13*g.scale, 10*g.scale, colDim, false, alignRight)
	}
}

func layerColor(l wire.Layer) color.RGBA {
	switch l {
	case wire.LayerNetwork:
		return colNet
	case wire.LayerTransport:
		return colTrans
	}
	return colApp
}
