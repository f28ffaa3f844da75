package netsim

import (
	"socketville/shared/sock"
)

// Observe registers fn to receive every event from now on, in the order
// they happen. Observers get their own copy of the event and may keep it;
// the Packet bytes it points to are never changed and must not be.
// Observers must not call into the world.
func (w *World) Observe(fn func(sock.Event)) {
	w.observers = append(w.observers, fn)
}

// emit publishes an event. It takes the event by value so that building one
// costs no allocation: a pointer handed to unknown observers would escape.
func (w *World) emit(e sock.Event) {
	if len(w.observers) == 0 {
		return
	}
	e.Time = w.sched.Now()
	for _, fn := range w.observers {
		fn(e)
	}
}

// event starts an event about socket s, with its where-fields filled in.
func (s *Socket) event(kind sock.Kind) sock.Event {
	return sock.Event{
		Kind: kind, Host: s.proc.host.name, Proc: s.proc.name, FD: s.fd, Sock: s.typ,
		Local: s.local, Remote: s.remote,
	}
}
