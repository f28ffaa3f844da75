package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
)

// ARPLen is the size of an ARP message for IPv4 over Ethernet (RFC 826): the
// 8-byte fixed part and two (6-byte MAC, 4-byte IPv4) address pairs.
const ARPLen = 28

// Offsets and the only values Socketville speaks of the RFC 826 fields. ARP
// can map any protocol onto any hardware, which is why it carries the types
// and lengths; this package knows one pairing, so anything else is refused.
const (
	arpHType = 0
	arpPType = 2
	arpHLen  = 4
	arpPLen  = 5
	arpOp    = 6
	arpSHA   = 8
	arpSPA   = 14
	arpTHA   = 18
	arpTPA   = 24

	arpHTypeEthernet = 1
)

// ARPOp is the operation of an ARP message.
type ARPOp uint16

// The two ARP operations of RFC 826.
const (
	ARPRequest ARPOp = 1
	ARPReply   ARPOp = 2
)

// String names the operation, or prints "op N" for one RFC 826 does not
// define (RARP's 3 and 4, say).
func (o ARPOp) String() string {
	switch o {
	case ARPRequest:
		return "request"
	case ARPReply:
		return "reply"
	}
	return "op " + strconv.Itoa(int(o))
}

// ARP is a view of an ARP message for IPv4 over Ethernet. Build one with
// ParseARP; its accessors never panic after that.
type ARP []byte

// ParseARP checks that b starts with an RFC 826 request or reply mapping an
// IPv4 address to an Ethernet one and returns a view of its 28 bytes. Bytes
// past them are Ethernet padding (an ARP message is shorter than the
// minimum payload) and are cut off.
func ParseARP(b []byte) (ARP, error) {
	if len(b) < ARPLen {
		return nil, fmt.Errorf("arp: %d bytes, need %d: %w", len(b), ARPLen, ErrTruncated)
	}
	if t := binary.BigEndian.Uint16(b[arpHType:]); t != arpHTypeEthernet {
		return nil, fmt.Errorf("arp: hardware type %d, want 1 (Ethernet): %w", t, ErrMalformed)
	}
	if t := EtherType(binary.BigEndian.Uint16(b[arpPType:])); t != EtherTypeIPv4 {
		return nil, fmt.Errorf("arp: protocol type 0x%04x, want 0x0800 (IPv4): %w", uint16(t), ErrMalformed)
	}
	if n := b[arpHLen]; n != 6 {
		return nil, fmt.Errorf("arp: hardware address length %d, want 6 for Ethernet: %w", n, ErrMalformed)
	}
	if n := b[arpPLen]; n != 4 {
		return nil, fmt.Errorf("arp: protocol address length %d, want 4 for IPv4: %w", n, ErrMalformed)
	}
	if op := ARPOp(binary.BigEndian.Uint16(b[arpOp:])); op != ARPRequest && op != ARPReply {
		return nil, fmt.Errorf("arp: %v, want 1 (request) or 2 (reply): %w", op, ErrMalformed)
	}
	return ARP(b[:ARPLen]), nil
}

// Op is the operation: request or reply.
func (a ARP) Op() ARPOp { return ARPOp(binary.BigEndian.Uint16(a[arpOp:])) }

// SenderMAC is the sender's hardware address.
func (a ARP) SenderMAC() MAC { return MAC(a[arpSHA : arpSHA+6]) }

// SenderIP is the sender's IPv4 address; 0.0.0.0 in a probe (RFC 5227),
// where the sender does not yet claim one.
func (a ARP) SenderIP() netip.Addr { return netip.AddrFrom4([4]byte(a[arpSPA : arpSPA+4])) }

// TargetMAC is the target's hardware address: what a reply tells, and
// usually zero in a request, which is asking for it.
func (a ARP) TargetMAC() MAC { return MAC(a[arpTHA : arpTHA+6]) }

// TargetIP is the target's IPv4 address.
func (a ARP) TargetIP() netip.Addr { return netip.AddrFrom4([4]byte(a[arpTPA : arpTPA+4])) }

// IsAnnouncement reports whether the message is gratuitous: the sender
// names its own address as the target, to tell the link rather than ask
// it (RFC 5227 section 3).
func (a ARP) IsAnnouncement() bool { return a.SenderIP() == a.TargetIP() }

// ARPHeader holds the fields of an ARP message for building one.
type ARPHeader struct {
	Op        ARPOp
	SenderMAC MAC
	SenderIP  netip.Addr
	TargetMAC MAC
	TargetIP  netip.Addr
}

// Encode writes the whole message into the first 28 bytes of b. The
// addresses must be IPv4 (not IPv4-mapped IPv6) and Op a request or reply,
// so that what it writes parses again.
func (h ARPHeader) Encode(b []byte) error {
	switch {
	case h.Op != ARPRequest && h.Op != ARPReply:
		return fmt.Errorf("arp: %v, want request or reply: %w", h.Op, ErrMalformed)
	case !h.SenderIP.Is4() || !h.TargetIP.Is4():
		return fmt.Errorf("arp: addresses %v and %v must be IPv4: %w", h.SenderIP, h.TargetIP, ErrMalformed)
	case len(b) < ARPLen:
		return fmt.Errorf("arp: message needs %d bytes, have %d: %w", ARPLen, len(b), ErrBufferTooSmall)
	}
	binary.BigEndian.PutUint16(b[arpHType:], arpHTypeEthernet)
	binary.BigEndian.PutUint16(b[arpPType:], uint16(EtherTypeIPv4))
	b[arpHLen] = 6
	b[arpPLen] = 4
	binary.BigEndian.PutUint16(b[arpOp:], uint16(h.Op))
	spa, tpa := h.SenderIP.As4(), h.TargetIP.As4()
	copy(b[arpSHA:], h.SenderMAC[:])
	copy(b[arpSPA:], spa[:])
	copy(b[arpTHA:], h.TargetMAC[:])
	copy(b[arpTPA:], tpa[:])
	return nil
}
