// Package export writes a scenario of the socket shell as one runnable Go
// program: the same lines made as real calls of Go's net package on this
// machine's loopback, each printing its result in the shell's words
// ("b/web: listen 3 16 => 0"), so that a learner can run a scenario
// outside the town and read the code that does it.
//
// The program is main's list of the scenario's lines, one statement each,
// in order, as the shell runs them (a blocking call blocks the lines after
// it; a line with & runs in a goroutine), followed by a small runtime: the
// hosts as loopback addresses, mapped as socketville run --os maps them
// without namespaces (10.0.0.1 is 127.N.0.1), and each process a value with
// its own fds and one method for each call. Only TCP and UDP calls have a
// program: ping, traceroute, ICMP sockets, switches and arp are refused,
// and so is step, which only the simulator can do.
package export

import (
	_ "embed"
	"errors"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// runtime is the second half of every program (runtime.go, without its
// build line).
//
//go:embed runtime.go
var runtime string

// Program writes the scenario src (named name, for the program's doc
// comment and errors) as a Go program. A line that has no program (not a
// TCP or UDP call, or a line only the simulator can carry out) is an
// error that names it; every such line is reported, each a
// *script.LineError.
func Program(name string, src string) ([]byte, error) {
	w := &writer{name: name, hosts: map[string]string{}, procs: map[string]string{}, taken: map[string]bool{}, used: map[string]bool{}}
	var errs []error
	for i, line := range strings.Split(src, "\n") {
		if err := w.line(line); err != nil {
			errs = append(errs, &script.LineError{Line: i + 1, Err: err})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", name, errors.Join(errs...))
	}
	return w.program()
}

// writer is a program being written.
type writer struct {
	name  string
	body  strings.Builder // main's statements
	hosts map[string]string
	procs map[string]string // "host/proc" -> its variable
	taken map[string]bool
	used  map[string]bool // the host and process variables main uses
}

// refused says why a line has no program.
func refused(what, why string) error {
	return fmt.Errorf("%s: no program for it: %s (export writes TCP and UDP calls on loopback)", what, why)
}

func (w *writer) printf(format string, args ...any) { fmt.Fprintf(&w.body, format, args...) }

func (w *writer) line(text string) error {
	cmd, err := script.ParseLine(text)
	if err != nil {
		return err
	}
	trimmed := strings.TrimSpace(text)
	if cmd == nil {
		if c, isComment := strings.CutPrefix(trimmed, "#"); isComment {
			w.printf("//%s\n", c)
		} else {
			w.printf("\n")
		}
		return nil
	}
	switch c := cmd.(type) {
	case script.HostCmd:
		v := w.ident("h", c.Name, "")
		w.hosts[c.Name] = v
		args := make([]string, len(c.Addrs))
		for i, a := range c.Addrs {
			args[i] = strconv.Quote(a.String())
		}
		w.printf("%s := t.host(%q, %s) // %s\n", v, c.Name, strings.Join(args, ", "), trimmed)
	case script.LinkCmd:
		w.printf("// %s: a cable; on loopback there is none, and no delay, rate or faults\n", trimmed)
	case script.RouteCmd:
		h, known := w.hosts[c.Host]
		if !known {
			return fmt.Errorf("route: no host called %s", c.Host)
		}
		w.used[h] = true
		w.printf("%s.route(%q) // %s\n", h, c.Dst.String(), trimmed)
	case script.ProcessCmd:
		h, known := w.hosts[c.Host]
		if !known {
			return fmt.Errorf("process: no host called %s (declare it first with host %s ADDR/PREFIX)", c.Host, c.Host)
		}
		w.used[h] = true
		v := w.ident("", c.Host, c.Name)
		w.procs[c.Host+"/"+c.Name] = v
		w.printf("%s := t.process(%s, %q, %t) // %s\n", v, h, c.Name, c.Root, trimmed)
	case script.SeedCmd:
		w.printf("// %s: the simulator's dice for lossy links; loopback loses nothing\n", trimmed)
	case script.HelpCmd:
		w.printf("// %s: the shell's reference\n", trimmed)
	case script.RunCmd:
		w.printf("t.run(%s) // %s\n", goDuration(c.D), trimmed)
	case script.SwitchCmd:
		return refused("switch", "a switch joins hosts in a LAN of their own, and loopback has no cables to plug into one")
	case script.ArpCmd:
		return refused("arp", "loopback has no neighbours to ask")
	case script.StepCmd:
		return refused("step", "only the simulator can stop between its happenings")
	case script.CallCmd:
		return w.call(c, trimmed)
	default:
		return fmt.Errorf("%q: no program for it", trimmed)
	}
	return nil
}

// call writes one call: the method that makes it, and its result printed.
func (w *writer) call(cc script.CallCmd, text string) error {
	who := cc.Host + "/" + cc.Proc
	p, known := w.procs[who]
	if !known {
		return fmt.Errorf("%s: no process called %s on %s (start it with process %s %s)", who, cc.Proc, cc.Host, cc.Host, cc.Proc)
	}
	w.used[p] = true
	expr, err := callExpr(p, cc.Call)
	if err != nil {
		return err
	}
	want := ""
	if cc.HasExpect {
		want = cc.Expect
	}
	w.printf("// %s\n", text)
	switch {
	case cc.Background:
		w.printf("%s.background(%s, %s, func() result { return %s })\n", p, goString(cc.Call.Text), goString(want), expr)
	case cc.HasExpect:
		w.printf("%s.check(%s, %s, %s)\n", p, goString(cc.Call.Text), goString(want), expr)
	default:
		w.printf("%s.say(%s, %s)\n", p, goString(cc.Call.Text), expr)
	}
	return nil
}

// goString writes s as a Go string, in backquotes when it holds quotes
// (a send's "text"), which then read as they do in the scenario.
func goString(s string) string {
	if strings.Contains(s, `"`) && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// callExpr is the runtime method that makes the call.
func callExpr(p string, c script.Call) (string, error) {
	data := func(fd int, more string) (string, string) {
		if c.Data == nil {
			return "Pattern", fmt.Sprintf("%d%s, %d", fd, more, c.Size)
		}
		return "", fmt.Sprintf("%d%s, []byte(%s)", fd, more, strconv.Quote(string(c.Data)))
	}
	switch c.Op {
	case "socket":
		if c.Type != sock.SockTCP && c.Type != sock.SockUDP {
			return "", refused("socket "+c.Type.String(), "only TCP and UDP sockets")
		}
		return fmt.Sprintf("%s.socket(%q)", p, c.Type.String()), nil
	case "bind", "connect":
		return fmt.Sprintf("%s.%s(%d, %q)", p, c.Op, c.FD, c.Addr.String()), nil
	case "listen":
		return fmt.Sprintf("%s.listen(%d, %d)", p, c.FD, c.N), nil
	case "accept", "close":
		return fmt.Sprintf("%s.%s(%d)", p, c.Op, c.FD), nil
	case "send":
		suffix, args := data(c.FD, "")
		return fmt.Sprintf("%s.send%s(%s)", p, suffix, args), nil
	case "sendto":
		suffix, args := data(c.FD, ", "+strconv.Quote(c.Addr.String()))
		return fmt.Sprintf("%s.sendto%s(%s)", p, suffix, args), nil
	case "recv":
		if c.All {
			return fmt.Sprintf("%s.recvAll(%d)", p, c.FD), nil
		}
		return fmt.Sprintf("%s.recv(%d, %d)", p, c.FD, c.N), nil
	case "recvfrom":
		return fmt.Sprintf("%s.recvfrom(%d, %d)", p, c.FD, c.N), nil
	case "setsockopt":
		return fmt.Sprintf("%s.setsockopt(%d, %q, %d)", p, c.FD, c.Opt.String(), c.Value), nil
	case "getsockopt":
		return fmt.Sprintf("%s.getsockopt(%d, %q)", p, c.FD, c.Opt.String()), nil
	case "shutdown":
		return fmt.Sprintf("%s.shutdown(%d, %q)", p, c.FD, c.How.String()), nil
	case "nonblock":
		return fmt.Sprintf("%s.nonblock(%d, %t)", p, c.FD, c.Value != 0), nil
	case "poll":
		fds := make([]string, len(c.FDs))
		for i, fd := range c.FDs {
			fds[i] = strconv.Itoa(fd)
		}
		events := map[sock.PollEvents]string{sock.PollIn: "in", sock.PollOut: "out", sock.PollIn | sock.PollOut: "inout"}[c.Events]
		timeout := "-1"
		if !c.Infinite {
			timeout = goDuration(c.Timeout)
		}
		return fmt.Sprintf("%s.poll([]int{%s}, %q, %s)", p, strings.Join(fds, ", "), events, timeout), nil
	case "ping", "traceroute":
		return "", refused(c.Op, "it is a program of ICMP (or TTL-limited) packets, not a TCP or UDP call")
	}
	return "", refused(c.Op, "not a call export knows")
}

// ident makes a Go variable for a host (prefix h) or a process (its host
// and name in camel case), never one taken before.
func (w *writer) ident(prefix, a, b string) string {
	word := func(s string, upper bool) string {
		var out []rune
		for _, r := range s {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII {
				r = '_'
			}
			out = append(out, r)
		}
		if len(out) > 0 && upper {
			out[0] = unicode.ToUpper(out[0])
		}
		return string(out)
	}
	v := prefix + word(a, prefix != "") + word(b, true)
	if v == "" || unicode.IsDigit(rune(v[0])) || v == "_" {
		v = "x" + v
	}
	for base, n := v, 2; w.taken[v] || reserved(v); n++ {
		v = base + strconv.Itoa(n)
	}
	w.taken[v] = true
	return v
}

// reserved reports whether a variable of main must not take name: Go's
// keywords, and the predeclared and runtime names main uses.
func reserved(name string) bool {
	switch name {
	case "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
		"func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
		"struct", "switch", "type", "var",
		"t", "ok", "fail", "result", "town", "host", "proc", "door", "call", "words", "pattern", "quote",
		"time", "net", "zero", "min", "max", "len", "string", "int", "true", "false":
		return true
	}
	return false
}

// goDuration writes d as Go: 20 * time.Millisecond, in the largest unit
// that holds it whole.
func goDuration(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"}, {time.Millisecond, "Millisecond"}, {time.Microsecond, "Microsecond"}}
	for _, u := range units {
		if d >= u.d && d%u.d == 0 {
			return fmt.Sprintf("%d * time.%s", d/u.d, u.name)
		}
	}
	return fmt.Sprintf("time.Duration(%d)", int64(d))
}

// program puts the doc comment, main and the runtime together, gofmt'd.
func (w *writer) program() ([]byte, error) {
	rt := runtime[strings.Index(runtime, "package main"):]
	end := strings.Index(rt, "\n)\n") + len("\n)\n")
	var b strings.Builder
	fmt.Fprintf(&b, `// Code generated by socketville export from %s; edit it as you like.

// This program is the scenario %s written in Go. Each line of
// the scenario is one statement of main, in order, a call of Go's net
// package on this machine's loopback that prints its result as the socket
// shell does (b/web: listen 3 16 => 0). The hosts are loopback addresses
// (host 10.0.0.1 is 127.N.0.1, as socketville run --os has them without
// namespaces), so links have no delay, rate or faults; each process is a
// value with its own fds, and a line with & runs in a goroutine.
//
// Where Go's net has no one-to-one call the runtime below main says so:
// net.Listen is socket, bind and listen in one, net.Dial socket, bind and
// connect, and poll is ppoll(2) on the fds syscall.RawConn reaches.
//
// Run it with go run (-max-run 50ms caps every run line).
`, w.name, w.name)
	b.WriteString(rt[:end])
	b.WriteString("\nfunc main() {\n\tt := newTown()\n")
	b.WriteString(w.body.String())
	var unused []string
	for v := range w.taken {
		if !w.used[v] {
			unused = append(unused, v)
		}
	}
	slices.Sort(unused)
	for _, v := range unused {
		fmt.Fprintf(&b, "_ = %s // makes no calls\n", v)
	}
	b.WriteString("\tt.end()\n}\n")
	b.WriteString(rt[end:])
	out, err := format.Source([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("%s: the program does not format: %w", w.name, err)
	}
	return out, nil
}
