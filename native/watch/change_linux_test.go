//go:build linux

package watch

import (
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"socketville/shared/sock"
)

// pairs opens a listener and n connections to it in the namespace, from
// this process (on a thread that joined the namespace and dies with its
// goroutine); they are closed when the test ends. It returns the
// listener and the connections, each client end followed by its
// accepted end.
func pairs(t testing.TB, ns string, n int) (net.Listener, []net.Conn) {
	t.Helper()
	type made struct {
		ln    net.Listener
		conns []net.Conn
		err   error
	}
	done := make(chan made)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		var m made
		h, err := netns.GetFromName(ns)
		if err == nil {
			err = netns.Set(h)
			h.Close()
		}
		if err == nil {
			m.ln, err = net.Listen("tcp", "127.0.0.1:0")
		}
		for i := 0; err == nil && i < n; i++ {
			var c, a net.Conn
			if c, err = net.Dial("tcp", m.ln.Addr().String()); err == nil {
				m.conns = append(m.conns, c)
				if a, err = m.ln.Accept(); err == nil {
					m.conns = append(m.conns, a)
				}
			}
		}
		m.err = err
		done <- m
	}()
	m := <-done
	t.Cleanup(func() {
		for _, c := range m.conns {
			c.Close()
		}
		if m.ln != nil {
			m.ln.Close()
		}
	})
	if m.err != nil {
		t.Fatal(m.err)
	}
	return m.ln, m.conns
}

// door is what a look shows of one socket, tcp_info aside (a new watch
// asks for it at once, an old one once a second).
type door struct {
	proc, state  string
	fd           int
	rcvq, sndq   int
	acceptq, syn int
}

// doors is a host's sockets by local and remote address.
func doors(h sock.HostState) map[[2]netip.AddrPort]door {
	m := map[[2]netip.AddrPort]door{}
	add := func(proc string, s sock.SocketState) {
		d := door{proc: proc, state: s.State.String(), fd: s.FD}
		if s.TCP != nil {
			d.rcvq, d.sndq, d.acceptq, d.syn = s.TCP.RcvQueued, s.TCP.SndQueued, s.TCP.AcceptQueue, s.TCP.SynQueue
		}
		m[[2]netip.AddrPort{s.Local, s.Remote}] = d
	}
	for _, p := range h.Processes {
		for _, s := range p.Sockets {
			add(p.Name, s)
		}
	}
	for _, s := range h.Orphans {
		add(s.Proc, s)
	}
	return m
}

// TestChangeSeen: among many sockets that stay as they were (which a look
// takes from the last one), a socket whose receive queue grows, a
// listener whose accept queue fills and a connection that is closed show
// so at the next look, with the events for it; and what a watch that has
// looked many times shows is what a new watch shows.
func TestChangeSeen(t *testing.T) {
	needTools(t)
	ns := newNetns(t)
	ln, conns := pairs(t, ns, 200)
	w, err := New(Options{Netns: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for range 3 {
		if _, _, err := w.Refresh(); err != nil {
			t.Fatal(err)
		}
	}
	local := func(c net.Conn) netip.AddrPort { return c.LocalAddr().(*net.TCPAddr).AddrPort() }
	remote := func(c net.Conn) netip.AddrPort { return c.RemoteAddr().(*net.TCPAddr).AddrPort() }
	at := func(h sock.HostState, c net.Conn) sock.SocketState {
		_, s, _ := find(h, func(_ sock.ProcessState, s sock.SocketState) bool {
			return s.Local == local(c) && s.Remote == remote(c)
		})
		return s
	}
	same := func(what string) {
		t.Helper()
		snap, _, err := w.Refresh()
		if err != nil {
			t.Fatal(err)
		}
		w2, err := New(Options{Netns: ns})
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		snap2, _, err := w2.Refresh()
		if err != nil {
			t.Fatal(err)
		}
		a, b := doors(snap.Hosts[0]), doors(snap2.Hosts[0])
		if len(a) != len(b) {
			t.Fatalf("%s: the watch shows %d sockets, a new one %d", what, len(a), len(b))
		}
		for k, d := range a {
			if d.fd == 0 && b[k].proc == "" {
				d.proc = "" // held by the kernel: a new watch has not seen who held it
			}
			if b[k] != d {
				t.Errorf("%s: %v shows %+v, in a new watch %+v", what, k, d, b[k])
			}
		}
	}
	same("at the start")

	// A receive queue: 1000 bytes the accepted end does not read.
	client, server := conns[100], conns[101]
	if _, err := client.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	h, _ := until(t, w, "1000 bytes queued", func(h sock.HostState) bool {
		s := at(h, server)
		return s.TCP != nil && s.TCP.RcvQueued == 1000
	})
	if s := at(h, client); s.TCP == nil || s.TCP.SndQueued != 0 {
		t.Errorf("the writing end shows %+v, want nothing unacknowledged", s.TCP)
	}
	// Read: the queue empties again.
	if _, err := server.Read(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	until(t, w, "the queue read", func(h sock.HostState) bool {
		s := at(h, server)
		return s.TCP != nil && s.TCP.RcvQueued == 0
	})
	same("after the queue")

	// The accept queue: a connection the listener has not handed out.
	extra, err := dialIn(ns, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_, events := until(t, w, "one in the accept queue", func(h sock.HostState) bool {
		_, l, ok := find(h, func(_ sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return ok && l.TCP != nil && l.TCP.AcceptQueue == 1
	})
	if !hasEventAt(events, sock.KindConnect, local(extra)) {
		t.Errorf("no connect event for %v in %v", local(extra), events)
	}
	same("with one in the accept queue")

	// Closing one end: its fd closes, and the other end goes to CLOSE-WAIT.
	client = conns[50]
	closed, peer := local(client), remote(client)
	client.Close()
	_, events = until(t, w, "the other end in CLOSE-WAIT, the closed one in FIN-WAIT-2", func(h sock.HostState) bool {
		return at(h, conns[51]).State == sock.StateCloseWait &&
			doors(h)[[2]netip.AddrPort{closed, peer}].state == sock.StateFinWait2.String()
	})
	if !hasEventAt(events, sock.KindClose, closed) {
		t.Errorf("no close event for %v in %v", closed, events)
	}
	changed := false
	for _, e := range events {
		if e.Kind == sock.KindState && e.Local == peer && e.From == sock.StateEstablished && e.To == sock.StateCloseWait {
			changed = true
		}
	}
	if !changed {
		t.Errorf("no state event ESTABLISHED to CLOSE-WAIT for %v in %v", peer, events)
	}
	same("after a close")
}

// hasEventAt reports whether events has one of kind k at local.
func hasEventAt(events []sock.Event, k sock.Kind, local netip.AddrPort) bool {
	for _, e := range events {
		if e.Kind == k && e.Local == local {
			return true
		}
	}
	return false
}

// dialIn connects to addr from inside the namespace.
func dialIn(ns, addr string) (net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	done := make(chan res)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		h, err := netns.GetFromName(ns)
		if err == nil {
			err = netns.Set(h)
			h.Close()
		}
		var c net.Conn
		if err == nil {
			c, err = net.DialTimeout("tcp", addr, 5*time.Second)
		}
		done <- res{c, err}
	}()
	r := <-done
	return r.c, r.err
}
