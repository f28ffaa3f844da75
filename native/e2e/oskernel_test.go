package e2e

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
// port 7007 appears, the window is drawn, and once the program is gone
// so are its namespaces.
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
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	defer func() {
		if !exited {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	get := func() (state, error) {
		b, err := os.ReadFile(statePath)
		if err != nil {
			return state{}, err
		}
		var s state
		return s, jsonUnmarshal(string(b), &s)
	}
	st := waitFor(t, 60*time.Second, "the Linux town with b's door on 7007", get, func(s state) bool {
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
	time.Sleep(500 * time.Millisecond)
	shot, err := exec.Command("import", "-display", display, "-window", "Socketville: hello-udp", "png:-").Output()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	saveArtifact(t, "desktop-os-hello-udp.png", shot)
	notBlank(t, decodePNG(t, shot))

	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
		exited = true
	case <-time.After(15 * time.Second):
		t.Fatal("desktop --os did not stop on SIGINT")
	}
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
