package netsim_test

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// routerTown builds the town of examples/router.sv: home (192.168.1.10) and
// server (203.0.113.80) on two networks joined by router, which knows no
// other network. From home, 198.51.100.7 is then net unreachable at the
// router, and 203.0.113.99 host unreachable (on the router's subnet, but
// no link reaches it).
func routerTown(t *testing.T) (tw *town, home, server *netsim.Process) {
	t.Helper()
	tw = newTown(t, 1)
	h := tw.host("home", "192.168.1.10/24")
	if _, err := tw.w.AddHost("router", []netipPrefix{mustPrefix("192.168.1.1/24"), mustPrefix("203.0.113.1/24")}, netsim.HostOptions{Forward: true}); err != nil {
		t.Fatal(err)
	}
	s := tw.host("server", "203.0.113.80/24")
	tw.link("home", "router", sock.LinkConfig{Delay: 2 * time.Millisecond})
	tw.link("router", "server", sock.LinkConfig{Delay: 20 * time.Millisecond})
	if err := h.AddRoute(mustPrefix("0.0.0.0/0"), ap("192.168.1.1:0").Addr()); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRoute(mustPrefix("192.168.1.0/24"), ap("203.0.113.1:0").Addr()); err != nil {
		t.Fatal(err)
	}
	return tw, tw.proc(h, "app", false), tw.proc(s, "srv", false)
}

// errnoIs fails unless err wraps want (nil: no error).
func errnoIs(t *testing.T, what string, err error, want syscall.Errno) {
	t.Helper()
	switch {
	case want == 0 && err != nil:
		t.Errorf("%s: %v, want no error", what, err)
	case want != 0 && !errors.Is(err, want):
		t.Errorf("%s: %v, want %v", what, err, sock.ErrnoFromSys(want).Name())
	}
}

// tcpState is the state of fd of p in the world's snapshot.
func tcpState(tw *town, p *netsim.Process, fd int) sock.State {
	for _, h := range tw.w.Snapshot().Hosts {
		for _, ps := range h.Processes {
			for _, s := range ps.Sockets {
				if h.Name == p.Host().Name() && ps.Name == p.Name() && s.FD == fd {
					return s.State
				}
			}
		}
	}
	return sock.StateClosed
}

