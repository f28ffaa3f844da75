package play_test

import (
	"fmt"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// statesOn lists the states of host's sockets in the town p shows, in fd
// order.
func statesOn(p *play.Player, host string) string {
	out := ""
	for _, h := range p.Snapshot().Hosts {
		if h.Name != host {
			continue
		}
		for _, pr := range h.Processes {
			for _, s := range pr.Sockets {
				out += fmt.Sprintf("%d:%v ", s.FD, s.State)
			}
		}
	}
	return out
}

// TestBackAndStepMoveOneEvent: Back from the end goes back exactly one
// event each time, down to the start, Step forward exactly one, and the
// clock, the animation and the snapshot are those of the event shown,
// even between events of one instant (a SYN|ACK arriving is delivered,
// moves the socket to ESTABLISHED and sends the ACK at once).
func TestBackAndStepMoveOneEvent(t *testing.T) {
	for _, name := range []string{"hello-tcp", "hello-udp", "lossy-udp"} {
		t.Run(name, func(t *testing.T) {
			p := example(t, name)
			toEnd(t, p)
			n := p.EventCount()
			all := entries(p, play.AllEvents())
			instants := 0
			for i := 1; i < n; i++ {
				if all[i].At == all[i-1].At {
					instants++
				}
			}
			if instants == 0 {
				t.Fatalf("%s: no two events at one instant: nothing to test", name)
			}
			check := func(how string, want int) {
				t.Helper()
				if got := p.EventIndex(); got != want {
					t.Fatalf("%s: at event %d, want %d", how, got, want)
				}
				if got := p.Animation().Events(); got != want {
					t.Fatalf("%s to %d: the animation saw %d events", how, want, got)
				}
				if want > 0 && p.Now() < all[want-1].At || want < n && p.Now() > all[want].At {
					t.Fatalf("%s to %d: the clock says %v, between events at %v and %v", how, want, p.Now(), all[want-1].At, all[want].At)
				}
				if p.Snapshot().Now != p.Now() {
					t.Fatalf("%s to %d: the snapshot is of %v, the clock says %v", how, want, p.Snapshot().Now, p.Now())
				}
			}
			for i := n - 1; i >= 0; i-- {
				if err := p.Back(); err != nil {
					t.Fatalf("back to %d: %v", i, err)
				}
				check("back", i)
			}
			if err := p.Back(); err == nil {
				t.Error("back at the start is no error")
			}
			for i := 1; i <= n; i++ {
				p.Step()
				check("step", i)
			}
			if p.BackInTime() || p.EventCount() != n {
				t.Errorf("stepped to the end: back in time %v, %d events of %d", p.BackInTime(), p.EventCount(), n)
			}
		})
	}
}

// TestJumpToLandsOnTheEvent: a timeline entry clicked shows the town just
// after it, whichever way the town came (backwards with checkpoints,
// or from a fresh town), with the same snapshot.
func TestJumpToLandsOnTheEvent(t *testing.T) {
	p := example(t, "lossy-bulk")
	p.SetFastest(true)
	for p.EventCount() < 3000 {
		p.Tick(1)
	}
	p.SetFastest(false)
	for _, i := range []int{2999, 2998, 24, 25, 26, 1500, 1501, 1499, 0, 2999, p.EventCount()} {
		if err := p.JumpTo(i); err != nil {
			t.Fatal(err)
		}
		fresh := example(t, "lossy-bulk")
		fresh.SetFastest(true)
		for fresh.EventCount() < i {
			fresh.Tick(1)
		}
		if err := fresh.JumpTo(i); err != nil {
			t.Fatal(err)
		}
		if p.EventIndex() != i || fresh.EventIndex() != i {
			t.Fatalf("jumped to %d: at %d and %d", i, p.EventIndex(), fresh.EventIndex())
		}
		if p.SnapshotDigest() != fresh.SnapshotDigest() || p.TraceDigest() != fresh.TraceDigest() || p.Now() != fresh.Now() {
			t.Errorf("at event %d the town gone back and a fresh one differ", i)
		}
	}
}

// TestStepShowsTheStateChangeOfItsEvent: going back event by event
// through the handshake, the client's socket shows SYN-SENT up to the
// event that says it became ESTABLISHED, and ESTABLISHED from it on,
// though the SYN|ACK's arrival, the change and the ACK sent happen at
// one instant.
func TestStepShowsTheStateChangeOfItsEvent(t *testing.T) {
	p := helloTCP(t)
	toEnd(t, p)
	all := entries(p, play.AllEvents())
	est := -1
	for i, e := range all {
		if e.Kind == sock.KindState && e.Host == "a" && i > 0 && all[i-1].At == e.At {
			est = i
			break
		}
	}
	if est < 0 {
		t.Fatal("no state change at the instant of the event before it on a")
	}
	if err := p.JumpTo(est + 1); err != nil {
		t.Fatal(err)
	}
	after := statesOn(p, "a")
	if err := p.Back(); err != nil {
		t.Fatal(err)
	}
	before := statesOn(p, "a")
	if p.EventIndex() != est || before == after {
		t.Errorf("at events %d and %d (%s): a's sockets %q and %q: the change is not its event's", est, est+1, all[est].Text, before, after)
	}
	p.Step()
	if again := statesOn(p, "a"); again != after {
		t.Errorf("stepped to event %d: %q, want %q", est+1, again, after)
	}
}

// TestEveryWayToAnEventIsTheSameTown: the town just after event i is the
// same (snapshot digest and clock) whether a timeline click jumped there,
// Back came down to it, or Step came up to it.
func TestEveryWayToAnEventIsTheSameTown(t *testing.T) {
	p := example(t, "hello-tcp")
	toEnd(t, p)
	n := p.EventCount()
	type town struct {
		digest string
		now    time.Duration
	}
	jumped := make([]town, n+1)
	for i := n; i >= 0; i-- {
		if err := p.JumpTo(i); err != nil {
			t.Fatal(err)
		}
		jumped[i] = town{p.SnapshotDigest(), p.Now()}
	}
	if err := p.JumpTo(n); err != nil {
		t.Fatal(err)
	}
	for i := n - 1; i >= 0; i-- {
		p.Back()
		if got := (town{p.SnapshotDigest(), p.Now()}); got != jumped[i] {
			t.Fatalf("back to event %d: %.12s at %v, jumped there %.12s at %v", i, got.digest, got.now, jumped[i].digest, jumped[i].now)
		}
	}
	for i := 1; i <= n; i++ {
		p.Step()
		if got := (town{p.SnapshotDigest(), p.Now()}); got != jumped[i] {
			t.Fatalf("stepped to event %d: %.12s at %v, jumped there %.12s at %v", i, got.digest, got.now, jumped[i].digest, jumped[i].now)
		}
	}
}
