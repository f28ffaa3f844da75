package export_test

import (
	"context"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"socketville/examples"
	"socketville/shared/script"
	"socketville/shared/script/export"
)

// TestProgramSaysEachLine checks what a learner reads: each line of the
// scenario a statement of main, after the line itself as a comment, and
// the scenario's comments kept.
func TestProgramSaysEachLine(t *testing.T) {
	src := `# A server and a client.
host b 10.0.0.2/24
host a 10.0.0.1/24
link a b delay=5ms
process b web root
process a browser
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80 &
b/web: accept 3 => 4 from 10.0.0.1:49152
a/browser: send 3 size=1000
b/web: recv 4 all
b/web: poll 4 in 1s
run 20ms
`
	prog, err := export.Program("t.sv", src)
	if err != nil {
		t.Fatal(err)
	}
	got := string(prog)
	for _, want := range []string{
		"// A server and a client.",
		`hB := t.host("b", "10.0.0.2/24") // host b 10.0.0.2/24`,
		"// link a b delay=5ms: a cable; on loopback there is none",
		`bWeb := t.process(hB, "web", true)`,
		"// b/web: bind 3 0.0.0.0:80\n\tbWeb.say(\"bind 3 0.0.0.0:80\", bWeb.bind(3, \"0.0.0.0:80\"))",
		`bWeb.say("listen 3 16", bWeb.listen(3, 16))`,
		`aBrowser.background("connect 3 10.0.0.2:80", "", func() result { return aBrowser.connect(3, "10.0.0.2:80") })`,
		`bWeb.check("accept 3", "4 from 10.0.0.1:49152", bWeb.accept(3))`,
		`aBrowser.say("send 3 size=1000", aBrowser.sendPattern(3, 1000))`,
		`bWeb.say("recv 4 all", bWeb.recvAll(4))`,
		`bWeb.say("poll 4 in 1s", bWeb.poll([]int{4}, "in", 1*time.Second))`,
		"t.run(20 * time.Millisecond) // run 20ms",
		"func (p *proc) listen(fd int, backlog int) result {",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the program does not say %q", want)
		}
	}
	if formatted, err := format.Source(prog); err != nil || string(formatted) != got {
		t.Errorf("the program is not gofmt'd (%v)", err)
	}
}

// TestProgramRefuses checks that a line with no TCP or UDP program is
// refused, by its line number and with why.
func TestProgramRefuses(t *testing.T) {
	head := "host a 10.0.0.1/24\nprocess a p\n"
	cases := []struct{ line, want string }{
		{line: "a/p: ping 10.0.0.2", want: "line 3: ping: no program for it: it is a program of ICMP"},
		{line: "a/p: traceroute 10.0.0.2", want: "line 3: traceroute: no program for it"},
		{line: "a/p: socket icmp", want: "line 3: socket icmp: no program for it: only TCP and UDP sockets"},
		{line: "switch sw", want: "line 3: switch: no program for it"},
		{line: "arp a", want: "line 3: arp: no program for it"},
		{line: "step 2", want: "line 3: step: no program for it: only the simulator can stop"},
		{line: "a/q: socket tcp", want: "line 3: a/q: no process called q on a"},
		{line: "a/p: bind 3", want: "line 3: bind: want bind FD ADDR:PORT"},
	}
	for _, tc := range cases {
		prog, err := export.Program("t.sv", head+tc.line+"\n")
		if err == nil {
			t.Errorf("%s: a program of %d bytes, want an error", tc.line, len(prog))
			continue
		}
		var le *script.LineError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant a *script.LineError saying %q", tc.line, err, tc.want)
		}
	}
}

// TestProgramNames checks that names which would meet as Go variables, or
// are Go's own words, still make distinct variables.
func TestProgramNames(t *testing.T) {
	prog, err := export.Program("t.sv", "host a 10.0.0.1/24\nhost ab 10.0.0.2/24\nhost t 10.0.0.3/24\nprocess a bc\nprocess ab c\nprocess t func\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`aBc := t.process(hA, "bc", false)`, `abC := t.process(hAb, "c", false)`, `tFunc := t.process(hT, "func", false)`, "_ = aBc "} {
		if !strings.Contains(string(prog), want) {
			t.Errorf("the program does not say %q", want)
		}
	}
}

// TestProgramsBuild checks that the program of every example export takes
// is Go that go vet passes, in a module of its own: the programs need the
// standard library only.
func TestProgramsBuild(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module exported\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ex := range examples.All() {
		prog, err := export.Program(ex.Name+".sv", ex.Source)
		if err != nil {
			continue // TestProgramRefuses checks the refusals
		}
		sub := filepath.Join(dir, ex.Name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "main.go"), prog, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d examples exported; want the TCP and UDP ones", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "vet", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet of the exported programs: %v\n%s", err, out)
	}
}

// FuzzProgram checks that no scenario makes Program panic, and that what
// it writes is always Go that gofmt reads.
func FuzzProgram(f *testing.F) {
	for _, ex := range examples.All() {
		f.Add(ex.Source)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := export.Program("fuzz.sv", src)
		if err != nil {
			return
		}
		if _, err := format.Source(prog); err != nil {
			t.Errorf("the program of %q is not Go: %v", src, err)
		}
	})
}
