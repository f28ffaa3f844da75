package netsim_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
	"socketville/shared/wire"
)

// until runs the world until cond holds or limit of virtual time passes,
// and reports whether cond holds.
func (tw *town) until(cond func() bool, limit time.Duration) bool {
	end := tw.w.Now() + limit
	for !cond() {
		next, ok := tw.w.NextEvent()
		if !ok || next > end {
			tw.w.RunUntil(end)
			return cond()
		}
		tw.w.Step()
	}
	return true
}

// listener opens a TCP socket listening on port of p's host.
func listener(t *testing.T, p *netsim.Process, port uint16, backlog int, opts ...sock.SockOpt) int {
	t.Helper()
	fd := must(p.Socket(sock.SockTCP))
	for _, o := range opts {
		if err := p.SetSockopt(fd, o, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Bind(fd, ap(fmt.Sprintf("0.0.0.0:%d", port))); err != nil {
		t.Fatal(err)
	}
	if err := p.Listen(fd, backlog); err != nil {
		t.Fatal(err)
	}
	return fd
}

// dial starts a connection from p to addr and returns the fd.
func dial(t *testing.T, p *netsim.Process, addr string) int {
	t.Helper()
	fd := must(p.Socket(sock.SockTCP))
	if err := p.Connect(fd, ap(addr)); !errors.Is(err, syscall.EINPROGRESS) {
		t.Fatalf("connect: got %v, want EINPROGRESS", err)
	}
	return fd
}

// established builds a/client connected to b/server:80 and returns the
// client's fd, the server's accepted fd and its listening fd.
func established(t *testing.T, cfg sock.LinkConfig) (tw *town, client, server *netsim.Process, cfd, sfd, lfd int) {
	t.Helper()
	tw, client, server = pair(t, cfg)
	root := tw.proc(tw.w.Host("b"), "web", true)
	lfd = listener(t, root, 80, 16)
	cfd = dial(t, client, "10.0.0.2:80")
	if !tw.until(func() bool { return root.Readiness(lfd)&sock.PollIn != 0 }, time.Minute) {
		t.Fatal("no connection reached the accept queue")
	}
	if err := client.ConnectResult(cfd); err != nil {
		t.Fatalf("connect: %v", err)
	}
	sfd, _, err := root.Accept(lfd)
	if err != nil {
		t.Fatal(err)
	}
	return tw, client, root, cfd, sfd, lfd
}

// pump moves data from one fd to another through the world: it writes all
// of data, reads until want bytes arrived or the limit passes, and returns
// what was read.
func pump(t *testing.T, tw *town, wp *netsim.Process, wfd int, data []byte, rp *netsim.Process, rfd int, limit time.Duration) []byte {
	t.Helper()
	var got []byte
	written := 0
	tw.until(func() bool {
		for written < len(data) {
			n, err := wp.Send(wfd, data[written:])
			if err != nil {
				break
			}
			written += n
		}
		for {
			b, err := rp.Recv(rfd, 1<<16)
			if err != nil || len(b) == 0 {
				break
			}
			got = append(got, b...)
		}
		return len(got) >= len(data)
	}, limit)
	return got
}

func stateOf(tw *town, p *netsim.Process, fd int) string {
	for _, h := range tw.w.Snapshot().Hosts {
		for _, ps := range h.Processes {
			if ps.Name != p.Name() || h.Name != p.Host().Name() {
				continue
			}
			for _, s := range ps.Sockets {
				if s.FD == fd {
					return s.State.String()
				}
			}
		}
	}
	return "no such fd"
}

func TestHandshakeDataAndClose(t *testing.T) {
	tw, client, server, cfd, sfd, lfd := established(t, sock.LinkConfig{Delay: 5 * time.Millisecond})
	if got := stateOf(tw, server, lfd); got != "LISTEN" {
		t.Errorf("listening fd is %s after accept, want LISTEN", got)
	}
	local, _ := server.SockName(sfd)
	peer, _ := server.PeerName(sfd)
	if local.Port() != 80 || peer != ap("10.0.0.1:49152") {
		t.Errorf("accepted fd is %v <-> %v, want port 80 and the client's 4-tuple", local, peer)
	}
	msg := []byte("hello, server")
	if got := pump(t, tw, client, cfd, msg, server, sfd, time.Second); !bytes.Equal(got, msg) {
		t.Fatalf("server read %q", got)
	}
	must(0, client.Close(cfd))
	if !tw.until(func() bool { b, err := server.Recv(sfd, 10); return err == nil && len(b) == 0 }, time.Second) {
		t.Fatal("the server never saw end of file")
	}
	must(0, server.Close(sfd))
	tw.w.RunFor(time.Second)
	states := strings.Join(stateChanges(tw), " ")
	for _, want := range []string{
		"CLOSED>SYN-SENT", "SYN-SENT>ESTABLISHED", "CLOSED>SYN-RECEIVED", "SYN-RECEIVED>ESTABLISHED",
		"ESTABLISHED>FIN-WAIT-1", "FIN-WAIT-1>FIN-WAIT-2", "FIN-WAIT-2>TIME-WAIT",
		"ESTABLISHED>CLOSE-WAIT", "CLOSE-WAIT>LAST-ACK", "LAST-ACK>CLOSED",
	} {
		if !strings.Contains(states, want) {
			t.Errorf("no %s in %s", want, states)
		}
	}
	if strings.Contains(states, "TIME-WAIT>CLOSED") {
		t.Error("TIME-WAIT ended before 2*MSL")
	}
	tw.w.RunFor(time.Minute)
	if !strings.HasSuffix(strings.Join(stateChanges(tw), " "), "TIME-WAIT>CLOSED") {
		t.Error("TIME-WAIT did not end after 2*MSL")
	}
}

func stateChanges(tw *town) []string {
	var out []string
	for _, e := range tw.kinds {
		if e.Kind == sock.KindState {
			out = append(out, e.From.String()+">"+e.To.String())
		}
	}
	return out
}

func TestConnectRefused(t *testing.T) {
	tw, client, _ := pair(t, sock.LinkConfig{Delay: time.Millisecond})
	fd := dial(t, client, "10.0.0.2:81")
	tw.until(func() bool { return client.Readiness(fd)&sock.PollErr != 0 }, time.Second)
	if err := client.ConnectResult(fd); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("connect: got %v, want ECONNREFUSED", err)
	}
	if tw.count(sock.KindDropped, "no TCP socket") != 1 {
		t.Error("the server should drop the SYN with a reason")
	}
	if err := client.Connect(fd, ap("10.0.0.2:81")); !errors.Is(err, syscall.EINPROGRESS) {
		t.Errorf("connecting again after a refusal: %v, want EINPROGRESS", err)
	}
}

func TestConnectTimesOut(t *testing.T) {
	// A black hole: a sends 10.9.9.0/24 through b, which does not forward
	// and drops the SYNs without a word. (On a road that loses everything,
	// ARP would give up after 3 s with EHOSTUNREACH instead, as on Linux.)
	tw, client, _ := pair(t, sock.LinkConfig{})
	if err := tw.w.Host("a").AddRoute(mustPrefix("10.9.9.0/24"), netip.MustParseAddr("10.0.0.2")); err != nil {
		t.Fatal(err)
	}
	start := tw.w.Now()
	fd := dial(t, client, "10.9.9.9:80")
	tw.until(func() bool { return client.Readiness(fd)&sock.PollErr != 0 }, time.Hour)
	if err := client.ConnectResult(fd); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("connect: got %v, want ETIMEDOUT", err)
	}
	// Linux: the SYN and 6 retransmissions at 1, 2, 4, ... 64 s.
	if now := tw.w.Now() - start; now != 127*time.Second {
		t.Errorf("gave up at %v, want 127s", now)
	}
	if n := tw.count(sock.KindSent, "retransmission"); n != 6 {
		t.Errorf("%d SYN retransmissions, want 6", n)
	}
}

