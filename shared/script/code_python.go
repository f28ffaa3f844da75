package script

import (
	"fmt"
	"net/netip"
	"strings"

	"socketville/shared/sock"
)

// The Python snippets: the socket module, a thin layer over BSD sockets
// that raises OSError (errno in e.errno) where C returns -1. A socket is
// s3 for fd 3 (s3.fileno() is 3). They need "import socket", "select" and
// "struct" (PythonImports).

// PythonImports is the import line the Python snippets need.
const PythonImports = "import select, socket, struct, time"

func pyName(fd int) string { return fmt.Sprintf("s%d", fd) }

func pyAddr(ap netip.AddrPort) string {
	return fmt.Sprintf("(%q, %d)", ap.Addr().String(), ap.Port())
}

// pyNote is a call's trailing comment: the shell's expected errno, or the
// errors to expect.
func pyNote(k codeCtx, errors string) string {
	if looksLikeErrno(k.expect) {
		return "  # the shell's " + k.expect + ": OSError with e.errno == errno." + k.expect
	}
	if errors != "" {
		return "  # raises " + errors
	}
	return ""
}

func pyData(c Call) (expr, setup string) {
	if c.Data != nil {
		return pyBytes(c.Data), ""
	}
	return "data", fmt.Sprintf("data = bytes(%d)  # size=%d: the shell sends a pattern of that many bytes", c.Size, c.Size)
}

func pySocket(k codeCtx) string {
	kind := "socket.SOCK_STREAM"
	switch k.c.Type {
	case sock.SockUDP:
		kind = "socket.SOCK_DGRAM"
	case sock.SockICMP:
		kind = "socket.SOCK_DGRAM, socket.IPPROTO_ICMP"
	}
	return fmt.Sprintf("%s = socket.socket(socket.AF_INET, %s)  # %s.fileno() == %d", pyName(k.newFD), kind, pyName(k.newFD), k.newFD)
}

func pyBind(k codeCtx) string {
	return fmt.Sprintf("%s.bind(%s)%s", pyName(k.c.FD), pyAddr(k.c.Addr), pyNote(k, "OSError: EADDRINUSE, EACCES (PermissionError) below port 1024"))
}

func pyListen(k codeCtx) string {
	return fmt.Sprintf("%s.listen(%d)%s", pyName(k.c.FD), k.c.N, pyNote(k, ""))
}

func pyConnect(k codeCtx) string {
	return fmt.Sprintf("%s.connect(%s)%s", pyName(k.c.FD), pyAddr(k.c.Addr), pyNote(k, "ConnectionRefusedError, TimeoutError; BlockingIOError (EINPROGRESS) when non-blocking"))
}

func pyAccept(k codeCtx) string {
	return fmt.Sprintf("%s, addr = %s.accept()  # a new socket for the connection, and who it is from", pyName(k.newFD), pyName(k.c.FD))
}

func pySend(k codeCtx) string {
	c := k.c
	expr, setup := pyData(c)
	call := fmt.Sprintf("n = %s.send(%s)%s", pyName(c.FD), expr, pyNote(k, ""))
	if k.s.typ != sock.SockUDP {
		call = fmt.Sprintf("%s.sendall(%s)  # all of it, as the shell's blocking send%s", pyName(c.FD), expr, strings.Replace(pyNote(k, "BrokenPipeError, ConnectionResetError"), "  #", ";", 1))
	}
	if setup != "" {
		return lines(setup, call)
	}
	return call
}

func pySendTo(k codeCtx) string {
	c := k.c
	expr, setup := pyData(c)
	call := fmt.Sprintf("n = %s.sendto(%s, %s)%s", pyName(c.FD), expr, pyAddr(c.Addr), pyNote(k, "OSError: EMSGSIZE, ENETUNREACH"))
	if setup != "" {
		return lines(setup, call)
	}
	return call
}

func pyRecv(k codeCtx) string {
	c := k.c
	if c.All {
		return fmt.Sprintf("data = b\"\".join(iter(lambda: %s.recv(65536), b\"\"))  # to end of file", pyName(c.FD))
	}
	return fmt.Sprintf("data = %s.recv(%d)  # b\"\" is end of file%s", pyName(c.FD), c.N, strings.Replace(pyNote(k, ""), "  #", ";", 1))
}

func pyRecvFrom(k codeCtx) string {
	return fmt.Sprintf("data, addr = %s.recvfrom(%d)%s", pyName(k.c.FD), k.c.N, pyNote(k, "BlockingIOError (EAGAIN) when non-blocking"))
}

