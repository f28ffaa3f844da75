package layout_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"socketville/shared/sock"

	"socketville/examples"
	"socketville/shared/script"
	"socketville/shared/town/layout"
)

// playThrough runs a scenario event by event (at most max events) and
// calls see with the town's snapshot after each.
func playThrough(t *testing.T, src string, max int, see func(step int, s sock.Snapshot)) {
	t.Helper()
	s, err := script.Parse("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	r := script.NewRunner(script.Options{})
	r.Enqueue(s.Lines...)
	for step := 0; step < max && r.StepOne(); step++ {
		see(step, r.Kernel().Snapshot())
	}
	if errs := r.Errors(); len(errs) > 0 {
		t.Fatalf("scenario errors: %v", errs)
	}
}

// TestExampleRoadsAvoidOtherPlots plays every example through and checks
// the town's rules at every step, laid out as the town lays it out (one
// Layouter for the whole story) and on its own.
func TestExampleRoadsAvoidOtherPlots(t *testing.T) {
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			var lt layout.Layouter
			playThrough(t, ex.Source, 5000, func(step int, s sock.Snapshot) {
				checkTown(t, fmt.Sprintf("%s step %d", ex.Name, step), lt.Of(s))
				if step%50 == 0 {
					checkTown(t, fmt.Sprintf("%s step %d on its own", ex.Name, step), layout.Of(s))
				}
			})
		})
	}
}

// TestRandomTownsRoadsAvoidOtherPlots lays out random towns (seeded):
// random hosts and switches, links between them (host to host, host to
// switch, switch to switch, a host linked to itself, two links between
// one pair), processes and sockets, each town filling and emptying over
// a few snapshots through one Layouter.
func TestRandomTownsRoadsAvoidOtherPlots(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		town := randomTown(rng)
		var lt layout.Layouter
		for moment := range 4 {
			fillRandomly(rng, &town)
			l := lt.Of(town)
			name := fmt.Sprintf("seed %d moment %d (%d hosts, %d switches, %d links)", seed, moment, len(town.Hosts), len(town.Switches), len(town.Links))
			checkTown(t, name, l)
			if len(l.Plots) != len(town.Hosts)+len(town.Switches) || len(l.Roads) != len(town.Links) {
				t.Fatalf("%s: %d plots, %d roads", name, len(l.Plots), len(l.Roads))
			}
			if t.Failed() {
				t.FailNow()
			}
		}
	}
}

// randomTown makes 1 to 12 hosts, in half the towns up to 3 switches,
// and up to 14 links among them, plus a few more from hosts to switches
// (a switch's street of hosts) and between switches.
func randomTown(rng *rand.Rand) sock.Snapshot {
	var s sock.Snapshot
	n := 1 + rng.IntN(12)
	for i := range n {
		h := sock.HostState{Name: fmt.Sprintf("h%d", i), Addrs: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("10.0.%d.%d/24", i, 1+i))}}
		if rng.IntN(6) == 0 { // a router with a long sign
			h.Addrs = append(h.Addrs, netip.MustParsePrefix("203.0.113.254/24"), netip.MustParsePrefix("198.51.100.254/24"))
			h.Forward = true
		}
		s.Hosts = append(s.Hosts, h)
	}
	if rng.IntN(2) == 0 {
		for i := range rng.IntN(4) {
			s.Switches = append(s.Switches, sock.SwitchState{Name: fmt.Sprintf("sw%d", i), Ports: 8})
		}
	}
	names := make([]string, 0, n+len(s.Switches))
	for _, h := range s.Hosts {
		names = append(names, h.Name)
	}
	for _, sw := range s.Switches {
		names = append(names, sw.Name)
	}
	link := func(a, b string) {
		s.Links = append(s.Links, sock.LinkState{Name: fmt.Sprintf("l%d", len(s.Links)), A: a, B: b})
	}
	for range rng.IntN(15) {
		a, b := rng.IntN(len(names)), rng.IntN(len(names))
		if a == b && rng.IntN(4) != 0 {
			continue // now and then a host linked to itself
		}
		link(names[a], names[b])
	}
	for i, sw := range s.Switches {
		for range rng.IntN(5) {
			link(s.Hosts[rng.IntN(n)].Name, sw.Name)
		}
		if i > 0 && rng.IntN(2) == 0 {
			link(s.Switches[rng.IntN(i)].Name, sw.Name)
		}
	}
	return s
}

