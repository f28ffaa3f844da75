package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary builds bin/socketville for the tests once, with the web build
// that build.sh put in native/web/static. Without it (go test ./... before
// any build) the tests skip, unless SOCKETVILLE_E2E_REQUIRED is set, as
// build.sh test sets it.
var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

func binary(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("../web/static/socketville.wasm.gz"); err != nil {
		need(t, "the web build is missing: run ./build.sh native first")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "socketville-e2e")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "socketville")
		cmd := exec.Command("go", "build", "-o", buildPath, "socketville/native")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// need skips the test, or fails it when the real parts are required.
func need(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("SOCKETVILLE_E2E_REQUIRED") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// state is the part of the town's state the tests read.
type state struct {
	Scenario    string  `json:"scenario"`
	Kernel      string  `json:"kernel"`
	KernelBadge string  `json:"kernel_badge"`
	Live        bool    `json:"live"`
	NowNS       int64   `json:"now_ns"`
	Frames      int     `json:"frames"`
	FPS         float64 `json:"fps"`
	TPS         float64 `json:"tps"`
	Paused      bool    `json:"paused"`
	Busy        bool    `json:"busy"`
	Scale       float64 `json:"scale"`
	Zoom        float64 `json:"zoom"`
	Letters     int     `json:"letters"`
	LetterBoxes []struct {
		ID    int
		Label string
		Lost  bool
		Box   box
	} `json:"letter_boxes"`
	Selected string `json:"selected"`
	Tab      string `json:"tab"`
	Panel    string `json:"panel"`
	Console  []string
	Input    string `json:"input"`
	Typing   bool   `json:"typing"`
	Doors    []door `json:"doors"`
	Town     box    `json:"town"`
	PanelBox box    `json:"panel_box"`
	Redraws  struct {
		All, Town, None int
	} `json:"redraws"`
	Buttons []struct {
		Label string
		Box   box
	} `json:"buttons"`
	Sliders []struct {
		Name     string
		Box      box
		Value    int
		Min, Max int
	} `json:"sliders"`
	Roads []struct {
		Link           string
		X0, Y0, X1, Y1 float64
	} `json:"roads"`
	Plots []struct {
		Host string
		Box  box
	} `json:"plots"`
	PanelLines []string `json:"panel_lines"`
	Inspector  *struct {
		Bytes  int
		Fields []struct {
			Header, Name, Value string
			Off, Len            int
			Row                 box
		}
		Hover int
		Lit   []box
	} `json:"inspector"`
}

// box is a rectangle in CSS pixels.
type box struct{ X, Y, W, H float64 }

func (b box) center() (float64, float64) { return b.X + b.W/2, b.Y + b.H/2 }

// button finds a button on screen by its label.
func (s state) button(label string) (box, bool) {
	for _, b := range s.Buttons {
		if b.Label == label {
			return b.Box, true
		}
	}
	return box{}, false
}

type door struct {
	Host, Proc, State, Port, Remote, Style, Color string
	FD                                            int
	Box                                           box
}

func (s state) door(host, proc, style string) (door, bool) {
	for _, d := range s.Doors {
		if d.Host == host && d.Proc == proc && d.Style == style {
			return d, true
		}
	}
	return door{}, false
}

// paint parses "#rrggbb".
func paint(t testing.TB, hex string) color.RGBA {
	t.Helper()
	var c color.RGBA
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil {
		t.Fatalf("colour %q: %v", hex, err)
	}
	c.A = 0xff
	return c
}

// near reports whether two colours are within a few steps of each other
// (software GL and PNG round trips may differ by one or two).
func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) <= 6 && d(a.G, b.G) <= 6 && d(a.B, b.B) <= 6
}

func rgba(img image.Image, x, y float64) color.RGBA {
	r, g, b, a := img.At(int(x), int(y)).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

// checkDoorPaint checks that the door's paint is where the layout says:
// a column of pixels just inside its left edge.
func checkDoorPaint(t *testing.T, img image.Image, d door, scale float64) {
	t.Helper()
	want := paint(t, d.Color)
	hits := 0
	// Just inside the left edge: the frame of a listening archway, which
	// is a tenth of the door wide at any zoom.
	inside := math.Min(2, d.Box.W*0.05)
	for i := 1; i <= 9; i++ {
		x := (d.Box.X + inside) * scale
		y := (d.Box.Y + d.Box.H*float64(i)/10) * scale
		if near(rgba(img, x, y), want) {
			hits++
		}
	}
	if hits < 7 {
		t.Errorf("door %s/%s fd %d (%s) at %+v: only %d of 9 pixels have its paint %s (saw %v)",
			d.Host, d.Proc, d.FD, d.Style, d.Box, hits, d.Color, rgba(img, (d.Box.X+inside)*scale, (d.Box.Y+d.Box.H/2)*scale))
	}
	// Just outside the door, the wall is not door-coloured.
	if near(rgba(img, (d.Box.X-6)*scale, (d.Box.Y+d.Box.H/2)*scale), want) {
		t.Errorf("door %s fd %d: its paint spills left of where the layout put it", d.Host, d.FD)
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// saveArtifact keeps a screenshot for a person to look at.
func saveArtifact(t *testing.T, name string, b []byte) {
	dir := os.Getenv("SOCKETVILLE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err == nil {
		t.Logf("screenshot: %s", path)
	}
}

// serve starts the real binary's web server on a free loopback port.
func serve(t testing.TB) string {
	url, _ := startServe(t)
	return url
}

// startServe starts the binary's web server with args (such as --os) on a
// free loopback port and returns its address and process id; Ctrl-C stops
// it when the test ends, so that it cleans up as a user's would.
func startServe(t testing.TB, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGINT); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("serve said %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return strings.Fields(line[i:])[0], cmd.Process.Pid
}

func decodeState(t *testing.T, s string) state {
	t.Helper()
	var st state
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		t.Fatalf("state %q: %v", s, err)
	}
	return st
}

// waitFor polls until ok holds or the time runs out.
func waitFor(t *testing.T, d time.Duration, what string, get func() (state, error), ok func(state) bool) state {
	t.Helper()
	end := time.Now().Add(d)
	var last state
	var err error
	for time.Now().Before(end) {
		if last, err = get(); err == nil && ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v (last state %+v, err %v)", what, d, last, err)
	return last
}
