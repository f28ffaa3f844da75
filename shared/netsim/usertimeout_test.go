package netsim_test

import (
	"errors"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"
)

// lastError is the words of the last error TCP itself reported (the
// connection's end, not a call's), and when it came.
func (tw *town) lastError() (string, time.Duration) {
	for i := len(tw.kinds) - 1; i >= 0; i-- {
		if e := tw.kinds[i]; e.Kind == sock.KindError && e.Op == "tcp" && e.Err != nil {
			return e.Err.Error(), e.Time
		}
	}
	return "", 0
}

// lastRetransmission is when the last retransmission went out.
func (tw *town) lastRetransmission() time.Duration {
	var at time.Duration
	for _, e := range tw.kinds {
		if e.Kind == sock.KindSent && strings.Contains(e.Reason, "retransmission") {
			at = e.Time
		}
	}
	return at
}

func TestUserTimeoutData(t *testing.T) {
	cases := []struct {
		name    string
		uto     int // TCP_USER_TIMEOUT, ms; 0 leaves it unset
		words   string
		retrans int // segments that left, -1: do not care (ARP stops them)
		err     syscall.Errno
	}{
		// Without it, as before: the neighbour entry goes stale in the
		// quarter hour and the failed ARP says EHOSTUNREACH, as on Linux.
		{name: "tcp_retries2", words: "no ACK after 15 retransmissions", retrans: -1, err: syscall.EHOSTUNREACH},
		{name: "3000 ms", uto: 3000, words: "(TCP_USER_TIMEOUT 3000 ms) after 3 retransmissions", retrans: 3, err: syscall.ETIMEDOUT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, client, _, cfd, _, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
			if c.uto > 0 {
				must(0, client.SetSockopt(cfd, sock.OptUserTimeout, c.uto))
			}
			// The peer vanishes (a closed tab): nothing crosses the road any more.
			l := tw.w.Link("a", "b")
			cfg := l.Config()
			cfg.Loss = 1
			must(0, l.SetConfig(cfg))
			tw.kinds = nil
			start := tw.w.Now()
			must(client.Send(cfd, []byte("hello")))
			tw.until(func() bool { return client.Readiness(cfd)&sock.PollErr != 0 }, time.Hour)
			if _, err := client.Recv(cfd, 10); !errors.Is(err, c.err) {
				t.Fatalf("recv: got %v, want %v", err, c.err)
			}
			words, at := tw.lastError()
			if !strings.Contains(words, c.words) {
				t.Errorf("error %q, want it to say %q", words, c.words)
			}
			if n := tw.count(sock.KindSent, "retransmission"); c.retrans >= 0 && n != c.retrans {
				t.Errorf("%d retransmissions, want %d", n, c.retrans)
			}
			if c.uto > 0 {
				deadline := start + time.Duration(c.uto)*time.Millisecond
				// The give-up is the first expiry at or after the deadline:
				// the timer fired after it, and the last resend came before it.
				if at < deadline || tw.lastRetransmission() >= deadline {
					t.Errorf("gave up at %v, last resend %v; want the first expiry past %v", at-start, tw.lastRetransmission()-start, deadline-start)
				}
			}
		})
	}
}

func TestUserTimeoutConnect(t *testing.T) {
	cases := []struct {
		uto     int
		gaveUp  time.Duration
		retrans int
	}{
		{uto: 0, gaveUp: 127 * time.Second, retrans: 6},
		{uto: 2500, gaveUp: 2500 * time.Millisecond, retrans: 1}, // Linux 6.18 measures 2.53 s
		{uto: 3000, gaveUp: 3 * time.Second, retrans: 1},
	}
	for _, c := range cases {
		t.Run(time.Duration(c.uto*int(time.Millisecond)).String(), func(t *testing.T) {
			tw, client, _ := pair(t, sock.LinkConfig{})
			if err := tw.w.Host("a").AddRoute(mustPrefix("10.9.9.0/24"), netip.MustParseAddr("10.0.0.2")); err != nil {
				t.Fatal(err)
			}
			fd := must(client.Socket(sock.SockTCP))
			must(0, client.SetSockopt(fd, sock.OptUserTimeout, c.uto))
			start := tw.w.Now()
			if err := client.Connect(fd, ap("10.9.9.9:80")); !errors.Is(err, syscall.EINPROGRESS) {
				t.Fatalf("connect: %v", err)
			}
			tw.until(func() bool { return client.Readiness(fd)&sock.PollErr != 0 }, time.Hour)
			if err := client.ConnectResult(fd); !errors.Is(err, syscall.ETIMEDOUT) {
				t.Fatalf("connect: got %v, want ETIMEDOUT", err)
			}
			if now := tw.w.Now() - start; now != c.gaveUp {
				t.Errorf("gave up at %v, want %v", now, c.gaveUp)
			}
			if n := tw.count(sock.KindSent, "retransmission"); n != c.retrans {
				t.Errorf("%d SYN retransmissions, want %d", n, c.retrans)
			}
			if words, _ := tw.lastError(); c.uto > 0 && !strings.Contains(words, "TCP_USER_TIMEOUT") {
				t.Errorf("error %q should name TCP_USER_TIMEOUT", words)
			}
		})
	}
}

