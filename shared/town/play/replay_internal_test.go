package play

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// moment is a place the straight run came to, and the town's digest there.
type moment struct {
	at     pos
	events int
	digest string
}

// straight plays examples/name.sv at the head, driven by drive until it
// returns false, and notes the digest at every place it stops between two
// of its calls.
func straight(t *testing.T, name string, every int, drive func(p *Player, i int) bool) (*Player, []moment) {
	t.Helper()
	src, err := os.ReadFile("../../../examples/" + name + ".sv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{Name: name, Source: string(src)})
	if err != nil {
		t.Fatal(err)
	}
	p.hist.every = every
	var ms []moment
	note := func() { ms = append(ms, moment{at: p.hist.here(), events: p.events, digest: p.SnapshotDigest()}) }
	note()
	for i := 0; ; i++ {
		more := drive(p, i)
		if !p.hist.atHead() {
			t.Fatal("the straight run left the head")
		}
		note()
		if !more {
			return p, ms
		}
	}
}

// check goes to each moment in order and compares the digests.
func check(t *testing.T, p *Player, ms []moment) {
	t.Helper()
	for _, m := range ms {
		p.seek(m.at, m.events)
		if p.events != m.events || p.SnapshotDigest() != m.digest {
			t.Fatalf("at %v (%d events): replayed to %d events, digest %s, want %s", m.at, m.events, p.events, p.SnapshotDigest()[:12], m.digest[:12])
		}
	}
}

// steps drives a player with Step n times.
func steps(n int) func(p *Player, i int) bool {
	return func(p *Player, i int) bool {
		p.Step()
		return i < n && p.Busy()
	}
}

func TestEveryMomentOfASmallScenarioReplays(t *testing.T) {
	for _, tt := range []struct {
		name  string
		every int
	}{{"hello-tcp", -1}, {"hello-tcp", 1}, {"hello-tcp", 5}, {"traceroute", 2}} {
		// traceroute: checkpoints copied while its program waits
		// between probes (a tracer value in the runner).
		every := tt.every
		p, ms := straight(t, tt.name, every, steps(400))
		if len(ms) < 20 {
			t.Fatalf("only %d moments", len(ms))
		}
		// Backwards (each from a fresh runner or a checkpoint), then
		// forwards again on from each.
		back := append([]moment(nil), ms...)
		for i, j := 0, len(back)-1; i < j; i, j = i+1, j-1 {
			back[i], back[j] = back[j], back[i]
		}
		check(t, p, back)
		check(t, p, ms)
	}
}

func TestRandomMomentsOfALongRunReplay(t *testing.T) {
	// lossy-bulk at 100x, a frame at a time, with a typed line and a
	// pause of Steps on the way: the calls the player makes at every pace.
	drive := func(p *Player, i int) bool {
		switch {
		case i == 40:
			p.SetPaused(true)
		case i > 40 && i < 60:
			p.Step()
			return true
		case i == 60:
			if err := p.Exec("a/client: socket udp"); err != nil {
				t.Fatal(err)
			}
			p.SetPaused(false)
			p.SetFastest(true)
		}
		p.Tick(time.Second / 60)
		return i < 400 && p.Busy()
	}
	for _, every := range []int{-1, 97} {
		p, ms := straight(t, "lossy-bulk", every, func(p *Player, i int) bool {
			if i == 0 {
				p.SetSpeed(MaxSpeed)
			}
			return drive(p, i)
		})
		if p.EventCount() < 2000 {
			t.Fatalf("only %d events", p.EventCount())
		}
		rng := rand.New(rand.NewPCG(1, 2))
		var pick []moment
		for range 25 {
			pick = append(pick, ms[rng.IntN(len(ms))])
		}
		check(t, p, pick)
		if every > 0 && len(p.hist.checkpoints) < 2 {
			t.Fatalf("%d checkpoints", len(p.hist.checkpoints))
		}
	}
}

func TestCheckpointsStaySmall(t *testing.T) {
	// Early in an 8 MiB bulk transfer: the send's bytes are shared, so
	// a checkpoint is the town's buffers and letters, well under the
	// MiBs being sent.
	p, err := New(Options{Name: "bulk", Source: bulkSource(8 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	p.SetFastest(true)
	for p.EventCount() < 1500 {
		p.Tick(time.Second / 60)
	}
	e := &engine{r: p.r, anim: p.anim, caption: p.caption}
	all, kept := copySize(e, notCopied, nil), copySize(e, notCopied, keptFields)
	if len(keptFields) != 1 || all-kept < 8<<20 || kept > 1<<20 {
		t.Errorf("a checkpoint copies %d bytes, %d without the send's: want the 8 MiB sent shared", kept, all)
	}
}

func TestBackFromCopiesMadeAheadReplays(t *testing.T) {
	// Back, Back, ... with paused frames between, each from a copy of a
	// checkpoint made in them (after one replayed near where Back goes):
	// the same town as a replay from the start without checkpoints.
	fast := func(p *Player, i int) bool {
		p.SetFastest(true)
		p.Tick(time.Second / 60)
		return i < 3
	}
	for _, tt := range []struct {
		name  string
		every int
		drive func(p *Player, i int) bool
		backs int
	}{
		{"hello-tcp", 3, steps(400), 1000},
		{"lossy-bulk", 97, fast, 15},
	} {
		p, _ := straight(t, tt.name, tt.every, tt.drive)
		q, _ := straight(t, tt.name, -1, tt.drive)
		p.SetPaused(true)
		for i := 0; i < tt.backs && p.CanBack(); i++ {
			for range 3 { // a checkpoint brought near, then its copy made
				p.Tick(time.Second / 60)
			}
			to, before, _ := p.placeOf(p.events - 1)
			if c, ok := p.hist.checkpointBefore(to); ok && before-c.events <= tt.every/4 && p.hist.spare == nil {
				t.Fatalf("%s at %d events: no copy was made ahead", tt.name, p.events)
			}
			if err := p.Back(); err != nil {
				t.Fatal(err)
			}
			if err := q.JumpTo(p.events); err != nil {
				t.Fatal(err)
			}
			if p.events != q.events || p.SnapshotDigest() != q.SnapshotDigest() {
				t.Fatalf("%s back to %d events: %d replayed, digests %s and %s", tt.name, p.events, q.events, p.SnapshotDigest()[:12], q.SnapshotDigest()[:12])
			}
		}
	}
}
