package script

import (
	"strings"
	"time"

	"socketville/shared/sock"
)

// lineDoc is one line's reference: its name, its purpose in a few words
// (for the list help prints), its syntax (which its errors also quote),
// what it does in a sentence, and an example.
type lineDoc struct {
	name, purpose, usage, what, example string
}

// callRow is one call of the shell, everything about it in one place: its
// reference, how its arguments are read, and how it is carried out. Adding
// a call is adding a row.
//
// The functions are plain functions that take what they need as arguments,
// never closures: a call under way is a pendingCall, plain data, so that a
// copy of a Runner (with its kernel) carries nothing bound to the old one.
type callRow struct {
	lineDoc
	// textArg is the argument (counting from 1 after the name) that may be
	// a quoted "text"; 0 when none may.
	textArg int
	// parse reads the arguments after the call's name into c. It returns
	// errUsage when their number is wrong, so that the error quotes usage.
	parse func(c *Call, a []token) error
	// start, if set, notes what the call needs before its first try (a
	// deadline, the socket's type) in pc; it runs once, when the call is
	// made.
	start func(r *Runner, p sock.Proc, pc *pendingCall)
	// ready reports whether the call can go on now; nil means always.
	ready func(r *Runner, p sock.Proc, pc *pendingCall) bool
	// do carries the call out and returns its result as C would print it.
	// timedOut is true when pc's deadline passed before ready held. It
	// returns errNotDone when it made progress but must wait for more.
	do func(r *Runner, p sock.Proc, pc *pendingCall, timedOut bool) (string, error)
	// program, set instead of ready and do, runs a call that is a program
	// of several calls with waits between them (ping, traceroute); such a
	// call cannot run in the background.
	program func(r *Runner, l Line, c CallCmd, p sock.Proc)
	// code is what a program writes for the call, in each language.
	code callCode
}

// pendingCall is a call under way: which row, the call, until when it may
// wait, and how far it got. It is plain data, no closures, so that a deep
// copy of the Runner graph is a runner that goes on by itself.
type pendingCall struct {
	line Line
	cmd  CallCmd
	row  int // index into callTable
	// deadline is when the call gives up waiting (SO_RCVTIMEO, poll's
	// timeout), if hasDeadline.
	deadline    time.Duration
	hasDeadline bool
	// started: connect's handshake is under way (a blocking connect
	// waits for it).
	started bool
	// stream: send writes to a TCP socket, in pieces as the send buffer
	// drains.
	stream bool
	// data is what send writes, made at its first try; done counts the
	// bytes send wrote or recv all read so far.
	data []byte
	done int
	// sum is recv all's SHA-256 of what it read so far, as the hash's
	// MarshalBinary state.
	sum []byte
}

// Usages quoted by more than one place.
const (
	pingUsage = "ping ADDR [COUNT] [size=N] [df]"
	pollUsage = "poll FD[,FD...] [in|out|inout] [TIMEOUT]"
)

