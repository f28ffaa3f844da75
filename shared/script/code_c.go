package script

import (
	"fmt"
	"net/netip"
	"strings"

	"socketville/shared/sock"
)

// The C snippets: BSD sockets as Linux has them, one call for each line,
// with the fd as the shell numbers it (it is the same number in C) and an
// error check that prints errno's words with perror. Each snippet is a
// list of statements that compiles inside a block of a function, with the
// headers CIncludes lists.

// CIncludes are the headers the C snippets need, one #include a line.
const CIncludes = `#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>`

// cAddr declares addr, a struct sockaddr_in for ap.
func cAddr(ap netip.AddrPort) string {
	return lines(
		fmt.Sprintf("struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(%d)};", ap.Port()),
		fmt.Sprintf("inet_pton(AF_INET, %q, &addr.sin_addr);", ap.Addr().String()))
}

// cCheck is the usual check of a call that returns -1 and sets errno.
func cCheck(call, name string, k codeCtx, errnos string) string {
	note := ""
	if looksLikeErrno(k.expect) {
		note = " /* the shell's " + k.expect + " */"
	} else if errnos != "" {
		note = " /* errno: " + errnos + " */"
	}
	return lines("if ("+call+" < 0)", "    perror(\""+name+"\");"+note)
}

// cData declares buf and len, the data a send writes.
func cData(c Call) string {
	if c.Data != nil {
		return fmt.Sprintf("const char buf[] = %s;\nsize_t len = sizeof buf - 1;", cBytes(c.Data))
	}
	return fmt.Sprintf("size_t len = %d;\nchar *buf = calloc(len, 1); /* size=%d: the shell sends a pattern of that many bytes */", c.Size, c.Size)
}

func cSocket(k codeCtx) string {
	kind := "SOCK_STREAM, 0"
	switch k.c.Type {
	case sock.SockUDP:
		kind = "SOCK_DGRAM, 0"
	case sock.SockICMP:
		kind = "SOCK_DGRAM, IPPROTO_ICMP /* Linux's ping socket */"
	}
	return lines(
		fmt.Sprintf("int fd = socket(AF_INET, %s); /* the lowest free fd: %d */", kind, k.newFD),
		"if (fd < 0)",
		"    perror(\"socket\");")
}

func cBind(k codeCtx) string {
	return lines(cAddr(k.c.Addr),
		cCheck(fmt.Sprintf("bind(%d, (struct sockaddr *)&addr, sizeof addr)", k.c.FD), "bind", k, "EADDRINUSE, EACCES below port 1024, EADDRNOTAVAIL"))
}

func cListen(k codeCtx) string {
	return cCheck(fmt.Sprintf("listen(%d, %d)", k.c.FD, k.c.N), "listen", k, "")
}

func cConnect(k codeCtx) string {
	return lines(cAddr(k.c.Addr),
		cCheck(fmt.Sprintf("connect(%d, (struct sockaddr *)&addr, sizeof addr)", k.c.FD), "connect", k, "ECONNREFUSED, ETIMEDOUT; EINPROGRESS when non-blocking"))
}

func cAccept(k codeCtx) string {
	return lines(
		"struct sockaddr_in from;",
		"socklen_t fromlen = sizeof from;",
		fmt.Sprintf("int fd = accept(%d, (struct sockaddr *)&from, &fromlen); /* a new fd: %d */", k.c.FD, k.newFD),
		"if (fd < 0)",
		"    perror(\"accept\");")
}

func cSend(k codeCtx) string {
	return lines(cData(k.c),
		fmt.Sprintf("ssize_t n = send(%d, buf, len, 0);", k.c.FD),
		cCheck("n", "send", k, "EPIPE, ECONNRESET; EAGAIN when non-blocking"))
}

func cSendTo(k codeCtx) string {
	return lines(cData(k.c), cAddr(k.c.Addr),
		fmt.Sprintf("ssize_t n = sendto(%d, buf, len, 0, (struct sockaddr *)&addr, sizeof addr);", k.c.FD),
		cCheck("n", "sendto", k, "EMSGSIZE, ENETUNREACH"))
}

// cBuf declares buf, n bytes: on the stack when small.
func cBuf(n int) string {
	if n <= 64<<10 {
		return fmt.Sprintf("char buf[%d];", max(n, 1))
	}
	return fmt.Sprintf("char *buf = malloc(%d);", n)
}

func cRecv(k codeCtx) string {
	c := k.c
	if c.All {
		return lines(
			"char buf[65536];",
			"ssize_t n;",
			"size_t total = 0;",
			fmt.Sprintf("while ((n = recv(%d, buf, sizeof buf, 0)) > 0) /* 0 is end of file */", c.FD),
			"    total += n;",
			"if (n < 0)",
			"    perror(\"recv\");")
	}
	return lines(cBuf(c.N),
		fmt.Sprintf("ssize_t n = recv(%d, buf, %d, 0); /* 0 is end of file */", c.FD, c.N),
		cCheck("n", "recv", k, "EAGAIN, ECONNRESET"))
}