// fillRandomly gives every host new processes, sockets and orphans.
func fillRandomly(rng *rand.Rand, s *sock.Snapshot) {
	id := uint64(1)
	for i := range s.Hosts {
		h := &s.Hosts[i]
		h.Processes, h.Orphans = nil, nil
		for p := range rng.IntN(4) {
			ps := sock.ProcessState{Name: fmt.Sprintf("p%d", p), Root: rng.IntN(2) == 0}
			for fd := range rng.IntN(8) {
				ps.Sockets = append(ps.Sockets, randomSocket(rng, &id, 3+fd))
			}
			h.Processes = append(h.Processes, ps)
		}
		for range rng.IntN(3) * rng.IntN(3) {
			h.Orphans = append(h.Orphans, randomSocket(rng, &id, 0))
		}
	}
}

func randomSocket(rng *rand.Rand, id *uint64, fd int) sock.SocketState {
	states := []sock.State{sock.StateClosed, sock.StateListen, sock.StateSynSent, sock.StateEstablished, sock.StateFinWait1, sock.StateTimeWait}
	s := sock.SocketState{ID: *id, FD: fd, Type: sock.SockTCP, State: states[rng.IntN(len(states))]}
	*id++
	if rng.IntN(3) == 0 {
		s.Type, s.State = sock.SockUDP, sock.StateBound
	}
	s.Local = netip.MustParseAddrPort(fmt.Sprintf("10.0.0.1:%d", 1+rng.IntN(65535)))
	if rng.IntN(2) == 0 {
		s.Remote = netip.MustParseAddrPort("10.0.0.2:80")
	}
	return s
}

// The letter's box as the town draws it (draw.go's letterW, letterH).
const letterW, letterH = 22.0, 14.0

// checkTown checks the layout's rules: nothing overlaps, everything
// stands inside what holds it, every road runs from its A plot's border
// to its B plot's along axis-aligned segments that touch no other plot
// (and its own only where it ends), no two roads run along each other,
// and no letter, on the road or fallen off it, is drawn over a plot its
// road does not end at.
func checkTown(t *testing.T, name string, l layout.Layout) {
	t.Helper()
	checkNothingOverlaps(t, name, l)
	for _, r := range l.Roads {
		checkRoad(t, name, l, r)
	}
	for i, r := range l.Roads {
		for _, o := range l.Roads[i+1:] {
			if a, b, ok := runAlong(r, o); ok {
				t.Errorf("%s: roads %s and %s run along each other: %v-%v", name, r.Link, o.Link, a, b)
			}
		}
	}
}

