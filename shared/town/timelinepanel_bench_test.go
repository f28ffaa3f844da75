package town

import (
	"testing"
	"time"
)

// BenchmarkTimelinePage is what the timeline panel costs in a frame
// where something changed (a new event, a step back): lossy-bulk played
// to its end (3,735 events), the page round the shown event laid out
// again, with no filter and with the packets' kinds and one socket's.
func BenchmarkTimelinePage(b *testing.B) {
	g, err := New(Options{Scenario: "lossy-bulk"})
	if err != nil {
		b.Fatal(err)
	}
	g.width, g.height = 1280, 800
	g.fitUI(1)
	g.layOut()
	g.player.SetFastest(true)
	g.player.SetPaused(false)
	for i := 0; i < 100000 && g.player.Busy(); i++ {
		g.player.Tick(time.Second / 60)
	}
	if err := g.player.JumpTo(g.player.EventCount() / 2); err != nil {
		b.Fatal(err)
	}
	g.openTimeline()
	area := g.w.panelArea.GetWidget().Rect
	for _, c := range []struct {
		name       string
		kind       int
		host, sock string
	}{
		{name: "all"},
		{name: "packets", kind: 3},
		{name: "socket", host: "b", sock: "b/server fd 4"},
	} {
		b.Run(c.name, func(b *testing.B) {
			g.timeline.kind, g.timeline.host, g.timeline.sock = c.kind, c.host, c.sock
			for b.Loop() {
				g.timeline.memo = nil
				g.timelinePage(area)
			}
			b.ReportMetric(float64(g.player.EventCount()), "events")
		})
	}
}
