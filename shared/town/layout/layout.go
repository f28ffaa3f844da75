// Package layout places the town: where each plot (host), house (process),
// door (socket) and road (link) goes. It is a pure function of a snapshot,
// in town units (one unit is one pixel at zoom 1), so the frontend can
// scale it to any window and tests can check it without a screen.
package layout

import (
	"fmt"
	"math"
	"strings"

	"socketville/shared/netsim"
)

// Point is a position in town units.
type Point struct{ X, Y float64 }

// Rect is an axis-aligned rectangle: Min is the top-left corner.
type Rect struct{ Min, Max Point }

// W is the rectangle's width.
func (r Rect) W() float64 { return r.Max.X - r.Min.X }

// H is the rectangle's height.
func (r Rect) H() float64 { return r.Max.Y - r.Min.Y }

// Center is the rectangle's middle.
func (r Rect) Center() Point { return Point{(r.Min.X + r.Max.X) / 2, (r.Min.Y + r.Max.Y) / 2} }

// Contains reports whether p is inside r.
func (r Rect) Contains(p Point) bool {
	return p.X >= r.Min.X && p.X < r.Max.X && p.Y >= r.Min.Y && p.Y < r.Max.Y
}

func rect(x, y, w, h float64) Rect { return Rect{Point{x, y}, Point{x + w, y + h}} }

// Style says how a door is drawn; it follows the socket's state.
type Style uint8

// The door styles.
const (
	StyleFresh     Style = iota // a socket that is neither bound nor connected
	StyleListen                 // a listening TCP socket: an open archway
	StyleHandshake              // SYN-SENT, SYN-RECEIVED
	StyleOpen                   // ESTABLISHED: a connected door
	StyleClosing                // FIN-WAIT, CLOSE-WAIT, CLOSING, LAST-ACK
	StyleTimeWait               // TIME-WAIT: a shut door with a countdown
	StyleDatagram               // a UDP or ICMP socket
	StyleClosed                 // CLOSED, still holding an fd
)

// DoorKey names a door for as long as its socket lives.
type DoorKey struct {
	Host string
	ID   uint64 // the socket's ID in the snapshot, unique in the world
}

// Door is one socket: a door on its house's front.
type Door struct {
	Key    DoorKey
	Proc   string // "" for a connection the kernel holds after close
	FD     int    // 0 for such connections
	Rect   Rect
	Port   string // over the lintel: the local port, or "" when unbound
	Remote string // under the door: the peer's address:port, "" when none
	State  string // TCP state or the datagram socket's state
	Style  Style
	Socket netsim.SocketState
}

// House is one process on its plot.
type House struct {
	Proc  string
	Root  bool
	Rect  Rect // the walls; the roof sits above Rect.Min.Y
	Doors []Door
}

// Plot is one host: its land, its sign, its houses, and the doors of
// connections whose process let go of them (TIME-WAIT and the like).
type Plot struct {
	Host    string
	Sign    string // the host's addresses
	Rect    Rect
	Houses  []House
	Kernel  Rect // where Orphans stand; zero when there are none
	Orphans []Door
}

// Road is one link between two plots.
type Road struct {
	Link     string
	A, B     string // host names as the link names them
	From, To Point  // on the borders of A's and B's plots
}

// Layout is the whole town.
type Layout struct {
	Bounds Rect
	Plots  []Plot
	Roads  []Road
}

// Sizes of the town's parts, in town units.
const (
	DoorW       = 40.0
	DoorH       = 56.0
	DoorPitch   = 104.0 // from one door to the next: room for "10.0.0.1:49152" under each
	RoofH       = 28.0
	houseTop    = 24.0 // the name
	lintelH     = 16.0 // the port
	underDoor   = 34.0 // the remote address and the state
	housePad    = 12.0
	minHouseW   = 150.0
	plotPad     = 18.0
	signH       = 40.0
	houseGap    = 20.0
	kernelLabel = 36.0
	cellGap     = 150.0 // between plots: the roads
)

// HouseH is a house's height without its roof.
const HouseH = houseTop + lintelH + DoorH + underDoor

