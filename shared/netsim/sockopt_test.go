package netsim_test

import (
	"errors"
	"syscall"
	"testing"

	"socketville/shared/sock"
)

// TestSockoptErrors: the options fail as Linux's setsockopt(2) and
// getsockopt(2) do. SO_ERROR is read-only, so setting it is ENOPROTOOPT
// (Linux has no case for it); a TCP option on a UDP socket is ENOPROTOOPT;
// values out of range are EINVAL.
func TestSockoptErrors(t *testing.T) {
	_, p, _ := pair(t, sock.LinkConfig{})
	tcp := must(p.Socket(sock.SockTCP))
	udp := must(p.Socket(sock.SockUDP))
	for _, c := range []struct {
		name  string
		fd    int
		opt   sock.SockOpt
		value int
		get   bool
		want  syscall.Errno
	}{
		{name: "set SO_ERROR", fd: tcp, opt: sock.OptError, value: 0, want: syscall.ENOPROTOOPT},
		{name: "set SO_ERROR on UDP", fd: udp, opt: sock.OptError, value: 1, want: syscall.ENOPROTOOPT},
		{name: "set TCP_NODELAY on UDP", fd: udp, opt: sock.OptNoDelay, value: 1, want: syscall.ENOPROTOOPT},
		{name: "get TCP_NODELAY on UDP", fd: udp, opt: sock.OptNoDelay, get: true, want: syscall.ENOPROTOOPT},
		{name: "IP_TTL 0", fd: tcp, opt: sock.OptTTL, value: 0, want: syscall.EINVAL},
		{name: "IP_TTL 256", fd: tcp, opt: sock.OptTTL, value: 256, want: syscall.EINVAL},
		{name: "SO_LINGER -2", fd: tcp, opt: sock.OptLinger, value: -2, want: syscall.EINVAL},
		{name: "SO_RCVTIMEO negative", fd: tcp, opt: sock.OptRcvTimeo, value: -1, want: syscall.EINVAL},
		{name: "bad fd", fd: 99, opt: sock.OptReuseAddr, value: 1, want: syscall.EBADF},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.get {
				_, err = p.GetSockopt(c.fd, c.opt)
			} else {
				err = p.SetSockopt(c.fd, c.opt, c.value)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	// Reading SO_ERROR is allowed, and with nothing pending it is 0.
	if v, err := p.GetSockopt(tcp, sock.OptError); err != nil || v != 0 {
		t.Fatalf("getsockopt SO_ERROR: %d, %v; want 0", v, err)
	}
	// A failed setsockopt changes nothing: IP_TTL keeps Linux's default.
	if v := must(p.GetSockopt(tcp, sock.OptTTL)); v != 64 {
		t.Fatalf("IP_TTL after a bad set: %d, want 64", v)
	}
}
