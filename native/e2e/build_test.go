package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// buildState is the page's state with what building by hand adds: the
// form open in the panel, the keyboard's focus ring and the words drawn
// on the town (a house is clicked on its name).
type buildState struct {
	state
	Form *struct {
		Name   string
		Values map[string]string
		Line   string
	} `json:"form"`
	Focus struct {
		Kind, Label string
		Box         box
	} `json:"focus"`
	Labels []struct {
		Kind, Text string
		Box        box
	} `json:"labels"`
}

// buildPageState reads the town through its read-only hook.
func buildPageState(ctx context.Context) (buildState, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	if err != nil || s == "" {
		return buildState{}, err
	}
	var st buildState
	err = jsonUnmarshal(s, &st)
	return st, err
}

// waitBuild waits for the page's state to satisfy ok.
func waitBuild(t *testing.T, ctx context.Context, d time.Duration, what string, ok func(buildState) bool) buildState {
	t.Helper()
	var st buildState
	var err error
	for end := time.Now().Add(d); time.Now().Before(end); {
		if st, err = buildPageState(ctx); err == nil && ok(st) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	form := "none"
	if st.Form != nil {
		form = fmt.Sprintf("%+v", *st.Form)
	}
	t.Fatalf("timed out waiting for %s (panel %q, form %s, focus %+v, err %v)\nconsole:\n%s", what, st.Panel, form, st.Focus, err, strings.Join(st.Console, "\n"))
	return st
}

// echoed waits for the console to show line as typed ("$ line").
func echoed(t *testing.T, ctx context.Context, line string) buildState {
	t.Helper()
	return waitBuild(t, ctx, 10*time.Second, "the console to echo "+line, func(s buildState) bool {
		for _, l := range s.Console {
			if l == "$ "+line {
				return true
			}
		}
		return false
	})
}

// run clicks a panel's button and waits for the console to echo line.
func runButton(t *testing.T, ctx context.Context, label, line string) buildState {
	t.Helper()
	clickButton(t, ctx, label)
	return echoed(t, ctx, line)
}

// clickHouse clicks a house of host by its name on its wall.
func clickHouse(t *testing.T, ctx context.Context, host, proc string) {
	t.Helper()
	st := waitBuild(t, ctx, 10*time.Second, "the house "+host+"/"+proc, func(s buildState) bool {
		_, ok := houseLabel(s, host, proc)
		return ok
	})
	b, _ := houseLabel(st, host, proc)
	x, y := b.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	waitBuild(t, ctx, 5*time.Second, "the house's panel", func(s buildState) bool { return s.Selected == "house" })
}

// houseLabel is the box of proc's name on host's plot.
func houseLabel(s buildState, host, proc string) (box, bool) {
	p, ok := s.plotBox(host)
	if !ok {
		return box{}, false
	}
	for _, l := range s.Labels {
		x, y := l.Box.center()
		if l.Kind == "house" && strings.HasPrefix(l.Text, proc) && x > p.X && x < p.X+p.W && y > p.Y && y < p.Y+p.H {
			return l.Box, true
		}
	}
	return box{}, false
}

// clickDoor clicks host/proc's door on fd and waits for its panel.
func clickDoor(t *testing.T, ctx context.Context, host, proc string, fd int) {
	t.Helper()
	find := func(s buildState) (door, bool) {
		for _, d := range s.Doors {
			if d.Host == host && d.Proc == proc && d.FD == fd && d.Box.W > 0 {
				return d, true
			}
		}
		return door{}, false
	}
	st := waitBuild(t, ctx, 10*time.Second, fmt.Sprintf("the door %s/%s fd %d", host, proc, fd), func(s buildState) bool {
		_, ok := find(s)
		return ok
	})
	d, _ := find(st)
	x, y := d.Box.center()
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s/%s fd %d", host, proc, fd)
	waitBuild(t, ctx, 5*time.Second, "the door's panel", func(s buildState) bool {
		return s.Selected == "door" && strings.HasPrefix(s.Panel, want)
	})
}

// TestBrowserBuildByHand builds a TCP client and server from the empty
// town with real clicks only: two hosts and a road from the build panel,
// a process on each plot, a socket on each house, then bind, listen and
// accept on the server's door, connect (through the chooser of the
// listeners it can reach), send on the client's, recv on the accepted
// door and close. The console echoes each shell line, and the town ends
// with the server's connection from the client on port 80.
func TestBrowserBuildByHand(t *testing.T) {
	base := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, base+"?scenario=empty-town")
	st := waitBuild(t, ctx, 10*time.Second, "the empty town", func(s buildState) bool { return s.Scenario == "empty-town" })
	if len(st.Plots) != 0 || len(st.Doors) != 0 {
		t.Fatalf("the empty town has %d plots and %d doors", len(st.Plots), len(st.Doors))
	}
	clickButton(t, ctx, "Build")
	clickButton(t, ctx, "Empty town") // plays as it is built
	clickButton(t, ctx, "Add host")
	runButton(t, ctx, "Run: host a 10.0.0.1/24", "host a 10.0.0.1/24")
	runButton(t, ctx, "Run: host b 10.0.0.2/24", "host b 10.0.0.2/24")
	clickButton(t, ctx, "Add link")
	runButton(t, ctx, "Run: link a b delay=5ms", "link a b delay=5ms")
	saveShot(t, ctx, "build-1-hosts")

	clickPlot(t, ctx, "a")
	clickButton(t, ctx, "Add process")
	runButton(t, ctx, "Run: process a app", "process a app")
	clickPlot(t, ctx, "b")
	clickButton(t, ctx, "Add process")
	clickButton(t, ctx, "yes")
	runButton(t, ctx, "Run: process b app root", "process b app root")

	clickHouse(t, ctx, "b", "app")
	runButton(t, ctx, "socket tcp", "b/app: socket tcp")
	clickHouse(t, ctx, "a", "app")
	runButton(t, ctx, "socket tcp", "a/app: socket tcp")

	clickDoor(t, ctx, "b", "app", 3)
	clickButton(t, ctx, "bind")
	runButton(t, ctx, "Run: bind 3 0.0.0.0:80", "b/app: bind 3 0.0.0.0:80")
	waitBuild(t, ctx, 5*time.Second, "the bound door", func(s buildState) bool { return s.Selected == "door" && strings.Contains(s.Panel, "bound") })
	clickButton(t, ctx, "listen")
	runButton(t, ctx, "Run: listen 3 8", "b/app: listen 3 8")
	runButton(t, ctx, "accept", "b/app: accept 3 &")
	saveShot(t, ctx, "build-2-server")

	clickDoor(t, ctx, "a", "app", 3)
	clickButton(t, ctx, "connect")
	st = waitBuild(t, ctx, 5*time.Second, "the chooser of listeners", func(s buildState) bool {
		return s.Form != nil && s.Form.Name == "connect"
	})
	if got := st.Form.Values["to"]; got != "10.0.0.2:80 b/app fd 3" {
		t.Fatalf("the chooser offers %q first, want b/app's listener", got)
	}
	clickButton(t, ctx, "[10.0.0.2:80 b/app fd 3]")
	runButton(t, ctx, "Run: connect 3 10.0.0.2:80 &", "a/app: connect 3 10.0.0.2:80 &")
	saveShot(t, ctx, "build-3-connect")
	waitBuild(t, ctx, 30*time.Second, "the connection", func(s buildState) bool {
		_, ok := s.door("b", "app", "open")
		return ok && strings.Contains(s.Panel, "ESTABLISHED")
	})
	clickButton(t, ctx, "send")
	runButton(t, ctx, `Run: send 3 "hello"`, `a/app: send 3 "hello"`)
	clickDoor(t, ctx, "b", "app", 4)
	clickButton(t, ctx, "recv")
	runButton(t, ctx, "Run: recv 4 100 &", "b/app: recv 4 100 &")
	clickDoor(t, ctx, "a", "app", 3)
	runButton(t, ctx, "close", "a/app: close 3")
	st = waitBuild(t, ctx, 30*time.Second, "hello read on b", func(s buildState) bool {
		return strings.Contains(strings.Join(s.Console, "\n"), `=> 5 "hello"`)
	})
	saveShot(t, ctx, "build-4-done")
	d, ok := st.door("b", "app", "open")
	if !ok {
		d, ok = st.door("b", "app", "closing")
	}
	if !ok || d.Port != "80" || !strings.HasPrefix(d.Remote, "10.0.0.1:") {
		t.Errorf("b/app has no connection from a on port 80: %+v", st.Doors)
	}
	if c := strings.Join(st.Console, "\n"); strings.Contains(c, "=> E") {
		t.Errorf("a call failed:\n%s", c)
	}
}

