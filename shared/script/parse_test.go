package script_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"socketville/shared/script"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, line, want string
	}{
		{name: "unknown command", line: "hots a 10.0.0.1/24", want: `unknown command "hots"`},
		{name: "unknown call", line: "a/p: bnd 3 0.0.0.0:1", want: `unknown call "bnd"`},
		{name: "host without address", line: "host a", want: "host: want host NAME"},
		{name: "bad prefix", line: "host a 10.0.0.300/24", want: "10.0.0.300/24"},
		{name: "ipv6 host", line: "host a ::1/128", want: "IPv4"},
		{name: "bad link property", line: "link a b delay=fast", want: "delay"},
		{name: "unknown link property", line: "link a b jitter=1ms", want: `unknown property "jitter"`},
		{name: "loss over 100%", line: "link a b loss=150%", want: "probability"},
		{name: "bad rate", line: "link a b rate=fast", want: "rate"},
		{name: "bad port", line: "a/p: bind 3 10.0.0.1:99999", want: "address"},
		{name: "missing port", line: "a/p: connect 3 10.0.0.1", want: "address"},
		{name: "bad fd", line: "a/p: close three", want: "fd"},
		{name: "bad socket type", line: "a/p: socket sctp", want: "EPROTONOSUPPORT"},
		{name: "unterminated string", line: `a/p: send 3 "hello`, want: "unterminated string"},
		{name: "bad escape", line: `a/p: send 3 "\q"`, want: "bad string"},
		{name: "data without quotes", line: "a/p: send 3 hello", want: `write "text" in quotes`},
		{name: "size too big", line: "a/p: send 3 size=999999999999", want: "size"},
		{name: "too many args", line: "a/p: close 3 4", want: "want close FD"},
		{name: "no call", line: "a/p:", want: "which call"},
		{name: "bad who", line: "/p: socket udp", want: "HOST/PROC"},
		{name: "unknown option", line: "a/p: setsockopt 3 SO_FAST 1", want: "ENOPROTOOPT"},
		{name: "bad shutdown", line: "a/p: shutdown 3 both", want: "rd, wr or rdwr"},
		{name: "bad poll", line: "a/p: poll 3,x in", want: "fd"},
		{name: "ping in background", line: "a/p: ping 10.0.0.2 &", want: "background"},
		{name: "expect on world line", line: "run 1s => 0", want: "not a call"},
		{name: "bad run", line: "run soon", want: "run:"},
		{name: "bad seed", line: "seed -1", want: "seed"},
		{name: "bad route", line: "route a default 10.0.0.1", want: "route:"},
		{name: "misspelt errno", line: "a/p: bind 3 0.0.0.0:80 => EACCESS", want: "no such errno"},
		{name: "switch without name", line: "switch", want: "switch: want switch NAME [PORTS]"},
		{name: "switch of one port", line: "switch sw 1", want: "want a number from 2 to 64"},
		{name: "switch of 65 ports", line: "switch sw 65", want: "want a number from 2 to 64"},
		{name: "arp of two hosts", line: "arp a b", want: "arp: want arp HOST"},
		{name: "ping size too big", line: "a/p: ping 10.0.0.2 size=65508", want: "size"},
		{name: "ping siz typo", line: "a/p: ping 10.0.0.2 siz=100", want: "did you mean size?"},
		{name: "ping dff typo", line: "a/p: ping 10.0.0.2 dff", want: "did you mean df?"},
		{name: "ping count twice", line: "a/p: ping 10.0.0.2 3 4", want: "given twice"},
		{name: "ping no requests", line: "a/p: ping 10.0.0.2 0", want: "from 1 to 1000"},
		{name: "traceroute in background", line: "a/p: traceroute 10.0.0.2 &", want: "background"},
		{name: "traceroute of 0 hops", line: "a/p: traceroute 10.0.0.2 0", want: "max hops"},
		{name: "traceroute of 256 hops", line: "a/p: traceroute 10.0.0.2 256", want: "max hops"},
		{name: "traceroute to a port", line: "a/p: traceroute 10.0.0.2:80", want: "address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "# a comment\n" + c.line + "\n"
			s, err := script.Parse("t.sv", strings.NewReader(src))
			var le *script.LineError
			if !errors.As(err, &le) {
				t.Fatalf("no line error for %q: %v", c.line, err)
			}
			if le.Line != 2 || !strings.HasPrefix(err.Error(), "line 2: ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %q, want line 2 mentioning %q", err, c.want)
			}
			if strings.Count(err.Error(), "\n") != 0 {
				t.Fatalf("the error should be one line: %q", err)
			}
			if len(s.Lines) != 0 {
				t.Fatal("a bad line was kept")
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	src := "host a 10.0.0.1/24\nbogus\nhost b\nprocess a p\na/p: frob\n"
	_, err := script.Parse("t.sv", strings.NewReader(src))
	msg := err.Error()
	for _, want := range []string{"line 2: ", "line 3: ", "line 5: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in %q", want, msg)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	src := `
host a 10.0.0.1/24 10.0.1.1/24 forward   # a router
link a b delay=2ms rate=10Mbit loss=1% dup=0.5% reorder=0.01 corrupt=0% mtu=1500 queue=10
a/p: send 3 "tab\there \"quoted\" # not a comment" => 28
a/p: recv 3 all &
a/p: poll 3,4,5 inout 250ms
a/p: setsockopt 3 SO_RCVTIMEO 1s
a/p: sendto 3 10.0.0.2:7 size=100
`
	s, err := script.Parse("t.sv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Lines) != 7 {
		t.Fatalf("%d lines", len(s.Lines))
	}
	send := s.Lines[2].Cmd.(script.CallCmd)
	if string(send.Call.Data) != "tab\there \"quoted\" # not a comment" || send.Expect != "28" || !send.HasExpect {
		t.Fatalf("send parsed as %+v", send)
	}
	if recv := s.Lines[3].Cmd.(script.CallCmd); !recv.Background || !recv.Call.All {
		t.Fatalf("recv parsed as %+v", recv)
	}
	if poll := s.Lines[4].Cmd.(script.CallCmd); len(poll.Call.FDs) != 3 || poll.Call.Timeout.Milliseconds() != 250 {
		t.Fatalf("poll parsed as %+v", poll)
	}
	if to := s.Lines[5].Cmd.(script.CallCmd); to.Call.Value != 1000 {
		t.Fatalf("SO_RCVTIMEO 1s should be 1000 ms, got %d", to.Call.Value)
	}
	if sz := s.Lines[6].Cmd.(script.CallCmd); sz.Call.Size != 100 || sz.Call.Data != nil {
		t.Fatal("size=100")
	}
}

func TestCheckFindsWorldMistakes(t *testing.T) {
	src := `host a 10.0.0.1/24
host a 10.0.0.2/24
link a nowhere
process ghost p
a/nobody: socket udp
host b 10.0.0.1/24
link a a
`
	s, err := script.Parse("t.sv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	err = script.Check(s)
	if err == nil {
		t.Fatal("check found nothing")
	}
	for _, want := range []string{"line 2: ", "line 3: ", "line 4: ", "line 5: ", "line 6: ", "line 7: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"host a 10.0.0.1/24", "link a b delay=5ms loss=1%", `b/echo: sendto 3 10.0.0.2:7007 "hello, town"`,
		"a/p: poll 3,4 in 1s &", "a/p: recv 3 all => 0", "run 100ms", `a/p: send 3 "\x00\"#" # c`,
		"help", "help setsockopt", "hots a", "a/q: sockt tcp",
		"switch sw 4", "arp a", "a/p: ping 10.0.0.1 2 size=100 df", "a/p: traceroute 10.0.0.1 3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := script.ParseLine(line)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		// Whatever parses must also run without panicking on an empty world.
		r := script.NewRunner(script.Options{})
		_ = r.Exec(1, "host a 10.0.0.1/24")
		_ = r.Exec(2, "process a p")
		if _, ok := cmd.(script.RunCmd); ok {
			return // a fuzzed run could ask for years of virtual time; it has nothing to do anyway
		}
		_ = r.Exec(3, line)
	})
}

// TestParseDidYouMean: a mistyped word gets the name it is one slip from, in
// the same one-line error as before, and keeps its errno where it has one.
func TestParseDidYouMean(t *testing.T) {
	cases := []struct {
		name, line, want string
		errno            error
	}{
		{name: "command", line: "hots 10.0.0.1/24", want: `unknown command "hots"; did you mean host?`},
		{name: "call", line: "a/x: sockt tcp", want: `unknown call "sockt"; did you mean socket?`},
		{name: "switch", line: "swich sw", want: `unknown command "swich"; did you mean switch?`},
		{name: "traceroute", line: "a/x: tracerout 10.0.0.2", want: `unknown call "tracerout"; did you mean traceroute?`},
		{name: "traceroute without a process", line: "traceroute 10.0.0.2", want: `traceroute is a call, made by a process: write HOST/PROC: traceroute ...`},
		{name: "host flag", line: "host r 10.0.1.1/24 forwrd", want: `host r: "forwrd" is neither an address nor a flag; did you mean forward?`},
		{name: "link option", line: "link a b dealy=5ms", want: `link a b: unknown property "dealy"; did you mean delay?`},
		{name: "link option without value", line: "link a b dealy", want: `did you mean delay?`},
		{name: "process flag", line: "process b web rot", want: `process b web: "rot": did you mean root?`},
		{name: "route via", line: "route a default vai 10.0.0.254", want: `route: "vai": did you mean via?`},
		{name: "route default", line: "route a defualt via 10.0.0.254", want: `route: "defualt": did you mean default?`},
		{name: "socket option", line: "a/x: setsockopt 3 SO_REUSADDR 1", want: `setsockopt: socket option "SO_REUSADDR": ENOPROTOOPT: protocol not available; did you mean SO_REUSEADDR?`, errno: syscall.ENOPROTOOPT},
		{name: "getsockopt option", line: "a/x: getsockopt 3 SO_EROR", want: `did you mean SO_ERROR?`, errno: syscall.ENOPROTOOPT},
		{name: "socket type", line: "a/x: socket tpc", want: `did you mean tcp?`, errno: syscall.EPROTONOSUPPORT},
		{name: "poll events", line: "a/x: poll 3 inn 1s", want: `poll: "inn": want in, out, inout or a timeout like 500ms; did you mean in?`},
		{name: "shutdown how", line: "a/x: shutdown 3 wrr", want: `shutdown: "wrr": want rd, wr or rdwr; did you mean wr?`},
		{name: "nonblock", line: "a/x: nonblock 3 onn", want: `did you mean on?`},
		{name: "recv all", line: "a/x: recv 3 alll", want: `did you mean all?`},
		{name: "size", line: "a/x: send 3 szie=10", want: `data "szie=10": did you mean size=N?`},
		{name: "errno", line: "a/x: bind 3 0.0.0.0:80 => EADDRINUS", want: `=> EADDRINUS: no such errno; did you mean EADDRINUSE?`},
		{name: "colon missing", line: "b/echo socket udp", want: `did you mean b/echo: (a call starts with HOST/PROC: and its colon)?`},
		{name: "call without process", line: "socket tcp", want: `socket is a call, made by a process: write HOST/PROC: socket ...`},
		{name: "help topic", line: "help bnd", want: `help: no line, call, option or errno "bnd"; did you mean bind?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := script.ParseLine(c.line)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseLine(%q): %v, want it to say %q", c.line, err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("the error should be one line: %q", err)
			}
			if c.errno != nil && !errors.Is(err, c.errno) {
				t.Fatalf("ParseLine(%q): %v does not wrap %v", c.line, err, c.errno)
			}
		})
	}
	// A word far from every name gets no guess, only the list.
	for _, line := range []string{"bogus", "a/x: frobnicate 3", "a/x: shutdown 3 both", "link a b jitter=1ms", "help nosuch"} {
		if _, err := script.ParseLine(line); err == nil || strings.Contains(err.Error(), "did you mean") {
			t.Errorf("ParseLine(%q): %v, want an error without a guess", line, err)
		}
	}
}

// TestRunDidYouMeanTown: whether a host or HOST/PROC exists is known only
// when the town does, so the runner (and Check) suggest the closest that
// exist.
func TestRunDidYouMeanTown(t *testing.T) {
	town := "host b 10.0.0.2/24\nhost c 10.0.0.3/24\nhost client 10.0.0.4/24\nswitch switch\nprocess b web\nprocess c mail\nprocess client app\n"
	cases := []struct {
		name, line, want string
	}{
		{name: "process typo", line: "c/mial: socket tcp", want: "c/mial: no process called mial on c; did you mean c/mail?"},
		{name: "host typo", line: "cleint/app: socket tcp", want: "cleint/app: no host called cleint; did you mean client/app?"},
		{name: "host typo, process unknown", line: "cleint/x: socket tcp", want: "cleint/x: no host called cleint; did you mean client?"},
		{name: "process on another host", line: "c/web: socket tcp", want: "c/web: no process called web on c; did you mean b/web?"},
		{name: "nothing close", line: "c/zzz: socket tcp", want: "c/zzz: no process called zzz on c (start it with process c zzz)"},
		{name: "no such host", line: "q/mail: socket tcp", want: "q/mail: no host called q"},
		{name: "process line", line: "process cleint db", want: "process: no host called cleint; did you mean client?"},
		{name: "route line", line: "route cleint default via 10.0.0.2", want: "route: no host called cleint; did you mean client?"},
		{name: "link line", line: "link b cleint", want: "link: no host or switch called cleint: EINVAL: invalid argument; did you mean client?"},
		{name: "link to a switch typo", line: "link b swich", want: "link: no host or switch called swich: EINVAL: invalid argument; did you mean switch?"},
		{name: "arp line", line: "arp cleint", want: "arp: no host called cleint; did you mean client?"},
		{name: "arp of a switch", line: "arp switch", want: "arp: switch is a switch, which has no ARP cache"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := script.NewRunner(script.Options{})
			for i, l := range strings.Split(strings.TrimSpace(town), "\n") {
				if err := r.Exec(i+1, l); err != nil {
					t.Fatal(err)
				}
			}
			err := r.Exec(9, c.line)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Exec(%q): %v, want %q", c.line, err, c.want)
			}
			s, perr := script.Parse("t.sv", strings.NewReader(town+c.line+"\n"))
			if perr != nil {
				t.Fatal(perr)
			}
			if err := script.Check(s); err == nil || !strings.Contains(err.Error(), "line 8: "+c.want) {
				t.Fatalf("Check: %v, want line 8: %q", err, c.want)
			}
		})
	}
}
