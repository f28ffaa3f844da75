// Package layout places the town: where each plot (host), house (process),
// door (socket) and road (link) goes, in town units (one unit is one pixel
// at zoom 1), so the frontend can scale it to any window and tests can
// check it without a screen. Plots stand in a grid with streets between
// them; a road runs straight across to a neighbour or along the streets,
// and never over a plot other than its two ends. Of is a pure function of
// a snapshot; a Layouter lays out a changing town deterministically from
// the snapshots it has seen, so plots keep their places as they fill.
package layout

import (
	"fmt"
	"math"
	"strings"

	"socketville/shared/sock"
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
	Port   string     // over the lintel: the local port, or "" when unbound
	Remote string     // under the door: the peer's address:port, "" when none
	State  sock.State // TCP state or the datagram socket's state
	Style  Style
	Socket sock.SocketState
}

// House is one process on its plot.
type House struct {
	Proc  string
	Root  bool
	Rect  Rect // the walls; the roof sits above Rect.Min.Y
	Doors []Door
}

// PlotKind says what stands on a plot.
type PlotKind uint8

// The kinds of plots.
const (
	PlotHost   PlotKind = iota // a host: its houses and doors
	PlotRouter                 // a host that forwards packets: a crossroads building
	PlotSwitch                 // a learning switch: a junction box, with no houses
)

// Plot is one host: its land, its sign, its houses, and the doors of
// connections whose process let go of them (TIME-WAIT and the like). A
// switch has a plot too, a small one with its junction box and no houses:
// hosts and switches share one namespace of names, and roads run to both.
type Plot struct {
	Kind    PlotKind
	Host    string // the host's name, or the switch's
	Sign    string // the host's addresses
	Rect    Rect
	Houses  []House
	Kernel  Rect // where Orphans stand; zero when there are none
	Orphans []Door
	// Ephemeral is where the host's kernel picks a client's port, for
	// telling a client's door from a server's.
	Ephemeral sock.PortRange
}

// Road is one link between two plots: a polyline of axis-aligned
// segments that leaves A's plot, runs along the streets between the
// plots and enters B's, crossing no other plot.
type Road struct {
	Link string
	A, B string // host names as the link names them
	// Points is the road as drawn, from a point on A's plot's border to
	// one on B's; consecutive points differ in X or in Y, not both.
	Points []Point
	// From and To are Points' first and last points.
	From, To Point
}

// Layout is the whole town.
type Layout struct {
	// Bounds holds every plot at the largest it has been and every road;
	// a Layouter keeps its centre still while the town's hosts and links
	// stay the same.
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
	plotPad     = 18.0
	signH       = 40.0
	houseGap    = 20.0
	kernelLabel = 36.0
	cellGap     = 110.0 // the narrowest street between plots
)

// DoorsPerRow is how many doors stand side by side in a house (and in a
// plot's kernel yard); more go in further rows below. A plot's width
// therefore never changes as sockets come and go, only its height.
const DoorsPerRow = 2

// doorRowH is the height of one row of doors: the port over the lintel,
// the door, the labels under it.
const doorRowH = lintelH + DoorH + underDoor

// HouseH is the height of a house with one row of doors, without its
// roof.
const HouseH = houseTop + doorRowH

// houseW is every house's width: room for DoorsPerRow doors.
const houseW = DoorsPerRow*DoorPitch + 2*housePad - (DoorPitch - DoorW) + 40

// Of lays out one snapshot on its own: the same snapshot always gives the
// same layout. A town that changes over time is better laid out by a
// Layouter, which keeps plots in place as they fill and empty.
func Of(s sock.Snapshot) Layout {
	var lt Layouter
	return lt.Of(s)
}

// Layouter lays out the snapshots of one town as it changes. It
// remembers the largest each plot has been and sizes the grid's cells to
// that (and to a typical plot from the start), so a plot keeps its place
// while its houses and doors come and go;
// plots move only when hosts or links are added or removed. Its output is
// a deterministic function of the snapshots it was given, in order. The
// zero value is ready to use.
type Layouter struct {
	// largest is the largest size each host's plot has had, by name.
	largest map[string]Point
	// order is the grid placement for the town's hosts and links as they
	// were when it was computed, under the key of that structure.
	key   string
	order []int
	// bounds are the town's bounds as last laid out, centred where they
	// were when the structure was first laid out.
	bounds Rect
	// Wide flows each plot's houses into columns (wide.go), for a
	// machine's own sockets; the zero value stacks them, as a
	// scenario's town has them.
	Wide bool
}

