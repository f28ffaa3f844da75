package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Sizes and offsets of the IPv4 header (RFC 791 section 3.1).
const (
	IPv4MinHeaderLen = 20
	IPv4MaxHeaderLen = 60
	IPv4MaxTotalLen  = 65535

	ipv4VersionIHL   = 0
	ipv4TOS          = 1
	ipv4TotalLen     = 2
	ipv4ID           = 4
	ipv4FlagsFragOff = 6
	ipv4TTL          = 8
	ipv4Protocol     = 9
	ipv4Checksum     = 10
	ipv4Src          = 12
	ipv4Dst          = 16
)

// IPv4Flags are the three flag bits of the IPv4 header.
type IPv4Flags uint8

// The IPv4 flags. Bit 0 is reserved and must be zero.
const (
	IPv4MoreFragments IPv4Flags = 1 << 0
	IPv4DontFragment  IPv4Flags = 1 << 1
	ipv4Reserved      IPv4Flags = 1 << 2
)

// String prints the flags as "DF|MF", or "" when none is set.
func (f IPv4Flags) String() string {
	var parts []string
	if f&ipv4Reserved != 0 {
		parts = append(parts, "RES")
	}
	if f&IPv4DontFragment != 0 {
		parts = append(parts, "DF")
	}
	if f&IPv4MoreFragments != 0 {
		parts = append(parts, "MF")
	}
	return strings.Join(parts, "|")
}

// IPv4 is a view of an IPv4 packet, header and payload. Build one with
// ParseIPv4; its accessors never panic after that.
type IPv4 []byte

// ParseIPv4 checks that b holds a whole IPv4 packet and returns a view of it.
// Bytes past the header's total length (link-layer padding) are cut off. It
// does not check the header checksum; see ChecksumValid.
func ParseIPv4(b []byte) (IPv4, error) {
	hl, err := checkIPv4Header(b)
	if err != nil {
		return nil, err
	}
	total := int(binary.BigEndian.Uint16(b[ipv4TotalLen:]))
	if total < hl {
		return nil, fmt.Errorf("ipv4: total length %d shorter than header length %d: %w", total, hl, ErrMalformed)
	}
	if total > len(b) {
		return nil, fmt.Errorf("ipv4: total length %d but only %d bytes: %w", total, len(b), ErrTruncated)
	}
	return IPv4(b[:total]), nil
}

// ParseIPv4Quote is ParseIPv4 for the start of a packet quoted inside an ICMP
// error: the header must be whole, the payload may be cut short.
func ParseIPv4Quote(b []byte) (IPv4, error) {
	hl, err := checkIPv4Header(b)
	if err != nil {
		return nil, err
	}
	total := int(binary.BigEndian.Uint16(b[ipv4TotalLen:]))
	if total < hl {
		return nil, fmt.Errorf("ipv4: total length %d shorter than header length %d: %w", total, hl, ErrMalformed)
	}
	return IPv4(b[:min(total, len(b))]), nil
}

func checkIPv4Header(b []byte) (int, error) {
	if len(b) < IPv4MinHeaderLen {
		return 0, fmt.Errorf("ipv4: %d bytes, need at least %d: %w", len(b), IPv4MinHeaderLen, ErrTruncated)
	}
	if v := b[ipv4VersionIHL] >> 4; v != 4 {
		return 0, fmt.Errorf("ipv4: version %d: %w", v, ErrMalformed)
	}
	hl := int(b[ipv4VersionIHL]&0x0f) * 4
	if hl < IPv4MinHeaderLen {
		return 0, fmt.Errorf("ipv4: header length %d below %d: %w", hl, IPv4MinHeaderLen, ErrMalformed)
	}
	if hl > len(b) {
		return 0, fmt.Errorf("ipv4: header length %d but only %d bytes: %w", hl, len(b), ErrTruncated)
	}
	return hl, nil
}

// HeaderLen is the header length in bytes, options included.
func (p IPv4) HeaderLen() int { return int(p[ipv4VersionIHL]&0x0f) * 4 }

// TOS is the type-of-service byte (DSCP and ECN).
func (p IPv4) TOS() uint8 { return p[ipv4TOS] }

// TotalLen is the total length field: header plus payload.
func (p IPv4) TotalLen() int { return int(binary.BigEndian.Uint16(p[ipv4TotalLen:])) }

// ID is the identification field used to reassemble fragments.
func (p IPv4) ID() uint16 { return binary.BigEndian.Uint16(p[ipv4ID:]) }

// Flags are the DF and MF bits (and the reserved bit, if a sender set it).
func (p IPv4) Flags() IPv4Flags { return IPv4Flags(p[ipv4FlagsFragOff] >> 5) }

