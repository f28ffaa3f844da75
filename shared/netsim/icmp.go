package netsim

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// receiveICMP handles an ICMP message addressed to this host: the kernel
// answers echo requests itself, hands echo replies to the ping socket whose
// identifier they carry, and turns errors into errnos on the socket that
// sent the packet they quote.
func (h *Host) receiveICMP(ip wire.IPv4) {
	m, err := wire.ParseICMPv4(ip.Payload())
	if err != nil {
		h.dropped(ip, "malformed ICMP message: "+err.Error())
		return
	}
	if !m.ChecksumValid() {
		h.dropped(ip, "bad ICMP checksum")
		return
	}
	switch m.Type() {
	case wire.ICMPv4EchoRequest:
		h.delivered(ip, "echo request; the kernel answers")
		h.answerEcho(ip, m)
	case wire.ICMPv4EchoReply:
		local := netip.AddrPortFrom(ip.Dst(), m.Ident())
		s := h.ports.lookup(sock.SockICMP, local, netip.AddrPortFrom(ip.Src(), 0))
		if s == nil {
			h.dropped(ip, fmt.Sprintf("no ping socket with identifier %d", m.Ident()))
			return
		}
		s.enqueue(ip, netip.AddrPortFrom(ip.Src(), 0), m)
	case wire.ICMPv4DestUnreach, wire.ICMPv4TimeExceeded, wire.ICMPv4ParamProblem:
		h.receiveICMPError(ip, m)
	default:
		h.dropped(ip, fmt.Sprintf("ICMP %v is not handled", m.Type()))
	}
}

func (h *Host) delivered(ip wire.IPv4, reason string) {
	e := sock.Event{Kind: sock.KindDelivered, Host: h.name, Packet: ip, Reason: reason}
	h.w.emit(e)
}

func (h *Host) answerEcho(ip wire.IPv4, m wire.ICMPv4) {
	d, errno := h.lookup(ip.Src())
	if errno != nil {
		h.droppedAs(ip, "no route for an echo reply", fmt.Sprintf("no route back to %v for the echo reply (%s)", ip.Src(), errno.Name()))
		return
	}
	pkt, hdr, err := newPacket(wire.ProtocolICMP, ip.Dst(), ip.Src(), defaultTTL, false, h.nextID(), len(m))
	if err != nil {
		return
	}
	msg := pkt[hdr.Len():]
	copy(msg[wire.ICMPv4HeaderLen:], m.Body())
	if err := (wire.ICMPv4Header{Type: wire.ICMPv4EchoReply, Rest: wire.EchoRest(m.Ident(), m.Seq())}).Encode(msg); err != nil {
		return
	}
	h.output(pkt, d, nil, "")
}

// icmpErr is one row of Linux's icmp_err_convert (net/ipv4/icmp.c): the
// errno a destination-unreachable code becomes, and whether it is fatal
// (hard) or, as RFC 1122 section 3.2.2.1 wants for net, host and
// source-route failures, transient (soft).
type icmpErr struct {
	errno *sock.Errno
	hard  bool
}

var (
	errHostDown = sock.ErrnoFromSys(syscall.EHOSTDOWN)
	errProto    = sock.ErrnoFromSys(syscall.EPROTO)
)

// unreachErrs is icmp_err_convert, indexed by code (0 to 15; Linux drops a
// destination-unreachable message with a higher code before any socket
// sees it). Code 8, host isolated, is ENONET on Linux, which not every
// GOOS's syscall package names; it stays EHOSTUNREACH here, and hard.
var unreachErrs = [...]icmpErr{
	{sock.ErrNetUnreach, false},  // 0 net unreachable
	{sock.ErrHostUnreach, false}, // 1 host unreachable
	{sock.ErrNoProtoOpt, true},   // 2 protocol unreachable
	{sock.ErrConnRefused, true},  // 3 port unreachable
	{sock.ErrMsgSize, false},     // 4 fragmentation needed
	{sock.ErrOpNotSupp, false},   // 5 source route failed
	{sock.ErrNetUnreach, true},   // 6 network unknown
	{errHostDown, true},          // 7 host unknown
	{sock.ErrHostUnreach, true},  // 8 host isolated
	{sock.ErrNetUnreach, true},   // 9 network administratively prohibited
	{sock.ErrHostUnreach, true},  // 10 host administratively prohibited
	{sock.ErrNetUnreach, false},  // 11 network unreachable for TOS
	{sock.ErrHostUnreach, false}, // 12 host unreachable for TOS
	{sock.ErrHostUnreach, true},  // 13 communication administratively prohibited
	{sock.ErrHostUnreach, true},  // 14 host precedence violation
	{sock.ErrHostUnreach, true},  // 15 precedence cutoff
}

