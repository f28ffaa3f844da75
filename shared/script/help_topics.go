package script

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"socketville/shared/sock"
)

// optDoc explains one socket option for "help OPTION": the level C names
// it at, what setsockopt's VALUE is, whether it may only be read, what it
// does in a sentence, and an example line.
type optDoc struct {
	opt      sock.SockOpt
	level    string
	value    string
	readOnly bool
	what     string
	example  string
}

// optDocs are the options explained, one row for each option the core
// knows (a test checks that none is missing). A function rather than a
// package variable, so that nothing can change the rows.
func optDocs() []optDoc {
	return []optDoc{
		{opt: sock.OptReuseAddr, level: "SOL_SOCKET", value: "1 or 0 (on or off)",
			what:    "lets bind share an address and port with sockets that set it too, such as a restarted server's old connections still in TIME-WAIT; a port some socket listens on stays EADDRINUSE",
			example: "b/web: setsockopt 3 SO_REUSEADDR 1"},
		{opt: sock.OptBroadcast, level: "SOL_SOCKET", value: "1 or 0 (on or off)",
			what:    "allows a UDP socket to send to a broadcast address (without it Linux's sendto gives EACCES); the town keeps the setting, but does not simulate broadcast",
			example: "a/client: setsockopt 3 SO_BROADCAST 1"},
		{opt: sock.OptRcvBuf, level: "SOL_SOCKET", value: "bytes",
			what:    "sizes the receive buffer; as Linux does, the kernel doubles the request for its bookkeeping, so getsockopt reads back twice the value (from 2304 up to 425984); TCP advertises no more window than is free in it, and UDP drops a datagram that does not fit",
			example: "b/web: setsockopt 3 SO_RCVBUF 65536"},
		{opt: sock.OptSndBuf, level: "SOL_SOCKET", value: "bytes",
			what:    "sizes a TCP socket's send buffer, doubled as SO_RCVBUF is (from 4608 up to 425984); when it is full a send waits, or a non-blocking one gets EAGAIN",
			example: "a/client: setsockopt 3 SO_SNDBUF 4096"},
		{opt: sock.OptRcvTimeo, level: "SOL_SOCKET", value: "a duration, 0 for forever",
			what:    "bounds how long a blocking recv or recvfrom waits for data: when the time passes the call fails with EAGAIN; 0, the default, waits forever; C passes a struct timeval, and getsockopt here reads back milliseconds",
			example: "b/echo: setsockopt 3 SO_RCVTIMEO 500ms"},
		{opt: sock.OptTTL, level: "IPPROTO_IP", value: "1 to 255",
			what:    "sets the time to live of the packets the socket sends (64 by default): each router takes one off, and the router that takes it to zero drops the packet and sends back ICMP time exceeded",
			example: "a/client: setsockopt 3 IP_TTL 1"},
		{opt: sock.OptError, level: "SOL_SOCKET", readOnly: true,
			what:    "reads the socket's pending error as its errno number (0 for none) and clears it, as after a non-blocking connect that failed; it can only be read: setsockopt SO_ERROR gives ENOPROTOOPT",
			example: "a/client: getsockopt 3 SO_ERROR"},
		{opt: sock.OptNoDelay, level: "IPPROTO_TCP", value: "1 or 0 (on or off)",
			what:    "turns off Nagle's algorithm: a small send goes out at once instead of waiting while earlier data is unacknowledged, and setting it sends what was held back; a UDP socket gets ENOPROTOOPT",
			example: "a/client: setsockopt 3 TCP_NODELAY 1"},
		{opt: sock.OptLinger, level: "SOL_SOCKET", value: "seconds, or -1 for off",
			what:    "says what close does to a TCP connection: -1 (off, the default) returns at once and the kernel sends what is left, then a FIN; 0 aborts, sending RST, dropping unsent data and skipping TIME-WAIT; a positive time makes a blocking close wait on Linux, but not here (C passes a struct linger)",
			example: "b/web: setsockopt 4 SO_LINGER 0"},
		{opt: sock.OptRecvErr, level: "IPPROTO_IP", value: "1 or 0 (on or off)",
			what:    "makes every ICMP error about the socket's packets its pending error, as Linux does: without it a UDP socket hears only hard errors (port unreachable) and only when connected, and TCP keeps soft ones (time exceeded, net or host unreachable) for a timeout; each error also waits in the socket's error queue, with the address of the router that sent it, for recvmsg MSG_ERRQUEUE: that is how ping and traceroute say who answered",
			example: "a/client: setsockopt 3 IP_RECVERR 1"},
		{opt: sock.OptMTUDiscover, level: "IPPROTO_IP", value: "dont, want, do or probe (0 to 3)",
			what:    "says whether the socket's packets carry DF (don't fragment): want, the default, sets DF up to the path MTU and lets larger datagrams be fragmented; do always sets it, so a datagram larger than the path MTU gets EMSGSIZE and a router whose next link is too small sends back fragmentation needed with its MTU (ping -M do); dont never sets it; probe sets it and ignores what the path MTU is known to be",
			example: "a/client: setsockopt 3 IP_MTU_DISCOVER do"},
		{opt: sock.OptMTU, level: "IPPROTO_IP", readOnly: true,
			what:    "reads the path MTU towards a connected socket's peer: the MTU of the first link, or less once a router has said fragmentation needed; an unconnected socket gets ENOTCONN, and setting it ENOPROTOOPT",
			example: "a/client: getsockopt 3 IP_MTU"},
		{opt: sock.OptUserTimeout, level: "IPPROTO_TCP", value: "milliseconds, 0 for the default",
			what:    "bounds how long sent data may stay unacknowledged (RFC 5482): when the retransmission timer fires that long after the oldest unacknowledged send, the connection ends and the next call on it gets ETIMEDOUT, instead of after tcp_retries2's 15 retransmissions (about 15 minutes); a connect's SYNs give up at that time too; 0, the default, leaves it to tcp_retries2; negative is EINVAL and a UDP socket gets ENOPROTOOPT",
			example: "a/app: setsockopt 3 TCP_USER_TIMEOUT 5000"},
	}
}

