package wire

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Sizes of an Ethernet II frame (IEEE 802.3 clause 3). A frame here is what a
// NIC hands up and a pcap holds: header, payload and padding, without the
// preamble before it or the FCS after it.
const (
	EthernetHeaderLen  = 14
	EthernetFCSLen     = 4
	EthernetMinPayload = 46
	// EthernetMinFrame is the shortest frame, header and padded payload, FCS
	// not counted (64 bytes on the wire with it).
	EthernetMinFrame = EthernetHeaderLen + EthernetMinPayload
	// EthernetMaxPayload is the usual MTU. It is a default for senders, not a
	// rule for parsers: jumbo frames and VLAN-tagged captures are longer.
	EthernetMaxPayload = 1500
	// EthernetInterFrameGap is the idle time a sender leaves after a frame,
	// in byte times (96 bit times).
	EthernetInterFrameGap = 12

	ethDst  = 0
	ethSrc  = 6
	ethType = 12
)

// EthernetPreamble is what goes on the wire before each frame: seven bytes of
// 0x55 to let the receiver's clock lock on, then the start frame delimiter
// 0xd5. It is an array, so code that uses it gets a copy.
var EthernetPreamble = [8]byte{0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5}

// EthernetWireLen is how many byte times a frame of n bytes (header and
// payload, no FCS) holds a link: preamble, the frame padded to the minimum,
// FCS and inter-frame gap. A minimum frame takes 84, the 672 bit times that
// bound a 10 Mb/s link to 14880 frames a second.
func EthernetWireLen(n int) int {
	return len(EthernetPreamble) + max(n, EthernetMinFrame) + EthernetFCSLen + EthernetInterFrameGap
}

// MAC is a 48-bit IEEE 802 hardware address.
type MAC [6]byte

// BroadcastMAC is the all-ones address every station on a link receives.
var BroadcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// LocalMAC makes a locally administered unicast address from a number, so a
// simulator can hand out addresses that are deterministic and cannot clash
// with a vendor's: the first byte is 0x02 (local bit set, group bit clear),
// the second zero, and the last four are n big-endian. LocalMAC(1) is
// 02:00:00:00:00:01.
func LocalMAC(n uint32) MAC {
	m := MAC{0x02}
	binary.BigEndian.PutUint32(m[2:], n)
	return m
}

// String prints the address as "02:00:00:00:00:01", the way ip(8) and
// tcpdump do.
func (m MAC) String() string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, c := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, digits[c>>4], digits[c&0x0f])
	}
	return string(b)
}

