package netsim

import (
	"fmt"
	"net/netip"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// This file is the socket API, one method per BSD call. Calls never block: a
// call that would block returns ErrAgain and the driver waits for readiness.
// Every call publishes what it did (or an error event) before returning.

// Socket creates a socket of type t and returns the lowest free fd (3 upward).
func (p *Process) Socket(t sock.SockType) (int, error) {
	switch t {
	case sock.SockUDP, sock.SockICMP, sock.SockTCP:
	default:
		return -1, p.fail("socket", -1, sock.ErrProtoNoSupport, fmt.Sprintf("socket type %v", t))
	}
	fd, ok := p.allocFD()
	if !ok {
		return -1, p.fail("socket", -1, sock.ErrMFile, fmt.Sprintf("%s/%s has %d fds open", p.host.name, p.name, maxFDs))
	}
	w := p.host.w
	w.nextSock++
	s := &Socket{
		id: w.nextSock, proc: p, fd: fd, typ: t,
		opts: sockOpts{rcvBuf: defaultRcvBuf, sndBuf: defaultSndBuf, ttl: defaultTTL, pmtuDisc: sock.PMTUDiscWant},
	}
	if t == sock.SockTCP {
		s.opts.rcvBuf, s.opts.sndBuf = defaultTCPRcvBuf, defaultTCPSndBuf
		s.tcp = newTCB(s)
	}
	p.fds[fd] = s
	e := s.event(sock.KindSocket)
	w.emit(e)
	return fd, nil
}

// Bind gives socket fd the local address addr. Port 0 picks an ephemeral port.
func (p *Process) Bind(fd int, addr netip.AddrPort) error {
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
	if !a.IsUnspecified() && !p.host.hasAddr(a) {
		return p.fail("bind", fd, sock.ErrAddrNotAvail, fmt.Sprintf("%v is not an address of host %s", a, p.host.name))
	}
	return p.bind(s, netip.AddrPortFrom(a, addr.Port()), "bind")
}

func (p *Process) bind(s *Socket, addr netip.AddrPort, op string) error {
	h := p.host
	port := addr.Port()
	if port == 0 {
		var ok bool
		if port, ok = h.ports.ephemeral(s.typ); !ok {
			return p.fail(op, s.fd, sock.ErrAddrInUse, "every ephemeral port is in use")
		}
		s.ephemeral = true
	} else {
		if port < 1024 && !p.root && s.typ != sock.SockICMP {
			return p.fail(op, s.fd, sock.ErrAccess, fmt.Sprintf("ports below 1024 need a root process; %s/%s is not", h.name, p.name))
		}
		if o := h.ports.conflict(s, addr); o != nil {
			return p.fail(op, s.fd, sock.ErrAddrInUse, fmt.Sprintf("%v is held by %s", o.local, o.holder()))
		}
	}
	s.local = netip.AddrPortFrom(addr.Addr(), port)
	s.bound = true
	h.ports.add(s)
	e := s.event(sock.KindBind)
	if s.ephemeral {
		e.Reason = "ephemeral port"
	}
	h.w.emit(e)
	return nil
}

func (p *Process) autobind(s *Socket, op string) error {
	if s.bound {
		return nil
	}
	return p.bind(s, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), op)
}

// Listen marks a stream socket as passive. Datagram sockets cannot listen.
func (p *Process) Listen(fd, backlog int) error {
	s, err := p.sock("listen", fd)
	if err != nil {
		return err
	}
	if s.typ == sock.SockTCP {
		return p.listenTCP(s, backlog)
	}
	return p.fail("listen", s.fd, sock.ErrOpNotSupp, fmt.Sprintf("a %v socket does not listen; only tcp does", s.typ))
}

// Accept takes a connection off a listening socket's queue.
func (p *Process) Accept(fd int) (int, netip.AddrPort, error) {
	s, err := p.sock("accept", fd)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if s.typ == sock.SockTCP {
		return p.acceptTCP(s)
	}
	return -1, netip.AddrPort{}, p.fail("accept", s.fd, sock.ErrOpNotSupp, fmt.Sprintf("a %v socket has no connections to accept", s.typ))
}