// TestUDPICMPErrors: a UDP socket hears an ICMP error as Linux's
// __udp4_lib_err (net/ipv4/udp.c) lets it. Without IP_RECVERR only a hard
// error (icmp_err_convert's fatal flag in net/ipv4/icmp.c) reaches a
// connected socket; time exceeded and net or host unreachable are soft and
// pass unreported, and an unconnected socket hears nothing. With
// IP_RECVERR every error is the socket's pending error, connected or not.
func TestUDPICMPErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		dst       string
		ttl1      bool // send with IP_TTL 1: the router answers time exceeded
		connect   bool
		recvErr   bool
		want      syscall.Errno // what the recv after the error gives; EAGAIN: nothing was reported
		linuxRule string
	}{
		{name: "time exceeded, connected", dst: "203.0.113.80:17", ttl1: true, connect: true, want: syscall.EAGAIN,
			linuxRule: "TIME_EXCEEDED is soft: not queued without IP_RECVERR"},
		{name: "time exceeded, connected, IP_RECVERR", dst: "203.0.113.80:17", ttl1: true, connect: true, recvErr: true, want: syscall.EHOSTUNREACH,
			linuxRule: "IP_RECVERR: every error is sk_err; time exceeded is EHOSTUNREACH"},
		{name: "time exceeded, unconnected, IP_RECVERR", dst: "203.0.113.80:17", ttl1: true, recvErr: true, want: syscall.EHOSTUNREACH,
			linuxRule: "IP_RECVERR: reported even to an unconnected socket"},
		{name: "net unreachable, connected", dst: "198.51.100.7:17", connect: true, want: syscall.EAGAIN,
			linuxRule: "ICMP_NET_UNREACH is not fatal"},
		{name: "net unreachable, connected, IP_RECVERR", dst: "198.51.100.7:17", connect: true, recvErr: true, want: syscall.ENETUNREACH,
			linuxRule: "IP_RECVERR: ICMP_NET_UNREACH is ENETUNREACH"},
		{name: "host unreachable, connected", dst: "203.0.113.99:17", connect: true, want: syscall.EAGAIN,
			linuxRule: "ICMP_HOST_UNREACH is not fatal"},
		{name: "host unreachable, connected, IP_RECVERR", dst: "203.0.113.99:17", connect: true, recvErr: true, want: syscall.EHOSTUNREACH,
			linuxRule: "IP_RECVERR: ICMP_HOST_UNREACH is EHOSTUNREACH"},
		{name: "port unreachable, connected", dst: "203.0.113.80:9", connect: true, want: syscall.ECONNREFUSED,
			linuxRule: "ICMP_PORT_UNREACH is fatal and the socket is TCP_ESTABLISHED (connected)"},
		{name: "port unreachable, unconnected", dst: "203.0.113.80:9", want: syscall.EAGAIN,
			linuxRule: "a hard error still needs a connected socket without IP_RECVERR"},
		{name: "port unreachable, unconnected, IP_RECVERR", dst: "203.0.113.80:9", recvErr: true, want: syscall.ECONNREFUSED,
			linuxRule: "IP_RECVERR: reported even to an unconnected socket"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tw, home, _ := routerTown(t)
			fd := must(home.Socket(sock.SockUDP))
			if c.recvErr {
				must(0, home.SetSockopt(fd, sock.OptRecvErr, 1))
			}
			if c.ttl1 {
				must(0, home.SetSockopt(fd, sock.OptTTL, 1))
			}
			if c.connect {
				must(0, home.Connect(fd, ap(c.dst)))
				must(home.Send(fd, []byte("short-lived")))
			} else {
				must(home.SendTo(fd, []byte("short-lived"), ap(c.dst)))
			}
			runFor(tw.w, 100*time.Millisecond)
			_, err := home.Recv(fd, 512)
			errnoIs(t, c.linuxRule, err, c.want)
			// The error is reported once: the next call finds nothing.
			_, err = home.Recv(fd, 512)
			errnoIs(t, "a second recv", err, syscall.EAGAIN)
		})
	}
}

// TestIPRecvErrOption: IP_RECVERR reads back 0 or 1 (Linux's
// do_ip_getsockopt), any nonzero value turning it on, on UDP and TCP alike.
func TestIPRecvErrOption(t *testing.T) {
	_, home, _ := routerTown(t)
	for _, typ := range []sock.SockType{sock.SockUDP, sock.SockTCP} {
		fd := must(home.Socket(typ))
		if v := must(home.GetSockopt(fd, sock.OptRecvErr)); v != 0 {
			t.Errorf("%v: IP_RECVERR is %d by default, want 0", typ, v)
		}
		must(0, home.SetSockopt(fd, sock.OptRecvErr, 7))
		if v := must(home.GetSockopt(fd, sock.OptRecvErr)); v != 1 {
			t.Errorf("%v: IP_RECVERR after setting 7 reads %d, want 1", typ, v)
		}
		must(0, home.SetSockopt(fd, sock.OptRecvErr, 0))
		if v := must(home.GetSockopt(fd, sock.OptRecvErr)); v != 0 {
			t.Errorf("%v: IP_RECVERR after setting 0 reads %d, want 0", typ, v)
		}
	}
	if o, err := sock.ParseSockOpt("ip_recverr"); err != nil || o != sock.OptRecvErr {
		t.Errorf("ParseSockOpt(ip_recverr) = %v, %v", o, err)
	}
}