func checkRoad(t *testing.T, name string, l layout.Layout, r layout.Road) {
	t.Helper()
	a, okA := l.Plot(r.A)
	b, okB := l.Plot(r.B)
	if !okA || !okB || len(r.Points) < 2 {
		t.Errorf("%s: road %s: ends %v %v, points %v", name, r.Link, okA, okB, r.Points)
		return
	}
	last := len(r.Points) - 1
	if r.From != r.Points[0] || r.To != r.Points[last] || !onBorder(a.Rect, r.From) || !onBorder(b.Rect, r.To) {
		t.Errorf("%s: road %s %v does not run from plot %s %v to plot %s %v", name, r.Link, r.Points, r.A, a.Rect, r.B, b.Rect)
	}
	if !inside(layout.Rect{Min: r.From, Max: r.From}, l.Bounds) || !inside(layout.Rect{Min: r.To, Max: r.To}, l.Bounds) {
		t.Errorf("%s: road %s sticks out of the town's bounds %v", name, r.Link, l.Bounds)
	}
	for i := 1; i <= last; i++ {
		p, q := r.Points[i-1], r.Points[i]
		if p.X != q.X && p.Y != q.Y || p == q {
			t.Errorf("%s: road %s: segment %v-%v is not a straight stretch along X or Y", name, r.Link, p, q)
		}
		for _, pl := range l.Plots {
			t0, t1, hit := clipSegment(p, q, pl.Rect)
			if !hit {
				continue
			}
			own := pl.Host == r.A || pl.Host == r.B
			atStart := i == 1 && t1 == 0 && (pl.Host == r.A)
			atEnd := i == last && t0 == 1 && (pl.Host == r.B)
			if !own || !(atStart || atEnd) {
				t.Errorf("%s: road %s (%s-%s): segment %v-%v crosses plot %s %v", name, r.Link, r.A, r.B, p, q, pl.Host, pl.Rect)
			}
		}
	}
	for i := 1; i <= last; i++ {
		mid := layout.Lerp(r.Points[i-1], r.Points[i], 0.5)
		off := layout.Point{X: mid.X + 5, Y: mid.Y + 5}
		if got, ok := l.RoadAt(off, 8); !ok || got.Dist(off) > r.Dist(off) {
			t.Errorf("%s: road %s: RoadAt near its segment %d's middle found %q", name, r.Link, i, got.Link)
		}
	}
	if d := r.Dist(r.LabelAt()); d > 1e-9 {
		t.Errorf("%s: road %s: its label point %v is %v off the road", name, r.Link, r.LabelAt(), d)
	}
	for _, from := range []string{r.A, r.B} {
		for k := 0; k <= 40; k++ {
			for _, fall := range []float64{0, 0.5, 1} {
				p := r.Letter(from, float64(k)/40, fall)
				box := layout.Rect{Min: layout.Point{X: p.X - letterW/2, Y: p.Y - letterH/2}, Max: layout.Point{X: p.X + letterW/2, Y: p.Y + letterH/2}}
				for _, pl := range l.Plots {
					if pl.Host != r.A && pl.Host != r.B && overlap(box, pl.Rect) {
						t.Errorf("%s: road %s: a letter from %s at %v (fallen %v) is over plot %s", name, r.Link, from, float64(k)/40, fall, pl.Host)
					}
				}
			}
		}
	}
}

// checkNothingOverlaps checks that plots do not overlap, houses stand in
// their plots and doors in their houses (or in the kernel's yard), and
// that no two of them overlap.
func checkNothingOverlaps(t *testing.T, name string, l layout.Layout) {
	t.Helper()
	for i, p := range l.Plots {
		if !inside(p.Rect, l.Bounds) {
			t.Errorf("%s: plot %s %v outside the bounds %v", name, p.Host, p.Rect, l.Bounds)
		}
		for _, q := range l.Plots[i+1:] {
			if overlap(p.Rect, q.Rect) {
				t.Errorf("%s: plots %s and %s overlap", name, p.Host, q.Host)
			}
		}
		var boxes []layout.Rect
		for _, h := range p.Houses {
			boxes = append(boxes, h.Rect)
			checkDoors(t, name+" "+p.Host+"/"+h.Proc, h.Rect, h.Doors)
		}
		if len(p.Orphans) > 0 {
			boxes = append(boxes, p.Kernel)
			checkDoors(t, name+" "+p.Host+" kernel", p.Kernel, p.Orphans)
		}
		for bi, b := range boxes {
			if !inside(b, p.Rect) {
				t.Errorf("%s: a house of %s %v sticks out of its plot %v", name, p.Host, b, p.Rect)
			}
			for _, c := range boxes[bi+1:] {
				if overlap(b, c) {
					t.Errorf("%s: houses of %s overlap", name, p.Host)
				}
			}
		}
	}
}

