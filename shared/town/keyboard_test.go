package town

import (
	"strings"
	"testing"

	"github.com/ebitenui/ebitenui/event"
)

// tabTo moves the ring forward (as Tab does) until it is on a thing of
// kind whose label has label in it; it fails after a whole round.
func tabTo(t *testing.T, g *Game, kind, label string) {
	t.Helper()
	n := len(g.focusTargets())
	for range n + 1 {
		g.moveFocus(1)
		if f := g.State().Focus; f.Kind == kind && strings.Contains(f.Label, label) {
			return
		}
	}
	t.Fatalf("Tab never reached a %s %q; at %+v", kind, label, g.State().Focus)
}

// enter presses Enter on the ring's thing, and lets the town take it in.
func enter(g *Game) {
	g.pressFocused()
	event.ExecuteDeferred()
	settle(g)
}

// TestKeyboardOnly runs a door's call with the focus keys alone: Tab to
// the listening door, Enter opens its panel with the ring on its first
// button, Tab to accept and Enter runs it; Esc takes the ring back to the
// door, and again away. A fresh socket's bind form takes typing in its
// field, which Space does not pause.
func TestKeyboardOnly(t *testing.T) {
	g := newTown(t, "hello-tcp")
	for i := 0; i < 200 && !strings.Contains(consoleText(g), ": listen "); i++ {
		g.step()
	}
	settle(g)
	if f := g.State().Focus; f.Kind != "" {
		t.Fatalf("a ring before any Tab: %+v", f)
	}
	g.moveFocus(1)
	if f := g.State().Focus; f.Kind != "plot" || f.Box.W <= 0 {
		t.Fatalf("the first Tab is on %+v, want the first plot", f)
	}
	tabTo(t, g, "door", "b/web fd 3")
	enter(g)
	s := g.State()
	if s.Selected != "door" || s.Focus.Kind != "button" {
		t.Fatalf("Enter on the door: panel %q, ring on %+v; want the door's panel, the ring on its first button", s.Selected, s.Focus)
	}
	tabTo(t, g, "button", "accept")
	enter(g)
	wantConsole(t, g, "b/web: accept 3 &")
	g.focusBack()
	if f := g.State().Focus; f.Kind != "door" {
		t.Fatalf("Esc from the panel: ring on %+v, want the door", f)
	}
	g.focusBack()
	if s := g.State(); s.Focus.Kind != "" || s.Selected != "" {
		t.Fatalf("Esc from the door: ring on %+v, panel %q; want neither", s.Focus, s.Selected)
	}
	// Shift-Tab from nowhere goes to the last thing: the console's input.
	g.moveFocus(-1)
	if f := g.State().Focus; f.Kind != "input" || !g.w.input.IsFocused() {
		t.Fatalf("Shift-Tab from nowhere: %+v (console typing %v), want the console's input", f, g.w.input.IsFocused())
	}
	g.clearFocus()
}

// TestKeyboardFillsAForm: on a fresh socket, Enter on bind opens its
// form with the ring in its field, which has the keyboard; what is typed
// there makes the run button's line, and Enter on it runs it.
func TestKeyboardFillsAForm(t *testing.T) {
	g := newTown(t, EmptyTown)
	g.player.SetPaused(false)
	for _, l := range []string{"host a 10.0.0.1/24", "process a app", "a/app: socket udp"} {
		g.exec(l)
	}
	settle(g)
	tabTo(t, g, "door", "a/app fd 3")
	enter(g)
	tabTo(t, g, "button", "bind")
	enter(g)
	s := g.State()
	if s.Form == nil || s.Form.Name != "bind" {
		t.Fatalf("no bind form after Enter on bind: %+v", s.Form)
	}
	tabTo(t, g, "input", "0.0.0.0:9000")
	if !g.formTyping() {
		t.Fatal("the ring is on the field but it does not have the keyboard")
	}
	if !g.keyboard() {
		t.Error("the town's keys would act while a field is typed in")
	}
	g.forms.inputs["addr"].SetText("0.0.0.0:5353")
	event.ExecuteDeferred()
	tabTo(t, g, "button", "Run: bind 3 0.0.0.0:5353")
	if g.formTyping() {
		t.Error("the field kept the keyboard after the ring left it")
	}
	enter(g)
	wantConsole(t, g, "a/app: bind 3 0.0.0.0:5353", "=> 0")
}

// TestTabTakesTheKeyboardFromTheConsole: a learner who clicked into the
// console and presses Tab moves the ring on, and the console no longer
// takes the keys.
func TestTabTakesTheKeyboardFromTheConsole(t *testing.T) {
	g := newTown(t, "hello-tcp")
	settle(g)
	g.w.input.Focus(true)
	g.moveFocus(1)
	if g.w.input.IsFocused() {
		t.Error("the console kept the keyboard after Tab")
	}
	if f := g.State().Focus; f.Kind != "plot" {
		t.Errorf("the ring is on %+v, want the first plot", f)
	}
}

// TestAFieldLeftByAClickGivesTheKeysBack: a learner typing in a form who
// clicks elsewhere (another panel opens) gets the town's keys back.
func TestAFieldLeftByAClickGivesTheKeysBack(t *testing.T) {
	g := newTown(t, EmptyTown)
	g.openBuild()
	press(t, g, "Add host")
	in := g.forms.inputs["name"]
	in.Focus(true)
	if !g.formTyping() {
		t.Fatal("the host form's name field has the keyboard but the town does not know it")
	}
	g.selectNothing() // a click on open ground
	if g.formTyping() || in.IsFocused() {
		t.Error("the build form's field kept the keyboard after its panel closed")
	}
}

// TestTypingGoesOnWhileTheDoorMovesOn: a field being typed in keeps the
// keyboard, and the ring, when its panel is built again because its door
// changed state under it.
func TestTypingGoesOnWhileTheDoorMovesOn(t *testing.T) {
	g := newTown(t, EmptyTown)
	g.player.SetPaused(false)
	for _, l := range []string{"host a 10.0.0.1/24", "process a app", "a/app: socket udp"} {
		g.exec(l)
	}
	settle(g)
	tabTo(t, g, "door", "a/app fd 3")
	enter(g)
	tabTo(t, g, "button", "sendto")
	enter(g)
	tabTo(t, g, "input", "hello")
	g.rebuildPanel() // as a state change under the door does
	if !g.formTyping() {
		t.Error("the field lost the keyboard when its panel was built again")
	}
	if f := g.State().Focus; f.Kind != "input" || f.Label != "hello" {
		t.Errorf("the ring went to %+v, want the field", f)
	}
}

// TestPickerByKeyboard: the ring reaches the scenario picker, and the
// down arrow's step plays the next story (the empty town is first, then
// the examples in order), the up arrow's the one before.
func TestPickerByKeyboard(t *testing.T) {
	g := newTown(t, EmptyTown)
	tabTo(t, g, "picker", EmptyTown)
	g.pickNext(1)
	g.fitUI(1) // the next frame's
	if s := g.State(); s.Scenario != g.scenarios[1].Name || g.w.combo.SelectedEntry() != any(g.scenarios[1]) {
		t.Errorf("down from the empty town plays %q (picker on %v), want %q", s.Scenario, g.w.combo.SelectedEntry(), g.scenarios[1].Name)
	}
	g.pickNext(-1)
	g.pickNext(-1)
	g.fitUI(1)
	if s := g.State(); s.Scenario != g.scenarios[len(g.scenarios)-1].Name {
		t.Errorf("up twice plays %q, want the last story, %q", s.Scenario, g.scenarios[len(g.scenarios)-1].Name)
	}
}
