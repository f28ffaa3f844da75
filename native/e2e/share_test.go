package e2e

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"socketville/wasm/share"
)

// shared is the part of the town's state the sharing tests read.
type shared struct {
	Scenario    string   `json:"scenario"`
	Frames      int      `json:"frames"`
	Paused      bool     `json:"paused"`
	Console     []string `json:"console"`
	EventCount  int      `json:"event_count"`
	EventIndex  int      `json:"event_index"`
	Digest      string   `json:"digest"`
	TraceDigest string   `json:"trace_digest"`
	Town        box      `json:"town"`
	Picker      box      `json:"picker"`
	Buttons     []struct {
		Label string
		Box   box
	} `json:"buttons"`
	Sliders []struct {
		Name string
		Box  box
	} `json:"sliders"`
}

// sharedState reads the town's state through its hook.
func sharedState(ctx context.Context) (shared, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return shared{}, fmt.Errorf("no state yet (%v)", err)
	}
	var st shared
	err = jsonUnmarshal(s, &st)
	return st, err
}

// waitShared polls the state until ok holds, or fails the test.
func waitShared(t *testing.T, ctx context.Context, d time.Duration, what string, ok func(shared) bool) shared {
	t.Helper()
	var st shared
	var err error
	for end := time.Now().Add(d); time.Now().Before(end); {
		if st, err = sharedState(ctx); err == nil && ok(st) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s (last: %q at event %d of %d, frames %d, err %v, console %q)",
		what, st.Scenario, st.EventIndex, st.EventCount, st.Frames, err, tail(st.Console, 4))
	return st
}

// tail is the last n lines.
func tail(lines []string, n int) []string { return lines[max(0, len(lines)-n):] }

// openShared navigates to url and waits for the town's first frame and
// the Share toolbar.
func openShared(t *testing.T, ctx context.Context, url string) shared {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	needWebGL(t, ctx)
	st := waitShared(t, ctx, 30*time.Second, "the first frame", func(s shared) bool { return s.Frames > 0 })
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("share").hidden`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the Share toolbar did not show: %v", err)
	}
	return st
}

// message is what the page's message line says now.
func message(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("sharemsg").textContent + " " + [...document.querySelectorAll("#note")].map(n => n.textContent).join(" ")`))
	return strings.TrimSpace(s)
}

// waitMessage waits for the page's message line to say want.
func waitMessage(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	var m string
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if m = message(ctx); strings.Contains(m, want) {
			return m
		}
	}
	t.Fatalf("the page never said %q (it says %q)", want, m)
	return m
}

// pressButton opens the Share menu with a click on its button and
// clicks the menu's button id, where each is on screen, as a person would.
func pressButton(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	openMenu(t, ctx)
	clickElement(t, ctx, "#"+id)
}

// openMenu clicks the Share button unless its menu is open.
func openMenu(t *testing.T, ctx context.Context) {
	t.Helper()
	if open, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("share").open`)); open {
		return
	}
	clickElement(t, ctx, "#share > summary")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("share").open`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the Share menu did not open: %v", err)
	}
}

// clickElement clicks the middle of the element sel where it is on
// screen (chromedp's Click waits for a page that never stops drawing).
func clickElement(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	var b box
	js := fmt.Sprintf(`JSON.stringify((r => ({X: r.x, Y: r.y, W: r.width, H: r.height}))(document.querySelector(%q).getBoundingClientRect()))`, sel)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err == nil {
		err = jsonUnmarshal(s, &b)
	}
	if err != nil || b.W == 0 {
		t.Fatalf("%s is not on screen (%+v, %v)", sel, b, err)
	}
	if err := click(ctx, b.X+b.W/2, b.Y+b.H/2); err != nil {
		t.Fatal(err)
	}
}

// downloads lets the page download into a folder of the test's and
// returns a function that waits for the next file there.
func downloads(t *testing.T, ctx context.Context) func(what string) string {
	t.Helper()
	dir := t.TempDir()
	on := true
	params := cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdpbrowser.SetDownloadBehavior, params)
		return err
	})); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	// The page's session asked, so its session hears how downloads go.
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			done <- filepath.Join(dir, e.GUID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func(what string) string {
		t.Helper()
		select {
		case p := <-done:
			return p
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no download", what)
			return ""
		}
	}
}

