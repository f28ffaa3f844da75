package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// doorPanel is a door (a socket): on its Door page the TCP state diagram
// with the door's state lit, its queues, buffers, windows, timers and
// options; on Layers and Bytes the last packet its connection sent or
// received. Its buttons are the calls a learner would try next, each a
// shell line.
type doorPanel struct {
	key layout.DoorKey
	tab tab
	// form is the call whose form is open under the buttons ("bind",
	// "send", ...; build_door.go), "" for none.
	form string
}

func (p doorPanel) title(g *Game) string {
	d, _ := g.lay.Door(p.key)
	return doorTitle(d)
}

func (p doorPanel) build(g *Game, tabs, actions *widget.Container) {
	d, _ := g.lay.Door(p.key)
	g.w.doorStyle = d.Style
	g.tabButton(tabs, "Door", p.tab == tabDoor, p.onPage(tabDoor))
	g.tabButton(tabs, "Layers", p.tab == tabLayers, p.onPage(tabLayers))
	g.tabButton(tabs, "Bytes", p.tab == tabBytes, p.onPage(tabBytes))
	if g.player.Watching() {
		return // a real program's socket: its calls are the program's own
	}
	if p.tab != tabDoor {
		// The packet pages keep the panel's height for the packet: two
		// rows of calls left the byte inspector's field list no room
		// for a TCP header at 1280x800. The calls are on the Door page.
		return
	}
	g.buildDoorCalls(p, d, actions)
}

func (p doorPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	d, ok := g.lay.Door(p.key)
	if !ok {
		return
	}
	if p.tab == tabDoor {
		g.drawDoorTab(dst, area, d)
		g.drawCallWhy(dst, area)
		return
	}
	g.drawPacketPage(dst, area, p)
}

// update closes the panel when the socket is gone, and builds it again
// when its state moved on: the title, and the calls that make sense.
func (p doorPanel) update(g *Game) (panel, bool) {
	d, ok := g.lay.Door(p.key)
	if !ok {
		return nil, true
	}
	return p, doorTitle(d) != g.w.title.Label || d.Style != g.w.doorStyle
}

// look: the door's state and last packet change with the snapshot and
// the events; the cut-away's letter moves, and a state diagram's arrow
// glows for a moment, on the wall clock.
func (p doorPanel) look(g *Game) panelLook {
	l := g.packetLook(p)
	l.gen, l.events = g.player.SnapshotGen(), g.player.Animation().Events()
	if p.tab == tabDoor {
		l.of = g.w.why.shown // a greyed call's reason comes and goes
	}
	if len(g.player.Animation().Transitions) > 0 {
		l.wall = g.player.Wall()
	}
	return l
}

func (p doorPanel) state(g *Game, s *State) {
	s.Selected, s.Tab = "door", tabNames[p.tab]
	s.Form = g.formShown(p.form)
}

func (p doorPanel) page() tab { return p.tab }

func (p doorPanel) onPage(t tab) panel { p.tab = t; return p }

func (p doorPanel) packet(g *Game) (pkt, frame []byte, ok bool) {
	d, ok := g.lay.Door(p.key)
	if !ok {
		return nil, nil, false
	}
	pkt, frame = g.doorPacket(d)
	return pkt, frame, true
}

func (p doorPanel) wheel(g *Game, steps int, pt image.Point) { g.wheelInspector(steps, pt) }

// doorShown is the door panel on show, if a door's is.
func (g *Game) doorShown() (doorPanel, bool) {
	p, ok := g.panel.(doorPanel)
	return p, ok
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

// doorTitle names a door in the panel: the process and fd that hold it,
// or, for a connection the kernel finishes after close (no fd), whose it
// was; then its state and its addresses.
func doorTitle(d layout.Door) string {
	addrs := ""
	if d.Socket.Local.IsValid() {
		addrs = " " + d.Socket.Local.String()
	}
	if d.Remote != "" {
		addrs += " <-> " + d.Remote
	}
	if d.Proc == "" {
		of := d.Key.Host
		if d.Socket.Proc != "" {
			of += "/" + d.Socket.Proc
		}
		return fmt.Sprintf("a %s connection of %s, held by the kernel (no fd):%s", stateLabel(d.Socket), of, addrs)
	}
	return fmt.Sprintf("%s/%s fd %d: %s %s%s", d.Key.Host, d.Proc, d.FD, d.Socket.Type, stateLabel(d.Socket), addrs)
}

// drawCallWhy says why the greyed call in hand (hovered, with the focus
// ring, or clicked) is refused, on a strip over the top of the page,
// under the call buttons: it covers the diagram's top only while it is
// said, and moves no button or field.
func (g *Game) drawCallWhy(dst *ebiten.Image, area image.Rectangle) {
	why := g.w.why.shown
	if why == "" {
		return
	}
	size, lh := 12*g.scale, 16*g.scale
	w := float64(area.Dx() - g.px(20))
	lines := g.wrap(why, size, w)
	x, y := float64(area.Min.X), float64(area.Min.Y)
	fillRect(dst, x, y, float64(area.Dx()), float64(len(lines))*lh+8*g.scale, colPanel)
	strokeRect(dst, x+float64(g.px(6)), y, float64(area.Dx()-g.px(12)), float64(len(lines))*lh+6*g.scale, 1, colPanelEdge)
	for i, l := range lines {
		g.text(dst, l, x+float64(g.px(10)), y+3*g.scale+float64(i)*lh, size, colSelect, false, alignLeft)
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
