package town

import (
	"fmt"
	"image"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/sock"
)

// The plot panel: what a host, a router or a switch knows below the
// sockets. A host's interfaces (name, MAC, address/prefix, MTU) and its
// ARP cache as `ip neigh` lists it; a router's routing table first; a
// switch's ports and MAC table. Its words are plain lines, drawn as they
// are and given to tests through State.PanelLines.

// plotPanel is a host's plot or a switch's yard.
type plotPanel struct {
	host string // the host's or switch's name
	// form is the build form open under its buttons: "add-process",
	// "add-link" or "".
	form string
}

// build offers what a learner adds to a plot by hand: a process (a
// house) on a host, and a road from here to another plot.
func (p plotPanel) build(g *Game, _, actions *widget.Container) {
	g.forms.builtFor = plotKey(g, p.host)
	if g.player.Watching() {
		return // the machine's own hosts: nothing to add
	}
	box := g.column()
	grid := g.callGrid(2)
	var shown *form
	for _, f := range plotForms(g, p.host) {
		label, to := f.label, p
		to.form = f.form.id
		if f.form.id == p.form {
			label, to.form, shown = "["+label+"]", "", &f.form
		}
		grid.AddChild(g.button(label, func() { g.open(to) }))
	}
	box.AddChild(grid)
	if shown != nil {
		g.buildForm(box, "plot "+p.host, *shown)
	}
	actions.AddChild(box)
}

// plotForms are a plot's build forms: Add process on a host, Add link
// from a host or a switch to another.
func plotForms(g *Game, host string) []labelledForm {
	snap := g.player.Snapshot()
	link := linkForm(host, nodeNames(snap))
	link.fresh = true
	var out []labelledForm
	if _, sw := g.switchState(host); !sw {
		out = append(out, labelledForm{"Add process", form{id: "add-process", fresh: true, fields: []field{
			{key: "name", label: "name", def: nextProcName(snap, host)},
			{key: "root", label: "root", def: "no", choices: []string{"no", "yes"}},
		}, line: func(v formValues) string {
			name := strings.TrimSpace(v["name"])
			if name == "" {
				return ""
			}
			if v["root"] == "yes" {
				return "process " + host + " " + name + " root"
			}
			return "process " + host + " " + name
		}}})
	}
	return append(out, labelledForm{"Add link", link})
}

// update closes the panel when the host or switch is gone (another
// town), and builds it again when its title moved on (it learned an
// address).
func (p plotPanel) update(g *Game) (panel, bool) {
	if _, ok := g.lay.Plot(p.host); !ok {
		return nil, true
	}
	return p, p.title(g) != g.w.title.Label || plotKey(g, p.host) != g.forms.builtFor
}

// plotKey is what a plot's forms' defaults depend on: the next free
// process name and the plots a road could go to.
func plotKey(g *Game, host string) string {
	snap := g.player.Snapshot()
	return host + " " + nextProcName(snap, host) + " " + strings.Join(nodeNames(snap), " ")
}

func (plotPanel) look(g *Game) panelLook {
	return panelLook{gen: g.player.SnapshotGen(), events: g.player.Animation().Events()}
}

func (p plotPanel) state(g *Game, s *State) {
	s.Selected = "plot"
	s.Form = g.formShown(p.form)
	s.PanelLines = plotPanelLines(g.player.Snapshot(), p.host)
}

// plotPanelLines are the lines the panel shows for the host or switch
// called name in the snapshot; nil when there is none.
func plotPanelLines(s sock.Snapshot, name string) []string {
	for _, sw := range s.Switches {
		if sw.Name == name {
			return switchLines(s, sw)
		}
	}
	for _, h := range s.Hosts {
		if h.Name == name {
			return hostLines(s, h)
		}
	}
	return nil
}

// linkByID is the link with this id, for naming the cable in a port.
func linkByID(s sock.Snapshot, id sock.LinkID) (sock.LinkState, bool) {
	for _, l := range s.Links {
		if l.ID == id {
			return l, true
		}
	}
	return sock.LinkState{}, false
}

