//go:build linux

package ossock

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// addrMap translates between the scenario's addresses and the ones the
// kernel uses. In namespaces they are the same; on loopback each host
// address a.b.c.d becomes 127.N.c.d, N the run's block (the next free N if
// that is taken), since all of 127.0.0.0/8 is this machine's and nothing
// else is touched.
type addrMap struct {
	loopback bool
	block    int // the second byte of the run's loopback addresses
	// lowPorts moves ports below 1024 up by lowPortShift, for a program
	// that may not bind them: a root process's port 80 is 10080.
	lowPorts bool
	toReal   map[netip.Addr]netip.Addr
	toScen   map[netip.Addr]netip.Addr
}

func newAddrMap(loopback bool, block int) addrMap {
	return addrMap{loopback: loopback, block: block, toReal: map[netip.Addr]netip.Addr{}, toScen: map[netip.Addr]netip.Addr{}}
}

// loopbackBlock is the second byte of a loopback run's addresses, 77 to
// 246, from its pid: a run a minute after another on the one loopback
// device then finds no TIME-WAIT of the other's on its ports.
func loopbackBlock(pid int) int { return 77 + pid%170 }

// add maps a host address and returns the address it stands for.
func (m *addrMap) add(a netip.Addr) (netip.Addr, error) {
	if !m.loopback {
		return a, nil
	}
	b := a.As4()
	for second := m.block; second < 256; second++ {
		real := netip.AddrFrom4([4]byte{127, byte(second), b[2], b[3]})
		if _, taken := m.toScen[real]; !taken && b[3] != 0 && b[3] != 255 {
			m.toReal[a], m.toScen[real] = real, a
			return real, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%v: no loopback address is left to stand for it: %w", a, sock.ErrAddrNotAvail)
}

// real is the kernel's address for a scenario address; the unspecified
// address and unmapped ones stay as they are.
func (m *addrMap) real(ap netip.AddrPort) netip.AddrPort {
	if m.lowPorts && ap.Port() > 0 && ap.Port() < 1024 {
		ap = netip.AddrPortFrom(ap.Addr(), ap.Port()+lowPortShift)
	}
	if r, ok := m.toReal[ap.Addr()]; ok {
		return netip.AddrPortFrom(r, ap.Port())
	}
	return ap
}

// lowPortShift is how far a loopback run without CAP_NET_BIND_SERVICE
// moves the ports below 1024.
const lowPortShift = 10000

// scenario is the scenario's address for one the kernel reports.
func (m *addrMap) scenario(ap netip.AddrPort) netip.AddrPort {
	if m.lowPorts && ap.Port() > lowPortShift && ap.Port() < lowPortShift+1024 {
		ap = netip.AddrPortFrom(ap.Addr(), ap.Port()-lowPortShift)
	}
	if s, ok := m.toScen[ap.Addr()]; ok {
		return netip.AddrPortFrom(s, ap.Port())
	}
	return ap
}

// mapped reports whether a scenario address is one the map knows.
func (m *addrMap) mapped(a netip.Addr) bool {
	_, ok := m.toReal[a]
	return ok
}

// reach is what a loopback run does instead of routing: a destination must
// be a host of the town that the sending host has a way to (its own
// subnet, or a route); anything else is refused the way the simulator and
// Linux refuse it, and nothing leaves the machine.
func (k *Kernel) reach(h *townHost, dst netip.Addr) *sock.Errno {
	if k.mode != Loopback || dst.IsLoopback() {
		return nil
	}
	routed := false
	for _, r := range h.routes {
		routed = routed || r.Dst.Contains(dst)
	}
	onLink := false
	for _, p := range h.addrs {
		onLink = onLink || p.Contains(dst)
	}
	switch {
	case k.addrs.mapped(dst) && (routed || onLink || k.owner(dst) == h):
		return nil
	case routed || onLink:
		return sock.ErrHostUnreach
	}
	return sock.ErrNetUnreach
}

func sockaddr(ap netip.AddrPort) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().Unmap().As4()}
}

func addrPort(sa unix.Sockaddr) netip.AddrPort {
	if in, ok := sa.(*unix.SockaddrInet4); ok {
		return netip.AddrPortFrom(netip.AddrFrom4(in.Addr), uint16(in.Port))
	}
	return netip.AddrPort{}
}
