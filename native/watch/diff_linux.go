//go:build linux

package watch

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"socketville/shared/sock"
)

// diff turns the change from the previous dump to this one into events:
// sockets gone first, then, in the snapshot's order, changes to the
// sockets that stayed and the sockets that are new.
func (w *Watch) diff(cur *seenSet, listenerOf func(netip.AddrPort) (*seen, bool), now time.Duration) []sock.Event {
	var events []sock.Event
	ev := func(c *seen, k sock.Kind) sock.Event {
		e := sock.Event{Time: now, Kind: k, Host: w.host, Proc: c.proc, FD: c.s.FD, Sock: c.s.Type,
			Local: c.s.Local, Remote: c.s.Remote}
		if c.inode == 0 {
			e.FD = 0
		}
		return e
	}
	prev := w.prev
	var gone []int32
	for i := range prev.list {
		if !prev.list[i].taken {
			gone = append(gone, int32(i))
		}
	}
	slices.SortFunc(gone, func(a, b int32) int { return cmp.Compare(prev.list[a].s.ID, prev.list[b].s.ID) })
	for _, i := range gone {
		p := &prev.list[i]
		if p.inode != 0 {
			events = append(events, ev(p, sock.KindClose))
			continue
		}
		e := ev(p, sock.KindState)
		e.From, e.To = p.s.State, sock.StateClosed
		events = append(events, e)
	}
	for i := range cur.list {
		c := &cur.list[i]
		if c.prevAt >= 0 {
			p := &prev.list[c.prevAt]
			if p.inode != 0 && c.inode == 0 {
				// The fd was closed; the kernel finishes the connection.
				events = append(events, ev(p, sock.KindClose))
			}
			if p.s.State != c.s.State {
				e := ev(c, sock.KindState)
				e.From, e.To = p.s.State, c.s.State
				events = append(events, e)
			}
			continue
		}
		if c.inode == 0 {
			e := ev(c, sock.KindState)
			e.From, e.To, e.Reason = sock.StateClosed, c.s.State, "first seen"
			if _, ok := listenerOf(c.s.Local); ok && (c.s.State == sock.StateSynReceived || c.s.State == sock.StateEstablished) {
				e.From, e.Reason = sock.StateListen, ""
				if c.s.State == sock.StateEstablished {
					e.Reason = "in the accept queue"
				}
			}
			events = append(events, e)
			continue
		}
		events = append(events, ev(c, sock.KindSocket))
		connected := c.s.Remote.Port() != 0
		switch {
		case c.s.State == sock.StateListen:
			events = append(events, ev(c, sock.KindListen))
		case c.s.Type == sock.SockTCP && connected:
			if l, ok := listenerOf(c.s.Local); ok && c.s.State != sock.StateSynSent {
				e := ev(c, sock.KindAccept)
				if l.s.FD > 0 {
					e.Reason = "from listening fd " + strconv.Itoa(l.s.FD)
				}
				events = append(events, e)
			} else {
				events = append(events, ev(c, sock.KindConnect))
			}
		case connected:
			events = append(events, ev(c, sock.KindConnect))
		case c.s.Local.Port() != 0:
			events = append(events, ev(c, sock.KindBind))
		}
	}
	return events
}
