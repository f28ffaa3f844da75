//go:build linux

package ossock

import (
	"net"
	"net/netip"
	"slices"
	"time"

	"socketville/native/linuxtcp"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
	wireformat "socketville/shared/wire"
)

// orphan is a TCP connection whose fd was closed and that the kernel
// finishes on its own (FIN-WAIT, LAST-ACK, TIME-WAIT): found again by its
// addresses through sock_diag.
type orphan struct {
	h             *townHost
	proc          string
	local, remote netip.AddrPort // the scenario's
	realL, realR  netip.AddrPort
	state         sock.State
}

// sampleSocket reads a TCP socket's state from TCP_INFO and publishes a
// change.
func (k *Kernel) sampleSocket(p *townProc, s *osSocket) {
	if s.typ != sock.SockTCP {
		return
	}
	info, err := unix.GetsockoptTCPInfo(s.real, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return
	}
	s.unacked = int(info.Unacked)
	if st := linuxtcp.State(info.State); st != s.state {
		e := p.event(s, sock.KindState)
		e.From, e.To = s.state, st
		s.state = st
		k.emit(e)
	}
}

// adopt keeps following a TCP connection whose fd is being closed: the
// kernel finishes it on its own, and sock_diag finds it by its addresses.
// A socket that never connected, or listened, just ends (CLOSED).
func (k *Kernel) adopt(p *townProc, s *osSocket) *orphan {
	k.sampleSocket(p, s)
	o := &orphan{h: p.h, proc: p.name, local: s.local, remote: s.remote, realL: s.local, realR: s.remote, state: s.state}
	if sa, err := unix.Getsockname(s.real); err == nil {
		o.realL = addrPort(sa)
	}
	if sa, err := unix.Getpeername(s.real); err == nil {
		o.realR = addrPort(sa)
	}
	switch s.state {
	case sock.StateClosed:
		return nil
	case sock.StateListen, sock.StateSynSent:
		o.realR = netip.AddrPort{} // never in sock_diag's list as a connection: ends at the next look
		if s.state == sock.StateListen {
			o.remote = netip.AddrPort{}
		}
	}
	k.orphans = append(k.orphans, o)
	return o
}

// sample looks at everything once: the sockets' states, the connections
// the kernel finishes alone, and the packets the wires saw.
func (k *Kernel) sample() {
	k.drainPackets()
	for _, h := range k.hosts {
		for _, p := range h.procs {
			for _, fd := range p.sortedFDs() {
				k.sampleSocket(p, p.fds[fd])
			}
		}
	}
	k.sampleOrphans()
}

// sampleOrphans looks at the connections the kernel finishes alone: one
// sock_diag dump per host, once a tick while one is closing, and every
// timeWaitLook while all of them only wait out TIME-WAIT (a dump costs
// more the more connections wait, and TIME-WAIT lasts a minute).
func (k *Kernel) sampleOrphans() {
	now := k.Now()
	if len(k.orphans) == 0 || now-k.lastOrphanLook < Tick {
		return
	}
	waiting := true
	for _, o := range k.orphans {
		waiting = waiting && o.state == sock.StateTimeWait
	}
	if waiting && now-k.lastOrphanLook < timeWaitLook {
		return
	}
	k.lastOrphanLook = now
	type dump struct {
		socks map[[2]netip.AddrPort]sock.State
		ok    bool
	}
	dumps := map[*townHost]dump{}
	k.orphans = slices.DeleteFunc(k.orphans, func(o *orphan) bool {
		d, seen := dumps[o.h]
		if !seen && o.realR.IsValid() {
			d.socks, d.ok = k.tcpSockets(o.h)
			dumps[o.h] = d
		}
		if !d.ok && o.realR.IsValid() {
			return false // no answer this time; look again at the next tick
		}
		return !k.sampleOrphan(o, d.socks)
	})
}

// timeWaitLook is how often connections that only wait out TIME-WAIT are
// looked at.
const timeWaitLook = 100 * time.Millisecond

// sampleOrphan publishes an orphan's change and reports whether it is
// still there.
func (k *Kernel) sampleOrphan(o *orphan, socks map[[2]netip.AddrPort]sock.State) bool {
	st := sock.StateClosed
	if found, ok := socks[[2]netip.AddrPort{o.realL, o.realR}]; ok && o.realR.IsValid() {
		st = found
	}
	if st != o.state {
		k.emit(sock.Event{
			Kind: sock.KindState, Host: o.h.name, Proc: o.proc, Sock: sock.SockTCP,
			Local: o.local, Remote: o.remote, From: o.state, To: st,
		})
		o.state = st
	}
	return st != sock.StateClosed
}

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip.To4())
	return a
}

