package netsim_test

import (
	"errors"
	"reflect"
	"syscall"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

func TestBindErrors(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, p, root *netsim.Process) int // returns the fd to bind
		addr  string
		want  syscall.Errno
	}{
		{name: "port in use", addr: "0.0.0.0:7007", want: syscall.EADDRINUSE,
			setup: func(t *testing.T, p, _ *netsim.Process) int {
				udpServer(t, p, "0.0.0.0:7007")
				return must(p.Socket(sock.SockUDP))
			}},
		{name: "specific address under a wildcard", addr: "10.0.0.2:7007", want: syscall.EADDRINUSE,
			setup: func(t *testing.T, p, _ *netsim.Process) int {
				udpServer(t, p, "0.0.0.0:7007")
				return must(p.Socket(sock.SockUDP))
			}},
		{name: "in use by another process", addr: "10.0.0.2:53", want: syscall.EADDRINUSE,
			setup: func(t *testing.T, p, root *netsim.Process) int {
				udpServer(t, root, "0.0.0.0:53")
				return must(root.Socket(sock.SockUDP))
			}},
		{name: "privileged port", addr: "0.0.0.0:80", want: syscall.EACCES,
			setup: func(t *testing.T, p, _ *netsim.Process) int { return must(p.Socket(sock.SockUDP)) }},
		{name: "address of another host", addr: "10.0.0.1:7007", want: syscall.EADDRNOTAVAIL,
			setup: func(t *testing.T, p, _ *netsim.Process) int { return must(p.Socket(sock.SockUDP)) }},
		{name: "already bound", addr: "0.0.0.0:7008", want: syscall.EINVAL,
			setup: func(t *testing.T, p, _ *netsim.Process) int { return udpServer(t, p, "0.0.0.0:7007") }},
		{name: "closed fd", addr: "0.0.0.0:7008", want: syscall.EBADF,
			setup: func(t *testing.T, p, _ *netsim.Process) int {
				fd := must(p.Socket(sock.SockUDP))
				if err := p.Close(fd); err != nil {
					t.Fatal(err)
				}
				return fd
			}},
		{name: "never opened fd", addr: "0.0.0.0:7008", want: syscall.EBADF,
			setup: func(*testing.T, *netsim.Process, *netsim.Process) int { return 42 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, _, server := pair(t, sock.LinkConfig{})
			root := tw.proc(tw.w.Host("b"), "named", true)
			fd := c.setup(t, server, root)
			p := server
			if c.want == syscall.EADDRINUSE && c.addr == "10.0.0.2:53" {
				p = root
			}
			before := tw.w.Snapshot()
			err := p.Bind(fd, ap(c.addr))
			if !errors.Is(err, c.want) {
				t.Fatalf("bind %s: %v, want %v", c.addr, err, c.want)
			}
			if !reflect.DeepEqual(before, tw.w.Snapshot()) {
				t.Fatal("a failed bind changed the town")
			}
			if tw.count(sock.KindError, "") == 0 {
				t.Fatal("a failed bind published no error event")
			}
		})
	}
}

func TestBindSucceeds(t *testing.T) {
	tw, _, server := pair(t, sock.LinkConfig{})
	root := tw.proc(tw.w.Host("b"), "named", true)
	a := must(server.Socket(sock.SockUDP))
	b := must(server.Socket(sock.SockUDP))
	for _, fd := range []int{a, b} {
		if err := server.SetSockopt(fd, sock.OptReuseAddr, 1); err != nil {
			t.Fatal(err)
		}
		if err := server.Bind(fd, ap("0.0.0.0:7007")); err != nil {
			t.Fatalf("SO_REUSEADDR on both should share the port: %v", err)
		}
	}
	r := must(root.Socket(sock.SockUDP))
	if err := root.Bind(r, ap("127.0.0.1:53")); err != nil {
		t.Fatalf("root binds a privileged port on loopback: %v", err)
	}
	e := must(server.Socket(sock.SockUDP))
	if err := server.Bind(e, ap("0.0.0.0:0")); err != nil {
		t.Fatal(err)
	}
	if got := must(server.SockName(e)); got != ap("0.0.0.0:49152") {
		t.Fatalf("ephemeral bind got %v, want the first port of 49152-65535", got)
	}
}