// settableOptNames are the options setsockopt may set: all but the
// read-only ones.
func settableOptNames() []string {
	var names []string
	for _, d := range optDocs() {
		if !d.readOnly {
			names = append(names, d.opt.String())
		}
	}
	return names
}

// helpOption explains a socket option named in any case, or reports false.
func helpOption(topic string) (string, bool) {
	opt, err := sock.ParseSockOpt(topic)
	if err != nil {
		return "", false
	}
	for _, d := range optDocs() {
		if d.opt != opt {
			continue
		}
		head := fmt.Sprintf("%v: a socket option at level %s; VALUE is %s", opt, d.level, d.value)
		if d.readOnly {
			head = fmt.Sprintf("%v: a socket option at level %s; read-only (getsockopt only)", opt, d.level)
		}
		return head + "\n" + d.what + ".\nexample: " + d.example, true
	}
	return "", false
}

// errnoDocs say, for each errno the core returns, when a learner meets it
// (a test checks that every one of sock.Errnos has a sentence).
func errnoDocs() map[string]string {
	return map[string]string{
		"EAGAIN":          "a non-blocking call would have to wait (nothing to read, no connection to accept, a full send buffer), or SO_RCVTIMEO ran out; try again when poll says the socket is ready",
		"EBADF":           "the fd is not open in this process: socket or accept never returned it, or it was closed already",
		"EACCES":          "a process that is not root tried to bind a port below 1024; start it with process HOST NAME root, or bind a port from 1024 up",
		"EADDRINUSE":      "bind asked for an address and port another socket already holds (a server that still runs, or its old connections in TIME-WAIT), or listen for a port something already listens on; SO_REUSEADDR on both lets them share it, but never with a listener",
		"EADDRNOTAVAIL":   "bind named an address the host does not have (bind to one of its own, or 0.0.0.0), or connect would make a connection that already exists",
		"EINVAL":          "an argument makes no sense for this socket: bind on a socket that is bound already, an option value out of range, port 0 as a destination",
		"EMSGSIZE":        "a datagram is too big: more than a UDP datagram holds (65507 bytes of data), or, with don't fragment on (IP_MTU_DISCOVER do), more than the path's MTU allows; without DF the kernel cuts a big datagram into fragments instead",
		"ECONNREFUSED":    "connect reached the host but no socket listens on that port, so it answered the SYN with RST (on a connected UDP socket: an ICMP port unreachable came back)",
		"ECONNRESET":      "the peer aborted the connection with RST, for instance it closed while data it had not read was waiting, or SO_LINGER 0",
		"ETIMEDOUT":       "TCP gave up after retransmitting without an answer: the SYN, the SYN|ACK or data was lost too many times, or the peer is gone",
		"EPIPE":           "send on a socket whose sending side is shut down (shutdown wr, or close) or whose connection is over",
		"ENOTCONN":        "a call needs a connection the socket does not have: recv or send before connect, recv on a listening socket (accept first), shutdown of an unconnected socket",
		"EISCONN":         "connect on a TCP socket that is connected already; a socket connects once, so make a new one",
		"EDESTADDRREQ":    "send on a UDP socket with no peer: use sendto with an address, or connect it first",
		"EOPNOTSUPP":      "the socket's type cannot do that: listen or accept on a UDP socket, recv all on a socket that is not a stream",
		"EPROTONOSUPPORT": "socket was asked for a type the town does not have; there are tcp, udp and icmp",
		"ENOPROTOOPT":     "setsockopt or getsockopt named an option the socket does not have at that level: a misspelt name, TCP_NODELAY on UDP, or setting the read-only SO_ERROR",
		"EHOSTUNREACH":    "no packet can reach the host: a neighbour on the LAN did not answer three ARP requests (3 s), no link leads to it, or a router sent back ICMP host unreachable or time exceeded (IP_TTL ran out)",
		"ENETUNREACH":     "the host has no route to that network; add one with route HOST PREFIX via GATEWAY, or a default route",
		"EAFNOSUPPORT":    "an address is not IPv4, the only family the town speaks",
		"EINPROGRESS":     "connect on a non-blocking socket started the handshake and returned at once; poll for out, then read SO_ERROR to learn how it went",
		"EALREADY":        "connect again on a non-blocking socket whose handshake is still going on; wait for it with poll",
		"EMFILE":          "the process has too many fds open; close some before socket or accept makes more",
	}
}

