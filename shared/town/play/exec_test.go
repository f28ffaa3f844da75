package play_test

import (
	"strings"
	"testing"
	"time"

	"socketville/shared/town/play"
)

// twoPlots is a town and no story: the console writes it.
const twoPlots = "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=5ms\nprocess a c\nprocess b s\n"

func newPlayer(t *testing.T, src string) *play.Player {
	t.Helper()
	p, err := play.New(play.Options{Name: "t", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// consoleSince is the console's lines added since added, "kind text".
func consoleSince(p *play.Player, added int) []string {
	c := p.Console()
	var out []string
	for _, l := range c.Lines[max(len(c.Lines)-(c.Added()-added), 0):] {
		out = append(out, kindName(l.Kind)+" "+l.Text)
	}
	return out
}

func kindName(k play.LineKind) string {
	return map[play.LineKind]string{
		play.LineInfo: "info", play.LineInput: "input", play.LineResult: "result",
		play.LineError: "error", play.LineQueued: "queued",
	}[k]
}

func execAll(t *testing.T, p *play.Player, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if err := p.Exec(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
}

// TestTypedLineQueuesOnlyBehindItsProcess blocks b/s in a typed recvfrom:
// b/s's next typed line shows as queued behind it, a/c's lines run at
// once, and the queued one runs, echoed again, once the recvfrom returns.
func TestTypedLineQueuesOnlyBehindItsProcess(t *testing.T) {
	p := newPlayer(t, twoPlots)
	execAll(t, p, "b/s: socket udp", "b/s: bind 3 0.0.0.0:7007")
	start := p.Console().Added()
	execAll(t, p, "b/s: recvfrom 3 100", "b/s: close 3", "a/c: socket udp", `a/c: sendto 3 10.0.0.2:7007 "hi"`)
	got := strings.Join(consoleSince(p, start), "\n")
	want := `input $ b/s: recvfrom 3 100
queued $ b/s: close 3   (queued behind b/s: recvfrom 3 100)
input $ a/c: socket udp
result => 3
input $ a/c: sendto 3 10.0.0.2:7007 "hi"
result => 2`
	if got != want {
		t.Fatalf("typed, the console shows:\n%s\nwant:\n%s", got, want)
	}
	frames(p, 3*time.Second)
	got = strings.Join(consoleSince(p, start), "\n")
	want += `
result => 2 from 10.0.0.1:49152 "hi"   (b/s: recvfrom 3 100)
input $ b/s: close 3
result => 0`
	if got != want {
		t.Fatalf("once the datagram is read, the console shows:\n%s\nwant:\n%s", got, want)
	}
}

// TestTypedStepAndRunActAtOnce types step and run while paused: the town
// steps and runs at once instead of queueing them.
func TestTypedStepAndRunActAtOnce(t *testing.T) {
	p := helloTCP(t)
	p.SetPaused(true)
	start := p.Console().Added()
	execAll(t, p, "step")
	if got := withoutCaptions(consoleSince(p, start)); len(got) < 2 || got[0] != "input $ step" || got[1] != "input $ b/web: socket tcp" {
		t.Fatalf("a typed step while paused shows %q", got)
	}
	execAll(t, p, "step 3")
	if got := consoleSince(p, start); !strings.Contains(strings.Join(got, "\n"), "input $ a/browser: socket tcp") {
		t.Fatalf("step 3 did not carry out three more lines: %q", got)
	}
	execAll(t, p, "run 1s")
	if now := p.Now(); now != time.Second {
		t.Fatalf("after run 1s, t = %v", now)
	}
	if !p.Paused() {
		t.Fatal("run unpaused the town")
	}
	if got := strings.Join(consoleSince(p, start), "\n"); !strings.Contains(got, "$ run 1s") || !strings.Contains(got, "=> 4 from 10.0.0.1:49152") {
		t.Fatalf("the second of virtual time did not carry the story through accept:\n%s", got)
	}
}

// TestUnknownNamesAreEchoed types lines naming a host or process that is
// not there: each is echoed before its error.
func TestUnknownNamesAreEchoed(t *testing.T) {
	p := newPlayer(t, twoPlots)
	for _, line := range []string{"x/y: socket tcp", "a/nobody: socket tcp", "process zz p"} {
		start := p.Console().Added()
		p.Exec(line)
		got := consoleSince(p, start)
		if len(got) != 2 || got[0] != "input $ "+line || !strings.HasPrefix(got[1], "error ") {
			t.Errorf("typed %q, the console shows %q", line, got)
		}
	}
}

// TestConsoleGenChangesOnLoad checks the console's generation: it changes
// on Load and Restart, not on a scenario that fails to load, nor on lines.
func TestConsoleGenChangesOnLoad(t *testing.T) {
	p := helloTCP(t)
	g := p.Console().Gen()
	execAll(t, p, "b/web: socket udp")
	frames(p, time.Second)
	if p.Console().Gen() != g {
		t.Fatal("the generation changed without a load")
	}
	if err := p.Restart(); err != nil || p.Console().Gen() == g {
		t.Fatalf("Restart kept the generation (%v)", err)
	}
	g = p.Console().Gen()
	if err := p.Load("broken", "frobnicate\n"); err == nil || p.Console().Gen() != g {
		t.Fatalf("a failed load changed the generation (%v)", err)
	}
	if err := p.Load("t", twoPlots); err != nil || p.Console().Gen() == g {
		t.Fatalf("a new scenario kept the generation (%v)", err)
	}
}

// withoutCaptions drops the scenario's comments, which the console prints
// as their lines come into force.
func withoutCaptions(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "info # ") {
			out = append(out, l)
		}
	}
	return out
}

// TestChangingTheStoryIsSaid types lines into hello-tcp while its story
// runs: help, step, run and world lines, and a call to a process that is
// not there, say nothing; the first socket call that runs says, once and
// before its echo, that the story changes; Restart plays it as written,
// so the next call says it again; once the scenario's lines have all
// started, a call changes no story and says nothing.
func TestChangingTheStoryIsSaid(t *testing.T) {
	p := helloTCP(t)
	p.SetPaused(true)
	told := func(since int) int {
		n := 0
		for _, l := range consoleSince(p, since) {
			if strings.HasPrefix(l, "info # You are changing the story: ") {
				n++
			}
		}
		return n
	}
	start := p.Console().Added()
	execAll(t, p, "help socket", "step", "run 1ms", "host c 10.0.0.3/24", "process c p", "x/y: socket tcp", "a/nobody: socket tcp")
	if n := told(start); n != 0 {
		t.Fatalf("lines that are no learner's socket call said %d times that the story changes:\n%s", n, strings.Join(consoleSince(p, start), "\n"))
	}
	start = p.Console().Added()
	execAll(t, p, "c/p: socket udp", "a/browser: socket udp")
	got := consoleSince(p, start)
	if n := told(start); n != 1 || !strings.HasPrefix(got[0], "info # You are changing the story") || got[1] != "input $ c/p: socket udp" {
		t.Fatalf("two socket calls mid-story, the console shows:\n%s", strings.Join(got, "\n"))
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	start = p.Console().Added()
	execAll(t, p, "a/browser: socket udp")
	if n := told(start); n != 1 {
		t.Fatalf("after Restart, a socket call said %d times that the story changes", n)
	}
	p.Restart()
	p.SetPaused(false)
	p.SetFastest(true)
	frames(p, time.Second)
	start = p.Console().Added()
	execAll(t, p, "a/browser: socket udp")
	if n := told(start); n != 0 || p.Busy() {
		t.Fatalf("the story over (busy %v), a socket call said %d times that the story changes", p.Busy(), n)
	}
}
