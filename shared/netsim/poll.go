package netsim

import "strings"

// PollEvents are poll(2)'s event bits, with Linux's values.
type PollEvents uint16

// The poll event bits.
const (
	PollIn   PollEvents = 0x001
	PollPri  PollEvents = 0x002
	PollOut  PollEvents = 0x004
	PollErr  PollEvents = 0x008
	PollHup  PollEvents = 0x010
	PollNval PollEvents = 0x020
)

// String prints the bits as "IN|OUT", or "-" for none.
func (ev PollEvents) String() string {
	names := []struct {
		bit  PollEvents
		name string
	}{{PollIn, "IN"}, {PollPri, "PRI"}, {PollOut, "OUT"}, {PollErr, "ERR"}, {PollHup, "HUP"}, {PollNval, "NVAL"}}
	var parts []string
	for _, n := range names {
		if ev&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// PollFD is one entry of a poll set: the fd, what the caller waits for, and
// what is ready.
type PollFD struct {
	FD      int
	Events  PollEvents
	Revents PollEvents
}

// readiness is what the socket can do now, whatever was asked, following
// Linux's datagram_poll.
func (s *Socket) readiness() PollEvents {
	if s.tcp != nil {
		return s.tcpReadiness()
	}
	var r PollEvents
	if s.queued() > 0 || s.shutRd {
		r |= PollIn
	}
	if !s.shutWr {
		r |= PollOut
	}
	if s.soErr != nil {
		r |= PollErr
	}
	if s.shutRd && s.shutWr {
		r |= PollHup
	}
	return r
}

// Readiness is what fd is ready for right now (POLLNVAL for a closed fd). It
// publishes nothing; drivers use it to decide whether a blocking call may go on.
func (p *Process) Readiness(fd int) PollEvents {
	s := p.lookupFD(fd)
	if s == nil {
		return PollNval
	}
	return s.readiness()
}

// Poll fills in Revents for each entry (errors, hang-ups and invalid fds are
// always reported, as poll(2) does), publishes the result, and returns how
// many entries have something to report.
func (p *Process) Poll(fds []PollFD) int {
	n := 0
	for i := range fds {
		r := p.Readiness(fds[i].FD)
		fds[i].Revents = r & (fds[i].Events | PollErr | PollHup | PollNval)
		if fds[i].Revents != 0 {
			n++
		}
	}
	e := Event{Kind: KindPoll, Host: p.host.name, Proc: p.name, Ready: append([]PollFD(nil), fds...), Len: n}
	p.host.w.emit(e)
	return n
}
