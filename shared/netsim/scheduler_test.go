package netsim_test

import (
	"testing"
	"time"

	"socketville/shared/netsim"
)

type recorder struct {
	s   *netsim.Scheduler
	got []uint64
	at  []time.Duration
}

func (r *recorder) Fire(arg uint64) {
	r.got = append(r.got, arg)
	r.at = append(r.at, r.s.Now())
}

func TestSchedulerOrder(t *testing.T) {
	var s netsim.Scheduler
	r := &recorder{s: &s}
	s.Schedule(30, r, 1)
	s.Schedule(10, r, 2)
	s.Schedule(20, r, 3)
	s.Schedule(10, r, 4) // same time as 2: runs after it, in scheduling order
	s.Schedule(-5, r, 5) // the past means now
	for s.Step() {
	}
	want := []uint64{5, 2, 4, 3, 1}
	for i := range want {
		if r.got[i] != want[i] {
			t.Fatalf("order %v, want %v", r.got, want)
		}
	}
	if r.at[len(r.at)-1] != 30 || s.Now() != 30 {
		t.Fatalf("clock %v at last fire %v", s.Now(), r.at)
	}
}

func TestSchedulerRunUntil(t *testing.T) {
	var s netsim.Scheduler
	r := &recorder{s: &s}
	s.Schedule(5*time.Millisecond, r, 1)
	s.Schedule(15*time.Millisecond, r, 2)
	s.RunUntil(10 * time.Millisecond)
	if len(r.got) != 1 || s.Now() != 10*time.Millisecond || s.Len() != 1 {
		t.Fatalf("fired %v, now %v, pending %d", r.got, s.Now(), s.Len())
	}
	if next, ok := s.Next(); !ok || next != 15*time.Millisecond {
		t.Fatalf("next %v %v", next, ok)
	}
}

type nop struct{}

func (nop) Fire(uint64) {}

func TestSchedulerDoesNotAllocate(t *testing.T) {
	var s netsim.Scheduler
	for i := 0; i < 1000; i++ {
		s.Schedule(time.Duration(i), nop{}, uint64(i))
	}
	allocs := testing.AllocsPerRun(1000, func() {
		s.Step()
		s.Schedule(s.Now()+500, nop{}, 0)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per schedule+step, want 0", allocs)
	}
}

type stamp struct {
	at  time.Duration
	arg uint64
}

type orderLog struct {
	s   *netsim.Scheduler
	log []stamp
}

func (o *orderLog) Fire(arg uint64) { o.log = append(o.log, stamp{o.s.Now(), arg}) }

// TestSchedulerProperty schedules random times (with many ties) while
// popping, and checks that wake-ups come in time order, ties in the order
// they were scheduled, and none is lost.
func TestSchedulerProperty(t *testing.T) {
	var r lcg = 12345
	for round := 0; round < 50; round++ {
		var s netsim.Scheduler
		o := &orderLog{s: &s}
		n := 0
		for i := 0; i < 2000; i++ {
			if r.delay()%3 == 0 {
				s.Step()
				continue
			}
			s.Schedule(s.Now()+r.delay()%50, o, uint64(n))
			n++
		}
		for s.Step() {
		}
		if len(o.log) != n {
			t.Fatalf("fired %d of %d", len(o.log), n)
		}
		for i := 1; i < len(o.log); i++ {
			a, b := o.log[i-1], o.log[i]
			if b.at < a.at || (b.at == a.at && b.arg < a.arg) {
				t.Fatalf("round %d: %v fired after %v", round, b, a)
			}
		}
	}
}
