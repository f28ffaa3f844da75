package layout

import (
	"math"
	"sort"

	"socketville/shared/sock"
)

// side is a side of a plot.
type side uint8

const (
	top side = iota
	right
	bottom
	left
)

// routeKind is the shape of a road.
type routeKind uint8

const (
	// straightH runs straight across the street between two neighbours in
	// a row, straightV between two in a column.
	straightH routeKind = iota
	straightV
	// alongRow leaves both plots of one row by their bottoms and runs
	// along the street below the row.
	alongRow
	// alongCol leaves both plots of one column (or one plot twice) by
	// their right sides and runs along the street right of the column.
	alongCol
	// corner leaves A by its top or bottom into the street towards B's
	// row, runs along it to the street beside B's column, along that to
	// B's side and into it.
	corner
)

// pool is where a road's end meets its plot: one side of the streets
// that run between two rows (across a column) or between two columns
// (across a row). The ports of one pool are all different.
type pool struct {
	vertical bool // a street between columns: its ports differ in Y
	street   int  // the street's index
	across   int  // the row (vertical) or column it is crossed at
}

// lane is a street as a road runs along it.
type lane struct {
	vertical bool
	street   int
}

// route is a road's shape before it has coordinates.
type route struct {
	link         sock.LinkState
	kind         routeKind
	a, b         int  // plot indices
	ca, cb       cell // their cells
	sideA, sideB side
	// along are the streets the road runs along, in order: none for a
	// straight road, one or two for the others.
	along []lane
}

// poolOf is the pool of a plot's side.
func poolOf(c cell, s side) pool {
	switch s {
	case top:
		return pool{street: c.r, across: c.c}
	case bottom:
		return pool{street: c.r + 1, across: c.c}
	case left:
		return pool{vertical: true, street: c.c, across: c.r}
	}
	return pool{vertical: true, street: c.c + 1, across: c.r}
}

// plan decides each road's shape from where its ends stand.
func plan(links []sock.LinkState, index map[string]int, cellOf []int, cols int) []route {
	var routes []route
	for _, l := range links {
		a, okA := index[l.A]
		b, okB := index[l.B]
		if !okA || !okB {
			continue
		}
		ca, cb := cell{cellOf[a] / cols, cellOf[a] % cols}, cell{cellOf[b] / cols, cellOf[b] % cols}
		routes = append(routes, shape(route{link: l, a: a, b: b, ca: ca, cb: cb}))
	}
	return routes
}

func shape(rt route) route {
	ca, cb := rt.ca, rt.cb
	dr, dc := cb.r-ca.r, cb.c-ca.c
	switch {
	case dr == 0 && abs(dc) == 1:
		rt.kind, rt.sideA, rt.sideB = straightH, right, left
		if dc < 0 {
			rt.sideA, rt.sideB = left, right
		}
	case dc == 0 && abs(dr) == 1:
		rt.kind, rt.sideA, rt.sideB = straightV, bottom, top
		if dr < 0 {
			rt.sideA, rt.sideB = top, bottom
		}
	case dr == 0 && dc != 0:
		rt.kind, rt.sideA, rt.sideB = alongRow, bottom, bottom
		rt.along = []lane{{street: ca.r + 1}}
	case dc == 0:
		rt.kind, rt.sideA, rt.sideB = alongCol, right, right
		rt.along = []lane{{vertical: true, street: ca.c + 1}}
	default:
		rt.kind, rt.sideA, rt.sideB = corner, bottom, left
		h, v := ca.r+1, cb.c
		if dr < 0 {
			rt.sideA, h = top, ca.r
		}
		if dc < 0 {
			rt.sideB, v = right, cb.c+1
		}
		rt.along = []lane{{street: h}, {vertical: true, street: v}}
	}
	return rt
}

// laneCounts counts the roads along each street.
func laneCounts(routes []route, cols, rows int) (v, h []int) {
	v, h = make([]int, cols+1), make([]int, rows+1)
	for _, rt := range routes {
		for _, ln := range rt.along {
			if ln.vertical {
				v[ln.street]++
			} else {
				h[ln.street]++
			}
		}
	}
	return v, h
}