// helpErrno explains an errno named in any case, or reports false.
func helpErrno(topic string) (string, bool) {
	e := sock.ErrnoByName(strings.ToUpper(topic))
	if e == nil {
		return "", false
	}
	what, ok := errnoDocs()[e.Name()]
	if !ok {
		return "", false
	}
	head := e.Error()
	var sys syscall.Errno
	if errors.As(e, &sys) {
		// The number getsockopt SO_ERROR gives for it, on this system.
		head = fmt.Sprintf("%s (errno %d): %s", e.Name(), int(sys), e.Text())
	}
	return head + "\n" + what + ".", true
}

// optionAndErrnoNames are the other topics help knows, for its did you
// mean.
func optionAndErrnoNames() []string {
	names := sockOptNames()
	for _, e := range sock.Errnos() {
		names = append(names, e.Name())
	}
	return names
}

// traceDoc explains one word of the trace: an event's kind, or a state a
// line names.
type traceDoc struct{ word, what string }

// traceDocs are the trace's words help explains. A function rather than a
// package variable, so that nothing can change the rows.
func traceDocs() []traceDoc {
	return []traceDoc{
		{"sent", "a trace line: a frame left a host (or a switch) onto the link in brackets, [from->to], or the loopback, [host/lo]"},
		{"delivered", "a trace line: a packet reached the socket or the kernel handler it was for (ARP, an echo request the kernel answers)"},
		{"dropped", "a trace line: a packet or frame was discarded, and why (lost on the link, no socket on the port, a frame for another interface)"},
		{"forwarded", "a trace line: a router passed a packet on (its TTL one less), or a switch passed a frame on out of one port, or flooded it out of every other"},
		{"neigh", "a trace line: a host's ARP cache (its neighbour table) changed, printed as ip neigh prints the entry: ADDRESS dev IFACE [lladdr MAC] STATE; see help REACHABLE and the other states"},
		{"fdb", "a trace line: a switch learned where a MAC address is (the port a frame from it came in on), saw it move, or forgot it after 300 s without a frame from it (its forwarding database, as bridge fdb calls it)"},
		{"INCOMPLETE", "an ARP cache state: the host asked who has the address (a broadcast ARP request, again each second) and waits; packets for it wait in a queue"},
		{"REACHABLE", "an ARP cache state: the neighbour answered within the last 30 s (or TCP saw it acknowledge new data); packets go to its MAC address at once"},
		{"STALE", "an ARP cache state: the answer is older than 30 s; it is still used, and the next packet sent to it starts a check (DELAY)"},
		{"DELAY", "an ARP cache state: a stale entry was used; if no sign of life comes within 5 s, the host asks the neighbour directly (PROBE)"},
		{"PROBE", "an ARP cache state: the host asks the neighbour's old MAC address directly, up to three times a second apart"},
		{"FAILED", "an ARP cache state: three requests went unanswered; what waited is dropped, and its senders get EHOSTUNREACH (No route to host)"},
	}
}

// helpTrace explains a word of the trace, in any case.
func helpTrace(topic string) (string, bool) {
	for _, d := range traceDocs() {
		if strings.EqualFold(d.word, topic) {
			return d.word + ": " + d.what + ".", true
		}
	}
	return "", false
}

// traceWords are the trace words help knows, for its did you mean.
func traceWords() []string {
	var out []string
	for _, d := range traceDocs() {
		out = append(out, d.word)
	}
	return out
}
