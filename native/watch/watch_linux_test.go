//go:build linux

package watch

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"socketville/shared/sock"
)

var nsSeq atomic.Int32

// needTools skips the test unless it runs as root with the programs named.
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace")
	}
	for _, tool := range append([]string{"ip"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
}

// newNetns makes a network namespace with loopback up, removed (with
// anything still running in it) when the test ends.
func newNetns(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("sv-watch-test-%d-%d", os.Getpid(), nsSeq.Add(1))
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if f != fmt.Sprint(os.Getpid()) { // a benchmark's thread may have joined it
					exec.Command("kill", "-9", f).Run()
				}
			}
		}
		exec.Command("ip", "netns", "del", name).Run()
	})
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("lo up: %v: %s", err, out)
	}
	return name
}

// start runs a program in the namespace; it is killed when the test ends.
// ip netns exec execs the program, so the pid is the program's.
func start(t testing.TB, ns string, stdin io.Reader, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd
}

// until refreshes w until ok holds for a snapshot, collecting the events
// on the way; it fails the test after a few seconds.
func until(t *testing.T, w *Watch, what string, ok func(sock.HostState) bool) (sock.HostState, []sock.Event) {
	t.Helper()
	var all []sock.Event
	deadline := time.Now().Add(5 * time.Second)
	for {
		snap, events, err := w.Refresh()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, events...)
		if len(snap.Hosts) != 1 {
			t.Fatalf("%d hosts, want 1", len(snap.Hosts))
		}
		if ok(snap.Hosts[0]) {
			return snap.Hosts[0], all
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s; the host shows:\n%s", what, dumpHost(snap.Hosts[0]))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func dumpHost(h sock.HostState) string {
	var b strings.Builder
	for _, p := range h.Processes {
		fmt.Fprintf(&b, "pid %d %s %s\n", p.PID, p.Name, p.User)
		for _, s := range p.Sockets {
			fmt.Fprintf(&b, "  fd %d %v %v %v %v %+v\n", s.FD, s.Type, s.State, s.Local, s.Remote, s.TCP)
		}
	}
	for _, s := range h.Orphans {
		fmt.Fprintf(&b, "  kernel %v %v %v %v\n", s.Type, s.State, s.Local, s.Remote)
	}
	return b.String()
}

// find returns the process and socket matching ok.
func find(h sock.HostState, ok func(sock.ProcessState, sock.SocketState) bool) (sock.ProcessState, sock.SocketState, bool) {
	for _, p := range h.Processes {
		for _, s := range p.Sockets {
			if ok(p, s) {
				return p, s, true
			}
		}
	}
	return sock.ProcessState{}, sock.SocketState{}, false
}

func hasEvent(events []sock.Event, k sock.Kind, proc string, local netip.AddrPort) bool {
	for _, e := range events {
		if e.Kind == k && e.Proc == proc && (!local.IsValid() || e.Local == local) {
			return true
		}
	}
	return false
}

var server = netip.MustParseAddrPort("127.0.0.1:8000")

// TestHTTPServer: python's http.server shows as a python3 house with a
// listening door on 8000 (its real pid); a curl to it shows the connected
// pair, each with its owner, and, once the server has answered and closed,
// the server's side in TIME-WAIT among the kernel's connections. Stopping
// the server closes its door. ss -tanp agrees at each step.
func TestHTTPServer(t *testing.T) {
	needTools(t, "python3", "curl", "ss")
	ns := newNetns(t)
	w, err := New(Options{Netns: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	py := start(t, ns, nil, "python3", "-m", "http.server", "8000", "--bind", "127.0.0.1")
	pyName := fmt.Sprintf("python3[%d]", py.Process.Pid)
	h, events := until(t, w, "the listener", func(h sock.HostState) bool {
		_, _, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return ok
	})
	p, l, _ := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
	if p.PID != py.Process.Pid || p.Name != "python3" || p.User != "root" || !p.Root || l.Local != server || l.FD < 3 || l.Type != sock.SockTCP {
		t.Fatalf("listener: process %d %q %q root=%v, socket fd %d %v %v; want python3 (pid %d, root) on %v",
			p.PID, p.Name, p.User, p.Root, l.FD, l.Type, l.Local, py.Process.Pid, server)
	}
	if l.TCP == nil || l.TCP.Backlog <= 0 || l.TCP.AcceptQueue != 0 {
		t.Errorf("listener queues %+v, want an empty accept queue and a backlog", l.TCP)
	}
	if !hasEvent(events, sock.KindSocket, pyName, server) || !hasEvent(events, sock.KindListen, pyName, server) {
		t.Errorf("events %v: want socket and listen from %s", events, pyName)
	}
	crossCheck(t, w, ns)

	// curl's telnet:// holds the connection open until its stdin says what
	// to send; the server waits for the request line meanwhile.
	in, req := io.Pipe()
	t.Cleanup(func() { req.Close() })
	curl := start(t, ns, in, "curl", "-s", "telnet://127.0.0.1:8000")
	curlName := fmt.Sprintf("curl[%d]", curl.Process.Pid)
	var client, accepted sock.SocketState
	h, events = until(t, w, "the connected pair", func(h sock.HostState) bool {
		var ok1, ok2 bool
		_, client, ok1 = find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == curl.Process.Pid && p.Name == "curl" && s.Remote == server && s.State == sock.StateEstablished
		})
		_, accepted, ok2 = find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == py.Process.Pid && s.Local == server && s.Remote == client.Local && s.State == sock.StateEstablished
		})
		return ok1 && ok2
	})
	if accepted.TCP == nil || accepted.TCP.MSS == 0 || accepted.TCP.Cwnd == 0 || client.TCP.SRTT == 0 {
		t.Errorf("tcp_info missing: accepted %+v client %+v", accepted.TCP, client.TCP)
	}
	if !hasEvent(events, sock.KindConnect, curlName, client.Local) || !hasEvent(events, sock.KindAccept, pyName, server) {
		t.Errorf("events %v: want connect from %s and accept in %s", events, curlName, pyName)
	}
	crossCheck(t, w, ns)

	io.WriteString(req, "GET / HTTP/1.0\r\n\r\n")
	req.Close()
	h, events = until(t, w, "TIME-WAIT", func(h sock.HostState) bool {
		for _, s := range h.Orphans {
			if s.Local == server && s.Remote == client.Local && s.State == sock.StateTimeWait {
				return true
			}
		}
		return false
	})
	for _, s := range h.Orphans {
		if s.Local == server && s.Remote == client.Local && (s.FD != 0 || s.TCP == nil || s.TCP.TimeWaitLeft <= 0) {
			t.Errorf("TIME-WAIT %+v %+v: want no fd and time left", s, s.TCP)
		}
	}
	if !hasEvent(events, sock.KindClose, pyName, server) || !hasEvent(events, sock.KindClose, curlName, client.Local) {
		t.Errorf("events %v: want both sides closed", events)
	}
	crossCheck(t, w, ns)

	py.Process.Kill()
	_, events = until(t, w, "the listener gone", func(h sock.HostState) bool {
		_, _, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return !ok
	})
	if !hasEvent(events, sock.KindClose, pyName, server) {
		t.Errorf("events %v: want the listener's close", events)
	}
}

