package town

import (
	"image"
	"strings"
	"testing"

	"socketville/examples"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TestLabelsNeverOverlap plays every example step by step in a large and
// a small town, whole and zoomed in, and looks at the words as they would
// be drawn: no two labels overlap, every one lies wholly inside the town,
// no letter's name stands on a plot, and in the whole town every plot's
// sign, every house's name and every door's port is among them: always
// in the large town, and in the small one while the whole town is drawn
// large enough for a port's number (a town of six plots or more, with a
// caption of four lines, is not: there a learner zooms in, as the
// zoomed-in check below does).
func TestLabelsNeverOverlap(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ex := range examples.All() {
		for _, area := range []image.Rectangle{image.Rect(0, 40, 810, 630), image.Rect(0, 40, 560, 480)} {
			p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
			if err != nil {
				t.Fatal(err)
			}
			g := &Game{fonts: f, scale: 1, player: p, hover: -1}
			large := area.Dx() >= 800
			for step := 0; step < 400 && p.Busy(); step++ {
				p.Step()
				g.lay = layout.Of(p.Snapshot())
				g.cam = fitCamera(g.lay.Bounds, g.fitIn(area), g.scale)
				whole := large || 12*g.cam.zoom >= minTextSize
				if !whole && step == 0 {
					t.Logf("%s in %v: the whole town at zoom %.2f is too small for a port's number", ex.Name, area, g.cam.zoom)
				}
				checkLabels(t, g, area, ex.Name, step, whole)
				// Zoomed in on the middle, half the town out of sight.
				g.cam = viewport{free: true, zoom: 3, center: g.lay.Bounds.Center()}.camera(g.lay.Bounds, g.fitIn(area), g.scale)
				checkLabels(t, g, area, ex.Name, step, false)
				checked++
			}
		}
	}
	t.Logf("%d moments checked", checked)
}

// TestMoreTownBadgesAreLabels plays every example in a phone's and a
// half screen's town, where the panel is a drawer and the town is shown
// at a readable zoom from its first plot: the "more town: drag" badges
// are among the placed labels whenever the town goes on past an edge, so
// they overlap no caption, no hint and no other word.
func TestMoreTownBadgesAreLabels(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples.All() {
		for _, area := range []image.Rectangle{image.Rect(0, 112, 360, 520), image.Rect(0, 36, 800, 480)} {
			p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
			if err != nil {
				t.Fatal(err)
			}
			g := &Game{fonts: f, scale: 1, player: p, hover: -1, drawer: true}
			badges := 0
			for step := 0; step < 400 && p.Busy(); step++ {
				p.Step()
				g.lay = layout.Of(p.Snapshot())
				g.view.minZoom = g.readableZoom()
				g.cam = g.view.camera(g.lay.Bounds, g.fitIn(area), g.scale)
				checkLabels(t, g, area, ex.Name, step, false)
				x1, _ := g.cam.pt(g.lay.Bounds.Max)
				if x1 <= float64(area.Max.X)+1 {
					continue
				}
				for _, l := range g.labelsIn(area) {
					if l.kind == "more" {
						badges++
					}
				}
			}
			if x1, _ := g.cam.pt(g.lay.Bounds.Max); x1 > float64(area.Max.X)+1 && badges == 0 {
				t.Errorf("%s in %v: the town goes on past the right edge and no badge says so", ex.Name, area)
			}
		}
	}
}

// checkLabels checks one moment's labels; whole asks for every sign,
// house name and port.
func checkLabels(t *testing.T, g *Game, area image.Rectangle, name string, step int, whole bool) {
	t.Helper()
	ls := g.labelsIn(area)
	where := func(l label) string { return l.kind + " " + strings.TrimSpace(l.shown) }
	for i, a := range ls {
		if in, ok := a.box.inside(area); !ok || in != a.box {
			t.Fatalf("%s step %d in %v: %q at %+v is not inside the town", name, step, area, where(a), a.box)
		}
		for _, b := range ls[i+1:] {
			if a.box.overlaps(b.box) {
				t.Fatalf("%s step %d in %v: %q at %+v overlaps %q at %+v", name, step, area, where(a), a.box, where(b), b.box)
			}
		}
	}
	checkLettersOffPlots(t, g, ls, name, step)
	if !whole {
		return
	}
	count := map[string]int{}
	for _, l := range ls {
		count[l.kind]++
	}
	doors, houses := 0, 0
	for _, p := range g.lay.Plots {
		for _, h := range p.Houses {
			houses++
			doors += len(h.Doors)
		}
		doors += len(p.Orphans)
	}
	if count["sign"] != len(g.lay.Plots) || count["house"] != houses || count["port"] != doors {
		t.Fatalf("%s step %d in %v: %d signs, %d house names, %d ports shown for %d plots, %d houses, %d doors",
			name, step, area, count["sign"], count["house"], count["port"], len(g.lay.Plots), houses, doors)
	}
	if g.player.Caption() != "" && count["caption"] == 0 {
		t.Fatalf("%s step %d: the caption %q is not shown", name, step, g.player.Caption())
	}
}

// checkLettersOffPlots checks that no letter's name stands on a plot,
// where it would read as a word of the house at the road's end.
func checkLettersOffPlots(t *testing.T, g *Game, ls []label, name string, step int) {
	t.Helper()
	for _, l := range ls {
		if l.kind != "letter" {
			continue
		}
		for _, p := range g.lay.Plots {
			x, y, w, h := g.cam.rect(p.Rect)
			if l.box.overlaps(boxF{x: x, y: y, w: w, h: h}) {
				t.Fatalf("%s step %d: the letter's name %q at %+v stands on %s's plot", name, step, l.shown, l.box, p.Host)
			}
		}
	}
}

// TestLoadScrollsTheConsoleToTheStart scrolls the console back, then
// restarts: the console shows the newest lines again.
func TestLoadScrollsTheConsoleToTheStart(t *testing.T) {
	ex, _ := examples.Find("hello-udp")
	p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{player: p}
	g.scroll.console = 5
	g.load(ex.Name, ex.Source)
	if g.scroll.console != 0 {
		t.Errorf("after Restart the console is %d lines back", g.scroll.console)
	}
}
