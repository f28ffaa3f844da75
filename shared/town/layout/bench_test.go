package layout_test

import (
	"testing"
	"time"

	"socketville/shared/town/crowd"
	"socketville/shared/town/layout"
)

// BenchmarkLayouterCrowd lays out a crowded town (100 hosts, 1,000
// sockets) as the town does on every new snapshot.
func BenchmarkLayouterCrowd(b *testing.B) {
	snap := snapshotAt(b, crowd.Scenario(50, 10), 0, 300*time.Millisecond)
	var lt layout.Layouter
	for b.Loop() {
		lt.Of(snap)
	}
}
