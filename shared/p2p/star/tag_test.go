package star_test

import (
	"bytes"
	"errors"
	"testing"

	"socketville/shared/p2p/signal"
	"socketville/shared/p2p/star"
	"socketville/shared/sock"
)

// tagFixtures are tagged messages and their bytes, checked both ways.
var tagFixtures = []struct {
	name string
	peer signal.PeerID
	body string
	wire string
}{
	{name: "to p2", peer: "p2", body: "E", wire: "\x02p2E"},
	{name: "to every peer", peer: "", body: "state", wire: "\x00state"},
	{name: "longest id", peer: "p123456789012345", body: "x", wire: "\x10p123456789012345x"},
}

func TestTagBothWays(t *testing.T) {
	for _, f := range tagFixtures {
		t.Run(f.name, func(t *testing.T) {
			if got := star.Tag(f.peer, []byte(f.body)); string(got) != f.wire {
				t.Errorf("Tag = %q, want %q", got, f.wire)
			}
			peer, body, err := star.Untag([]byte(f.wire))
			if err != nil || peer != f.peer || string(body) != f.body {
				t.Errorf("Untag(%q) = %q, %q, %v; want %q, %q", f.wire, peer, body, err, f.peer, f.body)
			}
			if len(f.wire)-len(f.body) > star.MaxTag {
				t.Errorf("a tag of %d bytes, over MaxTag %d", len(f.wire)-len(f.body), star.MaxTag)
			}
		})
	}
}

func TestUntagRefuses(t *testing.T) {
	for _, b := range []string{
		"",                       // nothing
		"\x02p",                  // cut inside the tag
		"\x02p2",                 // no body
		"\x11p1234567890123456x", // an id of 17
		"\x02P2x",                // not a peer id
		"\x02-px",                // starts with '-'
		"\xffxx",                 // length far over
	} {
		if peer, body, err := star.Untag([]byte(b)); !errors.Is(err, sock.ErrInval) {
			t.Errorf("Untag(%q) = %q, %q, %v; want EINVAL", b, peer, body, err)
		}
	}
}

func FuzzUntag(f *testing.F) {
	for _, x := range tagFixtures {
		f.Add([]byte(x.wire))
	}
	f.Add([]byte("\x02p"))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		peer, body, err := star.Untag(b)
		if err != nil {
			if sock.ErrnoOf(err) == nil {
				t.Fatalf("Untag's refusal %v names no errno", err)
			}
			return
		}
		if again := star.Tag(peer, body); !bytes.Equal(again, b) {
			t.Fatalf("Untag(%q) = %q, %q, which tags as %q", b, peer, body, again)
		}
	})
}