// Of lays out s, keeping what the Layouter remembers of earlier snapshots
// of the same town.
func (lt *Layouter) Of(s sock.Snapshot) Layout {
	plots := make([]Plot, len(s.Hosts), len(s.Hosts)+len(s.Switches))
	for i, h := range s.Hosts {
		if lt.Wide {
			plots[i] = widePlotOf(h)
		} else {
			plots[i] = plotOf(h)
		}
	}
	for _, sw := range s.Switches {
		plots = append(plots, switchPlotOf(sw))
	}
	lt.remember(plots)
	key := structureKey(s)
	fresh := key != lt.key || len(lt.order) != len(plots)
	if fresh {
		lt.key, lt.order = key, placement(s)
	}
	sizes := make([]Point, len(plots))
	for i, p := range plots {
		sizes[i] = lt.largest[p.Host]
	}
	l := arrange(plots, sizes, lt.order, s.Links)
	if !fresh {
		l.Bounds = steady(lt.bounds, l.Bounds)
	}
	lt.bounds = l.Bounds
	return l
}

// steady grows the bounds was to hold now as well, about was's centre: a
// town that grows at the bottom grows as much at the top, so the camera
// that centres the bounds in the window keeps every plot where it was on
// the screen (while the zoom is the same).
func steady(was, now Rect) Rect {
	if was.W() == 0 && was.H() == 0 {
		return now
	}
	c := was.Center()
	hx := math.Max(math.Max(c.X-now.Min.X, now.Max.X-c.X), was.W()/2)
	hy := math.Max(math.Max(c.Y-now.Min.Y, now.Max.Y-c.Y), was.H()/2)
	return Rect{Point{c.X - hx, c.Y - hy}, Point{c.X + hx, c.Y + hy}}
}

// remember grows each plot's remembered size to fit it. A town whose hosts
// are not all among those remembered is a new town: it starts afresh.
func (lt *Layouter) remember(plots []Plot) {
	if len(plots) < len(lt.largest) {
		lt.largest = nil
	} else {
		for host := range lt.largest {
			if !hasHost(plots, host) {
				lt.largest = nil
				break
			}
		}
	}
	if lt.largest == nil {
		lt.largest = map[string]Point{}
	}
	typical := typicalH()
	for _, p := range plots {
		m, least := lt.largest[p.Host], typical
		if p.Kind == PlotSwitch || p.Kind == PlotRouter && len(p.Houses) == 0 {
			// A junction box never fills; a router is a crossroads,
			// where a process is rare: its row need not wait for one.
			least = 0
		}
		lt.largest[p.Host] = Point{math.Max(m.X, p.Rect.W()), math.Max(m.Y, math.Max(p.Rect.H(), least))}
	}
}

// typicalH is the height of a plot with one house and a kernel yard, each
// with a row of doors: every cell has room for that from the start, so
// that the common story (a process starts, its sockets come and go, a
// closed connection waits in TIME-WAIT) moves no plot and no camera.
func typicalH() float64 {
	one := []sock.SocketState{{}}
	return plotOf(sock.HostState{Processes: []sock.ProcessState{{Sockets: one}}, Orphans: one}).Rect.H()
}

func hasHost(plots []Plot, host string) bool {
	for _, p := range plots {
		if p.Host == host {
			return true
		}
	}
	return false
}

