package town

import (
	"net/netip"

	"socketville/shared/sock"
)

// The panel offers to connect a client to a listening door only from a
// process whose packets would get there and whose server's answers would
// get back: it follows the snapshot's addresses, links and routing tables
// the way netsim's IP layer chooses a next hop (host.go lookup), so that
// a button never leads to EHOSTUNREACH or ENETUNREACH.

// maxHops bounds a path as a TTL of 64 would (and ends routing loops).
const maxHops = 64

var loopback = netip.MustParsePrefix("127.0.0.0/8")

// routing answers next-hop questions over one snapshot.
type routing struct {
	hosts map[string]*sock.HostState
	links []sock.LinkState
}

func newRouting(snap sock.Snapshot) routing {
	r := routing{hosts: map[string]*sock.HostState{}, links: snap.Links}
	for i := range snap.Hosts {
		r.hosts[snap.Hosts[i].Name] = &snap.Hosts[i]
	}
	return r
}

// owns reports whether a is one of h's addresses, loopback included.
func owns(h *sock.HostState, a netip.Addr) bool {
	if loopback.Contains(a) {
		return true
	}
	for _, p := range h.Addrs {
		if p.Addr() == a {
			return true
		}
	}
	return false
}

// neighbour is the host at the far end of one of host's links that owns
// a, in the order the links were made, or "". A switch is no host: the
// hosts on its other ports (and on switches cabled to it) are neighbours
// too, as they are on one Ethernet.
func (r routing) neighbour(host string, a netip.Addr) string {
	if loopback.Contains(a) {
		return ""
	}
	seen := map[string]bool{host: true}
	for queue := []string{host}; len(queue) > 0; queue = queue[1:] {
		for _, l := range r.links {
			far := ""
			switch queue[0] {
			case l.A:
				far = l.B
			case l.B:
				far = l.A
			}
			if far == "" || seen[far] {
				continue
			}
			seen[far] = true
			h, ok := r.hosts[far]
			switch {
			case ok && owns(h, a):
				return far
			case !ok:
				queue = append(queue, far) // a switch: through it
			}
		}
	}
	return ""
}

// nextHop is the host a packet for dst leaves host towards: a neighbour
// that owns dst, else the gateway of the first (longest) route that
// covers dst; "" for none.
func (r routing) nextHop(host string, dst netip.Addr) string {
	if n := r.neighbour(host, dst); n != "" {
		return n
	}
	for _, rt := range r.hosts[host].Routes {
		if rt.Dst.Contains(dst) {
			return r.neighbour(host, rt.Gateway)
		}
	}
	return ""
}

// reaches reports whether a packet sent from host to dst arrives at the
// host that owns dst: every host on the way must forward.
func (r routing) reaches(from string, dst netip.Addr) bool {
	cur := from
	for hop := 0; hop <= maxHops; hop++ {
		h, ok := r.hosts[cur]
		switch {
		case !ok:
			return false
		case owns(h, dst):
			return true
		case hop > 0 && !h.Forward:
			return false // dropped: "not this host (forwarding is off)"
		}
		if cur = r.nextHop(cur, dst); cur == "" {
			return false
		}
	}
	return false
}

// source is the address host sends from to dst: one on dst's subnet if
// it has one, else its first (netsim's sourceFor).
func (r routing) source(host string, dst netip.Addr) (netip.Addr, bool) {
	h, ok := r.hosts[host]
	if !ok {
		return netip.Addr{}, false
	}
	if owns(h, dst) && loopback.Contains(dst) {
		return dst, true
	}
	for _, p := range h.Addrs {
		if p.Contains(dst) {
			return p.Addr(), true
		}
	}
	if len(h.Addrs) == 0 {
		return netip.Addr{}, false
	}
	return h.Addrs[0].Addr(), true
}

// talks reports whether a client on host from can connect to dst, which
// server owns: the SYN gets there and the SYN|ACK comes back.
func (r routing) talks(from, server string, dst netip.Addr) bool {
	if !r.reaches(from, dst) {
		return false
	}
	src, ok := r.source(from, dst)
	return ok && r.reaches(server, src)
}
