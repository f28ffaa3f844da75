package town

import (
	"testing"

	"socketville/examples"
)

// TestLoadFromOutsideRenamesThePicker: a scenario the page opened (Open
// .sv) or a link's session is what the picker names at the next frame,
// not the story it replaced.
func TestLoadFromOutsideRenamesThePicker(t *testing.T) {
	g := newTown(t, "two-clients")
	if err := g.Load("six", "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\n"); err != nil {
		t.Fatal(err)
	}
	g.fitUI(1) // the next frame's
	if got := g.w.combo.SelectedEntry(); got == nil || got.(examples.Scenario).Name != "six" {
		t.Errorf("after Load the picker is on %v, want six", got)
	}
	s := g.Player().Session()
	s.Name = "shared"
	if err := g.LoadSession(s); err != nil {
		t.Fatal(err)
	}
	g.fitUI(1)
	if got := g.w.combo.SelectedEntry(); got == nil || got.(examples.Scenario).Name != "shared" {
		t.Errorf("after LoadSession the picker is on %v, want shared", got)
	}
	if err := g.Load("bad", "host a nonsense\n"); err == nil {
		t.Error("a scenario that does not parse loaded")
	}
	g.fitUI(1)
	if st := g.State(); st.Scenario != "shared" {
		t.Errorf("a bad scenario replaced the town: %q plays, want shared", st.Scenario)
	}
}
