package e2e

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testNetns makes a network namespace with its loopback up, removed when
// the test ends (also when it fails).
func testNetns(t *testing.T, prefix string) string {
	t.Helper()
	ns := fmt.Sprintf("%s-%d", prefix, os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v\n%s", err, out)
	}
	return ns
}

// httpServer starts python3's http.server on 127.0.0.1:port in ns, killed
// when the test ends; ip netns exec execs python3, so its pid is the
// server's.
func httpServer(t *testing.T, ns string, port int) int {
	t.Helper()
	for _, tool := range []string{"python3", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(t, tool+" is not installed (./build.sh deps installs it)")
		}
	}
	server := exec.Command("ip", "netns", "exec", ns, "python3", "-m", "http.server", fmt.Sprint(port), "--bind", "127.0.0.1")
	server.Dir = t.TempDir()
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Process.Kill(); _ = server.Wait() })
	return server.Process.Pid
}

// TestServeWatch opens the address serve --watch prints, and the page
// shows the town of a namespace the test makes: python3's http.server is
// a house "python3 (pid) user" with a listening door on 8000, the badge
// says what is watched, and a curl to it is letters between the doors
// (the loopback capture, as root) and leaves a TIME-WAIT in the kernel's
// yard. A server without --watch says so and plays on its own.
func TestServeWatch(t *testing.T) {
	needNamespaces(t)
	ns := testNetns(t, "svservewatch")
	pid := httpServer(t, ns, 8000)
	url, _ := startServe(t, "--watch", "--netns", ns, "--every", "200ms")

	ctx := browser(t, 1280, 800)
	openTown(t, ctx, url) // the bare address: the server sends the page on to ?kernel=watch
	get := func() (state, error) { return pageState(ctx) }
	house := fmt.Sprintf("python3 (%d) ", pid)
	listening := func(s state) bool {
		for _, d := range s.Doors {
			if strings.HasPrefix(d.Proc, house) && d.Port == "8000" && d.State == "LISTEN" {
				return true
			}
		}
		return false
	}
	st := waitFor(t, 30*time.Second, "python3's house with a listening door on 8000", get, listening)
	if st.Kernel != "Linux" || st.KernelBadge != "watching netns "+ns+" · sockets refreshed every 200 ms" || !st.Live {
		t.Errorf("kernel %q, badge %q, live %v", st.Kernel, st.KernelBadge, st.Live)
	}
	if st.Paused || st.Scenario != ns {
		t.Errorf("paused %v, scenario %q: want live, named after the namespace", st.Paused, st.Scenario)
	}
	if search, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`)); err != nil || search != "?kernel=watch" {
		t.Errorf("the page is at %q (%v), want ?kernel=watch", search, err)
	}

	// curl's telnet:// holds the connection open until its stdin says
	// what to send, so both doors are on the plot when the request goes.
	curl := exec.Command("ip", "netns", "exec", ns, "curl", "-s", "telnet://127.0.0.1:8000")
	req, err := curl.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := curl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = curl.Process.Kill(); _ = curl.Wait() })
	client := fmt.Sprintf("curl (%d) ", curl.Process.Pid)
	st = waitFor(t, 15*time.Second, "curl's door, connected to 8000", get, func(s state) bool {
		for _, d := range s.Doors {
			if strings.HasPrefix(d.Proc, client) && d.State == "ESTABLISHED" && strings.HasSuffix(d.Remote, ":8000") {
				return true
			}
		}
		return false
	})
	// As root the server captures the namespace's loopback: the request
	// is a letter from curl's door to the accepted connection's, on the
	// plot (read from one state: the camera moves as doors come).
	if _, err := io.WriteString(req, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the request's letter between curl's door and python3's", get, func(s state) bool {
		var from, to door
		for _, d := range s.Doors {
			if strings.HasPrefix(d.Proc, client) {
				from = d
			}
		}
		for _, d := range s.Doors { // the accepted connection, python3's or the kernel's by now
			if from.Port != "" && d.Port == "8000" && strings.HasSuffix(d.Remote, ":"+from.Port) {
				to = d
			}
		}
		if from.Proc == "" || to.Port == "" {
			return false
		}
		lo, hi := min(from.Box.X, to.Box.X), max(from.Box.X+from.Box.W, to.Box.X+to.Box.W)
		for _, l := range s.LetterBoxes {
			if x, _ := l.Box.center(); strings.HasPrefix(l.Label, "data") && x >= lo && x <= hi {
				return true
			}
		}
		return false
	})
	req.Close()
	st = waitFor(t, 15*time.Second, "a TIME-WAIT after the curl", get, func(s state) bool {
		for _, d := range s.Doors {
			if d.State == "TIME-WAIT" && (d.Port == "8000" || strings.HasSuffix(d.Remote, ":8000")) {
				return true
			}
		}
		return false
	})
	if !listening(st) {
		t.Error("the listening door went with the connection")
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "serve-watch.png", shot)
	notBlank(t, decodePNG(t, shot))

	// Without --watch the server says so, plainly, and the page plays here.
	plain, _ := startServe(t)
	openTown(t, ctx, plain+"?kernel=watch")
	st = waitFor(t, 30*time.Second, "the page saying the server has no --watch", get, func(s state) bool {
		for _, l := range s.Console {
			if strings.Contains(l, "without --watch") {
				return true
			}
		}
		return false
	})
	if st.Kernel != "simulator" {
		t.Errorf("kernel %q on a server without --watch, want simulator", st.Kernel)
	}
}