func TestTimeWaitHoldsThePort(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("SO_REUSEADDR=%v", reuse), func(t *testing.T) {
			tw, client, server := pair(t, sock.LinkConfig{Delay: time.Millisecond})
			root := tw.proc(tw.w.Host("b"), "web", true)
			var opts []sock.SockOpt
			if reuse {
				opts = append(opts, sock.OptReuseAddr)
			}
			lfd := listener(t, root, 80, 4, opts...)
			cfd := dial(t, client, "10.0.0.2:80")
			tw.until(func() bool { return root.Readiness(lfd)&sock.PollIn != 0 }, time.Second)
			sfd, _, _ := root.Accept(lfd)
			// The server closes first, so its side of the connection waits
			// in TIME-WAIT on port 80.
			must(0, root.Close(sfd))
			tw.w.RunFor(10 * time.Millisecond)
			must(0, client.Close(cfd))
			must(0, root.Close(lfd))
			tw.w.RunFor(time.Second)
			_ = server
			fd := must(root.Socket(sock.SockTCP))
			if reuse {
				must(0, root.SetSockopt(fd, sock.OptReuseAddr, 1))
			}
			err := root.Bind(fd, ap("0.0.0.0:80"))
			if reuse && err != nil {
				t.Fatalf("bind with SO_REUSEADDR next to TIME-WAIT: %v", err)
			}
			if !reuse {
				if !errors.Is(err, syscall.EADDRINUSE) {
					t.Fatalf("bind next to TIME-WAIT: got %v, want EADDRINUSE", err)
				}
				// The kernel holds a TIME-WAIT connection for its
				// process; no fd names it, so the message names none.
				const want = "10.0.0.2:80 is held by a TIME-WAIT connection of b/web"
				if msg := err.Error(); !strings.Contains(msg, want) || strings.Contains(msg, " fd ") {
					t.Fatalf("bind next to TIME-WAIT: %q, want it to say %q and name no fd", msg, want)
				}
				tw.w.RunFor(time.Minute)
				if err := root.Bind(fd, ap("0.0.0.0:80")); err != nil {
					t.Fatalf("bind after TIME-WAIT ended: %v", err)
				}
			}
		})
	}
}

