package netsim

import "net/netip"

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
