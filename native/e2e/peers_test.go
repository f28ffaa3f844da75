package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	cheap(t, ann)
	openTown(t, ann, url)
	link := invite(t, ann)
	if !strings.Contains(link, "#room=") {
		t.Fatalf("Invite gave %q, no #room=", link)
	}
	bob, cancel := chromedp.NewContext(ann) // a second window of the same browser
	defer cancel()
	cheap(t, bob)
	openTown(t, bob, link)
	get := func(ctx context.Context) func() (state, error) {
		return func() (state, error) { return pageState(ctx) }
	}
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
	for _, p := range []struct {
		who string
		ctx context.Context
	}{{"ann", ann}, {"bob", bob}} {
		if s, err := pageState(p.ctx); err == nil {
			t.Logf("%s's page: %.0f frames and %.0f ticks a second", p.who, s.FPS, s.TPS)
		}
	}
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
	threeWayUDP(t, link, ann, bob)
	shot(t, bob, "peers-bob.png")
	friendLeaves(t, ann, cancel)
	shot(t, ann, "peers-ann.png")
}

// friendLeaves closes bob's page while ann sends to bob's server: ann's
// TCP retransmits into the road that is gone and, with
// TCP_USER_TIMEOUT set as a teacher would to keep the demo short, gives
// up with ETIMEDOUT as Linux would.
func friendLeaves(t *testing.T, ann context.Context, closeBob func()) {
	t.Helper()
	for _, l := range []string{"ann/app: socket tcp", "ann/app: setsockopt 4 TCP_USER_TIMEOUT 3000", "ann/app: connect 4 10.99.0.2:7000",
		"ann/app: send 4 size=16777216 &"} {
		typeQuick(t, ann, l)
	}
	closeBob()
	get := func() (state, error) { return pageState(ann) }
	waitFor(t, 30*time.Second, "ann's town learns that bob left", get, func(s state) bool { return consoleLine(s, "$ peer ann bob gone") != "" })
	end := time.Now().Add(60 * time.Second)
	for {
		s, err := pageState(ann)
		if err == nil && consoleLine(s, "ETIMEDOUT") != "" {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("ann's send did not give up within 60 s; her console ends: %q", lastLines(s.Console, 14))
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := pageState(ann)
	t.Logf("ann's send: %s", consoleLine(st, "ETIMEDOUT"))
}

// joined is a native peer started with socketville join --headless: its
// console as it prints it.
type joined struct {
	mu    sync.Mutex
	lines []string
}

func (j *joined) has(text string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, l := range j.lines {
		if strings.Contains(l, text) {
			return true
		}
	}
	return false
}

// joinNative starts the native binary in the room of link, headless,
// typing lines once its roads to both pages are open.
func joinNative(t *testing.T, link string, lines ...string) *joined {
	return joinNativeWaiting(t, link, 1, lines...)
}

// joinNativeWaiting is joinNative typing its lines once roads to peers
// peers are open.
func joinNativeWaiting(t *testing.T, link string, peers int, lines ...string) *joined {
	t.Helper()
	f := filepath.Join(t.TempDir(), "lines.sv")
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "join", "--headless", "--loopback", "--peers", strconv.Itoa(peers), "--lines", f, "--for", "180s", link)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	j := &joined{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			j.mu.Lock()
			j.lines = append(j.lines, sc.Text())
			j.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		<-done
		_ = cmd.Wait()
	})
	return j
}

