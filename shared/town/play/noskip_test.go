package play_test

import (
	"testing"
	"time"

	"socketville/shared/town/play"
)

// finWait2 leaves a in FIN-WAIT-2, whose minute's timer is to run out,
// and nothing on the roads.
const finWait2 = `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a c
process b s root
b/s: socket tcp
b/s: bind 3 0.0.0.0:80
b/s: listen 3 1
a/c: socket tcp
a/c: connect 3 10.0.0.2:80
b/s: accept 3
a/c: close 3
`

// TestNoSkipKeepsThePace: a town in FIN-WAIT-2, its timer still to run
// out and no letter on a road, a second of wall time at 1x runs the
// clock QuietBoost times faster, unless SetNoSkip holds it to the pace
// set; a typed run still runs its stretch at once.
func TestNoSkipKeepsThePace(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noSkip  bool
		maxRun  time.Duration // at most this far in a second of wall time
		minRun  time.Duration // and at least
		skipped bool
	}{
		{name: "skipping", minRun: time.Second, maxRun: time.Hour, skipped: true},
		{name: "no skip", noSkip: true, maxRun: time.Duration(float64(time.Second) * play.BaseRate)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := play.New(play.Options{Name: "fin-wait-2", Source: finWait2})
			if err != nil {
				t.Fatal(err)
			}
			p.SetPaused(false)
			for i := 0; i < 10000 && (i < 2 || p.Busy()); i++ {
				p.Tick(time.Second / 60)
			}
			p.SetNoSkip(tc.noSkip)
			if p.Idle() || p.NoSkip() != tc.noSkip {
				t.Fatalf("idle %v, NoSkip %v at %v: the test wants a timer still to run: %v", p.Idle(), p.NoSkip(), p.Now(), p.Console().Lines)
			}
			from, skipped := p.Now(), false
			for range 60 {
				p.Tick(time.Second / 60)
				skipped = skipped || p.Skipping()
			}
			if ran := p.Now() - from; ran > tc.maxRun || ran < tc.minRun || skipped != tc.skipped {
				t.Errorf("a wall second ran the clock %v (want %v to %v), skipping %v", ran, tc.minRun, tc.maxRun, skipped)
			}
			at := p.Now()
			if err := p.Exec("run 30s"); err != nil || p.Now()-at < 30*time.Second {
				t.Errorf("run 30s: the clock ran %v, %v", p.Now()-at, err)
			}
		})
	}
}
