package town

import (
	"image"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/shared/town/play"
)

// TestFastestPlaysAndShowsIt presses "As fast as possible" on a paused
// town: it plays (a learner asking for speed wants to see the story go),
// the speed slider's thumb stands at its far end, and pressing it again
// brings the thumb back to the speed set, still playing.
func TestFastestPlaysAndShowsIt(t *testing.T) {
	hello, _ := examples.Find("hello-tcp")
	p, err := play.New(play.Options{Name: hello.Name, Source: hello.Source})
	if err != nil {
		t.Fatal(err)
	}
	p.SetPaused(true)
	g := &Game{player: p}
	g.toggleFastest()
	speed, fastest := p.Speed()
	if !fastest || p.Paused() {
		t.Errorf("after As fast as possible: fastest %v, paused %v; want it playing as fast as possible", fastest, p.Paused())
	}
	if got := speedThumb(speed, fastest); got != speedSteps {
		t.Errorf("thumb at %d, want the far end %d while as fast as possible", got, speedSteps)
	}
	g.toggleFastest()
	speed, fastest = p.Speed()
	if fastest || p.Paused() || speed != 1 {
		t.Errorf("back: fastest %v, paused %v, speed %v; want 1x, playing", fastest, p.Paused(), speed)
	}
	if got := speedThumb(speed, fastest); got != stepOf(1) {
		t.Errorf("thumb back at %d, want 1x's %d", got, stepOf(1))
	}
}

// TestCaptionPastOnceTheClockRanOn plays hello-tcp to its end, as fast as
// possible: its closing "run 2m" ends the TIME-WAIT its last caption
// speaks of, so the player says the words are of an earlier time, and
// the caption band's hint line says it.
func TestCaptionPastOnceTheClockRanOn(t *testing.T) {
	hello, _ := examples.Find("hello-tcp")
	p, err := play.New(play.Options{Name: hello.Name, Source: hello.Source})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.CaptionPast(); ok {
		t.Fatal("before the story, the caption is of now")
	}
	p.SetFastest(true)
	p.SetPaused(false)
	for i := 0; i < 10000 && (p.Busy() || p.Now() < 2*time.Minute); i++ {
		p.Tick(time.Second / 60)
	}
	told, ok := p.CaptionPast()
	if !ok || told > time.Minute || p.Now() < 2*time.Minute {
		t.Fatalf("at the end (t = %v): CaptionPast = %v, %v; want the story's last line's time, before the TIME-WAIT ended", p.Now(), told, ok)
	}
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{player: p, fonts: f, scale: 1}
	area := image.Rect(0, 40, 810, 620)
	var hint string
	for _, l := range g.captionLabels(area) {
		if l.kind == "hint" {
			hint = l.text
		}
	}
	if want := "the words above tell of t = " + formatVirtual(told); !strings.Contains(hint, want) {
		t.Errorf("hint line %q, want it to say %q", hint, want)
	}
}
