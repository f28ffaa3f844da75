//go:build linux

package ossock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// ephemeralFirst is where the simulator starts counting ephemeral ports;
// the OS kernel picks the same ones (by binding them itself), so that a
// scenario line that names a port the simulator chose reaches the same
// socket here.
const (
	ephemeralFirst = 49152
	ephemeralLast  = 65535
	maxFDs         = 1024
)

// townProc is a process of the town: a name, and a table of the scenario's
// fds (3 upward, as the process would see them) over the real ones.
type townProc struct {
	k    *Kernel
	h    *townHost
	name string
	root bool
	fds  map[int]*osSocket
}

var _ sock.Proc = (*townProc)(nil)

// osSocket is one real socket and what the shell knows of it.
type osSocket struct {
	id        uint64
	fd        int // the scenario's fd
	real      int // the kernel's fd, always O_NONBLOCK
	typ       sock.SockType
	nonblock  bool // what the program asked for
	rcvTimeo  int  // SO_RCVTIMEO, milliseconds
	local     netip.AddrPort
	remote    netip.AddrPort
	bound     bool
	connected bool
	state     sock.State // the TCP state last sampled
	unacked   int        // segments in flight, last sampled
	echoSeq   uint16
	shutRd    bool
	shutWr    bool
	ephemeral bool               // the kernel (we, for it) chose the local port
	opts      []sock.OptionValue // what the program set, to set again on a fresh socket
}

// inMotion reports whether the socket is in the middle of something that
// goes on without a call: a handshake, a close, data not yet acknowledged.
func (s *osSocket) inMotion() bool {
	switch s.state {
	case sock.StateSynSent, sock.StateSynReceived, sock.StateFinWait1, sock.StateClosing, sock.StateLastAck:
		return true
	}
	return s.unacked > 0
}

// Name is the process's name.
func (p *townProc) Name() string { return p.name }

func (p *townProc) event(s *osSocket, kind sock.Kind) sock.Event {
	return sock.Event{
		Kind: kind, Host: p.h.name, Proc: p.name, FD: s.fd, Sock: s.typ, Local: s.local, Remote: s.remote,
	}
}

// fail publishes a failed call and returns its error.
func (p *townProc) fail(op string, fd int, errno *sock.Errno, note string) error {
	err := &sock.CallError{Op: op, Errno: errno, Note: note}
	e := sock.Event{Kind: sock.KindError, Host: p.h.name, Proc: p.name, FD: fd, Op: op, Err: err}
	if s := p.fds[fd]; s != nil {
		e = p.event(s, sock.KindError)
		e.Op, e.Err = op, err
	}
	p.k.emit(e)
	return err
}

// failSys publishes a call the kernel refused, with the kernel's errno.
func (p *townProc) failSys(op string, fd int, err error, note string) error {
	var n unix.Errno
	if !errors.As(err, &n) {
		return p.fail(op, fd, sock.ErrInval, err.Error())
	}
	return p.fail(op, fd, sock.ErrnoFromSys(n), note)
}

func (p *townProc) sock(op string, fd int) (*osSocket, error) {
	// Packets seen before the call belong to the sockets as they were.
	p.k.drainPackets()
	if s := p.fds[fd]; s != nil {
		return s, nil
	}
	return nil, p.fail(op, fd, sock.ErrBadFD, fmt.Sprintf("fd %d is not open in %s/%s", fd, p.h.name, p.name))
}

func (p *townProc) allocFD() (int, bool) {
	for fd := 3; fd < maxFDs; fd++ {
		if p.fds[fd] == nil {
			return fd, true
		}
	}
	return 0, false
}

// worker is the thread this process's binds and sockets are made on.
func (p *townProc) worker() *worker {
	if p.root {
		return p.h.rootW
	}
	return p.h.userW
}

