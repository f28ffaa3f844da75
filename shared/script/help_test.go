package script_test

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"socketville/shared/sock"

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
	world := []string{"host", "switch", "link", "route", "arp", "process", "peer", "seed", "run", "step", "help"}
	for _, want := range append(world, script.CallNames()...) {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("help does not list %s", want)
		}
	}
	if len(names) != len(world)+len(script.CallNames()) {
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
		{topic: "nosuch", want: `help: no line, call, option or errno "nosuch" (try help alone for the list)`},
		{topic: "lisen", want: `help: no line, call, option or errno "lisen"; did you mean listen?`},
	} {
		if _, err := script.Help(c.topic); err == nil || err.Error() != c.want {
			t.Errorf("Help(%q): %v, want %q", c.topic, err, c.want)
		}
	}
}

// recorder keeps the shell lines a runner reports.
type recorder struct{ lines []script.LineRecord }

func (r *recorder) Event(sock.Event)         {}
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
	if err := script.NewRunner(script.Options{}).Exec(1, "help nosuch"); err == nil || !strings.Contains(err.Error(), `line 1: help: no line, call, option or errno "nosuch"`) {
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

// TestHelpSetsockoptReadOnly: setsockopt's help lists only the options a
// program may set; SO_ERROR is named as read-only, under getsockopt too.
func TestHelpSetsockoptReadOnly(t *testing.T) {
	set, _ := script.Help("setsockopt")
	list, rest, ok := strings.Cut(set, "the options are ")
	if !ok {
		t.Fatalf("help setsockopt lists no options:\n%s", set)
	}
	list, _, _ = strings.Cut(rest, ", and help NAME")
	for _, o := range sock.SockOpts() {
		readOnly := o == sock.OptError || o == sock.OptMTU
		if listed := slices.Contains(strings.Split(list, ", "), o.String()); listed == readOnly {
			t.Errorf("help setsockopt lists %v: %v; want only the options that can be set:\n%s", o, listed, set)
		}
	}
	if !strings.Contains(set, "SO_ERROR is read-only") {
		t.Errorf("help setsockopt should say SO_ERROR is read-only:\n%s", set)
	}
	if get, _ := script.Help("getsockopt"); !strings.Contains(get, "read-only SO_ERROR") || !strings.Contains(get, "clears it") {
		t.Errorf("help getsockopt should explain SO_ERROR:\n%s", get)
	}
}

// TestHelpOption: help OPTION explains every socket option the core knows
// (its name, level, what VALUE is, what it does, an example that parses and
// uses it), in any case; the example of a read-only option only reads it,
// and setting that option fails with ENOPROTOOPT as on Linux.
func TestHelpOption(t *testing.T) {
	for _, c := range []struct{ topic, level, has string }{
		{topic: "SO_REUSEADDR", level: "SOL_SOCKET", has: "TIME-WAIT"},
		{topic: "so_reuseaddr", level: "SOL_SOCKET", has: "TIME-WAIT"},
		{topic: "SO_BROADCAST", level: "SOL_SOCKET", has: "not simulate"},
		{topic: "SO_RCVBUF", level: "SOL_SOCKET", has: "doubles"},
		{topic: "SO_SNDBUF", level: "SOL_SOCKET", has: "doubled"},
		{topic: "SO_RCVTIMEO", level: "SOL_SOCKET", has: "EAGAIN"},
		{topic: "IP_TTL", level: "IPPROTO_IP", has: "time exceeded"},
		{topic: "SO_ERROR", level: "SOL_SOCKET", has: "read-only (getsockopt only)"},
		{topic: "TCP_NODELAY", level: "IPPROTO_TCP", has: "Nagle"},
		{topic: "SO_LINGER", level: "SOL_SOCKET", has: "RST"},
		{topic: "IP_RECVERR", level: "IPPROTO_IP", has: "MSG_ERRQUEUE"},
		{topic: "IP_MTU_DISCOVER", level: "IPPROTO_IP", has: "fragmentation needed"},
		{topic: "IP_MTU", level: "IPPROTO_IP", has: "read-only (getsockopt only)"},
		{topic: "TCP_USER_TIMEOUT", level: "IPPROTO_TCP", has: "ETIMEDOUT"},
	} {
		t.Run(c.topic, func(t *testing.T) {
			text, err := script.Help(c.topic)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(text, "\n")
			name := strings.ToUpper(c.topic)
			if len(lines) != 3 || !strings.HasPrefix(lines[0], name+": a socket option at level "+c.level+"; ") ||
				!strings.HasSuffix(lines[1], ".") || !strings.HasPrefix(lines[2], "example: ") || !strings.Contains(text, c.has) {
				t.Fatalf("help %s should be name and level, a sentence with %q and an example:\n%s", c.topic, c.has, text)
			}
			example := strings.TrimPrefix(lines[2], "example: ")
			cmd, err := script.ParseLine(example)
			if err != nil {
				t.Fatalf("example %q does not parse: %v", example, err)
			}
			call, ok := cmd.(script.CallCmd)
			if !ok || call.Call.Opt.String() != name {
				t.Fatalf("example %q is not a call with %s", example, name)
			}
			if readOnly := name == "SO_ERROR" || name == "IP_MTU"; readOnly != (call.Call.Op == "getsockopt") {
				t.Fatalf("example %q: a read-only option is read, any other set", example)
			}
		})
	}
	for _, o := range sock.SockOpts() {
		if _, err := script.Help(o.String()); err != nil {
			t.Errorf("help %v: %v", o, err)
		}
	}
	// The sim agrees with the help: setting SO_ERROR is ENOPROTOOPT, reading it is fine.
	src := "host a 10.0.0.1/24\nprocess a p\na/p: socket tcp => 3\na/p: setsockopt 3 SO_ERROR 0 => ENOPROTOOPT\na/p: getsockopt 3 SO_ERROR => 0\n"
	s, err := script.Parse("so_error.sv", strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err == nil {
		err = script.NewRunner(script.Options{}).Run(s)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestHelpErrno: help ERRNO says, for every errno the core returns, its
// number and man-page words and, in a sentence, when a learner meets it;
// any case will do, and a near miss gets a did you mean.
func TestHelpErrno(t *testing.T) {
	for _, c := range []struct{ topic, want string }{
		{topic: "EADDRINUSE", want: fmt.Sprintf("EADDRINUSE (errno %d): address already in use\nbind asked for", syscall.EADDRINUSE)},
		{topic: "eaddrinuse", want: fmt.Sprintf("EADDRINUSE (errno %d): address already in use\n", syscall.EADDRINUSE)},
		{topic: "ECONNREFUSED", want: fmt.Sprintf("ECONNREFUSED (errno %d): connection refused\nconnect reached the host but no socket listens", syscall.ECONNREFUSED)},
		{topic: "EACCES", want: "below 1024"},
		{topic: "EAGAIN", want: "non-blocking"},
		{topic: "ENOPROTOOPT", want: "read-only SO_ERROR"},
		{topic: "EINPROGRESS", want: "SO_ERROR"},
	} {
		if text, err := script.Help(c.topic); err != nil || !strings.Contains(text, c.want) {
			t.Errorf("help %s: %v\n%s\nwant it to say %q", c.topic, err, text, c.want)
		}
	}
	for _, e := range sock.Errnos() {
		text, err := script.Help(e.Name())
		if err != nil {
			t.Errorf("help %s: %v", e.Name(), err)
			continue
		}
		lines := strings.Split(text, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], e.Name()+" (errno ") || !strings.HasSuffix(lines[0], "): "+e.Text()) ||
			len(lines[1]) < 40 || !strings.HasSuffix(lines[1], ".") {
			t.Errorf("help %s should be its name, number and words, then a sentence:\n%s", e.Name(), text)
		}
	}
	for _, c := range []struct{ topic, want string }{
		{topic: "EADDRINUS", want: `help: no line, call, option or errno "EADDRINUS"; did you mean EADDRINUSE?`},
		{topic: "SO_REUSADDR", want: `help: no line, call, option or errno "SO_REUSADDR"; did you mean SO_REUSEADDR?`},
	} {
		if _, err := script.Help(c.topic); err == nil || err.Error() != c.want {
			t.Errorf("Help(%q): %v, want %q", c.topic, err, c.want)
		}
	}
}

// TestHelpTraceWords: the trace's own words (its kinds and the ARP
// states) are explained, in any case, and a near miss is suggested.
func TestHelpTraceWords(t *testing.T) {
	for _, w := range []string{"neigh", "fdb", "forwarded", "STALE", "reachable", "PROBE"} {
		text, err := script.Help(w)
		if err != nil || !strings.Contains(strings.ToLower(text), strings.ToLower(w)+":") {
			t.Errorf("help %s: %q, %v", w, text, err)
		}
	}
	if _, err := script.Help("negh"); err == nil || !strings.Contains(err.Error(), "neigh") {
		t.Errorf("help negh: %v, want a hint of neigh", err)
	}
}
