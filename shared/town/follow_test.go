package town

import (
	"image"
	"strings"
	"testing"

	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/examples"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TestNarrowTownFollowsTheLetters plays hello-tcp in a phone's town, too
// narrow for both plots at the readable zoom: at first it shows the town
// from plot a and a badge names host b beyond the right edge; then, as
// letters travel, the view glides to them so that every letter on the
// road is on screen, with no letter to the house whose line is being
// carried out, and it never shows less than the readable zoom.
func TestNarrowTownFollowsTheLetters(t *testing.T) {
	f, p := helloPlayer(t)
	area := image.Rect(0, 112, 400, 620)
	g := &Game{fonts: f, scale: 1, player: p, hover: -1, drawer: true}
	frame := func() {
		g.lay = layout.Of(p.Snapshot())
		g.view.minZoom = g.readableZoom()
		g.followAction()
		g.cam = g.view.camera(g.lay.Bounds, g.fitIn(area), g.scale)
	}
	frame()
	if x1, _ := g.cam.pt(g.lay.Bounds.Max); x1 <= float64(area.Max.X) {
		t.Fatalf("hello-tcp fits a %d wide town at the readable zoom: nothing to follow", area.Dx())
	}
	var badge string
	for _, l := range g.labelsIn(area) {
		if l.kind == "more" {
			badge = l.text
		}
	}
	if !strings.Contains(badge, "host b") {
		t.Errorf("the badge at the right edge says %q: want it to name host b", badge)
	}
	seen, houses := 0, 0
	for step := 0; step < 400 && p.Busy(); step++ {
		p.Step()
		for i := 0; i < 60; i++ { // a second of frames: the glide arrives
			frame()
		}
		if g.cam.zoom < g.view.minZoom {
			t.Fatalf("step %d: zoom %v under the readable %v", step, g.cam.zoom, g.view.minZoom)
		}
		if pt, ok := g.actionPoint(); ok && len(p.Animation().Letters) == 0 {
			// The house whose line is being carried out.
			if x, y := g.cam.pt(pt); !image.Pt(int(x), int(y)).In(area) {
				t.Errorf("step %d (line %d): the action at %.0f,%.0f is off the %v town", step, p.CurrentLine(), x, y, area)
			}
			houses++
		}
		for _, l := range p.Animation().Letters {
			pt, ok := g.letterPoint(l)
			if !ok {
				continue
			}
			x, y := g.cam.pt(pt)
			if !image.Pt(int(x), int(y)).In(area) {
				t.Errorf("step %d: letter %s at %.0f,%.0f is off the %v town", step, l.Label, x, y, area)
			}
			seen++
		}
	}
	if seen == 0 || houses == 0 {
		t.Errorf("%d letters on the road, %d moments at a house followed: want some of each", seen, houses)
	}
}

// TestInputPlaceholderReadsWhole: at every width from a phone's to a
// wide screen's, the console input's placeholder fits the input whole.
func TestInputPlaceholderReadsWhole(t *testing.T) {
	f, p := helloPlayer(t)
	for _, w := range []int{320, 360, 400, 500, 800, 1280} {
		g := &Game{fonts: f, scale: 1, player: p, width: w}
		s := g.inputPlaceholder()
		// The input: the console's padding (6 each side) and its own (6).
		if adv := text.Advance(s, f.face(14, false)); adv > float64(w-24) {
			t.Errorf("at %d px the placeholder %q is %.0f px wide: cut in a %d px input", w, s, adv, w-24)
		}
		if w >= 1280 && s != inputPlaceholders[0] {
			t.Errorf("at %d px the placeholder is %q, want the whole %q", w, s, inputPlaceholders[0])
		}
	}
}

// helloPlayer is the town's fonts and a player of hello-tcp, for the
// tests that draw it at one size or another.
func helloPlayer(t *testing.T) (*fonts, *play.Player) {
	t.Helper()
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	hello, _ := examples.Find("hello-tcp")
	p, err := play.New(play.Options{Name: hello.Name, Source: hello.Source})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}