// Socket makes a real socket in the host's namespace.
func (p *townProc) Socket(t sock.SockType) (int, error) {
	typ, proto := unix.SOCK_DGRAM, 0
	switch t {
	case sock.SockUDP:
	case sock.SockTCP:
		typ = unix.SOCK_STREAM
	case sock.SockICMP:
		proto = unix.IPPROTO_ICMP
	default:
		return -1, p.fail("socket", -1, sock.ErrProtoNoSupport, fmt.Sprintf("socket type %v", t))
	}
	fd, ok := p.allocFD()
	if !ok {
		return -1, p.fail("socket", -1, sock.ErrMFile, fmt.Sprintf("%s/%s has %d fds open", p.h.name, p.name, maxFDs))
	}
	var real int
	err := p.worker().do(func() error {
		var err error
		real, err = unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
		return err
	})
	if err != nil {
		note := ""
		if t == sock.SockICMP {
			note = "ping sockets need net.ipv4.ping_group_range to include the group"
		}
		return -1, p.failSys("socket", -1, err, note)
	}
	if t != sock.SockTCP {
		// The TTL a datagram arrived with, as the simulator reports it.
		unix.SetsockoptInt(real, unix.IPPROTO_IP, unix.IP_RECVTTL, 1)
	}
	p.k.nextSock++
	s := &osSocket{id: p.k.nextSock, fd: fd, real: real, typ: t}
	if t != sock.SockTCP {
		s.state = sock.StateUnbound
	}
	p.fds[fd] = s
	p.k.emit(p.event(s, sock.KindSocket))
	return fd, nil
}

// Bind binds on the process's own thread, so that a process that is not
// root gets EACCES below port 1024 as it would on its own.
func (p *townProc) Bind(fd int, addr netip.AddrPort) error {
	s, err := p.sock("bind", fd)
	if err != nil {
		return err
	}
	if s.bound {
		return p.fail("bind", fd, sock.ErrInval, fmt.Sprintf("fd %d is already bound to %v", fd, s.local))
	}
	a := addr.Addr().Unmap()
	if !a.Is4() {
		return p.fail("bind", fd, sock.ErrAFNoSupport, fmt.Sprintf("%v is not an IPv4 address", addr.Addr()))
	}
	if !a.IsUnspecified() && p.k.owner(a) != p.h {
		return p.fail("bind", fd, sock.ErrAddrNotAvail, fmt.Sprintf("%v is not an address of host %s", a, p.h.name))
	}
	return p.bind(s, netip.AddrPortFrom(a, addr.Port()), "bind")
}

func (p *townProc) bind(s *osSocket, addr netip.AddrPort, op string) error {
	real := p.realLocal(addr)
	if !p.root && addr.Port() > 0 && addr.Port() < 1024 {
		// Not moved up: the kernel itself refuses a process that is not
		// root a port below 1024.
		real = netip.AddrPortFrom(real.Addr(), addr.Port())
	}
	ephemeral := addr.Port() == 0 && s.typ != sock.SockICMP
	var err error
	if ephemeral {
		err = p.bindEphemeral(s, real)
	} else {
		err = p.worker().do(func() error { return unix.Bind(s.real, sockaddr(real)) })
	}
	if err != nil {
		note := ""
		if errors.Is(err, unix.EACCES) {
			note = fmt.Sprintf("ports below 1024 need a root process; %s/%s is not", p.h.name, p.name)
			if p.root {
				note = "this program may not bind ports below 1024 (CAP_NET_BIND_SERVICE)"
			}
		}
		return p.failSys(op, s.fd, err, note)
	}
	s.bound, s.ephemeral = true, ephemeral
	s.local = netip.AddrPortFrom(addr.Addr(), p.k.addrs.scenario(netip.AddrPortFrom(addr.Addr(), p.localPort(s))).Port())
	if s.typ != sock.SockTCP {
		s.state = sock.StateBound
	}
	e := p.event(s, sock.KindBind)
	if ephemeral {
		e.Reason = "ephemeral port"
	}
	p.k.emit(e)
	return nil
}

// bindEphemeral picks the port the simulator would pick, the first free
// one from where the host's count stands, and lets the kernel say whether
// it is free.
func (p *townProc) bindEphemeral(s *osSocket, real netip.AddrPort) error {
	const span = ephemeralLast - ephemeralFirst + 1
	cur := max(int(p.h.nextEph[s.typ]), ephemeralFirst)
	for i := 0; i < span; i++ {
		port := uint16(ephemeralFirst + (cur-ephemeralFirst+i)%span)
		if p.portHeld(s.typ, port) {
			continue
		}
		err := unix.Bind(s.real, sockaddr(netip.AddrPortFrom(real.Addr(), port)))
		if errors.Is(err, unix.EADDRINUSE) {
			continue
		}
		if err == nil {
			p.h.nextEph[s.typ] = port + 1
		}
		return err
	}
	return unix.EADDRINUSE
}