func TestAcceptQueueFull(t *testing.T) {
	tw := newTown(t, 1)
	tw.host("s", "10.0.0.1/24")
	server := tw.proc(tw.w.Host("s"), "web", true)
	var clients []*netsim.Process
	for i := 2; i <= 4; i++ {
		name := fmt.Sprintf("c%d", i)
		tw.host(name, fmt.Sprintf("10.0.0.%d/24", i))
		tw.link(name, "s", sock.LinkConfig{Delay: time.Millisecond})
		clients = append(clients, tw.proc(tw.w.Host(name), "app", false))
	}
	lfd := listener(t, server, 80, 1) // Linux queues backlog+1 connections
	var fds []int
	for _, c := range clients {
		fds = append(fds, dial(t, c, "10.0.0.1:80"))
		tw.w.RunFor(10 * time.Millisecond)
	}
	if n := tw.count(sock.KindDropped, "accept queue of fd 3 is full"); n != 1 {
		t.Fatalf("%d SYNs dropped for a full accept queue, want 1", n)
	}
	if err := clients[2].ConnectResult(fds[2]); !errors.Is(err, syscall.EINPROGRESS) {
		t.Fatalf("third client: %v, want still connecting", err)
	}
	must2(server.Accept(lfd))
	tw.until(func() bool { return clients[2].ConnectResult(fds[2]) == nil }, 5*time.Second)
	if tw.count(sock.KindSent, "retransmission") == 0 {
		t.Error("the third client should have sent its SYN again")
	}
	tw.w.RunFor(10 * time.Millisecond) // the handshake's last ACK reaches the server
	must2(server.Accept(lfd))
	must2(server.Accept(lfd))
}

func TestWriteAfterPeerReset(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	must(0, server.SetSockopt(sfd, sock.OptLinger, 0))
	must(0, server.Close(sfd)) // SO_LINGER 0: RST, no FIN
	tw.w.RunFor(10 * time.Millisecond)
	if _, err := client.Send(cfd, []byte("x")); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("first write after RST: %v, want ECONNRESET", err)
	}
	if _, err := client.Send(cfd, []byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("second write after RST: %v, want EPIPE", err)
	}
	if b, err := client.Recv(cfd, 10); err != nil || len(b) != 0 {
		t.Fatalf("read after RST: %q, %v; want end of file", b, err)
	}
}

