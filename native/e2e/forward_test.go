package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDesktopForward opens the town of examples/forward/web.sv with an
// inbound forward: a real client of this machine (the test itself, then
// curl) connects to the real port and is a house on the outside plot, its
// door connected to b's web server, and curl reads the page b sends.
func TestDesktopForward(t *testing.T) {
	bin := binary(t)
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (./build.sh deps installs it)")
	}
	display := xvfb(t, 1280, 800)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	statePath := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "desktop", "--forward", addr+"=b:80", "--play", "../../examples/forward/web.sv")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)
	st := waitFor(t, 30*time.Second, "the town with its outside plot, b listening on 80", run.state, func(s state) bool {
		for _, d := range s.Doors {
			if d.Host == "b" && d.Port == "80" && d.State == "LISTEN" {
				return s.Live && len(s.Roads) > 0
			}
		}
		return false
	})
	if !strings.Contains(st.KernelBadge, "forwarding "+addr+" → b:80") {
		t.Errorf("badge %q does not say what is forwarded", st.KernelBadge)
	}

	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	comm, _ := os.ReadFile("/proc/self/comm")
	house := strings.NewReplacer(".", "-", "_", "_").Replace(strings.TrimSpace(string(comm))) + fmt.Sprintf("-%d", os.Getpid())
	waitFor(t, 30*time.Second, "the test's own house on the outside plot, connected", run.state, func(s state) bool {
		for _, d := range s.Doors {
			if d.Host == "outside" && d.Proc == house && d.State == "ESTABLISHED" {
				return true
			}
		}
		return false
	})
	fmt.Fprintf(c, "GET / HTTP/1.0\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	reply, err := io.ReadAll(c)
	if err != nil || !bytes.Contains(reply, []byte("Hello from host b")) {
		t.Fatalf("the first client read %q, %v", reply, err)
	}

	out, err := exec.Command(curl, "-sS", "--max-time", "30", "http://"+addr+"/").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Hello again from host b") {
		t.Errorf("curl: %q, %v", out, err)
	}
	shot, err := exec.Command("import", "-display", display, "-window", "Socketville: web", "png:-").Output()
	if err == nil {
		saveArtifact(t, "desktop-forward-web.png", shot)
		notBlank(t, decodePNG(t, shot))
	}
	if err := run.interrupt(15 * time.Second); err != nil {
		t.Errorf("closing the window: %v; stderr:\n%s", err, stderr.String())
	}
	if c, err := net.DialTimeout("tcp4", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still listens after the window closed", addr)
	}
}

// TestServeForward: serve --forward runs examples/forward/web.sv for the
// page, which opens at the printed address and plays it; curl reaches the
// town's web server through the forward, and the page's town shows the
// outside plot's road.
func TestServeForward(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (./build.sh deps installs it)")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url, _ := startServe(t, "--forward", addr+"=b:80", "../../examples/forward/web.sv")
	bctx := browser(t, 1280, 800)
	ctx, closeTab := chromedp.NewContext(bctx)
	defer closeTab()
	openTown(t, ctx, url)
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 60*time.Second, "the page's town with b listening on 80 and the outside plot", get, func(s state) bool {
		for _, d := range s.Doors {
			if d.Host == "b" && d.Port == "80" && d.State == "LISTEN" {
				return len(s.Roads) > 0
			}
		}
		return false
	})
	if !strings.Contains(st.KernelBadge, "forwarding "+addr+" → b:80") || !st.Live {
		t.Errorf("badge %q, live %v: want the forward named, live", st.KernelBadge, st.Live)
	}
	out, err := exec.Command(curl, "-sS", "--max-time", "30", "http://"+addr+"/").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Hello from host b") {
		t.Fatalf("curl through the page's forward: %q, %v", out, err)
	}
	waitFor(t, 30*time.Second, "a letter to or from the outside plot on the page", get, func(s state) bool { return len(s.LetterBoxes) > 0 })
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		saveArtifact(t, "serve-forward-web.png", shot)
		notBlank(t, decodePNG(t, shot))
	}
	if err := chromedp.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(15 * time.Second)
	for time.Now().Before(end) {
		c, err := net.DialTimeout("tcp4", addr, time.Second)
		if err != nil {
			return // the page's run ended and took its forward along
		}
		c.Close()
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%s still listens after the page closed", addr)
}
