package netsim

import (
	"fmt"
	"net/netip"
	"slices"

	"socketville/shared/sock"
)

// This file is what the socket calls do with a TCP socket. As everywhere in
// the core, nothing blocks: connect returns EINPROGRESS and the driver waits
// for POLLOUT, then asks ConnectResult; reads and writes return EAGAIN.

// listenTCP makes s a listening socket (RFC 9293 section 3.10.1, passive
// OPEN). As on Linux, an unbound socket gets an ephemeral port, the backlog
// is capped at somaxconn, and calling listen again only changes the backlog.
func (p *Process) listenTCP(s *Socket, backlog int) error {
	c := s.tcp
	switch {
	case c.state == stateListen:
		c.backlog = clampBacklog(backlog)
		return nil
	case c.state != stateClosed || c.everConnected:
		return p.fail("listen", s.fd, sock.ErrInval, fmt.Sprintf("fd %d is %v; only a fresh socket can listen", s.fd, c.state))
	}
	if err := p.autobind(s, "listen"); err != nil {
		return err
	}
	if o := p.host.ports.listenConflict(s); o != nil {
		return p.fail("listen", s.fd, sock.ErrAddrInUse, fmt.Sprintf("%s already listens on port %d", o.holder(), s.local.Port()))
	}
	c.backlog = clampBacklog(backlog)
	p.host.w.emit(s.event(sock.KindListen))
	c.setState(stateListen)
	return nil
}

// clampBacklog treats the backlog as Linux does: an unsigned number capped
// at net.core.somaxconn.
func clampBacklog(n int) int {
	if n < 0 || n > somaxconn {
		return somaxconn
	}
	return n
}

// acceptTCP takes the oldest established connection off the accept queue
// and gives it the lowest free fd.
func (p *Process) acceptTCP(s *Socket) (int, netip.AddrPort, error) {
	c := s.tcp
	if c.state != stateListen {
		return -1, netip.AddrPort{}, p.fail("accept", s.fd, sock.ErrInval, fmt.Sprintf("fd %d is not listening", s.fd))
	}
	if len(c.acceptQ) == 0 {
		return -1, netip.AddrPort{}, p.fail("accept", s.fd, sock.ErrAgain, "no connection is waiting")
	}
	fd, ok := p.allocFD()
	if !ok {
		return -1, netip.AddrPort{}, p.fail("accept", s.fd, sock.ErrMFile, fmt.Sprintf("%s/%s has %d fds open", p.host.name, p.name, maxFDs))
	}
	child := c.acceptQ[0]
	c.acceptQ = slices.Delete(c.acceptQ, 0, 1)
	child.tcp.listener = nil
	child.proc, child.fd = p, fd
	p.fds[fd] = child
	e := child.event(sock.KindAccept)
	e.Reason = fmt.Sprintf("from listening fd %d", s.fd)
	p.host.w.emit(e)
	return fd, child.remote, nil
}

// spawn makes the socket for a connection a SYN brought to listener s. It
// shares the listener's port and options and has no fd until accepted.
func (s *Socket) spawn(local, remote netip.AddrPort) *Socket {
	h := s.proc.host
	h.w.nextSock++
	child := &Socket{
		id: h.w.nextSock, proc: s.proc, typ: sock.SockTCP, local: local, remote: remote,
		bound: true, connected: true, opts: s.opts,
	}
	child.tcp = newTCB(child)
	child.tcp.listener = s
	h.ports.add(child)
	return child
}

// promote moves an established connection from the SYN queue to the
// accept queue, where accept finds it.
func (c *tcb) promote(child *Socket) {
	if i := slices.Index(c.synQueue, child); i >= 0 {
		c.synQueue = slices.Delete(c.synQueue, i, i+1)
	}
	c.acceptQ = append(c.acceptQ, child)
}

