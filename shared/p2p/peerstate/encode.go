package peerstate

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"time"

	"socketville/shared/sock"
)

// The form, version 1 (every count, int and duration a uvarint unless
// said otherwise; a string is its length then its bytes):
//
//	part    'P' 1 seq now nhosts host...
//	host    name naddrs prefix... flags(forward=1) ephFirst ephLast
//	        nroutes (prefix addr)... nprocs proc... ndrops (reason count)...
//	        norphans socket... nnics nic... nneigh neigh...
//	proc    name flags(root=1) pid user nsockets socket...
//	socket  id fd proc' type state addrport addrport flags(nonblock=1 tcp=2)
//	        queued ready [tcp] nopts (opt zigzag-value)...
//	tcp     sndbuf sndq rcvbuf rcvq ooo inflight sndwnd rcvwnd cwnd ssthresh
//	        mss rto srtt synq acceptq backlog timewait
//	nic     name mac naddrs prefix... npeers ip4... mtu link
//	neigh   ip4 mac dev state
//	prefix  ip4 bits(1 byte)     addr  0 | 4 ip4     addrport  0 | 4 ip4 port(2 bytes)
//	mac     0 | 6 bytes          proc' 0 (the owning process's name) | len+1 bytes
//
// Orphans are written with "" as their owner.

// Flag bits.
const (
	hostForward    = 1
	procRoot       = 1
	sockNonblock   = 1
	sockTCP        = 2
	addrNone       = 0
	addrIPv4       = 4
	macNone        = 0
	macLen         = 6
	socketFlagMask = sockNonblock | sockTCP
)

func encodePart(b []byte, p Part) []byte {
	b = append(b, tag, version)
	b = binary.AppendUvarint(b, p.Seq)
	b = putDur(b, p.Now)
	b = putInt(b, len(p.Hosts))
	for i := range p.Hosts {
		b = putHost(b, &p.Hosts[i])
	}
	return b
}

func putHost(b []byte, h *sock.HostState) []byte {
	b = putStr(b, h.Name)
	b = putInt(b, len(h.Addrs))
	for _, a := range h.Addrs {
		b = putPrefix(b, a)
	}
	var flags byte
	if h.Forward {
		flags |= hostForward
	}
	b = append(b, flags)
	b = putInt(b, int(h.Ephemeral.First))
	b = putInt(b, int(h.Ephemeral.Last))
	b = putInt(b, len(h.Routes))
	for _, r := range h.Routes {
		b = putAddr(putPrefix(b, r.Dst), r.Gateway)
	}
	b = putInt(b, len(h.Processes))
	for i := range h.Processes {
		b = putProcess(b, &h.Processes[i])
	}
	b = putDrops(b, h.Drops)
	b = putSockets(b, "", h.Orphans)
	b = putInt(b, len(h.NICs))
	for i := range h.NICs {
		b = putNIC(b, &h.NICs[i])
	}
	b = putInt(b, len(h.Neigh))
	for _, n := range h.Neigh {
		b = putMAC(putIP4(b, n.Addr), n.MAC)
		b = append(putStr(b, n.Dev), byte(n.State))
	}
	return b
}

func putProcess(b []byte, p *sock.ProcessState) []byte {
	b = putStr(b, p.Name)
	var flags byte
	if p.Root {
		flags |= procRoot
	}
	b = append(b, flags)
	b = putInt(b, p.PID)
	b = putStr(b, p.User)
	return putSockets(b, p.Name, p.Sockets)
}

// putDrops writes the reasons sorted, so that a part's bytes do not
// depend on map order.
func putDrops(b []byte, d map[string]int) []byte {
	b = putInt(b, len(d))
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = putInt(putStr(b, k), d[k])
	}
	return b
}

func putSockets(b []byte, owner string, ss []sock.SocketState) []byte {
	b = putInt(b, len(ss))
	for i := range ss {
		b = putSocket(b, owner, &ss[i])
	}
	return b
}

func putSocket(b []byte, owner string, s *sock.SocketState) []byte {
	b = binary.AppendUvarint(b, s.ID)
	b = putInt(b, s.FD)
	if s.Proc == owner {
		b = append(b, 0)
	} else {
		b = putInt(b, len(s.Proc)+1)
		b = append(b, s.Proc...)
	}
	b = append(b, byte(s.Type), byte(s.State))
	b = putAddrPort(putAddrPort(b, s.Local), s.Remote)
	var flags byte
	if s.Nonblock {
		flags |= sockNonblock
	}
	if s.TCP != nil {
		flags |= sockTCP
	}
	b = append(b, flags)
	b = putInt(b, s.Queued)
	b = binary.AppendUvarint(b, uint64(s.Ready))
	if t := s.TCP; t != nil {
		for _, v := range []int{t.SndBuf, t.SndQueued, t.RcvBuf, t.RcvQueued, t.OutOfOrder, t.InFlight,
			t.SndWnd, t.RcvWnd, t.Cwnd, t.Ssthresh, t.MSS} {
			b = putInt(b, v)
		}
		b = putDur(putDur(b, t.RTO), t.SRTT)
		b = putInt(putInt(putInt(b, t.SynQueue), t.AcceptQueue), t.Backlog)
		b = putDur(b, t.TimeWaitLeft)
	}
	b = putInt(b, len(s.Options))
	for _, o := range s.Options {
		b = binary.AppendVarint(binary.AppendUvarint(b, uint64(o.Opt)), int64(o.Value))
	}
	return b
}

func putNIC(b []byte, n *sock.NICState) []byte {
	b = putMAC(putStr(b, n.Name), n.MAC)
	b = putInt(b, len(n.Addrs))
	for _, a := range n.Addrs {
		b = putPrefix(b, a)
	}
	b = putInt(b, len(n.Peers))
	for _, a := range n.Peers {
		b = putIP4(b, a)
	}
	b = putInt(b, n.MTU)
	return binary.AppendUvarint(b, uint64(n.Link))
}

// putInt writes a count or another int the checks have held at 0 or more.
func putInt(b []byte, v int) []byte { return binary.AppendUvarint(b, uint64(v)) }

func putDur(b []byte, d time.Duration) []byte { return binary.AppendUvarint(b, uint64(d)) }

func putStr(b []byte, s string) []byte { return append(putInt(b, len(s)), s...) }

// putIP4 writes an IPv4 address's four bytes. The checks let no other
// address through; one that Encode's checks did not see (a test's) is
// written as 0.0.0.0, which the decoder refuses where it matters.
func putIP4(b []byte, a netip.Addr) []byte {
	if !a.Is4() {
		a = netip.IPv4Unspecified()
	}
	v := a.As4()
	return append(b, v[:]...)
}

func putPrefix(b []byte, p netip.Prefix) []byte {
	return append(putIP4(b, p.Addr()), byte(p.Bits()))
}

// putAddr writes no address, or an IPv4 one; any other is written with
// its own kind, 6, for the decoder to refuse.
func putAddr(b []byte, a netip.Addr) []byte {
	switch {
	case !a.IsValid():
		return append(b, addrNone)
	case a.Is4():
		return putIP4(append(b, addrIPv4), a)
	}
	return append(append(b, 6), a.AsSlice()...)
}

func putAddrPort(b []byte, a netip.AddrPort) []byte {
	if !a.IsValid() {
		return append(b, addrNone)
	}
	return binary.BigEndian.AppendUint16(putAddr(b, a.Addr()), a.Port())
}

func putMAC(b []byte, m net.HardwareAddr) []byte {
	if m == nil {
		return append(b, macNone)
	}
	return append(append(b, byte(len(m))), m...)
}
