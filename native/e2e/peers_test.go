package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"socketville/shared/script"
)

// peerFlags let two pages of one headless Chromium reach each other:
// Chromium would hide their addresses behind mDNS names that the other
// page cannot resolve without multicast.
var peerFlags = chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns")

// consoleLine is the newest console line of st that holds text, or "".
func consoleLine(st state, text string) string {
	for i := len(st.Console) - 1; i >= 0; i-- {
		if strings.Contains(st.Console[i], text) {
			return st.Console[i]
		}
	}
	return ""
}

// invite presses the page's Invite through its Share API and returns the
// room's link.
func invite(t *testing.T, ctx context.Context) string {
	t.Helper()
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketvilleShare.invite().then(r => r.link)`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = ptrTrue() }))
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	return link
}

// TestBrowserPeers: a page invites, a second page (another window of the
// browser) opens the link, and each town gets the other's host, with a
// road between them that is a WebRTC data channel: a server on the
// friend's host takes a connection from mine and reads 1 MiB sent over
// it, with the sha256 the sender's bytes have.
func TestBrowserPeers(t *testing.T) {
	url, _ := startServe(t)
	ann := browser(t, 1100, 700, peerFlags)
	openTown(t, ann, url)
	link := invite(t, ann)
	if !strings.Contains(link, "#room=") {
		t.Fatalf("Invite gave %q, no #room=", link)
	}
	bob, cancel := chromedp.NewContext(ann) // a second window of the same browser
	defer cancel()
	openTown(t, bob, link)
	get := func(ctx context.Context) func() (state, error) { return func() (state, error) { return pageState(ctx) } }
	waitFor(t, 30*time.Second, "ann's road to bob", get(ann), func(s state) bool { return consoleLine(s, "$ peer ann bob 10.99.0.2") != "" })
	st := waitFor(t, 30*time.Second, "bob's road to ann", get(bob), func(s state) bool { return consoleLine(s, "$ peer bob ann 10.99.0.1") != "" })
	if !strings.Contains(st.KernelBadge, "shared") {
		t.Errorf("bob's badge says %q", st.KernelBadge)
	}
	for _, ctx := range []context.Context{ann, bob} {
		if s, _ := pageState(ctx); consoleLine(s, "is open: a WebRTC data channel") == "" {
			t.Errorf("a road did not open as a data channel: %q", lastLines(s.Console, 8))
		}
	}
	for _, l := range []string{"bob/app: socket tcp", "bob/app: bind 3 0.0.0.0:7000", "bob/app: listen 3 5", "bob/app: accept 3 &"} {
		typeQuick(t, bob, l)
	}
	start := time.Now()
	for _, l := range []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7000", "ann/app: send 3 size=1048576 &"} {
		typeQuick(t, ann, l)
	}
	typeQuick(t, bob, "bob/app: recv 4 all &")
	waitFor(t, 20*time.Second, "ann's send takes the 1 MiB", get(ann), func(s state) bool { return consoleLine(s, "=> 1048576") != "" })
	typeQuick(t, ann, "ann/app: close 3")
	st = waitFor(t, 120*time.Second, "bob's recv all returns", get(bob), func(s state) bool { return consoleLine(s, "sha256=") != "" })
	took := time.Since(start)
	sum := sha256.Sum256(script.Pattern(1 << 20))
	got := consoleLine(st, "sha256=")
	if !strings.Contains(got, "1048576 bytes sha256="+hex.EncodeToString(sum[:])) {
		t.Fatalf("bob read %q; want 1048576 bytes with the sha256 of what ann sent", got)
	}
	t.Logf("1 MiB from page to page: %v from typing the connect to the sha256, typing included (%.2f Mbit/s at the least)", took.Round(time.Millisecond), 8.0/took.Seconds())
	for _, ctx := range []context.Context{ann, bob} {
		if s, err := pageState(ctx); err == nil {
			for _, l := range s.Console {
				if strings.Contains(l, "relayed") {
					// The relay is the fallback working; the
					// page-to-page data channel is what this
					// test is about, so say it loudly.
					t.Logf("WARNING: a road fell back to the hub during the test: %s", l)
				}
			}
		}
	}
	shot(t, ann, "peers-ann.png")
	shot(t, bob, "peers-bob.png")
}

func ptrTrue() *bool { b := true; return &b }
