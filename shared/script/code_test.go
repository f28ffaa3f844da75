package script_test

import (
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"socketville/shared/script"
)

// codeCases are a line for every call of the shell, and what its code must
// say in each language: the BSD call in C, the socket module's in Python,
// and net's (or the comment saying why there is none) in Go.
var codeCases = []struct {
	line             string
	goW, cW, pythonW string
}{
	{line: "a/c: socket tcp", goW: "net.Dial", cW: "socket(AF_INET, SOCK_STREAM, 0)", pythonW: "socket.socket(socket.AF_INET, socket.SOCK_STREAM)"},
	{line: "b/w: bind 3 0.0.0.0:80", goW: `laddr3 := "0.0.0.0:80"`, cW: "bind(3, (struct sockaddr *)&addr, sizeof addr)", pythonW: `s3.bind(("0.0.0.0", 80))`},
	{line: "b/w: listen 3 16", goW: `ln3, err := net.Listen("tcp", laddr3)`, cW: "listen(3, 16)", pythonW: "s3.listen(16)"},
	{line: "a/c: connect 3 10.0.0.2:80", goW: `c3, err := net.Dial("tcp", "10.0.0.2:80")`, cW: "connect(3, (struct sockaddr *)&addr, sizeof addr)", pythonW: `s3.connect(("10.0.0.2", 80))`},
	{line: "b/w: accept 3 => 4 from 10.0.0.1:49152", goW: "c4, err := ln3.Accept()", cW: "int fd = accept(3,", pythonW: "s4, addr = s3.accept()"},
	{line: `a/c: send 3 "hi\n"`, goW: `c3.Write([]byte("hi\n"))`, cW: `ssize_t n = send(3, "hi\n", 3, 0);`, pythonW: `s3.sendall(b"hi\n")`},
	{line: "b/w: recv 4 100", goW: "n, err := c4.Read(buf)", cW: "recv(4, buf, 100, 0)", pythonW: "data = s4.recv(100)"},
	{line: `a/c: sendto 3 10.0.0.2:7 size=10`, goW: "WriteTo(data, to)", cW: "sendto(3, data, 10, 0, (struct sockaddr *)&addr, sizeof addr)", pythonW: `n = s3.sendto(data, ("10.0.0.2", 7))`},
	{line: "b/e: recvfrom 3 1500", goW: "ReadFrom(buf)", cW: "recvfrom(3, buf, 1500, 0, (struct sockaddr *)&from, &fromlen)", pythonW: "data, addr = s3.recvfrom(1500)"},
	{line: "b/w: setsockopt 3 SO_REUSEADDR 1", goW: "syscall.SO_REUSEADDR, 1", cW: "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v)", pythonW: "s3.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)"},
	{line: "a/c: getsockopt 3 SO_ERROR", goW: "syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)", cW: "getsockopt(3, SOL_SOCKET, SO_ERROR, &v, &vlen)", pythonW: "s3.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)"},
	{line: "a/c: shutdown 3 wr", goW: "CloseWrite()", cW: "shutdown(3, SHUT_WR)", pythonW: "s3.shutdown(socket.SHUT_WR)"},
	{line: "a/c: close 3", goW: "c3.Close()", cW: "close(3)", pythonW: "s3.close()"},
	{line: "b/e: poll 3,4 in 1s", goW: "Go has no poll", cW: "poll(fds, 2, 1000 /* ms */)", pythonW: "p.register(s4, select.POLLIN)"},
	{line: "a/c: nonblock 3", goW: "SetDeadline(time.Now())", cW: "fcntl(3, F_SETFL, flags | O_NONBLOCK)", pythonW: "s3.setblocking(False)"},
	{line: "a/p: ping 10.0.0.2 3", goW: "ping 10.0.0.2 is a program", cW: "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)", pythonW: "socket.IPPROTO_ICMP"},
	{line: "a/p: traceroute 10.0.3.2", goW: "SetTTL", cW: "IP_RECVERR", pythonW: "socket.MSG_ERRQUEUE"},
}

// TestCodeEveryCall checks that every call of the shell has code in every
// language, and that it is the call a learner expects.
func TestCodeEveryCall(t *testing.T) {
	var covered []string
	for _, tc := range codeCases {
		op := strings.Fields(tc.line)[1]
		covered = append(covered, op)
		for _, lang := range script.Langs() {
			t.Run(op+"/"+lang.String(), func(t *testing.T) {
				got, err := script.Code(tc.line, lang)
				if err != nil {
					t.Fatalf("Code(%q, %v): %v", tc.line, lang, err)
				}
				want := map[script.Lang]string{script.Go: tc.goW, script.C: tc.cW, script.Python: tc.pythonW}[lang]
				if !strings.Contains(got, want) {
					t.Errorf("Code(%q, %v) =\n%s\nwant it to contain %q", tc.line, lang, got, want)
				}
			})
		}
	}
	for _, name := range script.CallNames() {
		if !slices.Contains(covered, name) {
			t.Errorf("call %s has no case in codeCases", name)
		}
	}
}

// TestCodeGoParses checks that every call's Go is Go: it parses as the
// body of a function.
func TestCodeGoParses(t *testing.T) {
	for _, tc := range codeCases {
		got, err := script.Code(tc.line, script.Go)
		if err != nil {
			t.Fatal(err)
		}
		src := "package p\nfunc f() error {\n" + got + "\nreturn nil\n}\n"
		if _, err := parser.ParseFile(token.NewFileSet(), tc.line, src, 0); err != nil {
			t.Errorf("the Go for %q does not parse: %v\n%s", tc.line, err, got)
		}
	}
}

