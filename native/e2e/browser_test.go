package e2e

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const chromium = "/usr/bin/chromium"

// browser starts headless Chromium with the flags that render
// Ebitengine's WebGL in software, at a fixed viewport. --disable-gpu gave
// an empty Ebitengine page 15 frames a second at 1280x800 here, against 11
// with ANGLE's SwiftShader flags.
func browser(t testing.TB, w, h int, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, cancel := newBrowser(t, w, h, extra...)
	t.Cleanup(cancel)
	return ctx
}

// newBrowser starts a browser that lives until cancel; extra flags come
// after the usual ones and win over them.
func newBrowser(t testing.TB, w, h int, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		need(t, "chromium is not installed (./build.sh deps installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-gpu", true),
		// Chromium 148 and later give a headless page no WebGL at all
		// under --disable-gpu unless SwiftShader is allowed by name.
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
	}
	opts = append(opts, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	stop := func() { cancel(); cancelA() }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		stop()
		t.Fatalf("chromium: %v", err)
	}
	return ctx, stop
}

// openTown loads a page of the town and waits for its first frame. It
// first asks the page whether it found WebGL (index.html looks before it
// starts the wasm): without WebGL no frame ever comes, and a change in
// Chromium's defaults should fail here in one sentence, not time out.
func openTown(t *testing.T, ctx context.Context, url string) state {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	needWebGL(t, ctx)
	get := func() (state, error) { return pageState(ctx) }
	return waitFor(t, 30*time.Second, "first frame", get, func(s state) bool { return s.Frames > 0 })
}

// needWebGL asks a page of the town, just navigated to, whether it found
// WebGL, and fails at once saying so if it did not. Every test that waits
// for the town's frames asks it first.
func needWebGL(t testing.TB, ctx context.Context) {
	t.Helper()
	kind, err := chromedp.Run(ctx, chromedp.Poll[string](`window.socketvilleWebGL`, chromedp.WithPollingTimeout(10*time.Second)))
	for try := 0; err != nil && strings.Contains(err.Error(), "Cannot find context") && try < 3; try++ {
		// The poll began in the document the navigation was leaving
		// (about:blank before a test's page): ask the new one.
		time.Sleep(100 * time.Millisecond)
		kind, err = chromedp.Run(ctx, chromedp.Poll[string](`window.socketvilleWebGL`, chromedp.WithPollingTimeout(10*time.Second)))
	}
	if err != nil {
		t.Fatalf("the page did not say whether it has WebGL: %v", err)
	}
	if kind == "" {
		t.Fatalf("the page has no WebGL, so the town cannot draw: this Chromium (%s) needs another flag to give headless pages WebGL (see newBrowser)", chromiumVersion(ctx))
	}
}

// chromiumVersion is the browser's user agent, for messages.
func chromiumVersion(ctx context.Context) string {
	ua, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		return "version unknown"
	}
	if i := strings.Index(ua, "Chrome/"); i >= 0 {
		return strings.Fields(ua[i:])[0]
	}
	return ua
}

// pageState reads the town through its read-only hook.
func pageState(ctx context.Context) (state, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return state{}, err
	}
	var st state
	err = jsonUnmarshal(s, &st)
	return st, err
}

// keyHold is how long a key or button stays down: a few frames even at
// the ten or so frames a second software WebGL manages here.
const keyHold = 150 * time.Millisecond

// press sends a real key press: down, a pause of a few frames, up.
func press(ctx context.Context, r rune) error {
	for _, k := range kb.Encode(r) {
		if k.Type == input.DispatchKeyEventTypeKeyUp {
			time.Sleep(keyHold)
		}
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *k)
			return err
		})); err != nil {
			return err
		}
	}
	return nil
}

// click presses and releases the left button a few frames apart.
func click(ctx context.Context, x, y float64) error {
	return chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
}

