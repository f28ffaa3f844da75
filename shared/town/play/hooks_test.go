package play_test

import (
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// follower keeps what the player's hooks tell it, as the town's lesson
// judge does.
type follower struct {
	kinds  []sock.Kind // by index
	resets []int
	bad    []string
}

func (f *follower) follow(p *play.Player) {
	p.OnReset(func(n int) {
		f.resets = append(f.resets, n)
		f.kinds = f.kinds[:min(n, len(f.kinds))]
	})
	p.OnEvent(func(i int, e sock.Event) {
		if i != len(f.kinds) {
			f.bad = append(f.bad, "event "+e.Kind.String()+" out of order")
		}
		f.kinds = append(f.kinds[:min(i, len(f.kinds))], e.Kind)
	})
}

// same reports whether f holds the timeline's events, in order.
func (f *follower) same(t *testing.T, p *play.Player, when string) {
	t.Helper()
	all := entries(p, play.AllEvents())
	if len(f.bad) > 0 || len(f.kinds) != len(all) {
		t.Fatalf("%s: told %d events (%v), the timeline has %d", when, len(f.kinds), f.bad, len(all))
	}
	for i, e := range all {
		if f.kinds[i] != e.Kind {
			t.Fatalf("%s: event %d told as %v, the timeline's is %v", when, i, f.kinds[i], e.Kind)
		}
	}
}

// TestHooksTellEachEventOnce: a follower set partway through is told the
// events so far, then each new one once; going back and playing forward
// again tells nothing twice; a line typed back in time says the events
// from that moment on are gone and tells the new story's; a load starts
// again from 0.
func TestHooksTellEachEventOnce(t *testing.T) {
	p := helloTCP(t)
	p.SetFastest(true)
	for p.EventCount() < 20 {
		p.Tick(time.Second / 60)
	}
	f := &follower{}
	f.follow(p)
	f.same(t, p, "set partway")
	toEnd(t, p)
	f.same(t, p, "at the end")
	n := p.EventCount()
	if err := p.JumpTo(n / 3); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		p.Back()
	}
	toEnd(t, p)
	f.same(t, p, "back and played on again")
	if len(f.resets) != 0 {
		t.Fatalf("going back and forward reset %v", f.resets)
	}
	if err := p.JumpTo(n / 2); err != nil {
		t.Fatal(err)
	}
	cut := p.EventIndex()
	execAll(t, p, "a/browser: socket udp")
	if len(f.resets) != 1 || f.resets[0] != cut {
		t.Fatalf("a line typed at event %d reset %v", cut, f.resets)
	}
	f.same(t, p, "another story")
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if f.resets[len(f.resets)-1] != 0 {
		t.Fatalf("a restart reset %v", f.resets)
	}
	toEnd(t, p)
	f.same(t, p, "played again")
}