// TestCodeWorldLines checks that a world line is a comment saying what
// it is on a real machine, that run is a sleep, and that & says how a
// program makes a call in the background.
func TestCodeWorldLines(t *testing.T) {
	cases := []struct {
		line string
		lang script.Lang
		want string
	}{
		{line: "host a 10.0.0.1/24", lang: script.Go, want: "// host a: a computer with a network card for each address (ip addr add 10.0.0.1/24 dev eth0)"},
		{line: "link a b delay=5ms loss=1%", lang: script.C, want: "// link a b: a cable between the two network cards (a veth pair on Linux); tc qdisc netem gives it its delay, loss"},
		{line: "switch sw 8", lang: script.Python, want: "# switch sw: an Ethernet switch with 8 ports (on Linux, a bridge"},
		{line: "process b web root", lang: script.Go, want: "// process b web: a program running on b as root, which may bind ports below 1024"},
		{line: "route a default via 10.0.0.254", lang: script.C, want: "// route: ip route add 0.0.0.0/0 via 10.0.0.254 on a"},
		{line: "run 20ms", lang: script.Go, want: "time.Sleep(20 * time.Millisecond)"},
		{line: "run 1500us", lang: script.Go, want: "time.Sleep(1500 * time.Microsecond)"},
		{line: "run 2s", lang: script.C, want: "usleep(2000000);"},
		{line: "run 100ms", lang: script.Python, want: "time.sleep(0.1)"},
		{line: "a/c: connect 3 10.0.0.2:80 &", lang: script.Go, want: "// & (in the background): in a goroutine"},
		{line: "a/c: connect 3 10.0.0.2:80 &", lang: script.C, want: "/* & (in the background): in a thread of its own (pthread_create)"},
	}
	for _, tc := range cases {
		got, err := script.Code(tc.line, tc.lang)
		if err != nil {
			t.Fatalf("Code(%q): %v", tc.line, err)
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("Code(%q, %v) = %q, want it to start %q", tc.line, tc.lang, got, tc.want)
		}
	}
}

// TestCodeBadInput checks that a line the shell refuses, and a language
// it does not know, are errors.
func TestCodeBadInput(t *testing.T) {
	for _, line := range []string{"a/c: bind 3", "a/c: frobnicate 3", "hots a 10.0.0.1/24"} {
		if got, err := script.Code(line, script.C); err == nil {
			t.Errorf("Code(%q) = %q, want an error", line, got)
		}
	}
	if got, err := script.Code("a/c: close 3", script.Lang(9)); err == nil {
		t.Errorf("Code in Lang(9) = %q, want an error", got)
	}
	if got, err := script.Code("# only a comment", script.Go); err != nil || got != "" {
		t.Errorf("Code of a comment = %q, %v; want nothing", got, err)
	}
	for _, name := range []string{"go", "C", "PYTHON"} {
		if _, err := script.ParseLang(name); err != nil {
			t.Errorf("ParseLang(%q): %v", name, err)
		}
	}
	if _, err := script.ParseLang("rust"); err == nil {
		t.Error("ParseLang(rust): want an error")
	}
}

// TestCoderKnowsTheSockets checks that a Coder fed lines in order names
// Go's values by what the fds are: a UDP socket's bind is ListenPacket, a
// TCP listen uses bind's address, and an fd freed by close is given again.
func TestCoderKnowsTheSockets(t *testing.T) {
	cd := script.NewCoder(script.Go)
	steps := []struct{ line, want string }{
		{line: "b/e: socket udp", want: "socket udp (fd 3)"},
		{line: "b/e: bind 3 0.0.0.0:7", want: `pc3, err := net.ListenPacket("udp", "0.0.0.0:7")`},
		{line: "b/e: recvfrom 3 100", want: "pc3.ReadFrom(buf)"},
		{line: "b/w: socket tcp", want: "socket tcp (fd 3)"},
		{line: "b/w: bind 3 0.0.0.0:80", want: `laddr3 := "0.0.0.0:80"`},
		{line: "b/w: listen 3 16", want: `ln3, err := net.Listen("tcp", laddr3)`},
		{line: "b/w: socket tcp", want: "socket tcp (fd 4)"},
		{line: "b/w: close 4", want: "close 4: Go has made no socket for fd 4 yet"},
		{line: "b/w: accept 3", want: "c4, err := ln3.Accept()"},
		{line: "b/w: close 3", want: "ln3.Close()"},
		{line: "a/c: socket udp", want: "socket udp (fd 3)"},
		{line: `a/c: sendto 3 10.0.0.2:7 "x"`, want: `pc3, err := net.ListenPacket("udp", ":0")`},
		{line: `a/c: sendto 3 10.0.0.2:7 "y"`, want: "n, err = pc3.WriteTo("}, // declared by the sendto before
	}
	for _, s := range steps {
		got, err := cd.Line(s.line)
		if err != nil {
			t.Fatalf("%s: %v", s.line, err)
		}
		if !strings.Contains(got, s.want) {
			t.Errorf("%s:\n%s\nwant it to contain %q", s.line, got, s.want)
		}
	}
}

// FuzzCode checks that no line, however odd, makes Code panic, and that
// every line the shell takes has code in every language.
func FuzzCode(f *testing.F) {
	for _, tc := range codeCases {
		f.Add(tc.line)
	}
	for _, l := range []string{"host a 10.0.0.1/24", "run 1ms", "a/b: setsockopt 3 SO_LINGER -1", "a/b: poll 3,4,5 inout -1", `a/b: send 3 "\x00\xff"`} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, perr := script.ParseLine(line)
		for _, lang := range script.Langs() {
			code, err := script.Code(line, lang)
			if perr == nil && cmd != nil && (err != nil || code == "") {
				t.Errorf("Code(%q, %v) = %q, %v; the shell takes the line, so it has code", line, lang, code, err)
			}
		}
	})
}
