package script_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"socketville/shared/netsim"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// record runs an example and keeps what it produced.
func record(t *testing.T, name, kernel string) script.Recording {
	t.Helper()
	rec := &script.Recorder{Rec: script.Recording{Kernel: kernel}}
	if err := runFile(t, filepath.Join(examplesDir, name), rec); err != nil {
		t.Fatalf("%s has unexpected errors:\n%v", name, err)
	}
	return rec.Rec
}

// clone copies a recording so that a test may change the copy.
func clone(r script.Recording) script.Recording {
	r.Lines = append([]script.LineRecord(nil), r.Lines...)
	r.Events = append([]sock.Event(nil), r.Events...)
	return r
}

// rewritePort puts port to where the run had port from, in every result
// and every event's addresses: what a kernel choosing another port does.
func rewritePort(r script.Recording, from, to uint16) script.Recording {
	r = clone(r)
	old, new := ":"+strconv.Itoa(int(from)), ":"+strconv.Itoa(int(to))
	for i := range r.Lines {
		r.Lines[i].Result = strings.ReplaceAll(r.Lines[i].Result, old, new)
	}
	swap := func(ap netip.AddrPort) netip.AddrPort {
		if ap.IsValid() && ap.Port() == from {
			return netip.AddrPortFrom(ap.Addr(), to)
		}
		return ap
	}
	for i := range r.Events {
		r.Events[i].Local, r.Events[i].Remote = swap(r.Events[i].Local), swap(r.Events[i].Remote)
	}
	return r
}

// done finds the i-th completed record of the call written text (0 for
// the first) and returns its index in r.Lines.
func done(t *testing.T, r script.Recording, text string, i int) int {
	t.Helper()
	for j, l := range r.Lines {
		if l.Phase == script.PhaseDone && l.Who+": "+l.Text == text {
			if i == 0 {
				return j
			}
			i--
		}
	}
	t.Fatalf("no completed %q", text)
	return -1
}

// stateEvent finds the index of the KindState event of host/proc (fd any)
// that moved to state to, the i-th such.
func stateEvent(t *testing.T, r script.Recording, host, proc string, to sock.State, i int) int {
	t.Helper()
	for j, e := range r.Events {
		if e.Kind == sock.KindState && e.Host == host && e.Proc == proc && e.To == to {
			if i == 0 {
				return j
			}
			i--
		}
	}
	t.Fatalf("no state event %s/%s -> %v", host, proc, to)
	return -1
}

func without[T any](s []T, i int) []T { return append(append([]T(nil), s[:i]...), s[i+1:]...) }

// want is a difference a test expects; Documented "" means none.
type want struct {
	line       int
	aspect     string
	documented string
}

