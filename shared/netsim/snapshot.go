package netsim

import (
	"net"
	"slices"

	"socketville/shared/sock"
)

// Snapshot copies the town's state.
func (w *World) Snapshot() sock.Snapshot {
	snap := sock.Snapshot{Now: w.Now(), InFlight: w.InFlight()}
	for _, h := range w.hosts {
		hs := sock.HostState{Name: h.name, Addrs: h.Addrs(), Forward: h.forward, Drops: h.Drops(), Routes: h.routeStates()}
		hs.NICs, hs.Neigh = h.nicStates()
		for _, p := range h.procs {
			ps := sock.ProcessState{Name: p.name, Root: p.root}
			for _, s := range p.Sockets() {
				ps.Sockets = append(ps.Sockets, s.state())
			}
			hs.Processes = append(hs.Processes, ps)
		}
		for _, s := range h.orphans {
			hs.Orphans = append(hs.Orphans, s.state())
		}
		snap.Hosts = append(snap.Hosts, hs)
	}
	for _, l := range w.links {
		snap.Links = append(snap.Links, l.state())
	}
	for _, sw := range w.switches {
		snap.Switches = append(snap.Switches, sw.state())
	}
	return snap
}

func (s *Socket) state() sock.SocketState {
	st := sock.StateUnbound
	switch {
	case s.tcp != nil:
		st = s.tcp.state
	case s.connected:
		st = sock.StateConnected
	case s.bound:
		st = sock.StateBound
	}
	ss := sock.SocketState{
		ID: s.id, FD: s.fd, Type: s.typ, State: st, Local: s.local, Remote: s.remote,
		Nonblock: s.nonblock, Queued: s.queued(), Ready: s.readiness(), Options: s.optionValues(),
	}
	if s.proc != nil {
		ss.Proc = s.proc.name
	}
	if c := s.tcp; c != nil {
		ts := &sock.TCPState{
			SndBuf: s.opts.sndBuf, SndQueued: c.sndBuf.Len(), RcvBuf: s.opts.rcvBuf, RcvQueued: c.rcvBuf.Len(),
			OutOfOrder: c.oooBytes, InFlight: c.inFlight(), SndWnd: int(c.sndWnd), Cwnd: c.cwnd, Ssthresh: c.ssthresh,
			MSS: c.mss, RTO: c.rto, SRTT: c.srtt, SynQueue: len(c.synQueue), AcceptQueue: len(c.acceptQ), Backlog: c.backlog,
		}
		if c.state.Synchronized() {
			ts.RcvWnd = max0(c.rcvAdv.Sub(c.rcvNxt))
		}
		if t := c.timers[timerTimeWait]; t.armed && c.state == stateTimeWait {
			ts.TimeWaitLeft = t.at - s.proc.host.w.Now()
		}
		ss.TCP = ts
	}
	return ss
}

// routeStates copies the routing table in the order lookups try it:
// longest prefix first.
func (h *Host) routeStates() []sock.RouteState {
	var out []sock.RouteState
	for _, r := range h.routes {
		out = append(out, sock.RouteState{Dst: r.dst, Gateway: r.gateway})
	}
	return out
}

// optionValues are the options a program may set on the socket, with
// their values; TCP_NODELAY only on TCP sockets, and never SO_ERROR (to
// read it is to clear it).
func (s *Socket) optionValues() []sock.OptionValue {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	linger := -1
	if s.opts.lingerOn {
		linger = s.opts.linger
	}
	set := func(o sock.SockOpt, v int) sock.OptionValue { return sock.OptionValue{Opt: o, Value: v} }
	out := []sock.OptionValue{
		set(sock.OptReuseAddr, b(s.opts.reuseAddr)), set(sock.OptRcvBuf, s.opts.rcvBuf), set(sock.OptSndBuf, s.opts.sndBuf),
		set(sock.OptRcvTimeo, s.opts.rcvTimeo), set(sock.OptTTL, int(s.opts.ttl)), set(sock.OptLinger, linger),
	}
	if s.typ == sock.SockTCP {
		out = append(out, set(sock.OptNoDelay, b(s.opts.noDelay)))
	}
	return out
}

// nicStates copies the host's interfaces and their neighbour caches.
func (h *Host) nicStates() ([]sock.NICState, []sock.NeighState) {
	var nics []sock.NICState
	var neigh []sock.NeighState
	for _, n := range h.nics {
		st := sock.NICState{Name: n.name, Addrs: slices.Clone(n.addrs), Peers: slices.Clone(n.peers), MTU: n.med.mtu(), Link: n.med.hop().Link}
		if n.neigh != nil {
			st.MAC = net.HardwareAddr(slices.Clone(n.mac[:]))
			neigh = append(neigh, n.neigh.states()...)
		}
		nics = append(nics, st)
	}
	return nics, neigh
}
