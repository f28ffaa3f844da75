package layout

import (
	"fmt"
	"math"
	"strings"

	"socketville/shared/sock"
)

// The town is a grid of cells, one plot in each, with streets between
// the rows and columns and around the grid. A plot stands at its cell's
// top-left corner, and a cell is as large as the largest plot of its row
// and column has been, so a plot that fills or empties moves no other.
// Roads run from a plot's side straight across to a neighbour, or out
// into a street, along the streets and into the other plot from its side.

// cell is a place in the grid.
type cell struct{ r, c int }

// grid is the town's geometry: where each column, row and street is.
type grid struct {
	cols, rows int
	colX, colW []float64 // column c's left edge and width
	rowY, rowH []float64 // row r's top edge and height
	// vStreet[j] is the street left of column j (j == cols: right of the
	// last), from its left edge to its right; hStreet[i] the one above
	// row i (i == rows: below the last), from its top to its bottom.
	vStreet, hStreet [][2]float64
}

// columns puts up to four plots in a row, more in a near-square grid;
// but a town of seven or eight (a LAN or two with their switches and a
// router) gets four columns, so two rows rather than three: a screen is
// wider than it is tall.
func columns(n int) int {
	if n <= 4 {
		return max(n, 1)
	}
	if n <= 8 {
		return (n + 1) / 2
	}
	return int(math.Ceil(math.Sqrt(float64(n))))
}

func (g *grid) cellOf(i int) cell { return cell{i / g.cols, i % g.cols} }

// structureKey names a town's hosts and links: the placement is kept as
// long as it stays the same.
func structureKey(s sock.Snapshot) string {
	var b strings.Builder
	for _, h := range nodeNames(s) {
		b.WriteString(h)
		b.WriteByte(0)
	}
	fmt.Fprintf(&b, "\x01%d switches\x01", len(s.Switches))
	for _, l := range s.Links {
		b.WriteString(l.Name + "\x00" + l.A + "\x00" + l.B + "\x00")
	}
	return b.String()
}

// nodeNames are the names of what has a plot, in the order of the
// plots: the hosts, then the switches.
func nodeNames(s sock.Snapshot) []string {
	names := make([]string, 0, len(s.Hosts)+len(s.Switches))
	for _, h := range s.Hosts {
		names = append(names, h.Name)
	}
	for _, sw := range s.Switches {
		names = append(names, sw.Name)
	}
	return names
}

// Placements tried: every one for a town of up to maxPermuted hosts;
// for one of up to maxImproved, swaps of two hosts while one helps; a
// larger town keeps the order its hosts were made in.
const (
	maxPermuted = 7
	maxImproved = 48
	// maxCrossed is the largest town whose placements are also rated by
	// their roads' crossings: counting them costs the square of the
	// roads for every swap tried.
	maxCrossed = 16
)

// placement returns the grid cell of each host (by index): the order of
// the snapshot, or for a small town the order that puts the most linked
// hosts side by side, so that their roads run straight across, and the
// rest as near each other as it can. Of equally good orders it takes the
// first in lexicographic order, the snapshot's own order first.
func placement(s sock.Snapshot) []int {
	names := nodeNames(s)
	n := len(names)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if n > maxImproved || n < 3 {
		return order
	}
	index := make(map[string]int, n)
	for i, h := range names {
		index[h] = i
	}
	var pairs [][2]int
	for _, l := range s.Links {
		a, okA := index[l.A]
		b, okB := index[l.B]
		if okA && okB && a != b {
			pairs = append(pairs, [2]int{a, b})
		}
	}
	if n > maxPermuted {
		return improve(order, pairs, columns(n))
	}
	return bestPermutation(order, pairs, columns(n))
}

// bestPermutation tries every placement, from the identity on.
func bestPermutation(order []int, pairs [][2]int, cols int) []int {
	best := append([]int(nil), order...)
	bestScore := score(order, pairs, cols, len(order) <= maxCrossed)
	for nextPermutation(order) {
		if sc := score(order, pairs, cols, len(order) <= maxCrossed); sc > bestScore {
			bestScore = sc
			copy(best, order)
		}
	}
	return best
}

// improve swaps two hosts' cells, the best swap first, for as long as a
// swap makes the placement better (and at most n times over).
func improve(order []int, pairs [][2]int, cols int) []int {
	n := len(order)
	cur := score(order, pairs, cols, len(order) <= maxCrossed)
	for range n {
		bi, bj, bs := -1, -1, cur
		for i := range n {
			for j := i + 1; j < n; j++ {
				order[i], order[j] = order[j], order[i]
				if sc := score(order, pairs, cols, len(order) <= maxCrossed); sc > bs {
					bi, bj, bs = i, j, sc
				}
				order[i], order[j] = order[j], order[i]
			}
		}
		if bi < 0 {
			break
		}
		order[bi], order[bj], cur = order[bj], order[bi], bs
	}
	return order
}