// arrange places the plots in the grid and routes the roads between them.
func arrange(plots []Plot, sizes []Point, cellOf []int, links []sock.LinkState) Layout {
	if len(plots) == 0 {
		return Layout{}
	}
	cols := columns(len(plots))
	index := make(map[string]int, len(plots))
	for i, p := range plots {
		index[p.Host] = i
	}
	routes := plan(links, index, cellOf, cols)
	lanesV, lanesH := laneCounts(routes, cols, (len(plots)+cols-1)/cols)
	g := newGrid(sizes, cellOf, lanesV, lanesH)
	l := Layout{Plots: plots}
	for i := range plots {
		c := g.cellOf(cellOf[i])
		plots[i].move(g.colX[c.c], g.rowY[c.r])
		l.Bounds = union(l.Bounds, rect(g.colX[c.c], g.rowY[c.r], sizes[i].X, sizes[i].Y))
	}
	ports := assignPorts(routes, plots, g)
	lanes := assignLanes(routes, g)
	for i, rt := range routes {
		pts := simplify(rt.points(plots, ports[i], lanes[i]))
		l.Roads = append(l.Roads, Road{Link: rt.link.Name, A: rt.link.A, B: rt.link.B, Points: pts, From: pts[0], To: pts[len(pts)-1]})
		for _, p := range pts {
			l.Bounds = union(l.Bounds, Rect{Point{p.X - roadReach, p.Y - roadReach}, Point{p.X + roadReach, p.Y + roadReach}})
		}
	}
	return l
}

// roadReach is how far from a road's middle what is drawn of it reaches:
// the road, its letters, its label.
const roadReach = 40.0

func union(a, b Rect) Rect {
	if a.W() == 0 && a.H() == 0 {
		return b
	}
	return Rect{
		Point{math.Min(a.Min.X, b.Min.X), math.Min(a.Min.Y, b.Min.Y)},
		Point{math.Max(a.Max.X, b.Max.X), math.Max(a.Max.Y, b.Max.Y)},
	}
}

// Ports on a plot's side, in town units.
const (
	portMargin = 20.0  // from the side's ends
	portPitch  = 44.0  // between two ports, room allowing: a road's width and a gap
	portDown   = 110.0 // a side's ports are centred this far below its top, room allowing
)

// slot is one port of a pool: a road's end, or both ends of a straight
// road, which share it.
type slot struct {
	road int
	ends []int // 0 for the road's A end, 1 for its B end
	key  [3]int
}

// assignPorts finds each road end's port: ports[road][end] is the port's
// coordinate along its pool's side (Y for a left or right side, X for a
// top or bottom).
func assignPorts(routes []route, plots []Plot, g grid) [][2]float64 {
	pools := map[pool][]slot{}
	var order []pool // the pools in the order first used: no map order reaches the layout
	add := func(p pool, s slot) {
		if _, ok := pools[p]; !ok {
			order = append(order, p)
		}
		pools[p] = append(pools[p], s)
	}
	for i, rt := range routes {
		pa, pb := poolOf(rt.ca, rt.sideA), poolOf(rt.cb, rt.sideB)
		if pa == pb && (rt.kind == straightH || rt.kind == straightV) {
			add(pa, slot{road: i, ends: []int{0, 1}, key: slotKey(pa, rt.cb, i)})
			continue
		}
		add(pa, slot{road: i, ends: []int{0}, key: slotKey(pa, rt.cb, i)})
		add(pb, slot{road: i, ends: []int{1}, key: slotKey(pb, rt.ca, i)})
	}
	ports := make([][2]float64, len(routes))
	for _, p := range order {
		slots := pools[p]
		sort.Slice(slots, func(i, j int) bool { return less(slots[i].key, slots[j].key) })
		lo, hi, centre := portRange(p, slots, routes, plots, g)
		for k, at := range spread(len(slots), lo, hi, centre) {
			for _, e := range slots[k].ends {
				ports[slots[k].road][e] = at
			}
		}
	}
	return ports
}

// slotKey orders a pool's ports so that roads cross each other as little
// as they can: a road heading up (or left) takes a port higher up (or
// further left) than one heading down (or right).
func slotKey(p pool, other cell, road int) [3]int {
	if p.vertical {
		return [3]int{other.r, other.c, road}
	}
	return [3]int{other.c, other.r, road}
}

