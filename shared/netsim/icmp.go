package netsim

import (
	"encoding/binary"
	"fmt"
	"net/netip"

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
		h.countDrop("no route for an echo reply")
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
	d.transmit(pkt)
}

// icmpErrno is the errno an ICMP error becomes, as Linux's icmp_err_convert
// table maps them.
func icmpErrno(m wire.ICMPv4) *sock.Errno {
	if m.Type() != wire.ICMPv4DestUnreach {
		return sock.ErrHostUnreach // time exceeded, parameter problem
	}
	switch m.Code() {
	case wire.ICMPv4NetUnreach:
		return sock.ErrNetUnreach
	case wire.ICMPv4ProtoUnreach:
		return sock.ErrNoProtoOpt
	case wire.ICMPv4PortUnreach:
		return sock.ErrConnRefused
	case wire.ICMPv4FragNeeded:
		return sock.ErrMsgSize
	case wire.ICMPv4AdminProhib:
		return sock.ErrHostUnreach
	}
	return sock.ErrHostUnreach
}

// receiveICMPError finds the socket that sent the quoted packet and gives it
// the error. As on Linux, only connected sockets hear about it: an
// unconnected UDP socket could not tell which of its peers it concerns.
func (h *Host) receiveICMPError(ip wire.IPv4, m wire.ICMPv4) {
	q, err := wire.ParseIPv4Quote(m.Body())
	if err != nil || !h.hasAddr(q.Src()) || len(q.Payload()) < 8 {
		h.dropped(ip, fmt.Sprintf("ICMP %v quotes no packet this host sent", m.Type()))
		return
	}
	var s *Socket
	qp := q.Payload()
	switch q.Protocol() {
	case wire.ProtocolUDP:
		local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(qp[0:]))
		remote := netip.AddrPortFrom(q.Dst(), binary.BigEndian.Uint16(qp[2:]))
		s = h.ports.lookup(sock.SockUDP, local, remote)
	case wire.ProtocolICMP:
		local := netip.AddrPortFrom(q.Src(), binary.BigEndian.Uint16(qp[4:]))
		s = h.ports.lookup(sock.SockICMP, local, netip.AddrPortFrom(q.Dst(), 0))
	}
	errno := icmpErrno(m)
	if s == nil {
		h.delivered(ip, fmt.Sprintf("%v (%s) for a socket that is gone", m.Type(), errno.Name()))
		return
	}
	e := s.event(sock.KindDelivered)
	e.Packet = ip
	if s.typ == sock.SockUDP && !s.connected {
		e.Reason = fmt.Sprintf("ignored: fd %d is not connected, so it would not know which peer %s is about", s.fd, errno.Name())
		h.w.emit(e)
		return
	}
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
