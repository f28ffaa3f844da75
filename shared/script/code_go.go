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
// counterpart the snippet says so in a comment line. Each snippet is a
// list of statements in a function that returns an error, after the
// snippets of the process's earlier calls: a variable (err, n, buf, c3,
// ...) is declared with := by the first snippet that needs it and
// assigned with = by the later ones, and each is used.

// goDef is := when one of names is new to the process's code (and
// declares them all), = when its earlier calls declared every one.
func goDef(k codeCtx, names ...string) string {
	op := "="
	for _, n := range names {
		if n != "_" && k.sc.first(n) {
			op = ":="
		}
	}
	return op
}

// goNew is the name of the value a call makes, or _ when the shell says
// the call fails: it makes none, and nothing would use it.
func goNew(k codeCtx, name string) string {
	if looksLikeErrno(k.expect) {
		return "_"
	}
	return name
}

// goMade is the check after a call that makes a Go value, and the
// value's Close when the function returns, as a Go program writes it (a
// close line closes it first; the second Close is an error no one
// reads); a failed call, whose value is _, has nothing to close.
func goMade(k codeCtx, name, example string) string {
	if name == "_" {
		return goCheck(k, example)
	}
	return lines(goCheck(k, example), "defer "+name+".Close()")
}

// goVar is the Go value's name for fd when net has made it (or when the
// Coder has not seen the fd, as for a line alone): ln3, pc3 or c3 (see
// goName); or "" and a comment saying why there is none.
func goVar(k codeCtx, what string) (name, none string) {
	if k.known && !k.s.made {
		return "", fmt.Sprintf("// %s %d: Go has made no socket for fd %d yet (net makes one at Listen, Dial or ListenPacket), so nothing to do here", what, k.c.FD, k.c.FD)
	}
	return goName(k.c.FD, k.s), ""
}

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
func goData(k codeCtx) (expr, setup string) {
	c := k.c
	if c.Data != nil {
		return "[]byte(" + strconv.Quote(string(c.Data)) + ")", ""
	}
	return "data", fmt.Sprintf("data %s make([]byte, %d) // size=%d: the shell sends a pattern of that many bytes", goDef(k, "data"), c.Size, c.Size)
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
		pc := goNew(k, fmt.Sprintf("pc%d", c.FD))
		return lines(
			fmt.Sprintf("%s, err %s net.ListenPacket(\"udp\", %q) // socket and bind in one", pc, goDef(k, pc, "err"), c.Addr.String()),
			goMade(k, pc, "bind: address already in use"))
	}
	name := fmt.Sprintf("laddr%d", c.FD)
	return fmt.Sprintf("%s %s %q // Go has no bind alone: net.Listen(\"tcp\", %s) binds a server, net.Dialer{LocalAddr: ...} a client", name, goDef(k, name), c.Addr.String(), name)
}

func goListen(k codeCtx) string {
	c := k.c
	// laddr3 is what bind said (a line alone takes it that there was
	// one); a listen without a bind takes any address and a port of the
	// kernel's choosing.
	addr := fmt.Sprintf("laddr%d", c.FD)
	switch {
	case k.sc.has(addr) || !k.known:
	case k.s.bound != "":
		addr = strconv.Quote(k.s.bound)
	default:
		addr = `":0"`
	}
	ln := goNew(k, fmt.Sprintf("ln%d", c.FD))
	return lines(
		"// socket, bind and listen in one; the backlog is the kernel's (net.core.somaxconn), not a parameter",
		fmt.Sprintf("%s, err %s net.Listen(\"tcp\", %s)", ln, goDef(k, ln, "err"), addr),
		goMade(k, ln, "bind: address already in use"))
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
	if laddr := fmt.Sprintf("laddr%d", c.FD); k.s.bound != "" && network == "tcp" && k.sc.has(laddr) {
		setup = append(setup, fmt.Sprintf("d %s net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(%s))} // the address bind gave", goDef(k, "d"), laddr))
		dial = fmt.Sprintf("d.Dial(%q, %q)", network, c.Addr.String())
	}
	if k.expect == "EINPROGRESS" {
		// Go's Dial waits for the handshake itself, in its goroutine.
		head += "; Go has no EINPROGRESS: Dial returns once connected"
		k.expect = ""
	}
	conn := goNew(k, fmt.Sprintf("c%d", c.FD))
	return lines(append(append([]string{head}, setup...),
		fmt.Sprintf("%s, err %s %s", conn, goDef(k, conn, "err"), dial),
		goMade(k, conn, "connect: connection refused"))...)
}

