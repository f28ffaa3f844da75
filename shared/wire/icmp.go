package wire

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// ICMPv4HeaderLen is the size of the fixed ICMPv4 header: type, code,
// checksum and four bytes whose meaning depends on the type (RFC 792).
const ICMPv4HeaderLen = 8

// ICMPv4Type is the type of an ICMPv4 message.
type ICMPv4Type uint8

// The ICMPv4 types Socketville sends and understands.
const (
	ICMPv4EchoReply    ICMPv4Type = 0
	ICMPv4DestUnreach  ICMPv4Type = 3
	ICMPv4EchoRequest  ICMPv4Type = 8
	ICMPv4TimeExceeded ICMPv4Type = 11
	ICMPv4ParamProblem ICMPv4Type = 12
)

// String returns the type's name as tcpdump prints it.
func (t ICMPv4Type) String() string {
	switch t {
	case ICMPv4EchoReply:
		return "echo reply"
	case ICMPv4DestUnreach:
		return "destination unreachable"
	case ICMPv4EchoRequest:
		return "echo request"
	case ICMPv4TimeExceeded:
		return "time exceeded"
	case ICMPv4ParamProblem:
		return "parameter problem"
	}
	return "type-" + strconv.Itoa(int(t))
}

// Codes of a destination-unreachable message.
const (
	ICMPv4NetUnreach   uint8 = 0
	ICMPv4HostUnreach  uint8 = 1
	ICMPv4ProtoUnreach uint8 = 2
	ICMPv4PortUnreach  uint8 = 3
	ICMPv4FragNeeded   uint8 = 4
	ICMPv4AdminProhib  uint8 = 13
)

// Codes of a time-exceeded message.
const (
	ICMPv4TTLExceeded        uint8 = 0
	ICMPv4ReassemblyExceeded uint8 = 1
)

// ICMPv4 is a view of an ICMPv4 message. Build one with ParseICMPv4.
type ICMPv4 []byte

// ParseICMPv4 checks that b holds at least the fixed ICMPv4 header and returns
// a view of it. It does not check the checksum; see ChecksumValid.
func ParseICMPv4(b []byte) (ICMPv4, error) {
	if len(b) < ICMPv4HeaderLen {
		return nil, fmt.Errorf("icmp: %d bytes, need %d: %w", len(b), ICMPv4HeaderLen, ErrTruncated)
	}
	return ICMPv4(b), nil
}

// Type is the message type.
func (m ICMPv4) Type() ICMPv4Type { return ICMPv4Type(m[0]) }

// Code is the message code, whose meaning depends on the type.
func (m ICMPv4) Code() uint8 { return m[1] }

// Checksum is the checksum field as sent.
func (m ICMPv4) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:]) }

// ChecksumValid reports whether the checksum over the whole message is correct.
func (m ICMPv4) ChecksumValid() bool { return Checksum(m) == 0 }

// Ident is the identifier of an echo request or reply.
func (m ICMPv4) Ident() uint16 { return binary.BigEndian.Uint16(m[4:]) }

// Seq is the sequence number of an echo request or reply.
func (m ICMPv4) Seq() uint16 { return binary.BigEndian.Uint16(m[6:]) }

// NextHopMTU is the MTU a "fragmentation needed" message reports (RFC 1191).
func (m ICMPv4) NextHopMTU() int { return int(binary.BigEndian.Uint16(m[6:])) }

// Body is everything after the fixed header: the echo data, or for an error
// message the start of the packet that caused it.
func (m ICMPv4) Body() []byte { return m[ICMPv4HeaderLen:] }

// IsError reports whether the message reports an error about another packet
// (and so quotes that packet's start in its body).
func (m ICMPv4) IsError() bool {
	switch m.Type() {
	case ICMPv4DestUnreach, ICMPv4TimeExceeded, ICMPv4ParamProblem:
		return true
	}
	return false
}

// ICMPv4Header holds the fields of an ICMPv4 header for building one. Rest is
// the type-specific word: identifier and sequence number for echo, next-hop
// MTU (low 16 bits) for "fragmentation needed", zero otherwise.
type ICMPv4Header struct {
	Type ICMPv4Type
	Code uint8
	Rest uint32
}

// EchoRest packs an echo identifier and sequence number into Rest.
func EchoRest(ident, seq uint16) uint32 { return uint32(ident)<<16 | uint32(seq) }

// Encode writes the header into the first 8 bytes of msg, whose body must
// already be in place after them, and computes the checksum over msg.
func (h ICMPv4Header) Encode(msg []byte) error {
	if len(msg) < ICMPv4HeaderLen {
		return fmt.Errorf("icmp: header needs %d bytes, have %d: %w", ICMPv4HeaderLen, len(msg), ErrBufferTooSmall)
	}
	msg[0] = byte(h.Type)
	msg[1] = h.Code
	binary.BigEndian.PutUint16(msg[2:], 0)
	binary.BigEndian.PutUint32(msg[4:], h.Rest)
	binary.BigEndian.PutUint16(msg[2:], Checksum(msg))
	return nil
}