// TestBrowserTown serves the real binary, opens the page in headless
// Chromium and plays hello-tcp: the listening door and the accepted door
// must be in the state and painted where the layout says; a space pauses,
// a click on a door opens its panel, and a line typed key by key runs in
// the console.
func TestBrowserTown(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	start := time.Now()
	first := openTown(t, ctx, url+"?scenario=hello-tcp")
	get := func() (state, error) { return pageState(ctx) }
	t.Logf("first town frame %v after navigation (state published every 6 frames)", time.Since(start).Round(time.Millisecond))
	if first.Scenario != "hello-tcp" {
		t.Fatalf("playing %q", first.Scenario)
	}
	checkOpensPaused(t, ctx)
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	// At 1x the handshake takes a few seconds: wait for both doors on port 80.
	st := waitFor(t, 30*time.Second, "b/web's accepted door", get, func(s state) bool {
		_, l := s.door("b", "web", "listen")
		_, o := s.door("b", "web", "open")
		return l && o
	})
	t.Logf("%.1f frames/s, %.1f updates/s while playing", st.FPS, st.TPS)
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "space pauses", get, func(s state) bool { return s.Paused })
	listen, ok := st.door("b", "web", "listen")
	accepted, ok2 := st.door("b", "web", "open")
	if !ok || !ok2 {
		// The pause came after the connection closed: step back to it by
		// restarting is not needed; the scenario's second connection
		// comes the same way.
		t.Fatalf("paused without both doors: %+v", st.Doors)
	}
	if listen.Port != "80" || accepted.Port != "80" || accepted.Remote != "10.0.0.1:49152" || accepted.FD != 4 {
		t.Errorf("doors: listening %+v, accepted %+v", listen, accepted)
	}
	checkIdle(t, ctx)
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "browser-town.png", shot)
	img := decodePNG(t, shot)
	checkDoorPaint(t, img, listen, 1)
	checkDoorPaint(t, img, accepted, 1)

	checkLetter(t, ctx)
	checkZoom(t, ctx, accepted)

	// Click the accepted door: its panel opens with its state diagram.
	if err := click(ctx, accepted.Box.X+accepted.Box.W/2, accepted.Box.Y+accepted.Box.H/2); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the door's panel", get, func(s state) bool { return s.Selected == "door" })
	if st.Tab != "door" || !strings.Contains(st.Panel, "b/web fd 4") || !strings.Contains(st.Panel, "ESTABLISHED") {
		t.Errorf("panel %q tab %q", st.Panel, st.Tab)
	}
	shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-door.png", shot)
	checkInspector(t, ctx, st)
	checkPanelFollows(t, ctx)

	// Type a shell line in the console, key by key, and run it.
	if err := click(ctx, 640, 780); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the console's input takes the keyboard", get, func(s state) bool { return s.Typing })
	for _, r := range "a/browser: socket udp\r" {
		if err := press(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	st = waitFor(t, 10*time.Second, "the typed line's result", get, func(s state) bool {
		return strings.Contains(strings.Join(s.Console, "\n"), "$ a/browser: socket udp")
	})
	if _, ok := st.door("a", "browser", "datagram"); !ok {
		t.Errorf("no UDP door on a/browser after the typed socket call; console:\n%s", strings.Join(st.Console, "\n"))
	}
	shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-console.png", shot)
}

// checkInspector opens the door's Bytes page, hovers the TCP flags in
// the field list and checks that the field's byte is lit in the hex dump,
// in the state and in the pixels.
func checkInspector(t *testing.T, ctx context.Context, st state) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	clickButton(t, ctx, "Bytes")
	st = waitFor(t, 5*time.Second, "the byte inspector", get, func(s state) bool {
		return s.Tab == "bytes" && s.Inspector != nil
	})
	// The inspector shows the whole frame: the Ethernet header first, so
	// the TCP flags (byte 33 of the packet) are byte 47, and the FCS last.
	flags, fcs := -1, -1
	for i, f := range st.Inspector.Fields {
		if f.Header == "TCP" && f.Name == "flags" {
			flags = i
		}
		if f.Header == "Ethernet" && f.Name == "FCS" {
			fcs = i
		}
	}
	if flags < 0 || st.Inspector.Bytes < 64 {
		t.Fatalf("inspector of %d bytes without TCP flags: %+v", st.Inspector.Bytes, st.Inspector.Fields)
	}
	if fcs < 0 || st.Inspector.Fields[fcs].Off != st.Inspector.Bytes-4 || !strings.HasSuffix(st.Inspector.Fields[fcs].Value, "(correct)") {
		t.Errorf("the frame's FCS is not its last four bytes, correct: %+v", st.Inspector.Fields)
	}
	f := st.Inspector.Fields[flags]
	if f.Off != 14+33 || f.Len != 1 || !strings.Contains(f.Value, "ACK") || f.Row.H == 0 {
		t.Fatalf("TCP flags field %+v: want byte 47 (33 of the packet, after the 14-byte Ethernet header) with ACK, on screen", f)
	}
	x, y := f.Row.center()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the hovered field lights its byte", get, func(s state) bool {
		return s.Inspector != nil && s.Inspector.Hover == flags && len(s.Inspector.Lit) == 1
	})
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "browser-inspector.png", shot)
	img := decodePNG(t, shot)
	lit := st.Inspector.Lit[0]
	// The lit byte's cell, left of its digits, is highlighted; the cell of
	// the byte before it (the data offset) is not.
	c := rgba(img, lit.X+1, lit.Y+lit.H/2)
	b := rgba(img, lit.X-lit.W+1, lit.Y+lit.H/2)
	if !highlighted(c) || highlighted(b) {
		t.Errorf("hex dump: the flags byte's cell is %v, the cell before it %v; want only the first lit", c, b)
	}
}

