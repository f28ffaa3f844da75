package forward

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// town is a scenario run on a forwarding kernel in the background, with
// what it said.
type town struct {
	t     testing.TB
	k     *Kernel
	mu    sync.Mutex
	lines []script.LineRecord
	procs map[string]bool
	// fromOutside counts the packets the outside plot sent into the town.
	fromOutside int
	notes       bytes.Buffer
	done        chan error
}

func (tw *town) Event(e sock.Event) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if e.Kind == sock.KindSent && e.Host == OutsideHost {
		tw.fromOutside++
	}
	if e.Host != "" && e.Proc != "" {
		tw.procs[e.Host+"/"+e.Proc] = true
	}
}

func (tw *town) Line(r script.LineRecord) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.lines = append(tw.lines, r)
}

// Write collects the kernel's notes.
func (tw *town) Write(b []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return tw.notes.Write(b)
}

func (tw *town) said() string {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return tw.notes.String()
}

// result is what the call on line no returned.
func (tw *town) result(no int) (script.LineRecord, bool) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	for _, r := range tw.lines {
		if r.Line == no && r.Phase == script.PhaseDone {
			return r, true
		}
	}
	return script.LineRecord{}, false
}

// startTown parses src (its line numbers are the tests' references) and
// runs it with the forwards until its lines are done.
func startTown(t testing.TB, src string, specs ...string) *town {
	t.Helper()
	return startTownMode(t, Splice, src, specs...)
}