// TestListenEvents: a listener started and stopped between refreshes is
// socket, listen, then close, and nothing else.
func TestListenEvents(t *testing.T) {
	needTools(t, "python3")
	ns := newNetns(t)
	w, err := New(Options{Netns: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	py := start(t, ns, nil, "python3", "-c", listenAndSleep(7000, 5))
	_, events := until(t, w, "the listener", func(h sock.HostState) bool { return len(h.Processes) == 1 })
	py.Process.Kill()
	_, more := until(t, w, "nothing", func(h sock.HostState) bool { return len(h.Processes) == 0 })
	events = append(events, more...)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind.String())
		if e.Proc != fmt.Sprintf("python3[%d]", py.Process.Pid) || e.Local.Port() != 7000 || e.FD < 3 {
			t.Errorf("event %+v: want python3's fd on port 7000", e)
		}
	}
	if strings.Join(kinds, " ") != "socket listen close" {
		t.Errorf("events %q, want socket listen close", kinds)
	}
}

// listenAndSleep is a python3 program that listens on 127.0.0.1:port with
// a backlog and never accepts.
func listenAndSleep(port, backlog int) string {
	return fmt.Sprintf("import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',%d))\ns.listen(%d)\ntime.sleep(600)", port, backlog)
}

// TestAcceptQueue: a listener with backlog 2 that never accepts: each
// client that connects lengthens its accept queue, up to backlog+1 (Linux
// lets one more in); the next client's SYN is dropped and it waits in
// SYN-SENT. ss agrees.
func TestAcceptQueue(t *testing.T) {
	needTools(t, "python3", "ss")
	ns := newNetns(t)
	start(t, ns, nil, "python3", "-c", listenAndSleep(9000, 2))
	w, err := New(Options{Netns: ns, Port: 9000})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	listener := func(h sock.HostState) (sock.SocketState, bool) {
		_, s, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return s, ok
	}
	until(t, w, "the listener", func(h sock.HostState) bool { _, ok := listener(h); return ok })
	client := "import socket,time\nc=socket.socket()\nc.setblocking(False)\nc.connect_ex(('127.0.0.1',9000))\ntime.sleep(600)"
	for i := 1; i <= 4; i++ {
		start(t, ns, nil, "python3", "-c", client)
		want := min(i, 3)
		h, _ := until(t, w, fmt.Sprintf("client %d", i), func(h sock.HostState) bool {
			l, ok := listener(h)
			n := len(h.Orphans)
			for _, p := range h.Processes {
				n += len(p.Sockets)
			}
			// the listener, each client, and a server side for each
			// client in the accept queue (no fd: the kernel's)
			return ok && l.TCP.AcceptQueue == want && n == 1+i+want && len(h.Orphans) == want
		})
		l, _ := listener(h)
		if l.TCP.Backlog != 2 {
			t.Errorf("backlog %d, want 2", l.TCP.Backlog)
		}
		if i == 4 {
			_, _, synSent := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateSynSent })
			if !synSent {
				t.Errorf("the fourth client should wait in SYN-SENT:\n%s", dumpHost(h))
			}
		}
		crossCheck(t, w, ns)
	}
}

