package wire

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Sum adds b to a running one's-complement sum as RFC 1071 describes: the bytes
// are taken as big-endian 16-bit words, and an odd last byte is padded with zero.
// The result is not folded; pass it to Fold or to further Sum calls.
func Sum(b []byte, initial uint32) uint32 {
	// Add 64-bit words with end-around carry, four at a time: the one's
	// complement sum does not care how wide the words are.
	var wide, carry uint64
	for len(b) >= 32 {
		wide, carry = bits.Add64(wide, binary.BigEndian.Uint64(b), carry)
		wide, carry = bits.Add64(wide, binary.BigEndian.Uint64(b[8:]), carry)
		wide, carry = bits.Add64(wide, binary.BigEndian.Uint64(b[16:]), carry)
		wide, carry = bits.Add64(wide, binary.BigEndian.Uint64(b[24:]), carry)
		b = b[32:]
	}
	for len(b) >= 8 {
		wide, carry = bits.Add64(wide, binary.BigEndian.Uint64(b), carry)
		b = b[8:]
	}
	wide, carry = bits.Add64(wide, carry, 0)
	wide += carry // cannot carry again: wide was all ones and is now zero
	sum := uint64(initial) + wide>>32 + wide&0xffffffff
	for len(b) >= 2 {
		sum += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint64(b[0]) << 8
	}
	for sum>>32 != 0 {
		sum = (sum & 0xffffffff) + sum>>32
	}
	return uint32(sum)
}

// Fold folds a running sum to 16 bits and returns its one's complement: the
// value that goes into a checksum field.
func Fold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = (sum & 0xffff) + sum>>16
	}
	return ^uint16(sum)
}

// Checksum returns the Internet checksum of b.
func Checksum(b []byte) uint16 {
	return Fold(Sum(b, 0))
}

// PseudoHeaderSum returns the running sum of the IPv4 pseudo-header that UDP
// and TCP checksums cover (RFC 768, RFC 9293 section 3.1).
func PseudoHeaderSum(src, dst netip.Addr, proto Protocol, length int) uint32 {
	s := src.As4()
	d := dst.As4()
	sum := Sum(s[:], 0)
	sum = Sum(d[:], sum)
	return sum + uint32(proto) + uint32(length)
}
