package netsim

import (
	"fmt"
	"net/netip"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// receiveUDP hands a datagram addressed to this host to its socket, or
// answers with ICMP port unreachable when no socket has the port (RFC 1122
// section 4.1.3.1). Unlike Linux, the core does not rate-limit those answers.
func (h *Host) receiveUDP(ip wire.IPv4) {
	u, err := wire.ParseUDP(ip.Payload())
	if err != nil {
		h.dropped(ip, "malformed UDP datagram: "+err.Error())
		return
	}
	if !u.ChecksumValid(ip.Src(), ip.Dst()) {
		h.dropped(ip, "bad UDP checksum")
		return
	}
	local := netip.AddrPortFrom(ip.Dst(), u.DstPort())
	remote := netip.AddrPortFrom(ip.Src(), u.SrcPort())
	s := h.ports.lookup(sock.SockUDP, local, remote)
	if s == nil {
		h.dropped(ip, fmt.Sprintf("no socket on UDP port %d", u.DstPort()))
		h.sendICMPError(ip, wire.ICMPv4DestUnreach, wire.ICMPv4PortUnreach, 0)
		return
	}
	s.enqueue(ip, remote, u.Payload())
}

// enqueue puts a received datagram on the socket's queue if its receive
// buffer has room. The core counts payload bytes against SO_RCVBUF, where
// Linux counts the kernel's whole buffer size: Linux fits fewer small
// datagrams into the same SO_RCVBUF.
func (s *Socket) enqueue(pkt wire.IPv4, from netip.AddrPort, data []byte) {
	h := s.proc.host
	if s.shutRd {
		h.dropped(pkt, fmt.Sprintf("fd %d's receiving side is shut down", s.fd))
		return
	}
	if s.rqBytes+len(data) > s.opts.rcvBuf {
		h.dropped(pkt, fmt.Sprintf("receive buffer of fd %d is full (SO_RCVBUF %d)", s.fd, s.opts.rcvBuf))
		return
	}
	s.rq = append(s.rq, sock.Datagram{From: from, Data: data, TTL: pkt.TTL(), Len: len(data)})
	s.rqBytes += len(data)
	e := s.event(sock.KindDelivered)
	e.Remote, e.Packet = from, pkt
	h.w.emit(e)
}

// queued is the number of datagrams waiting to be read.
func (s *Socket) queued() int { return len(s.rq) - s.rqHead }

// popDatagram takes the oldest datagram off the queue. The queue reuses its
// array once it empties, so a steady stream costs no allocation.
func (s *Socket) popDatagram() (sock.Datagram, bool) {
	if s.queued() == 0 {
		return sock.Datagram{}, false
	}
	dg := s.rq[s.rqHead]
	s.rq[s.rqHead] = sock.Datagram{}
	s.rqHead++
	if s.rqHead == len(s.rq) {
		s.rq, s.rqHead = s.rq[:0], 0
	}
	s.rqBytes -= len(dg.Data)
	return dg, true
}