// saveShot keeps a screenshot under SOCKETVILLE_ARTIFACTS, if set.
func saveShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	saveArtifact(t, name+".png", b)
}

// TestDesktopBuildByHand builds in the desktop window under Xvfb with
// real clicks (xdotool): Build, Empty town, Add host and its run button;
// the window's state then has the plot of a and the console the line.
func TestDesktopBuildByHand(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		need(t, "xdotool is not installed")
	}
	bin := binary(t)
	display := xvfb(t, 1280, 800)
	statePath := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "desktop", "--size", "1280x800")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)
	get := func() (buildState, error) {
		b, err := os.ReadFile(statePath)
		if err != nil {
			return buildState{}, err
		}
		var s buildState
		return s, jsonUnmarshal(string(b), &s)
	}
	wait := func(what string, ok func(buildState) bool) buildState {
		t.Helper()
		for end := time.Now().Add(60 * time.Second); ; {
			s, err := get()
			if err == nil && ok(s) {
				return s
			}
			if time.Now().After(end) {
				t.Fatalf("%s: not within a minute (panel %q, console %q; stderr %s)", what, s.Panel, s.Console, stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	press := func(label string) {
		t.Helper()
		st := wait("the "+label+" button", func(s buildState) bool { b, ok := s.button(label); return ok && b.W > 0 })
		b, _ := st.button(label)
		x, y := b.center()
		for _, args := range [][]string{{"mousemove", fmt.Sprint(int(x)), fmt.Sprint(int(y))}, {"mousedown", "1"}, {"mouseup", "1"}} {
			c := exec.Command("xdotool", args...)
			c.Env = append(os.Environ(), "DISPLAY="+display)
			if out, err := c.CombinedOutput(); err != nil {
				t.Fatalf("xdotool %v: %v %s", args, err, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	press("Build")
	press("Empty town")
	wait("the empty town", func(s buildState) bool { return s.Scenario == "empty-town" && len(s.Plots) == 0 })
	press("Add host")
	press("Run: host a 10.0.0.1/24")
	st := wait("the plot of a", func(s buildState) bool { _, ok := s.plotBox("a"); return ok })
	if !strings.Contains(strings.Join(st.Console, "\n"), "$ host a 10.0.0.1/24") {
		t.Errorf("the console does not echo the host line:\n%s", strings.Join(st.Console, "\n"))
	}
	time.Sleep(300 * time.Millisecond)
	if shot, err := exec.Command("import", "-display", display, "-window", "root", "png:-").Output(); err == nil {
		saveArtifact(t, "desktop-build.png", shot)
	}
	if err := run.interrupt(10 * time.Second); err != nil {
		t.Fatalf("desktop exited with %v; stderr:\n%s", err, stderr.String())
	}
}

// TestBrowserBuildNarrow builds in narrow windows, where the panel is a
// drawer over the town: B opens the build panel, and the host form's
// fields and run button lie inside the window and run their line.
func TestBrowserBuildNarrow(t *testing.T) {
	base := serve(t)
	for _, size := range []struct{ w, h int }{{800, 600}, {420, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			ctx := browser(t, size.w, size.h)
			openTown(t, ctx, base+"?scenario=empty-town&play=1")
			if err := press(ctx, 'b'); err != nil {
				t.Fatal(err)
			}
			waitBuild(t, ctx, 5*time.Second, "the build panel", func(s buildState) bool { return s.Panel != "" && strings.HasPrefix(s.Panel, "Build by hand") })
			clickButton(t, ctx, "Add host")
			st := waitBuild(t, ctx, 5*time.Second, "the host form laid out", func(s buildState) bool {
				b, ok := s.button("Run: host a 10.0.0.1/24")
				return s.Form != nil && s.Form.Name == "add-host" && ok && b.W > 0
			})
			b, _ := st.button("Run: host a 10.0.0.1/24")
			if b.W <= 0 || b.X < 0 || b.Y < 0 || b.X+b.W > float64(size.w) || b.Y+b.H > float64(size.h) {
				t.Errorf("the run button at %+v is not inside the %dx%d window", b, size.w, size.h)
			}
			saveShot(t, ctx, fmt.Sprintf("build-narrow-%dx%d", size.w, size.h))
			runButton(t, ctx, "Run: host a 10.0.0.1/24", "host a 10.0.0.1/24")
		})
	}
}