// pyOpt is an option's level and name in Python; the socket module lacks
// Linux's IP_RECVERR, IP_MTU_DISCOVER and IP_MTU, whose numbers come from
// <linux/in.h>.
func pyOpt(opt sock.SockOpt) (level, name string) {
	switch opt {
	case sock.OptRecvErr:
		return "socket.IPPROTO_IP", "11"
	case sock.OptMTUDiscover:
		return "socket.IPPROTO_IP", "10"
	case sock.OptMTU:
		return "socket.IPPROTO_IP", "14"
	case sock.OptTTL:
		return "socket.IPPROTO_IP", "socket.IP_TTL"
	case sock.OptNoDelay:
		return "socket.IPPROTO_TCP", "socket.TCP_NODELAY"
	case sock.OptUserTimeout:
		return "socket.IPPROTO_TCP", "socket.TCP_USER_TIMEOUT"
	}
	return "socket.SOL_SOCKET", "socket." + opt.String()
}

func pySetsockopt(k codeCtx) string {
	c := k.c
	level, name := pyOpt(c.Opt)
	value := fmt.Sprint(c.Value)
	note := ""
	switch c.Opt {
	case sock.OptRcvTimeo:
		value = fmt.Sprintf("struct.pack(\"ll\", %d, %d)", c.Value/1000, c.Value%1000*1000)
		note = "  # a struct timeval; s.settimeout() is Python's own way"
	case sock.OptLinger:
		on, secs := 1, c.Value
		if c.Value < 0 {
			on, secs = 0, 0
		}
		value = fmt.Sprintf("struct.pack(\"ii\", %d, %d)", on, secs)
		note = "  # a struct linger"
	case sock.OptRecvErr, sock.OptMTUDiscover:
		note = fmt.Sprintf("  # %s is %s in <linux/in.h>; the socket module has no name for it", c.Opt, name)
	}
	if n := pyNote(k, ""); n != "" {
		note = n
	}
	return fmt.Sprintf("%s.setsockopt(%s, %s, %s)%s", pyName(c.FD), level, name, value, note)
}

func pyGetsockopt(k codeCtx) string {
	level, name := pyOpt(k.c.Opt)
	note := pyNote(k, "")
	if k.c.Opt == sock.OptMTU {
		note = "  # IP_MTU is 14 in <linux/in.h>"
	}
	return fmt.Sprintf("v = %s.getsockopt(%s, %s)%s", pyName(k.c.FD), level, name, note)
}

func pyShutdown(k codeCtx) string {
	how := [...]string{"SHUT_RD", "SHUT_WR", "SHUT_RDWR"}[min(int(k.c.How), 2)]
	return fmt.Sprintf("%s.shutdown(socket.%s)%s", pyName(k.c.FD), how, pyNote(k, ""))
}

func pyClose(k codeCtx) string {
	return fmt.Sprintf("%s.close()%s", pyName(k.c.FD), pyNote(k, ""))
}

func pyPoll(k codeCtx) string {
	c := k.c
	var ev []string
	if c.Events&sock.PollIn != 0 {
		ev = append(ev, "select.POLLIN")
	}
	if c.Events&sock.PollOut != 0 {
		ev = append(ev, "select.POLLOUT")
	}
	out := []string{"p = select.poll()"}
	for _, fd := range c.FDs {
		out = append(out, fmt.Sprintf("p.register(%s, %s)", pyName(fd), strings.Join(ev, " | ")))
	}
	timeout := "None"
	if !c.Infinite {
		timeout = fmt.Sprint(c.Timeout.Milliseconds())
	}
	return lines(append(out, fmt.Sprintf("ready = p.poll(%s)  # [(fd, events), ...] for the ready ones; ms, None for no timeout", timeout))...)
}

func pyNonblock(k codeCtx) string {
	if k.c.Value == 0 {
		return fmt.Sprintf("%s.setblocking(True)", pyName(k.c.FD))
	}
	return fmt.Sprintf("%s.setblocking(False)  # calls that would wait raise BlockingIOError (EAGAIN)", pyName(k.c.FD))
}

func pyPing(k codeCtx) string {
	return lines(
		fmt.Sprintf("# ping %v is a program, not one call: a ping socket, an ICMP echo request a second, and recvfrom for the replies", k.c.PingAddr),
		"s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)")
}

func pyTraceroute(k codeCtx) string {
	return lines(
		fmt.Sprintf("# traceroute %v is a program: UDP probes with IP_TTL 1, 2, 3, ... and the ICMP time exceeded", k.c.PingAddr),
		"# each router sends back, read with IP_RECVERR (11) and recvmsg(..., socket.MSG_ERRQUEUE)",
		"s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
		"s.setsockopt(socket.IPPROTO_IP, 11, 1)")
}
