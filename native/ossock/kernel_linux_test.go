//go:build linux

package ossock_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"socketville/examples"
	"socketville/native/ossock"
	"socketville/shared/netsim"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// osDepartures are the lines of each example whose expected result Linux
// does not give, each with the reason the simulator documents. Every other
// "=> ..." a scenario states must hold on Linux too.
var osDepartures = map[string]map[int]string{
	"errors.sv": {30: "no IPv4 fragmentation"},
}

// maxRun caps the examples' closing "run 2m"s, except where a result after
// it needs the time (tcp-errors binds port 80 again once TIME-WAIT is over).
func maxRun(name string) time.Duration {
	if name == "tcp-errors.sv" {
		return 0
	}
	return 2 * time.Second
}

func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a town of namespaces needs root (CAP_NET_ADMIN)")
	}
}

// run plays an example on a kernel and records it.
func run(t *testing.T, name string, k sock.Kernel, limit time.Duration) (script.Recording, []error) {
	t.Helper()
	ex, ok := examples.Find(name)
	if !ok {
		t.Fatalf("no example %s", name)
	}
	s, err := script.Parse(name, strings.NewReader(ex.Source))
	if err != nil {
		t.Fatal(err)
	}
	rec := &script.Recorder{Rec: script.Recording{Kernel: "simulator"}}
	if k != nil {
		rec.Rec.Kernel = "Linux"
	}
	r := script.NewRunner(script.Options{Kernel: k, Sink: rec, MaxRun: limit})
	err = r.Run(s)
	var errs []error
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			errs = joined.Unwrap()
		} else {
			errs = []error{err}
		}
	}
	return rec.Rec, errs
}

// TestExamplesOnLinux plays every example on Linux namespaces: each result
// the scenario states holds (but for the documented departures), and
// --compare's engine finds only documented differences against the
// simulator. The examples run one at a time, since their stories depend on
// a few milliseconds of real delay, except tcp-errors, which waits out a
// connect timeout (127 s) and TIME-WAIT (60 s) beside the others.
func TestExamplesOnLinux(t *testing.T) {
	needRoot(t)
	if raceEnabled {
		t.Skip("the examples' stories hang on milliseconds of real delay, which the race detector stretches; build.sh test runs them without it")
	}
	type outcome struct {
		sim, lin script.Recording
		errs     []error
		err      error
	}
	play := func(t *testing.T, name string) outcome {
		k, err := ossock.New(ossock.Options{Mode: ossock.Namespaces})
		if err != nil {
			return outcome{err: err}
		}
		defer k.Close()
		var o outcome
		o.lin, o.errs = run(t, name, k, maxRun(name))
		o.sim, _ = run(t, name, nil, maxRun(name))
		return o
	}
	check := func(t *testing.T, name string, o outcome) {
		if o.err != nil {
			t.Fatal(o.err)
		}
		for _, err := range o.errs {
			var le *script.LineError
			if errors.As(err, &le) && osDepartures[name][le.Line] != "" {
				continue
			}
			t.Errorf("on Linux: %v", err)
		}
		for _, d := range script.Compare(o.sim, o.lin, netsim.Deliberate()) {
			if d.Documented == "" {
				t.Errorf("line %d %s: %s (%s): simulator %q, Linux %q", d.Line, d.Who, d.Text, d.Aspect, d.A, d.B)
			}
		}
	}
	const slow = "tcp-errors.sv"
	done := make(chan outcome, 1)
	go func() { done <- play(t, slow) }()
	for _, ex := range examples.All() {
		if name := ex.Name + ".sv"; name != slow {
			t.Run(name, func(t *testing.T) { check(t, name, play(t, name)) })
		}
	}
	o := <-done
	t.Run(slow, func(t *testing.T) { check(t, slow, o) })
}