// threeWayUDP: a native peer joins the two pages' room; each of the
// three binds UDP port 9000 and sends a datagram to each of the others,
// and each reads the two sent to it.
func threeWayUDP(t *testing.T, link string, ann, bob context.Context) {
	t.Helper()
	get := func(ctx context.Context) func() (state, error) {
		return func() (state, error) { return pageState(ctx) }
	}
	// ann closed her TCP socket, so her UDP one is fd 3; bob's is 5.
	for _, p := range []struct {
		ctx      context.Context
		host, fd string
	}{{ann, "ann", "3"}, {bob, "bob", "5"}} {
		for _, l := range []string{"socket udp", "bind FD 0.0.0.0:9000", "recvfrom FD 100 &", "recvfrom FD 100 &"} {
			typeQuick(t, p.ctx, p.host+"/app: "+strings.ReplaceAll(l, "FD", p.fd))
		}
	}
	cy := joinNativeWaiting(t, link, 2,
		"cy/app: socket udp", "cy/app: bind 3 0.0.0.0:9000", "cy/app: recvfrom 3 100 &", "cy/app: recvfrom 3 100 &",
		`cy/app: sendto 3 10.99.0.1:9000 "cy to ann"`, `cy/app: sendto 3 10.99.0.2:9000 "cy to bob"`)
	waitFor(t, 40*time.Second, "ann's road to the native peer", get(ann), func(s state) bool { return consoleLine(s, "$ peer ann cy 10.99.0.3") != "" })
	waitFor(t, 20*time.Second, "bob's road to the native peer", get(bob), func(s state) bool { return consoleLine(s, "$ peer bob cy 10.99.0.3") != "" })
	typeQuick(t, ann, `ann/app: sendto 3 10.99.0.2:9000 "ann to bob"`)
	typeQuick(t, ann, `ann/app: sendto 3 10.99.0.3:9000 "ann to cy"`)
	typeQuick(t, bob, `bob/app: sendto 5 10.99.0.1:9000 "bob to ann"`)
	typeQuick(t, bob, `bob/app: sendto 5 10.99.0.3:9000 "bob to cy"`)
	for _, w := range []struct {
		ctx  context.Context
		text string
	}{{ann, `"bob to ann"`}, {ann, `"cy to ann"`}, {bob, `"ann to bob"`}, {bob, `"cy to bob"`}} {
		waitFor(t, 30*time.Second, "a datagram "+w.text, get(w.ctx), func(s state) bool { return consoleLine(s, w.text) != "" })
	}
	end := time.Now().Add(30 * time.Second)
	for !(cy.has(`"ann to cy"`) && cy.has(`"bob to cy"`)) {
		if time.Now().After(end) {
			cy.mu.Lock()
			t.Fatalf("the native peer did not read both datagrams; its console: %q", cy.lines)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptrTrue() *bool { b := true; return &b }

// cheap draws a page at half the device pixels, as the lessons' learner
// does: two pages drawing in software share two cores, and each typed
// key waits for a frame.
func cheap(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 700, chromedp.EmulateScale(learnerScale))); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserPeersRelayed: a page that may not use WebRTC (?webrtc=0, as
// behind a network that blocks peer-to-peer UDP) invites, a native peer
// (bob) joins and serves; the road says "relayed", and 1 MiB still crosses
// by TCP through the hub with the sender's sha256. And the same through a
// server with --star, the road a real data channel to the server's router
// and its sign saying "via the server".
func TestBrowserPeersRelayed(t *testing.T) {
	for _, c := range []struct {
		name, query string
		serve       []string
		says        string
	}{
		{name: "hub", query: "/?webrtc=0", says: "relayed"},
		{name: "star", serve: []string{"--star"}, says: "via the server"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, _ := startServe(t, c.serve...)
			ann := browser(t, 1100, 700)
			cheap(t, ann)
			openTown(t, ann, url+c.query)
			link := invite(t, ann)
			bob := joinNative(t, link, "bob/app: socket tcp", "bob/app: bind 3 0.0.0.0:7000", "bob/app: listen 3 5", "bob/app: accept 3", "bob/app: recv 4 all")
			get := func() (state, error) { return pageState(ann) }
			waitFor(t, 40*time.Second, "ann's road to the native peer", get, func(s state) bool { return consoleLine(s, "$ peer ann bob 10.99.0.2") != "" })
			if st, _ := pageState(ann); consoleLine(st, c.says) == "" {
				t.Errorf("the page does not say its road is %s: %q", c.says, lastLines(st.Console, 8))
			}
			for _, l := range []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7000", "ann/app: send 3 size=1048576", "ann/app: close 3"} {
				typeQuick(t, ann, l)
			}
			sum := sha256.Sum256(script.Pattern(1 << 20))
			want := "1048576 bytes sha256=" + hex.EncodeToString(sum[:])
			start := time.Now()
			end := start.Add(90 * time.Second)
			for !bob.has(want) {
				if time.Now().After(end) {
					bob.mu.Lock()
					st, _ := pageState(ann)
					t.Fatalf("the native server did not read the 1 MiB; its console ends: %q; the page's: %q", lastLines(bob.lines, 10), lastLines(st.Console, 10))
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Logf("1 MiB from the page to the native peer: %v after the lines were typed", time.Since(start).Round(time.Millisecond))
			shot(t, ann, "peers-"+c.name+".png")
		})
	}
}
