package town

import (
	"strings"
	"testing"
)

// TestFocusRingClearsTheWords: the ring round a focused door runs round
// its own words (the port over it, the peer's address under an accepted
// door: centred over it), through none of them, so that they stay
// readable; a neighbour's it may cross are drawn over it.
func TestFocusRingClearsTheWords(t *testing.T) {
	g := newTown(t, "hello-tcp")
	for i := 0; i < 400 && !strings.Contains(consoleText(g), "=> 4 from"); i++ {
		g.step()
	}
	settle(g)
	g.planLabels()
	band := ringBand(g.scale)
	doors, peers := 0, 0
	for _, tg := range g.townTargets() {
		if tg.kind != "door" {
			continue
		}
		doors++
		g.focusOn(tg)
		ring := g.ringRect(tg)
		if !tg.box.In(ring) {
			t.Errorf("%s: the ring %v is not round the door %v", tg.label, ring, tg.box)
		}
		for _, l := range g.labels {
			if l.prio == prioFixed {
				continue
			}
			b := l.rect()
			if cx := (b.Min.X + b.Max.X) / 2; cx < tg.box.Min.X || cx > tg.box.Max.X {
				continue // a neighbour's
			}
			if b.Overlaps(ring) && !b.In(ring.Inset(band)) {
				t.Errorf("%s: the ring %v runs through the %s label %q at %v", tg.label, ring, l.kind, l.shown, b)
			}
			if l.kind == "remote" && b.In(ring) {
				peers++
			}
		}
	}
	g.clearFocus()
	if doors < 3 || peers == 0 {
		t.Errorf("%d doors, %d peer labels inside a ring: want an accepted door's peer among them", doors, peers)
	}
}