func TestWriteToClosedPeerGetsReset(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	must(0, server.Close(sfd)) // FIN; the server will never read again
	tw.w.RunFor(10 * time.Millisecond)
	if _, err := client.Send(cfd, []byte("are you there?")); err != nil {
		t.Fatalf("first write after FIN: %v (Linux lets it through)", err)
	}
	tw.w.RunFor(10 * time.Millisecond)
	if _, err := client.Send(cfd, []byte("x")); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("write after the peer answered with RST: %v, want ECONNRESET", err)
	}
	if _, err := client.Send(cfd, []byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("then: %v, want EPIPE", err)
	}
}

func TestCloseWithUnreadDataResets(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	must(client.Send(cfd, []byte("unread")))
	tw.w.RunFor(10 * time.Millisecond)
	must(0, server.Close(sfd))
	tw.w.RunFor(10 * time.Millisecond)
	if _, err := client.Recv(cfd, 10); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read: %v, want ECONNRESET", err)
	}
}

func TestHalfClose(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	must(0, client.Shutdown(cfd, sock.ShutWr))
	tw.until(func() bool { b, err := server.Recv(sfd, 10); return err == nil && len(b) == 0 }, time.Second)
	reply := bytes.Repeat([]byte("after your FIN "), 1000)
	if got := pump(t, tw, server, sfd, reply, client, cfd, time.Second); !bytes.Equal(got, reply) {
		t.Fatalf("client read %d of %d bytes after shutting its sending side", len(got), len(reply))
	}
	if _, err := client.Send(cfd, []byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write after shutdown(wr): %v, want EPIPE", err)
	}
}

func TestSimultaneousClose(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: 5 * time.Millisecond})
	must(0, client.Close(cfd))
	must(0, server.Close(sfd))
	tw.w.RunFor(time.Second)
	states := strings.Join(stateChanges(tw), " ")
	if strings.Count(states, "FIN-WAIT-1>CLOSING") != 2 || strings.Count(states, "CLOSING>TIME-WAIT") != 2 {
		t.Errorf("both sides should pass CLOSING to TIME-WAIT: %s", states)
	}
}

func TestSimultaneousOpen(t *testing.T) {
	tw, a, b := pair(t, sock.LinkConfig{Delay: 5 * time.Millisecond})
	fa, fb := must(a.Socket(sock.SockTCP)), must(b.Socket(sock.SockTCP))
	must(0, a.Bind(fa, ap("0.0.0.0:5001")))
	must(0, b.Bind(fb, ap("0.0.0.0:5002")))
	a.Connect(fa, ap("10.0.0.2:5002"))
	b.Connect(fb, ap("10.0.0.1:5001"))
	tw.w.RunFor(time.Second)
	if a.ConnectResult(fa) != nil || b.ConnectResult(fb) != nil {
		t.Fatalf("simultaneous open failed: %v / %v", a.ConnectResult(fa), b.ConnectResult(fb))
	}
	if !strings.Contains(strings.Join(stateChanges(tw), " "), "SYN-SENT>SYN-RECEIVED") {
		t.Error("a simultaneous open passes SYN-RECEIVED")
	}
	msg := []byte("both dialled")
	if got := pump(t, tw, a, fa, msg, b, fb, time.Second); !bytes.Equal(got, msg) {
		t.Fatalf("read %q", got)
	}
}

// segments returns the TCP segments sent so far, parsed.
func (tw *town) segments() []wire.TCP {
	var out []wire.TCP
	for _, e := range tw.kinds {
		if e.Kind != sock.KindSent {
			continue
		}
		ip, err := wire.ParseIPv4(e.Packet)
		if err != nil || ip.Protocol() != wire.ProtocolTCP {
			continue
		}
		if t, err := wire.ParseTCP(ip.Payload()); err == nil {
			out = append(out, t)
		}
	}
	return out
}

