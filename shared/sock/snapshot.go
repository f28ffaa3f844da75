package sock

import (
	"fmt"
	"net/netip"
	"time"
)

// Snapshot is a copy of the town's state at one instant, for drawing and for
// tests. It shares nothing with the world.
type Snapshot struct {
	Now      time.Duration
	Hosts    []HostState
	Links    []LinkState
	InFlight int
}

// HostState is one host's state.
type HostState struct {
	Name      string
	Addrs     []netip.Prefix
	Forward   bool
	Routes    []RouteState // longest prefix first, as lookups try them
	Processes []ProcessState
	Drops     map[string]int
	// Orphans are TCP connections whose fd was closed and that finish on
	// their own (FIN-WAIT, LAST-ACK, TIME-WAIT); FD is 0.
	Orphans []SocketState
	// Ephemeral is where the host's kernel picks a connecting socket's
	// port (Linux's ip_local_port_range); zero means the simulator's
	// (EphemeralDefault).
	Ephemeral PortRange
}

// PortRange is a range of ports, both ends included.
type PortRange struct{ First, Last uint16 }

// EphemeralDefault is the IANA ephemeral range (RFC 6335), where the
// simulator picks its ports.
var EphemeralDefault = PortRange{First: 49152, Last: 65535}

// Contains reports whether p lies in the range.
func (r PortRange) Contains(p uint16) bool { return p >= r.First && p <= r.Last }

// String is "49152-65535".
func (r PortRange) String() string { return fmt.Sprintf("%d-%d", r.First, r.Last) }

// EphemeralPorts is the host's ephemeral range: Ephemeral, or
// EphemeralDefault when it is not known.
func (h HostState) EphemeralPorts() PortRange {
	if h.Ephemeral == (PortRange{}) {
		return EphemeralDefault
	}
	return h.Ephemeral
}

// ProcessState is one process's state.
type ProcessState struct {
	Name    string
	Root    bool
	Sockets []SocketState
	// PID is the operating system's process id, for a process an OS watch
	// found; 0 in the simulator, and for sockets whose owner is unknown.
	PID int
	// User is the name of the user the process runs as, for a process an
	// OS watch found; empty in the simulator.
	User string
}

// SocketState is one socket's state.
type SocketState struct {
	ID       uint64
	FD       int
	Proc     string // the process that made it; a kernel-held connection keeps the one that closed it
	Type     SockType
	State    State // a TCP state, or StateUnbound, StateBound or StateConnected for a datagram socket
	Local    netip.AddrPort
	Remote   netip.AddrPort
	Nonblock bool
	Queued   int // datagrams waiting to be read
	Ready    PollEvents
	TCP      *TCPState // nil for datagram sockets
	Options  []OptionValue
}

// TCPState is what a TCP socket's door shows: its buffers, windows and
// queues, and how long TIME-WAIT has left.
type TCPState struct {
	SndBuf, SndQueued              int // send buffer size, and bytes written but not yet acknowledged
	RcvBuf, RcvQueued              int // receive buffer size, and bytes received but not yet read
	OutOfOrder                     int // bytes held after a gap
	InFlight                       int // sequence space sent and not yet acknowledged
	SndWnd, RcvWnd                 int // the peer's window and the one we advertise, in bytes
	Cwnd, Ssthresh                 int
	MSS                            int
	RTO, SRTT                      time.Duration
	SynQueue, AcceptQueue, Backlog int           // listening sockets
	TimeWaitLeft                   time.Duration // in TIME-WAIT
}

// LinkState is one link's state.
type LinkState struct {
	ID     LinkID // its place in Snapshot.Links plus one
	Name   string
	A, B   string
	Config LinkConfig
}

// RouteState is one entry of a host's routing table: packets for Dst go
// to Gateway, a neighbour's address.
type RouteState struct {
	Dst     netip.Prefix
	Gateway netip.Addr
}

// OptionValue is one socket option and its value now, as getsockopt
// would read it.
type OptionValue struct {
	Opt   SockOpt
	Value int
}