func goAccept(k codeCtx) string {
	conn := goNew(k, fmt.Sprintf("c%d", k.newFD))
	return lines(
		fmt.Sprintf("%s, err %s ln%d.Accept() // a new connection, and a new fd; c%d.RemoteAddr() is who", conn, goDef(k, conn, "err"), k.c.FD, k.newFD),
		goMade(k, conn, ""))
}

func goSend(k codeCtx) string {
	c := k.c
	if _, none := goVar(k, "send"); none != "" {
		return none
	}
	expr, setup := goData(k)
	note := "returns once all of it is in the send buffer"
	if k.s.typ == sock.SockUDP {
		note = "one datagram, to the peer connect fixed"
	}
	call := fmt.Sprintf("n, err %s %s.Write(%s) // %s", goDef(k, "n", "err"), goStream(c.FD, k.s), expr, note)
	out := []string{call, goCheck(k, "write: broken pipe")}
	if setup != "" {
		out = append([]string{setup}, out...)
	}
	return lines(append(out, "_ = n")...)
}

func goSendTo(k codeCtx) string {
	c := k.c
	expr, setup := goData(k)
	var out []string
	if !k.s.made {
		// The socket is made here even when the sendto fails: it is
		// WriteTo that fails.
		pc := fmt.Sprintf("pc%d", c.FD)
		out = append(out,
			fmt.Sprintf("%s, err %s net.ListenPacket(\"udp\", \":0\") // Go has no unbound socket: the port sendto would pick, made now", pc, goDef(k, pc, "err")),
			"if err != nil {\n\treturn err\n}",
			"defer "+pc+".Close()")
		k.s = &codeSock{typ: sock.SockUDP, made: true}
	}
	out = append(out, []string{
		fmt.Sprintf("to %s net.UDPAddrFromAddrPort(netip.MustParseAddrPort(%q))", goDef(k, "to"), c.Addr.String()),
		fmt.Sprintf("n, err %s %s.WriteTo(%s, to) // one datagram", goDef(k, "n", "err"), goPacket(c.FD, k.s), expr),
		goCheck(k, "sendto: message too long"),
		"_ = n",
	}...)
	if setup != "" {
		out = append([]string{setup}, out...)
	}
	return lines(out...)
}

// goStream is the Go value a send or recv uses: an unconnected UDP
// socket is a net.PacketConn, whose *net.UDPConn has Write (which fails
// as send does, with no peer to send to) and Read.
func goStream(fd int, s *codeSock) string {
	if name := goName(fd, s); strings.HasPrefix(name, "pc") {
		return name + ".(*net.UDPConn)"
	}
	return goName(fd, s)
}

func goRecv(k codeCtx) string {
	c := k.c
	name, none := goVar(k, "recv")
	if none != "" {
		return none
	}
	name = goStream(c.FD, k.s)
	if c.All {
		return lines(
			fmt.Sprintf("data, err %s io.ReadAll(%s) // reads to end of file", goDef(k, "data", "err"), name),
			goCheck(k, ""),
			"fmt.Printf(\"%d bytes sha256=%x\\n\", len(data), sha256.Sum256(data))")
	}
	return lines(
		fmt.Sprintf("buf %s make([]byte, %d)", goDef(k, "buf"), c.N),
		fmt.Sprintf("n, err %s %s.Read(buf) // end of file is io.EOF here, where C's recv returns 0", goDef(k, "n", "err"), name),
		"if err != nil && err != io.EOF {",
		"\treturn err",
		"}",
		"_ = n")
}

// goPacket is the Go value a sendto or recvfrom uses: a connected UDP
// socket is a net.Conn, whose *net.UDPConn has WriteTo and ReadFrom.
func goPacket(fd int, s *codeSock) string {
	if name := goName(fd, s); !strings.HasPrefix(name, "pc") {
		return name + ".(*net.UDPConn)"
	}
	return "pc" + strconv.Itoa(fd)
}

func goRecvFrom(k codeCtx) string {
	c := k.c
	if _, none := goVar(k, "recvfrom"); none != "" {
		return none
	}
	return lines(
		fmt.Sprintf("buf %s make([]byte, %d)", goDef(k, "buf"), c.N),
		fmt.Sprintf("n, from, err %s %s.ReadFrom(buf) // one datagram, and who sent it", goDef(k, "n", "from", "err"), goPacket(c.FD, k.s)),
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
	case sock.OptUserTimeout:
		// Package syscall is frozen without the name; the number is
		// Linux's, which golang.org/x/sys/unix calls TCP_USER_TIMEOUT.
		return "syscall.IPPROTO_TCP", "18 /* unix.TCP_USER_TIMEOUT */"
	default:
		level = "syscall.SOL_SOCKET"
	}
	return level, "syscall." + opt.String()
}

