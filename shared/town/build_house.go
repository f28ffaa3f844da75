package town

import (
	"fmt"
	"image"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// housePanel is a house (a process): its sockets, and a button for each
// kind of new socket, which opens a door.
type housePanel struct {
	host, proc string
}

func (p housePanel) title(g *Game) string {
	what := "Process"
	if pr, ok := procOf(g.player.Snapshot(), p.host, p.proc); ok && pr.Root {
		what = "Process (root: may bind ports below 1024)"
	}
	return fmt.Sprintf("%s %s/%s", what, p.host, p.proc)
}

func (p housePanel) build(g *Game, _, actions *widget.Container) {
	if g.player.Watching() {
		return // a real program's: its calls are its own
	}
	who := p.host + "/" + p.proc + ": "
	for _, t := range []string{"tcp", "udp"} {
		line := who + "socket " + t
		actions.AddChild(g.button("socket "+t, func() { g.exec(line) }))
	}
}

func (p housePanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(10))
	for _, l := range houseLines(g.player.Snapshot(), p.host, p.proc) {
		g.text(dst, l, x, y, 13*g.scale, colText, false, alignLeft)
		y += 18 * g.scale
	}
}

// houseLines are what the house panel says: its sockets, one a line, or
// how to make one.
func houseLines(s sock.Snapshot, host, proc string) []string {
	pr, ok := procOf(s, host, proc)
	if !ok {
		return nil
	}
	if len(pr.Sockets) == 0 {
		return []string{"No sockets yet: socket tcp or socket udp makes one,", "a door on this house, fd 3 first."}
	}
	out := []string{"Sockets (its doors):"}
	for _, so := range pr.Sockets {
		line := fmt.Sprintf("  fd %d  %s  %s", so.FD, so.Type, so.State)
		if so.Local.IsValid() {
			line += "  " + so.Local.String()
		}
		if so.Remote.IsValid() {
			line += " <-> " + so.Remote.String()
		}
		out = append(out, line)
	}
	return append(out, "", "Click a door (or Tab to it, Enter) for its calls.")
}

// update closes the panel when the process is gone (another town) and
// builds it again when its title moved on.
func (p housePanel) update(g *Game) (panel, bool) {
	if _, ok := procOf(g.player.Snapshot(), p.host, p.proc); !ok {
		return nil, true
	}
	return p, p.title(g) != g.w.title.Label
}

func (housePanel) look(g *Game) panelLook { return panelLook{gen: g.player.SnapshotGen()} }

func (p housePanel) state(g *Game, s *State) {
	s.Selected = "house"
	s.PanelLines = houseLines(g.player.Snapshot(), p.host, p.proc)
}

// houseAt is the house under a point in the town, if any.
func (g *Game) houseAt(pt layout.Point) (host, proc string, ok bool) {
	for _, p := range g.lay.Plots {
		if !p.Rect.Contains(pt) {
			continue
		}
		for _, h := range p.Houses {
			if houseBox(h).Contains(pt) {
				return p.Host, h.Proc, true
			}
		}
	}
	return "", "", false
}

// houseBox is a house's walls and its roof above them.
func houseBox(h layout.House) layout.Rect {
	r := h.Rect
	r.Min.Y -= layout.RoofH
	return r
}
