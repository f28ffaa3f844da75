package town

import (
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/examples"
)

// TestPickerEntriesFit fits every example's picker entry to the room a
// phone, a half screen and a laptop leave right of the picker: each is
// no wider than the room, unless it is the bare name, and a shortened
// description stops after a whole word of the real one and says so.
func TestPickerEntriesFit(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	width := func(s string) float64 { return text.Advance(s, f.face(14, false)) }
	for _, ex := range examples.All() {
		for _, room := range []float64{120, 174, 269, 604, 0} {
			got := fitEntry(ex.Name, ex.Description, room, width)
			full := ex.Name + " — " + ex.Description
			switch {
			case got == ex.Name || got == full:
			case !strings.HasSuffix(got, "…"):
				t.Errorf("%s in %v px: %q is shortened with no ellipsis", ex.Name, room, got)
			default:
				kept := strings.TrimSuffix(got, "…")
				rest := strings.TrimPrefix(full, kept)
				if !strings.HasPrefix(full, kept) || !strings.HasPrefix(strings.TrimLeft(rest, ",.;:"), " ") {
					t.Errorf("%s in %v px: %q is not the description cut after a word", ex.Name, room, got)
				}
			}
			if room > 0 && got != ex.Name && width(got) > room {
				t.Errorf("%s: %q is %.0f px wide in a room of %v", ex.Name, got, width(got), room)
			}
			if room == 0 && got != full {
				t.Errorf("%s with no limit: %q", ex.Name, got)
			}
		}
	}
}
