package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// UDPHeaderLen is the size of the UDP header (RFC 768).
const UDPHeaderLen = 8

// UDPMaxPayload is the largest UDP payload an IPv4 packet without options can carry.
const UDPMaxPayload = IPv4MaxTotalLen - IPv4MinHeaderLen - UDPHeaderLen

// UDP is a view of a UDP datagram, header and payload. Build one with ParseUDP.
type UDP []byte

// ParseUDP checks that b holds a whole UDP datagram and returns a view of it,
// cut to the length field. It does not check the checksum; see ChecksumValid.
func ParseUDP(b []byte) (UDP, error) {
	if len(b) < UDPHeaderLen {
		return nil, fmt.Errorf("udp: %d bytes, need %d: %w", len(b), UDPHeaderLen, ErrTruncated)
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if n < UDPHeaderLen {
		return nil, fmt.Errorf("udp: length field %d below %d: %w", n, UDPHeaderLen, ErrMalformed)
	}
	if n > len(b) {
		return nil, fmt.Errorf("udp: length field %d but only %d bytes: %w", n, len(b), ErrTruncated)
	}
	return UDP(b[:n]), nil
}

// SrcPort is the source port.
func (u UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(u[0:]) }

// DstPort is the destination port.
func (u UDP) DstPort() uint16 { return binary.BigEndian.Uint16(u[2:]) }

// Length is the length field: header plus payload.
func (u UDP) Length() int { return int(binary.BigEndian.Uint16(u[4:])) }

// Checksum is the checksum field as sent; zero means the sender computed none.
func (u UDP) Checksum() uint16 { return binary.BigEndian.Uint16(u[6:]) }

// Payload is the data after the header.
func (u UDP) Payload() []byte { return u[UDPHeaderLen:] }

// ChecksumValid reports whether the checksum is correct for a datagram sent
// from src to dst. A zero checksum (none computed) is valid over IPv4.
func (u UDP) ChecksumValid(src, dst netip.Addr) bool {
	if u.Checksum() == 0 {
		return true
	}
	return Fold(Sum(u, PseudoHeaderSum(src, dst, ProtocolUDP, len(u)))) == 0
}

// UDPHeader holds the fields of a UDP header for building one.
type UDPHeader struct {
	SrcPort, DstPort uint16
}

// Encode writes the header into the first 8 bytes of dgram, whose payload
// must already be in place after them, and computes the checksum for a
// datagram from src to dst.
func (h UDPHeader) Encode(dgram []byte, src, dst netip.Addr) error {
	if len(dgram) < UDPHeaderLen {
		return fmt.Errorf("udp: header needs %d bytes, have %d: %w", UDPHeaderLen, len(dgram), ErrBufferTooSmall)
	}
	if len(dgram) > IPv4MaxTotalLen-IPv4MinHeaderLen {
		return fmt.Errorf("udp: datagram of %d bytes does not fit an IPv4 packet: %w", len(dgram), ErrMalformed)
	}
	binary.BigEndian.PutUint16(dgram[0:], h.SrcPort)
	binary.BigEndian.PutUint16(dgram[2:], h.DstPort)
	binary.BigEndian.PutUint16(dgram[4:], uint16(len(dgram)))
	binary.BigEndian.PutUint16(dgram[6:], 0)
	sum := Fold(Sum(dgram, PseudoHeaderSum(src, dst, ProtocolUDP, len(dgram))))
	if sum == 0 {
		sum = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(dgram[6:], sum)
	return nil
}