// Of lays out a snapshot. The same snapshot always gives the same layout,
// and plots keep their places when sockets come and go in other plots of
// the same grid row and column only as far as their sizes change.
func Of(s netsim.Snapshot) Layout {
	plots := make([]Plot, len(s.Hosts))
	for i, h := range s.Hosts {
		plots[i] = plotOf(h)
	}
	cols := columns(len(plots))
	rows := (len(plots) + cols - 1) / cols
	colW := make([]float64, cols)
	rowH := make([]float64, rows)
	for i, p := range plots {
		c, r := i%cols, i/cols
		colW[c] = math.Max(colW[c], p.Rect.W())
		rowH[r] = math.Max(rowH[r], p.Rect.H())
	}
	var l Layout
	index := map[string]int{}
	y := 0.0
	for r := 0; r < rows; r++ {
		x := 0.0
		for c := 0; c < cols && r*cols+c < len(plots); c++ {
			i := r*cols + c
			// Center each plot in its cell so that roads between
			// neighbours run straight.
			dx := x + (colW[c]-plots[i].Rect.W())/2
			dy := y + (rowH[r]-plots[i].Rect.H())/2
			plots[i].move(dx, dy)
			index[plots[i].Host] = i
			x += colW[c] + cellGap
		}
		y += rowH[r] + cellGap
	}
	l.Plots = plots
	for _, p := range plots {
		l.Bounds = union(l.Bounds, p.Rect)
	}
	for _, ln := range s.Links {
		a, okA := index[ln.A]
		b, okB := index[ln.B]
		if !okA || !okB {
			continue
		}
		from, to := edgePoints(plots[a].Rect, plots[b].Rect)
		l.Roads = append(l.Roads, Road{Link: ln.Name, A: ln.A, B: ln.B, From: from, To: to})
	}
	return l
}

// columns puts up to four plots in a row, more in a near-square grid.
func columns(n int) int {
	if n <= 4 {
		return max(n, 1)
	}
	return int(math.Ceil(math.Sqrt(float64(n))))
}

func union(a, b Rect) Rect {
	if a.W() == 0 && a.H() == 0 {
		return b
	}
	return Rect{
		Point{math.Min(a.Min.X, b.Min.X), math.Min(a.Min.Y, b.Min.Y)},
		Point{math.Max(a.Max.X, b.Max.X), math.Max(a.Max.Y, b.Max.Y)},
	}
}

// plotOf lays out one host at the origin.
func plotOf(h netsim.HostState) Plot {
	p := Plot{Host: h.Name, Sign: signOf(h)}
	w := minHouseW
	y := signH + RoofH
	for _, ps := range h.Processes {
		house := houseOf(h.Name, ps, plotPad, y)
		w = math.Max(w, house.Rect.W())
		y = house.Rect.Max.Y + houseGap + RoofH
		p.Houses = append(p.Houses, house)
	}
	y -= RoofH
	if len(h.Orphans) > 0 {
		p.Kernel = rect(plotPad, y, 0, kernelLabel+DoorH+underDoor+housePad)
		x := plotPad + housePad
		for _, s := range h.Orphans {
			p.Orphans = append(p.Orphans, doorOf(h.Name, "", s, x, y+kernelLabel))
			x += DoorPitch
		}
		kw := math.Max(minHouseW, float64(len(h.Orphans))*DoorPitch+2*housePad-(DoorPitch-DoorW))
		p.Kernel.Max.X = p.Kernel.Min.X + kw
		w = math.Max(w, kw)
		y = p.Kernel.Max.Y + houseGap
	}
	signW := float64(len(p.Sign)+len(h.Name)+3)*8 + 2*plotPad
	w = math.Max(w, signW-2*plotPad)
	p.Rect = rect(0, 0, w+2*plotPad, math.Max(y, signH+40)+plotPad-houseGap/2)
	return p
}

func signOf(h netsim.HostState) string {
	addrs := make([]string, len(h.Addrs))
	for i, a := range h.Addrs {
		addrs[i] = a.Addr().String()
	}
	return strings.Join(addrs, " ")
}

// houseOf lays out one process with its walls' top-left at (x, y).
func houseOf(host string, ps netsim.ProcessState, x, y float64) House {
	n := len(ps.Sockets)
	w := math.Max(minHouseW, float64(n)*DoorPitch+2*housePad-(DoorPitch-DoorW)+40)
	h := House{Proc: ps.Name, Root: ps.Root, Rect: rect(x, y, w, HouseH)}
	dx := x + housePad + (DoorPitch-DoorW)/2
	for _, s := range ps.Sockets {
		h.Doors = append(h.Doors, doorOf(host, ps.Name, s, dx, y+houseTop+lintelH))
		dx += DoorPitch
	}
	return h
}

