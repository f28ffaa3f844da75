package wire

import (
	"encoding/binary"
	"fmt"
)

// TCP option kinds (IANA "TCP Option Kind Numbers").
const (
	tcpOptEnd       = 0
	tcpOptNop       = 1
	tcpOptMSS       = 2
	tcpOptWScale    = 3
	tcpOptSACKPerm  = 4
	tcpOptSACK      = 5
	tcpOptTimestamp = 8
)

// MaxWindowScale is the largest shift RFC 7323 section 2.3 allows.
const MaxWindowScale = 14

// SACKBlock is one block of a selective acknowledgment: [Left, Right).
type SACKBlock struct {
	Left, Right SeqNum
}

// TCPOptions are the options Socketville understands. Has* fields say which
// were present, since zero is a valid value for most of them.
type TCPOptions struct {
	MSS            uint16
	HasMSS         bool
	WindowScale    uint8
	HasWindowScale bool
	SACKPermitted  bool
	SACK           []SACKBlock
	TSVal, TSEcr   uint32
	HasTimestamps  bool
}

// ParseTCPOptions reads the options of a TCP header. Unknown options are
// skipped by their length; an option whose length is impossible, or runs
// past the end, is an error: a header that lies about its options is
// dropped whole, as Linux does.
func ParseTCPOptions(b []byte) (TCPOptions, error) {
	var o TCPOptions
	for i := 0; i < len(b); {
		kind := b[i]
		if kind == tcpOptEnd {
			break
		}
		if kind == tcpOptNop {
			i++
			continue
		}
		if i+1 >= len(b) {
			return o, fmt.Errorf("tcp option %d at byte %d has no length: %w", kind, i, ErrTruncated)
		}
		n := int(b[i+1])
		if n < 2 || i+n > len(b) {
			return o, fmt.Errorf("tcp option %d at byte %d claims %d bytes, %d remain: %w", kind, i, n, len(b)-i, ErrMalformed)
		}
		body := b[i+2 : i+n]
		if err := o.set(kind, body); err != nil {
			return o, err
		}
		i += n
	}
	return o, nil
}

func (o *TCPOptions) set(kind byte, body []byte) error {
	want := map[byte]int{tcpOptMSS: 2, tcpOptWScale: 1, tcpOptSACKPerm: 0, tcpOptTimestamp: 8}
	if w, ok := want[kind]; ok && len(body) != w {
		return fmt.Errorf("tcp option %d has %d bytes of value, want %d: %w", kind, len(body), w, ErrMalformed)
	}
	switch kind {
	case tcpOptMSS:
		o.MSS, o.HasMSS = binary.BigEndian.Uint16(body), true
	case tcpOptWScale:
		// RFC 7323 section 2.3: a larger shift is treated as 14.
		o.WindowScale, o.HasWindowScale = min(body[0], MaxWindowScale), true
	case tcpOptSACKPerm:
		o.SACKPermitted = true
	case tcpOptTimestamp:
		o.TSVal, o.TSEcr, o.HasTimestamps = binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:]), true
	case tcpOptSACK:
		if len(body) == 0 || len(body)%8 != 0 {
			return fmt.Errorf("tcp SACK option of %d bytes is not whole blocks: %w", len(body), ErrMalformed)
		}
		o.SACK = o.SACK[:0]
		for j := 0; j < len(body); j += 8 {
			o.SACK = append(o.SACK, SACKBlock{Left: SeqNum(binary.BigEndian.Uint32(body[j:])), Right: SeqNum(binary.BigEndian.Uint32(body[j+4:]))})
		}
	}
	return nil
}

// Encode returns the options as header bytes, in the order Linux sends them
// on a SYN (MSS, SACK permitted, timestamps, NOP, window scale), padded with
// NOPs to a multiple of 4. At most 40 bytes fit; SACK blocks that do not fit
// are left out.
func (o TCPOptions) Encode() []byte {
	var b []byte
	if o.HasMSS {
		b = binary.BigEndian.AppendUint16(append(b, tcpOptMSS, 4), o.MSS)
	}
	switch {
	case o.SACKPermitted && o.HasTimestamps:
		b = append(b, tcpOptSACKPerm, 2)
		b = appendTimestamps(b, o)
	case o.HasTimestamps:
		b = appendTimestamps(append(b, tcpOptNop, tcpOptNop), o)
	case o.SACKPermitted:
		b = append(b, tcpOptNop, tcpOptNop, tcpOptSACKPerm, 2)
	}
	if o.HasWindowScale {
		b = append(b, tcpOptNop, tcpOptWScale, 3, o.WindowScale)
	}
	if room := (40 - len(b) - 4) / 8; len(o.SACK) > 0 && room > 0 {
		blocks := o.SACK[:min(len(o.SACK), room)]
		b = append(b, tcpOptNop, tcpOptNop, tcpOptSACK, byte(2+8*len(blocks)))
		for _, s := range blocks {
			b = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(b, uint32(s.Left)), uint32(s.Right))
		}
	}
	for len(b)%4 != 0 {
		b = append(b, tcpOptNop)
	}
	return b
}

func appendTimestamps(b []byte, o TCPOptions) []byte {
	b = append(b, tcpOptTimestamp, 10)
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(b, o.TSVal), o.TSEcr)
}