func TestCompare(t *testing.T) {
	tcp := record(t, "hello-tcp.sv", "simulator")
	errs := record(t, "errors.sv", "simulator")
	two := record(t, "two-clients.sv", "simulator")

	accept := done(t, tcp, "b/web: accept 3", 0)
	acceptLine := tcp.Lines[accept].Line
	accept2 := done(t, tcp, "b/web: accept 3", 1)
	accept2Line := tcp.Lines[accept2].Line
	connectLine := tcp.Lines[done(t, tcp, "a/browser: connect 3 10.0.0.2:80", 0)].Line
	socketLine := tcp.Lines[done(t, tcp, "a/browser: socket tcp", 0)].Line
	recvEOF := done(t, tcp, "b/web: recv 4 100", 1)
	msgSize := done(t, errs, "a/client: sendto 3 10.0.0.2:8080 size=1473", 0)
	eacces := done(t, errs, "b/web: bind 3 0.0.0.0:80", 0)

	tests := []struct {
		name string
		a, b script.Recording
		want []want
	}{
		{name: "the same run", a: tcp, b: tcp},
		{name: "the same run with UDP and errors", a: errs, b: errs},
		{
			name: "a port rewritten consistently",
			a:    tcp,
			b:    rewritePort(rewritePort(tcp, 49152, 41822), 49153, 50001),
			want: []want{
				{line: acceptLine, aspect: script.AspectResult, documented: "ephemeral ports"},
				{line: accept2Line, aspect: script.AspectResult, documented: "ephemeral ports"},
			},
		},
		{
			name: "two ports become one",
			a:    tcp,
			b: func() script.Recording {
				b := rewritePort(tcp, 49152, 41822)
				b.Lines[accept2].Result = "4 from 10.0.0.1:41822"
				return b
			}(),
			want: []want{
				{line: acceptLine, aspect: script.AspectResult, documented: "ephemeral ports"},
				{line: accept2Line, aspect: script.AspectResult},
			},
		},
		{
			name: "a port rewritten in a result but not in the events",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Lines[accept].Result = "4 from 10.0.0.1:41822"
				return b
			}(),
			want: []want{{line: acceptLine, aspect: script.AspectResult}},
		},
		{
			name: "a port below 32768",
			a:    tcp,
			b:    rewritePort(tcp, 49152, 8080),
			want: []want{{line: acceptLine, aspect: script.AspectResult}},
		},
		{
			name: "an errno changed",
			a:    errs,
			b: func() script.Recording {
				b := clone(errs)
				b.Lines[eacces].Err = sock.ErrAddrInUse
				b.Lines[eacces].Result = sock.ErrAddrInUse.Error()
				return b
			}(),
			want: []want{{line: errs.Lines[eacces].Line, aspect: script.AspectErrno}},
		},
		{
			name: "a result changed",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Lines[recvEOF].Result = "5 \"hello\""
				return b
			}(),
			want: []want{{line: tcp.Lines[recvEOF].Line, aspect: script.AspectResult}},
		},
		{
			name: "a state dropped from the middle",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Events = without(b.Events, stateEvent(t, b, "a", "browser", sock.StateFinWait2, 0))
				return b
			}(),
			want: []want{{line: socketLine, aspect: script.AspectStates, documented: "skipped states"}},
		},
		{
			name: "SYN-SENT not seen, as on loopback",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Events = without(b.Events, stateEvent(t, b, "a", "browser", sock.StateSynSent, 0))
				return b
			}(),
			want: []want{{line: socketLine, aspect: script.AspectStates, documented: "skipped states"}},
		},
		{
			name: "the final state changed",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				i := stateEvent(t, b, "a", "browser", sock.StateClosed, 0)
				b.Events[i].To = sock.StateTimeWait
				return b
			}(),
			want: []want{{line: socketLine, aspect: script.AspectStates}},
		},
		{
			name: "the final state changed where a link lost packets",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				i := stateEvent(t, b, "a", "browser", sock.StateClosed, 0)
				b.Events[i].To = sock.StateTimeWait
				b.Events = append(b.Events, sock.Event{Kind: sock.KindDropped, Host: "a", Link: sock.Hop{Link: 1, From: "a", To: "b"}, Reason: "loss"})
				return b
			}(),
			want: []want{{line: socketLine, aspect: script.AspectStates, documented: "faults on TCP"}},
		},
		{
			name: "the states of a connection before accept",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Events = without(b.Events, stateEvent(t, b, "b", "web", sock.StateSynReceived, 0))
				return b
			}(),
			want: []want{{line: acceptLine, aspect: script.AspectStates, documented: "skipped states"}},
		},
		{
			name: "a line completed in one run only",
			a:    tcp,
			b: func() script.Recording {
				b := clone(tcp)
				b.Lines = without(b.Lines, done(t, b, "a/browser: connect 3 10.0.0.2:80", 0))
				return b
			}(),
			want: []want{{line: connectLine, aspect: script.AspectMissing}},
		},
		{
			name: "EMSGSIZE where Linux fragments",
			a:    errs,
			b: func() script.Recording {
				b := clone(errs)
				b.Lines[msgSize].Err, b.Lines[msgSize].Result = nil, "1473"
				return b
			}(),
			want: []want{{line: errs.Lines[msgSize].Line, aspect: script.AspectErrno, documented: "no IPv4 fragmentation"}},
		},
		{
			name: "EMSGSIZE in the second run only",
			a: func() script.Recording {
				a := clone(errs)
				a.Lines[msgSize].Err, a.Lines[msgSize].Result = nil, "1473"
				return a
			}(),
			b:    errs,
			want: []want{{line: errs.Lines[msgSize].Line, aspect: script.AspectErrno}},
		},
		{
			name: "times a call measured",
			a: func() script.Recording {
				a := clone(errs)
				a.Lines[msgSize].Err, a.Lines[msgSize].Result = nil, "3 transmitted, 3 received, 0% packet loss, rtt min/avg/max 44.000/44.000/44.000 ms"
				return a
			}(),
			b: func() script.Recording {
				b := clone(errs)
				b.Lines[msgSize].Err, b.Lines[msgSize].Result = nil, "3 transmitted, 3 received, 0% packet loss, rtt min/avg/max 44.924/45.132/45.273 ms"
				return b
			}(),
			want: []want{{line: errs.Lines[msgSize].Line, aspect: script.AspectResult, documented: "timing"}},
		},
		{
			name: "a count differs beside a time",
			a: func() script.Recording {
				a := clone(errs)
				a.Lines[msgSize].Err, a.Lines[msgSize].Result = nil, "3 transmitted, 3 received, 0% packet loss, rtt min/avg/max 44.000/44.000/44.000 ms"
				return a
			}(),
			b: func() script.Recording {
				b := clone(errs)
				b.Lines[msgSize].Err, b.Lines[msgSize].Result = nil, "3 transmitted, 2 received, 33% packet loss, rtt min/avg/max 44.924/45.132/45.273 ms"
				return b
			}(),
			want: []want{{line: errs.Lines[msgSize].Line, aspect: script.AspectResult}},
		},
		{
			name: "background calls completing in another order",
			a:    two,
			b: func() script.Recording {
				b := clone(two)
				i := done(t, b, "c1/app: connect 3 10.0.0.1:80", 0)
				l := b.Lines[i]
				b.Lines = append(without(b.Lines, i), l)
				return b
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := script.Compare(tt.a, tt.b, netsim.Deliberate())
			var report bytes.Buffer
			if err := script.WriteComparison(&report, tt.a, tt.b, got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d differences, want %d:\n%s", len(got), len(tt.want), report.String())
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Line != w.line || g.Aspect != w.aspect || g.Documented != w.documented {
					t.Errorf("difference %d: got line %d %s documented %q, want line %d %s documented %q:\n%s",
						i, g.Line, g.Aspect, g.Documented, w.line, w.aspect, w.documented, report.String())
				}
			}
		})
	}
}

