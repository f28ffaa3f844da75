//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/native/ossock"
	"socketville/shared/script"
	"socketville/shared/script/export"
	"socketville/shared/sock"
)

// exportMaxRun caps the run lines of both runs, so that a closing "run 2m"
// takes no longer than the rest.
const exportMaxRun = 50 * time.Millisecond

// exportDepartures are the lines where an exported program and run --os
// on loopback give different results on purpose, by example and line
// number, each with why: Go's net folds several calls into one, and the
// program is its own kernel's caller, not a kernel.
var exportDepartures = map[string]map[int]string{
	"poll-udp": {
		// Timing: the program's background poll is a goroutine that
		// returns when it sees a datagram, run --os's when the runner
		// looks at it between lines; either may find one datagram or
		// both.
		19: "poll &: a goroutine returns at the first datagram",
	},
	"tcp-errors": {
		// run --os binds the TCP socket at bind, and a TIME-WAIT on
		// port 80 makes it EADDRINUSE; Go has no bind of a TCP socket
		// alone (net.Listen binds and listens in one, and sets
		// SO_REUSEADDR on every listener), so the program's bind only
		// notes the address: the first succeeds, and the second is
		// EINVAL, as a second bind on one socket is.
		65: "bind: Go has no bind of a TCP socket alone",
		68: "bind: Go has no bind of a TCP socket alone",
	},
}

// TestExportSameAsLinux is the "the same scenario on Linux"
// check: every example that uses only TCP and UDP calls is exported,
// run with go run, and its results compared line for line with what the
// socket shell's own run on Linux's loopback (run --os --hosts loopback)
// prints for the same calls. Results are compared as the shell prints
// them, an error by its errno's name (the sentence after it is Go's
// strerror in the program, the shell's own in the trace); calls made with
// & are compared as a set, since they finish when they finish; the lines
// of exportDepartures are left out, each for its reason.
func TestExportSameAsLinux(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the exported programs")
	}
	if testing.Short() {
		t.Skip("runs every example twice on loopback")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module exported\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	compared := 0
	used := map[int]bool{} // the blocks given to programs: each its own
	for _, ex := range examples.All() {
		prog, err := export.Program(ex.Name+".sv", ex.Source)
		if err != nil {
			t.Logf("%s: not exported (%v)", ex.Name, firstLine(err))
			continue
		}
		t.Run(ex.Name, func(t *testing.T) {
			linux := linuxResults(t, ex)
			sub := filepath.Join(dir, ex.Name)
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, "main.go"), prog, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			block := freeBlock(used)
			used[block] = true
			cmd := exec.CommandContext(ctx, goTool, "run", "./"+ex.Name, "-max-run", exportMaxRun.String(), "-block", strconv.Itoa(block))
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			// Exit status 1 is a call that did not return what the
			// scenario expects, which loopback often does not: the
			// comparison says whether it is the same as Linux's.
			if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("go run: %v\n%s", err, stderr.String())
			}
			program := resultLines(stdout.String())
			skip := exportDepartures[ex.Name]
			want := leaveOut(linux, skip)
			got := leaveOutText(program, linux, skip)
			compareResults(t, got, want)
		})
		compared++
	}
	if compared < 5 {
		t.Errorf("only %d examples were exported and compared; want the TCP and UDP ones (5 or more)", compared)
	}
}

// result is one call's result line, "b/web: listen 3 16 => 0", with the
// scenario line it came from (0 when unknown).
type result struct {
	line int
	text string
}

// exportHelperEnv names the example TestExportLinuxHelper runs, in a
// process of its own: the loopback addresses of a run are 127.N.x.y with N
// from its pid, and the TIME-WAITs a run leaves on them must not meet the
// next run's, nor the other tests' of this process.
const exportHelperEnv = "SOCKETVILLE_EXPORT_HELPER"

// linuxResults runs ex on Linux's loopback as run --os --hosts loopback
// does, in a child process, and returns each call's result as the exported
// program prints it.
func linuxResults(t *testing.T, ex examples.Scenario) []result {
	t.Helper()
	var out []byte
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestExportLinuxHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), exportHelperEnv+"="+ex.Name)
		var err error
		out, err = cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("the loopback run of %s: %v\n%s", ex.Name, err, out)
		}
		if !bytes.Contains(out, []byte("BUSY\n")) {
			break
		}
		if try == 20 {
			t.Skip("every loopback block the runs were given still has sockets of earlier runs")
		}
	}
	var rs []result
	for _, l := range strings.Split(string(out), "\n") {
		no, text, found := strings.Cut(strings.TrimPrefix(l, "RESULT\t"), "\t")
		if !found || !strings.HasPrefix(l, "RESULT\t") {
			continue
		}
		n, _ := strconv.Atoi(no)
		rs = append(rs, result{line: n, text: text})
	}
	if len(rs) == 0 {
		t.Skipf("run --os gave no results on loopback:\n%s", out)
	}
	return rs
}

