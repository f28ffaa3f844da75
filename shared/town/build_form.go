package town

import (
	"strings"

	"github.com/ebitenui/ebitenui/widget"
)

// A form is what one call needs beyond its button: a few fields, each a
// text input with a sensible default or a chooser of a few words, and the
// shell line they make. Its run button says that line as it stands, and
// pressing it (or Enter in a field) runs it, once.
type form struct {
	// id names the form for the state hook: "bind", "add-host", ...
	id     string
	fields []field
	// line is the shell line the values make; "" runs nothing.
	line func(v formValues) string
	// fresh forms start again from their defaults once run: the next
	// host's name and address, not the one just added.
	fresh bool
}

// field is one of a form's inputs.
type field struct {
	key, label, def string
	// choices, when set, make the field a chooser: a button each, the
	// chosen one bracketed.
	choices []string
}

// formValues are a form's values by field key.
type formValues map[string]string

// formState is the form open in the panel and what was typed into it,
// kept while the panel is built again (a door's state moves on under it).
type formState struct {
	// of is the form's owner and id ("door a 7 bind"): another form, or
	// the same form on another door, starts from its defaults.
	of   string
	vals formValues
	// inputs are the text inputs on screen, by field key, for the focus
	// ring and the state hook.
	inputs map[string]*widget.TextInput
	// current is the form last built and owner whose it is; builtFor
	// is what the build panel's defaults were worked out from.
	current  *form
	owner    string
	builtFor string
	// panel is the panel the inputs were built for: once another is on
	// show (or this one built again), they are gone from the screen.
	panel panel
}

// FormState is the form open in the panel, for tests: its name, its
// fields' values and the line its run button runs.
type FormState struct {
	Name   string            `json:"name"`
	Values map[string]string `json:"values"`
	Line   string            `json:"line"`
}

// values are the form's values now: what was typed, else the defaults.
func (g *Game) formValues(owner string, f form) formValues {
	of := owner + " " + f.id
	if g.forms.of != of {
		g.forms.of, g.forms.vals = of, formValues{}
	}
	v := formValues{}
	for _, fl := range f.fields {
		v[fl.key] = fl.def
		if s, ok := g.forms.vals[fl.key]; ok {
			v[fl.key] = s
		}
	}
	return v
}

// buildForm puts form f into box: its fields one a row, then its run
// button. owner tells this form's values from another's.
func (g *Game) buildForm(box *widget.Container, owner string, f form) {
	v := g.formValues(owner, f)
	// The field being typed in, if the same form is built again (its
	// door moved on under it), goes on taking the keys in its new widget.
	typing, ringed := "", ""
	if g.forms.panel == g.w.panelFor {
		for k, in := range g.forms.inputs {
			if in.IsFocused() {
				typing = k
			}
			if g.focus.w == widget.PreferredSizeLocateableWidget(in) {
				ringed = k
			}
		}
	}
	g.dropInputs()
	g.forms.current, g.forms.owner, g.forms.panel = &f, owner, g.w.panelFor
	defer func() {
		if in, ok := g.forms.inputs[ringed]; ok {
			g.focus.w = in
		}
		if in, ok := g.forms.inputs[typing]; ok {
			in.Focus(true)
			in.CursorMoveEnd()
		}
	}()
	var run *widget.Button
	label := func() {
		run.SetText("Run: " + lineLabel(f.line(v)))
		box.RequestRelayout() // the button is as wide as its new line
	}
	exec := func() {
		if l := f.line(v); l != "" {
			g.exec(l)
			if f.fresh {
				g.forms.of = "" // the next build starts from the defaults
			}
		}
	}
	run = g.button("", exec)
	label()
	for _, fl := range f.fields {
		row := g.row(6)
		row.AddChild(widget.NewText(widget.TextOpts.Text(fl.label, g.fonts.faceRef(13*g.scale), colDim),
			widget.TextOpts.WidgetOpts(centered(), widget.WidgetOpts.MinSize(g.px(70), 0))))
		if len(fl.choices) > 0 {
			for _, c := range fl.choices {
				text := c
				if c == v[fl.key] {
					text = "[" + c + "]"
				}
				row.AddChild(g.button(text, func() {
					g.forms.vals[fl.key] = c
					g.rebuildPanel()
				}))
			}
			box.AddChild(row)
			continue
		}
		in := widget.NewTextInput(
			widget.TextInputOpts.Padding(widget.NewInsetsSimple(g.px(4))),
			widget.TextInputOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(220), 0)),
			widget.TextInputOpts.ChangedHandler(func(a *widget.TextInputChangedEventArgs) {
				v[fl.key], g.forms.vals[fl.key] = a.InputText, a.InputText
				label()
			}),
			widget.TextInputOpts.SubmitHandler(func(*widget.TextInputChangedEventArgs) { exec() }),
			widget.TextInputOpts.AllowDuplicateSubmit(true),
		)
		in.SetText(v[fl.key])
		g.forms.inputs[fl.key] = in
		row.AddChild(in)
		box.AddChild(row)
	}
	box.AddChild(run)
}

// dropInputs forgets the form's fields, taking the keyboard from the one
// that had it: they are no longer on screen.
func (g *Game) dropInputs() {
	for _, in := range g.forms.inputs {
		in.Focus(false)
	}
	g.forms.inputs = map[string]*widget.TextInput{}
}

// lineLabel is a shell line as a run button says it: the call, without
// the "host/proc: " that the panel's title already says.
func lineLabel(l string) string {
	if l == "" {
		return "(fill in the fields)"
	}
	if i := strings.Index(l, ": "); i >= 0 && !strings.Contains(l[:i], " ") {
		return l[i+2:]
	}
	return l
}

// quoted is s as the shell's "text" argument, its quotes and backslashes
// escaped.
func quoted(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// callGrid is a container that lays buttons out in columns, so a row of
// calls wraps inside the panel instead of running off it.
func (g *Game) callGrid(cols int) *widget.Container {
	return widget.NewContainer(widget.ContainerOpts.Layout(widget.NewGridLayout(
		widget.GridLayoutOpts.Columns(cols),
		widget.GridLayoutOpts.Spacing(g.px(4), g.px(4)),
	)))
}

// column is a container that stacks what it holds.
func (g *Game) column() *widget.Container {
	return widget.NewContainer(widget.ContainerOpts.Layout(widget.NewRowLayout(
		widget.RowLayoutOpts.Direction(widget.DirectionVertical),
		widget.RowLayoutOpts.Spacing(g.px(4)),
	)))
}