// TestCompareDocumentsOnlyWhatItIsGiven: with no list of deliberate
// differences nothing is documented.
func TestCompareDocumentsOnlyWhatItIsGiven(t *testing.T) {
	tcp := record(t, "hello-tcp.sv", "simulator")
	diffs := script.Compare(tcp, rewritePort(tcp, 49152, 41822), nil)
	if len(diffs) == 0 {
		t.Fatal("no differences")
	}
	for _, d := range diffs {
		if d.Documented != "" {
			t.Errorf("line %d documented by %q from an empty list", d.Line, d.Documented)
		}
	}
}

func TestWriteComparison(t *testing.T) {
	tcp := record(t, "hello-tcp.sv", "simulator")
	linux := rewritePort(tcp, 49152, 41822)
	linux.Kernel = "Linux"
	i := done(t, linux, "b/web: recv 4 100", 1)
	linux.Lines[i].Result = "5 \"hello\""
	linux.Events = without(linux.Events, stateEvent(t, linux, "a", "browser", sock.StateSynSent, 0))

	var out bytes.Buffer
	diffs := script.Compare(tcp, linux, netsim.Deliberate())
	if err := script.WriteComparison(&out, tcp, linux, diffs); err != nil {
		t.Fatal(err)
	}
	line := func(text string, i int) int { return tcp.Lines[done(t, tcp, text, i)].Line }
	want := fmt.Sprintf(`line %d  a/browser: socket tcp  (states)
  simulator  SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED
  Linux      ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED
  documented: skipped states (Linux's states, as the OS kernel sees them, leave some out: they are read from TCP_INFO and sock_diag once a millisecond (a shorter state is missed), an accepted socket exists only once its handshake is done (no SYN-RECEIVED), and Linux may acknowledge a FIN together with its own (a delayed ACK), going from FIN-WAIT-1 straight to TIME-WAIT)

line %d  b/web: accept 3
  simulator  => 4 from 10.0.0.1:49152
  Linux      => 4 from 10.0.0.1:41822
  documented: ephemeral ports (the simulator counts up from 49152; Linux picks from 32768-60999 at random)

line %d  b/web: recv 4 100
  simulator  => 0 (end of file)
  Linux      => 5 "hello"
  not documented

`, line("a/browser: socket tcp", 0), line("b/web: accept 3", 0), line("b/web: recv 4 100", 1))
	got := out.String()
	if body := strings.TrimSuffix(got, lastLine(got)+"\n"); body != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if !strings.HasSuffix(lastLine(got), "compared: 3 differences, 1 not documented") {
		t.Errorf("last line %q", lastLine(got))
	}

	out.Reset()
	if err := script.WriteComparison(&out, tcp, tcp, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "compared: no differences\n") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("report of no differences:\n%s", out.String())
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// TestCompareExamplesWithThemselves: two runs of every example on the
// simulator agree, and the Recorder passes everything on to Next.
func TestCompareExamplesWithThemselves(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.sv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			var trace bytes.Buffer
			rec := &script.Recorder{Next: script.NewTextPrinter(&trace)}
			if err := runFile(t, path, rec); err != nil {
				t.Fatalf("unexpected errors:\n%v", err)
			}
			// A result of several lines (arp, traceroute) prints one
			// line each.
			want := len(rec.Rec.Lines) + len(rec.Rec.Events)
			for _, l := range rec.Rec.Lines {
				want += strings.Count(strings.TrimRight(l.Result, "\n"), "\n")
			}
			if n := strings.Count(trace.String(), "\n"); n != want {
				t.Errorf("Next printed %d lines for %d records (%d lines)", n, len(rec.Rec.Lines)+len(rec.Rec.Events), want)
			}
			again := record(t, name, "again")
			if diffs := script.Compare(rec.Rec, again, netsim.Deliberate()); len(diffs) != 0 {
				var out bytes.Buffer
				_ = script.WriteComparison(&out, rec.Rec, again, diffs)
				t.Errorf("two runs differ:\n%s", out.String())
			}
		})
	}
}

