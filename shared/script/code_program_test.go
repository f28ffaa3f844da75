package script_test

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

// processCode is the code of each process's calls in lines, in lang, as
// the code panel shows a line of it with all its earlier calls: one
// Coder reads every line in order, and each process's snippets are kept
// apart, oldest first. The keys are in the order the processes first
// call.
func processCode(t *testing.T, name string, lines []string, lang script.Lang) (order []string, code map[string]string) {
	t.Helper()
	cd := script.NewCoder(lang)
	code = map[string]string{}
	for _, line := range lines {
		snippet, err := cd.Line(line)
		if err != nil {
			t.Fatalf("%s: %q: %v", name, line, err)
		}
		cmd, _ := script.ParseLine(line)
		cc, ok := cmd.(script.CallCmd)
		if !ok || snippet == "" {
			continue
		}
		who := cc.Host + "/" + cc.Proc
		if _, seen := code[who]; !seen {
			order = append(order, who)
		}
		code[who] += snippet + "\n"
	}
	return order, code
}

// programCases are scenarios whose processes make the same calls again,
// so that their code declares what it needs once and reuses it: two
// sends, recvs and recvfroms of different sizes, setsockopts of each
// kind of value, two polls, two accepts, an fd closed and made again.
var programCases = map[string]string{
	"again-tcp": `
b/w: socket tcp
b/w: setsockopt 3 SO_REUSEADDR 1
b/w: setsockopt 3 SO_RCVTIMEO 1500
b/w: setsockopt 3 SO_RCVTIMEO 200
b/w: setsockopt 3 SO_LINGER 0
b/w: setsockopt 3 SO_LINGER -1
b/w: bind 3 0.0.0.0:80
b/w: listen 3 16
b/w: poll 3 in 1s
b/w: accept 3 => 4 from 10.0.0.1:49152
b/w: poll 3,4 in
b/w: accept 3 => 5 from 10.0.0.3:49152
b/w: recv 4 100
b/w: recv 5 70000
b/w: recv 4 all
b/w: recv 5 all
b/w: send 4 "hi"
b/w: send 5 "hello"
b/w: send 4 size=1000
b/w: send 5 size=2000
b/w: getsockopt 4 SO_ERROR
b/w: getsockopt 5 SO_RCVBUF
b/w: nonblock 4
b/w: nonblock 5 off
b/w: shutdown 4 wr
b/w: close 4
b/w: close 5
b/w: accept 3 => 4 from 10.0.0.1:49153
b/w: close 4
a/c: socket tcp
a/c: bind 3 10.0.0.1:5000
a/c: connect 3 10.0.0.2:80
a/c: setsockopt 3 TCP_NODELAY 1
a/c: setsockopt 3 TCP_USER_TIMEOUT 5000
a/c: send 3 "x"
a/c: close 3
a/c: socket tcp
a/c: connect 3 10.0.0.2:80 => ECONNREFUSED
a/c: close 3
a/c: socket tcp
a/c: connect 3 10.0.0.2:80
a/c: recv 3 10
a/c: close 3
`,
	"again-udp": `
b/e: socket udp
b/e: bind 3 0.0.0.0:7
b/e: recvfrom 3 100
b/e: recvfrom 3 2000
b/e: sendto 3 10.0.0.1:5000 "back"
b/e: sendto 3 10.0.0.1:5000 size=300
b/e: setsockopt 3 IP_TTL 3
b/e: close 3
a/c: socket udp
a/c: sendto 3 10.0.0.2:7 "x"
a/c: sendto 3 10.0.0.2:7 "y"
a/c: recvfrom 3 100
a/c: close 3
a/c: socket udp
a/c: connect 3 10.0.0.2:7
a/c: send 3 "z"
a/c: recv 3 100
a/c: close 3
a/p: ping 10.0.0.2 3
a/p: traceroute 10.0.3.2
a/p: ping 10.0.0.3 1
`,
}

// TestCodeProcessesCompile checks that what the code panel shows for a
// process's last call, its earlier calls and then that one, is a
// program: in C, in Python and in Go, for the scenarios of programCases
// (see checkPrograms).
func TestCodeProcessesCompile(t *testing.T) {
	for name, src := range programCases {
		checkPrograms(t, name, strings.Split(src, "\n"))
	}
}