// plotOf lays out one host at the origin. Its width depends only on its
// sign; its height grows with its houses and their rows of doors.
func plotOf(h sock.HostState) Plot {
	p := Plot{Host: h.Name, Sign: signOf(h), Ephemeral: h.EphemeralPorts()}
	if h.Forward {
		p.Kind = PlotRouter
	}
	y := signH + RoofH
	for _, ps := range h.Processes {
		house := houseOf(h.Name, ps, plotPad, y)
		y = house.Rect.Max.Y + houseGap + RoofH
		p.Houses = append(p.Houses, house)
	}
	y -= RoofH
	if len(h.Orphans) > 0 {
		rows := doorRows(len(h.Orphans))
		p.Kernel = rect(plotPad, y, houseW, kernelLabel+float64(rows-1)*doorRowH+DoorH+underDoor+housePad)
		for i, s := range h.Orphans {
			x, dy := doorSpot(i, len(h.Orphans))
			p.Orphans = append(p.Orphans, doorOf(h.Name, "", s, plotPad+x, y+kernelLabel+dy))
		}
		y = p.Kernel.Max.Y + houseGap
	}
	signW := float64(len(p.Sign)+len(h.Name)+3) * 8
	w := math.Max(houseW, signW)
	p.Rect = rect(0, 0, w+2*plotPad, math.Max(y, signH+40)+plotPad-houseGap/2)
	if p.Kind == PlotRouter {
		p.Rect.Max.Y += CrossroadsH // below its houses, its crossroads
	}
	return p
}

// CrossroadsH is the strip at the bottom of a router's plot where its
// crossroads and its building stand.
const CrossroadsH = 110.0

// Crossing is where a router's two streets cross: in the middle of the
// strip at the bottom of its plot.
func (p Plot) Crossing() Point {
	return Point{p.Rect.Center().X, p.Rect.Max.Y - CrossroadsH/2}
}

// The junction box's yard: room for the box, its sign, and a few roads
// on each side.
const (
	SwitchW = 200.0
	SwitchH = 150.0
)

// switchPlotOf lays out a switch at the origin: a yard with its junction
// box and its sign, the same size whatever it learns.
func switchPlotOf(sw sock.SwitchState) Plot {
	p := Plot{Kind: PlotSwitch, Host: sw.Name, Sign: fmt.Sprintf("switch, %d ports", sw.Ports)}
	signW := float64(len(p.Sign)+len(sw.Name)+3)*8 + 2*plotPad
	p.Rect = rect(0, 0, math.Max(SwitchW, signW), SwitchH)
	return p
}

// Box is where a switch's junction box stands on its plot.
func (p Plot) Box() Rect {
	c := p.Rect.Center()
	return Rect{Point{c.X - 50, c.Y - 22}, Point{c.X + 50, c.Y + 38}}
}

// doorRows is how many rows n doors take.
func doorRows(n int) int { return max((n+DoorsPerRow-1)/DoorsPerRow, 1) }

// doorSpot is where the i-th of n doors stands, from the top-left of its
// house's first row of doors (or of its kernel yard's): rows of
// DoorsPerRow, each row centred.
func doorSpot(i, n int) (x, y float64) {
	row, col := i/DoorsPerRow, i%DoorsPerRow
	inRow := min(n-row*DoorsPerRow, DoorsPerRow)
	span := float64(inRow-1)*DoorPitch + DoorW
	return (houseW-span)/2 + float64(col)*DoorPitch, float64(row) * doorRowH
}

func signOf(h sock.HostState) string {
	addrs := make([]string, len(h.Addrs))
	for i, a := range h.Addrs {
		addrs[i] = a.Addr().String()
	}
	return strings.Join(addrs, " ")
}

// houseOf lays out one process with its walls' top-left at (x, y).
func houseOf(host string, ps sock.ProcessState, x, y float64) House {
	n := len(ps.Sockets)
	h := House{Proc: ps.Name, Root: ps.Root, Rect: rect(x, y, houseW, houseTop+float64(doorRows(n))*doorRowH)}
	for i, s := range ps.Sockets {
		dx, dy := doorSpot(i, n)
		h.Doors = append(h.Doors, doorOf(host, ps.Name, s, x+dx, y+houseTop+lintelH+dy))
	}
	return h
}

func doorOf(host, proc string, s sock.SocketState, x, y float64) Door {
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

func styleOf(s sock.SocketState) Style {
	if s.Type != sock.SockTCP {
		return StyleDatagram
	}
	switch s.State {
	case sock.StateListen:
		return StyleListen
	case sock.StateSynSent, sock.StateSynReceived:
		return StyleHandshake
	case sock.StateEstablished:
		return StyleOpen
	case sock.StateFinWait1, sock.StateFinWait2, sock.StateCloseWait, sock.StateClosing, sock.StateLastAck:
		return StyleClosing
	case sock.StateTimeWait:
		return StyleTimeWait
	case sock.StateClosed:
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
