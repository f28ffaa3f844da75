package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// Sizes of the TCP header (RFC 9293 section 3.1).
const (
	TCPMinHeaderLen = 20
	TCPMaxHeaderLen = 60
)

// SeqNum is a TCP sequence number. Comparisons work across the wrap at 2^32
// (RFC 9293 section 3.4, serial number arithmetic as in RFC 1982): a is
// "before" b when b-a, taken as a signed 32-bit distance, is positive.
type SeqNum uint32

// Add returns s advanced by n bytes, wrapping at 2^32.
func (s SeqNum) Add(n int) SeqNum { return s + SeqNum(uint32(n)) }

// Sub returns the signed distance s-t.
func (s SeqNum) Sub(t SeqNum) int32 { return int32(s - t) }

// LessThan reports whether s comes before t.
func (s SeqNum) LessThan(t SeqNum) bool { return s.Sub(t) < 0 }

// LessEq reports whether s comes before t or is t.
func (s SeqNum) LessEq(t SeqNum) bool { return s.Sub(t) <= 0 }

// InWindow reports whether s lies in [start, start+size).
func (s SeqNum) InWindow(start SeqNum, size uint32) bool {
	return uint32(s-start) < size
}

// TCPFlags are the control bits of a TCP header.
type TCPFlags uint8

// The TCP control bits.
const (
	TCPFin TCPFlags = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
)

// String prints the flags as tcpdump's users know them: "SYN|ACK", or "-"
// for none.
func (f TCPFlags) String() string {
	names := []struct {
		bit  TCPFlags
		name string
	}{{TCPSyn, "SYN"}, {TCPFin, "FIN"}, {TCPRst, "RST"}, {TCPPsh, "PSH"}, {TCPAck, "ACK"}, {TCPUrg, "URG"}, {TCPEce, "ECE"}, {TCPCwr, "CWR"}}
	var parts []string
	for _, n := range names {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// TCP is a view of a TCP segment, header and payload. Build one with ParseTCP.
type TCP []byte

// ParseTCP checks that b holds a whole TCP header, options included, and
// returns a view of the segment. It does not check the checksum or parse the
// options; see ChecksumValid and ParseTCPOptions.
func ParseTCP(b []byte) (TCP, error) {
	if len(b) < TCPMinHeaderLen {
		return nil, fmt.Errorf("tcp: %d bytes, need at least %d: %w", len(b), TCPMinHeaderLen, ErrTruncated)
	}
	hl := int(b[12]>>4) * 4
	if hl < TCPMinHeaderLen {
		return nil, fmt.Errorf("tcp: data offset %d bytes below %d: %w", hl, TCPMinHeaderLen, ErrMalformed)
	}
	if hl > len(b) {
		return nil, fmt.Errorf("tcp: data offset %d but only %d bytes: %w", hl, len(b), ErrTruncated)
	}
	return TCP(b), nil
}

// SrcPort is the source port.
func (t TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(t[0:]) }

// DstPort is the destination port.
func (t TCP) DstPort() uint16 { return binary.BigEndian.Uint16(t[2:]) }

// Seq is the sequence number of the first byte (or of the SYN or FIN).
func (t TCP) Seq() SeqNum { return SeqNum(binary.BigEndian.Uint32(t[4:])) }

// Ack is the acknowledgment number: the next byte the sender expects.
func (t TCP) Ack() SeqNum { return SeqNum(binary.BigEndian.Uint32(t[8:])) }

// HeaderLen is the header length in bytes, options included.
func (t TCP) HeaderLen() int { return int(t[12]>>4) * 4 }

// Flags are the control bits.
func (t TCP) Flags() TCPFlags { return TCPFlags(t[13]) }

// Window is the receive window field, before any window scaling.
func (t TCP) Window() uint16 { return binary.BigEndian.Uint16(t[14:]) }

// Checksum is the checksum field as sent.
func (t TCP) Checksum() uint16 { return binary.BigEndian.Uint16(t[16:]) }

// Urgent is the urgent pointer.
func (t TCP) Urgent() uint16 { return binary.BigEndian.Uint16(t[18:]) }

// Options are the option bytes after the fixed header.
func (t TCP) Options() []byte { return t[TCPMinHeaderLen:t.HeaderLen()] }

// Payload is the data after the header.
func (t TCP) Payload() []byte { return t[t.HeaderLen():] }

// SegLen is the length the segment takes in sequence space: its data, plus
// one each for SYN and FIN (RFC 9293 section 3.4).
func (t TCP) SegLen() int {
	n := len(t.Payload())
	if t.Flags()&TCPSyn != 0 {
		n++
	}
	if t.Flags()&TCPFin != 0 {
		n++
	}
	return n
}

// ChecksumValid reports whether the checksum is correct for a segment sent
// from src to dst.
func (t TCP) ChecksumValid(src, dst netip.Addr) bool {
	return Fold(Sum(t, PseudoHeaderSum(src, dst, ProtocolTCP, len(t)))) == 0
}

// TCPHeader holds the fields of a TCP header for building one.
type TCPHeader struct {
	SrcPort, DstPort uint16
	Seq, Ack         SeqNum
	Flags            TCPFlags
	Window           uint16
	Urgent           uint16
	Options          []byte // encoded options, a multiple of 4 bytes, at most 40
}

// Len is the encoded header length in bytes.
func (h TCPHeader) Len() int { return TCPMinHeaderLen + len(h.Options) }

// Encode writes the header into the start of seg, whose payload must already
// be in place after it, and computes the checksum for a segment from src to dst.
func (h TCPHeader) Encode(seg []byte, src, dst netip.Addr) error {
	hl := h.Len()
	switch {
	case len(h.Options)%4 != 0 || hl > TCPMaxHeaderLen:
		return fmt.Errorf("tcp: %d option bytes, want a multiple of 4 up to 40: %w", len(h.Options), ErrMalformed)
	case len(seg) < hl:
		return fmt.Errorf("tcp: header needs %d bytes, have %d: %w", hl, len(seg), ErrBufferTooSmall)
	case len(seg) > IPv4MaxTotalLen-IPv4MinHeaderLen:
		return fmt.Errorf("tcp: segment of %d bytes does not fit an IPv4 packet: %w", len(seg), ErrMalformed)
	}
	binary.BigEndian.PutUint16(seg[0:], h.SrcPort)
	binary.BigEndian.PutUint16(seg[2:], h.DstPort)
	binary.BigEndian.PutUint32(seg[4:], uint32(h.Seq))
	binary.BigEndian.PutUint32(seg[8:], uint32(h.Ack))
	seg[12] = byte(hl/4) << 4
	seg[13] = byte(h.Flags)
	binary.BigEndian.PutUint16(seg[14:], h.Window)
	binary.BigEndian.PutUint16(seg[16:], 0)
	binary.BigEndian.PutUint16(seg[18:], h.Urgent)
	copy(seg[TCPMinHeaderLen:hl], h.Options)
	binary.BigEndian.PutUint16(seg[16:], Fold(Sum(seg, PseudoHeaderSum(src, dst, ProtocolTCP, len(seg)))))
	return nil
}