func doorOf(host, proc string, s netsim.SocketState, x, y float64) Door {
	d := Door{
		Key: DoorKey{Host: host, ID: s.ID}, Proc: proc, FD: s.FD, Rect: rect(x, y, DoorW, DoorH),
		State: s.State, Style: styleOf(s), Socket: s,
	}
	if s.Local.Port() != 0 {
		d.Port = fmt.Sprint(s.Local.Port())
	}
	if s.Remote.IsValid() {
		d.Remote = s.Remote.String()
	}
	return d
}

func styleOf(s netsim.SocketState) Style {
	if s.Type != netsim.SockTCP {
		return StyleDatagram
	}
	switch s.State {
	case "LISTEN":
		return StyleListen
	case "SYN-SENT", "SYN-RECEIVED":
		return StyleHandshake
	case "ESTABLISHED":
		return StyleOpen
	case "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK":
		return StyleClosing
	case "TIME-WAIT":
		return StyleTimeWait
	case "CLOSED":
		if s.Local.Port() == 0 {
			return StyleFresh
		}
		return StyleClosed
	}
	return StyleFresh
}

func (p *Plot) move(dx, dy float64) {
	off := func(r *Rect) {
		r.Min.X += dx
		r.Max.X += dx
		r.Min.Y += dy
		r.Max.Y += dy
	}
	off(&p.Rect)
	if p.Kernel != (Rect{}) {
		off(&p.Kernel)
	}
	for i := range p.Houses {
		off(&p.Houses[i].Rect)
		for j := range p.Houses[i].Doors {
			off(&p.Houses[i].Doors[j].Rect)
		}
	}
	for i := range p.Orphans {
		off(&p.Orphans[i].Rect)
	}
}

// edgePoints returns where the straight line between two plots' centers
// leaves the first and enters the second.
func edgePoints(a, b Rect) (Point, Point) {
	ca, cb := a.Center(), b.Center()
	return clip(a, ca, cb), clip(b, cb, ca)
}

// clip returns where the ray from c (inside r) towards t leaves r.
func clip(r Rect, c, t Point) Point {
	dx, dy := t.X-c.X, t.Y-c.Y
	if dx == 0 && dy == 0 {
		return c
	}
	s := math.Inf(1)
	if dx != 0 {
		s = math.Min(s, math.Abs(r.W()/2/dx))
	}
	if dy != 0 {
		s = math.Min(s, math.Abs(r.H()/2/dy))
	}
	s = math.Min(s, 1)
	return Point{c.X + dx*s, c.Y + dy*s}
}

// Door finds a door by key.
func (l *Layout) Door(k DoorKey) (Door, bool) {
	for _, p := range l.Plots {
		if p.Host != k.Host {
			continue
		}
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				if d.Key == k {
					return d, true
				}
			}
		}
		for _, d := range p.Orphans {
			if d.Key == k {
				return d, true
			}
		}
	}
	return Door{}, false
}

// DoorAt finds the door under a point, lintel and labels included.
func (l *Layout) DoorAt(pt Point) (Door, bool) {
	for _, p := range l.Plots {
		if !p.Rect.Contains(pt) {
			continue
		}
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				if hitBox(d).Contains(pt) {
					return d, true
				}
			}
		}
		for _, d := range p.Orphans {
			if hitBox(d).Contains(pt) {
				return d, true
			}
		}
	}
	return Door{}, false
}

func hitBox(d Door) Rect {
	return Rect{Point{d.Rect.Min.X - 8, d.Rect.Min.Y - lintelH}, Point{d.Rect.Max.X + 8, d.Rect.Max.Y + underDoor/2}}
}

// Plot finds a host's plot.
func (l *Layout) Plot(host string) (Plot, bool) {
	for _, p := range l.Plots {
		if p.Host == host {
			return p, true
		}
	}
	return Plot{}, false
}

// RoadAt finds the road within slack town units of a point.
func (l *Layout) RoadAt(pt Point, slack float64) (Road, bool) {
	best, found := slack, Road{}
	ok := false
	for _, r := range l.Roads {
		if d := distToSegment(pt, r.From, r.To); d <= best {
			best, found, ok = d, r, true
		}
	}
	return found, ok
}

// Road finds a link's road.
func (l *Layout) Road(link string) (Road, bool) {
	for _, r := range l.Roads {
		if r.Link == link {
			return r, true
		}
	}
	return Road{}, false
}

func distToSegment(p, a, b Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2))
	}
	return math.Hypot(p.X-(a.X+t*dx), p.Y-(a.Y+t*dy))
}

// Lerp is the point a fraction t of the way from a to b.
func Lerp(a, b Point, t float64) Point { return Point{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t} }