// highlighted reports a yellow highlight over the dark panel.
func highlighted(c color.RGBA) bool { return int(c.R) > int(c.B)+80 && int(c.G) > int(c.B)+40 }

// TestBrowserHiDPIAndResize plays the town on a screen of two device
// pixels per CSS pixel, then shrinks the window, shrinks it to almost
// nothing and makes it large: the town renders at the device's
// resolution, keeps running through every size, and its doors are painted
// where the layout says at each.
func TestBrowserHiDPIAndResize(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1000, 700)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 700, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	// At scale 2 software WebGL draws a few frames a second and the game
	// loop slows with it: three times the learner's pace gets to the
	// accepted door in seconds.
	openTown(t, ctx, url+"?play=1&scenario=hello-tcp&speed=3")
	get := func() (state, error) { return pageState(ctx) }
	bothDoors := func(s state) bool {
		_, l := s.door("b", "web", "listen")
		_, o := s.door("b", "web", "open")
		return l && o
	}
	st := waitFor(t, 45*time.Second, "the accepted door at scale 2", get, bothDoors)
	if st.Scale != 2 {
		t.Fatalf("scale %v, want 2 device pixels per CSS pixel", st.Scale)
	}
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "space pauses", get, func(s state) bool { return s.Paused && bothDoors(s) })
	checkDoors(t, ctx, st, "hidpi", 2)

	for _, size := range []struct {
		w, h  int64
		scale float64
	}{{w: 700, h: 500, scale: 2}, {w: 1, h: 1, scale: 2}, {w: 1280, h: 800, scale: 2}} {
		// The scale stays: Ebitengine 2.10 reads the page's
		// devicePixelRatio once, so a zoom after loading needs a reload
		// for the sharpest text.
		before := st
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateScale(size.scale))); err != nil {
			t.Fatal(err)
		}
		st = waitFor(t, 10*time.Second, fmt.Sprintf("the town at %dx%d", size.w, size.h), get, func(s state) bool {
			return s.Frames > before.Frames+12 && s.Scale == size.scale && s.Town != before.Town
		})
		if size.w > 100 {
			checkDoors(t, ctx, st, fmt.Sprintf("%dx%d", size.w, size.h), size.scale)
		}
	}
	// Still alive and answering: a line typed in the console runs.
	if err := press(ctx, '\r'); err != nil {
		t.Fatal(err)
	}
	for _, r := range "b/web: socket udp\r" {
		if err := press(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "a UDP door after the resizes", get, func(s state) bool {
		_, ok := s.door("b", "web", "datagram")
		return ok
	})
}

// checkDoors takes a screenshot and checks b/web's two doors on port 80
// are painted where the state says.
func checkDoors(t *testing.T, ctx context.Context, st state, name string, scale float64) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "browser-"+name+".png", shot)
	img := decodePNG(t, shot)
	if got := float64(img.Bounds().Dx()); got < st.Town.W*scale {
		t.Fatalf("%s: a screenshot %v pixels wide for a town %v CSS pixels wide at scale %v", name, got, st.Town.W, scale)
	}
	for _, style := range []string{"listen", "open"} {
		d, _ := st.door("b", "web", style)
		checkDoorPaint(t, img, d, scale)
	}
	// The panel is painted too, not left blank by a frame that drew the
	// town alone: its bottom-right corner, below any text, has its colour.
	// (A narrow window's panel is a drawer, closed while nothing is
	// selected: then there is no panel to look at.)
	p := st.PanelBox
	if c := rgba(img, (p.X+p.W-6)*scale, (p.Y+p.H-6)*scale); p.W > 0 && !near(c, color.RGBA{0x1a, 0x1e, 0x24, 0xff}) {
		t.Errorf("%s: the panel's corner is %v, not the panel's paint", name, c)
	}
}

