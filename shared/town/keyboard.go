package town

import (
	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// Keyboard-only use. Tab moves the focus ring to the next thing (the
// town's plots, houses, doors, roads and letters, then the panel's
// buttons and fields, then the top bar's and the console's input),
// Shift-Tab to the one before; Enter opens the town thing's panel and puts
// the ring on its first button, or presses the button; in a field, typing
// types and Enter runs the form; Esc leaves a field, then goes back to the
// thing whose panel it was, then takes the ring away. B opens the build
// panel. On the scenario picker, Enter opens its list and the up and down
// arrows play the story before or after. The town's other keys (Space, the arrows, T, C, ...) stay as
// they were while the ring is on something that is not a field.

// keyboard handles the focus keys, before the town's own; it reports
// whether it took the frame's keys (a field has the keyboard, or it
// moved the ring), so the town's keys do not act on them too.
func (g *Game) keyboard() bool {
	shift := ebiten.IsKeyPressed(ebiten.KeyShift)
	if g.hook.tabbedBack() {
		g.focusLast() // Shift-Tab from the page's Share menu
		return true
	}
	if g.hook.tabbedForward() {
		g.clearFocus()
		g.moveFocus(1) // Tab from the Share menu's last control: the first thing
		return true
	}
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeyTab):
		if g.w.combo.ContentVisible() {
			return false
		}
		g.moveFocus(map[bool]int{false: 1, true: -1}[shift])
		return true
	case g.formTyping():
		if inpututil.IsKeyJustPressed(ebiten.KeyEscape) {
			if in, ok := g.focus.w.(*widget.TextInput); ok {
				in.Focus(false) // the ring stays; Enter or typing again
			}
		}
		return true // the field's keys: Space is a space, not Pause
	case g.w.input.IsFocused():
		return false // the console's own keys
	case g.focus.w == widget.PreferredSizeLocateableWidget(g.w.combo) && g.pickerKeys():
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyEnter) && g.focusActive():
		g.pressFocused()
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyEscape) && g.focusActive():
		g.focusBack()
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyB) && !g.player.Watching():
		g.openBuild()
		return true
	}
	return false
}

// pickerKeys are the scenario picker's with the ring on it: Enter opens
// or shuts its list (Esc shuts it too), the down and up arrows play the
// next or the one before. It reports whether it took a key.
func (g *Game) pickerKeys() bool {
	step := 0
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeyEnter):
		g.w.combo.SetContentVisible(!g.w.combo.ContentVisible())
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyEscape) && g.w.combo.ContentVisible():
		g.w.combo.SetContentVisible(false) // the list first, the ring after
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowDown):
		step = 1
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowUp):
		step = -1
	default:
		return false
	}
	g.pickNext(step)
	return true
}

// pickNext loads the scenario step places after the one on show in the
// picker's list, round its ends, and puts the picker on it.
func (g *Game) pickNext(step int) {
	n := len(g.scenarios)
	if n == 0 {
		return
	}
	at := -1
	for i, s := range g.scenarios {
		if s.Name == g.player.Name() {
			at = i
		}
	}
	if at < 0 && step < 0 {
		at = 0
	}
	s := g.scenarios[((at+step)%n+n)%n]
	g.load(s.Name, s.Source)
	g.repick()
}

// repick has the widgets built again at the next frame, so that the
// picker names the story now on show (setting its entry would fire its
// handler, which loads: the lessons do the same).
func (g *Game) repick() { g.built = uiFit{} }

// formTyping reports a form's field that has the keyboard. Fields of a
// panel no longer on show (the learner clicked elsewhere while typing)
// are dropped first, so that they do not keep the town's keys.
func (g *Game) formTyping() bool {
	if len(g.forms.inputs) > 0 && g.forms.panel != g.w.panelFor {
		g.dropInputs()
	}
	for _, in := range g.forms.inputs {
		if in.IsFocused() && in.GetWidget().IsVisible() {
			return true
		}
	}
	return false
}

// focusActive reports a ring on something still there.
func (g *Game) focusActive() bool { return g.focused(g.focusTargets()) >= 0 }

// moveFocus moves the ring by step through the targets, round the end.
func (g *Game) moveFocus(step int) {
	if sc, ok := g.shown().(tabScroller); ok && sc.tabScroll(g, step) {
		return // onto a row scrolled into view (lessonlist.go)
	}
	ts := g.focusTargets()
	if len(ts) == 0 {
		return
	}
	i := g.focused(ts)
	switch {
	case i < 0 && step < 0:
		i = len(ts) - 1
	case i < 0:
		i = 0
	case i == len(ts)-1 && step > 0 && g.hook.tabOut():
		// The page has the keyboard (its Share menu): no ring in the
		// town, and the next Tab into it starts from the first thing.
		g.clearFocus()
		return
	default:
		i = (i + step + len(ts)) % len(ts)
	}
	if ts[i].id != "" {
		g.focus.from = ""
	}
	g.focusOn(ts[i])
}

// focusLast puts the ring on the last thing, as Shift-Tab from beyond
// the end does.
func (g *Game) focusLast() {
	g.clearFocus()
	g.moveFocus(-1)
}

// pressFocused opens the focused town thing (and puts the ring on its
// panel's first button), presses the focused button, or gives the
// focused field the keyboard again.
func (g *Game) pressFocused() {
	ts := g.focusTargets()
	i := g.focused(ts)
	if i < 0 {
		return
	}
	t := ts[i]
	switch w := t.w.(type) {
	case nil:
		t.open()
		g.layOutNow()
		if ws := g.widgetTargets(); len(ws) > 0 && ws[0].panel {
			g.focus.from = t.id
			g.focusOn(ws[0])
		}
	case *widget.Button:
		w.Click()
	case *widget.TextInput:
		if w == g.w.input {
			g.focusOn(t)
			return
		}
		w.Focus(true)
	}
}

// focusBack is Esc: from the panel back to the thing it shows, from a
// town thing (or a widget of no thing) to nothing.
func (g *Game) focusBack() {
	if g.focus.from != "" {
		for _, t := range g.townTargets() {
			if t.id == g.focus.from {
				g.focusOn(t)
				g.focus.from = ""
				return
			}
		}
	}
	g.clearFocus()
	g.selectNothing()
}

// layOutNow lays the widgets out again after the panel was rebuilt, so
// that the new buttons have their places before the ring goes to one.
func (g *Game) layOutNow() {
	g.laidOut.root = nil
	g.layOut()
}
