package town

import (
	"fmt"
	"net/netip"

	"socketville/shared/sock"

	"socketville/shared/town/layout"
)

// action is a button in the door panel and the shell line it runs.
type action struct {
	label string
	lines []string
}

// doorActions are the calls that make sense on a door, as shell lines:
// what a learner would try next.
func doorActions(d layout.Door, snap sock.Snapshot) []action {
	if d.Proc == "" || d.FD == 0 {
		return nil // the kernel's: no process can call on it
	}
	who := d.Key.Host + "/" + d.Proc + ": "
	fd := d.FD
	var out []action
	add := func(label, format string, args ...any) {
		out = append(out, action{label: label, lines: []string{who + fmt.Sprintf(format, args...)}})
	}
	switch d.Style {
	case layout.StyleListen:
		add("accept", "accept %d &", fd)
		if c, ok := clientFor(d, snap); ok {
			out = append(out, c)
		}
	case layout.StyleOpen, layout.StyleClosing, layout.StyleHandshake:
		add("send hello", "send %d \"hello\"", fd)
		add("recv", "recv %d 100 &", fd)
		add("shutdown wr", "shutdown %d wr", fd)
	case layout.StyleDatagram:
		add("recvfrom", "recvfrom %d 1500 &", fd)
	}
	add("close", "close %d", fd)
	return out
}

// clientFor picks a process that can connect to a listening door (one on
// another host first, for a connection that crosses a road; else one on
// the door's own host, over loopback) and returns the two lines that
// connect it. When none can reach the door, it returns a button that says
// so and runs nothing.
func clientFor(d layout.Door, snap sock.Snapshot) (action, bool) {
	r := newRouting(snap)
	server, ok := r.hosts[d.Key.Host]
	if !ok {
		return action{}, false
	}
	// A door bound to 0.0.0.0 answers on any of its host's addresses.
	addrs := []netip.Addr{d.Socket.Local.Addr()}
	if d.Socket.Local.Addr().IsUnspecified() {
		addrs = addrs[:0]
		for _, p := range server.Addrs {
			addrs = append(addrs, p.Addr())
		}
	}
	if len(addrs) == 0 {
		return action{}, false
	}
	for _, local := range []bool{false, true} {
		for hi := range snap.Hosts {
			h := &snap.Hosts[hi]
			if (h.Name == d.Key.Host) != local || len(h.Processes) == 0 {
				continue
			}
			for _, a := range addrs {
				if r.talks(h.Name, d.Key.Host, a) {
					return connectFrom(h.Name, h.Processes[0], netip.AddrPortFrom(a, d.Socket.Local.Port())), true
				}
			}
		}
	}
	return action{label: "no process can reach this door"}, true
}

// connectFrom is the button that makes a TCP socket in host/p and
// connects it to dst.
func connectFrom(host string, p sock.ProcessState, dst netip.AddrPort) action {
	fd := nextFD(p)
	who := host + "/" + p.Name + ": "
	return action{label: "connect from " + host + "/" + p.Name, lines: []string{
		who + "socket tcp",
		fmt.Sprintf("%sconnect %d %s &", who, fd, dst),
	}}
}

// nextFD is the descriptor socket() will return: the lowest free one from 3.
func nextFD(p sock.ProcessState) int {
	used := map[int]bool{}
	for _, s := range p.Sockets {
		used[s.FD] = true
	}
	fd := 3
	for used[fd] {
		fd++
	}
	return fd
}