func TestLowestFreeFD(t *testing.T) {
	_, client, _ := pair(t, sock.LinkConfig{})
	fds := []int{must(client.Socket(sock.SockUDP)), must(client.Socket(sock.SockUDP)), must(client.Socket(sock.SockUDP))}
	if !reflect.DeepEqual(fds, []int{3, 4, 5}) {
		t.Fatalf("fds %v, want 3 4 5", fds)
	}
	if err := client.Close(4); err != nil {
		t.Fatal(err)
	}
	if fd := must(client.Socket(sock.SockUDP)); fd != 4 {
		t.Fatalf("reopened fd %d, want the lowest free, 4", fd)
	}
}

func TestErrnoWrapsSyscall(t *testing.T) {
	_, client, _ := pair(t, sock.LinkConfig{})
	err := client.Bind(9, ap("0.0.0.0:1"))
	if !errors.Is(err, syscall.EBADF) || !errors.Is(err, sock.ErrBadFD) {
		t.Fatalf("%v should be EBADF both ways", err)
	}
	if got := err.Error(); got != "bind: EBADF: bad file descriptor (fd 9 is not open in a/client)" {
		t.Fatalf("message %q", got)
	}
	if sock.ErrnoOf(err).Name() != "EBADF" {
		t.Fatal("sock.ErrnoOf should find EBADF")
	}
}

func TestUDPExchange(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{Delay: 5 * time.Millisecond})
	tw.neighbours(client, "10.0.0.2")
	sfd := udpServer(t, server, "0.0.0.0:7007")
	cfd := must(client.Socket(sock.SockUDP))
	if n := must(client.SendTo(cfd, []byte("hello, town"), ap("10.0.0.2:7007"))); n != 11 {
		t.Fatalf("sent %d", n)
	}
	if _, err := server.RecvFrom(sfd, 100); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("before the delay passes: %v, want EAGAIN", err)
	}
	tw.w.RunFor(5 * time.Millisecond)
	if server.Readiness(sfd)&sock.PollIn == 0 {
		t.Fatal("server not readable after the delay")
	}
	dg := must(server.RecvFrom(sfd, 5))
	if string(dg.Data) != "hello" || dg.Len != 11 || dg.From != ap("10.0.0.1:49152") || dg.TTL != 64 {
		t.Fatalf("got %+v: want the first 5 bytes of 11 from the client's ephemeral port", dg)
	}
	if n := must(server.SendTo(sfd, []byte("hi"), dg.From)); n != 2 {
		t.Fatal("reply")
	}
	tw.w.RunFor(5 * time.Millisecond)
	if got := must(client.Recv(cfd, 10)); string(got) != "hi" {
		t.Fatalf("client got %q", got)
	}
}