// ParseMAC reads an address written as six two-digit hex bytes separated by
// colons ("02:00:00:00:00:01"; either case). It is stricter than
// net.ParseMAC on purpose: it takes exactly what String prints, plus upper
// case, so a typo in a town file is an error rather than another address.
func ParseMAC(s string) (MAC, error) {
	var m MAC
	if len(s) != 17 {
		return m, fmt.Errorf("mac %q: want six hex bytes like 02:00:00:00:00:01: %w", s, ErrMalformed)
	}
	for i := range m {
		if i > 0 && s[3*i-1] != ':' {
			return MAC{}, fmt.Errorf("mac %q: want ':' between bytes: %w", s, ErrMalformed)
		}
		hi, ok1 := unhex(s[3*i])
		lo, ok2 := unhex(s[3*i+1])
		if !ok1 || !ok2 {
			return MAC{}, fmt.Errorf("mac %q: %q is not a hex byte: %w", s, s[3*i:3*i+2], ErrMalformed)
		}
		m[i] = hi<<4 | lo
	}
	return m, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// IsBroadcast reports whether m is ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == BroadcastMAC }

// IsMulticast reports whether m is a group address: the lowest bit of the
// first byte, which is the first bit on the wire. Broadcast is a group
// address too.
func (m MAC) IsMulticast() bool { return m[0]&0x01 != 0 }

// IsZero reports whether m is 00:00:00:00:00:00, the unset address (and the
// "unknown" target hardware address of an ARP request).
func (m MAC) IsZero() bool { return m == MAC{} }

// EtherType says what an Ethernet II frame carries.
type EtherType uint16

// The EtherTypes Socketville speaks (IEEE registry).
const (
	EtherTypeIPv4 EtherType = 0x0800
	EtherTypeARP  EtherType = 0x0806
)

// etherTypeMin is the smallest EtherType: a type field below it is an IEEE
// 802.3 length (at most 1500) or undefined.
const etherTypeMin = 0x0600

// String names the EtherType, or prints it in hex ("0x86dd") as Wireshark
// does for one it does not know.
func (t EtherType) String() string {
	switch t {
	case EtherTypeIPv4:
		return "IPv4"
	case EtherTypeARP:
		return "ARP"
	}
	return fmt.Sprintf("0x%04x", uint16(t))
}

// Ethernet is a view of an Ethernet II frame: header, payload and any
// padding. Build one with ParseEthernet; its accessors never panic after that.
type Ethernet []byte

// ParseEthernet checks that b holds an Ethernet II header and returns a view
// of the frame. The payload runs to the end of b: Ethernet does not say
// where padding starts (the payload's own length does), and if b came with
// its FCS the FCS is in the payload too. It does not enforce a minimum or
// maximum size, so captures of short or jumbo frames still parse.
func ParseEthernet(b []byte) (Ethernet, error) {
	if len(b) < EthernetHeaderLen {
		return nil, fmt.Errorf("ethernet: %d bytes, need at least %d: %w", len(b), EthernetHeaderLen, ErrTruncated)
	}
	if t := binary.BigEndian.Uint16(b[ethType:]); t < etherTypeMin {
		return nil, fmt.Errorf("ethernet: type field 0x%04x is below 0x0600, an IEEE 802.3 length field, not an Ethernet II EtherType: %w", t, ErrMalformed)
	}
	return Ethernet(b), nil
}

// Dst is the destination address.
func (e Ethernet) Dst() MAC { return MAC(e[ethDst : ethDst+6]) }

// Src is the source address.
func (e Ethernet) Src() MAC { return MAC(e[ethSrc : ethSrc+6]) }

// Type is the EtherType of the payload.
func (e Ethernet) Type() EtherType { return EtherType(binary.BigEndian.Uint16(e[ethType:])) }

// Payload is everything after the header, padding included.
func (e Ethernet) Payload() []byte { return e[EthernetHeaderLen:] }

// EthernetHeader holds the fields of an Ethernet II header for building one.
type EthernetHeader struct {
	Dst, Src MAC
	Type     EtherType
}

// Encode writes the header into the first 14 bytes of b. It refuses a Type
// below 0x0600, which ParseEthernet would read as an 802.3 length.
func (h EthernetHeader) Encode(b []byte) error {
	if h.Type < etherTypeMin {
		return fmt.Errorf("ethernet: type 0x%04x is below 0x0600, an IEEE 802.3 length: %w", uint16(h.Type), ErrMalformed)
	}
	if len(b) < EthernetHeaderLen {
		return fmt.Errorf("ethernet: header needs %d bytes, have %d: %w", EthernetHeaderLen, len(b), ErrBufferTooSmall)
	}
	h.put(b)
	return nil
}

func (h EthernetHeader) put(b []byte) {
	copy(b[ethDst:], h.Dst[:])
	copy(b[ethSrc:], h.Src[:])
	binary.BigEndian.PutUint16(b[ethType:], uint16(h.Type))
}

// NewFrame returns a new frame holding h and a copy of payload, zero padded
// to EthernetMinFrame as a NIC sends it. The FCS is not included, as in a
// pcap; see AppendFCS. NewFrame writes h as it is: a Type below 0x0600 makes
// a frame ParseEthernet refuses.
func NewFrame(h EthernetHeader, payload []byte) []byte {
	f := make([]byte, max(EthernetHeaderLen+len(payload), EthernetMinFrame))
	h.put(f)
	copy(f[EthernetHeaderLen:], payload)
	return f
}

// FCS is the frame check sequence of a frame (header, payload and padding):
// the IEEE CRC-32, the same one zlib and PNG use.
func FCS(frame []byte) uint32 { return crc32.ChecksumIEEE(frame) }

// AppendFCS appends the frame's FCS in wire order, least significant byte
// first, and returns the extended slice (like append, it may reuse frame's
// array).
func AppendFCS(frame []byte) []byte {
	return binary.LittleEndian.AppendUint32(frame, FCS(frame))
}

// FCSValid reports whether the last four bytes of frameWithFCS are the FCS of
// the bytes before them.
func FCSValid(frameWithFCS []byte) bool {
	n := len(frameWithFCS) - EthernetFCSLen
	if n < 0 {
		return false
	}
	return FCS(frameWithFCS[:n]) == binary.LittleEndian.Uint32(frameWithFCS[n:])
}
