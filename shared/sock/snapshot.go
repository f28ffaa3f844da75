package sock

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Snapshot is a copy of the town's state at one instant, for drawing and for
// tests. It shares nothing with the world.
type Snapshot struct {
	Now      time.Duration
	Hosts    []HostState
	Links    []LinkState
	Switches []SwitchState
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
	// NICs are the host's network interfaces, the loopback first; empty
	// for a kernel that does not show them.
	NICs []NICState
	// Neigh is the host's neighbour (ARP) cache, as `ip neigh` lists it.
	Neigh []NeighState
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

// NICState is one network interface of a host.
type NICState struct {
	Name  string           // "lo", "eth0", ...
	MAC   net.HardwareAddr // nil for the loopback
	Addrs []netip.Prefix
	// Peers are the far end's addresses on a point-to-point cable (as
	// "ip addr add LOCAL peer REMOTE" sets them); empty on a LAN.
	Peers []netip.Addr
	MTU   int
	Link  LinkID // the cable it is plugged into; zero for the loopback
}

// NeighStatus is the state of a neighbour entry, as Linux names it.
type NeighStatus uint8

// The neighbour states (RFC 4861 section 7.3.2, which Linux's ARP follows).
const (
	NeighIncomplete NeighStatus = iota + 1 // asked, no answer yet
	NeighReachable                         // answered recently
	NeighStale                             // answered a while ago; used as is, checked when next used
	NeighDelay                             // used while stale; waiting a moment for a sign of life
	NeighProbe                             // asking the neighbour directly
	NeighFailed                            // never answered
)

var neighNames = [...]string{"NONE", "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED"}

// String is the state as `ip neigh` prints it: "REACHABLE".
func (s NeighStatus) String() string {
	if int(s) < len(neighNames) {
		return neighNames[s]
	}
	return fmt.Sprintf("NeighStatus(%d)", uint8(s))
}

// NeighState is one entry of a host's neighbour cache.
type NeighState struct {
	Addr  netip.Addr
	MAC   net.HardwareAddr // nil while INCOMPLETE or FAILED
	Dev   string           // the interface: "eth0"
	State NeighStatus
}

// String is the entry as `ip neigh` prints it:
// "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE".
func (n NeighState) String() string {
	if n.MAC == nil {
		return fmt.Sprintf("%v dev %s %v", n.Addr, n.Dev, n.State)
	}
	return fmt.Sprintf("%v dev %s lladdr %v %v", n.Addr, n.Dev, n.MAC, n.State)
}

// SwitchState is one learning switch.
type SwitchState struct {
	Name  string
	Ports int            // how many ports it has
	Used  []LinkID       // the cable in each port (index 0 is port 1); zero where none is plugged in
	FDB   []FDBEntry     // the MAC table, in the order the addresses were learned
	Drops map[string]int // frames it discarded, by reason
}

// FDBEntry is one row of a switch's MAC table (its forwarding database).
type FDBEntry struct {
	MAC  net.HardwareAddr
	Port int           // 1-based
	Age  time.Duration // since a frame from MAC last came in
}

// String is "02:00:00:00:00:01 port 1".
func (e FDBEntry) String() string { return fmt.Sprintf("%v port %d", e.MAC, e.Port) }