// datagramErr is what an ICMP error means to a UDP or ping socket, as
// Linux's __udp4_lib_err (net/ipv4/udp.c) and ping_err (net/ipv4/ping.c)
// read it: time exceeded is a soft EHOSTUNREACH; a parameter problem is a
// hard EPROTO; fragmentation needed is a hard EMSGSIZE (the core always
// sets DF, as Linux's default IP_PMTUDISC_WANT does); any other
// destination unreachable follows icmp_err_convert.
func datagramErr(m wire.ICMPv4) icmpErr {
	switch m.Type() {
	case wire.ICMPv4ParamProblem:
		return icmpErr{errProto, true}
	case wire.ICMPv4DestUnreach:
		if m.Code() == wire.ICMPv4FragNeeded {
			return icmpErr{sock.ErrMsgSize, true}
		}
		if int(m.Code()) < len(unreachErrs) {
			return unreachErrs[m.Code()]
		}
	}
	return icmpErr{sock.ErrHostUnreach, false}
}

// tcpErr is the errno Linux's tcp_v4_err (net/ipv4/tcp_ipv4.c) takes from
// an ICMP error, or false for one TCP does not report: fragmentation
// needed only lowers the path MTU, and a destination-unreachable code
// above 15 is dropped. TCP ignores icmp_err_convert's fatal flag: what
// matters is the connection's state.
func tcpErr(m wire.ICMPv4) (*sock.Errno, bool) {
	switch m.Type() {
	case wire.ICMPv4ParamProblem:
		return errProto, true
	case wire.ICMPv4TimeExceeded:
		return sock.ErrHostUnreach, true
	case wire.ICMPv4DestUnreach:
		if m.Code() == wire.ICMPv4FragNeeded || int(m.Code()) >= len(unreachErrs) {
			return nil, false
		}
		return unreachErrs[m.Code()].errno, true
	}
	return nil, false
}

// receiveICMPError finds the socket that sent the quoted packet and lets
// its protocol decide what the error means to it.
func (h *Host) receiveICMPError(ip wire.IPv4, m wire.ICMPv4) {
	q, err := wire.ParseIPv4Quote(m.Body())
	if err != nil || !h.hasAddr(q.Src()) || len(q.Payload()) < 8 {
		h.dropped(ip, fmt.Sprintf("ICMP %v quotes no packet this host sent", m.Type()))
		return
	}
	qp := q.Payload()
	if m.Type() == wire.ICMPv4DestUnreach && m.Code() == wire.ICMPv4FragNeeded && m.NextHopMTU() >= minMTU {
		h.learnPMTU(q.Dst(), m.NextHopMTU())
	}
	switch q.Protocol() {
	case wire.ProtocolUDP:
		local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(qp[0:]))
		remote := netip.AddrPortFrom(q.Dst(), binary.BigEndian.Uint16(qp[2:]))
		h.datagramError(ip, m, q, remote, h.ports.lookup(sock.SockUDP, local, remote))
	case wire.ProtocolICMP:
		local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(qp[4:]))
		remote := netip.AddrPortFrom(q.Dst(), 0)
		h.datagramError(ip, m, q, remote, h.ports.lookup(sock.SockICMP, local, remote))
	case wire.ProtocolTCP:
		local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(qp[0:]))
		remote := netip.AddrPortFrom(q.Dst(), binary.BigEndian.Uint16(qp[2:]))
		s := h.ports.lookupTCP(local, remote)
		if errno, ok := tcpErr(m); ok && s != nil {
			s.queueError(ip, m, q, remote, errno)
		}
		h.tcpError(ip, m, s, wire.SeqNum(binary.BigEndian.Uint32(qp[4:])))
	default:
		h.delivered(ip, fmt.Sprintf("%v about protocol %v, which no socket here speaks", m.Type(), q.Protocol()))
	}
}

// datagramError gives a UDP or ping socket the error, or not, by Linux's
// rule (RFC 1122 section 4.1.3.3 leaves it to the stack): without
// IP_RECVERR only a hard error reaches a connected socket. An unconnected
// socket could not tell which of its peers the error concerns, and a soft
// error (time exceeded, net or host unreachable) may pass: a later
// datagram may well arrive. With IP_RECVERR every error is reported.
func (h *Host) datagramError(ip wire.IPv4, m wire.ICMPv4, q wire.IPv4, dst netip.AddrPort, s *Socket) {
	ie := datagramErr(m)
	if s == nil {
		h.delivered(ip, fmt.Sprintf("%v (%s) for a socket that is gone", m.Type(), ie.errno.Name()))
		return
	}
	s.queueError(ip, m, q, dst, ie.errno)
	e := s.event(sock.KindDelivered)
	e.Packet = ip
	switch {
	case s.opts.recvErr:
	case !s.connected:
		e.Reason = fmt.Sprintf("ignored: fd %d is not connected, so it would not know which peer %s is about", s.fd, ie.errno.Name())
		h.w.emit(e)
		return
	case !ie.hard:
		e.Reason = fmt.Sprintf("ignored: %s is a soft error, which fd %d hears only with IP_RECVERR", ie.errno.Name(), s.fd)
		h.w.emit(e)
		return
	}
	h.reportICMP(s, e, ie.errno)
}

