package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// xvfb starts a virtual X screen and returns its DISPLAY.
func xvfb(t testing.TB, w, h int) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(t, tool+" is not installed (./build.sh deps installs xvfb and imagemagick)")
		}
	}
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -displayfd: Xvfb picks a free display and writes its number to fd 3.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", w, h), "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{wr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	wr.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	num, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(num)
}

// stableScenario is examples/hello-tcp.sv up to the accept: the town then
// stays still, so the screen can be read at leisure.
func stableScenario(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../../examples/hello-tcp.sv")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(src), "a/browser: send")
	if !ok {
		t.Fatal("hello-tcp.sv no longer sends after its accept")
	}
	return head
}

// TestDesktopTown runs the desktop build under Xvfb, at full size and in
// a small window (the compact layout), reads the window back and checks
// that the doors are painted where the town says they are.
func TestDesktopTown(t *testing.T) {
	bin := binary(t)
	display := xvfb(t, 1280, 800)
	for _, size := range []string{"1280x800", "700x450"} {
		t.Run(size, func(t *testing.T) { desktopTown(t, bin, display, size) })
	}
}

func desktopTown(t *testing.T, bin, display, size string) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "accepted.sv")
	if err := os.WriteFile(scenario, []byte(stableScenario(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(dir, "state.json")
	cmd := exec.Command(bin, "desktop", "--play", "--size", size, scenario)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)
	st := waitFor(t, 60*time.Second, "the desktop town at rest with both doors", run.state, func(s state) bool {
		_, l := s.door("b", "web", "listen")
		_, o := s.door("b", "web", "open")
		return l && o && !s.Busy && s.Letters == 0
	})
	time.Sleep(300 * time.Millisecond) // a few more frames drawn
	// The window itself, wherever it was placed on the screen.
	shot, err := exec.Command("import", "-display", display, "-window", "Socketville: accepted", "png:-").Output()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	saveArtifact(t, "desktop-town-"+size+".png", shot)
	img := decodePNG(t, shot)
	var w, h int
	if _, err := fmt.Sscanf(size, "%dx%d", &w, &h); err != nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("the window is %v, want %s", img.Bounds().Size(), size)
	}
	for _, style := range []string{"listen", "open"} {
		d, _ := st.door("b", "web", style)
		checkDoorPaint(t, img, d, st.Scale)
	}
	a, _ := st.door("a", "browser", "open")
	checkDoorPaint(t, img, a, st.Scale)

	// Ctrl-C closes the window cleanly.
	if err := run.interrupt(10 * time.Second); err != nil {
		t.Fatalf("desktop exited with %v; stderr:\n%s", err, stderr.String())
	}
}

// desktopRun is a desktop binary the test started: its state file read as
// the tests read it, and a way to stop it with Ctrl-C.
type desktopRun struct {
	t         *testing.T
	cmd       *exec.Cmd
	statePath string
	done      chan error
	exited    bool
}

// startDesktop starts cmd, which writes its state to statePath, and kills
// it when the test ends unless it stopped on its own.
func startDesktop(t *testing.T, cmd *exec.Cmd, statePath string) *desktopRun {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &desktopRun{t: t, cmd: cmd, statePath: statePath, done: make(chan error, 1)}
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if !d.exited {
			_ = cmd.Process.Kill()
			<-d.done
		}
	})
	return d
}

// state reads what the desktop shows now.
func (d *desktopRun) state() (state, error) {
	b, err := os.ReadFile(d.statePath)
	if err != nil {
		return state{}, err
	}
	var s state
	return s, jsonUnmarshal(string(b), &s)
}

// interrupt sends Ctrl-C and returns how the desktop exited, failing the
// test if it does not stop within limit.
func (d *desktopRun) interrupt(limit time.Duration) error {
	d.t.Helper()
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-d.done:
		d.exited = true
		return err
	case <-time.After(limit):
		d.t.Fatal("the desktop did not stop on SIGINT")
		return nil
	}
}
