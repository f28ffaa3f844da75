package script_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"socketville/shared/netsim"
	"socketville/shared/script"
)

// topics are every line help knows: the world lines and the calls.
func topics(t *testing.T) []string {
	t.Helper()
	index, err := script.Help("")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(index, "\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "  ") && len(f) > 1 {
			names = append(names, f[0])
		}
	}
	return names
}

// TestHelpIndex: help alone lists every world line and every call with a
// purpose of its own.
func TestHelpIndex(t *testing.T) {
	names := topics(t)
	for _, want := range append([]string{"host", "link", "route", "process", "seed", "run", "step", "help"}, script.CallNames()...) {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("help does not list %s", want)
		}
	}
	if len(names) != 8+len(script.CallNames()) {
		t.Errorf("help lists %d lines: %q", len(names), names)
	}
}

// TestHelpTopic: help LINE gives the syntax, a sentence and an example,
// and the example is a line the shell reads.
func TestHelpTopic(t *testing.T) {
	for _, topic := range topics(t) {
		t.Run(topic, func(t *testing.T) {
			text, err := script.Help(topic)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(text, "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], topic) || !strings.HasSuffix(lines[1], ".") || !strings.HasPrefix(lines[2], "example: ") {
				t.Fatalf("help %s should be syntax, a sentence and an example:\n%s", topic, text)
			}
			example := strings.TrimPrefix(lines[2], "example: ")
			if _, err := script.ParseLine(example); err != nil {
				t.Fatalf("help %s's example %q does not parse: %v", topic, example, err)
			}
			if !regexp.MustCompile(`(^|: )` + topic + `\b`).MatchString(example) {
				t.Fatalf("help %s's example %q is not a %s line", topic, example, topic)
			}
		})
	}
	if text, _ := script.Help("setsockopt"); !strings.Contains(text, "SO_REUSEADDR") || !strings.Contains(text, "TCP_NODELAY") {
		t.Errorf("help setsockopt should name the options:\n%s", text)
	}
	for _, c := range []struct{ topic, want string }{
		{topic: "nosuch", want: `help: no line or call "nosuch" (try help alone for the list)`},
		{topic: "lisen", want: `help: no line or call "lisen"; did you mean listen?`},
	} {
		if _, err := script.Help(c.topic); err == nil || err.Error() != c.want {
			t.Errorf("Help(%q): %v, want %q", c.topic, err, c.want)
		}
	}
}

// recorder keeps the shell lines a runner reports.
type recorder struct{ lines []script.LineRecord }

func (r *recorder) Event(netsim.Event)       {}
func (r *recorder) Line(l script.LineRecord) { r.lines = append(r.lines, l) }

// TestHelpLine: "help ..." is a line like any other, in a scenario and at
// the console: it is echoed, and its text arrives as the line's result,
// where every sink shows a result.
func TestHelpLine(t *testing.T) {
	for _, line := range []string{"help", "help bind", "help link", "help setsockopt"} {
		t.Run(line, func(t *testing.T) {
			rec := &recorder{}
			r := script.NewRunner(script.Options{Sink: rec, Interactive: true})
			if err := r.Exec(1, line); err != nil {
				t.Fatal(err)
			}
			if len(rec.lines) != 2 || rec.lines[0].Phase != script.PhaseWorld || rec.lines[1].Phase != script.PhaseDone {
				t.Fatalf("want the line issued, then done: %+v", rec.lines)
			}
			want, _ := script.Help(strings.TrimSpace(strings.TrimPrefix(line, "help")))
			if done := rec.lines[1]; done.Result != want || done.Err != nil || done.Unexpected || done.Text != line {
				t.Fatalf("result %+v, want the help text", done)
			}
		})
	}
	if err := script.NewRunner(script.Options{}).Exec(1, "help nosuch"); err == nil || !strings.Contains(err.Error(), `line 1: help: no line or call "nosuch"`) {
		t.Fatalf("help nosuch: %v", err)
	}
}

// TestHelpInTrace: in a scenario run, each line of the help text is a
// line of the trace with its time, so the trace stays one record a line.
func TestHelpInTrace(t *testing.T) {
	s, err := script.Parse("t.sv", strings.NewReader("help bind\nhost a 10.0.0.1/24\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := script.Check(s); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out)}).Run(s); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 5 trace lines (help, 3 of text, host):\n%s", out.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "      0.000000  ") {
			t.Errorf("trace line without its time: %q", l)
		}
	}
	if !strings.Contains(lines[1], "=> bind FD ADDR:PORT") || !strings.Contains(lines[3], "   example: b/web: bind 3 0.0.0.0:80") {
		t.Errorf("help text not in the trace:\n%s", out.String())
	}
}
