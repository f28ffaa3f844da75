// Package share packs a town for sharing, away from the page: the URL
// fragment of a "Copy link" (a session's text, deflated and base64url'd,
// nothing stored on a server) and the pcap of what a town did. It is
// plain Go, so its tests run natively; wasm/main.go wires it to the page.
package share

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	// LinkKey is the fragment's key: a link is PAGE#s=VALUE.
	LinkKey = "s="
	// MaxLink is the longest VALUE a link may carry (base64url): about
	// 48 KiB of deflated text, far more than any example needs, and
	// short enough for every browser's address bar and chat program.
	MaxLink = 64 << 10
	// MaxText is the most a link unpacks to: a deflated link could
	// otherwise unpack to gigabytes from a few kilobytes.
	MaxText = 1 << 20
)

// ErrTooBig says a town is too big for a link; Save it as a file instead.
var ErrTooBig = errors.New("too big for a link")

// EncodeLink packs text into a link's fragment value.
func EncodeLink(text []byte) (string, error) {
	if len(text) > MaxText {
		return "", fmt.Errorf("the town's text is %d KiB, more than a link carries (%d KiB): save it as a .sv file instead: %w", len(text)>>10, MaxText>>10, ErrTooBig)
	}
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(text); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	v := base64.RawURLEncoding.EncodeToString(b.Bytes())
	if len(v) > MaxLink {
		return "", fmt.Errorf("the town packs to %d KiB, more than a link carries (%d KiB): save it as a .sv file instead: %w", len(v)>>10, MaxLink>>10, ErrTooBig)
	}
	return v, nil
}

// DecodeLink unpacks a link's fragment value, saying in plain words what
// is wrong with one that was cut short, mistyped or made to harm.
func DecodeLink(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, errors.New("the link carries no town (nothing after #s=)")
	}
	if len(v) > MaxLink {
		return nil, fmt.Errorf("the link carries %d KiB, more than a Socketville link may (%d KiB)", len(v)>>10, MaxLink>>10)
	}
	// Padding and the standard alphabet are taken too: a person or a
	// chat program may have changed them.
	z, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(v), "="))
	if err != nil {
		return nil, fmt.Errorf("the link is damaged (not base64url: %v); ask for it again, whole", err)
	}
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	text, err := io.ReadAll(io.LimitReader(r, MaxText+1))
	if err != nil {
		return nil, fmt.Errorf("the link is damaged (it does not unpack: %v); was it cut short?", err)
	}
	if len(text) > MaxText {
		return nil, fmt.Errorf("the link unpacks to more than %d KiB, more than any town needs", MaxText>>10)
	}
	return text, nil
}

// FromFragment finds a link's value in a location.hash ("#s=..." among
// other "&"-separated parts); ok is false when the hash holds no town.
func FromFragment(hash string) (v string, ok bool) {
	for _, part := range strings.Split(strings.TrimPrefix(hash, "#"), "&") {
		if rest, found := strings.CutPrefix(part, LinkKey); found {
			return rest, true
		}
	}
	return "", false
}
