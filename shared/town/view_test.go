package town

import (
	"image"
	"math"
	"testing"

	"socketville/examples"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TestZoomKeepsThePointUnderTheCursor zooms in and out about a screen
// point: the town point under it stays under it, and zooming all the way
// out gives back the camera that fits the whole town.
func TestZoomKeepsThePointUnderTheCursor(t *testing.T) {
	bounds := layout.Rect{Min: layout.Point{X: 0, Y: 0}, Max: layout.Point{X: 700, Y: 300}}
	area := image.Rect(0, 40, 810, 620)
	var v viewport
	fit := v.camera(bounds, area, 1)
	for _, tc := range []struct {
		x, y  float64
		steps int
	}{{x: 690, y: 355, steps: 1}, {x: 690, y: 355, steps: 3}, {x: 100, y: 500, steps: 2}, {x: 400, y: 300, steps: -2}, {x: 690, y: 355, steps: 100}} {
		cam := v.camera(bounds, area, 1)
		p := cam.toTown(tc.x, tc.y)
		v.zoomAt(cam, bounds, area, tc.x, tc.y, tc.steps)
		after := v.camera(bounds, area, 1)
		if x, y := after.pt(p); math.Abs(x-tc.x) > 1e-6 || math.Abs(y-tc.y) > 1e-6 {
			t.Errorf("zoom %+d at %v,%v: the town point %v moved to %v,%v", tc.steps, tc.x, tc.y, p, x, y)
		}
		if v.zoom < 1 || v.zoom > maxZoom {
			t.Errorf("zoom %v outside 1..%v", v.zoom, maxZoom)
		}
	}
	v.zoomAt(v.camera(bounds, area, 1), bounds, area, 400, 300, -1000)
	if got := v.camera(bounds, area, 1); got != fit || v.free {
		t.Errorf("all the way out: camera %+v, want the fit %+v", got, fit)
	}
}

// TestLoadGivesTheWholeTownBack zooms and pans hello-tcp, then loads
// two-clients and restarts it: each time the view is the whole town
// again, as after F, and a view the learner set after the load is kept.
func TestLoadGivesTheWholeTownBack(t *testing.T) {
	hello, _ := examples.Find("hello-tcp")
	two, _ := examples.Find("two-clients")
	p, err := play.New(play.Options{Name: hello.Name, Source: hello.Source})
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{player: p}
	g.followLoad()
	moved := viewport{free: true, zoom: 3, center: layout.Point{X: 900, Y: 40}, minZoom: 1.1}
	for _, load := range []func() error{
		func() error { return p.Load(two.Name, two.Source) },
		p.Restart,
	} {
		g.view = moved
		g.view.loaded = p.Console().Gen()
		g.followLoad()
		if !g.view.free {
			t.Fatalf("a view the learner set was taken back with no load: %+v", g.view)
		}
		if err := load(); err != nil {
			t.Fatal(err)
		}
		g.followLoad()
		if g.view.free || g.view.minZoom != moved.minZoom {
			t.Errorf("after a load the view is %+v, want the whole town at the readable zoom", g.view)
		}
	}
}