// Connect sets a datagram socket's default peer: sends without an address go
// there and only its datagrams are received. As on Linux, connecting binds
// an unbound socket and fixes its local address to the route's source.
func (p *Process) Connect(fd int, addr netip.AddrPort) error {
	s, err := p.sock("connect", fd)
	if err != nil {
		return err
	}
	a := addr.Addr().Unmap()
	if !a.Is4() {
		return p.fail("connect", fd, sock.ErrAFNoSupport, fmt.Sprintf("%v is not an IPv4 address", addr.Addr()))
	}
	if s.typ == sock.SockTCP {
		return p.connectTCP(s, netip.AddrPortFrom(a, addr.Port()))
	}
	d, errno := p.host.lookup(a)
	if errno != nil {
		return p.fail("connect", fd, errno, fmt.Sprintf("host %s has no route to %v", p.host.name, a))
	}
	if err := p.autobind(s, "connect"); err != nil {
		return err
	}
	if s.local.Addr().IsUnspecified() {
		s.local = netip.AddrPortFrom(p.host.sourceFor(a, d), s.local.Port())
	}
	s.remote = netip.AddrPortFrom(a, addr.Port())
	s.connected = true
	s.soErr = nil
	e := s.event(sock.KindConnect)
	p.host.w.emit(e)
	return nil
}

// Send sends data to the connected peer.
func (p *Process) Send(fd int, data []byte) (int, error) {
	return p.sendTo("send", fd, data, netip.AddrPort{})
}

// SendTo sends one datagram to addr (or to the connected peer if addr is the
// zero value). A datagram bigger than the path MTU leaves in fragments, or
// gets EMSGSIZE with IP_MTU_DISCOVER DO, as on Linux.
func (p *Process) SendTo(fd int, data []byte, addr netip.AddrPort) (int, error) {
	return p.sendTo("sendto", fd, data, addr)
}

func (p *Process) sendTo(op string, fd int, data []byte, addr netip.AddrPort) (int, error) {
	s, err := p.sock(op, fd)
	if err != nil {
		return -1, err
	}
	if s.typ == sock.SockTCP {
		return p.sendTCP(op, s, data) // a stream has one peer: sendto's address is ignored, as on Linux
	}
	if s.shutWr {
		return -1, p.fail(op, fd, sock.ErrPipe, "the socket's sending side is shut down")
	}
	if errno := s.takeError(); errno != nil {
		return -1, p.fail(op, fd, errno, "reported by an earlier ICMP error")
	}
	dst := addr
	if !dst.IsValid() {
		if !s.connected {
			return -1, p.fail(op, fd, sock.ErrDestAddrReq, "the socket is not connected; use sendto with an address")
		}
		dst = s.remote
	}
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	switch {
	case !dst.Addr().Is4():
		return -1, p.fail(op, fd, sock.ErrAFNoSupport, fmt.Sprintf("%v is not an IPv4 address", dst.Addr()))
	case s.typ == sock.SockUDP && dst.Port() == 0:
		return -1, p.fail(op, fd, sock.ErrInval, "port 0 cannot be a destination")
	case len(data) > wire.UDPMaxPayload:
		return -1, p.fail(op, fd, sock.ErrMsgSize, fmt.Sprintf("%d bytes; a datagram holds at most %d", len(data), wire.UDPMaxPayload))
	}
	if p.host.isBroadcast(dst.Addr()) {
		if !s.opts.broadcast {
			// As Linux's ip_route_output refusal for a broadcast route
			// without SO_BROADCAST (ping asks "Do you want to ping
			// broadcast? Then -b").
			return -1, p.fail(op, fd, sock.ErrAccess, fmt.Sprintf("%v is a broadcast address: sending to it needs SO_BROADCAST", dst.Addr()))
		}
		return -1, p.fail(op, fd, sock.ErrOpNotSupp, fmt.Sprintf("%v is a broadcast address, and the simulator does not deliver broadcasts yet", dst.Addr()))
	}
	d, errno := p.host.lookup(dst.Addr())
	if errno != nil {
		return -1, p.fail(op, fd, errno, fmt.Sprintf("host %s has no route to %v", p.host.name, dst.Addr()))
	}
	total := wire.IPv4MinHeaderLen + wire.UDPHeaderLen + len(data)
	df, err := s.dontFragment(op, total, dst, d)
	if err != nil {
		return -1, err
	}
	// Linux binds before it checks the size; the core checks first so that
	// a refused send leaves the socket as it was.
	if err := p.autobind(s, op); err != nil {
		return -1, err
	}
	src := s.local.Addr()
	if src.IsUnspecified() {
		src = p.host.sourceFor(dst.Addr(), d)
	}
	pkt, err := s.buildDatagram(src, dst, data, df)
	if err != nil {
		return -1, p.fail(op, fd, sock.ErrInval, err.Error())
	}
	e := s.event(sock.KindData)
	e.Op, e.Len, e.Remote = "write", len(data), dst
	p.host.w.emit(e)
	p.host.output(pkt, d, nil, "")
	return len(data), nil
}