// callTable is the shell's calls, one row each, in the order help lists
// them. Nothing writes to it.
var callTable = []callRow{
	{lineDoc: lineDoc{name: "socket", purpose: "make a socket (a door) and get its fd",
		usage: "socket tcp|udp|icmp", example: "a/client: socket tcp => 3",
		what: "makes a socket, a door of the process's house, and returns its file descriptor (the lowest free, from 3)"},
		parse: parseSocketArgs, do: doSocket,
		code: callCode{Go: goSocket, C: cSocket, Python: pySocket}},
	{lineDoc: lineDoc{name: "bind", purpose: "give a socket its local address and port",
		usage: "bind FD ADDR:PORT", example: "b/web: bind 3 0.0.0.0:80",
		what: "gives socket FD its local address and port: 0.0.0.0 is every address of the host, port 0 picks a free one, and ports below 1024 need a root process"},
		parse: parseFDAddrArgs, do: doBind,
		code: callCode{Go: goBind, C: cBind, Python: pyBind}},
	{lineDoc: lineDoc{name: "listen", purpose: "wait for connections on a TCP socket (a server)",
		usage: "listen FD BACKLOG", example: "b/web: listen 3 16",
		what: "makes TCP socket FD a server's socket that waits for connections, queueing up to BACKLOG of them for accept"},
		parse: parseListenArgs, do: doListen,
		code: callCode{Go: goListen, C: cListen, Python: pyListen}},
	{lineDoc: lineDoc{name: "connect", purpose: "open a TCP connection, or fix a UDP peer",
		usage: "connect FD ADDR:PORT", example: "a/client: connect 3 10.0.0.2:80",
		what: "opens a TCP connection to ADDR:PORT with the three-way handshake and waits until it is set up; on a UDP socket it fixes the peer that send talks to"},
		parse: parseFDAddrArgs, ready: connectReady, do: doConnect,
		code: callCode{Go: goConnect, C: cConnect, Python: pyConnect}},
	{lineDoc: lineDoc{name: "accept", purpose: "take the next connection: a new fd",
		usage: "accept FD", example: "b/web: accept 3 => 4 from 10.0.0.1:49152",
		what: "takes the next connection off listening socket FD, waiting for one, and returns a new fd for it"},
		parse: parseFDArg, ready: readReady, do: doAccept,
		code: callCode{Go: goAccept, C: cAccept, Python: pyAccept}},
	{lineDoc: lineDoc{name: "send", purpose: "write data to a connected socket",
		usage: `send FD "text"|size=N`, example: `a/client: send 3 "hello"`,
		what: "writes data to connected socket FD: the text, or N generated bytes; it returns how many bytes were taken"},
		textArg: 2, parse: parseSendArgs, start: startSend, ready: sendReady, do: doSend,
		code: callCode{Go: goSend, C: cSend, Python: pySend}},
	{lineDoc: lineDoc{name: "recv", purpose: "read data from a socket",
		usage: "recv FD N|all", example: "b/web: recv 4 100",
		what: "reads up to N bytes from socket FD, waiting for some; all reads a TCP stream to its end and prints the count and a sha256"},
		parse: parseRecvArgs, start: startRecv, ready: recvReady, do: doRecv,
		code: callCode{Go: goRecv, C: cRecv, Python: pyRecv}},
	{lineDoc: lineDoc{name: "sendto", purpose: "send a UDP datagram to an address",
		usage: `sendto FD ADDR:PORT "text"|size=N`, example: `a/client: sendto 3 10.0.0.2:7007 "ping"`,
		what: "sends one UDP datagram from socket FD to ADDR:PORT"},
		textArg: 3, parse: parseSendToArgs, start: startSend, ready: sendReady, do: doSend,
		code: callCode{Go: goSendTo, C: cSendTo, Python: pySendTo}},
	{lineDoc: lineDoc{name: "recvfrom", purpose: "read a datagram and who sent it",
		usage: "recvfrom FD N", example: "b/echo: recvfrom 3 1500",
		what: "reads one datagram of up to N bytes from socket FD, waiting for one, and says who sent it"},
		parse: parseRecvArgs, start: startRecv, ready: recvReady, do: doRecv,
		code: callCode{Go: goRecvFrom, C: cRecvFrom, Python: pyRecvFrom}},
	{lineDoc: lineDoc{name: "setsockopt", purpose: "set a socket option",
		usage: "setsockopt FD NAME VALUE", example: "b/web: setsockopt 3 SO_REUSEADDR 1",
		what: "sets option NAME of socket FD to VALUE (a number, on or off; SO_RCVTIMEO takes a duration, IP_MTU_DISCOVER dont, want, do or probe); the options are " + strings.Join(settableOptNames(), ", ") + ", and help NAME explains one (SO_ERROR is read-only: getsockopt it, as IP_MTU)"},
		parse: parseSetsockoptArgs, do: doSetsockopt,
		code: callCode{Go: goSetsockopt, C: cSetsockopt, Python: pySetsockopt}},
	{lineDoc: lineDoc{name: "getsockopt", purpose: "read a socket option",
		usage: "getsockopt FD NAME", example: "a/client: getsockopt 3 SO_ERROR",
		what: "reads option NAME of socket FD: any that setsockopt sets, the read-only IP_MTU (the path MTU to a connected peer), and the read-only SO_ERROR, which gives the pending error's errno number (0 for none) and clears it"},
		parse: parseGetsockoptArgs, do: doGetsockopt,
		code: callCode{Go: goGetsockopt, C: cGetsockopt, Python: pyGetsockopt}},
	{lineDoc: lineDoc{name: "shutdown", purpose: "shut one side of a connection",
		usage: "shutdown FD rd|wr|rdwr", example: "a/client: shutdown 3 wr",
		what: "shuts one side of connected socket FD: wr sends a FIN (the peer reads end of file), rd stops reading, rdwr both"},
		parse: parseShutdownArgs, do: doShutdown,
		code: callCode{Go: goShutdown, C: cShutdown, Python: pyShutdown}},
	{lineDoc: lineDoc{name: "close", purpose: "close an fd",
		usage: "close FD", example: "a/client: close 3",
		what: "closes FD; a TCP connection then says goodbye with a FIN and may wait in TIME-WAIT"},
		parse: parseFDArg, do: doClose,
		code: callCode{Go: goClose, C: cClose, Python: pyClose}},
	{lineDoc: lineDoc{name: "poll", purpose: "wait until some sockets are ready",
		usage: pollUsage, example: "b/echo: poll 3,4 in 1s",
		what: "waits until one of the sockets is ready to read (in) or write (out), or TIMEOUT passes, and says which are ready"},
		parse: parsePoll, start: startPoll, ready: pollReady, do: doPoll,
		code: callCode{Go: goPoll, C: cPoll, Python: pyPoll}},
	{lineDoc: lineDoc{name: "nonblock", purpose: "make calls on a socket return at once",
		usage: "nonblock FD [on|off]", example: "a/client: nonblock 3",
		what: "makes socket FD non-blocking: calls that would wait return EAGAIN (connect EINPROGRESS) instead"},
		parse: parseNonblockArgs, do: doNonblock,
		code: callCode{Go: goNonblock, C: cNonblock, Python: pyNonblock}},
	{lineDoc: lineDoc{name: "ping", purpose: "send ICMP echo requests to an address",
		usage: pingUsage, example: "a/p: ping 10.0.0.2 3 size=1400 df",
		what: "sends COUNT (1 unless told) ICMP echo requests a second apart, each with N bytes of data (56 unless told, as ping -s), and after the last waits for the replies still missing, as ping(8) does; df sets don't fragment (IP_MTU_DISCOVER do, as ping -M do); an ICMP error about a request is printed as ping prints it, like From 10.0.1.1 icmp_seq=1 Time to live exceeded, and the last line counts what came back"},
		parse: parsePing, program: runPing,
		code: callCode{Go: goPing, C: cPing, Python: pyPing}},
	{lineDoc: lineDoc{name: "traceroute", purpose: "find the routers on the way to an address",
		usage: "traceroute ADDR [MAXHOPS]", example: "a/p: traceroute 10.0.3.2",
		what: "sends UDP probes to ports 33434 and up, three with TTL 1, three with TTL 2, and so on up to MAXHOPS (30 unless told), as traceroute(8) does: each router on the way drops the probes whose TTL runs out there and answers ICMP time exceeded, so each line names the router at that hop with the three round trips (* for a probe with no answer within 5 s); it stops at the hop that answers port unreachable, the destination"},
		parse: parseTracerouteArgs, program: runTraceroute,
		code: callCode{Go: goTraceroute, C: cTraceroute, Python: pyTraceroute}},
}

// callRowOf finds a call's row by its name.
func callRowOf(op string) (int, bool) {
	for i := range callTable {
		if callTable[i].name == op {
			return i, true
		}
	}
	return 0, false
}

// callDoc finds a call's reference.
func callDoc(op string) (lineDoc, bool) {
	if i, ok := callRowOf(op); ok {
		return callTable[i].lineDoc, true
	}
	return lineDoc{}, false
}

// CallNames lists the calls the shell knows, in a stable order.
func CallNames() []string {
	names := make([]string, len(callTable))
	for i := range callTable {
		names[i] = callTable[i].name
	}
	return names
}

// sockOptNames are the C names of the socket options the core knows.
func sockOptNames() []string {
	var names []string
	for _, o := range sock.SockOpts() {
		names = append(names, o.String())
	}
	return names
}
