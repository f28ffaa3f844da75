package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchDesktop opens the town of a namespace the test makes, in which
// real programs nobody here wrote run: python3's http.server appears as a
// house "python3 (pid) user" with a listening door on 8765; a curl to it
// leaves a TIME-WAIT in the kernel's yard, as ss lists it; the window is drawn, the badge
// says what is watched, nothing offers a scenario, and Ctrl-C ends it.
func TestWatchDesktop(t *testing.T) {
	needNamespaces(t)
	for _, tool := range []string{"python3", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			need(t, tool+" is not installed (./build.sh deps installs it)")
		}
	}
	bin := binary(t)
	display := xvfb(t, 1280, 800)

	ns := fmt.Sprintf("svwatch-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", ns, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v\n%s", err, out)
	}
	server := exec.Command("ip", "netns", "exec", ns, "python3", "-m", "http.server", "8765", "--bind", "127.0.0.1")
	server.Dir = t.TempDir()
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Process.Kill(); _ = server.Wait() })

	statePath := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(bin, "watch", "--netns", ns)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "SOCKETVILLE_STATE="+statePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	run := startDesktop(t, cmd, statePath)

	house := fmt.Sprintf("python3 (%d) ", server.Process.Pid) // ip netns exec execs python3: the same pid
	listening := func(s state) bool {
		for _, d := range s.Doors {
			if strings.HasPrefix(d.Proc, house) && d.Port == "8765" && d.State == "LISTEN" && d.Style == "listen" {
				return true
			}
		}
		return false
	}
	st := waitFor(t, 30*time.Second, "python3's house with a listening door on 8765", run.state, listening)
	if st.Kernel != "Linux" || st.KernelBadge != "watching netns "+ns+" · sockets refreshed every 500 ms" || !st.Live {
		t.Errorf("kernel %q, badge %q, live %v", st.Kernel, st.KernelBadge, st.Live)
	}
	if st.Paused || st.Scenario != ns {
		t.Errorf("paused %v, scenario %q: want live, named after the namespace", st.Paused, st.Scenario)
	}
	for _, b := range st.Buttons {
		if b.Label == "Restart" || b.Label == "Step" {
			t.Errorf("a %q button in a town that plays no scenario", b.Label)
		}
	}
	for _, s := range st.Sliders {
		if s.Name == "speed" {
			t.Error("a speed slider in a watch")
		}
	}
	if labels := houseLabels(t, statePath); !anyPrefix(labels, house) {
		t.Errorf("no house label %q...; houses: %q", house, labels)
	}

	if out, err := exec.Command("ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null", "http://127.0.0.1:8765/").CombinedOutput(); err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	st = waitFor(t, 15*time.Second, "a TIME-WAIT after the curl", run.state, func(s state) bool {
		for _, d := range s.Doors {
			if d.State == "TIME-WAIT" && (d.Port == "8765" || strings.HasSuffix(d.Remote, ":8765")) {
				return true
			}
		}
		return false
	})
	if !listening(st) {
		t.Error("the listening door went with the connection")
	}
	// The same moment as ss sees it: every TIME-WAIT the town shows is
	// one the kernel lists (it lasts 60 s, so none has ended since).
	ss, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tanH", "state", "time-wait").Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	for _, d := range st.Doors {
		if d.State == "TIME-WAIT" && !strings.Contains(string(ss), d.Remote) {
			t.Errorf("the town's TIME-WAIT door to %s is not in ss's list:\n%s", d.Remote, ss)
		}
	}

	time.Sleep(300 * time.Millisecond) // a frame or two to draw the last look
	shot, err := exec.Command("import", "-display", display, "-window", "Socketville: watching "+ns, "png:-").Output()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	saveArtifact(t, "watch-desktop.png", shot)
	notBlank(t, decodePNG(t, shot))

	if err := run.interrupt(15 * time.Second); err != nil {
		t.Errorf("watch exited with %v after SIGINT; stderr:\n%s", err, stderr.String())
	}
	if !cmd.ProcessState.Success() {
		t.Errorf("exit status %v", cmd.ProcessState.Sys().(syscall.WaitStatus))
	}
}

// houseLabels reads the house names drawn on the town from the state file.
func houseLabels(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Labels []struct{ Kind, Text string } `json:"labels"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range s.Labels {
		if l.Kind == "house" {
			out = append(out, l.Text)
		}
	}
	return out
}

func anyPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