// dontFragment decides, as Linux's __ip_make_skb does by IP_MTU_DISCOVER,
// whether a datagram of total bytes towards dst goes with DF: DO and
// PROBE always (and a datagram above the path MTU, or PROBE's interface
// MTU, is EMSGSIZE); WANT when it fits the path MTU (a bigger one leaves in
// fragments); DONT never.
func (s *Socket) dontFragment(op string, total int, to netip.AddrPort, nh nextHop) (bool, error) {
	p := s.proc
	dst := to.Addr()
	mtu, _ := p.host.pathMTU(dst)
	pmtu, known := p.host.cachedPMTU(dst)
	switch s.opts.pmtuDisc {
	case sock.PMTUDiscDont:
		return false, nil
	case sock.PMTUDiscProbe:
		mtu = nh.mtu()
		fallthrough
	case sock.PMTUDiscDo:
		if total > mtu {
			s.queueLocalError(sock.ErrMsgSize, to, uint32(mtu))
			return false, p.fail(op, s.fd, sock.ErrMsgSize, fmt.Sprintf("%d-byte packet with DF (IP_MTU_DISCOVER %s); the MTU towards %v is %d: at most %d bytes of data",
				total, pmtuDiscName(s.opts.pmtuDisc), dst, mtu, mtu-wire.IPv4MinHeaderLen-wire.UDPHeaderLen))
		}
		return true, nil
	}
	return total <= mtu && !(known && pmtu.locked), nil
}

func pmtuDiscName(v int) string {
	return [...]string{"DONT", "WANT", "DO", "PROBE"}[v&3]
}

// buildDatagram makes the packet for one datagram of a UDP or ping socket.
func (s *Socket) buildDatagram(src netip.Addr, dst netip.AddrPort, data []byte, df bool) ([]byte, error) {
	h := s.proc.host
	proto, hl := wire.ProtocolUDP, wire.UDPHeaderLen
	if s.typ == sock.SockICMP {
		proto, hl = wire.ProtocolICMP, wire.ICMPv4HeaderLen
	}
	pkt, ip, err := newPacket(proto, src, dst.Addr(), s.opts.ttl, df, h.nextID(), hl+len(data))
	if err != nil {
		return nil, err
	}
	seg := pkt[ip.Len():]
	copy(seg[hl:], data)
	if s.typ == sock.SockICMP {
		s.echoSeq++
		return pkt, wire.ICMPv4Header{Type: wire.ICMPv4EchoRequest, Rest: wire.EchoRest(s.local.Port(), s.echoSeq)}.Encode(seg)
	}
	return pkt, wire.UDPHeader{SrcPort: s.local.Port(), DstPort: dst.Port()}.Encode(seg, src, dst.Addr())
}

// Recv reads one datagram's data, at most n bytes of it.
func (p *Process) Recv(fd, n int) ([]byte, error) {
	dg, err := p.recvFrom("recv", fd, n)
	return dg.Data, err
}

// RecvFrom reads one datagram, at most n bytes of it; the rest of a longer
// datagram is discarded, as for UDP on Linux. After the receiving side is
// shut down and the queue is empty it returns an empty datagram (end of file).
// A ping socket returns the whole ICMP echo reply, header included, as Linux does.
func (p *Process) RecvFrom(fd, n int) (sock.Datagram, error) {
	return p.recvFrom("recvfrom", fd, n)
}

func (p *Process) recvFrom(op string, fd, n int) (sock.Datagram, error) {
	s, err := p.sock(op, fd)
	if err != nil {
		return sock.Datagram{}, err
	}
	if n < 0 {
		return sock.Datagram{}, p.fail(op, fd, sock.ErrInval, "negative length")
	}
	if s.typ == sock.SockTCP {
		data, err := p.recvTCP(op, s, n)
		return sock.Datagram{From: s.remote, Data: data, Len: len(data)}, err
	}
	if errno := s.takeError(); errno != nil {
		return sock.Datagram{}, p.fail(op, fd, errno, "reported by an ICMP error")
	}
	dg, ok := s.popDatagram()
	if !ok {
		if s.shutRd {
			return sock.Datagram{}, nil
		}
		return sock.Datagram{}, p.fail(op, fd, sock.ErrAgain, "no datagram is waiting")
	}
	dg.Data = append([]byte(nil), dg.Data[:min(n, len(dg.Data))]...)
	e := s.event(sock.KindData)
	e.Op, e.Len, e.Remote = "read", len(dg.Data), dg.From
	p.host.w.emit(e)
	return dg, nil
}