// TestBrowserRoad opens a link with a mistyped scenario, which plays
// hello-tcp and says so; runs it as fast as possible, clicks the road and
// drags its loss slider: the drag runs one shell line, echoed in the
// console. Then the listening door's buttons connect a client and accept.
func TestBrowserRoad(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, url+"?play=1&scenario=helo-tcp")
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 30*time.Second, "the town with its road", get, func(s state) bool { return len(s.Roads) == 1 })
	if console := strings.Join(st.Console, "\n"); st.Scenario != "hello-tcp" || !strings.Contains(console, `no example called "helo-tcp"`) {
		t.Errorf("a mistyped scenario: playing %q, console:\n%s", st.Scenario, console)
	}
	clickButton(t, ctx, "As fast as possible")
	// With the scenario done and no letter on the road, a click on the
	// road selects the road.
	st = waitFor(t, 60*time.Second, "hello-tcp done", get, func(s state) bool { return !s.Busy && s.Letters == 0 })
	r := st.Roads[0]
	if err := click(ctx, (r.X0+r.X1)/2, (r.Y0+r.Y1)/2); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the road's panel with its sliders laid out", get, func(s state) bool {
		for _, sl := range s.Sliders {
			if sl.Name == "loss" && sl.Box.W > 0 {
				return s.Selected == "road"
			}
		}
		return false
	})
	var loss box
	for _, sl := range st.Sliders {
		if sl.Name == "loss" {
			loss = sl.Box
			if sl.Value != 0 {
				t.Fatalf("loss slider at %d on a loss-free road", sl.Value)
			}
		}
	}
	if loss.W == 0 {
		t.Fatalf("no loss slider: %+v", st.Sliders)
	}
	// Drag the handle from the left end to the middle.
	y := loss.Y + loss.H/2
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MouseMoved, loss.X+3, y),
		chromedp.MouseEvent(chromedp.MousePressed, loss.X+3, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseMoved, loss.X+loss.W/4, y, chromedp.ButtonLeft),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseMoved, loss.X+loss.W/2, y, chromedp.ButtonLeft),
		chromedp.Sleep(keyHold),
		chromedp.MouseEvent(chromedp.MouseReleased, loss.X+loss.W/2, y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the loss line in the console", get, func(s state) bool {
		return strings.Contains(strings.Join(s.Console, "\n"), "$ link a b loss=")
	})
	n := 0
	for _, l := range st.Console {
		if strings.HasPrefix(l, "$ link a b ") {
			n++
			if l == "$ link a b loss=0%" {
				t.Errorf("the drag set no loss: %q", l)
			}
		}
	}
	if n != 1 {
		t.Errorf("one drag ran %d link lines; console:\n%s", n, strings.Join(st.Console, "\n"))
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-road.png", shot)
	checkDoorCalls(t, ctx)
}

// checkDoorCalls clicks the listening door's buttons: "connect from
// a/browser" runs socket and connect on a/browser, "accept" takes the
// connection, and each is echoed in the console as its shell line; the
// accepted door appears on port 80.
func checkDoorCalls(t *testing.T, ctx context.Context) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	st, err := get()
	if err != nil {
		t.Fatal(err)
	}
	listen, ok := st.door("b", "web", "listen")
	if !ok {
		t.Fatalf("no listening door: %+v", st.Doors)
	}
	x, y := listen.Box.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	clickButton(t, ctx, "connect from a/browser")
	clickButton(t, ctx, "accept")
	st = waitFor(t, 20*time.Second, "the accepted door", get, func(s state) bool {
		_, ok := s.door("b", "web", "open")
		return ok
	})
	console := strings.Join(st.Console, "\n")
	for _, want := range []string{"$ a/browser: socket tcp", "$ a/browser: connect 3 10.0.0.2:80 &", "$ b/web: accept 3 &"} {
		if !strings.Contains(console, want) {
			t.Errorf("console lacks %q:\n%s", want, console)
		}
	}
	if d, _ := st.door("b", "web", "open"); d.Port != "80" || !strings.HasPrefix(d.Remote, "10.0.0.1:") {
		t.Errorf("accepted door %+v", d)
	}
}

// checkIdle watches a paused town untouched for a while: most frames
// draw nothing, since nothing on screen changes.
func checkIdle(t *testing.T, ctx context.Context) {
	t.Helper()
	before, err := pageState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	after, err := pageState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r0, r1 := before.Redraws, after.Redraws
	frames := (r1.All + r1.Town + r1.None) - (r0.All + r0.Town + r0.None)
	none := r1.None - r0.None
	if frames < 10 || none < frames/2 {
		t.Errorf("a paused town drew %d of %d frames (%+v then %+v); most should draw nothing",
			frames-none, frames, r0, r1)
	}
}