// playAndType plays hello-tcp at 4x for a while, pauses, types a line
// of its own at the console, steps three times and plays on a little: a
// town with a typed line, stopped mid-story.
func playAndType(t *testing.T, ctx context.Context, url string) shared {
	t.Helper()
	openShared(t, ctx, url+"?play=1&speed=4&scenario=hello-tcp")
	waitShared(t, ctx, 60*time.Second, "hello-tcp's connection", func(s shared) bool { return s.EventIndex > 12 })
	clickButton(t, ctx, "Pause")
	waitShared(t, ctx, 5*time.Second, "paused", func(s shared) bool { return s.Paused })
	typeLine(t, ctx, "b/web: socket udp")
	for range 3 {
		clickButton(t, ctx, "Step")
	}
	time.Sleep(500 * time.Millisecond) // a few frames: the state is published every sixth
	return waitShared(t, ctx, 5*time.Second, "the typed line's event", func(s shared) bool {
		return strings.Contains(strings.Join(s.Console, "\n"), "$ b/web: socket udp")
	})
}

// TestBrowserShareLink plays hello-tcp with a typed line and steps, then
// presses Copy link: the link in the address bar, opened in a new page
// of another browser, replays to the same events (the same trace digest)
// and the same state (snapshot digest), typed line included, paused; so
// does the link's session saved as a file and opened with Open .sv.
func TestBrowserShareLink(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	playAndType(t, ctx, url)
	pressButton(t, ctx, "copylink")
	waitMessage(t, ctx, "holds the whole town")
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil || !strings.Contains(link, "#s=") {
		t.Fatalf("the address bar holds %q after Copy link (%v), want a #s= link", link, err)
	}
	st := waitShared(t, ctx, 5*time.Second, "the state", func(shared) bool { return true })
	t.Logf("link of %d characters for %d events", len(link), st.EventIndex)

	other := browser(t, 1280, 800)
	got := openShared(t, other, link)
	got = waitShared(t, other, 30*time.Second, "the link's town", func(s shared) bool { return s.TraceDigest == st.TraceDigest })
	if got.EventIndex != st.EventIndex || got.Digest != st.Digest || got.Scenario != st.Scenario || !got.Paused {
		t.Errorf("opened: %q at event %d, snapshot %.12s, paused %v; shared: %q at %d, %.12s", got.Scenario, got.EventIndex, got.Digest, got.Paused, st.Scenario, st.EventIndex, st.Digest)
	}
	if !strings.Contains(strings.Join(got.Console, "\n"), "socket udp") {
		t.Errorf("the typed line is not in the opened town's console: %q", tail(got.Console, 10))
	}
	shot(t, other, "share-link-opened-1280x800.png")

	// The link's session saved as a file opens to the same town too.
	v, _ := strings.CutPrefix(link[strings.Index(link, "#"):], "#s=")
	text, err := share.DecodeLink(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shared.sv")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	openShared(t, other, url+"?scenario=two-clients")
	if err := chromedp.Do(other, chromedp.SetUploadFiles("#openfile", []string{path})); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, other, "Playing shared.sv")
	got = waitShared(t, other, 30*time.Second, "the session file's town", func(s shared) bool { return s.TraceDigest == st.TraceDigest })
	if got.Digest != st.Digest || got.EventIndex != st.EventIndex {
		t.Errorf("the session file opened at event %d, snapshot %.12s; shared at %d, %.12s", got.EventIndex, got.Digest, st.EventIndex, st.Digest)
	}
}

