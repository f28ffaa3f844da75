package netsim

import (
	"socketville/shared/sock"
)

// readiness is what the socket can do now, whatever was asked, following
// Linux's datagram_poll.
func (s *Socket) readiness() sock.PollEvents {
	if s.tcp != nil {
		return s.tcpReadiness()
	}
	var r sock.PollEvents
	if s.queued() > 0 || s.shutRd {
		r |= sock.PollIn
	}
	if !s.shutWr {
		r |= sock.PollOut
	}
	if s.soErr != nil || len(s.errQueue) > 0 {
		r |= sock.PollErr
	}
	if s.shutRd && s.shutWr {
		r |= sock.PollHup
	}
	return r
}

// Readiness is what fd is ready for right now (POLLNVAL for a closed fd). It
// publishes nothing; drivers use it to decide whether a blocking call may go on.
func (p *Process) Readiness(fd int) sock.PollEvents {
	s := p.lookupFD(fd)
	if s == nil {
		return sock.PollNval
	}
	return s.readiness()
}

// Poll fills in Revents for each entry (errors, hang-ups and invalid fds are
// always reported, as poll(2) does), publishes the result, and returns how
// many entries have something to report.
func (p *Process) Poll(fds []sock.PollFD) int {
	n := 0
	for i := range fds {
		r := p.Readiness(fds[i].FD)
		fds[i].Revents = r & (fds[i].Events | sock.PollErr | sock.PollHup | sock.PollNval)
		if fds[i].Revents != 0 {
			n++
		}
	}
	e := sock.Event{Kind: sock.KindPoll, Host: p.host.name, Proc: p.name, Ready: append([]sock.PollFD(nil), fds...), Len: n}
	p.host.w.emit(e)
	return n
}
