package simnet_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/smtp"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"golang.org/x/net/nettest"

	"socketville/shared/netsim"
	"socketville/shared/simnet"
)

// town is two hosts, a (10.0.0.1) and b (10.0.0.2), joined by a link with
// the given delay, driven in real time.
func town(t testing.TB, delay time.Duration) *simnet.Network {
	t.Helper()
	w := netsim.New(netsim.Options{Seed: 1})
	for i, name := range []string{"a", "b"} {
		p := netip.MustParsePrefix(fmt.Sprintf("10.0.0.%d/24", i+1))
		if _, err := w.AddHost(name, []netip.Prefix{p}, netsim.HostOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddLink("a", "b", sock.LinkConfig{Delay: delay}); err != nil {
		t.Fatal(err)
	}
	return simnet.New(w, simnet.Options{})
}

func stack(t testing.TB, n *simnet.Network, host, proc string) *simnet.Stack {
	t.Helper()
	st, err := n.Stack(host, proc)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkGoroutines fails the test if goroutines started during it are still
// running a while after it ends.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

func TestNettestConn(t *testing.T) {
	checkGoroutines(t)
	for _, delay := range []time.Duration{0, time.Millisecond} {
		t.Run(fmt.Sprintf("delay=%v", delay), func(t *testing.T) {
			nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
				n := town(t, delay)
				ln, err := stack(t, n, "b", "server").Listen("tcp", ":8080")
				if err != nil {
					return nil, nil, nil, err
				}
				accepted := make(chan net.Conn, 1)
				go func() {
					c, _ := ln.Accept()
					accepted <- c
				}()
				c1, err = stack(t, n, "a", "client").Dial("tcp", "b:8080")
				if err != nil {
					return nil, nil, nil, err
				}
				c2 = <-accepted
				stop = func() {
					c1.Close()
					c2.Close()
					ln.Close()
					n.Close()
				}
				return c1, c2, stop, nil
			})
		})
	}
}

func TestErrorsAreNetErrors(t *testing.T) {
	checkGoroutines(t)
	n := town(t, time.Millisecond)
	defer n.Close()
	client := stack(t, n, "a", "client")
	_, err := client.Dial("tcp", "10.0.0.2:9")
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial to a closed port: %#v, want *net.OpError wrapping ECONNREFUSED", err)
	}
	ln, err := stack(t, n, "b", "server").Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
	}()
	c, err := client.Dial("tcp", "b:80")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Read(make([]byte, 10)); err != io.EOF {
		t.Errorf("read after the peer closed: %v, want io.EOF (bare)", err)
	}
	c.SetReadDeadline(time.Now().Add(-time.Second))
	_, err = c.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v, want a timeout wrapping os.ErrDeadlineExceeded", err)
	}
	// A call blocked when its adapter closes gets net.ErrClosed, as in Go's
	// net, not "operation was canceled".
	idle, err := stack(t, n, "b", "idle").Listen("tcp", ":81")
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, func() { idle.Close() })
	if _, err := idle.Accept(); !errors.As(err, &op) || !errors.Is(err, net.ErrClosed) {
		t.Errorf("accept blocked by a close: %v, want a *net.OpError wrapping net.ErrClosed", err)
	}
}

func TestHTTP(t *testing.T) {
	checkGoroutines(t)
	n := town(t, 2*time.Millisecond)
	defer n.Close()
	ln, err := stack(t, n, "b", "web").Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s from %s", r.URL.Path, r.RemoteAddr)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	client := stack(t, n, "a", "browser")
	tr := &http.Transport{DialContext: client.DialContext}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := 0; i < 3; i++ {
		resp, err := hc.Get(fmt.Sprintf("http://b/page%d", i))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("hello /page%d from 10.0.0.1:49152", i); string(body) != want {
			t.Errorf("got %q, want %q (one kept-alive connection)", body, want)
		}
	}
}

// smtpServer is a tiny SMTP server: enough of RFC 5321 for net/smtp's
// SendMail to deliver one message, which it hands to got.
func smtpServer(ln net.Listener, got chan<- string) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	say("220 b.town ESMTP")
	var msg strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 b.town")
		case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			say("250 queued")
			got <- msg.String()
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func TestSMTP(t *testing.T) {
	checkGoroutines(t)
	n := town(t, time.Millisecond)
	defer n.Close()
	ln, err := stack(t, n, "b", "mail").Listen("tcp", ":25")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go smtpServer(ln, got)
	conn, err := stack(t, n, "a", "mua").Dial("tcp", "b:25")
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, "b")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "Subject: hello\r\n\r\nA letter through the town.\r\n"
	if err := c.Mail("a@town"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@town"); err != nil {
		t.Fatal(err)
	}
	wc, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(wc, body)
	if err := wc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m != body {
		t.Errorf("server got %q, want %q", m, body)
	}
}