// goRawConn reaches the fd under a Go socket, for the options net has no
// method for.
func goRawConn(k codeCtx, name, body string) string {
	return lines(
		fmt.Sprintf("rc, err %s %s.(syscall.Conn).SyscallConn()", goDef(k, "rc", "err"), name),
		"if err != nil {",
		"\treturn err",
		"}",
		"rc.Control(func(fd uintptr) {",
		"\t"+body,
		"})",
		goCheck(k, ""))
}

func goSetsockopt(k codeCtx) string {
	c := k.c
	if k.known && !k.s.made || c.Opt == sock.OptReuseAddr {
		return goControl(k)
	}
	name := goName(c.FD, k.s)
	conv := "*net.TCPConn"
	if k.s.typ == sock.SockUDP {
		conv = "*net.UDPConn"
	}
	tcpConn := k.s.typ != sock.SockUDP && !k.s.listening
	var call string
	switch {
	case c.Opt == sock.OptRcvTimeo && k.s.listening:
		call = lines(
			"// Go has deadlines instead of SO_RCVTIMEO; a listener's is Accept's: it fails with os.ErrDeadlineExceeded (Linux's EAGAIN)",
			fmt.Sprintf("err %s %s.(*net.TCPListener).SetDeadline(time.Now().Add(%d * time.Millisecond))", goDef(k, "err"), name, c.Value))
	case c.Opt == sock.OptRcvTimeo:
		call = lines(
			"// Go has deadlines instead of SO_RCVTIMEO: set one before each read; it fails with os.ErrDeadlineExceeded (Linux's EAGAIN)",
			fmt.Sprintf("err %s %s.SetReadDeadline(time.Now().Add(%d * time.Millisecond))", goDef(k, "err"), name, c.Value))
	case k.s.listening:
		// A listener has no option methods but its deadline.
	case c.Opt == sock.OptNoDelay && tcpConn:
		call = fmt.Sprintf("err %s %s.(*net.TCPConn).SetNoDelay(%t) // Go's TCP sockets start with it on", goDef(k, "err"), name, c.Value != 0)
	case c.Opt == sock.OptLinger && tcpConn:
		call = fmt.Sprintf("err %s %s.(*net.TCPConn).SetLinger(%d) // 0: close sends RST; -1: the default", goDef(k, "err"), name, c.Value)
	case c.Opt == sock.OptRcvBuf:
		call = fmt.Sprintf("err %s %s.(%s).SetReadBuffer(%d)", goDef(k, "err"), name, conv, c.Value)
	case c.Opt == sock.OptSndBuf:
		call = fmt.Sprintf("err %s %s.(%s).SetWriteBuffer(%d)", goDef(k, "err"), name, conv, c.Value)
	}
	if call != "" {
		return lines(call, goCheck(k, ""))
	}
	return lines(
		fmt.Sprintf("// net has no method for %v: syscall.RawConn reaches the fd", c.Opt),
		goRawConn(k, name, "err = "+goSetInt(c)))
}

// goSetInt is the syscall that sets c's option on fd, by its value's kind.
func goSetInt(c Call) string {
	level, opt := goOpt(c.Opt)
	switch c.Opt {
	case sock.OptRcvTimeo:
		return fmt.Sprintf("syscall.SetsockoptTimeval(int(fd), %s, %s, &syscall.Timeval{Sec: %d, Usec: %d})", level, opt, c.Value/1000, c.Value%1000*1000)
	case sock.OptLinger:
		on, secs := 1, c.Value
		if c.Value < 0 {
			on, secs = 0, 0
		}
		return fmt.Sprintf("syscall.SetsockoptLinger(int(fd), %s, %s, &syscall.Linger{Onoff: %d, Linger: %d})", level, opt, on, secs)
	}
	return fmt.Sprintf("syscall.SetsockoptInt(int(fd), %s, %s, %d)", level, opt, c.Value)
}

// goControl sets an option on a socket before net makes it (or, for
// SO_REUSEADDR, before its bind): a ListenConfig's Control function runs
// on the fd as it is made.
func goControl(k codeCtx) string {
	c := k.c
	head := fmt.Sprintf("// fd %d is no Go value yet (net makes the socket at Listen, Dial or ListenPacket): a ListenConfig (or a net.Dialer) sets %v in its Control function, as it makes it:", c.FD, c.Opt)
	if c.Opt == sock.OptReuseAddr {
		head = "// Go sets SO_REUSEADDR on every TCP listener itself; for another socket, a ListenConfig sets it before bind:"
	}
	return lines(head,
		fmt.Sprintf("lc %s net.ListenConfig{Control: func(network, address string, rc syscall.RawConn) error {", goDef(k, "lc")),
		"\treturn rc.Control(func(fd uintptr) {",
		"\t\t"+goSetInt(c),
		"\t})",
		"}}",
		"_ = lc // lc.Listen(ctx, \"tcp\", ADDR) or lc.ListenPacket(ctx, \"udp\", ADDR) instead of net.Listen or net.ListenPacket")
}