func checkDoors(t *testing.T, name string, in layout.Rect, doors []layout.Door) {
	t.Helper()
	for i, d := range doors {
		if !inside(d.Rect, in) {
			t.Errorf("%s: door fd %d %v sticks out of %v", name, d.FD, d.Rect, in)
		}
		for _, e := range doors[i+1:] {
			if overlap(d.Rect, e.Rect) {
				t.Errorf("%s: doors fd %d and fd %d overlap", name, d.FD, e.FD)
			}
		}
	}
}

// clipSegment returns the part of segment p-q inside the closed
// rectangle r, as fractions t0 <= t1 along it, and whether there is any.
func clipSegment(p, q layout.Point, r layout.Rect) (t0, t1 float64, hit bool) {
	t0, t1 = 0, 1
	d := layout.Point{X: q.X - p.X, Y: q.Y - p.Y}
	for _, c := range []struct{ den, num float64 }{
		{-d.X, p.X - r.Min.X}, {d.X, r.Max.X - p.X}, {-d.Y, p.Y - r.Min.Y}, {d.Y, r.Max.Y - p.Y},
	} {
		switch {
		case c.den == 0:
			if c.num < 0 {
				return 0, 0, false
			}
		case c.den < 0:
			t0 = math.Max(t0, c.num/c.den)
		default:
			t1 = math.Min(t1, c.num/c.den)
		}
	}
	return t0, t1, t0 <= t1
}

// runAlong finds a stretch where two roads' segments lie on one line and
// overlap by more than a point.
func runAlong(r, o layout.Road) (layout.Point, layout.Point, bool) {
	for i := 1; i < len(r.Points); i++ {
		for j := 1; j < len(o.Points); j++ {
			p, q := r.Points[i-1], r.Points[i]
			u, v := o.Points[j-1], o.Points[j]
			switch {
			case p.Y == q.Y && u.Y == v.Y && p.Y == u.Y:
				lo, hi := math.Max(math.Min(p.X, q.X), math.Min(u.X, v.X)), math.Min(math.Max(p.X, q.X), math.Max(u.X, v.X))
				if hi > lo {
					return layout.Point{X: lo, Y: p.Y}, layout.Point{X: hi, Y: p.Y}, true
				}
			case p.X == q.X && u.X == v.X && p.X == u.X:
				lo, hi := math.Max(math.Min(p.Y, q.Y), math.Min(u.Y, v.Y)), math.Min(math.Max(p.Y, q.Y), math.Max(u.Y, v.Y))
				if hi > lo {
					return layout.Point{X: p.X, Y: lo}, layout.Point{X: p.X, Y: hi}, true
				}
			}
		}
	}
	return layout.Point{}, layout.Point{}, false
}

// TestPlotsKeepTheirPlaces plays hello-tcp and two-clients through: while
// the town's hosts and links stay the same, no plot's corner moves as
// doors appear and go, nor the centre of the town's bounds (which the
// camera centres in the window).
func TestPlotsKeepTheirPlaces(t *testing.T) {
	for _, name := range []string{"hello-tcp", "two-clients"} {
		ex, ok := examples.Find(name)
		if !ok {
			t.Fatalf("no example %s", name)
		}
		t.Run(name, func(t *testing.T) {
			var lt layout.Layouter
			var key string
			var centre layout.Point
			corners := map[string]layout.Point{}
			moved := 0
			playThrough(t, ex.Source, 5000, func(step int, s sock.Snapshot) {
				l := lt.Of(s)
				if k := structure(s); k != key {
					key, corners, centre = k, map[string]layout.Point{}, l.Bounds.Center()
				}
				if c := l.Bounds.Center(); c != centre && moved < 5 {
					moved++
					t.Errorf("step %d: the town's centre moved from %v to %v", step, centre, c)
				}
				for _, p := range l.Plots {
					if at, ok := corners[p.Host]; ok && at != p.Rect.Min && moved < 5 {
						moved++
						t.Errorf("step %d: plot %s moved from %v to %v", step, p.Host, at, p.Rect.Min)
					}
					corners[p.Host] = p.Rect.Min
				}
			})
		})
	}
}

