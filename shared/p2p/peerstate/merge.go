package peerstate

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// Remote is what this town knows of one peer: its latest part, and the
// roads between this town's hosts and the peer's.
type Remote struct {
	Peer  string // the peer's id in the room
	Name  string // what the peer calls itself, for its plots and for words ("Bob")
	Part  Part
	Roads []Road
}

// Road is one road between a host of this town and one of a peer's.
type Road struct {
	Local, Remote string // host names
	// Label is what the road says of itself: "WebRTC · RTT 3 ms · loss 0%",
	// or "relayed".
	Label string
	// RTT is the road's measured round trip, zero while unknown; the
	// merged link's delay is half of it, so letters cross the road in
	// about the time packets take.
	RTT time.Duration
}

// Merged is what a shared town draws, and what it needs beside a
// snapshot until sock.LinkState and sock.HostState carry it themselves.
type Merged struct {
	// Snapshot is this town's own snapshot with the peers' hosts after
	// its own and one link per road after its own links (IDs still their
	// place in Links plus one). It shares nothing with the inputs.
	Snapshot sock.Snapshot
	// Labels are the roads' labels, by link name.
	Labels map[string]string
	// Owners are the peers' names, by the name of each host of theirs.
	Owners map[string]string
	// LeftOut says, in words, what of the peers' parts was not merged
	// and why: a host whose name or address another plot has, a road
	// between hosts that are not there.
	LeftOut []string
}

// Merge adds every peer's hosts to local, and one road (a LinkState)
// for each road between a host of local's and a merged host of that
// peer's. A peer's host whose name is already a plot's (a host or a
// switch of local, or a host of an earlier peer), or that has an
// address another merged host has, is left out: a peer may not take
// over my plot or another peer's. A road is a point-to-point link whose
// MTU is netsim.RoadMTU and whose delay is half its RTT; the NICs at its
// two ends (the ones whose peers are the other end's addresses) are
// plugged into it, and every other NIC of a peer's host is unplugged
// (Link 0), since its link IDs are the peer's, not this town's.
func Merge(local sock.Snapshot, remotes []Remote) Merged {
	m := Merged{Snapshot: cloneSnapshot(local), Labels: map[string]string{}, Owners: map[string]string{}}
	plots := map[string]string{} // name -> whose: "" for this town
	addrs := map[netip.Addr]string{}
	for _, h := range local.Hosts {
		plots[h.Name] = ""
		for _, a := range h.Addrs {
			addrs[a.Addr()] = h.Name
		}
	}
	for _, sw := range local.Switches {
		plots[sw.Name] = ""
	}
	for _, r := range remotes {
		kept := m.addHosts(r, plots, addrs)
		for _, rd := range r.Roads {
			m.addRoad(len(local.Hosts), r, rd, kept)
		}
	}
	return m
}

func cloneSnapshot(s sock.Snapshot) sock.Snapshot {
	out := sock.Snapshot{Now: s.Now, InFlight: s.InFlight, Links: slices.Clone(s.Links)}
	if s.Hosts != nil {
		out.Hosts = make([]sock.HostState, len(s.Hosts))
		for i, h := range s.Hosts {
			out.Hosts[i] = cloneHost(h)
		}
	}
	if s.Switches != nil {
		out.Switches = make([]sock.SwitchState, len(s.Switches))
		for i, sw := range s.Switches {
			out.Switches[i] = cloneSwitch(sw)
		}
	}
	return out
}

// who names a peer in words: its name, or its id.
func (r Remote) who() string {
	if r.Name != "" {
		return r.Name
	}
	return "peer " + r.Peer
}