func cRecvFrom(k codeCtx) string {
	c := k.c
	return lines(cBuf(c.N),
		"struct sockaddr_in from;",
		"socklen_t fromlen = sizeof from;",
		fmt.Sprintf("ssize_t n = recvfrom(%d, buf, %d, 0, (struct sockaddr *)&from, &fromlen);", c.FD, c.N),
		cCheck("n", "recvfrom", k, "EAGAIN"))
}

// cLevel is an option's level in C.
func cLevel(opt sock.SockOpt) string {
	switch opt {
	case sock.OptTTL, sock.OptRecvErr, sock.OptMTUDiscover, sock.OptMTU:
		return "IPPROTO_IP"
	case sock.OptNoDelay:
		return "IPPROTO_TCP"
	}
	return "SOL_SOCKET"
}

func cSetsockopt(k codeCtx) string {
	c := k.c
	var decl string
	switch c.Opt {
	case sock.OptRcvTimeo:
		decl = fmt.Sprintf("struct timeval v = {.tv_sec = %d, .tv_usec = %d};", c.Value/1000, c.Value%1000*1000)
	case sock.OptLinger:
		if c.Value < 0 {
			decl = "struct linger v = {.l_onoff = 0};"
		} else {
			decl = fmt.Sprintf("struct linger v = {.l_onoff = 1, .l_linger = %d};", c.Value)
		}
	case sock.OptMTUDiscover:
		names := []string{"IP_PMTUDISC_DONT", "IP_PMTUDISC_WANT", "IP_PMTUDISC_DO", "IP_PMTUDISC_PROBE"}
		decl = fmt.Sprintf("int v = %d;", c.Value)
		if c.Value >= 0 && c.Value < len(names) {
			decl = "int v = " + names[c.Value] + ";"
		}
	default:
		decl = fmt.Sprintf("int v = %d;", c.Value)
	}
	return lines(decl,
		cCheck(fmt.Sprintf("setsockopt(%d, %s, %v, &v, sizeof v)", c.FD, cLevel(c.Opt), c.Opt), "setsockopt", k, ""))
}

func cGetsockopt(k codeCtx) string {
	c := k.c
	return lines(
		"int v;",
		"socklen_t vlen = sizeof v;",
		cCheck(fmt.Sprintf("getsockopt(%d, %s, %v, &v, &vlen)", c.FD, cLevel(c.Opt), c.Opt), "getsockopt", k, ""))
}

func cShutdown(k codeCtx) string {
	how := [...]string{"SHUT_RD", "SHUT_WR", "SHUT_RDWR"}[min(int(k.c.How), 2)]
	return cCheck(fmt.Sprintf("shutdown(%d, %s)", k.c.FD, how), "shutdown", k, "ENOTCONN")
}

func cClose(k codeCtx) string {
	return cCheck(fmt.Sprintf("close(%d)", k.c.FD), "close", k, "EBADF")
}

func cPoll(k codeCtx) string {
	c := k.c
	ev := []string{}
	if c.Events&sock.PollIn != 0 {
		ev = append(ev, "POLLIN")
	}
	if c.Events&sock.PollOut != 0 {
		ev = append(ev, "POLLOUT")
	}
	fds := make([]string, len(c.FDs))
	for i, fd := range c.FDs {
		fds[i] = fmt.Sprintf("{.fd = %d, .events = %s}", fd, strings.Join(ev, " | "))
	}
	timeout := "-1 /* no timeout */"
	if !c.Infinite {
		timeout = fmt.Sprintf("%d /* ms */", c.Timeout.Milliseconds())
	}
	return lines(
		"struct pollfd fds[] = {"+strings.Join(fds, ", ")+"};",
		fmt.Sprintf("int n = poll(fds, %d, %s); /* how many are ready; each one's revents says how */", len(c.FDs), timeout),
		"if (n < 0)",
		"    perror(\"poll\");")
}

func cNonblock(k codeCtx) string {
	fd := k.c.FD
	set := "flags | O_NONBLOCK"
	if k.c.Value == 0 {
		set = "flags & ~O_NONBLOCK"
	}
	return lines(
		fmt.Sprintf("int flags = fcntl(%d, F_GETFL);", fd),
		cCheck(fmt.Sprintf("fcntl(%d, F_SETFL, %s)", fd, set), "fcntl", k, ""))
}

func cPing(k codeCtx) string {
	return lines(
		fmt.Sprintf("/* ping %v is a program, not one call: a ping socket, then an ICMP echo request a second", k.c.PingAddr),
		"   with sendto, and recvfrom for each reply (IP_RECVERR and recvmsg MSG_ERRQUEUE for the errors) */",
		"int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);",
		"if (fd < 0)",
		"    perror(\"socket\");")
}

func cTraceroute(k codeCtx) string {
	return lines(
		fmt.Sprintf("/* traceroute %v is a program: UDP probes to ports 33434 and up, setsockopt IP_TTL 1, 2, 3, ...", k.c.PingAddr),
		"   before each, and recvmsg MSG_ERRQUEUE (with IP_RECVERR on) for the router that answers time exceeded */",
		"int fd = socket(AF_INET, SOCK_DGRAM, 0);",
		"int on = 1;",
		"if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) < 0)",
		"    perror(\"traceroute\");")
}