// startTownMode is startTown with the inbound forwards in mode.
func startTownMode(t testing.TB, mode Mode, src string, specs ...string) *town {
	t.Helper()
	tw := &town{t: t, procs: map[string]bool{}, done: make(chan error, 1)}
	var fw []Spec
	for _, s := range specs {
		sp, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		fw = append(fw, sp)
	}
	k, err := New(netsim.New(netsim.Options{}).Kernel(), Options{Forwards: fw, Mode: mode, Notes: tw})
	if err != nil {
		t.Fatal(err)
	}
	tw.k = k
	s, err := script.Parse("test", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	r := script.NewRunner(script.Options{Kernel: k, Sink: tw})
	go func() {
		err := r.Run(s)
		k.Settle(30 * time.Second)
		tw.done <- err
	}()
	t.Cleanup(func() {
		select {
		case <-tw.done:
		case <-time.After(30 * time.Second):
			t.Errorf("the scenario did not end; notes:\n%s", tw.said())
		}
		k.Close()
	})
	return tw
}

// wait waits for the scenario's end and returns its error.
func (tw *town) wait() error {
	tw.t.Helper()
	select {
	case err := <-tw.done:
		tw.done <- err
		return err
	case <-time.After(60 * time.Second):
		tw.t.Fatalf("the scenario did not end; notes:\n%s", tw.said())
		return nil
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func need(t *testing.T, prog string) string {
	t.Helper()
	path, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (./build.sh deps installs it)", prog)
	}
	return path
}

const server = `host b 10.0.0.2/24
process b web root
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 8
b/web: accept 3
`

// TestCurlFetchesTenMiB: curl, a program nobody here wrote, fetches
// 10 MiB from a server in the town through an inbound forward, and the
// body's sha256 is the one the server sent; curl is a house on the
// outside plot, named after its command and pid.
func TestCurlFetchesTenMiB(t *testing.T) {
	curl := need(t, "curl")
	port := freePort(t)
	const size = 10 << 20
	tw := startTown(t, server+fmt.Sprintf(`b/web: recv 4 4096
b/web: send 4 "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n"
b/web: send 4 size=%d
b/web: close 4
`, size, size), fmt.Sprintf("127.0.0.1:%d=b:80", port))
	cmd := exec.Command(curl, "-sS", "--max-time", "60", fmt.Sprintf("http://127.0.0.1:%d/", port))
	var body bytes.Buffer
	cmd.Stdout = &body
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("curl: %v; notes:\n%s", err, tw.said())
	}
	took := time.Since(start)
	if err := tw.wait(); err != nil {
		t.Errorf("the server's scenario: %v", err)
	}
	want := sha256.Sum256(script.Pattern(size))
	got := sha256.Sum256(body.Bytes())
	if body.Len() != size || got != want {
		t.Fatalf("curl got %d bytes sha256=%s; the town sent %d bytes sha256=%s", body.Len(), hex.EncodeToString(got[:]), size, hex.EncodeToString(want[:]))
	}
	house := fmt.Sprintf("%s/curl-%d", OutsideHost, cmd.Process.Pid)
	if !tw.procs[house] {
		t.Errorf("no house %s in the town; its processes: %v", house, tw.procs)
	}
	t.Logf("10 MiB through the forward in %v (%.0f MiB/s)", took, float64(size)/(1<<20)/took.Seconds())
}

// TestTownFetchesFromPython: a program in the town reaches python3's
// http.server through an outbound forward.
func TestTownFetchesFromPython(t *testing.T) {
	py := need(t, "python3")
	dir := t.TempDir()
	page := bytes.Repeat([]byte("a real server's page\n"), 5000) // 100 KB
	if err := os.WriteFile(filepath.Join(dir, "page.txt"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	srv := exec.Command(py, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(port))
	srv.Dir = dir
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	waitListening(t, port)
	sum := sha256.Sum256(page)
	tw := startTown(t, `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=2ms
process a client
a/client: socket tcp
a/client: connect 3 10.0.0.2:9000
a/client: send 3 "GET /page.txt HTTP/1.0\r\n\r\n"
a/client: recv 3 all
a/client: close 3
`, fmt.Sprintf("b:9000=127.0.0.1:%d", port))
	if err := tw.wait(); err != nil {
		t.Fatalf("the client's scenario: %v; notes:\n%s", err, tw.said())
	}
	r, _ := tw.result(8)
	// The reply is python's headers, then the page: the sum of the
	// body alone cannot be in the result, so check its length.
	if !strings.Contains(r.Result, " bytes sha256=") {
		t.Fatalf("recv all returned %q", r.Result)
	}
	var n int
	fmt.Sscanf(r.Result, "%d", &n)
	if n < len(page) || n > len(page)+400 {
		t.Errorf("recv all read %d bytes; the page alone is %d (sha256 %x)", n, len(page), sum)
	}
	if !strings.Contains(tw.said(), "reach the real server") {
		t.Errorf("the forward did not say what it opened:\n%s", tw.said())
	}
}

func waitListening(t *testing.T, port int) {
	t.Helper()
	for range 100 {
		if c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d", port)
}

// TestHalfCloseAndResetInbound: a real client's half-close reaches the
// town's server as an end of file, the server still answers, and its
// close reaches the real client; a real client's reset reaches the
// town's server as ECONNRESET.
func TestHalfCloseAndResetInbound(t *testing.T) {
	port := freePort(t)
	tw := startTown(t, server+`b/web: recv 4 all
b/web: send 4 "bye"
b/web: close 4
b/web: accept 3
b/web: recv 4 100
b/web: recv 4 100 => ECONNRESET
b/web: close 4
`, fmt.Sprintf("127.0.0.1:%d=b:80", port))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello, town"))
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "bye" {
		t.Fatalf("after its half-close the real client read %q, %v; want \"bye\" and the end", got, err)
	}
	if r, _ := tw.result(7); !strings.HasPrefix(r.Result, "11 bytes") {
		t.Errorf("the town's server read %q until the end; want the client's 11 bytes", r.Result)
	}

	c2, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	c2.Write([]byte("x"))
	waitResult(t, tw, 11)
	c2.(*net.TCPConn).SetLinger(0)
	c2.Close()
	if err := tw.wait(); err != nil {
		t.Errorf("the town's server: %v; notes:\n%s", err, tw.said())
	}
}

func waitResult(t *testing.T, tw *town, line int) script.LineRecord {
	t.Helper()
	for range 400 {
		if r, ok := tw.result(line); ok {
			return r
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("line %d did not return; notes:\n%s", line, tw.said())
	return script.LineRecord{}
}

// TestHalfCloseAndResetOutbound: the town's client's half-close reaches a
// real server as an end of file and the server's answer comes back; the
// real server's reset reaches the town's client as ECONNRESET.
func TestHalfCloseAndResetOutbound(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept() // the first: read to the end, answer, close
		if err != nil {
			return
		}
		b, _ := io.ReadAll(c)
		fmt.Fprintf(c, "got %d", len(b))
		c.Close()
		c, err = ln.Accept() // the second: a reset
		if err != nil {
			return
		}
		bufio.NewReader(c).ReadByte()
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}()
	tw := startTown(t, `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a client
a/client: socket tcp
a/client: connect 3 10.0.0.2:7000
a/client: send 3 "ping ping"
a/client: shutdown 3 wr
a/client: recv 3 all
a/client: close 3
a/client: socket tcp
a/client: connect 3 10.0.0.2:7000
a/client: send 3 "x"
a/client: recv 3 100 => ECONNRESET
a/client: close 3
`, "b:7000="+ln.Addr().String())
	if err := tw.wait(); err != nil {
		t.Fatalf("the town's client: %v; notes:\n%s", err, tw.said())
	}
	if r, _ := tw.result(9); !strings.HasPrefix(r.Result, "5 bytes") {
		t.Errorf("after its half-close the town's client read %q; want the server's \"got 9\"", r.Result)
	}
}

// TestRefusals: a taken port is refused when the forward opens, a town
// server that is not listening resets the real client, and a real server
// that is not there resets the town's client; each is said in words.
func TestRefusals(t *testing.T) {
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	spec, _ := Parse(taken.Addr().String() + "=b:80")
	_, err = New(netsim.New(netsim.Options{}).Kernel(), Options{Forwards: []Spec{spec}})
	if err == nil || !strings.Contains(err.Error(), "taken by another program") {
		t.Errorf("a forward from a taken port: %v", err)
	}
	if err := Probe([]Spec{spec}); err == nil || !strings.Contains(err.Error(), "taken by another program") {
		t.Errorf("Probe of a taken port: %v", err)
	}

	port, closed := freePort(t), freePort(t)
	tw := startTown(t, `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a client
a/client: socket tcp
a/client: connect 3 10.0.0.2:7000
a/client: recv 3 100 => ECONNRESET
run 3s
`, fmt.Sprintf("127.0.0.1:%d=b:80", port), fmt.Sprintf("b:7000=127.0.0.1:%d", closed))
	waitResult(t, tw, 7)
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 10))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("a real client of a town port nobody listens on read %v; want ECONNRESET", err)
	}
	if err := tw.wait(); err != nil {
		t.Errorf("the town's client: %v", err)
	}
	said := tw.said()
	for _, want := range []string{"ECONNREFUSED", "the real client gets a reset", "connection refused", "the town's client gets a reset", "the town's client 10.0.0.1:"} {
		if !strings.Contains(said, want) {
			t.Errorf("the notes do not say %q:\n%s", want, said)
		}
	}
}

// TestCurlThroughTUN: with --forward-mode tun the kernel's own TCP, in a
// namespace of its own, talks to the town's server: curl gets the 10 MiB
// with the server's sha256, every packet the kernel sent was a letter
// from the outside plot, and the namespace is gone with the kernel.
func TestCurlThroughTUN(t *testing.T) {
	curl := need(t, "curl")
	if os.Geteuid() != 0 {
		t.Skip("the TUN mode needs CAP_NET_ADMIN: run as root")
	}
	port := freePort(t)
	const size = 10 << 20
	tw := startTownMode(t, TUN, server+fmt.Sprintf(`b/web: recv 4 4096
b/web: send 4 "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n"
b/web: send 4 size=%d
b/web: close 4
`, size, size), fmt.Sprintf("127.0.0.1:%d=b:80", port))
	out, err := exec.Command(curl, "-sS", "--max-time", "60", fmt.Sprintf("http://127.0.0.1:%d/", port)).Output()
	if err != nil {
		t.Fatalf("curl: %v; notes:\n%s", err, tw.said())
	}
	ns := tw.k.tun.namespace() // made with host b, before curl could connect
	if err := tw.wait(); err != nil {
		t.Errorf("the server's scenario: %v", err)
	}
	if got, want := sha256.Sum256(out), sha256.Sum256(script.Pattern(size)); len(out) != size || got != want {
		t.Fatalf("curl got %d bytes sha256=%x; the town sent %d bytes sha256=%x", len(out), got, size, want)
	}
	tw.mu.Lock()
	n := tw.fromOutside
	tw.mu.Unlock()
	// The kernel acknowledges 10 MiB with hundreds of ACKs at least
	// (delayed, and stretched by receive offload).
	if n < size/(64<<10) {
		t.Errorf("the outside plot sent %d packets into the town; the kernel's ACKs of 10 MiB alone are hundreds", n)
	}
	if !strings.Contains(tw.said(), "through the kernel's own TCP in the namespace "+ns) {
		t.Errorf("the forward did not say where the kernel's TCP is:\n%s", tw.said())
	}
	tw.k.Close()
	if _, err := os.Stat("/run/netns/" + ns); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("namespace %s is still there after Close: %v", ns, err)
	}
}

// TestTUNHouse: with the TUN mode the outside plot shows, for a real
// client, a house named after it holding the kernel's socket that carries
// it, ESTABLISHED to the town's server from an ephemeral port as the
// simulator picks them.
func TestTUNHouse(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the TUN mode needs CAP_NET_ADMIN: run as root")
	}
	port := freePort(t)
	tw := startTownMode(t, TUN, server+"b/web: recv 4 100\nb/web: close 4\n", fmt.Sprintf("127.0.0.1:%d=b:80", port))
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	comm, _ := os.ReadFile("/proc/self/comm")
	want := owner{comm: strings.TrimSpace(string(comm)), pid: os.Getpid()}.house()
	var got []sock.ProcessState
	for range 100 {
		if got, _ = tw.k.tun.houses(); len(got) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(got) != 1 || got[0].Name != want || len(got[0].Sockets) != 1 {
		t.Fatalf("the outside plot's houses: %+v; want one, %s, with the kernel's socket", got, want)
	}
	s := got[0].Sockets[0]
	if s.State != sock.StateEstablished || s.Remote != netip.MustParseAddrPort("10.0.0.2:80") || s.Local.Port() < 49152 {
		t.Errorf("the kernel's socket: %v %v -> %v; want ESTABLISHED from an ephemeral port to 10.0.0.2:80", s.State, s.Local, s.Remote)
	}
	c.Write([]byte("x"))
}