func TestNagleAndNoDelay(t *testing.T) {
	for _, noDelay := range []bool{false, true} {
		t.Run(fmt.Sprintf("TCP_NODELAY=%v", noDelay), func(t *testing.T) {
			tw, client, _, cfd, _, _ := established(t, sock.LinkConfig{Delay: 10 * time.Millisecond})
			if noDelay {
				must(0, client.SetSockopt(cfd, sock.OptNoDelay, 1))
			}
			before := len(tw.segments())
			for i := 0; i < 5; i++ {
				must(client.Send(cfd, []byte("tiny")))
			}
			sent := len(tw.segments()) - before
			want := 1 // Nagle: one small segment in flight, the rest waits for its ACK
			if noDelay {
				want = 5
			}
			if sent != want {
				t.Errorf("%d segments left at once, want %d", sent, want)
			}
		})
	}
}

func TestDelayedAck(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: 10 * time.Millisecond})
	_ = sfd
	_ = server
	must(client.Send(cfd, []byte("one small segment")))
	start := tw.w.Now()
	var ackAt time.Duration
	tw.w.Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent && e.Host == "b" && ackAt == 0 {
			ackAt = e.Time
		}
	})
	tw.w.RunFor(time.Second)
	if got := ackAt - start; got != 10*time.Millisecond+40*time.Millisecond {
		t.Errorf("ACK left %v after the data was sent, want 10ms on the wire + 40ms delay", got)
	}
}

func TestZeroWindowProbes(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: 5 * time.Millisecond})
	data := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB: more than both buffers
	written := 0
	tw.until(func() bool {
		if n, err := client.Send(cfd, data[written:]); err == nil {
			written += n
		}
		return false
	}, 10*time.Second)
	if tw.count(sock.KindSent, "zero-window probe") == 0 {
		for _, e := range tw.events[len(tw.events)-20:] {
			t.Log(e)
		}
		t.Fatal("no zero-window probe while the receiver did not read")
	}
	var got []byte
	tw.until(func() bool {
		if n, err := client.Send(cfd, data[written:]); err == nil {
			written += n
		}
		if b, err := server.Recv(sfd, 1<<16); err == nil {
			got = append(got, b...)
		}
		return len(got) == len(data)
	}, time.Minute)
	if !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, want %d intact", len(got), len(data))
	}
}

func TestWindowScaling(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{Delay: 20 * time.Millisecond, Rate: 1e9})
	root := tw.proc(tw.w.Host("b"), "web", true)
	lfd := must(root.Socket(sock.SockTCP))
	must(0, root.SetSockopt(lfd, sock.OptRcvBuf, 200000)) // Linux doubles: 400000
	must(0, root.Bind(lfd, ap("0.0.0.0:80")))
	must(0, root.Listen(lfd, 4))
	_ = server
	cfd := dial(t, client, "10.0.0.2:80")
	must(0, client.SetSockopt(cfd, sock.OptSndBuf, 200000))
	tw.until(func() bool { return root.Readiness(lfd)&sock.PollIn != 0 }, time.Second)
	sfd := must2(root.Accept(lfd))
	data := bytes.Repeat([]byte{7}, 4<<20)
	if got := pump(t, tw, client, cfd, data, root, sfd, time.Minute); len(got) != len(data) {
		t.Fatalf("read %d bytes", len(got))
	}
	maxWnd := 0
	for _, s := range tw.segments() {
		if s.SrcPort() == 80 && s.Flags()&wire.TCPSyn == 0 {
			maxWnd = max(maxWnd, int(s.Window())<<3)
		}
	}
	if maxWnd <= 65535 {
		t.Errorf("largest advertised window %d: window scaling is not in use", maxWnd)
	}
}

