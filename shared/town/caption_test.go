package town

import (
	"image"
	"strings"
	"testing"

	"socketville/examples"
	"socketville/shared/town/play"
)

// TestFirstScreenSaysPauseStepSlow opens hello-tcp paused, as the town
// opens, in a laptop's town and a phone's: the hint under the caption
// says how to start, step and slow down in both, at no less than 11 CSS
// px; once playing, how to pause, step and slow down.
func TestFirstScreenSaysPauseStepSlow(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := examples.Find("hello-tcp")
	for _, c := range []struct {
		area    image.Rectangle
		compact bool
	}{{image.Rect(0, 40, 810, 616), false}, {image.Rect(0, 74, 360, 536), true}} {
		p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
		if err != nil {
			t.Fatal(err)
		}
		p.SetPaused(true)
		g := &Game{fonts: f, scale: 1, player: p, hover: -1, compact: c.compact}
		hint := func() label {
			for _, l := range g.captionLabels(c.area) {
				if l.kind == "hint" {
					return l
				}
			}
			t.Fatalf("%v: no hint under the caption", c.area)
			return label{}
		}
		for _, moment := range []struct{ name, start string }{{"paused at the start", "start"}, {"playing", "Pause"}} {
			h := hint()
			low := strings.ToLower(h.text)
			if !strings.Contains(low, strings.ToLower(moment.start)) || !strings.Contains(low, "step") || !strings.Contains(low, "slow") || h.size < 11 {
				t.Errorf("%v %s: the hint %q (%.1f px) does not say how to %s, step and slow down", c.area, moment.name, h.text, h.size, moment.start)
			}
			p.SetPaused(false)
		}
	}
}
