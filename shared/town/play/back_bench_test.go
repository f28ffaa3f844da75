package play

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// bulkSource is a long lossy bulk transfer: size bytes from a to b over a
// 100 Mbit/s road that loses 2% of the letters and duplicates and
// reorders 1%, so TCP retransmits, and a minute of run after: about
// 3,000 events a MiB.
func bulkSource(size int) string {
	return fmt.Sprintf(`seed 7
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=10ms rate=100Mbit loss=2%% dup=1%% reorder=1%%
process a client
process b server root
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 8
a/client: socket tcp
a/client: connect 3 10.0.0.2:80
b/server: accept 3
b/server: recv 4 all &
a/client: send 3 size=%d
a/client: close 3
run 1m
`, size)
}

// bulkAt plays the bulk transfer as fast as possible until it has made
// at least events events, with checkpoints every every (-1: none).
func bulkAt(b *testing.B, events, every int) *Player {
	b.Helper()
	p, err := New(Options{Name: "bulk", Source: bulkSource((events/2500 + 1) << 20)})
	if err != nil {
		b.Fatal(err)
	}
	p.hist.every = every
	p.SetFastest(true)
	for p.EventCount() < events {
		if !p.Busy() && p.Idle() {
			b.Fatalf("the transfer ended at %d events", p.EventCount())
		}
		p.Tick(time.Second / 60)
	}
	p.SetFastest(false)
	return p
}

// BenchmarkBack measures Back, one event back, at 10,000 and 100,000
// events into the bulk transfer. first is the first Back from the head,
// with the checkpoints playing left (the last up to a tenth of the run
// back): a replay from it, and one checkpoint taken near the moment.
// firstAfterAPause is the first Back after a second paused at the head,
// in whose frames a checkpoint is brought near and copied ahead.
// again is each Back after, as a learner pressing the left arrow does:
// a copy of that checkpoint and a replay of at most CheckpointEvery
// events; againAfterAFrame the same with a frame drawn between, in which
// the copy is made ahead. fromStart is the same Back without checkpoints: the whole run
// replayed from the scenario's start.
func BenchmarkBack(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("events=%d/first", n), func(b *testing.B) {
			p := bulkAt(b, n, 0)
			kept := slices.Clone(p.hist.checkpoints)
			b.ReportMetric(float64(len(kept)), "checkpoints")
			b.ResetTimer()
			for range b.N {
				if err := p.Back(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.hist.checkpoints = slices.Clone(kept)
				if err := p.JumpTo(p.EventCount()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("events=%d/firstAfterAPause", n), func(b *testing.B) {
			p := bulkAt(b, n, 0)
			p.SetPaused(true)
			kept := slices.Clone(p.hist.checkpoints)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				p.hist.checkpoints = slices.Clone(kept)
				for range 60 { // a second paused: checkpoints brought near
					p.Tick(time.Second / 60)
				}
				b.StartTimer()
				if err := p.Back(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := p.JumpTo(p.EventCount()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("events=%d/again", n), func(b *testing.B) {
			p := bulkAt(b, n, 0)
			if err := p.Back(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := p.Back(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("events=%d/againAfterAFrame", n), func(b *testing.B) {
			p := bulkAt(b, n, 0)
			if err := p.Back(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				p.Tick(time.Second / 60) // paused: the next Back's copy is made
				b.StartTimer()
				if err := p.Back(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("events=%d/fromStart", n), func(b *testing.B) {
			p := bulkAt(b, n, -1)
			b.ResetTimer()
			for range b.N {
				if err := p.Back(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckpoint measures taking one checkpoint (a deep copy of the
// engine) 100,000 events into the bulk transfer.
func BenchmarkCheckpoint(b *testing.B) {
	p := bulkAt(b, 100_000, -1)
	b.ResetTimer()
	var size uintptr
	for range b.N {
		_, size = p.copyEngine()
	}
	b.ReportMetric(float64(size), "bytes/checkpoint")
}

// BenchmarkPlayFast measures playing the bulk transfer as fast as
// possible to 100,000 events: with checkpoints as the player keeps them,
// and without (what they cost the forward play).
func BenchmarkPlayFast(b *testing.B) {
	for _, c := range []struct {
		name  string
		every int
	}{{"checkpoints", 0}, {"none", -1}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				bulkAt(b, 100_000, c.every)
			}
		})
	}
}
