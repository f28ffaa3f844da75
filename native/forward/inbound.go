package forward

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"socketville/shared/sock"
)

// inbound is a real listener whose connections go to a town server.
type inbound struct {
	spec   Spec
	ln     *net.TCPListener
	k      *Kernel
	target netip.AddrPort // the town server's address, once its host exists
	ready  bool
	failed bool // its town side could not be made; said once
}

// accepted is a real client the listener took, with its program.
type accepted struct {
	in    *inbound
	conn  *net.TCPConn
	owner owner
}

// Probe checks that each inbound forward's real address can be listened
// on now, and lets it go again: a server that opens its forwards only
// when a page starts a run says at its start that a port is taken.
func Probe(specs []Spec) error {
	for _, s := range specs {
		if s.Dir != Inbound {
			continue
		}
		in, err := listen(s, nil)
		if err != nil {
			return err
		}
		in.close()
	}
	return nil
}

func listen(s Spec, k *Kernel) (*inbound, error) {
	ln, err := net.ListenTCP("tcp4", tcpAddr(s.Real))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("forward %s: %s is taken by another program (address already in use): pick another port, or see who holds it with ss -tlnp 'sport = :%d'", s, s.Real, s.Real.Port())
		}
		return nil, fmt.Errorf("forward %s: listening on %s: %w", s, s.Real, err)
	}
	return &inbound{spec: s, ln: ln, k: k}, nil
}

// acceptLoop takes real clients until the listener closes, and finds
// their programs off the town's goroutine.
func (in *inbound) acceptLoop() {
	for {
		c, err := in.ln.AcceptTCP()
		if err != nil {
			return
		}
		peer := c.RemoteAddr().(*net.TCPAddr).AddrPort()
		peer = netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())
		in.k.accepted <- accepted{in: in, conn: c, owner: ownerOf(peer, in.spec.Real.Port())}
		in.k.wake()
	}
}

func (in *inbound) close() error {
	err := in.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// openInbound makes the town's side of an inbound forward once its host
// exists: the outside plot, linked to the host.
func (k *Kernel) openInbound(in *inbound, addrs []netip.Prefix) {
	if len(addrs) == 0 {
		in.failed = true
		k.note("forward %s: host %s has no address to connect to", in.spec, in.spec.Host)
		return
	}
	if err := k.ensureOutside(in.spec.Host); err != nil {
		in.failed = true
		k.note("forward %s: %v", in.spec, err)
		return
	}
	in.target = netip.AddrPortFrom(addrs[0].Addr(), in.spec.Port)
	in.ready = true
	if k.tun != nil {
		k.note("forward %s: real clients connecting to %s reach %s (%s) through the kernel's own TCP in the namespace %s, whose packets are the outside plot's letters (ip netns exec %s curl http://%s/ talks to the town from there directly)",
			in.spec.Arrow(), in.spec.Real, in.spec.Host, in.target, k.tun.namespace(), k.tun.namespace(), in.target)
	} else {
		k.note("forward %s: real clients connecting to %s reach %s (%s); each program is a house on the plot %q",
			in.spec.Arrow(), in.spec.Real, in.spec.Host, in.target, OutsideHost)
	}
	waiting := k.waiting
	k.waiting = nil
	for _, a := range waiting {
		k.arrive(a)
	}
}

// arrive carries a real client into the town: its program's house on the
// outside plot makes a socket on the client's own port and connects to
// the town's server.
func (k *Kernel) arrive(a accepted) {
	in := a.in
	switch {
	case in.failed:
		a.conn.SetLinger(0)
		a.conn.Close()
		return
	case !in.ready:
		k.waiting = append(k.waiting, a)
		return
	case k.tun != nil:
		go k.tun.connect(k, a)
		return
	}
	p, err := k.process(OutsideHost, a.owner.house())
	if err != nil {
		k.note("forward %s: a house for %s: %v", in.spec.Arrow(), a.owner.house(), err)
		a.conn.SetLinger(0)
		a.conn.Close()
		return
	}
	peer := a.conn.RemoteAddr().(*net.TCPAddr).AddrPort()
	fd, err := k.townSocket(p, peer.Port())
	if err == nil {
		err = p.Connect(fd, in.target)
	}
	if err != nil && !errors.Is(err, sock.ErrInProgress) {
		k.note("forward %s: %s/%s cannot connect: %v", in.spec.Arrow(), OutsideHost, p.Name(), err)
		a.conn.SetLinger(0)
		a.conn.Close()
		return
	}
	s := newSplice(fmt.Sprintf("%s/%s → %s", OutsideHost, p.Name(), in.spec.Host), p, fd, k.wake)
	s.connecting = true
	s.attach(a.conn)
	k.splices = append(k.splices, s)
}

// townSocket makes the outside house's socket, on the real client's port
// when it is free in the town, so its door says the port ss shows.
func (k *Kernel) townSocket(p sock.Proc, port uint16) (int, error) {
	fd, err := p.Socket(sock.SockTCP)
	if err != nil {
		return 0, err
	}
	if err := p.Bind(fd, netip.AddrPortFrom(k.outside.Addr(), port)); err != nil {
		// Taken in the town: the kernel's ephemeral port will do.
		p.Close(fd)
		if fd, err = p.Socket(sock.SockTCP); err != nil {
			return 0, err
		}
	}
	return fd, nil
}

// connectDone finishes an outside house's connect once the town's server
// answered: refused, the real client gets a reset.
func (k *Kernel) connectDone(s *splice) {
	if !s.connecting {
		return
	}
	r := s.p.Readiness(s.fd)
	if r&(sock.PollOut|sock.PollErr|sock.PollHup) == 0 {
		return
	}
	err := s.p.ConnectResult(s.fd)
	if errors.Is(err, sock.ErrInProgress) {
		return
	}
	s.connecting = false
	if err != nil {
		k.note("forward: %s: %v; the real client gets a reset", s.what, err)
		s.resetTown()
	}
}
