package town

import (
	"testing"

	"socketville/shared/town/layout"
)

// TestRoadStateIsThePolylineAsDrawn checks the state hook's road: its
// ends' hosts, every point of its polyline through the camera in CSS
// pixels, and x0,y0 and x1,y1 as the first and last of them.
func TestRoadStateIsThePolylineAsDrawn(t *testing.T) {
	g := &Game{scale: 2, cam: camera{zoom: 3, offX: 10, offY: 20}}
	pts := []layout.Point{{X: 0, Y: 0}, {X: 0, Y: 100}, {X: 50, Y: 100}}
	rs := g.roadState(layout.Road{Link: "a-c", A: "a", B: "c", Points: pts, From: pts[0], To: pts[2]})
	want := []PointState{{X: 5, Y: 10}, {X: 5, Y: 160}, {X: 80, Y: 160}}
	if rs.Link != "a-c" || rs.From != "a" || rs.To != "c" || len(rs.Points) != len(want) {
		t.Fatalf("road state %+v", rs)
	}
	for i, p := range want {
		if rs.Points[i] != p {
			t.Errorf("point %d: %+v, want %+v", i, rs.Points[i], p)
		}
	}
	if rs.X0 != 5 || rs.Y0 != 10 || rs.X1 != 80 || rs.Y1 != 160 {
		t.Errorf("ends %v,%v %v,%v, want the first and last points", rs.X0, rs.Y0, rs.X1, rs.Y1)
	}
}
