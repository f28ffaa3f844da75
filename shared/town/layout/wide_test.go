package layout

import (
	"fmt"
	"net/netip"
	"testing"

	"socketville/shared/sock"
)

// machine is one host as a watch sees a busy machine: procs processes
// with per sockets each, and orphans connections in TIME-WAIT.
func machine(procs, per, orphans int) sock.Snapshot {
	h := sock.HostState{Name: "box", Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}}
	id := uint64(1)
	sk := func(st sock.State) sock.SocketState {
		id++
		return sock.SocketState{ID: id, Type: sock.SockTCP, State: st, Local: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(1000+id))}
	}
	for i := range procs {
		ps := sock.ProcessState{Name: fmt.Sprintf("cmd%d (%d) root", i, 100+i), PID: 100 + i}
		for range per + i%3 {
			ps.Sockets = append(ps.Sockets, sk(sock.StateEstablished))
		}
		h.Processes = append(h.Processes, ps)
	}
	for range orphans {
		h.Orphans = append(h.Orphans, sk(sock.StateTimeWait))
	}
	return sock.Snapshot{Hosts: []sock.HostState{h}}
}

// TestWidePlot: a machine with hundreds of sockets is one plot about the
// shape of a window, every door placed, inside its plot, on no other.
func TestWidePlot(t *testing.T) {
	for _, tc := range []struct{ procs, per, orphans int }{{1, 1, 0}, {3, 2, 1}, {60, 5, 200}, {200, 2, 0}, {2, 300, 0}} {
		lt := Layouter{Wide: true}
		l := lt.Of(machine(tc.procs, tc.per, tc.orphans))
		if len(l.Plots) != 1 {
			t.Fatalf("%+v: %d plots", tc, len(l.Plots))
		}
		p := l.Plots[0]
		if len(p.Houses) != tc.procs || len(p.Orphans) != tc.orphans {
			t.Fatalf("%+v: %d houses, %d orphans", tc, len(p.Houses), len(p.Orphans))
		}
		var boxes []Rect
		doors := 0
		for _, h := range p.Houses {
			boxes = append(boxes, Rect{Point{h.Rect.Min.X, h.Rect.Min.Y - RoofH}, h.Rect.Max})
			for _, d := range h.Doors {
				doors++
				if !inside(d.Rect, h.Rect) {
					t.Errorf("%+v: door %v outside its house %v", tc, d.Rect, h.Rect)
				}
			}
		}
		if p.Kernel != (Rect{}) {
			boxes = append(boxes, p.Kernel)
		}
		for _, d := range p.Orphans {
			if !inside(d.Rect, p.Kernel) {
				t.Errorf("%+v: orphan %v outside the yard %v", tc, d.Rect, p.Kernel)
			}
		}
		for i, a := range boxes {
			if !inside(a, p.Rect) {
				t.Errorf("%+v: block %v outside the plot %v", tc, a, p.Rect)
			}
			for _, b := range boxes[i+1:] {
				if a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y {
					t.Errorf("%+v: blocks %v and %v overlap", tc, a, b)
				}
			}
		}
		if tc.procs+tc.orphans > 100 {
			if r := p.Rect.W() / p.Rect.H(); r < 0.7 || r > 3 {
				t.Errorf("%+v: plot %.0fx%.0f, aspect %.2f: want about a window's", tc, p.Rect.W(), p.Rect.H(), r)
			}
		}
		if again := (&Layouter{Wide: true}).Of(machine(tc.procs, tc.per, tc.orphans)); fmt.Sprint(again) != fmt.Sprint(l) {
			t.Errorf("%+v: the same snapshot laid out twice differs", tc)
		}
	}
}

func inside(a, b Rect) bool {
	return a.Min.X >= b.Min.X && a.Min.Y >= b.Min.Y && a.Max.X <= b.Max.X && a.Max.Y <= b.Max.Y
}
