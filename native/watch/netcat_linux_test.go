package watch

import (
	"io"
	"os/exec"
	"testing"

	"socketville/shared/sock"
)

// TestNetcat: Debian's netcat-openbsd, a program nobody here wrote,
// listening with nc -l is a house "nc" with its pid and a listening door;
// another nc that connects to it is a second nc house, and the pair is
// connected, each side's door with the other as its peer. ss agrees.
func TestNetcat(t *testing.T) {
	needTools(t, "nc", "ss")
	ns := newNetns(t)
	server := start(t, ns, nil, "nc", "-l", "127.0.0.1", "9100")
	w, err := New(Options{Netns: ns, Port: 9100})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	h, _ := until(t, w, "nc -l's listening door", func(h sock.HostState) bool {
		p, _, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return ok && p.PID == server.Process.Pid
	})
	if p, _, _ := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen }); p.Name != "nc" {
		t.Errorf("the listener's house is %q, want nc:\n%s", p.Name, dumpHost(h))
	}
	in, hold := io.Pipe() // keeps the client's stdin open, and so its connection
	defer hold.Close()
	client := start(t, ns, in, "nc", "127.0.0.1", "9100")
	h, _ = until(t, w, "the connected pair", func(h sock.HostState) bool {
		_, c, ok1 := find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == client.Process.Pid && s.State == sock.StateEstablished
		})
		_, s, ok2 := find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == server.Process.Pid && s.State == sock.StateEstablished
		})
		return ok1 && ok2 && c.Remote == s.Local && s.Remote == c.Local
	})
	if p, _, _ := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return p.PID == client.Process.Pid }); p.Name != "nc" {
		t.Errorf("the client's house is %q, want nc:\n%s", p.Name, dumpHost(h))
	}
	crossCheck(t, w, ns)
}

// TestPortRange: the watch says where the namespace's kernel picks
// client ports, as sysctl net.ipv4.ip_local_port_range says there.
func TestPortRange(t *testing.T) {
	needTools(t)
	ns := newNetns(t)
	if out, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40999").CombinedOutput(); err != nil {
		t.Skipf("sysctl: %v %s", err, out)
	}
	w, err := New(Options{Netns: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	snap, _, err := w.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Hosts[0].Ephemeral; got != (sock.PortRange{First: 40000, Last: 40999}) {
		t.Errorf("the namespace's ephemeral range is %v, want 40000-40999", got)
	}
}

// TestBuffersAndWindows: a connected door of a watched machine shows its
// send and receive buffers (SO_SNDBUF, SO_RCVBUF as the kernel holds them)
// and both windows, not zeros.
func TestBuffersAndWindows(t *testing.T) {
	needTools(t, "nc")
	ns := newNetns(t)
	server := start(t, ns, nil, "nc", "-l", "127.0.0.1", "9101")
	w, err := New(Options{Netns: ns, Port: 9101})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	until(t, w, "the listener", func(h sock.HostState) bool {
		_, _, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return ok
	})
	in, hold := io.Pipe()
	defer hold.Close()
	start(t, ns, in, "nc", "127.0.0.1", "9101")
	h, _ := until(t, w, "the server's connection with its buffers", func(h sock.HostState) bool {
		_, s, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == server.Process.Pid && s.State == sock.StateEstablished
		})
		return ok && s.TCP != nil && s.TCP.RcvBuf > 0
	})
	_, s, _ := find(h, func(p sock.ProcessState, s sock.SocketState) bool {
		return p.PID == server.Process.Pid && s.State == sock.StateEstablished
	})
	if tcp := s.TCP; tcp.SndBuf <= 0 || tcp.RcvWnd <= 0 || tcp.SndWnd <= 0 || tcp.MSS <= 0 {
		t.Errorf("the connection's buffers and windows: %+v", *tcp)
	}
}