// TestExportLinuxHelper is TestExportSameAsLinux's child: it runs one
// example on Linux's loopback and prints each call's result, RESULT, the
// line number and the result line, tab-separated.
func TestExportLinuxHelper(t *testing.T) {
	name := os.Getenv(exportHelperEnv)
	if name == "" {
		t.Skip("a helper of TestExportSameAsLinux")
	}
	ex, found := examples.Find(name)
	if !found {
		t.Fatalf("no example %q", name)
	}
	s, err := script.Parse(ex.Name, strings.NewReader(ex.Source))
	if err != nil {
		t.Fatal(err)
	}
	var notes bytes.Buffer
	k, err := ossock.New(ossock.Options{Mode: ossock.Loopback, Notes: &notes})
	if err != nil {
		t.Skipf("no loopback kernel: %v", err)
	}
	defer k.Close()
	if m := loopbackNote.FindSubmatch(notes.Bytes()); m == nil {
		t.Fatalf("the kernel's notes name no loopback block:\n%s", notes.Bytes())
	} else if n, _ := strconv.Atoi(string(m[1])); blockBusy(n) {
		// A TIME-WAIT of an earlier run on these addresses would make
		// this run's binds fail: the parent starts another process.
		fmt.Println("BUSY")
		return
	}
	var sink lineSink
	_ = script.NewRunner(script.Options{Kernel: k, Sink: &sink, MaxRun: exportMaxRun}).Run(s)
	for _, r := range sink.results {
		fmt.Printf("RESULT\t%d\t%s\n", r.line, r.text)
	}
}

// loopbackNote is where ossock's notes say which 127.N.0.0/16 a run uses.
var loopbackNote = regexp.MustCompile(`on loopback: each host is addresses on lo \(127\.(\d+)\.x\.y\)`)

// blockBusy reports whether some TCP socket, a TIME-WAIT left by an
// earlier run among them, has a local address in 127.n.0.0/16.
func blockBusy(n int) bool {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf("%02X7F", n) // 127.n.c.d is DDCCNN7F, little-endian
	for _, l := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) > 1 && len(f[1]) == 13 && f[1][4:8] == want {
			return true
		}
	}
	return false
}

// freeBlock is a loopback block (127.N) where no TCP socket is, for an
// exported program's -block, other than the ones in not.
func freeBlock(not map[int]bool) int {
	for n := 77; n < 247; n++ {
		if !not[n] && !blockBusy(n) {
			return n
		}
	}
	return 0
}

// lineSink keeps the calls' results as the exported program prints them.
type lineSink struct{ results []result }

func (*lineSink) Event(sock.Event) {}

func (s *lineSink) Line(r script.LineRecord) {
	if r.Phase != script.PhaseDone || r.Who == "" {
		return
	}
	text := r.Text
	if r.Background {
		text += " &"
	}
	s.results = append(s.results, result{line: r.Line, text: normalise(r.Who + ": " + text + " => " + r.Result)})
}

// ephemeralPort is a port from 49152 up, where both pick a socket's
// port: each the first free one, which a TIME-WAIT of an earlier run on
// the same loopback addresses can move on.
var ephemeralPort = regexp.MustCompile(`:(49(1(5[2-9]|[6-9][0-9])|[2-9][0-9]{2})|5[0-9]{4}|6[0-5][0-9]{3})\b`)

// normalise keeps of an error only its errno's name, and writes every
// ephemeral port as :EPHEMERAL.
func normalise(line string) string {
	line = ephemeralPort.ReplaceAllString(line, ":EPHEMERAL")
	head, res, found := strings.Cut(line, " => ")
	if !found {
		return line
	}
	if name, _, isErr := strings.Cut(res, ": "); isErr && strings.HasPrefix(name, "E") && strings.ToUpper(name) == name {
		res = name
	}
	return head + " => " + res
}

// resultLines are the result lines a program printed, normalised.
func resultLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " => ") && !strings.HasPrefix(l, "#") {
			lines = append(lines, normalise(l))
		}
	}
	return lines
}

// leaveOut drops the results of the departing lines.
func leaveOut(rs []result, skip map[int]string) []string {
	var out []string
	for _, r := range rs {
		if _, gone := skip[r.line]; !gone {
			out = append(out, r.text)
		}
	}
	return out
}

// leaveOutText drops, from the program's lines, those of the departing
// lines, known by their call and which of the calls with that text it is.
func leaveOutText(program []string, linux []result, skip map[int]string) []string {
	type nth struct {
		head string
		n    int
	}
	seen, drop := map[string]int{}, map[nth]bool{}
	for _, r := range linux {
		head, _, _ := strings.Cut(r.text, " => ")
		seen[head]++
		if _, gone := skip[r.line]; gone {
			drop[nth{head, seen[head]}] = true
		}
	}
	clear(seen)
	var out []string
	for _, l := range program {
		head, _, _ := strings.Cut(l, " => ")
		seen[head]++
		if !drop[nth{head, seen[head]}] {
			out = append(out, l)
		}
	}
	return out
}

// compareResults compares the calls made in the foreground in order and
// those made with & as a set.
func compareResults(t *testing.T, got, want []string) {
	t.Helper()
	split := func(ls []string) (fg, bg []string) {
		for _, l := range ls {
			if head, _, _ := strings.Cut(l, " => "); strings.HasSuffix(head, " &") {
				bg = append(bg, l)
			} else {
				fg = append(fg, l)
			}
		}
		slices.Sort(bg)
		return fg, bg
	}
	gf, gb := split(got)
	wf, wb := split(want)
	if !slices.Equal(gf, wf) {
		t.Errorf("the program's results differ from Linux's:\n%s", diffLines(gf, wf))
	}
	if !slices.Equal(gb, wb) {
		t.Errorf("the program's background results differ from Linux's:\n%s", diffLines(gb, wb))
	}
}

// diffLines shows two lists side by side from their first difference.
func diffLines(got, want []string) string {
	var b strings.Builder
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	for j := i; j < max(len(got), len(want)) && j < i+8; j++ {
		g, w := "", ""
		if j < len(got) {
			g = got[j]
		}
		if j < len(want) {
			w = want[j]
		}
		b.WriteString("  program: " + g + "\n  linux:   " + w + "\n")
	}
	return b.String()
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
