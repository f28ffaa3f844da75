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
