package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"socketville/shared/lessons"
)

// TestLessonCommand: what a learner types and what they see, with the exit
// status a script can rely on (0 met or listed, 1 not met, 2 bad usage).
func TestLessonCommand(t *testing.T) {
	_, solution, _ := socketville(t, "", "lesson", "5", "--show")
	start, _, ok := strings.Cut(solution, "# Give the socket port 80")
	if !ok {
		t.Fatalf("lesson 5's show me has changed: %q", solution)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   []string // in stdout
		err   string   // in stderr
	}{
		{name: "list", args: []string{"lesson"}, code: exitOK,
			out: []string{" 1  Messages go down and up the layers\n", " 6  A new socket for each client\n", "10  The same town on real sockets\n", "11  You and a friend\n"}},
		{name: "one lesson", args: []string{"lesson", "5"}, code: exitOK,
			out: []string{"Lesson 5: A server's socket: bind and listen", "bind gives it an address and a port",
				"The goal:\n  - a TCP socket on host b is bound to port 80", "Hints, one at a time:\n  1. bind gives", "b/web: socket tcp\n"}},
		{name: "show me", args: []string{"lesson", "5", "--show"}, code: exitOK,
			out: []string{"process b web root\n", "b/web: listen 3 16\n"}},
		{name: "solution met", args: []string{"lesson", "5", "--check", "-"}, stdin: solution, code: exitOK,
			out: []string{"The goal is met.", "  done     a socket on host b is listening on port 80"}},
		{name: "start alone", args: []string{"lesson", "--check", "-", "5"}, stdin: start, code: exitFail,
			out: []string{"The goal is not met yet: 0 of 3 checks hold.", "  missing  no TCP socket on host b is bound to port 80"}},
		{name: "wrong port", args: []string{"lesson", "5", "--check", "-"}, stdin: start + "b/web: bind 3 0.0.0.0:81\nb/web: listen 3 16\na/browser: socket tcp\na/browser: connect 3 10.0.0.2:80\n",
			code: exitFail, out: []string{"0 of 3 checks hold", "  missing  no TCP socket on host b is bound to port 80 (its TCP sockets have port 81)", "  missing  no socket on host b is listening on port 80 (host b listens on port 81)",
				"Calls that failed on the way:\n  line 11: connect: ECONNREFUSED"}},
		{name: "scenario that cannot run", args: []string{"lesson", "5", "--check", "-"}, stdin: start + "b/web: bnd 3 0.0.0.0:80\n",
			code: exitFail, err: `standard input cannot run: line 8: unknown call "bnd"`},
		{name: "no such file", args: []string{"lesson", "5", "--check", "no-such.sv"}, code: exitFail, err: "no-such.sv"},
		{name: "goals", args: []string{"lesson", "--goals"}, code: exitOK, out: []string{"  listening HOST PORT\n", "  connected HOST PORT [peers=N]\n"}},
		{name: "no such lesson", args: []string{"lesson", "99"}, code: exitUsage, err: `there is no lesson "99" (the lessons are 1 to 11`},
		{name: "shared lesson", args: []string{"lesson", "11"}, code: exitOK,
			out: []string{"Lesson 11: You and a friend", "  - a socket on host YOU connected to FRIEND:7000", "This lesson is played with a friend, in a shared town",
				"Your friend types, on their page:\n\nFRIEND/app: socket tcp\n"}},
		{name: "shared show me", args: []string{"lesson", "11", "--show"}, code: exitOK,
			out: []string{"# Your friend types, on their page:\n#   FRIEND/app: socket tcp\n", "# You type, on yours:\nYOU/app: socket tcp\nYOU/app: connect 3 FRIEND:7000\n"}},
		{name: "shared check reads, never meets", args: []string{"lesson", "11", "--check", "-"}, stdin: "YOU/app: socket tcp\nYOU/app: connect 3 FRIEND:7000\n", code: exitFail,
			out: []string{"Not judged here: the goal is about a friend's host, so it is met only in a shared town.", "standard input reads: 2 calls of YOU's"}},
		{name: "shared check, a friend's call", args: []string{"lesson", "11", "--check", "-"}, stdin: "FRIEND/app: socket tcp\n", code: exitFail,
			err: "standard input:1: your lines are typed on YOU's page, so they call YOU's processes"},
		{name: "shared check on Linux", args: []string{"lesson", "11", "--check", "-", "--os"}, code: exitUsage, err: "--os does not apply"},
		{name: "not a number", args: []string{"lesson", "five"}, code: exitUsage, err: `there is no lesson "five"`},
		{name: "two numbers", args: []string{"lesson", "1", "2"}, code: exitUsage, err: "want one lesson number"},
		{name: "show and check", args: []string{"lesson", "5", "--show", "--check", "x.sv"}, code: exitUsage, err: "ask for one"},
		{name: "check without a number", args: []string{"lesson", "--check", "x.sv"}, code: exitUsage, err: "need a lesson number"},
		{name: "unknown flag", args: []string{"lesson", "--bogus"}, code: exitUsage, err: "flag provided but not defined"},
		{name: "goals with a number", args: []string{"lesson", "--goals", "3"}, code: exitUsage, err: "--goals goes alone"},
		{name: "os without check", args: []string{"lesson", "10", "--os"}, code: exitUsage, err: "--os, --hosts and --max-run go with --check FILE"},
		{name: "bad hosts mode", args: []string{"lesson", "10", "--check", "-", "--os", "--hosts", "moon"}, stdin: solution, code: exitUsage, err: "moon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := socketville(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, errOut)
			}
		})
	}
}