func TestUserTimeoutOption(t *testing.T) {
	cases := []struct {
		name  string
		typ   sock.SockType
		value int
		err   syscall.Errno // 0: accepted and read back
	}{
		{name: "tcp 5000", typ: sock.SockTCP, value: 5000},
		{name: "tcp 0 is the default", typ: sock.SockTCP, value: 0},
		{name: "negative", typ: sock.SockTCP, value: -1, err: syscall.EINVAL},
		{name: "udp", typ: sock.SockUDP, value: 5000, err: syscall.ENOPROTOOPT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, client, _ := pair(t, sock.LinkConfig{})
			fd := must(client.Socket(c.typ))
			err := client.SetSockopt(fd, sock.OptUserTimeout, c.value)
			if c.err != 0 {
				if !errors.Is(err, c.err) {
					t.Fatalf("setsockopt: got %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v := must(client.GetSockopt(fd, sock.OptUserTimeout)); v != c.value {
				t.Errorf("getsockopt: %d, want %d", v, c.value)
			}
		})
	}
	if sock.OptUserTimeout.String() != "TCP_USER_TIMEOUT" {
		t.Errorf("name %q", sock.OptUserTimeout.String())
	}
}

// TestUserTimeoutZeroWindow: the server never reads, so the client's
// data waits behind a zero window and the client probes it; then the
// server's host vanishes. Its probes go unanswered, and the client gives
// up as Linux's probe timer does: past TCP_USER_TIMEOUT from the first
// unanswered probe, or after tcp_retries2 (15) of them.
func TestUserTimeoutZeroWindow(t *testing.T) {
	for _, c := range []struct {
		name  string
		uto   int
		words string
	}{
		{name: "tcp_retries2", words: "no answer to 15 zero-window probes"},
		{name: "3000 ms", uto: 3000, words: "(TCP_USER_TIMEOUT 3000 ms) after"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tw, client, _, cfd, _, _ := established(t, sock.LinkConfig{Delay: time.Millisecond})
			if c.uto > 0 {
				must(0, client.SetSockopt(cfd, sock.OptUserTimeout, c.uto))
			}
			big := make([]byte, 512<<10)
			for sent := 0; sent < len(big); {
				n, err := client.Send(cfd, big[sent:])
				if errors.Is(err, syscall.EAGAIN) || n == 0 {
					break
				}
				sent += n
			}
			tw.until(func() bool { return tw.count(sock.KindSent, "zero-window probe") > 0 }, time.Minute)
			l := tw.w.Link("a", "b")
			cfg := l.Config()
			cfg.Loss = 1
			must(0, l.SetConfig(cfg))
			vanished := tw.w.Now()
			tw.until(func() bool { return client.Readiness(cfd)&sock.PollErr != 0 }, 2*time.Hour)
			if _, err := client.Recv(cfd, 10); !errors.Is(err, syscall.ETIMEDOUT) {
				t.Fatalf("recv: got %v, want ETIMEDOUT", err)
			}
			words, at := tw.lastError()
			if !strings.Contains(words, c.words) {
				t.Errorf("error %q, want it to say %q", words, c.words)
			}
			if c.uto > 0 && at-vanished > time.Duration(c.uto)*time.Millisecond+time.Second {
				t.Errorf("gave up %v after the peer vanished, want about %d ms", at-vanished, c.uto)
			}
		})
	}
}