// connectTCP starts the three-way handshake (RFC 9293 section 3.5): the
// socket gets a local address, sends its SYN and is in SYN-SENT. It returns
// EINPROGRESS without publishing an error; the outcome comes later.
func (p *Process) connectTCP(s *Socket, addr netip.AddrPort) error {
	c := s.tcp
	switch {
	case c.state == stateSynSent:
		return p.fail("connect", s.fd, sock.ErrAlready, "the connection is still being set up")
	case c.state != stateClosed || c.everConnected:
		return p.fail("connect", s.fd, sock.ErrIsConn, fmt.Sprintf("fd %d is %v", s.fd, c.state))
	case addr.Port() == 0:
		return p.fail("connect", s.fd, sock.ErrConnRefused, "port 0 never has a listener")
	}
	d, errno := p.host.lookup(addr.Addr())
	if errno != nil {
		return p.fail("connect", s.fd, errno, fmt.Sprintf("host %s has no route to %v", p.host.name, addr.Addr()))
	}
	if err := p.autobind(s, "connect"); err != nil {
		return err
	}
	local := s.local
	if local.Addr().IsUnspecified() {
		local = netip.AddrPortFrom(p.host.sourceFor(addr.Addr(), d), local.Port())
	}
	if o := p.host.ports.lookupTCP(local, addr); o != nil && o != s && o.tcp.state != stateListen {
		return p.fail("connect", s.fd, sock.ErrAddrNotAvail, fmt.Sprintf("the connection %v -> %v already exists (%v)", local, addr, o.tcp.state))
	}
	s.local, s.remote, s.connected = local, addr, true
	s.soErr, s.softErr = nil, nil
	*c = *newTCB(s)
	c.rcvMSS = c.pathMSS()
	c.mss = min(defaultMSS, c.rcvMSS)
	c.rcvShift = maxRcvShift
	c.iss = c.isn()
	c.sndUna = c.iss
	p.host.w.emit(s.event(sock.KindConnect))
	c.setState(stateSynSent)
	c.sendSyn()
	return callErr("connect", sock.ErrInProgress, "the SYN is on its way")
}

// ConnectResult is what a blocking connect returns once the socket is
// writable or failed: nil when the connection is established, the pending
// error otherwise (taken, as connect(2) takes it), or EINPROGRESS while the
// handshake goes on. It publishes nothing: the outcome was an event already.
func (p *Process) ConnectResult(fd int) error {
	s := p.lookupFD(fd)
	if s == nil {
		return callErr("connect", sock.ErrBadFD, fmt.Sprintf("fd %d is not open", fd))
	}
	if s.typ != sock.SockTCP {
		return nil
	}
	if errno := s.takeError(); errno != nil {
		return callErr("connect", errno, "")
	}
	switch s.tcp.state {
	case stateSynSent, stateSynReceived:
		return callErr("connect", sock.ErrInProgress, "the handshake is not finished")
	case stateClosed, stateListen:
		return callErr("connect", sock.ErrNotConn, "the socket is not connecting")
	}
	return nil
}

// sendTCP queues as much of data as the send buffer takes and sends what
// the windows allow. Like Linux it reports a pending error first, EPIPE once
// the sending side is shut, and EPIPE on a socket that never connected.
func (p *Process) sendTCP(op string, s *Socket, data []byte) (int, error) {
	c := s.tcp
	if errno := s.takeError(); errno != nil {
		return -1, p.fail(op, s.fd, errno, "the connection failed")
	}
	if s.shutWr {
		return -1, p.fail(op, s.fd, sock.ErrPipe, "the socket's sending side is shut down")
	}
	switch c.state {
	case stateEstablished, stateCloseWait:
	case stateSynSent, stateSynReceived:
		return -1, p.fail(op, s.fd, sock.ErrAgain, "the connection is still being set up")
	default:
		return -1, p.fail(op, s.fd, sock.ErrPipe, fmt.Sprintf("fd %d is %v, not connected", s.fd, c.state))
	}
	if len(data) == 0 {
		return 0, nil
	}
	n := min(len(data), c.sndSpace())
	if n == 0 {
		return -1, p.fail(op, s.fd, sock.ErrAgain, fmt.Sprintf("the send buffer is full (SO_SNDBUF %d)", s.opts.sndBuf))
	}
	c.sndBuf.Write(data[:n])
	e := s.event(sock.KindData)
	e.Op, e.Len = "write", n
	p.host.w.emit(e)
	c.output()
	return n, nil
}