// TestLessonShowRuns: every lesson's show-me output is a scenario that
// socketville run plays without an unexpected failure.
func TestLessonShowRuns(t *testing.T) {
	for n := 1; n <= 10; n++ {
		_, src, _ := socketville(t, "", "lesson", strconv.Itoa(n), "--show")
		if code, _, errOut := socketville(t, src, "run", "-"); code != exitOK {
			t.Errorf("lesson %d --show | run -: exit %d: %s", n, code, errOut)
		}
	}
}

// TestLessonCheckOnLinux: lesson 10's goal holds for its solution run on
// Linux's own sockets too (hosts on loopback, run lines cut short), since
// its checks are ones every kernel's events show.
func TestLessonCheckOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("runs the scenario on Linux's sockets, as root (privileged ports as in the lesson)")
	}
	_, src, _ := socketville(t, "", "lesson", "10", "--show")
	code, out, errOut := socketville(t, src, "lesson", "10", "--check", "-", "--os", "--hosts", "loopback", "--max-run", "200ms")
	if code != exitOK || !strings.Contains(out, "(on Linux's sockets)\nThe goal is met.") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestLessonTeacherFolder: --dir reads a teacher's own lessons, and a
// mistake in one is named by file and line.
func TestLessonTeacherFolder(t *testing.T) {
	dir := t.TempDir()
	good := "---\ntitle: Echo on port 7\ngoal: bound b udp 7\nhint: b/echo: bind 3 0.0.0.0:7\n---\nBind the echo server.\n\n" +
		"```start\nhost b 10.0.0.2/24\nprocess b echo root\nb/echo: socket udp\n```\n\n```show\nb/echo: bind 3 0.0.0.0:7\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "01-echo.lesson"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := socketville(t, "", "lesson", "--dir", dir); code != exitOK || out != "1  Echo on port 7\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, sol, _ := socketville(t, "", "lesson", "--dir", dir, "1", "--show")
	if code, out, _ := socketville(t, sol, "lesson", "--dir", dir, "1", "--check", "-"); code != exitOK {
		t.Fatalf("the teacher's show me does not meet its goal: exit %d\n%s", code, out)
	}

	bad := strings.Replace(good, "goal: bound b udp 7", "goal: bound b udp seven", 1)
	if err := os.WriteFile(filepath.Join(dir, "02-bad.lesson"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := socketville(t, "", "lesson", "--dir", dir)
	if code != exitFail || !strings.Contains(errOut, `02-bad.lesson:3: goal: bound: "seven" is not a port`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// TestLessonTextsNameRealCommands: every "socketville CMD" a lesson's
// text or hints tell the learner to type is a command this binary has.
func TestLessonTextsNameRealCommands(t *testing.T) {
	cmds := commands()
	mention := regexp.MustCompile(`socketville ([a-z]+)`)
	for _, l := range lessons.All() {
		for _, text := range append([]string{l.Text}, l.Hints...) {
			for _, m := range mention.FindAllStringSubmatch(text, -1) {
				if _, ok := cmds[m[1]]; !ok {
					t.Errorf("lesson %d tells the learner to run socketville %s, which is no command", l.Number, m[1])
				}
			}
		}
	}
}
