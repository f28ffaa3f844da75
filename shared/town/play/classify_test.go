package play_test

import (
	"net/netip"
	"testing"

	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// TestClassifyFragments: a fragment is named by its offset and size, not
// read as a whole datagram (only the first piece carries the UDP header).
func TestClassifyFragments(t *testing.T) {
	piece := func(off, n int, more bool) []byte {
		hdr := wire.IPv4Header{ID: 9, FragOffset: off, TTL: 64, Protocol: wire.ProtocolUDP,
			Src: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.0.0.2"), PayloadLen: n}
		if more {
			hdr.Flags = wire.IPv4MoreFragments
		}
		b := make([]byte, hdr.Len()+n)
		if err := hdr.Encode(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		pkt  []byte
		want string
	}{
		{piece(0, 1480, true), "fragment @0 1480 B +"},
		{piece(1480, 1480, true), "fragment @1480 1480 B +"},
		{piece(2960, 48, false), "fragment @2960 48 B"},
	} {
		kind, label := play.Classify(c.pkt)
		if kind != play.LetterUDP || label != c.want {
			t.Errorf("got %v %q, want a UDP letter %q", kind, label, c.want)
		}
	}
}