func structure(s sock.Snapshot) string {
	var b strings.Builder
	for _, h := range s.Hosts {
		b.WriteString(h.Name + " ")
	}
	for _, l := range s.Links {
		b.WriteString(l.Name + ":" + l.A + "-" + l.B + " ")
	}
	return b.String()
}

// TestCrowdedPoolsKeepRoadsApart links one host to every other several
// times over, so its sides and the streets beside it carry many roads.
func TestCrowdedPoolsKeepRoadsApart(t *testing.T) {
	var s sock.Snapshot
	for i := range 9 {
		s.Hosts = append(s.Hosts, sock.HostState{Name: fmt.Sprintf("h%d", i)})
	}
	for k := range 3 {
		for i := 1; i < 9; i++ {
			s.Links = append(s.Links, sock.LinkState{Name: fmt.Sprintf("l%d-%d", k, i), A: "h0", B: fmt.Sprintf("h%d", i)})
			s.Links = append(s.Links, sock.LinkState{Name: fmt.Sprintf("m%d-%d", k, i), A: fmt.Sprintf("h%d", i), B: fmt.Sprintf("h%d", (i+k+1)%9)})
		}
	}
	checkTown(t, "crowded", layout.Of(s))
}

// TestLayouterRemembers grows a plot in the first row of a two-row town
// and empties it again: the plots below move down once and stay there,
// where a layout of each snapshot on its own would move them back. A town
// of other hosts starts afresh.
func TestLayouterRemembers(t *testing.T) {
	town := func(procs int, names ...string) sock.Snapshot {
		var s sock.Snapshot
		for _, n := range names {
			s.Hosts = append(s.Hosts, sock.HostState{Name: n})
		}
		for i := range procs {
			s.Hosts[0].Processes = append(s.Hosts[0].Processes, sock.ProcessState{Name: fmt.Sprintf("p%d", i)})
		}
		return s
	}
	hosts := []string{"h0", "h1", "h2", "h3", "h4"}
	below := func(l layout.Layout) layout.Point {
		p, ok := l.Plot("h3")
		if !ok {
			t.Fatal("no plot h3")
		}
		return p.Rect.Min
	}
	var lt layout.Layouter
	empty := below(lt.Of(town(0, hosts...)))
	full := below(lt.Of(town(3, hosts...)))
	if !(full.Y > empty.Y) {
		t.Fatalf("h3 at %v under an empty h0, at %v under a full one", empty, full)
	}
	if again := below(lt.Of(town(0, hosts...))); again != full {
		t.Errorf("h0 emptied: h3 moved from %v to %v", full, again)
	}
	if alone := below(layout.Of(town(0, hosts...))); alone != empty {
		t.Errorf("laid out on its own, h3 is at %v, want %v", alone, empty)
	}
	lt.Of(town(0, "x", "y"))
	if fresh := below(lt.Of(town(0, hosts...))); fresh != empty {
		t.Errorf("after another town, h3 is at %v, want %v", fresh, empty)
	}
}

// TestLayoutersAgree feeds the same random snapshots to two Layouters:
// they lay them out alike, road for road.
func TestLayoutersAgree(t *testing.T) {
	for seed := range uint64(20) {
		rng1, rng2 := rand.New(rand.NewPCG(seed, 2)), rand.New(rand.NewPCG(seed, 2))
		t1, t2 := randomTown(rng1), randomTown(rng2)
		var a, b layout.Layouter
		for moment := range 5 {
			fillRandomly(rng1, &t1)
			fillRandomly(rng2, &t2)
			la, lb := a.Of(t1), b.Of(t2)
			if !sameLayout(la, lb) || fmt.Sprint(la.Roads) != fmt.Sprint(lb.Roads) {
				t.Fatalf("seed %d moment %d: two Layouters differ", seed, moment)
			}
		}
	}
}