// recvTCP reads up to n bytes of the stream. Following Linux's tcp_recvmsg:
// queued data first, then a pending error, then end of file once the peer's
// FIN came or the reading side is shut; ENOTCONN if it never connected.
func (p *Process) recvTCP(op string, s *Socket, n int) ([]byte, error) {
	data := make([]byte, min(n, s.tcp.rcvBuf.Len()))
	into := data
	if len(into) == 0 && n > 0 {
		into = make([]byte, 1) // nothing queued: readTCP says why (EOF, an error, EAGAIN)
	}
	k, err := p.readTCP(op, s, into)
	if err != nil {
		return nil, err
	}
	return data[:k], nil
}

// readTCP is recvTCP into the caller's buffer; 0 bytes mean end of file.
func (p *Process) readTCP(op string, s *Socket, b []byte) (int, error) {
	c := s.tcp
	if c.state == stateListen {
		return 0, p.fail(op, s.fd, sock.ErrNotConn, "a listening socket has no data; accept a connection")
	}
	if c.readable() && len(b) > 0 {
		k := copy(b, c.rcvBuf.Bytes())
		c.rcvBuf.Discard(k)
		e := s.event(sock.KindData)
		e.Op, e.Len = "read", k
		p.host.w.emit(e)
		c.windowUpdate()
		return k, nil
	}
	if errno := s.takeError(); errno != nil {
		return 0, p.fail(op, s.fd, errno, "the connection failed")
	}
	switch {
	case c.finRcvd || s.shutRd || len(b) == 0:
		return 0, nil
	case c.state == stateClosed && c.everConnected:
		return 0, nil
	case c.state == stateClosed:
		return 0, p.fail(op, s.fd, sock.ErrNotConn, "the socket is not connected")
	}
	return 0, p.fail(op, s.fd, sock.ErrAgain, "no data has arrived")
}

// Read is read(2): it reads into b and returns how many bytes it read, 0 at
// the end of a stream. On a datagram socket it reads one datagram, cut to b.
// Unlike Recv it allocates nothing, for drivers that move a lot of data.
func (p *Process) Read(fd int, b []byte) (int, error) {
	s, err := p.sock("read", fd)
	if err != nil {
		return 0, err
	}
	if s.tcp != nil {
		return p.readTCP("read", s, b)
	}
	dg, err := p.recvFrom("read", fd, len(b))
	return copy(b, dg.Data), err
}

// windowUpdate tells the peer that reading opened the window, when it grew
// by at least a segment and at least doubled (Linux's tcp_cleanup_rbuf), so
// a sender stalled on a full buffer goes on without waiting for a probe.
func (c *tcb) windowUpdate() {
	if !c.state.Synchronized() || c.finRcvd {
		return
	}
	offered := max0(c.rcvAdv.Sub(c.rcvNxt))
	if w := int(c.rcvWindow()); w-offered >= c.rcvMSS && w >= 2*offered {
		c.sendAck()
	}
}

// shutdownTCP closes one or both directions. Shutting the sending side
// queues a FIN after the data (RFC 9293 section 3.10.4).
func (p *Process) shutdownTCP(s *Socket, how sock.ShutdownHow) error {
	c := s.tcp
	if c.state == stateClosed || c.state == stateListen {
		return p.fail("shutdown", s.fd, sock.ErrNotConn, fmt.Sprintf("fd %d is %v", s.fd, c.state))
	}
	e := s.event(sock.KindShutdown)
	e.Op = how.String()
	p.host.w.emit(e)
	if how != sock.ShutWr {
		s.shutRd = true
	}
	if how != sock.ShutRd && !s.shutWr {
		s.shutWr = true
		c.queueFin()
	}
	return nil
}