// TestTownIsRealLinux: while a run holds a listener, ss inside the host's
// namespace lists it; the link's wire is a TAP device there; and after
// Close the namespaces are gone.
func TestTownIsRealLinux(t *testing.T) {
	needRoot(t)
	k, err := ossock.New(ossock.Options{Mode: ossock.Namespaces})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	s, err := script.Parse("listen", strings.NewReader(`host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=2ms
process b web root
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := script.NewRunner(script.Options{Kernel: k}).Run(s); err != nil {
		t.Fatal(err)
	}
	ns := k.Town().Namespace("b")
	out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tlnH").CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "0.0.0.0:80") {
		t.Errorf("ss -tln in %s does not list the listener on port 80:\n%s", ns, out)
	}
	out, err = exec.Command("ip", "netns", "exec", ns, "ip", "-d", "link", "show").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "tun type tap") {
		t.Errorf("no TAP device in %s (%v):\n%s", ns, err, out)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	out, _ = exec.Command("ip", "netns", "list").CombinedOutput()
	if strings.Contains(string(out), ns) {
		t.Errorf("namespace %s is still there after Close:\n%s", ns, out)
	}
}

// TestOSRunPcapDecodes: tshark reads the packets an OS run records, with no
// malformed packet.
func TestOSRunPcapDecodes(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed")
	}
	bin := buildBinary(t)
	pcap := filepath.Join(t.TempDir(), "hello.pcap")
	cmd := exec.Command(bin, "run", "--os", "--max-run", "1s", "--pcap", pcap, examplePath(t, "hello-tcp.sv"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run --os: %v\n%s", err, out)
	}
	out, err := exec.Command("tshark", "-r", pcap, "-T", "fields", "-e", "tcp.flags.str", "-e", "_ws.expert.severity").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	text := string(out)
	if strings.Count(text, "S·") < 2 || !strings.Contains(text, "F") {
		t.Errorf("tshark did not see two handshakes and a close:\n%s", text)
	}
	if bad, _ := exec.Command("tshark", "-r", pcap, "-Y", "_ws.malformed").Output(); len(bytes.TrimSpace(bad)) > 0 {
		t.Errorf("tshark finds malformed packets:\n%s", bad)
	}
}

// TestOSRunJSON: --json on Linux prints one JSON object a line, the same
// records as the simulator's, with the notes kept out of it (on stderr).
func TestOSRunJSON(t *testing.T) {
	needRoot(t)
	bin := buildBinary(t)
	cmd := exec.Command(bin, "run", "--os", "--json", "--max-run", "1s", examplePath(t, "hello-udp.sv"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run --os --json: %v\n%s", err, stderr.String())
	}
	kinds := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r script.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON object: %q: %v", line, err)
		}
		kinds[r.Kind]++
	}
	for _, k := range []string{"socket", "bind", "data", "sent", "delivered"} {
		if kinds[k] == 0 {
			t.Errorf("no %q record in Linux's JSON trace: %v", k, kinds)
		}
	}
	if !strings.Contains(stderr.String(), "# kernel: Linux") {
		t.Errorf("the notes are not on stderr: %q", stderr.String())
	}
}

// TestKilledRunIsCleanedUp: a run killed with -9 in the middle leaves its
// namespaces; the next run removes them and says so.
func TestKilledRunIsCleanedUp(t *testing.T) {
	needRoot(t)
	bin := buildBinary(t)
	cmd, prefix := startTown(t, bin, nil)
	cmd.Process.Signal(unix.SIGKILL)
	cmd.Wait()
	if !strings.Contains(netnsList(t), prefix) {
		t.Fatal("a killed run left nothing to clean: the test proves nothing")
	}
	out, err := exec.Command(bin, "run", "--os", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("the next run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "removed namespace "+prefix+"a") {
		t.Errorf("the next run did not say it removed %sa:\n%s", prefix, out)
	}
	if strings.Contains(netnsList(t), prefix) {
		t.Errorf("namespaces %s* are still there:\n%s", prefix, netnsList(t))
	}
}

// TestUnprivilegedLoopback plays every example as nobody: hosts are
// loopback addresses, link properties are refused with a line that says
// so, a root process's port 80 works, and the results that do not depend
// on a link's delay or loss hold.
func TestUnprivilegedLoopback(t *testing.T) {
	needRoot(t) // to become nobody
	bin := buildBinary(t)
	dir := openDir(t)
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"hello-udp.sv", []string{"10.0.0.2 is 127.", "delay=5ms not applied", `=> 13 from 10.0.0.2:7007 "hello, client"`, "=> ECONNREFUSED"}},
		{"hello-tcp.sv", []string{"port P is 10000+P", `=> 30 "HTTP/1.0 200 OK\r\n\r\nhello, town"`, "state     CLOSED -> LISTEN"}},
		{"errors.sv", []string{"bind: EACCES", "=> EADDRINUSE", "=> EADDRNOTAVAIL", "ENETUNREACH", "EDESTADDRREQ", "EBADF"}},
		{"lossy-bulk.sv", []string{"loss=10% dup=10% reorder=10% not applied", "=> 1048576 bytes sha256=f9bc24203e29148bef0f8d2c3e8495c339dbe7be726c00dfc5853982c5ed514a"}},
		{"lossy-udp.sv", []string{"corrupt=2% not applied", `"letter 1"`, `"letter 10"`}},
		{"poll-udp.sv", []string{"port P is 10000+P", `"echo me"`, `"what time is it?"`}},
		{"router.sv", []string{"forwarding needs namespaces", "ping_group_range", `"quote of the day, please"`}},
		{"tcp-errors.sv", []string{"loss=100% not applied", "connect 3 10.0.0.2:81", "=> ECONNREFUSED", "ECONNRESET", "EPIPE"}},
		{"two-clients.sv", []string{`"hello from c1"`, `"hi, c2"`, "=> 0 (end of file)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := os.ReadFile(examplePath(t, tt.name))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, src, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "run", "--os", "--max-run", "1s", path)
			out, _ := cmd.CombinedOutput()
			text := string(out)
			if !strings.Contains(text, "on loopback") {
				t.Fatalf("not a loopback run:\n%s", text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the run does not say %q:\n%s", w, text)
				}
			}
		})
	}
}

// startTown starts a run --os of two linked hosts that waits a minute, and
// returns once its namespaces exist, with their prefix.
func startTown(t *testing.T, bin string, stderr *bytes.Buffer) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "run", "--os", "-")
	cmd.Stdin = strings.NewReader("host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=1ms\nrun 1m\n")
	if stderr != nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("%s%d-", ossock.NamespacePrefix, cmd.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(netnsList(t), prefix+"b") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the run never made its namespaces")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, prefix
}

func netnsList(t *testing.T) string {
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns list: %v\n%s", err, out)
	}
	return string(out)
}

func examplePath(t testing.TB, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openDir is a fresh directory that anyone may read (t.TempDir's parent
// is root's alone), removed when the test ends.
func openDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "socketville-os-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildBinary builds socketville where anyone may run it.
func buildBinary(t testing.TB) string {
	t.Helper()
	dir := openDir(t)
	bin := filepath.Join(dir, "socketville")
	cmd := exec.Command("go", "build", "-o", bin, "socketville/native")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestInterruptedRunCleansUp: Ctrl-C in the middle of a run removes its
// namespaces before the program exits.
func TestInterruptedRunCleansUp(t *testing.T) {
	needRoot(t)
	bin := buildBinary(t)
	var stderr bytes.Buffer
	cmd, prefix := startTown(t, bin, &stderr)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit status %d (%v), want 130", code, err)
	}
	if !strings.Contains(stderr.String(), "removing the town") {
		t.Errorf("the run did not say it removed the town: %q", stderr.String())
	}
	if strings.Contains(netnsList(t), prefix) {
		t.Errorf("namespaces %s* outlived the run:\n%s", prefix, netnsList(t))
	}
}

// TestBadInputOnLinux: what a run on Linux refuses, it refuses in a line
// that names the host or the missing privilege, and leaves nothing behind.
func TestBadInputOnLinux(t *testing.T) {
	needRoot(t)
	bin := buildBinary(t)
	for _, tt := range []struct {
		name, src string
		asNobody  bool
		args      []string
		want      string
	}{
		{"a host on the machine's own loopback", "host a 127.0.0.5/8\n", false, nil, "host a: address 127.0.0.5 cannot name a host"},
		{"namespaces without the privilege", "host a 10.0.0.1/24\n", true, []string{"--hosts", "namespaces"}, "CAP_NET_ADMIN"},
		{"a probability past 100%", "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b loss=150%\n", false, nil, "link"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--os"}, tt.args...)
			args = append(args, "-")
			cmd := exec.Command(bin, args...)
			if tt.asNobody {
				cmd = exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin}, args...)...)
			}
			cmd.Stdin = strings.NewReader(tt.src)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the run took it:\n%s", out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("the run does not say %q:\n%s", tt.want, out)
			}
			if strings.Contains(netnsList(t), fmt.Sprintf("%s%d-", ossock.NamespacePrefix, cmd.Process.Pid)) {
				t.Errorf("a refused run left namespaces:\n%s", netnsList(t))
			}
		})
	}
}

// TestRecvErrTimeExceeded: a UDP probe with IP_TTL 1 through a router (a
// forwarding namespace) dies there, and with IP_RECVERR on the sender's
// error queue holds Linux's ICMP time exceeded: EHOSTUNREACH, type 11 code
// 0, the router's address as offender, the probe's destination and payload.
// IP_MTU_DISCOVER and IP_MTU are the kernel's own options, and a DF
// datagram too big for the path queues a local EMSGSIZE with the MTU.
func TestRecvErrTimeExceeded(t *testing.T) {
	needRoot(t)
	k, err := ossock.New(ossock.Options{Mode: ossock.Namespaces})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	pfx := func(s string) []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix(s)} }
	for _, h := range []struct {
		name, addr string
		fwd        bool
	}{{"a", "10.0.1.10/24", false}, {"r", "10.0.1.1/24", true}, {"b", "10.0.2.20/24", false}} {
		if err := k.AddHost(h.name, pfx(h.addr), sock.HostOptions{Forward: h.fwd}); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range [][2]string{{"a", "r"}, {"r", "b"}} {
		if err := k.AddLink(l[0], l[1], sock.LinkConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.AddRoute("a", netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.1.1")); err != nil {
		t.Fatal(err)
	}
	p, err := k.AddProcess("a", "probe", false)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := p.Socket(sock.SockUDP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.RecvErr(fd); !errors.Is(err, sock.ErrAgain) {
		t.Errorf("RecvErr on an empty queue: %v, want EAGAIN", err)
	}
	for _, o := range []struct {
		opt sock.SockOpt
		v   int
	}{{sock.OptRecvErr, 1}, {sock.OptTTL, 1}, {sock.OptMTUDiscover, sock.PMTUDiscDo}} {
		if err := p.SetSockopt(fd, o.opt, o.v); err != nil {
			t.Fatalf("setsockopt %v %d: %v", o.opt, o.v, err)
		}
	}
	if v, err := p.GetSockopt(fd, sock.OptMTUDiscover); err != nil || v != sock.PMTUDiscDo {
		t.Errorf("IP_MTU_DISCOVER reads %d, %v; want %d", v, err, sock.PMTUDiscDo)
	}
	if _, err := p.GetSockopt(fd, sock.OptMTU); !errors.Is(err, sock.ErrNotConn) {
		t.Errorf("IP_MTU of an unconnected socket: %v, want ENOTCONN", err)
	}
	if err := p.SetSockopt(fd, sock.OptMTU, 1000); !errors.Is(err, sock.ErrNoProtoOpt) {
		t.Errorf("setting IP_MTU: %v, want ENOPROTOOPT", err)
	}
	dst := netip.MustParseAddrPort("10.0.2.20:33434")
	if err := p.Connect(fd, dst); err != nil {
		t.Fatal(err)
	}
	if v, err := p.GetSockopt(fd, sock.OptMTU); err != nil || v != 1500 {
		t.Errorf("IP_MTU towards b reads %d, %v; want 1500", v, err)
	}
	if _, err := p.Send(fd, []byte("probe")); err != nil {
		t.Fatal(err)
	}
	var ee sock.ExtendedErr
	deadline := time.Now().Add(5 * time.Second)
	for {
		ee, err = p.RecvErr(fd)
		if !errors.Is(err, sock.ErrAgain) || time.Now().After(deadline) {
			break
		}
		k.RunUntil(k.Now() + 5*time.Millisecond)
	}
	if err != nil {
		t.Fatalf("RecvErr: %v", err)
	}
	want := sock.ExtendedErr{Err: sock.ErrHostUnreach, Type: 11, Code: 0, Offender: netip.MustParseAddr("10.0.1.1"), Dst: dst, Data: []byte("probe")}
	if ee.Err != want.Err || ee.Type != want.Type || ee.Code != want.Code || ee.Offender != want.Offender || ee.Dst != want.Dst || string(ee.Data) != string(want.Data) {
		t.Errorf("RecvErr = %+v, want %+v", ee, want)
	}
	if _, err := p.RecvErr(fd); !errors.Is(err, sock.ErrAgain) {
		t.Errorf("a second RecvErr: %v, want EAGAIN", err)
	}

	// With IP_MTU_DISCOVER do, a datagram over the path MTU fails at
	// once, and the error queue holds the kernel's own error with the MTU.
	if _, err := p.Send(fd, make([]byte, 1600)); !errors.Is(err, sock.ErrMsgSize) {
		t.Errorf("a 1600-byte DF datagram: %v, want EMSGSIZE", err)
	}
	ee, err = p.RecvErr(fd)
	if err != nil || !ee.Local || ee.Err != sock.ErrMsgSize || ee.Info != 1500 || ee.Offender.IsValid() || ee.Type != 0 {
		t.Errorf("RecvErr after EMSGSIZE = %+v, %v; want a local EMSGSIZE with MTU 1500 and no offender", ee, err)
	}
}

// TestLoopbackRefusesSwitches: a loopback run has no cables, and says so
// when a scenario asks for a switch; the town is left as it was.
func TestLoopbackRefusesSwitches(t *testing.T) {
	k, err := ossock.New(ossock.Options{Mode: ossock.Loopback})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	err = k.AddSwitch("sw", 0)
	if !errors.Is(err, sock.ErrOpNotSupp) || !strings.Contains(err.Error(), "loopback run has no cables") {
		t.Errorf("AddSwitch on loopback: %v, want EOPNOTSUPP saying why", err)
	}
	if snap := k.Snapshot(); len(snap.Switches) != 0 {
		t.Errorf("the refused switch is in the snapshot: %+v", snap.Switches)
	}
}