func TestUDPSendErrors(t *testing.T) {
	cases := []struct {
		name string
		mtu  int
		data int
		to   string
		want syscall.Errno
		do   bool // IP_MTU_DISCOVER DO: DF always, so no fragments
	}{
		{name: "over the MTU with DF", data: 1473, to: "10.0.0.2:7", want: syscall.EMSGSIZE, do: true},
		{name: "small MTU with DF", mtu: 576, data: 549, to: "10.0.0.2:7", want: syscall.EMSGSIZE, do: true},
		{name: "over 65507", mtu: 65535, data: 65508, to: "10.0.0.2:7", want: syscall.EMSGSIZE},
		{name: "no route", data: 1, to: "192.168.1.1:7", want: syscall.ENETUNREACH},
		{name: "on subnet but no link", data: 1, to: "10.0.0.9:7", want: syscall.EHOSTUNREACH},
		{name: "port zero", data: 1, to: "10.0.0.2:0", want: syscall.EINVAL},
		{name: "subnet broadcast without SO_BROADCAST", data: 1, to: "10.0.0.255:7", want: syscall.EACCES},
		{name: "limited broadcast without SO_BROADCAST", data: 1, to: "255.255.255.255:7", want: syscall.EACCES},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tw, client, _ := pair(t, sock.LinkConfig{MTU: c.mtu})
			fd := must(client.Socket(sock.SockUDP))
			if c.do {
				must(0, client.SetSockopt(fd, sock.OptMTUDiscover, sock.PMTUDiscDo))
			}
			before := tw.w.Snapshot()
			if _, err := client.SendTo(fd, make([]byte, c.data), ap(c.to)); !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			if tw.w.InFlight() != 0 || !reflect.DeepEqual(before, tw.w.Snapshot()) {
				t.Fatal("a refused send changed the town")
			}
		})
	}
	t.Run("over the MTU leaves in fragments", func(t *testing.T) {
		tw, client, server := pair(t, sock.LinkConfig{})
		tw.neighbours(client, "10.0.0.2")
		srv := udpServer(t, server, "0.0.0.0:7007")
		fd := must(client.Socket(sock.SockUDP))
		if _, err := client.SendTo(fd, make([]byte, 3000), ap("10.0.0.2:7007")); err != nil {
			t.Fatalf("3000 bytes without DF: %v, want them sent in fragments", err)
		}
		var sizes []int
		for _, e := range tw.kinds {
			if e.Kind == sock.KindSent {
				sizes = append(sizes, len(e.Packet))
			}
		}
		if !reflect.DeepEqual(sizes, []int{1500, 1500, 68}) {
			t.Fatalf("fragments of %v bytes, want 1500, 1500 and 68 (3028 bytes of UDP in 1480-byte pieces)", sizes)
		}
		tw.w.RunFor(time.Second)
		if dg := must(server.RecvFrom(srv, 4000)); dg.Len != 3000 {
			t.Fatalf("reassembled %d bytes, want 3000", dg.Len)
		}
	})
	t.Run("largest fits", func(t *testing.T) {
		tw, client, _ := pair(t, sock.LinkConfig{})
		fd := must(client.Socket(sock.SockUDP))
		if _, err := client.SendTo(fd, make([]byte, 1472), ap("10.0.0.2:7")); err != nil {
			t.Fatalf("1472 bytes fit a 1500 MTU: %v", err)
		}
		if tw.w.InFlight() != 1 {
			t.Fatal("nothing on the link")
		}
	})
	t.Run("send without a peer", func(t *testing.T) {
		_, client, _ := pair(t, sock.LinkConfig{})
		fd := must(client.Socket(sock.SockUDP))
		if _, err := client.Send(fd, []byte("x")); !errors.Is(err, syscall.EDESTADDRREQ) {
			t.Fatalf("%v, want EDESTADDRREQ", err)
		}
	})
}

func TestConnectedUDPGetsConnRefused(t *testing.T) {
	tw, client, _ := pair(t, sock.LinkConfig{Delay: time.Millisecond})
	unconnected := must(client.Socket(sock.SockUDP))
	connected := must(client.Socket(sock.SockUDP))
	if err := client.Connect(connected, ap("10.0.0.2:9")); err != nil {
		t.Fatal(err)
	}
	if got := must(client.SockName(connected)); got.Addr().String() != "10.0.0.1" {
		t.Fatalf("connect should fix the local address to the route's source, got %v", got)
	}
	must(client.SendTo(unconnected, []byte("x"), ap("10.0.0.2:9")))
	must(client.Send(connected, []byte("x")))
	tw.w.RunFor(10 * time.Millisecond)
	if r := client.Readiness(connected); r&sock.PollErr == 0 {
		t.Fatalf("connected socket readiness %v, want ERR", r)
	}
	if _, err := client.Recv(connected, 10); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("recv on the connected socket: %v, want ECONNREFUSED", err)
	}
	if _, err := client.Recv(connected, 10); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("the error is reported once, then: %v", err)
	}
	if _, err := client.RecvFrom(unconnected, 10); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("unconnected socket should not hear the ICMP error: %v", err)
	}
	if tw.count(sock.KindDropped, "no socket on UDP port 9") != 2 {
		t.Fatal("the server host should count two datagrams to a closed port")
	}
}

