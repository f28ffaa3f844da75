package town

import (
	"fmt"
	"image"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
)

// buildPanel is where a town is built by hand: an empty town to start
// from, and a form each for a host, a switch and a link. A host's plot
// adds processes (plotpanel.go), a house sockets (build_house.go), a door
// its calls (build_door.go).
type buildPanel struct {
	form string // "add-host", "add-switch", "add-link" or ""
}

func (buildPanel) title(*Game) string { return "Build by hand: every button is one shell line" }

func (p buildPanel) build(g *Game, _, actions *widget.Container) {
	g.forms.builtFor = buildKey(g)
	box := g.column()
	grid := g.callGrid(2)
	grid.AddChild(g.button("Empty town", g.loadEmpty))
	var shown *form
	for _, f := range buildForms(g) {
		label := f.label
		to := buildPanel{form: f.form.id}
		if f.form.id == p.form {
			label, to, shown = "["+label+"]", buildPanel{}, &f.form
		}
		grid.AddChild(g.button(label, func() { g.open(to) }))
	}
	box.AddChild(grid)
	if shown != nil {
		g.buildForm(box, "build", *shown)
	}
	actions.AddChild(box)
}

// labelledForm is a form and the button that opens it.
type labelledForm struct {
	label string
	form  form
}

// buildForms are the build panel's forms, their defaults the next free
// names and addresses.
func buildForms(g *Game) []labelledForm {
	snap := g.player.Snapshot()
	nodes := nodeNames(snap)
	link := linkForm("", nodes)
	link.fresh = true
	return []labelledForm{
		{"Add host", form{id: "add-host", fields: []field{
			{key: "name", label: "name", def: nextHostName(snap)},
			{key: "addr", label: "address", def: nextHostAddr(snap).String()},
		}, fresh: true, line: func(v formValues) string {
			return strings.TrimSpace(fmt.Sprintf("host %s %s", strings.TrimSpace(v["name"]), strings.TrimSpace(v["addr"])))
		}}},
		{"Add switch", form{id: "add-switch", fields: []field{{key: "name", label: "name", def: nextSwitchName(snap)}}, fresh: true,
			line: func(v formValues) string { return "switch " + strings.TrimSpace(v["name"]) }}},
		{"Add link", link},
	}
}

// linkForm joins two of nodes with a road; from, when set, is one end
// already chosen (the plot whose panel it is on).
func linkForm(from string, nodes []string) form {
	var others []string
	for _, n := range nodes {
		if n != from {
			others = append(others, n)
		}
	}
	f := form{id: "add-link"}
	if from == "" {
		def := ""
		if len(nodes) > 0 {
			def = nodes[0]
		}
		f.fields = append(f.fields, field{key: "a", label: "from", def: def, choices: nodes})
	}
	def := ""
	for _, n := range others {
		if n != f.def("a") {
			def = n
			break
		}
	}
	f.fields = append(f.fields,
		field{key: "b", label: "to", def: def, choices: others},
		field{key: "delay", label: "delay", def: "5ms"})
	f.line = func(v formValues) string {
		a := from
		if a == "" {
			a = v["a"]
		}
		if a == "" || v["b"] == "" || a == v["b"] {
			return ""
		}
		line := "link " + a + " " + v["b"]
		if d := strings.TrimSpace(v["delay"]); d != "" {
			line += " delay=" + d
		}
		return line
	}
	return f
}

// def is the default of the form's field key, "" when it has none.
func (f form) def(key string) string {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl.def
		}
	}
	return ""
}

func (buildPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(10))
	w := float64(area.Dx() - g.px(24))
	for _, l := range []string{
		"1. Add two hosts (plots) and a link (a road) between them, or a switch and a link from each host to it.",
		"2. Click a plot (or Tab to it and press Enter): Add process puts a house on it.",
		"3. Click a house: socket tcp or socket udp opens a door.",
		"4. Click a door: bind, listen, connect to a listener it can reach, send, recv, poll, setsockopt, shutdown, close.",
		"Each button runs one shell line, echoed in the console as if typed: the console's history (up arrow) keeps them, and a scenario can replay them.",
	} {
		for _, r := range g.wrap(l, 13*g.scale, w) {
			g.text(dst, r, x, y, 13*g.scale, colDim, false, alignLeft)
			y += 18 * g.scale
		}
		y += 6 * g.scale
	}
}

// update builds the panel again when the town grew, so the forms offer
// the next free name and address and the new hosts as a link's ends.
func (p buildPanel) update(g *Game) (panel, bool) { return p, buildKey(g) != g.forms.builtFor }

// buildKey is what the build panel's defaults depend on.
func buildKey(g *Game) string {
	snap := g.player.Snapshot()
	return strings.Join(append(nodeNames(snap), nextHostAddr(snap).String()), " ")
}

// look: the forms' defaults follow the town (the next free name).
func (buildPanel) look(g *Game) panelLook { return panelLook{gen: g.player.SnapshotGen()} }

func (p buildPanel) state(g *Game, s *State) {
	s.Selected = "build"
	s.Form = g.formShown(p.form)
}

// loadEmpty starts again from the empty town, playing: a town built by
// hand goes on as it is built (a connect's handshake, an accept's wait),
// and the build panel stays open for the first host.
func (g *Game) loadEmpty() {
	g.load(emptyTown.Name, emptyTown.Source)
	g.repick() // the picker says so too
	g.player.SetPaused(false)
	g.open(buildPanel{})
}

// openBuild shows the build panel (the top bar's Build button, the B key).
func (g *Game) openBuild() { g.open(buildPanel{}) }

// formShown is the form on show for the state hook, nil for none.
func (g *Game) formShown(id string) *FormState {
	if id == "" || g.forms.current == nil || g.forms.current.id != id {
		return nil
	}
	f := g.forms.current
	v := g.formValues(g.forms.owner, *f)
	return &FormState{Name: f.id, Values: v, Line: f.line(v)}
}
