package peerstate

import (
	"fmt"

	"socketville/shared/sock"
)

// A trim is one thing Trim can leave out of a part, least useful first:
// what the town shows only in a panel goes before what it draws.
type trim struct {
	what string // words for the report: "neighbour caches"
	drop func(h *sock.HostState)
}

var trims = []trim{
	{"neighbour caches", func(h *sock.HostState) { h.Neigh = nil }},
	{"drop counts", func(h *sock.HostState) { h.Drops = nil }},
	{"routes", func(h *sock.HostState) { h.Routes = nil }},
	{"socket options", func(h *sock.HostState) { eachSocket(h, func(s *sock.SocketState) { s.Options = nil }) }},
	{"orphaned connections", func(h *sock.HostState) { h.Orphans = nil }},
	{"TCP details (buffers, windows, timers)", func(h *sock.HostState) { eachSocket(h, func(s *sock.SocketState) { s.TCP = nil }) }},
}

func eachSocket(h *sock.HostState, f func(*sock.SocketState)) {
	for i := range h.Processes {
		for j := range h.Processes[i].Sockets {
			f(&h.Processes[i].Sockets[j])
		}
	}
}

// Trim returns what of p encodes to at most max bytes, and words for what
// it left out. It leaves out, in turn and for every host, until the part
// fits: neighbour caches, drop counts, routes, socket options, orphaned
// connections (TIME-WAIT and the like), TCP details; then whole hosts
// from the last one on, keeping the first. Within the bounds Decode
// enforces, one host without those parts is under MaxSize. p is not
// changed: Trim works on a copy.
func Trim(p Part, max int) (Part, []string) {
	if size(p) <= max {
		return p, nil
	}
	out := Part{Seq: p.Seq, Now: p.Now, Hosts: make([]sock.HostState, len(p.Hosts))}
	for i := range p.Hosts {
		out.Hosts[i] = cloneHost(p.Hosts[i])
	}
	var dropped []string
	for _, t := range trims {
		for i := range out.Hosts {
			t.drop(&out.Hosts[i])
		}
		dropped = append(dropped, t.what)
		if size(out) <= max {
			return out, dropped
		}
	}
	for len(out.Hosts) > 1 && size(out) > max {
		h := out.Hosts[len(out.Hosts)-1]
		out.Hosts = out.Hosts[:len(out.Hosts)-1]
		dropped = append(dropped, fmt.Sprintf("host %s", h.Name))
	}
	return out, dropped
}
