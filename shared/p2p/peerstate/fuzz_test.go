package peerstate_test

import (
	"bytes"
	"reflect"
	"testing"

	"socketville/shared/p2p/peerstate"
)

// FuzzDecode: whatever the bytes, Decode neither panics nor accepts more
// than MaxSize; what it accepts encodes back to the same bytes (the form
// has one spelling for each part) and decodes to the same part.
func FuzzDecode(f *testing.F) {
	for _, p := range []peerstate.Part{{}, valid(), manySockets(3), busyPart(f), peerPart(f, "bob", "ann", "carol")} {
		b, err := peerstate.Encode(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{'P', 1})
	f.Add([]byte{'P', 1, 0, 0, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := peerstate.Decode(b)
		if err != nil {
			return
		}
		if len(b) > peerstate.MaxSize {
			t.Fatalf("Decode accepted %d bytes, over %d", len(b), peerstate.MaxSize)
		}
		again, err := peerstate.Encode(p)
		if err != nil {
			t.Fatalf("Decode accepted a part Encode refuses: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("the part encodes to other bytes:\n got %x\nfrom %x", again, b)
		}
		q, err := peerstate.Decode(again)
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("the round trip changed the part (%v)", err)
		}
	})
}