// TestBrowserSaveOpenAndPcap saves a town with a typed line as a .sv,
// opens that file again through the page's file input, and saves once
// more: the same bytes, and the town plays the saved scenario. The
// pcap it downloads is read by tshark, every frame and none malformed.
func TestBrowserSaveOpenAndPcap(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	next := downloads(t, ctx)
	playAndType(t, ctx, url)

	pressButton(t, ctx, "pcap")
	msg := waitMessage(t, ctx, "Downloaded")
	checkPcap(t, next("pcap"), msg)

	pressButton(t, ctx, "savesv")
	waitMessage(t, ctx, "Saved hello-tcp.sv")
	first, err := os.ReadFile(next("Save"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(first, []byte("b/web: socket udp   # typed at")) {
		t.Fatalf("the saved .sv has no typed line:\n%s", first)
	}
	path := filepath.Join(t.TempDir(), "my-town.sv")
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#openfile", []string{path})); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, ctx, "Playing my-town.sv")
	waitShared(t, ctx, 10*time.Second, "my-town playing", func(s shared) bool { return s.Scenario == "my-town" })
	pressButton(t, ctx, "savesv")
	waitMessage(t, ctx, "Saved my-town.sv")
	again, err := os.ReadFile(next("Save again"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, first) {
		t.Errorf("saved, opened and saved again, the scenario changed:\n%s\nwas:\n%s", again, first)
	}
}

// checkPcap has tshark read a downloaded pcap: as many frames as the
// page said, and none malformed (see wasm/share's test for why each
// segment is read alone).
func checkPcap(t *testing.T, path, msg string) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		need(t, "tshark is not installed (./build.sh deps installs it)")
	}
	var frames int
	if _, err := fmt.Sscanf(msg[strings.Index(msg, ": ")+2:], "%d frames", &frames); err != nil || frames < 3 {
		t.Fatalf("the page said %q: want the number of frames, at least a handshake's", msg)
	}
	out, err := exec.Command(tshark, "-o", "tcp.desegment_tcp_streams:FALSE", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.malformed", "-e", "tcp.flags.str").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	read, syn := 0, false
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) < 3 {
			continue // tshark's own notes
		}
		read++
		if f[1] != "" {
			t.Errorf("tshark finds frame %s malformed", f[0])
		}
		syn = syn || strings.Contains(f[2], "S")
	}
	if read != frames || !syn {
		t.Errorf("tshark read %d frames, the page said %d:\n%s", read, frames, out)
	}
}