// TestCompareReorderedReads: reads of one socket that got the same
// datagrams in another order, on a town whose links have faults, differ
// only in timing; with other datagrams they differ.
func TestCompareReorderedReads(t *testing.T) {
	rec := func(first, second string, faulty bool) script.Recording {
		r := script.Recording{Kernel: "k"}
		for i, res := range []string{first, second} {
			r.Lines = append(r.Lines, script.LineRecord{Line: 10 + i, Who: "b/rx", Text: "recvfrom 3 100", Phase: script.PhaseDone, Result: res})
		}
		if faulty {
			r.Events = append(r.Events, sock.Event{Kind: sock.KindDropped, Reason: "loss"})
		}
		return r
	}
	one, two, three := `8 from 10.0.0.1:49152 "letter 1"`, `8 from 10.0.0.1:49152 "letter 2"`, `8 from 10.0.0.1:49152 "letter 3"`
	tests := []struct {
		name   string
		a, b   script.Recording
		undocs int
	}{
		{"swapped on a faulty link", rec(one, two, true), rec(two, one, true), 0},
		{"swapped on a clean link", rec(one, two, false), rec(two, one, false), 2},
		{"another datagram", rec(one, two, true), rec(one, three, true), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			undocs := 0
			for _, d := range script.Compare(tt.a, tt.b, netsim.Deliberate()) {
				if d.Documented == "" {
					undocs++
				} else if d.Documented != "timing" {
					t.Errorf("line %d documented as %q", d.Line, d.Documented)
				}
			}
			if undocs != tt.undocs {
				t.Errorf("%d differences not documented, want %d", undocs, tt.undocs)
			}
		})
	}
}

// TestCompareARPTiming: an arp line whose caches hold the same entries in
// other states is the documented ARP timing; another MAC, or an entry one
// kernel lacks or has failed, is not.
func TestCompareARPTiming(t *testing.T) {
	line := func(result string) script.Recording {
		return script.Recording{Lines: []script.LineRecord{{Line: 3, Who: "", Text: "arp a", Phase: script.PhaseDone, Result: result}}}
	}
	sim := "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE\n10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE"
	for _, c := range []struct {
		linux, want string
	}{
		{"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 STALE\n10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 DELAY", "ARP timing"},
		{"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE\n10.0.0.3 dev eth0 lladdr 02:00:00:00:00:09 REACHABLE", ""},
		{"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE", ""},
		{"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE\n10.0.0.3 dev eth0 FAILED", ""},
	} {
		diffs := script.Compare(line(sim), line(c.linux), netsim.Deliberate())
		if len(diffs) != 1 || diffs[0].Documented != c.want {
			t.Errorf("Linux %q: %+v, want one difference documented %q", c.linux, diffs, c.want)
		}
	}
}
