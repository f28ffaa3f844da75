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
// list of statements that compiles in a function's body, with the headers
// CIncludes lists, after the snippets of the process's earlier calls: a
// variable (fd, addr, buf, n, ...) is declared by the first snippet that
// needs it and assigned by the later ones, an array that cannot be
// assigned gets a fresh name.

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

// cDecl is name declared with typ the first time the process's code
// needs it, and name alone, to assign, after.
func cDecl(k codeCtx, typ, name string) string {
	if k.sc.first(name) {
		return typ + " " + name
	}
	return name
}

// cInit is name, of struct type typ, set to init: its declaration the
// first time, and after it an assignment of a compound literal.
func cInit(k codeCtx, typ, name, init string) string {
	if k.sc.first(name) {
		return typ + " " + name + " = " + init + ";"
	}
	return name + " = (" + typ + ")" + init + ";"
}

// cAddr sets addr, a struct sockaddr_in, to ap.
func cAddr(k codeCtx, ap netip.AddrPort) string {
	return lines(
		cInit(k, "struct sockaddr_in", "addr", fmt.Sprintf("{.sin_family = AF_INET, .sin_port = htons(%d)}", ap.Port())),
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

// cData is the data a send writes and its length, as C expressions, and
// the lines that make it: a string's letters are a literal; size=N is
// data, N bytes from calloc (the process's earlier data freed first).
func cData(k codeCtx) (data, n, setup string) {
	c := k.c
	if c.Data != nil {
		return cBytes(c.Data), fmt.Sprint(len(c.Data)), ""
	}
	setup = fmt.Sprintf("char *data = calloc(%d, 1); /* size=%d: the shell sends a pattern of that many bytes */", c.Size, c.Size)
	if !k.sc.first("data") {
		setup = "free(data);\n" + setup[len("char *"):]
	}
	return "data", fmt.Sprint(c.Size), setup
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
		fmt.Sprintf("%s = socket(AF_INET, %s); /* the lowest free fd: %d */", cDecl(k, "int", "fd"), kind, k.newFD),
		"if (fd < 0)",
		"    perror(\"socket\");")
}

func cBind(k codeCtx) string {
	return lines(cAddr(k, k.c.Addr),
		cCheck(fmt.Sprintf("bind(%d, (struct sockaddr *)&addr, sizeof addr)", k.c.FD), "bind", k, "EADDRINUSE, EACCES below port 1024, EADDRNOTAVAIL"))
}

func cListen(k codeCtx) string {
	return cCheck(fmt.Sprintf("listen(%d, %d)", k.c.FD, k.c.N), "listen", k, "")
}

func cConnect(k codeCtx) string {
	return lines(cAddr(k, k.c.Addr),
		cCheck(fmt.Sprintf("connect(%d, (struct sockaddr *)&addr, sizeof addr)", k.c.FD), "connect", k, "ECONNREFUSED, ETIMEDOUT; EINPROGRESS when non-blocking"))
}

// cFrom declares from, the peer's address accept and recvfrom fill, and
// fromlen, which says its room going in and its length coming out, so is
// set again before every call.
func cFrom(k codeCtx) string {
	if k.sc.first("from") {
		return "struct sockaddr_in from;\n" + cDecl(k, "socklen_t", "fromlen") + " = sizeof from;"
	}
	return "fromlen = sizeof from; /* the room going in, the address's length coming out */"
}

func cAccept(k codeCtx) string {
	return lines(
		cFrom(k),
		fmt.Sprintf("%s = accept(%d, (struct sockaddr *)&from, &fromlen); /* a new fd: %d */", cDecl(k, "int", "fd"), k.c.FD, k.newFD),
		"if (fd < 0)",
		"    perror(\"accept\");")
}

// withSetup puts setup's lines, if any, before the rest.
func withSetup(setup string, rest ...string) string {
	if setup == "" {
		return lines(rest...)
	}
	return lines(append([]string{setup}, rest...)...)
}

func cSend(k codeCtx) string {
	data, n, setup := cData(k)
	return withSetup(setup,
		fmt.Sprintf("%s = send(%d, %s, %s, 0);", cDecl(k, "ssize_t", "n"), k.c.FD, data, n),
		cCheck("n", "send", k, "EPIPE, ECONNRESET; EAGAIN when non-blocking"))
}

func cSendTo(k codeCtx) string {
	data, n, setup := cData(k)
	return withSetup(setup, cAddr(k, k.c.Addr),
		fmt.Sprintf("%s = sendto(%d, %s, %s, 0, (struct sockaddr *)&addr, sizeof addr);", cDecl(k, "ssize_t", "n"), k.c.FD, data, n),
		cCheck("n", "sendto", k, "EMSGSIZE, ENETUNREACH"))
}

// cBufSize is the room of buf, the buffer the process's recvs share.
const cBufSize = 64 << 10

// cBuf is the buffer a read of n bytes reads into, and the line that
// declares it if the process has none yet: buf on the stack, one for
// every read, or for a read larger than it, big from malloc (grown by
// realloc for a larger one still).
func cBuf(k codeCtx, n int) (name, decl string) {
	if n <= cBufSize {
		if k.sc.first("buf") {
			return "buf", fmt.Sprintf("char buf[%d]; /* room for this program's reads */", cBufSize)
		}
		return "buf", ""
	}
	switch {
	case k.sc.big == 0:
		k.sc.big = n
		return "big", fmt.Sprintf("char *big = malloc(%d); /* room for a read of %d */", n, n)
	case n > k.sc.big:
		k.sc.big = n
		return "big", fmt.Sprintf("big = realloc(big, %d); /* room for a read of %d */", n, n)
	}
	return "big", ""
}

func cRecv(k codeCtx) string {
	c := k.c
	if c.All {
		_, decl := cBuf(k, cBufSize)
		var out []string
		if k.sc.first("n") {
			out = append(out, "ssize_t n;")
		}
		return withSetup(decl, append(out,
			cDecl(k, "size_t", "total")+" = 0;",
			fmt.Sprintf("while ((n = recv(%d, buf, sizeof buf, 0)) > 0) /* 0 is end of file */", c.FD),
			"    total += n;",
			"if (n < 0)",
			"    perror(\"recv\");",
			"printf(\"%zu bytes\\n\", total);")...)
	}
	buf, decl := cBuf(k, c.N)
	return withSetup(decl,
		fmt.Sprintf("%s = recv(%d, %s, %d, 0); /* 0 is end of file */", cDecl(k, "ssize_t", "n"), c.FD, buf, c.N),
		cCheck("n", "recv", k, "EAGAIN, ECONNRESET"))
}

func cRecvFrom(k codeCtx) string {
	c := k.c
	buf, decl := cBuf(k, c.N)
	return withSetup(decl,
		cFrom(k),
		fmt.Sprintf("%s = recvfrom(%d, %s, %d, 0, (struct sockaddr *)&from, &fromlen);", cDecl(k, "ssize_t", "n"), c.FD, buf, c.N),
		cCheck("n", "recvfrom", k, "EAGAIN"))
}

// cLevel is an option's level in C.
func cLevel(opt sock.SockOpt) string {
	switch opt {
	case sock.OptTTL, sock.OptRecvErr, sock.OptMTUDiscover, sock.OptMTU:
		return "IPPROTO_IP"
	case sock.OptNoDelay, sock.OptUserTimeout: // both from <netinet/tcp.h>
		return "IPPROTO_TCP"
	}
	return "SOL_SOCKET"
}

func cSetsockopt(k codeCtx) string {
	c := k.c
	// Each kind of value has its variable: v an int (getsockopt's too),
	// tv a struct timeval, lg a struct linger.
	var decl, v string
	switch c.Opt {
	case sock.OptRcvTimeo:
		v = "tv"
		decl = cInit(k, "struct timeval", v, fmt.Sprintf("{.tv_sec = %d, .tv_usec = %d}", c.Value/1000, c.Value%1000*1000))
	case sock.OptLinger:
		v = "lg"
		init := fmt.Sprintf("{.l_onoff = 1, .l_linger = %d}", c.Value)
		if c.Value < 0 {
			init = "{.l_onoff = 0}"
		}
		decl = cInit(k, "struct linger", v, init)
	default:
		v = "v"
		val := fmt.Sprint(c.Value)
		names := []string{"IP_PMTUDISC_DONT", "IP_PMTUDISC_WANT", "IP_PMTUDISC_DO", "IP_PMTUDISC_PROBE"}
		if c.Opt == sock.OptMTUDiscover && c.Value >= 0 && c.Value < len(names) {
			val = names[c.Value]
		}
		decl = cDecl(k, "int", v) + " = " + val + ";"
	}
	return lines(decl,
		cCheck(fmt.Sprintf("setsockopt(%d, %s, %v, &%s, sizeof %s)", c.FD, cLevel(c.Opt), c.Opt, v, v), "setsockopt", k, ""))
}

func cGetsockopt(k codeCtx) string {
	c := k.c
	var out []string
	if k.sc.first("v") {
		out = append(out, "int v;")
	}
	return lines(append(out,
		cDecl(k, "socklen_t", "vlen")+" = sizeof v; /* the room going in, the value's length coming out */",
		cCheck(fmt.Sprintf("getsockopt(%d, %s, %v, &v, &vlen)", c.FD, cLevel(c.Opt), c.Opt), "getsockopt", k, ""))...)
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
	arr := k.sc.fresh("fds") // an array: a poll of other fds needs one of its own
	ready := cDecl(k, "int", "ready")
	return lines(
		"struct pollfd "+arr+"[] = {"+strings.Join(fds, ", ")+"};",
		fmt.Sprintf("%s = poll(%s, %d, %s); /* how many are ready; each one's revents says how */", ready, arr, len(c.FDs), timeout),
		"if (ready < 0)",
		"    perror(\"poll\");")
}

func cNonblock(k codeCtx) string {
	fd := k.c.FD
	set := "flags | O_NONBLOCK"
	if k.c.Value == 0 {
		set = "flags & ~O_NONBLOCK"
	}
	return lines(
		fmt.Sprintf("%s = fcntl(%d, F_GETFL);", cDecl(k, "int", "flags"), fd),
		cCheck(fmt.Sprintf("fcntl(%d, F_SETFL, %s)", fd, set), "fcntl", k, ""))
}

func cPing(k codeCtx) string {
	return lines(
		fmt.Sprintf("/* ping %v is a program, not one call: a ping socket, then an ICMP echo request a second", k.c.PingAddr),
		"   with sendto, and recvfrom for each reply (IP_RECVERR and recvmsg MSG_ERRQUEUE for the errors) */",
		cDecl(k, "int", "fd")+" = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);",
		"if (fd < 0)",
		"    perror(\"socket\");")
}

func cTraceroute(k codeCtx) string {
	return lines(
		fmt.Sprintf("/* traceroute %v is a program: UDP probes to ports 33434 and up, setsockopt IP_TTL 1, 2, 3, ...", k.c.PingAddr),
		"   before each, and recvmsg MSG_ERRQUEUE (with IP_RECVERR on) for the router that answers time exceeded */",
		cDecl(k, "int", "fd")+" = socket(AF_INET, SOCK_DGRAM, 0);",
		cDecl(k, "int", "on")+" = 1;",
		"if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) < 0)",
		"    perror(\"traceroute\");")
}
