package town

import (
	"image"
	"strings"
	"testing"
	"time"

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

// TestEmptyTownSaysBuild: the empty town has nothing to play, so the
// hint under its caption and the status line say to build a host, not
// to press Play nor that the scenario is done; once a host is built the
// town's usual words come back.
func TestEmptyTownSaysBuild(t *testing.T) {
	g := newTown(t, EmptyTown)
	for _, paused := range []bool{true, false} {
		g.player.SetPaused(paused)
		g.player.Tick(time.Second / TPS)
		var hint string
		for _, l := range g.captionLabels(g.townRect()) {
			if l.kind == "hint" {
				hint = l.text
			}
		}
		status := g.statusLabel(g.townRect()).text
		if !strings.Contains(hint, "B (Build)") || strings.Contains(hint, "Play") {
			t.Errorf("paused %v: the hint %q does not say to build", paused, hint)
		}
		if strings.Contains(status, "done") || !strings.Contains(status, "Build") {
			t.Errorf("paused %v: the status %q", paused, status)
		}
	}
	g.openBuild()
	press(t, g, "Add host")
	press(t, g, "Run: host a 10.0.0.1/24")
	if len(g.player.Snapshot().Hosts) == 0 {
		t.Fatalf("host a is not built: %q", g.State().Console)
	}
	for _, l := range g.captionLabels(g.townRect()) {
		if l.kind == "hint" && strings.Contains(l.text, "Build") {
			t.Errorf("a host built: the hint still says %q", l.text)
		}
	}
}

// TestLessonCaptionIsTheNewRuns: after a lesson's show-me lines, Start
// again and a switch to the next lesson show, frame by frame, the same
// caption band (the caption and the hint under it) as a town that
// opened that lesson fresh: nothing of the run before stays in it.
func TestLessonCaptionIsTheNewRuns(t *testing.T) {
	for _, n := range []int{7, 8, 9, 10} {
		g := lessonTown(t, n, nil)
		frames(g, 600, func(State) bool { return !g.player.Busy() })
		typeLines(t, g, strings.TrimSpace(lessonOf(t, n).Show))
		frames(g, 100, func(State) bool { return false })
		for _, c := range []struct {
			name string
			do   func()
			k    int
		}{
			{name: "start again", do: g.startAgain, k: n},
			{name: "the next lesson", do: func() { g.startLesson(n%10 + 1) }, k: n%10 + 1},
		} {
			c.do()
			fresh := lessonTown(t, c.k, nil)
			for i := range 700 {
				frames(g, 1, func(State) bool { return false })
				frames(fresh, 1, func(State) bool { return false })
				if a, b := captionTexts(g), captionTexts(fresh); a != b {
					t.Errorf("lesson %d, %s, frame %d: the band shows %q, a fresh town %q", n, c.name, i, a, b)
					break
				}
			}
		}
	}
}

// captionTexts is what the caption band says, line by line.
func captionTexts(g *Game) string {
	var out []string
	for _, l := range g.captionLabels(g.townRect()) {
		out = append(out, l.text)
	}
	return strings.Join(out, "\n")
}