// queueFin puts the FIN behind the data and moves to the state that waits
// for its ACK.
func (c *tcb) queueFin() {
	switch c.state {
	case stateSynSent:
		c.finish()
		return
	case stateEstablished, stateSynReceived:
		c.finQueued = true
		c.setState(stateFinWait1)
	case stateCloseWait:
		c.finQueued = true
		c.setState(stateLastAck)
	default:
		return
	}
	c.output()
}

// closeTCP releases the fd. The connection goes on without it: a graceful
// close sends the FIN after the data and ends in TIME-WAIT or CLOSED on its
// own. As on Linux, closing with unread data, or with SO_LINGER set to
// zero, aborts with RST instead; closing a listener resets the connections
// nobody accepted.
func (p *Process) closeTCP(s *Socket) {
	c := s.tcp
	c.orphan = true
	h := p.host
	switch {
	case c.state == stateListen:
		for _, q := range [][]*Socket{c.synQueue, c.acceptQ} {
			for _, child := range q {
				if child.tcp.state.Synchronized() {
					child.tcp.sendReset()
				}
				child.tcp.finish()
			}
		}
		c.synQueue, c.acceptQ = nil, nil
		c.finish()
	case c.state == stateClosed || c.state == stateSynSent:
		c.finish()
	case (s.opts.lingerOn && s.opts.linger == 0) || c.rcvBuf.Len() > 0:
		if c.state != stateTimeWait {
			c.sendReset()
		}
		c.finish()
	default:
		s.shutRd, s.shutWr = true, true
		c.queueFin()
		c.armOrphanFinWait2()
		if c.state != stateClosed {
			h.orphans = append(h.orphans, s)
		}
	}
}

// armOrphanFinWait2 bounds how long a connection nobody holds may wait in
// FIN-WAIT-2 for a peer that never closes (Linux's tcp_fin_timeout).
func (c *tcb) armOrphanFinWait2() {
	if c.orphan && c.state == stateFinWait2 {
		c.arm(timerTimeWait, finWait2Time)
	}
}

// enterTimeWait starts the 2*MSL wait of the side that closed first.
func (c *tcb) enterTimeWait() {
	c.disarm(timerRetransmit)
	c.disarm(timerPersist)
	c.setState(stateTimeWait)
	c.arm(timerTimeWait, 2*msl)
}

// onTimeWaitEnd ends TIME-WAIT, or gives up on an orphan in FIN-WAIT-2.
func (c *tcb) onTimeWaitEnd() {
	if c.state == stateTimeWait || c.state == stateFinWait2 {
		c.finish()
	}
}

// abort ends the connection with an error the application will read
// (ECONNREFUSED, ECONNRESET, ETIMEDOUT). Both directions are shut, as
// Linux's tcp_done does, so later writes get EPIPE and reads end of file.
// A timeout reports the last soft ICMP error instead of ETIMEDOUT, if one
// came, as Linux's tcp_write_err does (net/ipv4/tcp_timer.c).
func (c *tcb) abort(errno *sock.Errno, note string) {
	s := c.s
	if errno == sock.ErrTimedOut && s.softErr != nil {
		errno, note = s.softErr, note+"; the last ICMP error said "+s.softErr.Name()
		s.softErr = nil
	}
	if c.listener == nil {
		if !c.orphan {
			s.soErr = errno
			s.shutRd, s.shutWr = true, true
		}
		e := s.event(sock.KindError)
		e.Op, e.Err = "tcp", callErr("tcp", errno, note)
		s.proc.host.w.emit(e)
	}
	c.sndBuf.Release()
	c.ooo, c.oooBytes = nil, 0
	c.finish()
}

