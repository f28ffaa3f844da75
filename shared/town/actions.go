package town

import (
	"fmt"
	"net/netip"

	"socketville/shared/netsim"
	"socketville/shared/town/layout"
)

// action is a button in the door panel and the shell line it runs.
type action struct {
	label string
	lines []string
}

// doorActions are the calls that make sense on a door, as shell lines:
// what a learner would try next.
func doorActions(d layout.Door, snap netsim.Snapshot) []action {
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

// clientFor picks a process on another host (or this one, alone in the
// town) and returns the two lines that connect it to a listening door.
func clientFor(d layout.Door, snap netsim.Snapshot) (action, bool) {
	addr := d.Socket.Local.Addr()
	var pick *netsim.ProcessState
	var pickHost string
	for hi := range snap.Hosts {
		h := &snap.Hosts[hi]
		if h.Name == d.Key.Host && addr.IsUnspecified() && len(h.Addrs) > 0 {
			addr = h.Addrs[0].Addr()
		}
		for pi := range h.Processes {
			p := &h.Processes[pi]
			if pick == nil || (pickHost == d.Key.Host && h.Name != d.Key.Host) {
				pick, pickHost = p, h.Name
			}
		}
	}
	if pick == nil || !addr.IsValid() || addr.IsUnspecified() {
		return action{}, false
	}
	fd := nextFD(*pick)
	who := pickHost + "/" + pick.Name + ": "
	dst := netip.AddrPortFrom(addr, d.Socket.Local.Port())
	return action{label: "connect from " + pickHost + "/" + pick.Name, lines: []string{
		who + "socket tcp",
		fmt.Sprintf("%sconnect %d %s &", who, fd, dst),
	}}, true
}

// nextFD is the descriptor socket() will return: the lowest free one from 3.
func nextFD(p netsim.ProcessState) int {
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