func goGetsockopt(k codeCtx) string {
	c := k.c
	name, none := goVar(k, "getsockopt")
	if none != "" {
		return none
	}
	level, opt := goOpt(c.Opt)
	out := []string{fmt.Sprintf("// net has no method for %v: syscall.RawConn reaches the fd", c.Opt)}
	if c.Opt == sock.OptError {
		out[0] = "// net.Dial reads SO_ERROR itself and returns the error; to read it by hand, syscall.RawConn reaches the fd"
	}
	if k.sc.first("v") {
		out = append(out, "var v int")
	}
	return lines(append(out,
		goRawConn(k, name, fmt.Sprintf("v, err = syscall.GetsockoptInt(int(fd), %s, %s)", level, opt)),
		"fmt.Println(\"=>\", v) // the option's value, as the shell prints it")...)
}

func goShutdown(k codeCtx) string {
	v, none := goVar(k, "shutdown")
	if none != "" {
		return none
	}
	if k.s.typ == sock.SockUDP || k.s.listening {
		return fmt.Sprintf("// shutdown %d: Go's UDP sockets and listeners have no CloseRead or CloseWrite; Close is what they have", k.c.FD)
	}
	name := v + ".(*net.TCPConn)"
	var call string
	switch k.c.How {
	case sock.ShutRd:
		call = fmt.Sprintf("err %s %s.CloseRead() // shutdown(SHUT_RD)", goDef(k, "err"), name)
	case sock.ShutWr:
		call = fmt.Sprintf("err %s %s.CloseWrite() // shutdown(SHUT_WR): a FIN; the peer reads end of file", goDef(k, "err"), name)
	default:
		call = lines(
			fmt.Sprintf("err %s %s.CloseRead() // shutdown(SHUT_RDWR) is both", goDef(k, "err"), name),
			goCheck(k, ""),
			fmt.Sprintf("err = %s.CloseWrite()", name))
	}
	return lines(call, goCheck(k, ""))
}

func goClose(k codeCtx) string {
	name, none := goVar(k, "close")
	if none != "" {
		// What bind said, kept for a Listen or Dial that never came.
		if laddr := fmt.Sprintf("laddr%d", k.c.FD); k.sc.has(laddr) {
			return lines(none, "_ = "+laddr)
		}
		return none
	}
	return lines(fmt.Sprintf("err %s %s.Close()", goDef(k, "err"), name), goCheck(k, "close: bad file descriptor"))
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
	out := []string{
		"// Go has no poll: its runtime polls (epoll) under every blocked Read and Accept, so a program",
		fmt.Sprintf("// gives each socket (fds %s) a goroutine that sends on ready when its call returns, and waits for the first:", strings.Join(fds, ", ")),
	}
	if k.sc.first("ready") {
		out = append(out, "ready := make(chan int) // the goroutines send their fds here")
	}
	switch {
	case !k.sc.first("timeout"):
		out = append(out, "timeout = "+timeout)
	case c.Infinite:
		out = append(out, "var timeout <-chan time.Time // nil: no timeout, wait for ever")
	default:
		out = append(out, "timeout := "+timeout)
	}
	return lines(append(out,
		"select {",
		"case fd := <-ready:",
		"\t_ = fd",
		"case <-timeout:",
		"}")...)
}

func goNonblock(k codeCtx) string {
	name, none := goVar(k, "nonblock")
	if none != "" {
		return none
	}
	if k.s.listening {
		name += ".(*net.TCPListener)"
	}
	if k.c.Value == 0 {
		return lines(fmt.Sprintf("err %s %s.SetDeadline(time.Time{}) // no deadline: calls wait again", goDef(k, "err"), name), goCheck(k, ""))
	}
	return lines(
		"// Go's sockets are non-blocking underneath, and its calls block only the goroutine; a deadline",
		"// in the past makes them return at once with os.ErrDeadlineExceeded, Linux's EAGAIN",
		fmt.Sprintf("err %s %s.SetDeadline(time.Now())", goDef(k, "err"), name),
		goCheck(k, ""))
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