// farEnd is the name at the other end of link l from name.
func farEnd(l sock.LinkState, name string) string {
	if l.A == name {
		return l.B
	}
	return l.A
}

func switchLines(s sock.Snapshot, sw sock.SwitchState) []string {
	out := []string{
		fmt.Sprintf("A learning switch with %d ports. It reads each frame's", sw.Ports),
		"source MAC to learn which port leads to it, sends a frame",
		"for a known MAC out of that port only, and floods the rest",
		"(broadcasts like ARP's who-has, unknown MACs) out of all others.",
		"",
		"Ports:",
	}
	free := 0
	for i := range sw.Ports {
		if i >= len(sw.Used) || sw.Used[i] == 0 {
			free++
			continue
		}
		cable := fmt.Sprintf("link %d", sw.Used[i])
		if l, ok := linkByID(s, sw.Used[i]); ok {
			cable = fmt.Sprintf("%s (to %s)", l.Name, farEnd(l, sw.Name))
		}
		out = append(out, fmt.Sprintf("  port %d  %s", i+1, cable))
	}
	if free > 0 {
		out = append(out, fmt.Sprintf("  %s free", plural(free, "port", "ports")))
	}
	out = append(out, "", "MAC table (bridge fdb):", "  MAC                port  age")
	if len(sw.FDB) == 0 {
		out = append(out, "  (empty: nothing learned yet)")
	}
	for _, e := range sw.FDB {
		out = append(out, fmt.Sprintf("  %-18v %4d  %s", e.MAC, e.Port, formatAge(e.Age)))
	}
	out = append(out, "Entries are forgotten after 300 s without a frame from them.")
	return append(out, dropLines(sw.Drops)...)
}

// formatAge is an entry's age, to the millisecond.
func formatAge(d time.Duration) string {
	return fmt.Sprintf("%.3f s", d.Seconds())
}

func hostLines(s sock.Snapshot, h sock.HostState) []string {
	var out []string
	if h.Forward {
		out = append(out,
			"A router: it forwards packets that are not for it, by the",
			"longest prefix of its routing table that holds their",
			"destination, one less on their TTL each time.",
			"")
	}
	out = append(out, "Routing table (ip route):")
	out = append(out, routeLines(h)...)
	out = append(out, "")
	out = append(out, "Interfaces (ip addr):")
	if len(h.NICs) == 0 {
		for _, a := range h.Addrs {
			out = append(out, "  "+a.String())
		}
		out = append(out, "  (this kernel does not show the interfaces)")
	}
	for _, n := range h.NICs {
		out = append(out, nicLines(s, h.Name, n)...)
	}
	out = append(out, "", "ARP cache (ip neigh):")
	if len(h.Neigh) == 0 {
		out = append(out, "  (empty: no neighbour asked for yet)")
	}
	for _, n := range h.Neigh {
		out = append(out, "  "+n.String())
	}
	return append(out, dropLines(h.Drops)...)
}

// nicLines are one interface's lines: its name, MAC and MTU, then each
// address with its prefix, and where its cable goes.
func nicLines(s sock.Snapshot, host string, n sock.NICState) []string {
	head := fmt.Sprintf("  %-5s mtu %d", n.Name, n.MTU)
	if n.MAC != nil {
		head = fmt.Sprintf("  %-5s %v  mtu %d", n.Name, n.MAC, n.MTU)
	}
	if l, ok := linkByID(s, n.Link); ok && n.Link != 0 {
		head += "  cable " + l.Name + " to " + farEnd(l, host)
	}
	out := []string{head}
	for _, a := range n.Addrs {
		line := "        inet " + a.String()
		for _, p := range n.Peers {
			line += " peer " + p.String()
		}
		out = append(out, line)
	}
	return out
}

