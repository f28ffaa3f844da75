package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCommand: what a learner types and sees, with the exit status a
// script can rely on (0 written, 1 a line with no program, 2 bad usage).
func TestExportCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "hello.go")
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string // in stdout
		err   string // in stderr
	}{
		{name: "to stdout", args: []string{"export", "../examples/hello-udp.sv"}, code: exitOK,
			out: "// b/echo: bind 3 0.0.0.0:7007\n\tbEcho.say(\"bind 3 0.0.0.0:7007\", bEcho.bind(3, \"0.0.0.0:7007\"))"},
		{name: "to a file", args: []string{"export", "-o", out, "../examples/hello-tcp.sv"}, code: exitOK},
		{name: "stdin", args: []string{"export", "-"}, stdin: "host a 10.0.0.1/24\nprocess a p\na/p: socket udp\n", code: exitOK,
			out: `aP.say("socket udp", aP.socket("udp"))`},
		{name: "refused", args: []string{"export", "../examples/router.sv"}, code: exitFail,
			err: "line 17: ping: no program for it"},
		{name: "no such file", args: []string{"export", "no-such.sv"}, code: exitFail, err: "no-such.sv"},
		{name: "no scenario", args: []string{"export"}, code: exitUsage, err: "want exactly one SCENARIO"},
		{name: "unknown flag", args: []string{"export", "--bogus", "x.sv"}, code: exitUsage, err: "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := socketville(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.out) || !strings.Contains(stderr, tc.err) {
				t.Errorf("socketville %s: exit %d, want %d\nstdout: %s\nstderr: %s\nwant stdout with %q, stderr with %q",
					strings.Join(tc.args, " "), code, tc.code, stdout, stderr, tc.out, tc.err)
			}
		})
	}
	prog, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(prog), "package main") {
		t.Errorf("-o wrote %d bytes (%v), want a Go program", len(prog), err)
	}
}
