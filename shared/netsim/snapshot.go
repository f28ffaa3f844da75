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
	Processes []ProcessState
	Drops     map[string]int
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
	Type     SockType
	State    string // "unbound", "bound" or "connected" for datagram sockets
	Local    netip.AddrPort
	Remote   netip.AddrPort
	Nonblock bool
	Queued   int // datagrams waiting to be read
	Ready    PollEvents
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
		hs := HostState{Name: h.name, Addrs: h.Addrs(), Forward: h.forward, Drops: h.Drops()}
		for _, p := range h.procs {
			ps := ProcessState{Name: p.name, Root: p.root}
			for _, s := range p.Sockets() {
				ps.Sockets = append(ps.Sockets, s.state())
			}
			hs.Processes = append(hs.Processes, ps)
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
	return SocketState{
		ID: s.id, FD: s.fd, Type: s.typ, State: st, Local: s.local, Remote: s.remote,
		Nonblock: s.nonblock, Queued: s.queued(), Ready: s.readiness(),
	}
}