// checkLetter steps the paused town until a letter is on the road, clicks
// it and checks its cut-away opened.
func checkLetter(t *testing.T, ctx context.Context) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	st, _ := get()
	for i := 0; i < 30 && len(st.LetterBoxes) == 0; i++ {
		if err := press(ctx, []rune(kb.ArrowRight)[0]); err != nil {
			t.Fatal(err)
		}
		st = waitFor(t, 5*time.Second, "a step", get, func(s state) bool { return s.Paused })
	}
	if len(st.LetterBoxes) == 0 {
		t.Fatal("no letter on the road after 30 steps")
	}
	l := st.LetterBoxes[0]
	x, y := l.Box.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the letter's cut-away", get, func(s state) bool { return s.Selected == "letter" })
	if st.Tab != "layers" || !strings.HasPrefix(st.Panel, "Letter "+l.Label) {
		t.Errorf("clicked letter %q: panel %q, tab %q", l.Label, st.Panel, st.Tab)
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-letter.png", shot)
}

// checkZoom turns the wheel over a door: the town comes closer with the
// door staying under the cursor; F shows the whole town again.
func checkZoom(t *testing.T, ctx context.Context, d door) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	x, y := d.Box.center()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// Raw parameters: the typed ones leave out a zero deltaX,
			// which Chromium requires.
			return tg.Call(ctx, input.CommandDispatchMouseEvent, map[string]any{
				"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -100,
			}, nil)
		})); err != nil {
			t.Fatal(err)
		}
		time.Sleep(keyHold)
	}
	st := waitFor(t, 5*time.Second, "the town zoomed in", get, func(s state) bool { return s.Zoom > 1.5 })
	near, _ := st.door(d.Host, d.Proc, d.Style)
	if near.Box.W < d.Box.W*1.4 || x < near.Box.X || x > near.Box.X+near.Box.W || y < near.Box.Y || y > near.Box.Y+near.Box.H {
		t.Errorf("zoom %.2f: the door went from %+v to %+v, away from the cursor at %.0f,%.0f", st.Zoom, d.Box, near.Box, x, y)
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-zoom.png", shot)
	if err := press(ctx, 'f'); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, 5*time.Second, "the whole town again", get, func(s state) bool { return s.Zoom == 1 })
	if back, _ := st.door(d.Host, d.Proc, d.Style); back.Box != d.Box {
		t.Errorf("after F the door is at %+v, not where it was (%+v)", back.Box, d.Box)
	}
}

// checkPanelFollows plays on with the accepted door selected: when the
// client closes, the door's panel says CLOSE-WAIT without being clicked
// again.
func checkPanelFollows(t *testing.T, ctx context.Context) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	st := waitFor(t, 30*time.Second, "the selected door's panel in CLOSE-WAIT", get, func(s state) bool {
		return strings.Contains(s.Panel, "CLOSE-WAIT")
	})
	if !strings.Contains(st.Panel, "b/web fd 4") {
		t.Errorf("panel %q: not the door that was selected", st.Panel)
	}
	if err := press(ctx, ' '); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "paused again", get, func(s state) bool { return s.Paused })
}

// clickButton clicks the button with this label once it is laid out.
func clickButton(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 5*time.Second, "the "+label+" button", get, func(s state) bool {
		b, ok := s.button(label)
		return ok && b.W > 0
	})
	b, _ := st.button(label)
	if err := click(ctx, b.X+b.W/2, b.Y+b.H/2); err != nil {
		t.Fatal(err)
	}
}

// checkOpensPaused checks the page's first screen: the town is built and
// paused before its story starts, at time zero, and says how to begin.
func checkOpensPaused(t *testing.T, ctx context.Context) {
	t.Helper()
	var st labelsState
	end := time.Now().Add(10 * time.Second)
	hint := ""
	for time.Now().Before(end) && hint == "" {
		var err error
		if st, err = labelsOf(ctx); err == nil {
			for _, l := range st.Labels {
				if l.Kind == "hint" {
					hint = l.Text
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	full, err := pageState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Paused || full.NowNS != 0 || len(full.Roads) != 1 {
		t.Errorf("first screen: paused %v at t=%d ns with %d roads; want the built town paused at 0", st.Paused, full.NowNS, len(full.Roads))
	}
	if !strings.Contains(hint, "Space to start") || !strings.Contains(hint, "steps to what happens next") || !strings.Contains(hint, "slows it down") {
		t.Errorf("first screen's hint %q does not say how to start, step and slow down", hint)
	}
}
