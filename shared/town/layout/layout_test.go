package layout_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/script"
	"socketville/shared/town/crowd"
	"socketville/shared/town/layout"
)

// snapshotAt runs a scenario's lines up to and including line n (all when
// n is 0) and returns the town's snapshot.
func snapshotAt(t testing.TB, src string, n int, run time.Duration) sock.Snapshot {
	t.Helper()
	s, err := script.Parse("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	lines := s.Lines
	if n > 0 {
		lines = lines[:n]
	}
	r := script.NewRunner(script.Options{})
	r.Enqueue(lines...)
	r.Advance(run)
	if errs := r.Errors(); len(errs) > 0 {
		t.Fatalf("scenario errors: %v", errs)
	}
	return r.Kernel().Snapshot()
}

func TestHelloTCPAcceptedDoorSharesThePort(t *testing.T) {
	src, err := os.ReadFile("../../../examples/hello-tcp.sv")
	if err != nil {
		t.Fatal(err)
	}
	// Up to "b/web: accept 3": b/web has a listening and an accepted door.
	n := lineNumberOf(t, string(src), "b/web: accept 3")
	l := layout.Of(snapshotAt(t, string(src), n, time.Second))
	b, ok := l.Plot("b")
	if !ok || b.Sign != "10.0.0.2" {
		t.Fatalf("plot b: %+v", b)
	}
	if len(b.Houses) != 1 || b.Houses[0].Proc != "web" || len(b.Houses[0].Doors) != 2 {
		t.Fatalf("b's houses: %+v", b.Houses)
	}
	listen, conn := b.Houses[0].Doors[0], b.Houses[0].Doors[1]
	if listen.Style != layout.StyleListen || listen.Port != "80" || listen.Remote != "" || listen.FD != 3 {
		t.Errorf("listening door: %+v", listen)
	}
	if conn.Style != layout.StyleOpen || conn.Port != "80" || conn.Remote != "10.0.0.1:49152" || conn.FD != 4 {
		t.Errorf("accepted door: %+v", conn)
	}
	if !(conn.Rect.Min.X >= listen.Rect.Max.X) {
		t.Errorf("the accepted door is not right of the listening one: %v %v", listen.Rect, conn.Rect)
	}
	if len(l.Roads) != 1 || l.Roads[0].Link != "a-b" {
		t.Fatalf("roads: %+v", l.Roads)
	}
	a, _ := l.Plot("a")
	r := l.Roads[0]
	if !onBorder(a.Rect, r.From) || !onBorder(b.Rect, r.To) {
		t.Errorf("road %v -> %v does not run from plot a %v to plot b %v", r.From, r.To, a.Rect, b.Rect)
	}
	if d, ok := l.DoorAt(conn.Rect.Center()); !ok || d.Key != conn.Key {
		t.Errorf("DoorAt the accepted door's center: %+v %v", d, ok)
	}
	if _, ok := l.RoadAt(layout.Lerp(r.From, r.To, 0.5), 4); !ok {
		t.Errorf("RoadAt the road's middle found nothing")
	}
}

func lineNumberOf(t *testing.T, src, prefix string) int {
	t.Helper()
	n := 0
	for _, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		n++
		if strings.HasPrefix(l, prefix) {
			return n
		}
	}
	t.Fatalf("no line %q", prefix)
	return 0
}

func onBorder(r layout.Rect, p layout.Point) bool {
	const e = 0.01
	in := p.X >= r.Min.X-e && p.X <= r.Max.X+e && p.Y >= r.Min.Y-e && p.Y <= r.Max.Y+e
	edge := abs(p.X-r.Min.X) < e || abs(p.X-r.Max.X) < e || abs(p.Y-r.Min.Y) < e || abs(p.Y-r.Max.Y) < e
	return in && edge
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestCrowdNothingOverlaps lays out 100 hosts with 1,000 sockets and
// checks the containment and no-overlap rules everywhere, and that the
// same snapshot lays out the same way.
func TestCrowdNothingOverlaps(t *testing.T) {
	snap := snapshotAt(t, crowd.Scenario(50, 10), 0, 300*time.Millisecond)
	l := layout.Of(snap)
	if len(l.Plots) != 100 {
		t.Fatalf("%d plots", len(l.Plots))
	}
	doors := 0
	for i, p := range l.Plots {
		for j := i + 1; j < len(l.Plots); j++ {
			if overlap(p.Rect, l.Plots[j].Rect) {
				t.Fatalf("plots %s and %s overlap", p.Host, l.Plots[j].Host)
			}
		}
		for hi, h := range p.Houses {
			if !inside(h.Rect, p.Rect) {
				t.Fatalf("house %s/%s sticks out of its plot", p.Host, h.Proc)
			}
			for hj := hi + 1; hj < len(p.Houses); hj++ {
				if overlap(h.Rect, p.Houses[hj].Rect) {
					t.Fatalf("houses of %s overlap", p.Host)
				}
			}
			for di, d := range h.Doors {
				doors++
				if !inside(d.Rect, h.Rect) {
					t.Fatalf("door %s/%s fd %d sticks out of its house", p.Host, h.Proc, d.FD)
				}
				for dj := di + 1; dj < len(h.Doors); dj++ {
					if overlap(d.Rect, h.Doors[dj].Rect) {
						t.Fatalf("doors of %s/%s overlap", p.Host, h.Proc)
					}
				}
			}
		}
	}
	if doors != 1000 {
		t.Fatalf("%d doors, want 1000", doors)
	}
	if again := layout.Of(snap); !sameLayout(again, l) {
		t.Fatal("the same snapshot laid out twice differs")
	}
}

func sameLayout(a, b layout.Layout) bool {
	if a.Bounds != b.Bounds || len(a.Plots) != len(b.Plots) || len(a.Roads) != len(b.Roads) {
		return false
	}
	for i := range a.Plots {
		if a.Plots[i].Rect != b.Plots[i].Rect {
			return false
		}
	}
	return true
}

func overlap(a, b layout.Rect) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func inside(in, out layout.Rect) bool {
	return in.Min.X >= out.Min.X && in.Min.Y >= out.Min.Y && in.Max.X <= out.Max.X && in.Max.Y <= out.Max.Y
}

func TestEmptyTown(t *testing.T) {
	l := layout.Of(sock.Snapshot{})
	if len(l.Plots) != 0 || l.Bounds.W() != 0 {
		t.Fatalf("empty town: %+v", l)
	}
}