// finish moves the connection to CLOSED and lets go of everything it held:
// timers, queue places and, once no fd refers to it, its port.
func (c *tcb) finish() {
	s := c.s
	h := s.proc.host
	c.stopTimers()
	c.setState(stateClosed)
	if l := c.listener; l != nil {
		l.tcp.synQueue = slices.DeleteFunc(l.tcp.synQueue, func(x *Socket) bool { return x == s })
		l.tcp.acceptQ = slices.DeleteFunc(l.tcp.acceptQ, func(x *Socket) bool { return x == s })
		c.listener = nil
		h.ports.remove(s)
		return
	}
	if c.orphan {
		h.ports.remove(s)
		h.orphans = slices.DeleteFunc(h.orphans, func(x *Socket) bool { return x == s })
	}
}

// tcpReadClosed reports whether no one can read this connection again.
func (s *Socket) tcpReadClosed() bool { return s.tcp.orphan }

// tcpReadiness follows Linux's tcp_poll.
func (s *Socket) tcpReadiness() sock.PollEvents {
	c := s.tcp
	if c.state == stateListen {
		if len(c.acceptQ) > 0 {
			return sock.PollIn
		}
		return 0
	}
	var r sock.PollEvents
	if s.soErr != nil {
		r |= sock.PollErr
	}
	if (s.shutRd && s.shutWr) || c.state == stateClosed {
		r |= sock.PollHup
	}
	if c.finRcvd || s.shutRd {
		r |= sock.PollIn
	}
	if c.state != stateSynSent && c.state != stateSynReceived {
		if c.readable() {
			r |= sock.PollIn
		}
		if s.shutWr || c.writable() {
			r |= sock.PollOut
		}
	}
	return r
}

// lookupTCP finds the socket a segment for local from remote belongs to:
// the connection with that exact 4-tuple, or else a listener on the port
// (one bound to the address beats a wildcard).
func (t *portTable) lookupTCP(local, remote netip.AddrPort) *Socket {
	var listener *Socket
	for _, s := range t.bound[portKey{sock.SockTCP, local.Port()}] {
		if s.tcp.state == stateListen {
			a := s.local.Addr()
			if a == local.Addr() || (a.IsUnspecified() && listener == nil) {
				listener = s
			}
			continue
		}
		if s.connected && s.remote == remote && s.local == local && s.tcp.state != stateClosed {
			return s
		}
	}
	return listener
}

// listenConflict finds another socket already listening on s's port and
// address, which Linux refuses even with SO_REUSEADDR.
func (t *portTable) listenConflict(s *Socket) *Socket {
	for _, o := range t.bound[portKey{sock.SockTCP, s.local.Port()}] {
		if o != s && o.tcp.state == stateListen &&
			(o.local.Addr().IsUnspecified() || s.local.Addr().IsUnspecified() || o.local.Addr() == s.local.Addr()) {
			return o
		}
	}
	return nil
}

// Unread is how many bytes a read on fd would return now without waiting
// (ioctl FIONREAD): queued stream bytes, or the size of the next datagram.
// Like Readiness it publishes nothing.
func (p *Process) Unread(fd int) int {
	s := p.lookupFD(fd)
	switch {
	case s == nil:
		return 0
	case s.tcp != nil:
		return s.tcp.rcvBuf.Len()
	case s.queued() > 0:
		return len(s.rq[s.rqHead].Data)
	}
	return 0
}

// Unacked is how many bytes written to a TCP socket the peer has not
// acknowledged yet (ioctl SIOCOUTQ). It publishes nothing.
func (p *Process) Unacked(fd int) int {
	if s := p.lookupFD(fd); s != nil && s.tcp != nil {
		return s.tcp.sndBuf.Len()
	}
	return 0
}