// deflate packs text as a link's value would be, without the checks.
func deflate(text string) string {
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	return base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// TestBrowserHostileLinks opens links that are damaged, cut short, a
// deflate bomb, not a session, a session whose typed line does not parse
// and one whose scenario does not: each page says why in a sentence and
// opens the usual town, which goes on drawing. A hostile hash arriving
// on a live page (hashchange) is told the same way; so is a .sv that is
// not one, and one over the size a scenario may be.
func TestBrowserHostileLinks(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	session := func(src, typed string) string {
		return deflate(fmt.Sprintf("socketville session 1\nname x\nseed 0\nsource 1\n%s\ninputs 1\nl %s\n", src, typed))
	}
	for _, tt := range []struct{ name, value, want string }{
		{"not base64", "!!!%%%***", "damaged"},
		{"cut short", deflate(strings.Repeat("host a 10.0.0.1/24\n", 200))[:40], "cut short"},
		{"a deflate bomb", deflate(strings.Repeat("a", 8<<20)), "unpacks to more than"},
		{"not a session", deflate("hello, world"), "not a Socketville session"},
		{"a typed line that does not parse", session("host a 10.0.0.1/24", "a/p: frobnicate 3"), "frobnicate"},
		{"a scenario that does not parse", session("hovel a 10.0.0.1/24", "host b 10.0.0.2/24"), "hovel"},
	} {
		t.Run(strings.ReplaceAll(tt.name, " ", "-"), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			openShared(t, ctx, url+"#s="+tt.value)
			m := waitMessage(t, ctx, "could not be opened")
			if !strings.Contains(m, tt.want) {
				t.Errorf("the page says %q, want it to say %q", m, tt.want)
			}
			alive(t, ctx)
		})
	}
	t.Run("hashchange", func(t *testing.T) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash = "#s=`+deflate("socketville session 9\n")+`"; ""`)); err != nil {
			t.Fatal(err)
		}
		waitMessage(t, ctx, "version")
		alive(t, ctx)
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []struct{ name, text, want string }{
			{"picture.sv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not opened"},
			{"huge.sv", strings.Repeat("host a 10.0.0.1/24\n", 60_000), "at most 1024 KiB"},
		} {
			path := filepath.Join(dir, f.name)
			if err := os.WriteFile(path, []byte(f.text), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles("#openfile", []string{path})); err != nil {
				t.Fatal(err)
			}
			waitMessage(t, ctx, f.want)
			alive(t, ctx)
		}
	})
	shot(t, ctx, "share-hostile-1280x800.png")
}

// alive checks that the town is still drawing frames.
func alive(t *testing.T, ctx context.Context) {
	t.Helper()
	st := waitShared(t, ctx, 10*time.Second, "the town", func(shared) bool { return true })
	waitShared(t, ctx, 10*time.Second, "more frames", func(s shared) bool { return s.Frames > st.Frames })
}

// toolbar is where the Share toolbar's controls are on screen, with their
// accessible names.
type toolbarItem struct {
	ID, Label string
	Box       box
}

func toolbar(t *testing.T, ctx context.Context) []toolbarItem {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll("#share summary, #share button, #share select")]
  .filter(e => e.checkVisibility())
  .map(e => { const r = e.getBoundingClientRect(); return {ID: e.id || e.tagName, Label: e.getAttribute("aria-label") || "", Box: {X: r.x, Y: r.y, W: r.width, H: r.height}}; }))`))
	if err != nil {
		t.Fatal(err)
	}
	var items []toolbarItem
	if err := jsonUnmarshal(s, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

func overlaps(a, b box) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// TestBrowserShareToolbar: at 1280x800 the toolbar's buttons, and at 900
// px the one Share button that opens them, stand clear of the town's own
// buttons, sliders and picker; each has an accessible name; Tab reaches
// Copy link from the page's start and Enter presses it.
func TestBrowserShareToolbar(t *testing.T) {
	url := serve(t)
	for _, size := range [][2]int{{1280, 800}, {900, 700}, {390, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx := browser(t, size[0], size[1])
			openShared(t, ctx, url+"?scenario=hello-tcp")
			time.Sleep(time.Second) // the town's controls laid out at its size
			st := waitShared(t, ctx, 5*time.Second, "the town's buttons", func(s shared) bool { return len(s.Buttons) > 3 })
			items := toolbar(t, ctx)
			if len(items) == 0 {
				t.Fatal("no toolbar on screen")
			}
			var town []box
			for _, b := range st.Buttons {
				town = append(town, b.Box)
			}
			for _, s := range st.Sliders {
				town = append(town, s.Box)
			}
			town = append(town, st.Picker)
			for _, it := range items {
				if it.Label == "" {
					t.Errorf("%s has no aria-label", it.ID)
				}
				for i, b := range town {
					if b.W > 0 && overlaps(it.Box, b) {
						t.Errorf("%s at %+v covers the town's control %d at %+v", it.ID, it.Box, i, b)
					}
				}
			}
			shot(t, ctx, fmt.Sprintf("share-toolbar-%dx%d.png", size[0], size[1]))
			checkTab(t, ctx, fmt.Sprintf("%dx%d", size[0], size[1]))
			shot(t, ctx, fmt.Sprintf("share-toolbar-used-%dx%d.png", size[0], size[1]))
		})
	}
}

// checkTab presses Tab from the page's start: it reaches the Share
// button before the town, Enter opens the menu and its list stands clear
// of the town's buttons above it, Tab reaches Copy link, and Enter on it
// makes a link and folds the menu away.
func checkTab(t *testing.T, ctx context.Context, size string) {
	t.Helper()
	focused := func() string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ""`))
		return s
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.blur(); ""`)); err != nil {
		t.Fatal(err)
	}
	tab := func() {
		t.Helper()
		if err := pressKey(ctx, "Tab", 9); err != nil {
			t.Fatal(err)
		}
	}
	enter := func() {
		t.Helper()
		if err := press(ctx, '\r'); err != nil {
			t.Fatal(err)
		}
	}
	tab()
	if f := focused(); f != "SUMMARY" {
		t.Fatalf("Tab from the start focuses %q, want the Share button", f)
	}
	enter()
	tab()
	if f := focused(); f != "copylink" {
		t.Fatalf("Tab focuses %q, want Copy link", f)
	}
	if n := len(toolbar(t, ctx)); n < 5 {
		t.Errorf("the open menu shows %d controls, want the Share button and four", n)
	}
	shot(t, ctx, fmt.Sprintf("share-menu-open-%s.png", size))
	enter()
	waitMessage(t, ctx, "whole town")
	if n := len(toolbar(t, ctx)); n != 1 {
		t.Errorf("after Copy link %d controls show, want the menu folded to its Share button", n)
	}
}