// addHosts merges r's hosts that take no other plot's name or address,
// and returns where each landed in the snapshot's hosts, by name.
func (m *Merged) addHosts(r Remote, plots map[string]string, addrs map[netip.Addr]string) map[string]int {
	kept := map[string]int{}
	for _, h := range r.Part.Hosts {
		if owner, taken := plots[h.Name]; taken {
			m.leaveOut("%s's host %s is left out: %s is already %s", r.who(), h.Name, h.Name, whose(owner))
			continue
		}
		if clash, other := clashes(h, addrs); clash.IsValid() {
			m.leaveOut("%s's host %s is left out: its address %v is already %s's", r.who(), h.Name, clash, other)
			continue
		}
		plots[h.Name] = r.who()
		for _, a := range h.Addrs {
			addrs[a.Addr()] = h.Name
		}
		h = cloneHost(h)
		for i := range h.NICs {
			h.NICs[i].Link = 0
		}
		kept[h.Name] = len(m.Snapshot.Hosts)
		m.Snapshot.Hosts = append(m.Snapshot.Hosts, h)
		m.Owners[h.Name] = r.who()
	}
	return kept
}

func whose(owner string) string {
	if owner == "" {
		return "a plot of this town"
	}
	return owner + "'s"
}

// clashes finds an address of h that a merged host has already.
func clashes(h sock.HostState, addrs map[netip.Addr]string) (netip.Addr, string) {
	for _, a := range h.Addrs {
		if other, ok := addrs[a.Addr()]; ok {
			return a.Addr(), other
		}
	}
	return netip.Addr{}, ""
}

func (m *Merged) leaveOut(format string, args ...any) {
	m.LeftOut = append(m.LeftOut, fmt.Sprintf(format, args...))
}

// addRoad adds rd as a link, if both its ends are there and it is not
// there already. nLocal is how many of the snapshot's hosts are this
// town's own.
func (m *Merged) addRoad(nLocal int, r Remote, rd Road, kept map[string]int) {
	s := &m.Snapshot
	li := slices.IndexFunc(s.Hosts[:nLocal], func(h sock.HostState) bool { return h.Name == rd.Local })
	ri, ok := kept[rd.Remote]
	switch {
	case li < 0:
		m.leaveOut("the road from %s to %s's %s is left out: %s is not a host of this town", rd.Local, r.who(), rd.Remote, rd.Local)
		return
	case !ok:
		m.leaveOut("the road from %s to %s's %s is left out: %s has no such host in the town", rd.Local, r.who(), rd.Remote, r.who())
		return
	case slices.ContainsFunc(s.Links, func(l sock.LinkState) bool { return l.A == rd.Local && l.B == rd.Remote }):
		m.leaveOut("the road from %s to %s's %s comes twice: the second is left out", rd.Local, r.who(), rd.Remote)
		return
	}
	id := sock.LinkID(len(s.Links) + 1)
	name := m.roadName(rd.Local + "-" + rd.Remote)
	s.Links = append(s.Links, sock.LinkState{ID: id, Name: name, A: rd.Local, B: rd.Remote,
		Config: sock.LinkConfig{MTU: netsim.RoadMTU, Delay: rd.RTT / 2}})
	m.Labels[name] = rd.Label
	plug(&s.Hosts[li], s.Hosts[ri].Addrs, id)
	plug(&s.Hosts[ri], s.Hosts[li].Addrs, id)
}

// roadName is "ann-bob", or "ann-bob#2" if a link has that name already
// (names may hold '-', so two pairs can spell the same).
func (m *Merged) roadName(base string) string {
	name := base
	for n := 2; slices.ContainsFunc(m.Snapshot.Links, func(l sock.LinkState) bool { return l.Name == name }); n++ {
		name = fmt.Sprintf("%s#%d", base, n)
	}
	return name
}

// plug sets the link of h's unplugged NIC whose point-to-point peer is
// one of far's addresses: the road's end on h.
func plug(h *sock.HostState, far []netip.Prefix, id sock.LinkID) {
	for i := range h.NICs {
		n := &h.NICs[i]
		if n.Link != 0 {
			continue
		}
		for _, p := range far {
			if slices.Contains(n.Peers, p.Addr()) {
				n.Link = id
				return
			}
		}
	}
}
