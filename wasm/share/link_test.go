package share_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/shared/town/play"
	"socketville/wasm/share"
)

func TestLinkRoundTrip(t *testing.T) {
	for _, text := range []string{"x", "host a 10.0.0.1/24\nhost b 10.0.0.2/24\n", strings.Repeat("a/p: send 3 \"hello\"\n", 3000), "ünïcode ✓\x00"} {
		v, err := share.EncodeLink([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(v, "+/=#&?% ") {
			t.Errorf("the link value %q has a character a URL would change", v[:min(len(v), 40)])
		}
		got, err := share.DecodeLink(v)
		if err != nil || string(got) != text {
			t.Errorf("round trip of %d bytes: %d bytes, %v", len(text), len(got), err)
		}
	}
}

func deflated(b []byte) string {
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(b)
	w.Close()
	return base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// TestHostileLinks: every bad link is a sentence, never a panic.
func TestHostileLinks(t *testing.T) {
	good, _ := share.EncodeLink([]byte("host a 10.0.0.1/24\n"))
	for _, c := range []struct {
		name, value, want string
	}{
		{name: "empty", value: "", want: "carries no town"},
		{name: "not base64", value: "!!!not*base64!!!", want: "not base64url"},
		{name: "cut short", value: good[:len(good)/2], want: "cut short"},
		{name: "not deflate", value: base64.RawURLEncoding.EncodeToString([]byte("plain text, not deflated at all")), want: "does not unpack"},
		{name: "too long", value: strings.Repeat("A", share.MaxLink+1), want: "more than a Socketville link may"},
		{name: "a deflate bomb", value: deflated(make([]byte, 4*share.MaxText)), want: "unpacks to more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := share.DecodeLink(c.value)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("DecodeLink: %v, want an error saying %q", err, c.want)
			}
		})
	}
}

func TestPaddedAndStandardBase64AreTaken(t *testing.T) {
	v, _ := share.EncodeLink([]byte("host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\n"))
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	std := base64.StdEncoding.EncodeToString(raw)
	if got, err := share.DecodeLink(std); err != nil || !strings.HasPrefix(string(got), "host a") {
		t.Errorf("standard base64 with padding: %q, %v", got, err)
	}
}

func TestTooBigForALink(t *testing.T) {
	// Random-looking text deflates badly: more than a link carries.
	var b strings.Builder
	for i := 0; b.Len() < 200<<10; i++ {
		b.WriteString(base64.StdEncoding.EncodeToString([]byte{byte(i * 7919), byte(i * 104729 >> 3), byte(i >> 5), byte(i * 31)}))
	}
	_, err := share.EncodeLink([]byte(b.String()))
	if !errors.Is(err, share.ErrTooBig) || !strings.Contains(err.Error(), "save it as a .sv file") {
		t.Errorf("EncodeLink of a huge town: %v, want ErrTooBig saying to save a file", err)
	}
}

func TestFromFragment(t *testing.T) {
	for _, c := range []struct {
		hash, want string
		ok         bool
	}{
		{hash: "#s=abc", want: "abc", ok: true},
		{hash: "#x=1&s=abc", want: "abc", ok: true},
		{hash: "#", ok: false},
		{hash: "", ok: false},
		{hash: "#lesson=3", ok: false},
	} {
		if got, ok := share.FromFragment(c.hash); got != c.want || ok != c.ok {
			t.Errorf("FromFragment(%q) = %q, %v", c.hash, got, ok)
		}
	}
}

// TestEveryExampleFitsALink plays every example to its end in a town's
// player, as fast as it goes, and packs its session into a link: each
// fits, unpacks to the same session, and the log says how long it is.
func TestEveryExampleFitsALink(t *testing.T) {
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
			if err != nil {
				t.Fatal(err)
			}
			p.SetFastest(true)
			p.SetPaused(false)
			for i := 0; p.Busy() || !p.Idle(); i++ {
				if i > 20_000 {
					t.Skipf("%s does not end within 20,000 frames (a live or endless town)", ex.Name)
				}
				p.Tick(time.Second / 60)
			}
			text, err := p.Session().MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			v, err := share.EncodeLink(text)
			if err != nil {
				t.Fatalf("%d bytes of session, %d events: %v", len(text), p.EventCount(), err)
			}
			back, err := share.DecodeLink(v)
			if err != nil || !bytes.Equal(back, text) {
				t.Fatalf("the link does not unpack to its session: %v", err)
			}
			t.Logf("%d events, a session of %d bytes, a link value of %d characters", p.EventCount(), len(text), len(v))
		})
	}
}
