package peerstate

import (
	"maps"
	"net"
	"slices"

	"socketville/shared/sock"
)

// Deep copies, so that a merged snapshot shares no slice, map or pointer
// with the snapshot and parts it was made of: the caller may change or
// keep either.

func cloneHost(h sock.HostState) sock.HostState {
	h.Addrs = slices.Clone(h.Addrs)
	h.Routes = slices.Clone(h.Routes)
	h.Drops = maps.Clone(h.Drops)
	h.Orphans = cloneSockets(h.Orphans)
	if h.Processes != nil {
		ps := make([]sock.ProcessState, len(h.Processes))
		for i, p := range h.Processes {
			p.Sockets = cloneSockets(p.Sockets)
			ps[i] = p
		}
		h.Processes = ps
	}
	if h.NICs != nil {
		ns := make([]sock.NICState, len(h.NICs))
		for i, n := range h.NICs {
			n.MAC = cloneMAC(n.MAC)
			n.Addrs = slices.Clone(n.Addrs)
			n.Peers = slices.Clone(n.Peers)
			ns[i] = n
		}
		h.NICs = ns
	}
	if h.Neigh != nil {
		ns := make([]sock.NeighState, len(h.Neigh))
		for i, n := range h.Neigh {
			n.MAC = cloneMAC(n.MAC)
			ns[i] = n
		}
		h.Neigh = ns
	}
	return h
}

func cloneSockets(ss []sock.SocketState) []sock.SocketState {
	if ss == nil {
		return nil
	}
	out := make([]sock.SocketState, len(ss))
	for i, s := range ss {
		if s.TCP != nil {
			t := *s.TCP
			s.TCP = &t
		}
		s.Options = slices.Clone(s.Options)
		out[i] = s
	}
	return out
}

func cloneSwitch(s sock.SwitchState) sock.SwitchState {
	s.Used = slices.Clone(s.Used)
	s.Drops = maps.Clone(s.Drops)
	if s.FDB != nil {
		fdb := make([]sock.FDBEntry, len(s.FDB))
		for i, e := range s.FDB {
			e.MAC = cloneMAC(e.MAC)
			fdb[i] = e
		}
		s.FDB = fdb
	}
	return s
}

func cloneMAC(m net.HardwareAddr) net.HardwareAddr {
	if m == nil {
		return nil
	}
	return slices.Clone(m)
}