// rebind puts a fresh socket, with the options the program set, in place
// of s's real one, bound to the next ephemeral port.
func (p *townProc) rebind(s *osSocket, dst netip.AddrPort) error {
	var real int
	err := p.worker().do(func() error {
		var err error
		real, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return err
	}
	unix.Close(s.real)
	s.real = real
	for _, o := range s.opts {
		p.setOpt(s, o.Opt, o.Value)
	}
	old := s.local.Port()
	if err := p.bindEphemeral(s, p.realLocal(netip.AddrPortFrom(s.local.Addr(), 0))); err != nil {
		return err
	}
	s.local = netip.AddrPortFrom(s.local.Addr(), p.k.addrs.scenario(netip.AddrPortFrom(s.local.Addr(), p.localPort(s))).Port())
	e := p.event(s, sock.KindBind)
	e.Reason = fmt.Sprintf("ephemeral port (%d still has a connection to %v in TIME-WAIT)", old, dst)
	p.k.emit(e)
	return nil
}

// portHeld reports whether a socket of the host holds port.
func (p *townProc) portHeld(t sock.SockType, port uint16) bool {
	for _, o := range p.h.procs {
		for _, s := range o.fds {
			if s.typ == t && s.bound && s.local.Port() == port {
				return true
			}
		}
	}
	return false
}

// realLocal is the kernel's address for a local address: on loopback the
// wildcard becomes the host's first address, or hosts would share ports.
func (p *townProc) realLocal(addr netip.AddrPort) netip.AddrPort {
	if p.k.mode == Loopback && addr.Addr().IsUnspecified() {
		addr = netip.AddrPortFrom(p.h.addrs[0].Addr(), addr.Port())
	}
	return p.k.addrs.real(addr)
}

func (p *townProc) localPort(s *osSocket) uint16 {
	sa, err := unix.Getsockname(s.real)
	if err != nil {
		return 0
	}
	return addrPort(sa).Port()
}

func (p *townProc) autobind(s *osSocket, op string) error {
	if s.bound {
		return nil
	}
	return p.bind(s, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), op)
}

// Listen marks a stream socket as passive.
func (p *townProc) Listen(fd, backlog int) error {
	s, err := p.sock("listen", fd)
	if err != nil {
		return err
	}
	if s.typ != sock.SockTCP {
		return p.fail("listen", fd, sock.ErrOpNotSupp, fmt.Sprintf("a %v socket does not listen; only tcp does", s.typ))
	}
	if err := p.autobind(s, "listen"); err != nil {
		return err
	}
	if err := unix.Listen(s.real, backlog); err != nil {
		return p.failSys("listen", fd, err, "")
	}
	p.k.emit(p.event(s, sock.KindListen))
	p.k.sampleSocket(p, s)
	return nil
}

