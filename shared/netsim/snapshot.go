package netsim

import (
	"net/netip"
	"time"
)

// Snapshot is a copy of the town's state at one instant, for drawing and for
// tests. It shares nothing with the world.
type Snapshot struct {
	Now      time.Duration
	Hosts    []HostState
	Links    []LinkState
	InFlight int
}

// HostState is one host's state.
type HostState struct {
	Name      string
	Addrs     []netip.Prefix
	Forward   bool
	Routes    []RouteState // longest prefix first, as lookups try them
	Processes []ProcessState
	Drops     map[string]int
	// Orphans are TCP connections whose fd was closed and that finish on
	// their own (FIN-WAIT, LAST-ACK, TIME-WAIT); FD is 0.
	Orphans []SocketState
}

// ProcessState is one process's state.
type ProcessState struct {
	Name    string
	Root    bool
	Sockets []SocketState
}

// SocketState is one socket's state.
type SocketState struct {
	ID       uint64
	FD       int
	Proc     string // the process that made it; a kernel-held connection keeps the one that closed it
	Type     SockType
	State    string // "unbound", "bound" or "connected" for datagram sockets
	Local    netip.AddrPort
	Remote   netip.AddrPort
	Nonblock bool
	Queued   int // datagrams waiting to be read
	Ready    PollEvents
	TCP      *TCPState // nil for datagram sockets
	Options  []OptionValue
}

// TCPState is what a TCP socket's door shows: its buffers, windows and
// queues, and how long TIME-WAIT has left.
type TCPState struct {
	SndBuf, SndQueued              int // send buffer size, and bytes written but not yet acknowledged
	RcvBuf, RcvQueued              int // receive buffer size, and bytes received but not yet read
	OutOfOrder                     int // bytes held after a gap
	InFlight                       int // sequence space sent and not yet acknowledged
	SndWnd, RcvWnd                 int // the peer's window and the one we advertise, in bytes
	Cwnd, Ssthresh                 int
	MSS                            int
	RTO, SRTT                      time.Duration
	SynQueue, AcceptQueue, Backlog int           // listening sockets
	TimeWaitLeft                   time.Duration // in TIME-WAIT
}

// LinkState is one link's state.
type LinkState struct {
	Name   string
	A, B   string
	Config LinkConfig
}

// Snapshot copies the town's state.
func (w *World) Snapshot() Snapshot {
	snap := Snapshot{Now: w.Now(), InFlight: w.InFlight()}
	for _, h := range w.hosts {
		hs := HostState{Name: h.name, Addrs: h.Addrs(), Forward: h.forward, Drops: h.Drops(), Routes: h.routeStates()}
		for _, p := range h.procs {
			ps := ProcessState{Name: p.name, Root: p.root}
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
		snap.Links = append(snap.Links, LinkState{Name: l.name, A: l.a.name, B: l.b.name, Config: l.cfg})
	}
	return snap
}

func (s *Socket) state() SocketState {
	st := "unbound"
	switch {
	case s.tcp != nil:
		st = s.tcp.state.String()
	case s.connected:
		st = "connected"
	case s.bound:
		st = "bound"
	}
	ss := SocketState{
		ID: s.id, FD: s.fd, Type: s.typ, State: st, Local: s.local, Remote: s.remote,
		Nonblock: s.nonblock, Queued: s.queued(), Ready: s.readiness(), Options: s.optionValues(),
	}
	if s.proc != nil {
		ss.Proc = s.proc.name
	}
	if c := s.tcp; c != nil {
		ts := &TCPState{
			SndBuf: s.opts.sndBuf, SndQueued: c.sndBuf.Len(), RcvBuf: s.opts.rcvBuf, RcvQueued: c.rcvBuf.Len(),
			OutOfOrder: c.oooBytes, InFlight: c.inFlight(), SndWnd: int(c.sndWnd), Cwnd: c.cwnd, Ssthresh: c.ssthresh,
			MSS: c.mss, RTO: c.rto, SRTT: c.srtt, SynQueue: len(c.synQueue), AcceptQueue: len(c.acceptQ), Backlog: c.backlog,
		}
		if c.state.synchronized() {
			ts.RcvWnd = max0(c.rcvAdv.Sub(c.rcvNxt))
		}
		if t := c.timers[timerTimeWait]; t.armed && c.state == stateTimeWait {
			ts.TimeWaitLeft = t.at - s.proc.host.w.Now()
		}
		ss.TCP = ts
	}
	return ss
}

// RouteState is one entry of a host's routing table: packets for Dst go
// to Gateway, a neighbour's address.
type RouteState struct {
	Dst     netip.Prefix
	Gateway netip.Addr
}

// OptionValue is one socket option and its value now, as getsockopt
// would read it.
type OptionValue struct {
	Opt   SockOpt
	Value int
}

// routeStates copies the routing table in the order lookups try it:
// longest prefix first.
func (h *Host) routeStates() []RouteState {
	var out []RouteState
	for _, r := range h.routes {
		out = append(out, RouteState{Dst: r.dst, Gateway: r.gateway})
	}
	return out
}

// optionValues are the options a program may set on the socket, with
// their values; TCP_NODELAY only on TCP sockets, and never SO_ERROR (to
// read it is to clear it).
func (s *Socket) optionValues() []OptionValue {
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
	set := func(o SockOpt, v int) OptionValue { return OptionValue{Opt: o, Value: v} }
	out := []OptionValue{
		set(OptReuseAddr, b(s.opts.reuseAddr)), set(OptRcvBuf, s.opts.rcvBuf), set(OptSndBuf, s.opts.sndBuf),
		set(OptRcvTimeo, s.opts.rcvTimeo), set(OptTTL, int(s.opts.ttl)), set(OptLinger, linger),
	}
	if s.typ == SockTCP {
		out = append(out, set(OptNoDelay, b(s.opts.noDelay)))
	}
	return out
}
