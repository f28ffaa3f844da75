package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"socketville/shared/sock"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/town/layout"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// drawPanel draws the selected tab's pictures into the panel's area.
func (g *Game) drawPanel(dst *ebiten.Image) {
	if !g.panelShown() {
		return
	}
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
	case selPlot:
		g.drawPlotPanel(sub, area)
	case selLetter:
		g.drawPacketTab(sub, area, g.selPacket, g.selFrame)
	case selDoor:
		d, ok := g.lay.Door(g.sel.door)
		if !ok {
			return
		}
		if g.tab == tabDoor {
			g.drawDoorTab(sub, area, d)
			return
		}
		pkt, frame := g.doorPacket(d)
		g.drawPacketTab(sub, area, pkt, frame)
	}
}

// doorPacket is the last packet the door's connection sent or received,
// and the frame it rode in (nil when the kernel shows none).
func (g *Game) doorPacket(d layout.Door) (pkt, frame []byte) {
	anim := g.player.Animation()
	s := d.Socket
	key := play.PacketKey(d.Key.Host, s.Local, s.Remote)
	if pkt, ok := anim.LastPacket[key]; ok && s.Remote.IsValid() {
		return pkt, anim.LastFrame[key]
	}
	key = d.Key.Host + " " + s.Local.String()
	return anim.LastPacket[key], anim.LastFrame[key]
}

func (g *Game) drawPacketTab(dst *ebiten.Image, area image.Rectangle, pkt, frame []byte) {
	if len(pkt) == 0 {
		g.text(dst, "No packet yet: this door has not sent or received one.", float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(12)), 13*g.scale, colDim, false, alignLeft)
		return
	}
	if g.tab == tabBytes {
		g.drawInspector(dst, area)
		return
	}
	g.drawCutaway(dst, area, pkt, frame)
}

// kernelHelp says which kernel the town shows and what that means for time.
func (g *Game) kernelHelp() []string {
	if g.player.Live() && g.player.KernelName() == "simulator" {
		return []string{
			"Kernel: " + g.player.KernelLabel() + " (the badge, top left).",
			"  The town is simulated, and runs on the wall clock so",
			"  that real programs can talk to it (--forward): there",
			"  is no speed to set; Pause holds the next line while",
			"  the town goes on, Step starts it. Letters are slowed",
			"  so you can follow them: a door may change first.",
		}
	}
	if g.player.Live() {
		return []string{
			"Kernel: " + g.player.KernelLabel() + " (the badge, top left).",
			"  These are the machine's real sockets: time is the",
			"  wall clock, so there is no speed to set; Pause holds",
			"  the next line while the kernel goes on, Step starts it.",
			"  Letters are slowed so you can follow them; the",
			"  kernel's times are real: a door may change first.",
		}
	}
	return []string{
		"Kernel: the simulator (the badge, top left): time is",
		"  virtual, so it can pause, step, slow down and hurry.",
	}
}

func (g *Game) drawHelp(dst *ebiten.Image, area image.Rectangle) {
	lines := []string{
		"Plots are hosts, with their address on the sign; a",
		"  crossroads is a router, a grey box in a yard a switch.",
		"Houses are processes; a purple roof runs as root;",
		"  the roof says client (it connects) or server (it listens).",
		"Doors are sockets, with the port over the lintel:",
		"  green archway: listening (LISTEN)",
		"  blue: a connection (ESTABLISHED), peer under it",
		"  yellow: opening; orange: closing; grey: TIME-WAIT",
		"  purple: UDP; brown: a fresh socket",
		"Letters on the roads are packets: SYN yellow,",
		"  SYN|ACK orange, ACK white, data blue, FIN violet,",
		"  RST red, UDP teal, ICMP pink; ARP's green postcards",
		"  ask a link who has an address, and answer.",
		"",
	}
	if g.player.Watching() {
		// A watched machine has no roads to change, no story to step
		// and no shell to type to.
		lines = append(lines,
			"Click a door: its state, queues, cwnd and RTT.",
			"The wheel zooms the town, a drag moves it,",
			"F shows all of it again (in a small window: its start).",
			"",
			"This is the machine itself: a house is a process",
			"  (command, pid, user), a door one of its sockets.",
			"  No scenario: Pause freezes the picture, Play goes on.")
	} else {
		lines = append(lines,
			"Click a door: its state, buffers and last packet.",
			"Click a letter: its layers and bytes.",
			"Click a road: change its delay, rate, loss, ...",
			"Click a plot: its interfaces, ARP cache and routes;",
			"  a switch's yard: its ports and MAC table.",
			"Space plays and pauses, right arrow steps one event.",
			"Enter types in the console below, Esc leaves it;",
			"  help lists every line, PageUp scrolls back.",
			"The wheel zooms the town, a drag moves it,",
			"F shows all of it again (in a small window: its start).",
			"")
		lines = append(lines, g.kernelHelp()...)
	}
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(10))
	size, width := 13*g.scale, float64(area.Dx()-g.px(24))
	for _, l := range lines {
		// A narrow drawer wraps a line; its indent carries on.
		body := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(body)]
		for _, w := range g.wrap(body, size, width-g.textWidth(indent, size)) {
			g.text(dst, indent+w, x, y, size, colText, false, alignLeft)
			y += 19 * g.scale
		}
	}
}