// FragOffset is the fragment offset in bytes (the field counts 8-byte units).
func (p IPv4) FragOffset() int {
	return int(binary.BigEndian.Uint16(p[ipv4FlagsFragOff:])&0x1fff) * 8
}

// IsFragment reports whether the packet is a piece of a larger datagram.
func (p IPv4) IsFragment() bool {
	return p.Flags()&IPv4MoreFragments != 0 || p.FragOffset() != 0
}

// TTL is the time-to-live field.
func (p IPv4) TTL() uint8 { return p[ipv4TTL] }

// Protocol is the protocol of the payload.
func (p IPv4) Protocol() Protocol { return Protocol(p[ipv4Protocol]) }

// Checksum is the header checksum field as sent.
func (p IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(p[ipv4Checksum:]) }

// Src is the source address.
func (p IPv4) Src() netip.Addr { return netip.AddrFrom4([4]byte(p[ipv4Src : ipv4Src+4])) }

// Dst is the destination address.
func (p IPv4) Dst() netip.Addr { return netip.AddrFrom4([4]byte(p[ipv4Dst : ipv4Dst+4])) }

// Options are the option bytes between the fixed header and the payload.
func (p IPv4) Options() []byte { return p[IPv4MinHeaderLen:p.HeaderLen()] }

// Payload is everything after the header, up to the total length.
func (p IPv4) Payload() []byte { return p[p.HeaderLen():] }

// ChecksumValid reports whether the header checksum is correct.
func (p IPv4) ChecksumValid() bool { return Checksum(p[:p.HeaderLen()]) == 0 }

// SetTTL rewrites the TTL and updates the header checksum, as a router does.
func (p IPv4) SetTTL(ttl uint8) {
	p[ipv4TTL] = ttl
	p.fixChecksum()
}

func (p IPv4) fixChecksum() {
	binary.BigEndian.PutUint16(p[ipv4Checksum:], 0)
	binary.BigEndian.PutUint16(p[ipv4Checksum:], Checksum(p[:p.HeaderLen()]))
}

// IPv4Header holds the fields of an IPv4 header for building one.
type IPv4Header struct {
	TOS        uint8
	ID         uint16
	Flags      IPv4Flags
	FragOffset int // in bytes; must be a multiple of 8
	TTL        uint8
	Protocol   Protocol
	Src, Dst   netip.Addr
	Options    []byte // a multiple of 4 bytes, at most 40
	PayloadLen int
}

// Len is the encoded header length in bytes.
func (h IPv4Header) Len() int { return IPv4MinHeaderLen + len(h.Options) }

// Encode writes the header, checksum included, into the start of b.
func (h IPv4Header) Encode(b []byte) error {
	hl := h.Len()
	switch {
	case len(h.Options)%4 != 0 || hl > IPv4MaxHeaderLen:
		return fmt.Errorf("ipv4: %d option bytes, want a multiple of 4 up to 40: %w", len(h.Options), ErrMalformed)
	case hl+h.PayloadLen > IPv4MaxTotalLen || h.PayloadLen < 0:
		return fmt.Errorf("ipv4: total length %d above %d: %w", hl+h.PayloadLen, IPv4MaxTotalLen, ErrMalformed)
	case h.FragOffset%8 != 0 || h.FragOffset/8 > 0x1fff || h.FragOffset < 0:
		return fmt.Errorf("ipv4: fragment offset %d: %w", h.FragOffset, ErrMalformed)
	case !h.Src.Is4() || !h.Dst.Is4():
		return fmt.Errorf("ipv4: addresses %v and %v must be IPv4: %w", h.Src, h.Dst, ErrMalformed)
	case len(b) < hl:
		return fmt.Errorf("ipv4: header needs %d bytes, have %d: %w", hl, len(b), ErrBufferTooSmall)
	}
	b[ipv4VersionIHL] = 4<<4 | byte(hl/4)
	b[ipv4TOS] = h.TOS
	binary.BigEndian.PutUint16(b[ipv4TotalLen:], uint16(hl+h.PayloadLen))
	binary.BigEndian.PutUint16(b[ipv4ID:], h.ID)
	binary.BigEndian.PutUint16(b[ipv4FlagsFragOff:], uint16(h.Flags&7)<<13|uint16(h.FragOffset/8))
	b[ipv4TTL] = h.TTL
	b[ipv4Protocol] = byte(h.Protocol)
	src, dst := h.Src.As4(), h.Dst.As4()
	copy(b[ipv4Src:], src[:])
	copy(b[ipv4Dst:], dst[:])
	copy(b[IPv4MinHeaderLen:hl], h.Options)
	IPv4(b[:hl]).fixChecksum()
	return nil
}