// checkPrograms checks every process's code in lines in every
// language: C with gcc -fsyntax-only -Wall, Python with ast.parse and
// compile, Go type-checked with go/types (which refuses a variable
// declared twice, or declared and never used). A language whose tool is
// missing is skipped.
func checkPrograms(t *testing.T, name string, lines []string) {
	t.Helper()
	for _, lang := range script.Langs() {
		t.Run(name+"/"+lang.String(), func(t *testing.T) {
			order, code := processCode(t, name, lines, lang)
			for _, who := range order {
				switch lang {
				case script.C:
					checkC(t, who, code[who])
				case script.Python:
					checkPython(t, who, code[who])
				default:
					checkGo(t, who, code[who])
				}
			}
		})
	}
}

// checkC compiles a process's C as main's body with gcc -std=c11
// -fsyntax-only -Wall; every error fails, and so does every warning: the
// snippets need none allowed (an unused variable, one set but never
// read, a missing header would each be one).
func checkC(t *testing.T, who, body string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc on this machine")
	}
	src := "#define _GNU_SOURCE\n" + script.CIncludes + "\n\nint main(void) {\n" + body + "return 0;\n}\n"
	file := filepath.Join(t.TempDir(), "p.c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, gcc, "-std=c11", "-fsyntax-only", "-Wall", "-Werror=implicit-function-declaration", file).CombinedOutput()
	if err != nil {
		t.Errorf("%s: gcc: %v\n%s\n%s", who, err, out, numbered(src))
		return
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "warning: ") {
			t.Errorf("%s: gcc: %s\n%s", who, l, numbered(src))
		}
	}
}

// checkPython parses a process's Python with ast.parse and compiles it
// with compile, after the imports the snippets need.
func checkPython(t *testing.T, who, body string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on this machine")
	}
	src := script.PythonImports + "\n" + body
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import ast, sys; s = sys.stdin.read(); ast.parse(s); compile(s, 'p.py', 'exec')")
	cmd.Stdin = bytes.NewReader([]byte(src))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: python3: %v\n%s\n%s", who, err, out, numbered(src))
	}
}

// goImports are the packages the Go snippets use; each is used once
// more, so that a process that needs only some of them still compiles.
var goImports = []string{"crypto/sha256", "fmt", "io", "net", "net/netip", "os", "syscall", "time"}

// checkGo type-checks a process's Go as the body of a function that
// returns an error, with the standard library's packages.
func checkGo(t *testing.T, who, body string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("package p\n\nimport (\n")
	for _, p := range goImports {
		b.WriteString("\t" + `"` + p + `"` + "\n")
	}
	b.WriteString(")\n\nvar (\n")
	b.WriteString("\t_ = sha256.Sum256\n\t_ = fmt.Print\n\t_ = io.EOF\n\t_ = net.Dial\n\t_ = netip.MustParseAddrPort\n\t_ = os.ErrDeadlineExceeded\n\t_ = syscall.SOL_SOCKET\n\t_ = time.Now\n)\n\n")
	b.WriteString("func run() error {\n" + body + "return nil\n}\n")
	src := b.String()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Errorf("%s: %v\n%s", who, err, numbered(src))
		return
	}
	var errs []string
	conf := types.Config{Importer: importer.Default(), Error: func(err error) { errs = append(errs, err.Error()) }}
	if _, err := conf.Check("p", fset, []*ast.File{f}, nil); err != nil && len(errs) == 0 {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		t.Errorf("%s: go/types:\n%s\n%s", who, strings.Join(errs, "\n"), numbered(src))
	}
}

// numbered is src with its line numbers, as a compiler's message names
// them.
func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

// TestCodeExamplesCompile checks, for every example and every process in
// it, that the code the panel shows for the process's last call (all its
// calls, in order) compiles in C, Python and Go (see checkPrograms).
func TestCodeExamplesCompile(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examplesDir, "*.sv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no examples in %s: %v", examplesDir, err)
	}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkPrograms(t, strings.TrimSuffix(filepath.Base(path), ".sv"), strings.Split(string(src), "\n"))
	}
}
