package netsim

import "time"

// Handler is woken by the scheduler at the time it asked for. Arg is the
// value given to Schedule; handlers use it to find what the wake-up is for,
// which keeps scheduling free of closures and allocations.
type Handler interface {
	Fire(arg uint64)
}

type entry struct {
	at  time.Duration
	seq uint64 // breaks ties so equal times run in scheduling order
	h   Handler
	arg uint64
}

func (a *entry) before(b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// Scheduler is a virtual clock with a queue of wake-ups, kept as a 4-ary
// min-heap of values: scheduling and popping allocate nothing once the heap
// has grown to its working size, and the shallower tree touches fewer cache
// lines than a binary heap when many wake-ups are pending.
type Scheduler struct {
	now  time.Duration
	seq  uint64
	heap []entry
}

// Now is the current virtual time, an offset from the start of the world.
func (s *Scheduler) Now() time.Duration { return s.now }

// Len is the number of pending wake-ups.
func (s *Scheduler) Len() int { return len(s.heap) }

// Schedule asks for h.Fire(arg) at virtual time at. A time in the past means now.
func (s *Scheduler) Schedule(at time.Duration, h Handler, arg uint64) {
	if at < s.now {
		at = s.now
	}
	s.seq++
	s.heap = append(s.heap, entry{at: at, seq: s.seq, h: h, arg: arg})
	s.up(len(s.heap) - 1)
}

// Next returns the time of the earliest pending wake-up.
func (s *Scheduler) Next() (time.Duration, bool) {
	if len(s.heap) == 0 {
		return 0, false
	}
	return s.heap[0].at, true
}

// Step moves the clock to the earliest wake-up and fires it. It reports
// whether there was one.
func (s *Scheduler) Step() bool {
	if len(s.heap) == 0 {
		return false
	}
	e := s.heap[0]
	last := len(s.heap) - 1
	s.heap[0] = s.heap[last]
	s.heap[last] = entry{} // drop the handler reference
	s.heap = s.heap[:last]
	if last > 0 {
		s.down(0)
	}
	s.now = e.at
	e.h.Fire(e.arg)
	return true
}

// RunUntil fires every wake-up due at or before t, then sets the clock to t.
func (s *Scheduler) RunUntil(t time.Duration) {
	for len(s.heap) > 0 && s.heap[0].at <= t {
		s.Step()
	}
	if t > s.now {
		s.now = t
	}
}

const arity = 4

func (s *Scheduler) up(i int) {
	h := s.heap
	e := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

func (s *Scheduler) down(i int) {
	h := s.heap
	n := len(h)
	e := h[i]
	for {
		first := arity*i + 1
		if first >= n {
			break
		}
		m := first
		for c := first + 1; c < first+arity && c < n; c++ {
			if h[c].before(&h[m]) {
				m = c
			}
		}
		if !h[m].before(&e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}
