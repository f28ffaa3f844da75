package script

import (
	"fmt"
	"strconv"
	"strings"

	"socketville/shared/sock"
)

// The Go snippets: Go's net package, which folds several BSD calls into one
// (net.Listen is socket, bind and listen) and has no poll, since its
// runtime polls under every blocked goroutine. Where a call has no one-to-one
// counterpart the snippet says so in a comment line.

// goName is the Go variable for a process's fd: ln3 a listener, pc3 an
// unconnected UDP socket, c3 a connection.
func goName(fd int, s *codeSock) string {
	switch {
	case s.listening:
		return "ln" + strconv.Itoa(fd)
	case s.typ == sock.SockUDP && !s.connected:
		return "pc" + strconv.Itoa(fd)
	}
	return "c" + strconv.Itoa(fd)
}

// goCheck is the error check after a call, with what the shell would say.
func goCheck(k codeCtx, example string) string {
	note := ""
	if looksLikeErrno(k.expect) {
		note = " // the shell's " + k.expect
	} else if example != "" {
		note = " // e.g. " + example
	}
	return "if err != nil {\n\treturn err" + note + "\n}"
}

// goData is a send's data as a Go expression, and the line that makes it.
func goData(c Call) (expr, setup string) {
	if c.Data != nil {
		return "[]byte(" + strconv.Quote(string(c.Data)) + ")", ""
	}
	return "data", fmt.Sprintf("data := make([]byte, %d) // size=%d: the shell sends a pattern of that many bytes", c.Size, c.Size)
}

func goSocket(k codeCtx) string {
	switch k.c.Type {
	case sock.SockUDP:
		return fmt.Sprintf("// socket udp (fd %d): no call of its own in Go: net.ListenPacket(\"udp\", ADDR) makes and binds a UDP socket, net.Dial(\"udp\", ADDR) makes and connects one", k.newFD)
	case sock.SockICMP:
		return fmt.Sprintf("// socket icmp (fd %d): Linux's ping socket; in Go, golang.org/x/net/icmp.ListenPacket(\"udp4\", \"0.0.0.0\")", k.newFD)
	}
	return fmt.Sprintf("// socket tcp (fd %d): no call of its own in Go: net.Listen makes a server's socket with its bind and listen, net.Dial a client's with its connect", k.newFD)
}

func goBind(k codeCtx) string {
	c := k.c
	if k.s.typ == sock.SockUDP {
		return lines(
			fmt.Sprintf("pc%d, err := net.ListenPacket(\"udp\", %q) // socket and bind in one", c.FD, c.Addr.String()),
			goCheck(k, "bind: address already in use"))
	}
	return fmt.Sprintf("laddr%d := %q // Go has no bind alone: net.Listen(\"tcp\", laddr%d) binds a server, net.Dialer{LocalAddr: ...} a client", c.FD, c.Addr.String(), c.FD)
}

func goListen(k codeCtx) string {
	c := k.c
	addr := fmt.Sprintf("laddr%d", c.FD)
	if k.s.bound != "" {
		addr = strconv.Quote(k.s.bound)
	}
	return lines(
		"// socket, bind and listen in one; the backlog is the kernel's (net.core.somaxconn), not a parameter",
		fmt.Sprintf("ln%d, err := net.Listen(\"tcp\", %s)", c.FD, addr),
		goCheck(k, "bind: address already in use"))
}

func goConnect(k codeCtx) string {
	c := k.c
	network := "tcp"
	if k.s.typ == sock.SockUDP {
		network = "udp"
	}
	dial := fmt.Sprintf("net.Dial(%q, %q)", network, c.Addr.String())
	head := "// socket, an ephemeral port and connect in one; a TCP Dial returns after the handshake"
	if network == "udp" {
		head = "// Go connects a UDP socket as it makes it: no packet goes out, it only fixes the peer"
	}
	var setup []string
	if k.s.bound != "" {
		setup = append(setup, fmt.Sprintf("d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(%q))} // the address bind gave", k.s.bound))
		dial = fmt.Sprintf("d.Dial(%q, %q)", network, c.Addr.String())
	}
	return lines(append(append([]string{head}, setup...),
		fmt.Sprintf("c%d, err := %s", c.FD, dial),
		goCheck(k, "connect: connection refused"))...)
}

func goAccept(k codeCtx) string {
	return lines(
		fmt.Sprintf("c%d, err := ln%d.Accept() // a new connection, and a new fd; c%d.RemoteAddr() is who", k.newFD, k.c.FD, k.newFD),
		goCheck(k, ""))
}

