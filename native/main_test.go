package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func socketville(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = realMain(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func exampleFiles(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("../examples/*.sv")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	return paths
}

func TestRunHelloUDP(t *testing.T) {
	code, out, errOut := socketville(t, "", "run", "../examples/hello-udp.sv")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		`b/echo               => 11 from 10.0.0.1:49152 "hello, town"`,
		"dropped   UDP 10.0.0.1:49152 > 10.0.0.2:9 len=13: no socket on UDP port 9",
		"ICMP 10.0.0.2 > 10.0.0.1 destination unreachable (port unreachable)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}

func TestRunJSON(t *testing.T) {
	code, out, _ := socketville(t, "", "run", "../examples/hello-udp.sv", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v: %s", n+1, err, sc.Text())
		}
		if _, ok := rec["kind"]; !ok {
			t.Fatalf("line %d has no kind", n+1)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d JSON lines", n)
	}
}

func TestRunFromStdin(t *testing.T) {
	src := "host a 10.0.0.1/24\nprocess a p\na/p: socket udp => 3\n"
	code, out, errOut := socketville(t, src, "run", "-")
	if code != exitOK || !strings.Contains(out, "a/p:3") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestRunHelp: a scenario may ask the shell for help; the text is in the
// trace, and a topic that does not exist is a scenario error like any other.
func TestRunHelp(t *testing.T) {
	code, out, errOut := socketville(t, "", "run", "-")
	if code != exitOK || errOut != "" {
		t.Fatalf("an empty scenario: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut = socketville(t, "help\nhelp bind\nhelp setsockopt\n", "run", "-")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"$ help bind", "=> bind FD ADDR:PORT", "example: b/web: bind 3 0.0.0.0:80", "SO_REUSEADDR", "  socket     make a socket"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = socketville(t, "help\nhelp sockt\n", "run", "-")
	if code != exitFail || !strings.Contains(errOut, `line 2: help: no line, call, option or errno "sockt"; did you mean socket?`) {
		t.Fatalf("help sockt: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageAndErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.sv")
	if err := os.WriteFile(bad, []byte("host a 10.0.0.1/24\nhots b\nprocess a p\na/p: bnd 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(t.TempDir(), "failing.sv")
	if err := os.WriteFile(failing, []byte("host a 10.0.0.1/24\nprocess a p\na/p: socket udp\na/p: bind 3 0.0.0.0:80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, stderr: `unknown command "frobnicate"`},
		{name: "help with two commands", args: []string{"help", "run", "serve"}, code: exitUsage, stderr: "at most one COMMAND"},
		{name: "run without scenario", args: []string{"run"}, code: exitUsage, stderr: "want exactly one SCENARIO"},
		{name: "bad flag", args: []string{"run", "--colour", "x.sv"}, code: exitUsage, stderr: "flag provided but not defined"},
		{name: "missing file", args: []string{"run", "nope.sv"}, code: exitFail, stderr: "no such file"},
		{name: "bad scenario", args: []string{"run", bad}, code: exitFail, stderr: "line 2: unknown command \"hots\""},
		{name: "failing call", args: []string{"run", failing}, code: exitFail,
			stderr: "line 4: bind: EACCES: permission denied (ports below 1024 need a root process; a/p is not)"},
		{name: "turn flags without --turn", args: []string{"serve", "--turn-ttl", "2h"}, code: exitUsage, stderr: "go with --turn"},
		{name: "too many ICE servers for --turn", args: append([]string{"serve", "--turn"}, strings.Fields(strings.Repeat("--ice stun:127.0.0.1:3478 ", 8))...),
			code: exitUsage, stderr: "at most 7 --ice servers"},
		{name: "help unknown", args: []string{"help", "fly"}, code: exitUsage, stderr: `no command "fly" (the commands are desktop, export, help, join, lesson, run, serve, watch)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := socketville(t, "", c.args...)
			if code != c.code || !strings.Contains(errOut, c.stderr) {
				t.Fatalf("exit %d stderr %q, want exit %d with %q", code, errOut, c.code, c.stderr)
			}
			if code == exitUsage && out != "" {
				t.Fatalf("bad usage should print only to stderr; stdout %q", out)
			}
		})
	}
	_, _, errOut := socketville(t, "", "run", bad)
	if !strings.Contains(errOut, "line 4: ") {
		t.Fatalf("every mistake should be reported, got %q", errOut)
	}
}

// TestUsageOnStdout: asking for help (no command at all, help, help CMD,
// CMD -h) is no mistake: the usage goes to stdout, nothing to stderr, and
// the exit status is 0.
func TestUsageOnStdout(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{name: "no command", args: nil, want: "Usage: socketville COMMAND"},
		{name: "help", args: []string{"help"}, want: "Usage: socketville COMMAND"},
		{name: "--help", args: []string{"--help"}, want: "Usage: socketville COMMAND"},
		{name: "help run", args: []string{"help", "run"}, want: "socketville run [--json]"},
		{name: "run -h", args: []string{"run", "-h"}, want: "socketville run [--json]"},
		{name: "serve --help", args: []string{"serve", "--help"}, want: "socketville serve"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := socketville(t, "", c.args...)
			if code != exitOK || errOut != "" || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and %q on stdout", code, out, errOut, c.want)
			}
		})
	}
}

func writePcap(t *testing.T, scenario string, extra ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pcap")
	args := append([]string{"run", scenario, "--pcap", path}, extra...)
	if code, _, errOut := socketville(t, "", args...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// faulty reports whether a scenario gives a link loss, duplication,
// reordering or corruption.
func faulty(t *testing.T, path string) bool {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^link .*\b(loss|dup|reorder|corrupt)=`).Match(src)
}

func TestSameSeedSamePcapAndTrace(t *testing.T) {
	for _, path := range exampleFiles(t) {
		a, b := writePcap(t, path), writePcap(t, path)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs wrote different pcaps", path)
		}
		_, t1, _ := socketville(t, "", "run", path, "--json")
		_, t2, _ := socketville(t, "", "run", path, "--json")
		if t1 != t2 {
			t.Errorf("%s: two runs printed different traces", path)
		}
	}
	// The pcap records packets as they leave the sender, before the link's
	// faults, so only the trace is sure to show another seed.
	_, s1, _ := socketville(t, "", "run", "../examples/lossy-udp.sv", "--seed", "1")
	_, s2, _ := socketville(t, "", "run", "../examples/lossy-udp.sv", "--seed", "2")
	if s1 == s2 {
		t.Error("--seed should change what a lossy link does")
	}
}

// TestTsharkDecodesEveryExample is the cross-check against a decoder nobody
// here wrote: tshark must read every example's pcap as Ethernet frames
// carrying ARP or IPv4 with correct checksums (IP, UDP and TCP), see as
// many frames as the trace sent, and find nothing malformed or wrong: no
// error-level expert info at all on a loss-free run. Where the link loses,
// duplicates or reorders (or a smaller path MTU makes segments shrink),
// TCP sends data again on purpose; tshark's stream reassembly calls every
// such overlap an error, so there it only checks that no retransmission
// carries different bytes from the first time (tcp.segment.overlap.conflict).
func TestTsharkDecodesEveryExample(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is not installed; ./build.sh deps installs it")
		}
		t.Skip("tshark is not installed (./build.sh deps installs it)")
	}
	bad := regexp.MustCompile(`(?i)malformed|: bad|\(error/|incorrect`)
	for _, path := range exampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, trace, _ := socketville(t, "", "run", path)
			sent := strings.Count(trace, " sent      ")
			arps := regexp.MustCompile(`(?m) sent      \[[^\]]*\] ARP `).FindAllStringIndex(trace, -1)
			pcap := filepath.Join(t.TempDir(), "x.pcap")
			if err := os.WriteFile(pcap, writePcap(t, path), 0o644); err != nil {
				t.Fatal(err)
			}
			// A lossy road, or a path-MTU story, makes TCP send data again.
			resends := faulty(t, path) || strings.Contains(trace, "(retransmission)")
			args := []string{"-r", pcap, "-o", "ip.check_checksum:TRUE", "-V"}
			if resends {
				args = append(args, "-o", "tcp.desegment_tcp_streams:FALSE")
				conflicts, err := exec.Command(tshark, "-r", pcap, "-Y", "tcp.segment.overlap.conflict").Output()
				if err != nil || len(bytes.TrimSpace(conflicts)) > 0 {
					t.Fatalf("tshark found retransmitted data that differs (%v):\n%s", err, conflicts)
				}
			}
			out, err := exec.Command(tshark, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, out)
			}
			text := string(out)
			if m := bad.FindString(text); m != "" {
				t.Fatalf("tshark complains (%q):\n%s", m, text)
			}
			// The transport checksums, except inside an ICMP error: it
			// quotes at most 548 bytes of the packet (as Linux does), and
			// tshark checks the quoted segment's checksum over what is
			// left of it.
			sums := []string{"-r", pcap, "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-V",
				"-Y", "!(icmp.type == 3 || icmp.type == 11 || icmp.type == 12)"}
			if resends {
				sums = append(sums, "-o", "tcp.desegment_tcp_streams:FALSE")
			}
			sumOut, err := exec.Command(tshark, sums...).CombinedOutput()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, sumOut)
			}
			if m := bad.FindString(string(sumOut)); m != "" {
				t.Fatalf("tshark complains about a checksum (%q):\n%s", m, sumOut)
			}
			frames := strings.Count(text, "\nFrame ") + strings.Count(text[:min(len(text), 6)], "Frame ")
			eth := strings.Count(text, "\nEthernet II, Src: ")
			arp := strings.Count(text, "\nAddress Resolution Protocol (")
			good := strings.Count(text, "Header checksum status: Good")
			if frames != sent || eth != sent || arp != len(arps) || good < sent-len(arps) {
				t.Fatalf("tshark saw %d frames (%d Ethernet II, %d ARP) with %d good IPv4 checksums; the trace sent %d, %d of them ARP",
					frames, eth, arp, good, sent, len(arps))
			}
		})
	}
}

// TestDesktopBadInput: the desktop refuses what it cannot open before it
// opens a window, saying why in plain words.
func TestDesktopBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.sv")
	if err := os.WriteFile(bad, []byte("host a 10.0.0.1/24\nfoo bar\nhost b 10.0.0.300/24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{name: "malformed scenario", args: []string{"desktop", bad}, code: exitFail,
			want: []string{"line 2: unknown command \"foo\"", "line 3: host b: address \"10.0.0.300/24\""}},
		{name: "no such scenario", args: []string{"desktop", "helo-tcp"}, code: exitFail,
			want: []string{"helo-tcp", "hello-tcp, "}},
		{name: "bad size", args: []string{"desktop", "--size", "big"}, code: exitUsage, want: []string{"want WIDTHxHEIGHT"}},
		{name: "bad crowd", args: []string{"desktop", "--crowd", "9x1"}, code: exitUsage, want: []string{"at least 3 sockets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := socketville(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestUsageReadsWell: the usage lists every command with its summary in one
// column, run first and help last; and help CMD for every command gives its
// summary, then a synopsis that names it, with lines that fit 80 columns and
// each block of flags' descriptions in one column.
func TestUsageReadsWell(t *testing.T) {
	_, out, _ := socketville(t, "", "help")
	var rows []string
	col := -1
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "  ") {
			continue
		}
		name := strings.Fields(l)[0]
		at := len(l) - len(strings.TrimLeft(l[2+len(name):], " "))
		if col >= 0 && at != col {
			t.Errorf("the summary of %s starts at column %d, the others at %d:\n%s", name, at, col, out)
		}
		col = at
		rows = append(rows, name)
	}
	if strings.Join(rows, " ") != "run desktop serve join watch lesson export help" {
		t.Errorf("the usage lists %q, want run, desktop, serve, join, watch, lesson, export and help in that order", rows)
	}
	for name, c := range commands() {
		t.Run(name, func(t *testing.T) {
			code, text, errOut := socketville(t, "", "help", name)
			if code != exitOK || errOut != "" || !strings.HasPrefix(text, c.summary+"\n\nsocketville "+name) {
				t.Fatalf("help %s: exit %d, stderr %q, want the summary and the synopsis:\n%s", name, code, errOut, text)
			}
			col := -1
			for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
				if len(l) > 80 {
					t.Errorf("help %s: a line longer than 80 columns: %q", name, l)
				}
				if !strings.HasPrefix(l, "  --") {
					col = -1 // a new block of flags may have its own column
					continue
				}
				flagAndArg := regexp.MustCompile(`^  --\S+( [A-Z]\S*)?  +`).FindString(l)
				if flagAndArg == "" {
					t.Errorf("help %s: flag line %q has no description after two spaces", name, l)
					continue
				}
				if col >= 0 && len(flagAndArg) != col {
					t.Errorf("help %s: the flags' descriptions do not line up at %q", name, l)
				}
				col = len(flagAndArg)
			}
		})
	}
}
