package wire_test

import (
	"math/rand/v2"
	"testing"

	"socketville/shared/wire"
)

// naiveSum is RFC 1071's sum, 16 bits at a time, the way the RFC writes it.
func naiveSum(b []byte, initial uint32) uint16 {
	sum := uint64(initial)
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint64(b[i])<<8 | uint64(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint64(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func TestSumMatchesRFC1071(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.IntN(2000))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if i%7 == 0 { // runs of 0xff exercise every carry
			for j := range b {
				b[j] = 0xff
			}
		}
		initial := r.Uint32()
		if got, want := wire.Fold(wire.Sum(b, initial)), naiveSum(b, initial); got != want {
			t.Fatalf("len %d initial %#x: Sum folds to %#04x, RFC 1071 gives %#04x", len(b), initial, got, want)
		}
	}
}