// TestTCPConnectICMPErrors: in SYN-SENT, Linux's tcp_v4_err
// (net/ipv4/tcp_ipv4.c) ends the connection on any ICMP error it takes an
// errno from, soft or hard (tcp_done_with_error): connect fails at once
// with that errno instead of retrying the SYN until ETIMEDOUT.
func TestTCPConnectICMPErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		dst       string
		ttl1      bool
		want      syscall.Errno
		linuxRule string
	}{
		{name: "net unreachable", dst: "198.51.100.7:80", want: syscall.ENETUNREACH,
			linuxRule: "SYN_SENT: icmp_err_convert[ICMP_NET_UNREACH] ends the connect"},
		{name: "host unreachable", dst: "203.0.113.99:80", want: syscall.EHOSTUNREACH,
			linuxRule: "SYN_SENT: icmp_err_convert[ICMP_HOST_UNREACH] ends the connect"},
		{name: "time exceeded", dst: "203.0.113.80:8080", ttl1: true, want: syscall.EHOSTUNREACH,
			linuxRule: "SYN_SENT: ICMP_TIME_EXCEEDED is EHOSTUNREACH and ends the connect"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tw, home, _ := routerTown(t)
			fd := must(home.Socket(sock.SockTCP))
			if c.ttl1 {
				must(0, home.SetSockopt(fd, sock.OptTTL, 1))
			}
			errnoIs(t, "connect", home.Connect(fd, ap(c.dst)), syscall.EINPROGRESS)
			runFor(tw.w, 100*time.Millisecond)
			errnoIs(t, c.linuxRule, home.ConnectResult(fd), c.want)
			if st := tcpState(tw, home, fd); st != sock.StateClosed {
				t.Errorf("after the error the socket is %v, want CLOSED", st)
			}
		})
	}
}

// establishedVia connects home to a listener on server port 80 and accepts.
func establishedVia(t *testing.T, tw *town, home, server *netsim.Process) (cfd, sfd int) {
	t.Helper()
	lfd := must(server.Socket(sock.SockTCP))
	must(0, server.Bind(lfd, ap("0.0.0.0:8080")))
	must(0, server.Listen(lfd, 8))
	cfd = must(home.Socket(sock.SockTCP))
	errnoIs(t, "connect", home.Connect(cfd, ap("203.0.113.80:8080")), syscall.EINPROGRESS)
	runFor(tw.w, 200*time.Millisecond)
	errnoIs(t, "connect result", home.ConnectResult(cfd), 0)
	sfd = must2(server.Accept(lfd))
	return cfd, sfd
}

