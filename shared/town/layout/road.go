package layout

import "math"

// How a road and its letters are drawn, in town units.
const (
	// RoadW is a road's width.
	RoadW = 30.0
	// LetterSide is how far from a road's middle its letters travel: each
	// direction keeps to its own side, so the two do not cover each other.
	LetterSide = 7.0
	// LetterFall is how far a lost letter falls off its side of the road.
	// It stays in the street: a lane keeps laneMargin from the plots
	// beside it.
	LetterFall = 24.0
)

// Length is the road's length along its polyline.
func (r Road) Length() float64 {
	n := 0.0
	for i := 1; i < len(r.Points); i++ {
		n += dist(r.Points[i-1], r.Points[i])
	}
	return n
}

// At is the point a fraction t (clamped to 0..1) of the road's length
// from its A end, and the road's direction there towards B as a unit
// vector (zero for a road of no length).
func (r Road) At(t float64) (p, dir Point) {
	if len(r.Points) == 0 {
		return Point{}, Point{}
	}
	want := math.Min(math.Max(t, 0), 1) * r.Length()
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		n := dist(a, b)
		if n == 0 {
			continue
		}
		if want <= n || i == len(r.Points)-1 {
			return Lerp(a, b, math.Min(want/n, 1)), Point{(b.X - a.X) / n, (b.Y - a.Y) / n}
		}
		want -= n
	}
	return r.Points[0], Point{}
}

// Letter is where a letter is drawn that left the road's end at host
// from: a fraction t of the way to the other end, on its side of the road
// (the right-hand side seen from the letter, as on a map), and a fraction
// fall (0..1) of the way to where a lost letter lands off that side.
func (r Road) Letter(from string, t, fall float64) Point {
	forward := from == r.A
	if !forward {
		t = 1 - t
	}
	p, dir := r.At(t)
	if !forward {
		dir = Point{-dir.X, -dir.Y}
	}
	off := LetterSide + math.Min(math.Max(fall, 0), 1)*LetterFall
	return Point{p.X - dir.Y*off, p.Y + dir.X*off}
}

// labelRoom is the shortest horizontal stretch a label is put over.
const labelRoom = 100.0

// LabelAt is the point the road's label is centred over (the town draws
// it a little above): the middle of the road's longest horizontal
// stretch, where a line of text lies along the road, if that stretch is
// long enough for one; otherwise the middle of its longest stretch.
func (r Road) LabelAt() Point {
	flat, long := -1.0, -1.0
	var atFlat, atLong Point
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		n := dist(a, b)
		if a.Y == b.Y && n > flat {
			flat, atFlat = n, Lerp(a, b, 0.5)
		}
		if n > long {
			long, atLong = n, Lerp(a, b, 0.5)
		}
	}
	if flat >= labelRoom || flat == long {
		return atFlat
	}
	return atLong
}

// Dist is how far p is from the road's middle line.
func (r Road) Dist(p Point) float64 {
	d := math.Inf(1)
	for i := 1; i < len(r.Points); i++ {
		d = math.Min(d, distToSegment(p, r.Points[i-1], r.Points[i]))
	}
	if len(r.Points) == 1 {
		d = dist(p, r.Points[0])
	}
	return d
}

// RoadAt finds the road nearest a point, if any is within slack town
// units of it.
func (l *Layout) RoadAt(pt Point, slack float64) (Road, bool) {
	best, found := slack, Road{}
	ok := false
	for _, r := range l.Roads {
		if d := r.Dist(pt); d <= best {
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

func dist(a, b Point) float64 { return math.Hypot(b.X-a.X, b.Y-a.Y) }

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
