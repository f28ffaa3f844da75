package e2e

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// needRoot skips (or fails, when real parts are required) where the
// OS kernel cannot build namespaces.
func needNamespaces(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		need(t, "an OS town of namespaces needs root (CAP_NET_ADMIN)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		need(t, "ip (iproute2) is not installed")
	}
}

// namespacesOf lists the network namespaces a run of pid left.
func namespacesOf(t *testing.T, pid int) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	var left []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], fmt.Sprintf("sv-%d-", pid)) {
			left = append(left, f[0])
		}
	}
	return left
}

// notBlank checks a screenshot shows something: many colours, not one
// flat fill.
func notBlank(t *testing.T, img image.Image) {
	t.Helper()
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	if len(seen) < 20 {
		t.Fatalf("the screenshot is nearly blank: %d colours", len(seen))
	}
}

// TestDesktopOS plays hello-udp in the desktop town on Linux's own
// sockets (namespaces): the state says the kernel is Linux, b's door on
// port 7007 appears, its letters are seen on the road (slowed so that a
// 5 ms trip can be followed), the window is drawn, and once the program
// is gone so are its namespaces.
func TestDesktopOS(t *testing.T) {
	needNamespaces(t)
	bin := binary(t)
	display := xvfb(t, 1280, 800)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	cmd := exec.Command(bin, "desktop", "--os", "--hosts", "namespaces", "--play", "--max-run", "50ms", "../../examples/hello-udp.sv")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)
	pid := cmd.Process.Pid
	st := waitFor(t, 60*time.Second, "the Linux town with b's door on 7007", run.state, func(s state) bool {
		return s.Kernel == "Linux" && hasDoor(s, "b", "7007")
	})
	if !strings.Contains(st.KernelBadge, "Linux") || !strings.Contains(st.KernelBadge, "namespaces") || !st.Live {
		t.Errorf("badge %q, live %v: want Linux, namespaces, live", st.KernelBadge, st.Live)
	}
	if left := namespacesOf(t, pid); len(left) == 0 {
		t.Errorf("no sv-%d- namespace while the town runs", pid)
	}
	for _, s := range st.Sliders {
		if s.Name == "speed" {
			t.Errorf("a speed slider on a town whose clock is the wall's")
		}
	}
	// A 5 ms trip is slowed to play.TripTime on screen, so the letters
	// can be seen on the road although the kernel's clock is the wall's.
	st = waitFor(t, 30*time.Second, "a letter on the road", run.state, func(s state) bool { return len(s.LetterBoxes) > 0 })
	if l := st.LetterBoxes[0]; l.Label == "" || l.Box.W <= 0 {
		t.Errorf("a letter with no name or no size: %+v", l)
	}
	shot, err := exec.Command("import", "-display", display, "-window", "Socketville: hello-udp", "png:-").Output()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	saveArtifact(t, "desktop-os-hello-udp.png", shot)
	notBlank(t, decodePNG(t, shot))

	run.interrupt(15 * time.Second)
	if left := namespacesOf(t, pid); len(left) > 0 {
		t.Errorf("namespaces left behind: %v; stderr:\n%s", left, stderr.String())
	}
}

func hasDoor(s state, host, port string) bool {
	for _, d := range s.Doors {
		if d.Host == host && d.Port == port {
			return true
		}
	}
	return false
}

// TestServeOS plays hello-udp in a page on the serving machine's kernel:
// the binary runs it in namespaces and streams it over a WebSocket; the
// page's town says Linux, shows b's door on 7007 and its letters on the
// road; when the page goes,
// so do the namespaces. A server without --os says so and the page plays
// on its own simulator.
func TestServeOS(t *testing.T) {
	needNamespaces(t)
	url, pid := startServe(t, "--os", "--hosts", "namespaces", "--max-run", "50ms")
	bctx := browser(t, 1280, 800)
	ctx, closeTab := chromedp.NewContext(bctx) // a tab of its own, to close
	defer closeTab()
	openTown(t, ctx, url+"?kernel=os&scenario=hello-udp&play=1")
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 60*time.Second, "the page's town on Linux with b's door on 7007", get, func(s state) bool {
		return s.Kernel == "Linux" && hasDoor(s, "b", "7007")
	})
	if !strings.Contains(st.KernelBadge, "namespaces") || !st.Live {
		t.Errorf("badge %q, live %v", st.KernelBadge, st.Live)
	}
	if left := namespacesOf(t, pid); len(left) == 0 {
		t.Errorf("no sv-%d- namespace while the page plays", pid)
	}
	// The stream's letters are slowed on the page as on the desktop.
	waitFor(t, 30*time.Second, "a letter on the page's road", get, func(s state) bool { return len(s.LetterBoxes) > 0 })
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "serve-os-hello-udp.png", shot)
	notBlank(t, decodePNG(t, shot))
	// The page closes: its run ends and takes its namespaces with it.
	if err := chromedp.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(15 * time.Second)
	for len(namespacesOf(t, pid)) > 0 && time.Now().Before(end) {
		time.Sleep(100 * time.Millisecond)
	}
	if left := namespacesOf(t, pid); len(left) > 0 {
		t.Errorf("namespaces left after the page closed: %v", left)
	}

	// Without --os the server says so, plainly, and the page plays here.
	plain, _ := startServe(t)
	ctx = bctx
	openTown(t, ctx, plain+"?kernel=os&scenario=hello-udp")
	st = waitFor(t, 30*time.Second, "the page saying the server has no --os", get, func(s state) bool {
		for _, l := range s.Console {
			if strings.Contains(l, "without --os") {
				return true
			}
		}
		return false
	})
	if st.Kernel != "simulator" {
		t.Errorf("kernel %q on a server without --os, want simulator", st.Kernel)
	}
	note, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("note") || {}).textContent || ""`))
	if err != nil || !strings.Contains(note, "without --os") {
		t.Errorf("the page's note says %q (%v)", note, err)
	}
}
