package netsim

import (
	"fmt"
	"net/netip"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

const (
	defaultTTL = 64
	// icmpQuoteMax is how long an ICMP error may grow by quoting the packet
	// that caused it (RFC 1812 section 4.3.2.3, and what Linux does).
	icmpQuoteMax = 576
)

// newPacket allocates a packet with its IPv4 header written and room for
// payloadLen transport bytes after it.
func newPacket(proto wire.Protocol, src, dst netip.Addr, ttl uint8, df bool, id uint16, payloadLen int) ([]byte, wire.IPv4Header, error) {
	hdr := wire.IPv4Header{ID: id, TTL: ttl, Protocol: proto, Src: src, Dst: dst, PayloadLen: payloadLen}
	if df {
		hdr.Flags = wire.IPv4DontFragment
	}
	pkt := make([]byte, hdr.Len()+payloadLen)
	if err := hdr.Encode(pkt); err != nil {
		return nil, hdr, err
	}
	return pkt, hdr, nil
}

// newFramedPacket is newPacket in a buffer with room for an Ethernet
// header in front and the minimum frame's padding behind, so that the
// link layer frames the packet without copying it (see Host.outputFramed).
func (h *Host) newFramedPacket(proto wire.Protocol, src, dst netip.Addr, ttl uint8, df bool, id uint16, payloadLen int) ([]byte, []byte, wire.IPv4Header, error) {
	hdr := wire.IPv4Header{ID: id, TTL: ttl, Protocol: proto, Src: src, Dst: dst, PayloadLen: payloadLen}
	if df {
		hdr.Flags = wire.IPv4DontFragment
	}
	n := hdr.Len() + payloadLen
	buf := h.w.arena.alloc(wire.EthernetHeaderLen + max(n, wire.EthernetMinPayload))
	pkt := buf[wire.EthernetHeaderLen : wire.EthernetHeaderLen+n]
	if err := hdr.Encode(pkt); err != nil {
		return nil, nil, hdr, err
	}
	return buf, pkt, hdr, nil
}

func (h *Host) nextID() uint16 {
	h.ipID++
	return h.ipID
}

// receive takes a packet off a link (or the loopback) into the IP layer.
func (h *Host) receive(pkt []byte, _ *nic) {
	if h.outside != nil {
		h.delivered(pkt, "handed to the stack outside the town")
		h.outside(append([]byte(nil), pkt...))
		return
	}
	ip, err := wire.ParseIPv4(pkt)
	if err != nil {
		h.dropped(pkt, "malformed IPv4 packet: "+err.Error())
		return
	}
	if !ip.ChecksumValid() {
		h.dropped(pkt, "bad IPv4 header checksum")
		return
	}
	if !h.hasAddr(ip.Dst()) {
		h.forwardPacket(ip)
		return
	}
	if ip.IsFragment() {
		whole, ok := h.frags.reassemble(ip)
		if !ok {
			return
		}
		ip = whole
	}
	switch ip.Protocol() {
	case wire.ProtocolTCP:
		h.receiveTCP(ip)
	case wire.ProtocolUDP:
		h.receiveUDP(ip)
	case wire.ProtocolICMP:
		h.receiveICMP(ip)
	default:
		h.dropped(pkt, fmt.Sprintf("no transport for protocol %v on this host", ip.Protocol()))
		h.sendICMPError(ip, wire.ICMPv4DestUnreach, wire.ICMPv4ProtoUnreach, 0)
	}
}

// forwardPacket passes on a packet addressed to another host, as a router
// does (RFC 1812 section 5.2), or drops it if this host does not forward.
func (h *Host) forwardPacket(ip wire.IPv4) {
	switch {
	case !h.forward:
		h.dropped(ip, fmt.Sprintf("addressed to %v, not this host (forwarding is off)", ip.Dst()))
		return
	case ip.TTL() <= 1:
		h.dropped(ip, "TTL expired in transit")
		h.sendICMPError(ip, wire.ICMPv4TimeExceeded, wire.ICMPv4TTLExceeded, 0)
		return
	}
	d, errno := h.lookup(ip.Dst())
	if errno != nil {
		h.dropped(ip, fmt.Sprintf("no route to %v", ip.Dst()))
		code := wire.ICMPv4NetUnreach
		if errno == sock.ErrHostUnreach {
			code = wire.ICMPv4HostUnreach
		}
		h.sendICMPError(ip, wire.ICMPv4DestUnreach, code, 0)
		return
	}
	mtu := d.mtu()
	if len(ip) > mtu && ip.Flags()&wire.IPv4DontFragment != 0 {
		h.dropped(ip, fmt.Sprintf("%d bytes exceed the next link's MTU of %d and DF is set", len(ip), mtu))
		h.sendICMPError(ip, wire.ICMPv4DestUnreach, wire.ICMPv4FragNeeded, uint32(mtu))
		return
	}
	// The copy goes straight into the next frame's buffer: one copy per
	// hop, as a router's DMA would make none.
	buf := h.w.arena.alloc(wire.EthernetHeaderLen + max(len(ip), wire.EthernetMinPayload))
	out := wire.IPv4(buf[wire.EthernetHeaderLen : wire.EthernetHeaderLen+len(ip)])
	copy(out, ip)
	out.SetTTL(ip.TTL() - 1)
	e := sock.Event{Kind: sock.KindForwarded, Host: h.name, Link: d.nic.med.hop(), Packet: out}
	if len(out) > mtu {
		e.Reason = fmt.Sprintf("%d bytes, cut into fragments for the next link's MTU of %d", len(out), mtu)
	}
	h.w.emit(e)
	h.outputFramed(buf, out, d, nil, "")
}

// sendICMPError reports a problem with packet orig to its sender, except
// where RFC 1122 section 3.2.2 forbids it: about another ICMP error, about
// a fragment other than the first, or to a source that names no one host.
func (h *Host) sendICMPError(orig wire.IPv4, typ wire.ICMPv4Type, code uint8, rest uint32) {
	if orig.FragOffset() != 0 {
		return
	}
	if orig.Protocol() == wire.ProtocolICMP {
		if m, err := wire.ParseICMPv4(orig.Payload()); err != nil || m.IsError() {
			return
		}
	}
	dst := orig.Src()
	if dst.IsUnspecified() || dst.IsMulticast() || dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return
	}
	d, errno := h.lookup(dst)
	if errno != nil {
		h.droppedAs(orig, "no route for an ICMP error", fmt.Sprintf("no route back to %v for the ICMP error about this packet (%s)", dst, errno.Name()))
		return
	}
	src := orig.Dst()
	if !h.hasAddr(src) {
		src = h.sourceFor(dst, d)
	}
	quote := orig[:min(len(orig), icmpQuoteMax-wire.IPv4MinHeaderLen-wire.ICMPv4HeaderLen)]
	pkt, hdr, err := newPacket(wire.ProtocolICMP, src, dst, defaultTTL, false, h.nextID(), wire.ICMPv4HeaderLen+len(quote))
	if err != nil {
		return
	}
	msg := pkt[hdr.Len():]
	copy(msg[wire.ICMPv4HeaderLen:], quote)
	if err := (wire.ICMPv4Header{Type: typ, Code: code, Rest: rest}).Encode(msg); err != nil {
		return
	}
	h.output(pkt, d, nil, "")
}