func (s *Socket) takeError() *sock.Errno {
	errno := s.soErr
	s.soErr = nil
	return errno
}

// Shutdown closes one or both directions of a socket. As on Linux, a
// datagram socket that is not connected reports ENOTCONN but is shut anyway.
func (p *Process) Shutdown(fd int, how sock.ShutdownHow) error {
	s, err := p.sock("shutdown", fd)
	if err != nil {
		return err
	}
	if how > sock.ShutRdWr {
		return p.fail("shutdown", fd, sock.ErrInval, "how must be rd, wr or rdwr")
	}
	if s.typ == sock.SockTCP {
		return p.shutdownTCP(s, how)
	}
	s.shutRd = s.shutRd || how != sock.ShutWr
	s.shutWr = s.shutWr || how != sock.ShutRd
	e := s.event(sock.KindShutdown)
	e.Op = how.String()
	p.host.w.emit(e)
	if !s.connected {
		return p.fail("shutdown", fd, sock.ErrNotConn, "the socket is not connected (it is shut all the same, as on Linux)")
	}
	return nil
}

// Close releases fd and its socket; queued datagrams are discarded.
func (p *Process) Close(fd int) error {
	s, err := p.sock("close", fd)
	if err != nil {
		return err
	}
	e := s.event(sock.KindClose)
	p.fds[fd] = nil
	if s.typ == sock.SockTCP {
		p.host.w.emit(e)
		s.fd = 0
		p.closeTCP(s)
		return nil
	}
	if s.bound {
		p.host.ports.remove(s)
	}
	s.rq, s.rqHead, s.rqBytes = nil, 0, 0
	p.host.w.emit(e)
	return nil
}

// SetNonblock sets or clears O_NONBLOCK. The core itself never blocks; the
// flag tells drivers whether to wait when a call returns EAGAIN.
func (p *Process) SetNonblock(fd int, on bool) error {
	s, err := p.sock("fcntl", fd)
	if err != nil {
		return err
	}
	s.nonblock = on
	return nil
}

// Nonblock reports whether fd is in non-blocking mode. Like Readiness it is
// a driver's query and publishes nothing.
func (p *Process) Nonblock(fd int) (bool, error) {
	s := p.lookupFD(fd)
	if s == nil {
		return false, callErr("fcntl", sock.ErrBadFD, fmt.Sprintf("fd %d is not open", fd))
	}
	return s.nonblock, nil
}

// SockName returns the socket's local address (getsockname).
func (p *Process) SockName(fd int) (netip.AddrPort, error) {
	s, err := p.sock("getsockname", fd)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if !s.bound {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), 0), nil
	}
	return s.local, nil
}

// PeerName returns the connected peer's address (getpeername).
func (p *Process) PeerName(fd int) (netip.AddrPort, error) {
	s, err := p.sock("getpeername", fd)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if !s.connected {
		return netip.AddrPort{}, p.fail("getpeername", fd, sock.ErrNotConn, "the socket has no peer")
	}
	return s.remote, nil
}

// Type returns the type of socket fd. It publishes nothing.
func (p *Process) Type(fd int) (sock.SockType, error) {
	s := p.lookupFD(fd)
	if s == nil {
		return sock.SockUnknown, callErr("getsockopt", sock.ErrBadFD, fmt.Sprintf("fd %d is not open", fd))
	}
	return s.typ, nil
}

// RecvErr takes the oldest error from fd's error queue (recvmsg with
// MSG_ERRQUEUE); EAGAIN when there is none. It publishes nothing.
func (p *Process) RecvErr(fd int) (sock.ExtendedErr, error) {
	s := p.lookupFD(fd)
	if s == nil {
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: %w", fd, sock.ErrBadFD)
	}
	if len(s.errQueue) == 0 {
		return sock.ExtendedErr{}, fmt.Errorf("recverr: fd %d: no error is queued: %w", fd, sock.ErrAgain)
	}
	ee := s.errQueue[0]
	s.errQueue = s.errQueue[1:]
	// As Linux's sock_dequeue_err_skb: the pending error becomes the next
	// queued one's, or none.
	s.soErr = nil
	if len(s.errQueue) > 0 {
		s.soErr = s.errQueue[0].Err
	}
	return ee, nil
}