func goSend(k codeCtx) string {
	c := k.c
	expr, setup := goData(c)
	note := "returns once all of it is in the send buffer"
	if k.s.typ == sock.SockUDP {
		note = "one datagram, to the peer connect fixed"
	}
	call := fmt.Sprintf("n, err := %s.Write(%s) // %s", goName(c.FD, k.s), expr, note)
	out := []string{call, goCheck(k, "write: broken pipe")}
	if setup != "" {
		out = append([]string{setup}, out...)
	}
	return lines(append(out, "_ = n")...)
}

func goSendTo(k codeCtx) string {
	c := k.c
	expr, setup := goData(c)
	var out []string
	if !k.s.made {
		out = append(out, fmt.Sprintf("pc%d, err := net.ListenPacket(\"udp\", \":0\") // Go has no unbound socket: the port sendto would pick, made now", c.FD))
		k.s = &codeSock{typ: sock.SockUDP, made: true}
	}
	out = append(out, []string{
		fmt.Sprintf("to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(%q))", c.Addr.String()),
		fmt.Sprintf("n, err := %s.WriteTo(%s, to) // one datagram", goName(c.FD, k.s), expr),
		goCheck(k, "sendto: message too long"),
		"_ = n",
	}...)
	if setup != "" {
		out = append([]string{setup}, out...)
	}
	return lines(out...)
}

func goRecv(k codeCtx) string {
	c := k.c
	name := goName(c.FD, k.s)
	if c.All {
		return lines(
			fmt.Sprintf("data, err := io.ReadAll(%s) // reads to end of file", name),
			goCheck(k, ""),
			"fmt.Printf(\"%d bytes sha256=%x\\n\", len(data), sha256.Sum256(data))")
	}
	return lines(
		fmt.Sprintf("buf := make([]byte, %d)", c.N),
		fmt.Sprintf("n, err := %s.Read(buf) // end of file is io.EOF here, where C's recv returns 0", name),
		"if err != nil && err != io.EOF {",
		"\treturn err",
		"}",
		"_ = n")
}

func goRecvFrom(k codeCtx) string {
	c := k.c
	return lines(
		fmt.Sprintf("buf := make([]byte, %d)", c.N),
		fmt.Sprintf("n, from, err := %s.ReadFrom(buf) // one datagram, and who sent it", goName(c.FD, k.s)),
		goCheck(k, ""),
		"_, _ = n, from")
}

// goOpt is an option's level and name in package syscall, and the value
// setsockopt's int takes.
func goOpt(opt sock.SockOpt) (level, name string) {
	switch opt {
	case sock.OptTTL, sock.OptRecvErr, sock.OptMTUDiscover, sock.OptMTU:
		level = "syscall.IPPROTO_IP"
	case sock.OptNoDelay:
		level = "syscall.IPPROTO_TCP"
	default:
		level = "syscall.SOL_SOCKET"
	}
	return level, "syscall." + opt.String()
}

// goRawConn reaches the fd under a Go socket, for the options net has no
// method for.
func goRawConn(name, body string) string {
	return lines(
		fmt.Sprintf("rc, err := %s.(syscall.Conn).SyscallConn()", name),
		"if err != nil {",
		"\treturn err",
		"}",
		"rc.Control(func(fd uintptr) {",
		"\t"+body,
		"})")
}

func goSetsockopt(k codeCtx) string {
	c := k.c
	name := goName(c.FD, k.s)
	conv := "*net.TCPConn"
	if k.s.typ == sock.SockUDP {
		conv = "*net.UDPConn"
	}
	switch c.Opt {
	case sock.OptNoDelay:
		return fmt.Sprintf("err := %s.(*net.TCPConn).SetNoDelay(%t) // Go's TCP sockets start with it on", name, c.Value != 0)
	case sock.OptLinger:
		return fmt.Sprintf("err := %s.(*net.TCPConn).SetLinger(%d) // 0: close sends RST; -1: the default", name, c.Value)
	case sock.OptRcvBuf:
		return fmt.Sprintf("err := %s.(%s).SetReadBuffer(%d)", name, conv, c.Value)
	case sock.OptSndBuf:
		return fmt.Sprintf("err := %s.(%s).SetWriteBuffer(%d)", name, conv, c.Value)
	case sock.OptRcvTimeo:
		return lines(
			"// Go has deadlines instead of SO_RCVTIMEO: set one before each read; it fails with os.ErrDeadlineExceeded (Linux's EAGAIN)",
			fmt.Sprintf("err := %s.SetReadDeadline(time.Now().Add(%d * time.Millisecond))", name, c.Value))
	case sock.OptReuseAddr:
		return lines(
			"// Go sets SO_REUSEADDR on every TCP listener itself; for another socket, a ListenConfig sets it before bind:",
			"lc := net.ListenConfig{Control: func(network, address string, rc syscall.RawConn) error {",
			"\treturn rc.Control(func(fd uintptr) {",
			fmt.Sprintf("\t\tsyscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, %d)", c.Value),
			"\t})",
			"}}",
			"_ = lc // lc.ListenPacket(ctx, \"udp\", ADDR) instead of net.ListenPacket")
	}
	level, opt := goOpt(c.Opt)
	return lines(
		fmt.Sprintf("// net has no method for %v: syscall.RawConn reaches the fd", c.Opt),
		goRawConn(name, fmt.Sprintf("err = syscall.SetsockoptInt(int(fd), %s, %s, %d)", level, opt, c.Value)))
}