// textWidth is how wide s is drawn at size, in device pixels.
func (g *Game) textWidth(s string, size float64) float64 {
	return text.Advance(s, g.fonts.face(size, false))
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

// drawDoorTab draws the state diagram, then what means something in the
// door's state: a fresh or bound socket's buffers and options, a
// listening socket's queues, a connection's buffers, windows and timers.
func (g *Game) drawDoorTab(dst *ebiten.Image, area image.Rectangle, d layout.Door) {
	x0, y0 := float64(area.Min.X+g.px(10)), float64(area.Min.Y+g.px(6))
	w := float64(area.Dx() - g.px(20))
	s := d.Socket
	if s.Type != sock.SockTCP {
		g.text(dst, fmt.Sprintf("%s socket, %s; %s waiting", s.Type, s.State, plural(s.Queued, "datagram", "datagrams")), x0, y0, 13*g.scale, colText, false, alignLeft)
		g.text(dst, "poll says: "+s.Ready.String(), x0, y0+20*g.scale, 13*g.scale, colText, false, alignLeft)
		y := g.drawPortWords(dst, x0, y0+40*g.scale, w, d)
		g.drawOptions(dst, x0, y+6*g.scale, w, s)
		return
	}
	diagH := math.Min(float64(area.Dy())*0.55, 300*g.scale)
	g.drawDiagram(dst, x0, y0, w, diagH, d)
	y := g.drawPortWords(dst, x0, y0+diagH+8*g.scale, w, d)
	if s.TCP == nil {
		return
	}
	t := s.TCP
	switch {
	case s.State == sock.StateListen:
		g.bar(dst, x0, y, w, "SYN queue (half-open)", t.SynQueue, t.Backlog+1, 0, colDim)
		g.bar(dst, x0, y+40*g.scale, w, "accept queue (ready for accept)", t.AcceptQueue, t.Backlog+1, 0, colDim)
		g.text(dst, fmt.Sprintf("backlog %d: Linux keeps up to backlog+1 connections waiting", t.Backlog), x0, y+80*g.scale, 12*g.scale, colDim, false, alignLeft)
	case !connecting(s):
		// Not connected yet (or never, or no longer): no peer, so no
		// window, MSS or round trip to show; only what the program has
		// set, and for a connection that is over, that it is.
		if over := overWords(s); over != "" {
			for _, l := range g.wrap(over, 12*g.scale, w) {
				g.text(dst, l, x0, y, 12*g.scale, colDim, false, alignLeft)
				y += 16 * g.scale
			}
			y += 6 * g.scale
		}
		g.bar(dst, x0, y, w, "send buffer (SO_SNDBUF)", 0, t.SndBuf, 0, color.RGBA{0x50, 0xa8, 0xff, 0xff})
		g.bar(dst, x0, y+40*g.scale, w, "receive buffer (SO_RCVBUF)", 0, t.RcvBuf, 0, color.RGBA{0x40, 0xd8, 0x90, 0xff})
		g.drawOptions(dst, x0, y+80*g.scale, w, s)
	default:
		g.drawConnection(dst, x0, y, w, s)
	}
}

// drawPortWords says what kind of port the door has, wrapped to the
// panel's width w, and returns where the next line goes.
func (g *Game) drawPortWords(dst *ebiten.Image, x, y, w float64, d layout.Door) float64 {
	eph := sock.EphemeralDefault
	for _, p := range g.lay.Plots {
		if p.Host == d.Key.Host {
			eph = p.Ephemeral
		}
	}
	words := portWords(d.Socket.Local.Port(), eph)
	if words == "" {
		return y // no port yet
	}
	size := 12 * g.scale
	for _, l := range g.wrap(words, size, w) {
		g.text(dst, l, x, y, size, colDim, false, alignLeft)
		y += 16 * g.scale
	}
	return y + 6*g.scale
}

// connecting reports a TCP socket that has a peer: connecting, connected
// or closing. A fresh, bound or listening one has none, nor has one whose
// connection is over (refused, reset or timed out): its numbers would be
// zeros and leftovers that mean nothing.
func connecting(s sock.SocketState) bool {
	return s.State != sock.StateListen && s.State != sock.StateClosed
}

// overWords says that a CLOSED socket that had a peer has none any more,
// or is "" for a socket that never had one.
func overWords(s sock.SocketState) string {
	if s.State != sock.StateClosed || !s.Remote.IsValid() {
		return ""
	}
	return fmt.Sprintf("the connection to %v is over (refused, reset or timed out): no peer any more, so no window, MSS or timers; close the fd to free it", s.Remote)
}

// connectionLines are a connection's windows and timers, in words. Until
// the peer answers the SYN there is no window, MSS or congestion window
// yet, only the SYN's retransmission timer.
func connectionLines(s sock.SocketState) []string {
	t := s.TCP
	rtt := "no round trip measured yet"
	if t.SRTT > 0 {
		rtt = fmt.Sprintf("smoothed RTT %v", t.SRTT.Round(10*time.Microsecond))
	}
	if s.State == sock.StateSynSent {
		return []string{
			"windows, MSS and congestion window: agreed once the peer answers the SYN",
			fmt.Sprintf("RTO %v, doubled each time the SYN goes again; %s", t.RTO.Round(time.Millisecond), rtt),
		}
	}
	return []string{
		fmt.Sprintf("windows: the peer's %d B, ours %d B;  MSS %d B", t.SndWnd, t.RcvWnd, t.MSS),
		fmt.Sprintf("congestion window %d B, ssthresh %s;  RTO %v, %s", t.Cwnd, ssthresh(t.Ssthresh), t.RTO.Round(time.Millisecond), rtt),
	}
}

// drawConnection draws a connection's buffers, windows and timers.
func (g *Game) drawConnection(dst *ebiten.Image, x0, y, w float64, s sock.SocketState) {
	t := s.TCP
	g.bar(dst, x0, y, w, fmt.Sprintf("send buffer: %d B queued, %d in flight", t.SndQueued, t.InFlight), t.SndQueued, t.SndBuf, t.InFlight, color.RGBA{0x50, 0xa8, 0xff, 0xff})
	g.bar(dst, x0, y+40*g.scale, w, fmt.Sprintf("receive buffer: %d B unread, %d out of order", t.RcvQueued, t.OutOfOrder), t.RcvQueued, t.RcvBuf, t.OutOfOrder, color.RGBA{0x40, 0xd8, 0x90, 0xff})
	ly := y + 80*g.scale
	for _, l := range connectionLines(s) {
		for _, wl := range g.wrap(l, 12*g.scale, w) {
			g.text(dst, wl, x0, ly, 12*g.scale, colDim, false, alignLeft)
			ly += 16 * g.scale
		}
	}
	if t.TimeWaitLeft > 0 {
		g.text(dst, fmt.Sprintf("TIME-WAIT: %.1f s left; the address cannot be bound until then", t.TimeWaitLeft.Seconds()), x0, ly+3*g.scale, 12*g.scale, colSelect, false, alignLeft)
	}
}

// drawOptions lists the socket's options as setsockopt sets them, in
// two columns.
func (g *Game) drawOptions(dst *ebiten.Image, x, y, w float64, s sock.SocketState) {
	g.text(dst, "options (setsockopt):", x, y, 12*g.scale, colText, false, alignLeft)
	for i, o := range optionTexts(s) {
		cx := x + float64(i%2)*w/2
		cy := y + float64(i/2+1)*16*g.scale
		g.text(dst, o, cx, cy, 12*g.scale, colDim, false, alignLeft)
	}
}

// optionsText is "SO_REUSEADDR off  SO_RCVBUF 131072 ..." for a socket.
func optionsText(s sock.SocketState) string { return strings.Join(optionTexts(s), "  ") }

// optionTexts are the socket's options, "SO_REUSEADDR off" and so on,
// and whether it blocks.
func optionTexts(s sock.SocketState) []string {
	var parts []string
	for _, o := range s.Options {
		v := fmt.Sprint(o.Value)
		switch o.Opt {
		case sock.OptReuseAddr, sock.OptNoDelay, sock.OptBroadcast:
			v = onOff(o.Value != 0)
		case sock.OptLinger:
			if o.Value < 0 {
				v = "off"
			}
		case sock.OptRcvTimeo:
			if o.Value == 0 {
				v = "0 (no limit)"
			}
		}
		parts = append(parts, o.Opt.String()+" "+v)
	}
	return append(parts, "O_NONBLOCK "+onOff(s.Nonblock))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// stateLabel is a socket's state as the panel says it: a TCP socket in
// CLOSED says whether it is fresh, bound, or a connection that is over,
// as a datagram socket says "unbound" or "bound".
func stateLabel(s sock.SocketState) string {
	if s.Type != sock.SockTCP || s.State != sock.StateClosed {
		return s.State.String()
	}
	switch {
	case s.Remote.IsValid():
		return "CLOSED (connection over)"
	case s.Local.Port() != 0:
		return "bound (CLOSED)"
	}
	return "unbound (CLOSED)"
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
		label := c.state.String()
		if c.state == d.State {
			label = stateLabel(d.Socket)
		}
		g.text(dst, label, cx, cy-7*g.scale, 11*g.scale, ink, false, alignCenter)
	}
	if lit {
		g.text(dst, last.From.String()+" -> "+last.To.String(), x+w, y, 12*g.scale, colSelect, false, alignRight)
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
	pkt, fields, ok := g.inspected()
	if !ok {
		return -1
	}
	area := g.w.panelArea.GetWidget().Rect
	ig := g.inspectorGeometry(area, len(pkt), len(fields))
	mx, my := ebiten.CursorPosition()
	return ig.fieldAt(fields, float64(mx), float64(my), area)
}

// dissected is the inspector's bytes decoded, kept while it shows the
// same packet: the hover test, the wheel, the drawing and the state hook
// all read it every frame. The bytes are the frame with its FCS when the
// kernel gave the frame, else the packet.
type dissected struct {
	pkt, frame []byte // what they were made from
	bytes      []byte
	fields     []wire.Field
}

func same(a, b []byte) bool { return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) }

// dissect decodes what the inspector shows of a packet and its frame, or
// returns what it decoded last time for them.
func (g *Game) dissect(pkt, frame []byte) ([]byte, []wire.Field) {
	d := &g.dissected
	if len(pkt) == 0 && len(frame) == 0 {
		return nil, nil
	}
	if d.bytes == nil || !same(pkt, d.pkt) || !same(frame, d.frame) {
		d.pkt, d.frame = pkt, frame
		if len(frame) > 0 {
			d.bytes = wire.AppendFCS(append([]byte(nil), frame...))
			d.fields = wire.DissectFrame(d.bytes, true)
		} else {
			d.bytes, d.fields = pkt, wire.Dissect(pkt)
		}
	}
	return d.bytes, d.fields
}

// inspected is what the byte inspector shows, if it is open: the bytes
// and their fields.
func (g *Game) inspected() ([]byte, []wire.Field, bool) {
	if g.tab != tabBytes {
		return nil, nil, false
	}
	var pkt, frame []byte
	switch g.sel.kind {
	case selLetter:
		pkt, frame = g.selPacket, g.selFrame
	case selDoor:
		d, ok := g.lay.Door(g.sel.door)
		if !ok {
			return nil, nil, false
		}
		pkt, frame = g.doorPacket(d)
	default:
		return nil, nil, false
	}
	b, fields := g.dissect(pkt, frame)
	return b, fields, len(b) > 0
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
func (g *Game) drawInspector(dst *ebiten.Image, area image.Rectangle) {
	pkt, fields, ok := g.inspected()
	if !ok {
		return
	}
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
		g.text(dst, more, float64(area.Max.X)-8*g.scale, ig.y+float64(ig.rows)*ig.lineH-1*g.scale, 11*g.scale, colDim, false, alignRight)
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
			float64(area.Max.X)-8*g.scale, ig.fieldsY-14*g.scale, 11*g.scale, colDim, false, alignRight)
	}
}

func layerColor(l wire.Layer) color.RGBA {
	switch l {
	case wire.LayerNetwork:
		return colNet
	case wire.LayerTransport:
		return colTrans
	case wire.LayerLink:
		return colLink
	case wire.LayerPhysical:
		return colDim
	}
	return colApp
}
