package lessons_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"socketville/shared/lessons"
)

// good is a whole, small lesson; the bad files below are it with one
// mistake.
const good = `---
title: Echo on port 7
# the goal
goal: bound b udp 7
hint: bind fd 3 to port 7
---
Bind the echo server.

` + "```sh\nsocketville lesson 1\n```" + `

` + "```start" + `
host b 10.0.0.2/24
process b echo root
b/echo: socket udp
` + "```" + `

` + "```show" + `
b/echo: bind 3 0.0.0.0:7
` + "```\n"

func TestParseGood(t *testing.T) {
	l, err := lessons.Parse("07-echo.lesson", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if l.Number != 7 || l.Name != "echo" || l.Title != "Echo on port 7" || len(l.Hints) != 1 || len(l.Goal) != 1 {
		t.Errorf("got %+v", l)
	}
	if want := "Bind the echo server.\n\n```sh\nsocketville lesson 1\n```"; l.Text != want {
		t.Errorf("text %q, want %q: the start and show blocks are not text, other fences are", l.Text, want)
	}
	if want := "host b 10.0.0.2/24\nprocess b echo root\nb/echo: socket udp\nb/echo: bind 3 0.0.0.0:7\n"; l.Solution() != want {
		t.Errorf("solution %q, want %q", l.Solution(), want)
	}
	if l.Goal[0].Line != "bound b udp 7" || l.Goal[0].Name != "a UDP socket on host b is bound to port 7" {
		t.Errorf("goal %q named %q", l.Goal[0].Line, l.Goal[0].Name)
	}
}

// TestParseBad: every mistake a teacher can make is named by file and
// line, in words that say what to write instead.
func TestParseBad(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new string
		want                 string
	}{
		{name: "unknown check", old: "goal: bound b udp 7", new: "goal: listen b 7",
			want: `03-echo.lesson:4: goal: unknown check "listen" (the checks are listening, bound,`},
		{name: "bad port", old: "goal: bound b udp 7", new: "goal: bound b udp 70000",
			want: `03-echo.lesson:4: goal: bound: "70000" is not a port (want a number from 1 to 65535) (usage: bound HOST tcp|udp PORT)`},
		{name: "too few words", old: "goal: bound b udp 7", new: "goal: bound b 7",
			want: `03-echo.lesson:4: goal: bound takes 3 words, not 2 (usage: bound HOST tcp|udp PORT)`},
		{name: "unknown key", old: "goal: bound b udp 7", new: "goal: connected b 7 clients=2",
			want: `03-echo.lesson:4: goal: connected: "clients=2": unknown key "clients" (this check takes peers=)`},
		{name: "bad count", old: "goal: bound b udp 7", new: "goal: connected b 7 peers=0",
			want: `03-echo.lesson:4: goal: connected: peers=0: want a whole number from 1 up`},
		{name: "bad state", old: "goal: bound b udp 7", new: "goal: went b FIN-WAIT TIME-WAIT",
			want: `03-echo.lesson:4: goal: went: "FIN-WAIT" is not a TCP state`},
		{name: "host not in town", old: "goal: bound b udp 7", new: "goal: bound x udp 7",
			want: `03-echo.lesson:4: goal: there is no host x in the lesson's town (its hosts are b)`},
		{name: "switch not in town", old: "goal: bound b udp 7", new: "goal: learned sw",
			want: `03-echo.lesson:4: goal: there is no switch sw in the lesson's town (its switches are none)`},
		{name: "empty goal", old: "goal: bound b udp 7", new: "goal:",
			want: `03-echo.lesson:4: goal: a goal needs a check`},
		{name: "unknown key line", old: "hint: bind", new: "hints: bind",
			want: `03-echo.lesson:5: unknown key "hints" (the keys are title, goal, hint and shared)`},
		{name: "not key value", old: "# the goal", new: "the goal",
			want: `03-echo.lesson:3: "the goal" is not a key: value line`},
		{name: "no title", old: "title: Echo on port 7\n", new: "",
			want: `03-echo.lesson:1: the header has no title: line`},
		{name: "no hint", old: "hint: bind fd 3 to port 7\n", new: "",
			want: `03-echo.lesson:1: the header has no hint: line`},
		{name: "no header", old: "---\ntitle", new: "title",
			want: `03-echo.lesson:1: a lesson opens with a header between two "---" lines`},
		{name: "header not closed", old: "---\nBind", new: "Bind",
			want: `03-echo.lesson:1: the header has no closing "---" line`},
		{name: "no start", old: "```start", new: "```",
			want: "03-echo.lesson:21: no ```start block"},
		{name: "empty show", old: "b/echo: bind 3 0.0.0.0:7\n", new: "",
			want: "03-echo.lesson:20: no ```show block, or an empty one"},
		{name: "bad start line", old: "process b echo root", new: "proces b echo root",
			want: `03-echo.lesson:15: unknown command "proces"`},
		{name: "bad show line", old: "b/echo: bind 3 0.0.0.0:7", new: "b/echo: bind 3 0.0.0.0",
			want: `03-echo.lesson:20: bind:`},
		{name: "show for a process never made", old: "b/echo: bind 3 0.0.0.0:7", new: "b/web: bind 3 0.0.0.0:7",
			want: `03-echo.lesson:20: b/web: no process called web on b`},
		{name: "block not closed", old: "b/echo: bind 3 0.0.0.0:7\n```\n", new: "b/echo: bind 3 0.0.0.0:7\n",
			want: "03-echo.lesson:19: this ``` block is not closed"},
		{name: "bad file name", file: "echo.lesson",
			want: "echo.lesson: a lesson file is named NN-name.lesson"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "03-echo.lesson"
			}
			src := strings.Replace(good, tc.old, tc.new, 1)
			if src == good && tc.old != "" {
				t.Fatalf("%q is not in the good lesson", tc.old)
			}
			_, err := lessons.Parse(file, []byte(src))
			if err == nil {
				t.Fatalf("no error for:\n%s", src)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%v\nlacks %q", err, tc.want)
			}
			var fe *lessons.FileError
			if !errors.As(err, &fe) || fe.File != file {
				t.Errorf("error %v is not a *FileError for %s", err, file)
			}
		})
	}
}

// TestLoadFolder: a teacher's folder gives its lessons in order of number,
// leaves other files alone, and says which file breaks a rule.
func TestLoadFolder(t *testing.T) {
	fsys := fstest.MapFS{
		"10-echo.lesson": {Data: []byte(good)},
		"2-echo.lesson":  {Data: []byte(strings.Replace(good, "Echo on port 7", "Echo again", 1))},
		"hello.sv":       {Data: []byte("host a 10.0.0.1/24\n")},
		"README.md":      {Data: []byte("my class\n")},
	}
	ls, err := lessons.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].Number != 2 || ls[1].Number != 10 || ls[0].Title != "Echo again" {
		t.Fatalf("got %d lessons: %+v", len(ls), ls)
	}
	if l, ok := lessons.FindIn(ls, 10); !ok || l.File != "10-echo.lesson" {
		t.Errorf("FindIn(10) = %+v, %v", l, ok)
	}

	fsys["02-other.lesson"] = &fstest.MapFile{Data: []byte(good)}
	fsys["03-big.lesson"] = &fstest.MapFile{Data: make([]byte, lessons.MaxFileSize+1)}
	ls, err = lessons.Load(fsys)
	if len(ls) != 2 {
		t.Errorf("%d lessons loaded beside the broken ones, want 2", len(ls))
	}
	for _, want := range []string{"2-echo.lesson: lesson 2 is 02-other.lesson already", "03-big.lesson: 262145 bytes is more than a lesson file may be"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