// tcpSockets lists the TCP sockets of a host's namespace through
// sock_diag (in loopback mode, the machine's). A dump interrupted by a
// change still returns what it read, which is what a sample wants.
func (k *Kernel) tcpSockets(h *townHost) (map[[2]netip.AddrPort]sock.State, bool) {
	if h.diag == nil {
		// The netlink socket answers for the namespace it was made in.
		h.rootW.do(func() error {
			var err error
			h.diag, err = netlink.NewHandle(unix.NETLINK_INET_DIAG)
			return err
		})
		if h.diag == nil {
			return nil, false
		}
	}
	socks, err := h.diag.SocketDiagTCP(unix.AF_INET)
	if err != nil {
		// An interrupted dump may leave out a connection that is still
		// there: say nothing this time rather than call it closed.
		return nil, false
	}
	out := make(map[[2]netip.AddrPort]sock.State, len(socks))
	for _, s := range socks {
		l := netip.AddrPortFrom(addrOf(s.ID.Source), s.ID.SourcePort)
		r := netip.AddrPortFrom(addrOf(s.ID.Destination), s.ID.DestinationPort)
		out[[2]netip.AddrPort{l, r}] = linuxtcp.State(s.State)
	}
	return out, true
}

func (p *townProc) sortedFDs() []int {
	fds := make([]int, 0, len(p.fds))
	for fd := range p.fds {
		fds = append(fds, fd)
	}
	slices.Sort(fds)
	return fds
}

// capturedPacket is a packet a wire saw, waiting to be published on the
// shell's goroutine.
type capturedPacket struct {
	at time.Time
	p  Packet
	n  *NeighReport // instead of p: a change in an ARP cache or FDB
}

// onPacket is called by the wires, from their goroutines.
func (k *Kernel) onPacket(p Packet) {
	k.capMu.Lock()
	k.captured = append(k.captured, capturedPacket{at: p.Time, p: p})
	k.capMu.Unlock()
}

// onNeigh is called by the namespaces' neighbour watchers.
func (k *Kernel) onNeigh(r NeighReport) {
	k.capMu.Lock()
	k.captured = append(k.captured, capturedPacket{at: r.Time, n: &r})
	k.capMu.Unlock()
}

// drainPackets publishes what the wires saw since the last look.
func (k *Kernel) drainPackets() {
	k.capMu.Lock()
	batch := k.captured
	k.captured = nil
	k.capMu.Unlock()
	// Each wire direction reports in order; between them, time decides.
	slices.SortStableFunc(batch, func(a, b capturedPacket) int { return a.at.Compare(b.at) })
	for _, c := range batch {
		if n := c.n; n != nil {
			e := sock.Event{Kind: sock.KindNeigh, Host: n.Host, Neigh: n.Neigh}
			if n.FDB != nil {
				e = sock.Event{Kind: sock.KindFDB, Host: n.Host, FDB: n.FDB, Reason: n.Reason}
			}
			k.emitAt(e, k.timeOf(c.at))
			continue
		}
		e := sock.Event{Host: c.p.From, Link: c.p.Link, Packet: c.p.Data, Frame: c.p.Frame, Reason: c.p.Reason}
		switch c.p.Kind {
		case PacketSent:
			// A frame a switch sends on is one it forwards, as the
			// simulator's switch reports it.
			// So is a packet a router sends on for others.
			e.Kind = sock.KindSent
			if k.isSwitch(c.p.From) || k.transit(c.p.From, c.p.Data, true) {
				e.Kind = sock.KindForwarded
			}
		case PacketDropped:
			e.Kind = sock.KindDropped
			if c.p.At != "" {
				e.Host = c.p.At
			}
		case PacketDelivered:
			if k.isSwitch(c.p.To) || k.transit(c.p.To, c.p.Data, false) {
				continue // the switch or router forwards it: its next report says where
			}
			e.Kind, e.Host = sock.KindDelivered, c.p.To
			e.Proc, e.FD = k.receiver(c.p.To, c.p.Data)
		}
		k.emitAt(e, k.timeOf(c.at))
	}
}

