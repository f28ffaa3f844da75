package town

import (
	"testing"

	"socketville/shared/town/layout"
)

// TestBytesPageHasRoomForTCP opens b/web's accepted door on its Bytes
// page at 1280x800 once the request came: the field list reaches the TCP
// header's flags without scrolling (the door's calls, two rows of
// buttons, stay on its Door page), in the first state after the click.
func TestBytesPageHasRoomForTCP(t *testing.T) {
	g := newTown(t, "hello-tcp")
	var door layout.Door
	found := false
	for i := 0; i < 400 && !found; i++ {
		g.step()
		if g.player.SnapshotGen() != g.layGen {
			g.lay, g.layGen = g.layouter.Of(g.player.Snapshot()), g.player.SnapshotGen()
		}
		for _, p := range g.lay.Plots {
			for _, h := range p.Houses {
				for _, d := range h.Doors {
					if p.Host == "b" && d.FD == 4 {
						if pkt, _ := g.doorPacket(d); len(pkt) > 0 {
							door, found = d, true
						}
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("no packet at b/web's accepted door")
	}
	// From the Door page, with its rows of calls, to the Bytes page: the
	// state at once has the area the Bytes page's rows leave.
	g.open(doorPanel{key: door.Key, tab: tabDoor})
	g.ui.Container.RequestRelayout() // as a frame's drawing lays it out
	g.ui.Container.Render(g.scratch)
	g.open(doorPanel{key: door.Key, tab: tabBytes})
	s := g.State()
	if s.Inspector == nil {
		t.Fatal("no byte inspector on the Bytes page")
	}
	for _, f := range s.Inspector.Fields {
		if f.Header == "TCP" && f.Name == "flags" {
			if f.Row.H == 0 {
				t.Errorf("the TCP flags are below the field list's end (%d fields, panel %+v)", len(s.Inspector.Fields), s.PanelBox)
			}
			return
		}
	}
	t.Errorf("no TCP flags field: %+v", s.Inspector.Fields)
}