// droppedAs reports a dropped packet counted under kind, for a reason
// whose words name addresses.
func (h *Host) droppedAs(pkt []byte, kind, reason string) {
	h.countDrop(kind)
	h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Packet: pkt, Reason: reason})
}

// droppedFrame reports a frame the host's link layer discarded.
func (h *Host) droppedFrame(f frame, reason string) { h.droppedFrameAs(f, reason, reason) }

// droppedFrameAs is droppedFrame for a reason whose words name what came
// in (an address): it is counted under kind, so that a flood of made-up
// addresses cannot grow the count table.
func (h *Host) droppedFrameAs(f frame, kind, reason string) {
	h.countDrop(kind)
	h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Packet: f.l3, Frame: f.b, Reason: reason})
}

// Send puts a packet from the stack outside the town that this host stands
// for (HostOptions.Outside) on the road towards its destination, as if the
// host had sent it. The bytes are untrusted: a packet that is not IPv4 with a
// correct header checksum, or has no route, is dropped with a reason. The
// world keeps pkt.
func (h *Host) Send(pkt []byte) {
	ip, err := wire.ParseIPv4(pkt)
	if err != nil {
		h.dropped(pkt, "malformed IPv4 packet from outside: "+err.Error())
		return
	}
	if !ip.ChecksumValid() {
		h.dropped(pkt, "bad IPv4 header checksum from outside")
		return
	}
	d, errno := h.lookup(ip.Dst())
	if errno != nil {
		h.dropped(pkt, fmt.Sprintf("no route to %v from outside (%s)", ip.Dst(), errno.Name()))
		return
	}
	h.output(pkt, d, nil, "")
}

// Inject delivers a packet that comes from outside the town (a peer's link,
// a test) as if it had just arrived on one of the host's links. The bytes are
// untrusted: anything malformed is dropped with a reason. The world keeps pkt.
func (h *Host) Inject(pkt []byte) {
	h.receive(pkt, nil)
}