// routeLines are a host's routes as `ip route` prints them: the
// connected subnets of its interfaces, then its static routes.
func routeLines(h sock.HostState) []string {
	var out []string
	for _, n := range h.NICs {
		if n.MAC == nil {
			continue // the loopback
		}
		if len(n.Peers) > 0 {
			// A point-to-point cable: a route to each far-end address
			// ("ip addr add LOCAL peer REMOTE"), no subnet route.
			for _, p := range n.Peers {
				out = append(out, fmt.Sprintf("  %v dev %s scope link src %v", p, n.Name, n.Addrs[0].Addr()))
			}
			continue
		}
		for _, a := range n.Addrs {
			out = append(out, fmt.Sprintf("  %v dev %s scope link src %v", a.Masked(), n.Name, a.Addr()))
		}
	}
	for _, r := range h.Routes {
		dst := r.Dst.String()
		if r.Dst.Bits() == 0 {
			dst = "default"
		}
		out = append(out, fmt.Sprintf("  %s via %v%s", dst, r.Gateway, devFor(h, r.Gateway)))
	}
	if len(out) == 0 {
		out = append(out, "  (no routes)")
	}
	return out
}

// devFor is " dev eth0" for the interface whose subnet holds gw.
func devFor(h sock.HostState, gw netip.Addr) string {
	for _, n := range h.NICs {
		for _, a := range n.Addrs {
			if n.MAC != nil && a.Contains(gw) {
				return " dev " + n.Name
			}
		}
	}
	return ""
}

// dropLines say what was discarded, by reason, if anything.
func dropLines(drops map[string]int) []string {
	if len(drops) == 0 {
		return nil
	}
	out := []string{"", "Dropped:"}
	var reasons []string
	for r := range drops {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		out = append(out, fmt.Sprintf("  %d  %s", drops[r], r))
	}
	return out
}

// draw draws the plot's lines: prose and headings in
// the town's face, the tables (indented lines) in the mono face so their
// columns line up; each wrapped where the panel is narrow, a table's row
// going on further indented.
func (p plotPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(10)), float64(area.Min.Y+g.px(8))
	width := float64(area.Dx() - g.px(20))
	size := 12 * g.scale
	for _, l := range plotPanelLines(g.player.Snapshot(), p.host) {
		mono := strings.HasPrefix(l, " ")
		ink := colText
		if strings.HasSuffix(l, ":") && !mono {
			ink = colSelect // a heading
		}
		var rows []string
		if mono {
			rows = g.wrapMono(l, size, width)
		} else {
			rows = g.wrap(l, size, width)
		}
		for _, r := range rows {
			g.text(dst, r, x, y, size, ink, mono, alignLeft)
			y += 16 * g.scale
		}
		if y > float64(area.Max.Y) {
			return
		}
	}
}

// wrapMono wraps a table's row at spaces to width in the mono face; the
// rows after the first are indented further.
func (g *Game) wrapMono(s string, size, width float64) []string {
	face := g.fonts.face(size, true)
	if text.Advance(s, face) <= width {
		return []string{s}
	}
	body := strings.TrimLeft(s, " ")
	indent := s[:len(s)-len(body)]
	var out []string
	line := indent
	for _, w := range strings.Fields(body) {
		try := line + w
		if line != indent && line != indent+"    " {
			try = line + " " + w
		}
		if text.Advance(try, face) > width && strings.TrimSpace(line) != "" {
			out = append(out, line)
			line = indent + "    " + w
			continue
		}
		line = try
	}
	return append(out, line)
}

// title names the plot: a switch and what it learned, or a host (a
// router) and its addresses.
func (p plotPanel) title(g *Game) string {
	name := p.host
	if sw, ok := g.switchState(name); ok {
		return fmt.Sprintf("Switch %s: %d ports, %s learned", name, sw.Ports, plural(len(sw.FDB), "MAC address", "MAC addresses"))
	}
	for _, h := range g.player.Snapshot().Hosts {
		if h.Name == name {
			addrs := make([]string, len(h.Addrs))
			for i, a := range h.Addrs {
				addrs[i] = a.String()
			}
			what := "Host"
			if h.Forward {
				what = "Router"
			}
			return fmt.Sprintf("%s %s: %s", what, name, strings.Join(addrs, " "))
		}
	}
	return name
}