func must2[T, U any](v T, _ U, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRFC5961(t *testing.T) {
	tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	_ = cfd
	_ = client
	// The server's view of the connection, from its last segment.
	segs := tw.segments()
	last := segs[len(segs)-1]
	for _, s := range segs {
		if s.SrcPort() == 49152 {
			last = s
		}
	}
	inject := func(seq wire.SeqNum, flags wire.TCPFlags) {
		hdr := wire.TCPHeader{SrcPort: 49152, DstPort: 80, Seq: seq, Ack: last.Ack(), Flags: flags, Window: 1000}
		pkt := make([]byte, 20+20)
		ih := wire.IPv4Header{TTL: 64, Protocol: wire.ProtocolTCP, Src: ap("10.0.0.1:0").Addr(), Dst: ap("10.0.0.2:0").Addr(), PayloadLen: 20}
		must(0, ih.Encode(pkt))
		must(0, hdr.Encode(pkt[20:], ih.Src, ih.Dst))
		tw.w.Host("b").Inject(pkt)
		tw.w.RunFor(5 * time.Millisecond)
	}
	next := last.Seq()
	inject(next.Add(100), wire.TCPRst) // in the window, not exact: challenge ACK
	inject(next, wire.TCPSyn)          // SYN on an established connection: challenge ACK
	if n := tw.count(sock.KindSent, "challenge ACK"); n != 2 {
		t.Fatalf("%d challenge ACKs, want 2", n)
	}
	if got := stateOf(tw, server, sfd); got != "ESTABLISHED" {
		t.Fatalf("connection is %s after blind RST and SYN, want ESTABLISHED", got)
	}
	inject(next, wire.TCPRst) // exactly RCV.NXT: a real reset
	if _, err := server.Recv(sfd, 10); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after RST: %v, want ECONNRESET", err)
	}
}

func TestPollReadiness(t *testing.T) {
	tw, client, server, cfd, sfd, lfd := established(t, sock.LinkConfig{Delay: time.Millisecond})
	fresh := must(client.Socket(sock.SockTCP))
	cases := []struct {
		name string
		p    *netsim.Process
		fd   int
		want sock.PollEvents
	}{
		{"fresh socket (Linux: CLOSED is a hang-up)", client, fresh, sock.PollOut | sock.PollHup},
		{"listener with nothing queued", server, lfd, 0},
		{"connected, nothing to read", client, cfd, sock.PollOut},
	}
	for _, c := range cases {
		if got := c.p.Readiness(c.fd); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	must(client.Send(cfd, []byte("x")))
	tw.w.RunFor(10 * time.Millisecond)
	if got := server.Readiness(sfd); got != sock.PollIn|sock.PollOut {
		t.Errorf("data waiting: %v, want IN|OUT", got)
	}
	must(0, client.SetSockopt(cfd, sock.OptLinger, 0))
	must(0, client.Close(cfd))
	tw.w.RunFor(10 * time.Millisecond)
	if got := server.Readiness(sfd); got != sock.PollIn|sock.PollOut|sock.PollErr|sock.PollHup {
		t.Errorf("after RST: %v, want IN|OUT|ERR|HUP", got)
	}
}

func TestSequenceNumbersWrap(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{Delay: time.Millisecond})
	netsim.SetISNForTest(tw.w, 0xffffffff-5000)
	root := tw.proc(tw.w.Host("b"), "web", true)
	lfd := listener(t, root, 80, 4)
	_ = server
	cfd := dial(t, client, "10.0.0.2:80")
	tw.until(func() bool { return root.Readiness(lfd)&sock.PollIn != 0 }, time.Second)
	sfd := must2(root.Accept(lfd))
	data := bytes.Repeat([]byte("wrap"), 50000)
	if got := pump(t, tw, client, cfd, data, root, sfd, time.Minute); !bytes.Equal(got, data) {
		t.Fatalf("client to server across the wrap: %d of %d bytes", len(got), len(data))
	}
	if got := pump(t, tw, root, sfd, data, client, cfd, time.Minute); !bytes.Equal(got, data) {
		t.Fatalf("server to client across the wrap: %d of %d bytes", len(got), len(data))
	}
}