func goGetsockopt(k codeCtx) string {
	c := k.c
	level, opt := goOpt(c.Opt)
	head := fmt.Sprintf("// net has no method for %v: syscall.RawConn reaches the fd", c.Opt)
	if c.Opt == sock.OptError {
		head = "// net.Dial reads SO_ERROR itself and returns the error; to read it by hand, syscall.RawConn reaches the fd"
	}
	return lines(head,
		"var v int",
		goRawConn(goName(c.FD, k.s), fmt.Sprintf("v, err = syscall.GetsockoptInt(int(fd), %s, %s)", level, opt)))
}

func goShutdown(k codeCtx) string {
	name := goName(k.c.FD, k.s) + ".(*net.TCPConn)"
	switch k.c.How {
	case sock.ShutRd:
		return fmt.Sprintf("err := %s.CloseRead() // shutdown(SHUT_RD)", name)
	case sock.ShutWr:
		return fmt.Sprintf("err := %s.CloseWrite() // shutdown(SHUT_WR): a FIN; the peer reads end of file", name)
	}
	return lines(
		fmt.Sprintf("err := %s.CloseRead() // shutdown(SHUT_RDWR) is both", name),
		fmt.Sprintf("err = %s.CloseWrite()", name))
}

func goClose(k codeCtx) string {
	return fmt.Sprintf("err := %s.Close()", goName(k.c.FD, k.s))
}

func goPoll(k codeCtx) string {
	c := k.c
	timeout := "nil // no timeout: wait for ever"
	if !c.Infinite {
		timeout = fmt.Sprintf("time.After(%d * time.Millisecond)", c.Timeout.Milliseconds())
	}
	fds := make([]string, len(c.FDs))
	for i, fd := range c.FDs {
		fds[i] = strconv.Itoa(fd)
	}
	return lines(
		"// Go has no poll: its runtime polls (epoll) under every blocked Read and Accept, so a program",
		fmt.Sprintf("// gives each socket (fds %s) a goroutine that sends on ready when its call returns, and waits for the first:", strings.Join(fds, ", ")),
		"var timeout <-chan time.Time = "+timeout,
		"select {",
		"case fd := <-ready:",
		"\t_ = fd",
		"case <-timeout:",
		"}")
}

func goNonblock(k codeCtx) string {
	name := goName(k.c.FD, k.s)
	if k.c.Value == 0 {
		return fmt.Sprintf("err := %s.SetDeadline(time.Time{}) // no deadline: calls wait again", name)
	}
	return lines(
		"// Go's sockets are non-blocking underneath, and its calls block only the goroutine; a deadline",
		"// in the past makes them return at once with os.ErrDeadlineExceeded, Linux's EAGAIN",
		fmt.Sprintf("err := %s.SetDeadline(time.Now())", name))
}

func goPing(k codeCtx) string {
	return lines(
		fmt.Sprintf("// ping %v is a program, not one call: an ICMP echo socket (golang.org/x/net/icmp.ListenPacket(\"udp4\", \"0.0.0.0\")),", k.c.PingAddr),
		"// an icmp.Message{Type: ipv4.ICMPTypeEcho} sent with WriteTo once a second, and ReadFrom for each reply")
}

func goTraceroute(k codeCtx) string {
	return lines(
		fmt.Sprintf("// traceroute %v is a program: UDP probes (net.ListenPacket(\"udp\", \":0\")) with TTL 1, 2, 3, ...", k.c.PingAddr),
		"// (golang.org/x/net/ipv4.NewPacketConn(pc).SetTTL), and the ICMP time exceeded each router sends back")
}