func less(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// portRange is the stretch of a pool's side its ports may take: inside
// every plot that has a port in the pool, clear of its corners.
func portRange(p pool, slots []slot, routes []route, plots []Plot, g grid) (lo, hi, centre float64) {
	if p.vertical {
		lo, hi = g.rowY[p.across], math.Inf(1)
	} else {
		lo, hi = g.colX[p.across], math.Inf(1)
	}
	for _, s := range slots {
		for _, e := range s.ends {
			r := plots[routes[s.road].a].Rect
			if e == 1 {
				r = plots[routes[s.road].b].Rect
			}
			if p.vertical {
				hi = math.Min(hi, r.Max.Y)
			} else {
				hi = math.Min(hi, r.Max.X)
			}
		}
	}
	if p.vertical {
		centre = lo + portDown
	} else {
		centre = (lo + hi) / 2
	}
	if hi-lo > 2*portMargin {
		lo, hi = lo+portMargin, hi-portMargin
	} else {
		lo, hi = (lo+hi)/2, (lo+hi)/2
	}
	return lo, hi, math.Min(math.Max(centre, lo), hi)
}

// spread places n ports portPitch apart around centre, inside [lo, hi],
// closer together when they do not fit.
func spread(n int, lo, hi, centre float64) []float64 {
	at := make([]float64, n)
	pitch := portPitch
	if n > 1 && float64(n-1)*pitch > hi-lo {
		pitch = (hi - lo) / float64(n-1)
	}
	span := float64(n-1) * pitch
	start := math.Min(math.Max(centre-span/2, lo), hi-span)
	for k := range at {
		at[k] = start + float64(k)*pitch
	}
	return at
}

// assignLanes gives each road its lane in each street it runs along:
// lanes[road][k] is the middle of the lane in the road's k-th street.
// Shorter roads take the lanes nearer the plots they start from, so
// roads nest rather than cross.
func assignLanes(routes []route, g grid) [][2]float64 {
	type user struct {
		road, k int
		span    int
	}
	streets := map[lane][]user{}
	var order []lane
	for i, rt := range routes {
		for k, ln := range rt.along {
			if _, ok := streets[ln]; !ok {
				order = append(order, ln)
			}
			span := abs(rt.ca.c-rt.cb.c) + abs(rt.ca.r-rt.cb.r)
			streets[ln] = append(streets[ln], user{road: i, k: k, span: span})
		}
	}
	lanes := make([][2]float64, len(routes))
	for _, ln := range order {
		users := streets[ln]
		sort.SliceStable(users, func(i, j int) bool { return users[i].span < users[j].span })
		streets := g.hStreet
		if ln.vertical {
			streets = g.vStreet
		}
		s := streets[ln.street]
		for k, u := range users {
			lanes[u.road][u.k] = laneAt(s, k, len(users))
		}
	}
	return lanes
}

// edge is where a port on a plot's side is: at along on that side.
func edge(r Rect, s side, along float64) Point {
	switch s {
	case top:
		return Point{along, r.Min.Y}
	case bottom:
		return Point{along, r.Max.Y}
	case left:
		return Point{r.Min.X, along}
	}
	return Point{r.Max.X, along}
}

// points is the road's polyline, from its A end to its B end.
func (rt route) points(plots []Plot, port, lanes [2]float64) []Point {
	a := edge(plots[rt.a].Rect, rt.sideA, port[0])
	b := edge(plots[rt.b].Rect, rt.sideB, port[1])
	switch rt.kind {
	case alongRow:
		return []Point{a, {a.X, lanes[0]}, {b.X, lanes[0]}, b}
	case alongCol:
		return []Point{a, {lanes[0], a.Y}, {lanes[0], b.Y}, b}
	case corner:
		return []Point{a, {a.X, lanes[0]}, {lanes[1], lanes[0]}, {lanes[1], b.Y}, b}
	}
	return []Point{a, b}
}

// simplify drops repeated points and points in the middle of a straight
// run.
func simplify(pts []Point) []Point {
	out := pts[:1:1]
	for _, p := range pts[1:] {
		if p == out[len(out)-1] {
			continue
		}
		if n := len(out); n >= 2 && collinear(out[n-2], out[n-1], p) {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	return out
}

func collinear(a, b, c Point) bool {
	return (a.X == b.X && b.X == c.X) || (a.Y == b.Y && b.Y == c.Y)
}