func TestPacketConn(t *testing.T) {
	checkGoroutines(t)
	n := town(t, time.Millisecond)
	defer n.Close()
	srv, err := stack(t, n, "b", "echo").ListenPacket("udp", ":7007")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			k, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:k], from)
		}
	}()
	cl, err := stack(t, n, "a", "client").ListenPacket("udp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	to := &net.UDPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 7007}
	if _, err := cl.WriteTo([]byte("hello, town"), to); err != nil {
		t.Fatal(err)
	}
	cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	k, from, err := cl.ReadFrom(buf)
	if err != nil || string(buf[:k]) != "hello, town" || from.String() != "10.0.0.2:7007" {
		t.Fatalf("echo: %q from %v, %v", buf[:k], from, err)
	}
	cl.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, err := cl.ReadFrom(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read with nothing coming: %v, want a deadline error", err)
	}
}

// errorTraits is what a caller can ask of a dial's error.
type errorTraits struct {
	OpDial, Canceled, DeadlineExceeded, OSDeadline, Timeout bool
	Err                                                     string // the OpError's Err, as printed
}

func traitsOf(err error) errorTraits {
	var tr errorTraits
	var op *net.OpError
	if errors.As(err, &op) {
		tr.OpDial, tr.Err = op.Op == "dial", op.Err.Error()
	}
	var ne net.Error
	tr.Timeout = errors.As(err, &ne) && ne.Timeout()
	tr.Canceled = errors.Is(err, context.Canceled)
	tr.DeadlineExceeded = errors.Is(err, context.DeadlineExceeded)
	tr.OSDeadline = errors.Is(err, os.ErrDeadlineExceeded)
	return tr
}

// TestDialContextEnds holds simnet's DialContext against Go's own on
// loopback: a context that ends before or during the dial gives a
// *net.OpError that matches context.Canceled, or for a deadline
// context.DeadlineExceeded with Timeout() true, and nothing else.
func TestDialContextEnds(t *testing.T) {
	checkGoroutines(t)
	// Every SYN from a to b is lost, so a dial waits until its context ends.
	w := netsim.New(netsim.Options{Seed: 1})
	for i, name := range []string{"a", "b"} {
		p := netip.MustParsePrefix(fmt.Sprintf("10.0.0.%d/24", i+1))
		if _, err := w.AddHost(name, []netip.Prefix{p}, netsim.HostOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.AddLink("a", "b", sock.LinkConfig{Delay: time.Millisecond, Faults: sock.Faults{Loss: 1}}); err != nil {
		t.Fatal(err)
	}
	n := simnet.New(w, simnet.Options{})
	defer n.Close()
	client := stack(t, n, "a", "client")

	real, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("a loopback listener to compare with: %v", err)
	}
	defer real.Close()

	canceled := errorTraits{OpDial: true, Canceled: true, Err: "operation was canceled"}
	timedOut := errorTraits{OpDial: true, DeadlineExceeded: true, Timeout: true, Err: "i/o timeout"}
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want errorTraits
		// during: the context ends while the SYN is out, which loopback
		// cannot show (it answers at once), so only simnet is asked.
		during bool
	}{
		{name: "canceled before", want: canceled, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "deadline passed before", want: timedOut, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}},
		{name: "canceled during", want: canceled, during: true, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}},
		{name: "deadline during", want: timedOut, during: true, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			conn, err := client.DialContext(ctx, "tcp", "10.0.0.2:80")
			if err == nil {
				conn.Close()
				t.Fatal("the dial succeeded")
			}
			if got := traitsOf(err); got != c.want {
				t.Errorf("simnet: %v\n got  %+v\n want %+v", err, got, c.want)
			}
			if c.during {
				return
			}
			var d net.Dialer
			rc, rerr := d.DialContext(ctx, "tcp", real.Addr().String())
			if rerr == nil {
				rc.Close()
				t.Fatal("Go's net dialled with a context that had ended")
			}
			if got, want := traitsOf(err), traitsOf(rerr); got != want {
				t.Errorf("simnet and Go's net differ:\n simnet %v: %+v\n net    %v: %+v", err, got, rerr, want)
			}
		})
	}
	// A dial given up leaves no socket behind.
	n.Do(func(w *netsim.World) {
		for _, h := range w.Snapshot().Hosts {
			for _, p := range h.Processes {
				if len(p.Sockets) != 0 {
					t.Errorf("%s/%s keeps %d sockets after the dials gave up", h.Name, p.Name, len(p.Sockets))
				}
			}
			if len(h.Orphans) != 0 {
				t.Errorf("%s keeps %d connections after the dials gave up", h.Name, len(h.Orphans))
			}
		}
	})
	// A dial still waiting when the network closes gets net.ErrClosed.
	time.AfterFunc(20*time.Millisecond, func() { n.Close() })
	if _, err := client.Dial("tcp", "10.0.0.2:80"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("dial when the network closes: %v, want net.ErrClosed", err)
	}
}
