package peerstate_test

import (
	"testing"

	"socketville/shared/p2p/peerstate"
)

// BenchmarkEncodeDecode50 is one part of a host with 50 TCP sockets (TCP
// details and two options each) encoded and decoded, as a peer sends it
// a few times a second and every other peer reads it.
func BenchmarkEncodeDecode50(b *testing.B) {
	p := manySockets(50)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		enc, err := peerstate.Encode(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := peerstate.Decode(enc); err != nil {
			b.Fatal(err)
		}
		n = len(enc)
	}
	b.ReportMetric(float64(n), "bytes/part")
}