// Accept takes a connection off a listening socket's queue.
func (p *townProc) Accept(fd int) (int, netip.AddrPort, error) {
	s, err := p.sock("accept", fd)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if s.typ != sock.SockTCP {
		return -1, netip.AddrPort{}, p.fail("accept", fd, sock.ErrOpNotSupp, fmt.Sprintf("a %v socket has no connections to accept", s.typ))
	}
	nfd, ok := p.allocFD()
	if !ok {
		return -1, netip.AddrPort{}, p.fail("accept", fd, sock.ErrMFile, fmt.Sprintf("%s/%s has %d fds open", p.h.name, p.name, maxFDs))
	}
	real, sa, err := unix.Accept4(s.real, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	if err != nil {
		return -1, netip.AddrPort{}, p.failSys("accept", fd, err, "")
	}
	p.k.nextSock++
	child := &osSocket{
		id: p.k.nextSock, fd: nfd, real: real, typ: sock.SockTCP, bound: true, connected: true,
		remote: p.k.addrs.scenario(addrPort(sa)),
	}
	if lsa, err := unix.Getsockname(real); err == nil {
		child.local = p.k.addrs.scenario(addrPort(lsa))
	}
	p.fds[nfd] = child
	e := p.event(child, sock.KindAccept)
	e.Reason = fmt.Sprintf("from listening fd %d", fd)
	p.k.emit(e)
	p.k.sampleSocket(p, child)
	return nfd, child.remote, nil
}

// Connect starts a TCP handshake or sets a datagram socket's peer. An
// unbound socket is bound first to the port the simulator would choose.
func (p *townProc) Connect(fd int, addr netip.AddrPort) error {
	s, err := p.sock("connect", fd)
	if err != nil {
		return err
	}
	a := addr.Addr().Unmap()
	if !a.Is4() {
		return p.fail("connect", fd, sock.ErrAFNoSupport, fmt.Sprintf("%v is not an IPv4 address", addr.Addr()))
	}
	dst := netip.AddrPortFrom(a, addr.Port())
	if errno := p.k.reach(p.h, a); errno != nil {
		return p.fail("connect", fd, errno, fmt.Sprintf("host %s has no route to %v", p.h.name, a))
	}
	if s.typ == sock.SockTCP && s.state == sock.StateSynSent {
		return p.fail("connect", fd, sock.ErrAlready, "the connection is still being set up")
	}
	if err := p.autobind(s, "connect"); err != nil {
		return err
	}
	cerr := unix.Connect(s.real, sockaddr(p.k.addrs.real(dst)))
	for tries := 0; s.typ == sock.SockTCP && s.ephemeral && (errors.Is(cerr, unix.EADDRNOTAVAIL) || errors.Is(cerr, unix.EADDRINUSE)) && tries < 16; tries++ {
		// The port we chose for the kernel still has a connection to dst
		// in TIME-WAIT, which the kernel's own choice would have passed
		// over: take the next one.
		if err := p.rebind(s, dst); err != nil {
			return p.failSys("connect", fd, err, "")
		}
		cerr = unix.Connect(s.real, sockaddr(p.k.addrs.real(dst)))
	}
	if cerr != nil && !errors.Is(cerr, unix.EINPROGRESS) {
		return p.failSys("connect", fd, cerr, "")
	}
	if lsa, err := unix.Getsockname(s.real); err == nil {
		s.local = p.k.addrs.scenario(addrPort(lsa))
	}
	s.remote, s.connected = dst, true
	if s.typ != sock.SockTCP {
		s.state = sock.StateConnected
	}
	p.k.emit(p.event(s, sock.KindConnect))
	if s.typ != sock.SockTCP {
		return nil
	}
	p.k.sampleSocket(p, s)
	if cerr != nil {
		return &sock.CallError{Op: "connect", Errno: sock.ErrInProgress, Note: "the SYN is on its way"}
	}
	return nil
}

// ConnectResult is what a blocking connect returns once the socket is
// writable or failed.
func (p *townProc) ConnectResult(fd int) error {
	s := p.fds[fd]
	if s == nil {
		return &sock.CallError{Op: "connect", Errno: sock.ErrBadFD}
	}
	p.k.sampleSocket(p, s)
	if n, err := unix.GetsockoptInt(s.real, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && n != 0 {
		return p.fail("connect", fd, sock.ErrnoFromSys(unix.Errno(n)), "")
	}
	if s.state == sock.StateSynSent {
		return &sock.CallError{Op: "connect", Errno: sock.ErrInProgress}
	}
	return nil
}

// Send writes to a connected socket.
func (p *townProc) Send(fd int, data []byte) (int, error) {
	return p.sendTo("send", fd, data, netip.AddrPort{})
}

// SendTo sends a datagram to addr (or writes to a stream, whose peer is
// fixed). A ping socket's data gets an ICMP echo header in front.
func (p *townProc) SendTo(fd int, data []byte, addr netip.AddrPort) (int, error) {
	return p.sendTo("sendto", fd, data, addr)
}

func (p *townProc) sendTo(op string, fd int, data []byte, addr netip.AddrPort) (int, error) {
	s, err := p.sock(op, fd)
	if err != nil {
		return -1, err
	}
	if s.typ == sock.SockTCP {
		addr = netip.AddrPort{}
	}
	if addr.IsValid() {
		addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
		if errno := p.k.reach(p.h, addr.Addr()); errno != nil {
			return -1, p.fail(op, fd, errno, fmt.Sprintf("host %s has no route to %v", p.h.name, addr.Addr()))
		}
	} else if s.typ != sock.SockTCP && !s.connected {
		return -1, p.fail(op, fd, sock.ErrDestAddrReq, "the socket is not connected; use sendto with an address")
	}
	if s.typ != sock.SockTCP && !s.bound && s.typ != sock.SockICMP {
		if err := p.autobind(s, op); err != nil {
			return -1, err
		}
	}
	payload := data
	if s.typ == sock.SockICMP {
		s.echoSeq++
		payload = append([]byte{8, 0, 0, 0, 0, 0, byte(s.echoSeq >> 8), byte(s.echoSeq)}, data...)
	}
	var n int
	if addr.IsValid() {
		err = unix.Sendto(s.real, payload, unix.MSG_NOSIGNAL, sockaddr(p.k.addrs.real(addr)))
		n = len(payload)
	} else {
		n, err = unix.SendmsgN(s.real, payload, nil, nil, unix.MSG_NOSIGNAL)
	}
	if err != nil {
		return -1, p.failSys(op, fd, err, "")
	}
	if s.typ == sock.SockICMP {
		n -= 8
		if !s.bound {
			s.bound = true
			s.local = netip.AddrPortFrom(netip.IPv4Unspecified(), p.localPort(s))
		}
	}
	e := p.event(s, sock.KindData)
	e.Op, e.Len = "write", n
	if addr.IsValid() {
		e.Remote = addr
	}
	p.k.emit(e)
	p.k.sampleSocket(p, s)
	return n, nil
}

// Recv reads at most n bytes.
func (p *townProc) Recv(fd, n int) ([]byte, error) {
	dg, err := p.recvFrom("recv", fd, n)
	return dg.Data, err
}

// RecvFrom reads one datagram (or up to n bytes of a stream), with the
// sender's address and the TTL it arrived with.
func (p *townProc) RecvFrom(fd, n int) (sock.Datagram, error) {
	return p.recvFrom("recvfrom", fd, n)
}

func (p *townProc) recvFrom(op string, fd, n int) (sock.Datagram, error) {
	s, err := p.sock(op, fd)
	if err != nil {
		return sock.Datagram{}, err
	}
	if n < 0 {
		return sock.Datagram{}, p.fail(op, fd, sock.ErrInval, "negative length")
	}
	buf := make([]byte, n)
	oob := make([]byte, unix.CmsgSpace(4))
	flags := 0
	if s.typ != sock.SockTCP {
		flags = unix.MSG_TRUNC
	}
	got, oobn, _, from, err := unix.Recvmsg(s.real, buf, oob, flags)
	if err != nil {
		note := ""
		if errors.Is(err, unix.EAGAIN) {
			note = "nothing is waiting to be read"
		}
		return sock.Datagram{}, p.failSys(op, fd, err, note)
	}
	dg := sock.Datagram{Data: buf[:min(got, n)], Len: got}
	if s.typ == sock.SockTCP {
		dg.From, dg.Len = s.remote, len(dg.Data)
	} else {
		dg.From = p.k.addrs.scenario(addrPort(from))
		dg.TTL = recvTTL(oob[:oobn])
	}
	e := p.event(s, sock.KindData)
	e.Op, e.Len = "read", len(dg.Data)
	if s.typ != sock.SockTCP {
		e.Remote = dg.From
	}
	p.k.emit(e)
	p.k.sampleSocket(p, s)
	return dg, nil
}

func recvTTL(oob []byte) uint8 {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_TTL && len(m.Data) >= 1 {
			return m.Data[0]
		}
	}
	return 0
}

// Read is read(2) into b.
func (p *townProc) Read(fd int, b []byte) (int, error) {
	s, err := p.sock("read", fd)
	if err != nil {
		return -1, err
	}
	n, err := unix.Read(s.real, b)
	if err != nil {
		return -1, p.failSys("read", fd, err, "")
	}
	e := p.event(s, sock.KindData)
	e.Op, e.Len = "read", n
	p.k.emit(e)
	return n, nil
}

// Shutdown closes one or both directions.
func (p *townProc) Shutdown(fd int, how sock.ShutdownHow) error {
	s, err := p.sock("shutdown", fd)
	if err != nil {
		return err
	}
	if how > sock.ShutRdWr {
		return p.fail("shutdown", fd, sock.ErrInval, "how must be rd, wr or rdwr")
	}
	serr := unix.Shutdown(s.real, [...]int{unix.SHUT_RD, unix.SHUT_WR, unix.SHUT_RDWR}[how])
	if serr != nil && !(errors.Is(serr, unix.ENOTCONN) && s.typ != sock.SockTCP) {
		return p.failSys("shutdown", fd, serr, "")
	}
	s.shutRd = s.shutRd || how != sock.ShutWr
	s.shutWr = s.shutWr || how != sock.ShutRd
	e := p.event(s, sock.KindShutdown)
	e.Op = how.String()
	p.k.emit(e)
	p.k.sampleSocket(p, s)
	if serr != nil {
		return p.failSys("shutdown", fd, serr, "the socket is not connected (it is shut all the same)")
	}
	return nil
}

// Close closes the real socket; a TCP connection finishes in the kernel.
func (p *townProc) Close(fd int) error {
	s, err := p.sock("close", fd)
	if err != nil {
		return err
	}
	var o *orphan
	if s.typ == sock.SockTCP {
		o = p.k.adopt(p, s) // read while the fd still names the socket
	}
	delete(p.fds, fd)
	unix.Close(s.real)
	p.k.emit(p.event(s, sock.KindClose))
	if o != nil && !o.realR.IsValid() {
		// A listener or a connect that never finished ends here; as the
		// simulator publishes it, after the close and with no fd.
		p.k.sampleOrphan(o, nil)
		p.k.orphans = slices.DeleteFunc(p.k.orphans, func(x *orphan) bool { return x == o })
	}
	return nil
}

// SetNonblock sets what the program asked for; the real fd never blocks.
func (p *townProc) SetNonblock(fd int, on bool) error {
	s, err := p.sock("fcntl", fd)
	if err != nil {
		return err
	}
	s.nonblock = on
	return nil
}

// Nonblock reports O_NONBLOCK as the program set it.
func (p *townProc) Nonblock(fd int) (bool, error) {
	s, err := p.sock("fcntl", fd)
	if err != nil {
		return false, err
	}
	return s.nonblock, nil
}

// Poll asks the kernel what each fd is ready for, without waiting.
func (p *townProc) Poll(fds []sock.PollFD) int {
	n := 0
	for i := range fds {
		fds[i].Revents = p.Readiness(fds[i].FD) & (fds[i].Events | sock.PollErr | sock.PollHup | sock.PollNval)
		if fds[i].Revents != 0 {
			n++
		}
	}
	p.k.emit(sock.Event{Kind: sock.KindPoll, Host: p.h.name, Proc: p.name, Ready: append([]sock.PollFD(nil), fds...), Len: n})
	return n
}

// Readiness is poll(2) with no timeout on the real fd.
func (p *townProc) Readiness(fd int) sock.PollEvents {
	s := p.fds[fd]
	if s == nil {
		return sock.PollNval
	}
	pfd := []unix.PollFd{{Fd: int32(s.real), Events: unix.POLLIN | unix.POLLPRI | unix.POLLOUT}}
	if _, err := unix.Poll(pfd, 0); err != nil {
		return 0
	}
	return sock.PollEvents(pfd[0].Revents) & (sock.PollIn | sock.PollPri | sock.PollOut | sock.PollErr | sock.PollHup | sock.PollNval)
}

// RecvTimeout is SO_RCVTIMEO as the program set it.
func (p *townProc) RecvTimeout(fd int) time.Duration {
	if s := p.fds[fd]; s != nil {
		return time.Duration(s.rcvTimeo) * time.Millisecond
	}
	return 0
}

// SockName is getsockname(2), in the scenario's addresses.
func (p *townProc) SockName(fd int) (netip.AddrPort, error) {
	s, err := p.sock("getsockname", fd)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return s.local, nil
}

// PeerName is getpeername(2), in the scenario's addresses.
func (p *townProc) PeerName(fd int) (netip.AddrPort, error) {
	s, err := p.sock("getpeername", fd)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if !s.connected {
		return netip.AddrPort{}, p.fail("getpeername", fd, sock.ErrNotConn, "")
	}
	return s.remote, nil
}

// Type is the socket's type.
func (p *townProc) Type(fd int) (sock.SockType, error) {
	s, err := p.sock("getsockopt", fd)
	if err != nil {
		return sock.SockUnknown, err
	}
	return s.typ, nil
}

// Unread is FIONREAD.
func (p *townProc) Unread(fd int) int {
	s := p.fds[fd]
	if s == nil {
		return 0
	}
	n, err := unix.IoctlGetInt(s.real, unix.SIOCINQ)
	if err != nil {
		return 0
	}
	return n
}

// Unacked is SIOCOUTQ: bytes written and not yet acknowledged.
func (p *townProc) Unacked(fd int) int {
	s := p.fds[fd]
	if s == nil || s.typ != sock.SockTCP {
		return 0
	}
	n, err := unix.IoctlGetInt(s.real, unix.SIOCOUTQ)
	if err != nil {
		return 0
	}
	return n
}

// RecvErr reads the oldest error of the socket's error queue, which the
// kernel fills while IP_RECVERR is on: recvmsg(MSG_ERRQUEUE), whose
// IP_RECVERR control message is a struct sock_extended_err (errno, origin:
// an ICMP message or the sender's own kernel, ICMP type and code, info) followed by the offender's address
// (SO_EE_OFFENDER), whose name is where the packet was going, and whose
// data is the start of that packet's payload. EAGAIN when the queue is
// empty. It never blocks and, like the simulator's, publishes nothing.
func (p *townProc) RecvErr(fd int) (sock.ExtendedErr, error) {
	s := p.fds[fd]
	if s == nil {
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: %w", fd, sock.ErrBadFD)
	}
	buf := make([]byte, 576)
	oob := make([]byte, 512)
	n, oobn, _, to, err := unix.Recvmsg(s.real, buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if errors.Is(err, unix.EAGAIN) {
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: no error is queued: %w", fd, sock.ErrAgain)
	}
	if err != nil {
		var errno unix.Errno
		if errors.As(err, &errno) {
			return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: %w", fd, sock.ErrnoFromSys(errno))
		}
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: %v: %w", fd, err, sock.ErrInval)
	}
	ee, ok := parseExtendedErr(oob[:oobn])
	if !ok {
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: the kernel's answer has no sock_extended_err: %w", fd, sock.ErrInval)
	}
	ee.Data = buf[:n]
	if to != nil {
		ee.Dst = p.k.addrs.scenario(addrPort(to))
	}
	if ee.Offender.IsValid() {
		ee.Offender = p.k.addrs.scenario(netip.AddrPortFrom(ee.Offender, 0)).Addr()
	}
	return ee, nil
}

// The layout of struct sock_extended_err (<linux/errqueue.h>).
const (
	eeErrno     = 0
	eeOrigin    = 4
	eeType      = 5
	eeCode      = 6
	eeInfo      = 8
	eeLen       = 16 // the offender's sockaddr follows
	originLocal = 1  // SO_EE_ORIGIN_LOCAL
	originICMP  = 2  // SO_EE_ORIGIN_ICMP
)

// parseExtendedErr finds the IP_RECVERR control message and reads it.
func parseExtendedErr(oob []byte) (sock.ExtendedErr, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return sock.ExtendedErr{}, false
	}
	for _, m := range msgs {
		if m.Header.Level != unix.IPPROTO_IP || m.Header.Type != unix.IP_RECVERR || len(m.Data) < eeLen {
			continue
		}
		d := m.Data
		ee := sock.ExtendedErr{
			Err:  sock.ErrnoFromSys(unix.Errno(binary.NativeEndian.Uint32(d[eeErrno:]))),
			Info: binary.NativeEndian.Uint32(d[eeInfo:]),
		}
		switch d[eeOrigin] {
		case originICMP:
			ee.Type, ee.Code = d[eeType], d[eeCode]
		case originLocal:
			ee.Local = true // EMSGSIZE with the MTU in Info, say
		}
		// SO_EE_OFFENDER: a sockaddr_in right after the struct; family
		// AF_UNSPEC when the kernel knows no offender.
		if off := d[eeLen:]; len(off) >= 8 && binary.NativeEndian.Uint16(off) == unix.AF_INET {
			ee.Offender = netip.AddrFrom4([4]byte(off[4:8]))
		}
		return ee, true
	}
	return sock.ExtendedErr{}, false
}