// TestTCPEstablishedICMPErrors: once the connection exists, tcp_v4_err
// does not end it. Without IP_RECVERR the error is only sk_err_soft: no
// call reports it, SO_ERROR reads it (sock_getsockopt falls back to
// sk_err_soft), an ACK that is not old clears it (tcp_ack), and if the
// connection times out the error is it instead of ETIMEDOUT
// (tcp_write_err). With IP_RECVERR it is sk_err: the next call fails with
// it and the connection goes on.
func TestTCPEstablishedICMPErrors(t *testing.T) {
	t.Run("soft error, read with SO_ERROR", func(t *testing.T) {
		tw, home, server := routerTown(t)
		cfd, _ := establishedVia(t, tw, home, server)
		must(0, home.SetSockopt(cfd, sock.OptTTL, 1))
		must(home.Send(cfd, []byte("short-lived")))
		runFor(tw.w, 100*time.Millisecond)
		_, err := home.Recv(cfd, 512)
		errnoIs(t, "sk_err_soft is not reported by recv", err, syscall.EAGAIN)
		if st := tcpState(tw, home, cfd); st != sock.StateEstablished {
			t.Errorf("state %v, want ESTABLISHED", st)
		}
		if v := must(home.GetSockopt(cfd, sock.OptError)); v != int(syscall.EHOSTUNREACH) {
			t.Errorf("SO_ERROR = %d, want EHOSTUNREACH (%d), the soft error", v, int(syscall.EHOSTUNREACH))
		}
		if v := must(home.GetSockopt(cfd, sock.OptError)); v != 0 {
			t.Errorf("SO_ERROR read twice = %d, want 0: reading clears it", v)
		}
	})
	t.Run("soft error cleared by an ACK", func(t *testing.T) {
		tw, home, server := routerTown(t)
		cfd, _ := establishedVia(t, tw, home, server)
		must(0, home.SetSockopt(cfd, sock.OptTTL, 1))
		must(home.Send(cfd, []byte("short-lived")))
		runFor(tw.w, 100*time.Millisecond)
		must(0, home.SetSockopt(cfd, sock.OptTTL, 64))
		runFor(tw.w, 2*time.Second) // the retransmission gets through and is acknowledged
		if v := must(home.GetSockopt(cfd, sock.OptError)); v != 0 {
			t.Errorf("SO_ERROR = %d after an ACK, want 0", v)
		}
	})
	t.Run("soft error replaces ETIMEDOUT", func(t *testing.T) {
		tw, home, server := routerTown(t)
		cfd, _ := establishedVia(t, tw, home, server)
		must(0, home.SetSockopt(cfd, sock.OptTTL, 1))
		must(home.Send(cfd, []byte("short-lived")))
		runFor(tw.w, time.Hour) // every retransmission dies at the router, until tcp_retries2
		_, err := home.Recv(cfd, 512)
		errnoIs(t, "tcp_write_err: sk_err = sk_err_soft ?: ETIMEDOUT", err, syscall.EHOSTUNREACH)
		if st := tcpState(tw, home, cfd); st != sock.StateClosed {
			t.Errorf("state %v, want CLOSED", st)
		}
	})
	t.Run("IP_RECVERR reports at once", func(t *testing.T) {
		tw, home, server := routerTown(t)
		cfd, _ := establishedVia(t, tw, home, server)
		must(0, home.SetSockopt(cfd, sock.OptRecvErr, 1))
		must(0, home.SetSockopt(cfd, sock.OptTTL, 1))
		must(home.Send(cfd, []byte("short-lived")))
		runFor(tw.w, 100*time.Millisecond)
		if r := home.Readiness(cfd); r&sock.PollErr == 0 {
			t.Errorf("readiness %v, want POLLERR", r)
		}
		_, err := home.Recv(cfd, 512)
		errnoIs(t, "IP_RECVERR: sk_err = EHOSTUNREACH", err, syscall.EHOSTUNREACH)
		if st := tcpState(tw, home, cfd); st != sock.StateEstablished {
			t.Errorf("state %v, want ESTABLISHED: the error does not end the connection", st)
		}
	})
}

// TestTCPHalfOpenICMPError: an ICMP error about a listener's SYN|ACK drops
// the half-open connection quietly (tcp_req_err, for time exceeded, net or
// host unreachable, parameter problem): no accept ever sees it and the
// listener is unharmed.
func TestTCPHalfOpenICMPError(t *testing.T) {
	tw, home, server := routerTown(t)
	lfd := must(server.Socket(sock.SockTCP))
	must(0, server.SetSockopt(lfd, sock.OptTTL, 1)) // the SYN|ACK dies at the router
	must(0, server.Bind(lfd, ap("0.0.0.0:8080")))
	must(0, server.Listen(lfd, 8))
	cfd := must(home.Socket(sock.SockTCP))
	errnoIs(t, "connect", home.Connect(cfd, ap("203.0.113.80:8080")), syscall.EINPROGRESS)
	runFor(tw.w, 500*time.Millisecond)
	if n := tw.count(sock.KindDelivered, "half-open connection is dropped"); n != 1 {
		t.Errorf("%d half-open connections dropped, want 1", n)
	}
	_, _, err := server.Accept(lfd)
	errnoIs(t, "accept", err, syscall.EAGAIN)
	errnoIs(t, "the client still waits", home.ConnectResult(cfd), syscall.EINPROGRESS)
}