// score rates a placement: a road between grid neighbours counts most,
// then fewer roads crossing each other (a road along a street across a
// road straight over it reads as a junction, and a LAN's hosts mixed with
// another's), then shorter roads.
func score(cellOf []int, pairs [][2]int, cols int, cross bool) int {
	sc := 0
	var paths [][]gridPoint
	for _, p := range pairs {
		a, b := cellOf[p[0]], cellOf[p[1]]
		dr, dc := abs(a/cols-b/cols), abs(a%cols-b%cols)
		if dr+dc == 1 {
			sc += 1000
		}
		sc -= dr + dc
		if a != b && cross {
			paths = append(paths, gridPath(cell{a / cols, a % cols}, cell{b / cols, b % cols}))
		}
	}
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			sc -= 300 * crossings(paths[i], paths[j])
		}
	}
	return sc
}

// gridPoint is a point of the grid in cells: a cell's middle at whole
// numbers, the streets around it at halves (doubled, to stay whole).
type gridPoint struct{ x, y int }

// gridPath is the road between two cells as shape draws it, in doubled
// grid units: through the middle of each cell and of each street.
func gridPath(ca, cb cell) []gridPoint {
	rt := shape(route{ca: ca, cb: cb})
	a, b := gridPoint{2 * ca.c, 2 * ca.r}, gridPoint{2 * cb.c, 2 * cb.r}
	street := func(ln lane) int { return 2*ln.street - 1 }
	switch rt.kind {
	case alongRow:
		y := street(rt.along[0])
		return []gridPoint{a, {a.x, y}, {b.x, y}, b}
	case alongCol:
		x := street(rt.along[0])
		return []gridPoint{a, {x, a.y}, {x, b.y}, b}
	case corner:
		y, x := street(rt.along[0]), street(rt.along[1])
		return []gridPoint{a, {a.x, y}, {x, y}, {x, b.y}, b}
	}
	return []gridPoint{a, b}
}

// crossings counts where a segment of one path crosses one of the other
// at a right angle, strictly inside both (roads that meet at a plot, or
// share a street in lanes of their own, do not cross).
func crossings(p, q []gridPoint) int {
	n := 0
	for i := 1; i < len(p); i++ {
		for j := 1; j < len(q); j++ {
			if crosses(p[i-1], p[i], q[j-1], q[j]) || crosses(q[j-1], q[j], p[i-1], p[i]) {
				n++
			}
		}
	}
	return n
}

// crosses reports whether the horizontal segment a-b crosses the
// vertical segment c-d strictly inside both.
func crosses(a, b, c, d gridPoint) bool {
	if a.y != b.y || c.x != d.x {
		return false
	}
	x0, x1 := min(a.x, b.x), max(a.x, b.x)
	y0, y1 := min(c.y, d.y), max(c.y, d.y)
	return x0 < c.x && c.x < x1 && y0 < a.y && a.y < y1
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// nextPermutation steps p to the next permutation in lexicographic order
// and reports whether there was one.
func nextPermutation(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	for l, r := i+1, len(p)-1; l < r; l, r = l+1, r-1 {
		p[l], p[r] = p[r], p[l]
	}
	return true
}

// newGrid sizes the columns and rows to the largest plots they hold and
// the streets to the roads that run along them.
func newGrid(sizes []Point, cellOf []int, lanesV, lanesH []int) grid {
	n := len(sizes)
	g := grid{cols: columns(n)}
	g.rows = (n + g.cols - 1) / g.cols
	g.colW, g.rowH = make([]float64, g.cols), make([]float64, g.rows)
	for i, sz := range sizes {
		c := g.cellOf(cellOf[i])
		g.colW[c.c] = math.Max(g.colW[c.c], sz.X)
		g.rowH[c.r] = math.Max(g.rowH[c.r], sz.Y)
	}
	g.colX, g.vStreet = lay(g.colW, lanesV)
	g.rowY, g.hStreet = lay(g.rowH, lanesH)
	return g
}

// lay puts cells of the given sizes in a line with a street before each
// and one after the last, each street wide enough for its lanes.
func lay(sizes []float64, lanes []int) (at []float64, streets [][2]float64) {
	at = make([]float64, len(sizes))
	streets = make([][2]float64, len(sizes)+1)
	pos := 0.0
	for k := range streets {
		w := streetWidth(lanes[k])
		streets[k] = [2]float64{pos, pos + w}
		pos += w
		if k < len(sizes) {
			at[k] = pos
			pos += sizes[k]
		}
	}
	return at, streets
}

// Streets and their lanes, in town units.
const (
	// laneMargin keeps a road's middle this far from the plots beside its
	// street: room for half the road, a letter on its side of the road,
	// and a lost letter fallen off it.
	laneMargin  = 44.0
	laneSpacing = 42.0 // a road's width and a gap, so two lanes read as two roads
)

// streetWidth is how wide a street is that carries n roads along it.
func streetWidth(n int) float64 {
	return math.Max(cellGap, 2*laneMargin+float64(max(n, 1)-1)*laneSpacing)
}

// laneAt is the middle of lane k of n in the street s.
func laneAt(s [2]float64, k, n int) float64 {
	w := s[1] - s[0]
	return s[0] + (w-float64(n-1)*laneSpacing)/2 + float64(k)*laneSpacing
}