// reportICMP makes errno the socket's pending error, which its next call
// returns.
func (h *Host) reportICMP(s *Socket, e sock.Event, errno *sock.Errno) {
	if s.fd > 0 {
		e.Reason = fmt.Sprintf("fd %d will report %s", s.fd, errno.Name())
	} else {
		// A connection its process has closed (or not yet accepted) has
		// no fd to read the error from.
		e.Reason = fmt.Sprintf("%s: no fd will report %s", s.holder(), errno.Name())
	}
	h.w.emit(e)
	s.soErr = errno
	ev := s.event(sock.KindError)
	ev.Op, ev.Err = "icmp", errno
	h.w.emit(ev)
}

// tcpError follows Linux's tcp_v4_err. An error about a connection being
// set up ends it: connect fails at once with the error, and a listener
// drops a half-open connection whose SYN|ACK died on the way (time
// exceeded, net or host unreachable, parameter problem). An error about an
// established connection does not end it: Linux keeps it as the soft error
// (sk_err_soft), which a timeout reports instead of ETIMEDOUT, which
// SO_ERROR reads, and which an acknowledgement clears; with IP_RECVERR it
// is the pending error instead. An error that quotes a sequence number
// outside what is unacknowledged is ignored, as is any in TIME-WAIT.
func (h *Host) tcpError(ip wire.IPv4, m wire.ICMPv4, s *Socket, seq wire.SeqNum) {
	if s == nil || s.tcp.state == stateClosed || s.tcp.state == stateListen {
		h.delivered(ip, fmt.Sprintf("%v for a TCP connection that is gone", m.Type()))
		return
	}
	c := s.tcp
	e := s.event(sock.KindDelivered)
	e.Packet = ip
	ignore := func(why string) {
		e.Reason = "ignored: " + why
		h.w.emit(e)
	}
	errno, ok := tcpErr(m)
	switch {
	case c.state == stateTimeWait:
		ignore("the connection is in TIME-WAIT")
	case c.listener != nil && c.state == stateSynReceived:
		halfOpenAbort := m.Type() != wire.ICMPv4DestUnreach ||
			m.Code() == wire.ICMPv4NetUnreach || m.Code() == wire.ICMPv4HostUnreach
		switch {
		case seq != c.iss:
			ignore(fmt.Sprintf("it quotes sequence number %d, not the SYN|ACK's %d", seq, c.iss))
		case !halfOpenAbort:
			ignore("a half-open connection is dropped only for time exceeded, net or host unreachable, or a parameter problem")
		default:
			e.Reason = fmt.Sprintf("%s: the half-open connection is dropped", s.holder())
			h.w.emit(e)
			c.finish()
		}
	case seq.LessThan(c.sndUna) || c.sndMax.LessThan(seq):
		ignore(fmt.Sprintf("sequence number %d is outside what is unacknowledged (%d to %d)", seq, c.sndUna, c.sndMax))
	case m.Type() == wire.ICMPv4DestUnreach && m.Code() == wire.ICMPv4FragNeeded:
		e.Reason = fmt.Sprintf("path MTU discovery: %v says the way on to %v takes packets of at most %d bytes, so fd %d sends segments of at most %d",
			ip.Src(), s.remote.Addr(), m.NextHopMTU(), s.fd, min(c.mss, c.pathMSS()))
		h.w.emit(e)
		c.mtuReduced()
	case !ok:
		ignore(fmt.Sprintf("%v does not fail a TCP connection", m.Type()))
	case c.state == stateSynSent || c.state == stateSynReceived:
		e.Reason = fmt.Sprintf("fd %d's connection fails with %s", s.fd, errno.Name())
		h.w.emit(e)
		c.abort(errno, fmt.Sprintf("ICMP %v from %v", m.Type(), ip.Src()))
	case s.opts.recvErr:
		h.reportICMP(s, e, errno)
	default:
		s.softErr = errno
		e.Reason = fmt.Sprintf("soft error %s kept: reported if the connection times out, or with IP_RECVERR at once", errno.Name())
		h.w.emit(e)
	}
}