// ssRow is one line of ss -tanp: state, addresses, queues.
type ssRow struct {
	state         string
	local, remote string
	recvQ, sendQ  string
}

// ssStates spells ss's state names as sock.State does.
var ssStates = map[string]string{"ESTAB": "ESTABLISHED", "SYN-RECV": "SYN-RECEIVED", "UNCONN": "CLOSED"}

// runSS reads ss -tanp in the namespace.
func runSS(t testing.TB, ns string) map[string]ssRow {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tanp").Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	rows := map[string]ssRow{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Scan() // the heading
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		r := ssRow{state: f[0], recvQ: f[1], sendQ: f[2], local: f[3], remote: f[4]}
		if s, ok := ssStates[r.state]; ok {
			r.state = s
		}
		rows[r.local+" "+r.remote] = r
	}
	return rows
}

// crossCheck reads the watch and ss at the same (quiet) moment: the same
// connections, in the same states, and a listener's queues the same.
func crossCheck(t *testing.T, w *Watch, ns string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		snap, _, err := w.Refresh()
		if err != nil {
			t.Fatal(err)
		}
		ss := runSS(t, ns)
		mine := map[string]ssRow{}
		h := snap.Hosts[0]
		all := append([]sock.SocketState(nil), h.Orphans...)
		for _, p := range h.Processes {
			all = append(all, p.Sockets...)
		}
		for _, s := range all {
			if s.Type != sock.SockTCP {
				continue
			}
			r := ssRow{state: s.State.String(), local: s.Local.String(), remote: s.Remote.String()}
			if s.Remote.Port() == 0 {
				r.remote = "0.0.0.0:*"
			}
			if s.State == sock.StateListen {
				r.recvQ, r.sendQ = fmt.Sprint(s.TCP.AcceptQueue), fmt.Sprint(s.TCP.Backlog)
			}
			mine[r.local+" "+r.remote] = r
		}
		var diffs []string
		for k, r := range ss {
			m, ok := mine[k]
			if !ok || m.state != r.state || (m.recvQ != "" && (m.recvQ != r.recvQ || m.sendQ != r.sendQ)) {
				diffs = append(diffs, fmt.Sprintf("ss %+v, watch %+v", r, m))
			}
		}
		for k := range mine {
			if _, ok := ss[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("watch only %+v", mine[k]))
			}
		}
		if len(diffs) == 0 {
			return
		}
		if attempt == 3 {
			t.Fatalf("watch and ss -tanp differ:\n%s", strings.Join(diffs, "\n"))
		}
		time.Sleep(50 * time.Millisecond) // something moved between the two reads
	}
}
