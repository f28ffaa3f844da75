//go:build linux

package ossock_test

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"socketville/native/ossock"
	"socketville/shared/sock"
)

// TestUserTimeoutOnLinux: the kernel's TCP_USER_TIMEOUT answers as the
// simulator's: read back, EINVAL for negative, ENOPROTOOPT on UDP, and a
// connect into a black hole fails with ETIMEDOUT at the timeout itself
// (the simulator's TestUserTimeoutConnect holds the same 2.5 s).
func TestUserTimeoutOnLinux(t *testing.T) {
	needRoot(t)
	k, err := ossock.New(ossock.Options{Mode: ossock.Namespaces})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for _, h := range []struct{ name, addr string }{{"a", "10.0.0.1/24"}, {"b", "10.0.0.2/24"}} {
		if err := k.AddHost(h.name, []netip.Prefix{netip.MustParsePrefix(h.addr)}, sock.HostOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.AddLink("a", "b", sock.LinkConfig{}); err != nil {
		t.Fatal(err)
	}
	// b does not forward: it drops what a sends it for 10.9.9.0/24 without a word.
	if err := k.AddRoute("a", netip.MustParsePrefix("10.9.9.0/24"), netip.MustParseAddr("10.0.0.2")); err != nil {
		t.Fatal(err)
	}
	p, err := k.AddProcess("a", "app", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		typ   sock.SockType
		value int
		err   syscall.Errno
	}{
		{name: "tcp 5000", typ: sock.SockTCP, value: 5000},
		{name: "tcp 0", typ: sock.SockTCP, value: 0},
		{name: "negative", typ: sock.SockTCP, value: -1, err: syscall.EINVAL},
		{name: "udp", typ: sock.SockUDP, value: 5000, err: syscall.ENOPROTOOPT},
	} {
		fd, err := p.Socket(c.typ)
		if err != nil {
			t.Fatal(err)
		}
		err = p.SetSockopt(fd, sock.OptUserTimeout, c.value)
		switch {
		case c.err != 0 && !errors.Is(err, c.err):
			t.Errorf("%s: setsockopt: %v, want %v", c.name, err, c.err)
		case c.err == 0 && err != nil:
			t.Errorf("%s: setsockopt: %v", c.name, err)
		case c.err == 0:
			if v, err := p.GetSockopt(fd, sock.OptUserTimeout); err != nil || v != c.value {
				t.Errorf("%s: getsockopt: %d, %v; want %d", c.name, v, err, c.value)
			}
		}
		_ = p.Close(fd)
	}
	fd, err := p.Socket(sock.SockTCP)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetSockopt(fd, sock.OptUserTimeout, 2500); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Connect(fd, netip.MustParseAddrPort("10.9.9.9:80")); err != nil && !errors.Is(err, syscall.EINPROGRESS) {
		t.Fatalf("connect: %v", err)
	}
	for p.Readiness(fd)&sock.PollErr == 0 {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the connect has not failed after 10 s")
		}
		time.Sleep(10 * time.Millisecond) // the real kernel's clock: nothing to advance
	}
	took := time.Since(start)
	if err := p.ConnectResult(fd); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("connect: %v, want ETIMEDOUT", err)
	}
	if took < 2400*time.Millisecond || took > 3500*time.Millisecond {
		t.Errorf("the connect failed after %v, want about 2.5 s", took)
	}
}