func TestConnectErrors(t *testing.T) {
	tw, client, _, cfd, _, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
	_ = tw
	if err := client.Connect(cfd, ap("10.0.0.2:80")); !errors.Is(err, syscall.EISCONN) {
		t.Errorf("connect on a connected socket: %v, want EISCONN", err)
	}
	fd := must(client.Socket(sock.SockTCP))
	if err := client.Connect(fd, ap("192.168.1.1:80")); !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("connect with no route: %v, want ENETUNREACH", err)
	}
	if _, err := client.Send(fd, []byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("send on a socket that never connected: %v, want EPIPE (as Linux)", err)
	}
	if _, err := client.Recv(fd, 1); !errors.Is(err, syscall.ENOTCONN) {
		t.Errorf("recv on a socket that never connected: %v, want ENOTCONN", err)
	}
	if err := client.Listen(cfd, 1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("listen on a connected socket: %v, want EINVAL", err)
	}
	if _, _, err := client.Accept(cfd); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("accept on a socket that does not listen: %v, want EINVAL", err)
	}
	connecting := dial(t, client, "10.0.0.2:80")
	if err := client.Connect(connecting, ap("10.0.0.2:80")); !errors.Is(err, syscall.EALREADY) {
		t.Errorf("connect while connecting: %v, want EALREADY", err)
	}
}

// TestBadSegmentsAreDroppedWithReason hands an established connection
// segments that are broken in each way a link can break them; each is
// dropped with a counted reason and the connection carries on.
func TestBadSegmentsAreDroppedWithReason(t *testing.T) {
	// A good segment from the client, then damaged copies of it.
	segment := func(opts []byte) []byte {
		hdr := wire.TCPHeader{SrcPort: 49152, DstPort: 80, Seq: 1, Ack: 1, Flags: wire.TCPAck, Window: 100, Options: opts}
		ih := wire.IPv4Header{TTL: 64, Protocol: wire.ProtocolTCP, Src: ap("10.0.0.1:0").Addr(), Dst: ap("10.0.0.2:0").Addr(), PayloadLen: hdr.Len() + 4}
		pkt := make([]byte, ih.Len()+hdr.Len()+4)
		must(0, ih.Encode(pkt))
		copy(pkt[ih.Len()+hdr.Len():], "data")
		must(0, hdr.Encode(pkt[ih.Len():], ih.Src, ih.Dst))
		return pkt
	}
	fixTCPChecksum := func(pkt []byte) []byte {
		ip := must(wire.ParseIPv4(pkt))
		seg := pkt[ip.HeaderLen():]
		seg[16], seg[17] = 0, 0
		sum := wire.Fold(wire.Sum(seg, wire.PseudoHeaderSum(ip.Src(), ip.Dst(), wire.ProtocolTCP, len(seg))))
		seg[16], seg[17] = byte(sum>>8), byte(sum)
		return pkt
	}
	cases := []struct {
		name   string
		pkt    []byte
		reason string
	}{
		{"truncated header", func() []byte {
			p := segment(nil)
			p = p[:30]
			p[3] = 30 // IPv4 total length: the packet is honest, the TCP header is short
			ip := wire.IPv4(p)
			ip.SetTTL(64)
			return p
		}(), "malformed TCP segment"},
		{"bad checksum", func() []byte { p := segment(nil); p[len(p)-1] ^= 1; return p }(), "bad TCP checksum"},
		{"data offset past the end", fixTCPChecksum(func() []byte { p := segment(nil); p[20+12] = 15 << 4; return p }()), "malformed TCP segment"},
		{"data offset inside the header", fixTCPChecksum(func() []byte { p := segment(nil); p[20+12] = 2 << 4; return p }()), "malformed TCP segment"},
		{"option length lies", segment([]byte{2, 40, 5, 180}), "malformed TCP options"},
		{"option length zero", segment([]byte{8, 0, 0, 0}), "malformed TCP options"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, client, server, cfd, sfd, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
			tw.w.Host("b").Inject(c.pkt)
			if n := tw.count(sock.KindDropped, c.reason); n != 1 {
				t.Fatalf("want one drop with reason %q; events:\n%s", c.reason, strings.Join(tw.events[len(tw.events)-3:], "\n"))
			}
			if got := tw.w.Host("b").Drops(); len(got) == 0 {
				t.Error("the drop was not counted")
			}
			msg := []byte("still fine")
			if got := pump(t, tw, client, cfd, msg, server, sfd, time.Second); !bytes.Equal(got, msg) {
				t.Fatalf("the connection broke: read %q", got)
			}
		})
	}
}