func TestReceiveBufferFull(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{})
	sfd := udpServer(t, server, "0.0.0.0:7007")
	if err := server.SetSockopt(sfd, sock.OptRcvBuf, 1000); err != nil {
		t.Fatal(err)
	}
	if got := must(server.GetSockopt(sfd, sock.OptRcvBuf)); got != 2304 {
		t.Fatalf("SO_RCVBUF 1000 reads back %d; Linux doubles it and floors it at 2304", got)
	}
	cfd := must(client.Socket(sock.SockUDP))
	for i := 0; i < 5; i++ {
		must(client.SendTo(cfd, make([]byte, 1000), ap("10.0.0.2:7007")))
	}
	tw.w.RunFor(time.Second)
	if n := tw.count(sock.KindDropped, "receive buffer"); n != 3 {
		t.Fatalf("%d drops for a full buffer, want 3 (2 of 5 fit in 2304 bytes)", n)
	}
	if d := tw.w.Host("b").Drops(); d["receive buffer of fd 3 is full (SO_RCVBUF 2304)"] != 3 {
		t.Fatalf("drop counters %v", d)
	}
}

func TestNonblockAndShutdown(t *testing.T) {
	_, _, server := pair(t, sock.LinkConfig{})
	fd := udpServer(t, server, "0.0.0.0:7007")
	if err := server.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	if _, err := server.RecvFrom(fd, 10); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("%v, want EAGAIN", err)
	}
	if err := server.Shutdown(fd, sock.ShutRd); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("shutdown of an unconnected UDP socket: %v, want ENOTCONN (as Linux)", err)
	}
	dg, err := server.RecvFrom(fd, 10)
	if err != nil || len(dg.Data) != 0 {
		t.Fatalf("after SHUT_RD recv gives end of file, got %+v %v", dg, err)
	}
	if err := server.Shutdown(fd, sock.ShutWr); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatal(err)
	}
	if _, err := server.SendTo(fd, []byte("x"), ap("10.0.0.1:9")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("%v, want EPIPE", err)
	}
	if r := server.Readiness(fd); r&sock.PollHup == 0 {
		t.Fatalf("readiness %v after shutting both ways, want HUP", r)
	}
}

func TestPoll(t *testing.T) {
	tw, client, server := pair(t, sock.LinkConfig{Delay: time.Millisecond})
	tw.neighbours(client, "10.0.0.2")
	a := udpServer(t, server, "0.0.0.0:7007")
	b := udpServer(t, server, "0.0.0.0:7008")
	cfd := must(client.Socket(sock.SockUDP))
	must(client.SendTo(cfd, []byte("x"), ap("10.0.0.2:7008")))
	tw.w.RunFor(time.Millisecond)
	set := []sock.PollFD{{FD: a, Events: sock.PollIn}, {FD: b, Events: sock.PollIn}, {FD: 99, Events: sock.PollIn}}
	if n := server.Poll(set); n != 2 {
		t.Fatalf("poll found %d, want 2 (fd %d readable and fd 99 invalid)", n, b)
	}
	if set[0].Revents != 0 || set[1].Revents != sock.PollIn || set[2].Revents != sock.PollNval {
		t.Fatalf("revents %v %v %v", set[0].Revents, set[1].Revents, set[2].Revents)
	}
	if tw.count(sock.KindPoll, "") != 1 {
		t.Fatal("poll should publish one event")
	}
}

func TestPing(t *testing.T) {
	tw, client, _ := pair(t, sock.LinkConfig{Delay: 3 * time.Millisecond})
	fd := must(client.Socket(sock.SockICMP))
	must(client.SendTo(fd, []byte("ping!"), ap("10.0.0.2:0")))
	tw.w.RunFor(16 * time.Millisecond) // an ARP round trip, then the ping's
	dg := must(client.RecvFrom(fd, 100))
	if dg.From.Addr().String() != "10.0.0.2" || string(dg.Data[8:]) != "ping!" || dg.Data[0] != 0 {
		t.Fatalf("got %+v, want an echo reply from 10.0.0.2 carrying the data", dg)
	}
}