// transit reports whether pkt, leaving (out) or reaching a forwarding
// host, is one the host passes on for others: an IPv4 packet whose source
// (out) or destination is none of the host's addresses.
func (k *Kernel) transit(host string, pkt []byte, out bool) bool {
	h := k.host(host)
	if h == nil || !h.forward {
		return false
	}
	ip, err := wireformat.ParseIPv4(pkt)
	if err != nil {
		return false
	}
	a := ip.Dst()
	if out {
		a = ip.Src()
	}
	return !slices.ContainsFunc(h.addrs, func(p netip.Prefix) bool { return p.Addr() == a }) && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// isSwitch reports whether name is one of the town's switches.
func (k *Kernel) isSwitch(name string) bool { return slices.Contains(k.switches, name) }

// timeOf is the town's time at wall time t.
func (k *Kernel) timeOf(t time.Time) time.Duration {
	return max(k.offset+t.Sub(k.mark), 0)
}

func (k *Kernel) emitAt(e sock.Event, t time.Duration) {
	e.Time = t
	k.lastActivity = max(k.lastActivity, t)
	for _, fn := range k.observers {
		fn(e)
	}
}

// Snapshot copies the town's state as the kernel reports it now.
func (k *Kernel) Snapshot() sock.Snapshot {
	snap := sock.Snapshot{Now: k.Now()}
	for _, h := range k.hosts {
		hs := sock.HostState{Name: h.name, Addrs: slices.Clone(h.addrs), Forward: h.forward, Routes: slices.Clone(h.routes)}
		for _, p := range h.procs {
			ps := sock.ProcessState{Name: p.name, Root: p.root}
			for _, fd := range p.sortedFDs() {
				ps.Sockets = append(ps.Sockets, p.socketState(p.fds[fd]))
			}
			hs.Processes = append(hs.Processes, ps)
		}
		for _, o := range k.orphans {
			if o.h == h {
				hs.Orphans = append(hs.Orphans, sock.SocketState{
					Proc: o.proc, Type: sock.SockTCP, State: o.state, Local: o.local, Remote: o.remote, TCP: &sock.TCPState{},
				})
			}
		}
		if k.town != nil {
			hs.NICs = k.town.NICs(h.name)
			hs.Neigh = k.town.Neigh(h.name)
		}
		snap.Hosts = append(snap.Hosts, hs)
	}
	for _, name := range k.switches {
		if st, ok := k.town.Switch(name); ok {
			snap.Switches = append(snap.Switches, st)
		}
	}
	for i, l := range k.links {
		snap.Links = append(snap.Links, sock.LinkState{ID: sock.LinkID(i + 1), Name: l.a + "-" + l.b, A: l.a, B: l.b, Config: l.cfg})
	}
	return snap
}

func (p *townProc) socketState(s *osSocket) sock.SocketState {
	ss := sock.SocketState{
		ID: s.id, FD: s.fd, Proc: p.name, Type: s.typ, State: s.state, Local: s.local, Remote: s.remote,
		Nonblock: s.nonblock, Ready: p.Readiness(s.fd), Options: p.optionValues(s),
	}
	if s.typ != sock.SockTCP {
		ss.Queued = p.queuedDatagrams(s)
		return ss
	}
	ts := &sock.TCPState{}
	if info, err := unix.GetsockoptTCPInfo(s.real, unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
		ts.MSS = int(info.Snd_mss)
		ts.Cwnd = int(info.Snd_cwnd) * int(info.Snd_mss)
		ts.Ssthresh = int(info.Snd_ssthresh)
		ts.RTO = time.Duration(info.Rto) * time.Microsecond
		ts.SRTT = time.Duration(info.Rtt) * time.Microsecond
		ts.InFlight = int(info.Unacked) * int(info.Snd_mss)
		if s.state == sock.StateListen {
			// For a listener, Linux reports the accept queue in
			// tcpi_unacked and the backlog in tcpi_sacked.
			ts.AcceptQueue, ts.Backlog, ts.InFlight = int(info.Unacked), int(info.Sacked), 0
		}
	}
	if v, err := unix.GetsockoptInt(s.real, unix.SOL_SOCKET, unix.SO_SNDBUF); err == nil {
		ts.SndBuf = v
	}
	if v, err := unix.GetsockoptInt(s.real, unix.SOL_SOCKET, unix.SO_RCVBUF); err == nil {
		ts.RcvBuf = v
	}
	if s.state != sock.StateListen {
		ts.SndQueued = p.Unacked(s.fd)
		ts.RcvQueued = p.Unread(s.fd)
	}
	ss.TCP = ts
	return ss
}

// queuedDatagrams is how many datagrams wait; the kernel tells only
// whether one does (FIONREAD is the size of the next).
func (p *townProc) queuedDatagrams(s *osSocket) int {
	if p.Unread(s.fd) > 0 || p.Readiness(s.fd)&sock.PollIn != 0 {
		return 1
	}
	return 0
}

// receiver is the process and fd a packet arriving at host is for, as
// the kernel will choose it: a connected socket whose peer sent it, else
// one bound to its port ("", 0 when no socket takes it).
func (k *Kernel) receiver(host string, pkt []byte) (string, int) {
	h := k.host(host)
	ip, err := wireformat.ParseIPv4(pkt)
	if h == nil || err != nil || len(ip.Payload()) < 4 {
		return "", 0
	}
	var typ sock.SockType
	switch ip.Protocol() {
	case wireformat.ProtocolTCP:
		typ = sock.SockTCP
	case wireformat.ProtocolUDP:
		typ = sock.SockUDP
	default:
		return "", 0
	}
	seg := ip.Payload()
	from := k.addrs.scenario(netip.AddrPortFrom(ip.Src(), uint16(seg[0])<<8|uint16(seg[1])))
	port := k.addrs.scenario(netip.AddrPortFrom(ip.Dst(), uint16(seg[2])<<8|uint16(seg[3]))).Port()
	var bound *townProc
	boundFD := 0
	for _, p := range h.procs {
		for _, fd := range p.sortedFDs() {
			s := p.fds[fd]
			if s.typ != typ || !s.bound || s.local.Port() != port {
				continue
			}
			if s.connected && s.remote == from {
				return p.name, fd
			}
			if !s.connected && bound == nil {
				bound, boundFD = p, fd
			}
		}
	}
	for _, o := range k.orphans {
		if o.h == h && o.remote == from && o.local.Port() == port {
			return o.proc, 0 // a connection the kernel finishes alone
		}
	}
	if bound != nil {
		return bound.name, boundFD
	}
	return "", 0
}
