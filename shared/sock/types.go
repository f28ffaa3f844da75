package sock

import (
	"fmt"
	"net/netip"
	"strings"
)

// SockType is the kind of socket, named as the shell names it.
type SockType uint8

// Socket types. SockICMP is a datagram socket for ICMP echo, like Linux's
// unprivileged "ping socket" (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)).
const (
	SockUnknown SockType = iota
	SockUDP
	SockTCP
	SockICMP
)

// String returns "udp", "tcp" or "icmp".
func (t SockType) String() string {
	switch t {
	case SockUDP:
		return "udp"
	case SockTCP:
		return "tcp"
	case SockICMP:
		return "icmp"
	}
	return "unknown"
}

// ParseSockType reads "udp", "tcp" or "icmp".
func ParseSockType(s string) (SockType, error) {
	for _, t := range []SockType{SockUDP, SockTCP, SockICMP} {
		if strings.EqualFold(s, t.String()) {
			return t, nil
		}
	}
	return SockUnknown, fmt.Errorf("socket type %q: want tcp, udp or icmp: %w", s, ErrProtoNoSupport)
}

// Datagram is one message read from a datagram socket.
type Datagram struct {
	From netip.AddrPort
	Data []byte
	TTL  uint8 // the TTL the packet arrived with
	Len  int   // the message's full length; more than len(Data) if it was cut
}

// PollEvents are poll(2)'s event bits, with Linux's values.
type PollEvents uint16

// The poll event bits.
const (
	PollIn   PollEvents = 0x001
	PollPri  PollEvents = 0x002
	PollOut  PollEvents = 0x004
	PollErr  PollEvents = 0x008
	PollHup  PollEvents = 0x010
	PollNval PollEvents = 0x020
)

// String prints the bits as "IN|OUT", or "-" for none.
func (ev PollEvents) String() string {
	names := []struct {
		bit  PollEvents
		name string
	}{{PollIn, "IN"}, {PollPri, "PRI"}, {PollOut, "OUT"}, {PollErr, "ERR"}, {PollHup, "HUP"}, {PollNval, "NVAL"}}
	var parts []string
	for _, n := range names {
		if ev&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// PollFD is one entry of a poll set: the fd, what the caller waits for, and
// what is ready.
type PollFD struct {
	FD      int
	Events  PollEvents
	Revents PollEvents
}

// SockOpt is a socket option, named as in C.
type SockOpt uint8

// The socket options the core knows.
const (
	OptUnknown     SockOpt = iota
	OptReuseAddr           // SO_REUSEADDR: share a port with other sockets that set it too
	OptBroadcast           // SO_BROADCAST: kept and read back; broadcast itself is not simulated
	OptRcvBuf              // SO_RCVBUF: receive buffer; Linux doubles the request, and so do we
	OptSndBuf              // SO_SNDBUF: send buffer; doubled the same way
	OptRcvTimeo            // SO_RCVTIMEO: how long a blocking receive waits before EAGAIN, in milliseconds (0: forever)
	OptTTL                 // IP_TTL: the TTL of packets the socket sends (1 to 255; 64 by default)
	OptError               // SO_ERROR: read-only; reading it takes the pending error
	OptNoDelay             // TCP_NODELAY: send small segments at once instead of waiting (Nagle off)
	OptLinger              // SO_LINGER: seconds, or -1 for off; 0 makes close abort with RST; N > 0 does not make close wait here
	OptRecvErr             // IP_RECVERR: 1 to hear every ICMP error about the socket's packets, soft ones and unconnected UDP's too; they queue for RecvErr
	OptMTUDiscover         // IP_MTU_DISCOVER: 0 DONT (DF clear, fragment as needed), 1 WANT (the default: DF set up to the path MTU, fragments above it), 2 DO (DF always, EMSGSIZE above the path MTU), 3 PROBE (DF always, the path MTU ignored)
	OptMTU                 // IP_MTU: read-only: the path MTU towards a connected socket's peer
	OptUserTimeout         // TCP_USER_TIMEOUT (RFC 5482): milliseconds data (or a connect's SYN) may stay unacknowledged before ETIMEDOUT; 0 is the default (tcp_retries2)
	optCount
)

var optNames = [optCount]string{
	OptUnknown: "unknown", OptReuseAddr: "SO_REUSEADDR", OptBroadcast: "SO_BROADCAST", OptRcvBuf: "SO_RCVBUF",
	OptSndBuf: "SO_SNDBUF", OptRcvTimeo: "SO_RCVTIMEO", OptTTL: "IP_TTL", OptError: "SO_ERROR",
	OptNoDelay: "TCP_NODELAY", OptLinger: "SO_LINGER", OptRecvErr: "IP_RECVERR",
	OptMTUDiscover: "IP_MTU_DISCOVER", OptMTU: "IP_MTU", OptUserTimeout: "TCP_USER_TIMEOUT",
}

// The values of IP_MTU_DISCOVER, as in Linux's <linux/in.h>.
const (
	PMTUDiscDont  = 0
	PMTUDiscWant  = 1
	PMTUDiscDo    = 2
	PMTUDiscProbe = 3
)

// ExtendedErr is one error from a socket's error queue, as recvmsg with
// MSG_ERRQUEUE reads it on Linux (struct sock_extended_err from an ICMP
// error, with the offender's address): what traceroute reads to learn
// which router answered.
type ExtendedErr struct {
	Err        *Errno         // what the error means: EHOSTUNREACH for time exceeded, ECONNREFUSED, EMSGSIZE, ...
	Type, Code uint8          // the ICMP message's type and code
	Info       uint32         // for "fragmentation needed", the next hop's MTU
	Offender   netip.Addr     // who sent the ICMP error
	Dst        netip.AddrPort // where the packet it is about was going
	Data       []byte         // the start of that packet's payload, as far as the error quoted it
	// Local is an error of the sender's own kernel (SO_EE_ORIGIN_LOCAL),
	// such as EMSGSIZE for a DF datagram bigger than the path MTU, which
	// Info then holds; Type, Code and Offender are zero.
	Local bool
}

// String returns the option's C name.
func (o SockOpt) String() string {
	if o < optCount {
		return optNames[o]
	}
	return optNames[OptUnknown]
}

// SockOpts lists the options the core knows, in a stable order.
func SockOpts() []SockOpt {
	opts := make([]SockOpt, 0, optCount-1)
	for o := OptReuseAddr; o < optCount; o++ {
		opts = append(opts, o)
	}
	return opts
}

// ParseSockOpt reads an option's C name, in any case ("SO_REUSEADDR").
func ParseSockOpt(name string) (SockOpt, error) {
	for o := OptReuseAddr; o < optCount; o++ {
		if strings.EqualFold(name, optNames[o]) {
			return o, nil
		}
	}
	return OptUnknown, fmt.Errorf("socket option %q: %w", name, ErrNoProtoOpt)
}

// ShutdownHow says which direction Shutdown closes.
type ShutdownHow uint8

// The directions of shutdown(2).
const (
	ShutRd ShutdownHow = iota
	ShutWr
	ShutRdWr
)

// String returns "rd", "wr" or "rdwr".
func (h ShutdownHow) String() string {
	return [...]string{"rd", "wr", "rdwr"}[min(int(h), 2)]
}
