package sock

import (
	"net/netip"
	"time"
)

// Proc is one process's socket calls, one method per BSD call, on whichever
// kernel runs the process. Calls never block: a call that would block
// returns ErrAgain and the caller waits for readiness on the kernel's Clock.
// Every call publishes what it did (or an error event) before it returns,
// except the few that only look (Readiness, Unread, Unacked, ConnectResult,
// Nonblock, SockName, PeerName, Type, RecvTimeout, RecvErr). Errors wrap an *Errno.
type Proc interface {
	// Name is the process's name in the town.
	Name() string

	Socket(t SockType) (int, error)
	Bind(fd int, addr netip.AddrPort) error
	Listen(fd, backlog int) error
	Accept(fd int) (int, netip.AddrPort, error)
	// Connect starts a TCP handshake (EINPROGRESS until ConnectResult says
	// how it ended) or sets a datagram socket's default peer.
	Connect(fd int, addr netip.AddrPort) error
	// ConnectResult is what a blocking connect returns once the socket is
	// writable or failed: nil, the pending error, or EINPROGRESS.
	ConnectResult(fd int) error
	Send(fd int, data []byte) (int, error)
	SendTo(fd int, data []byte, addr netip.AddrPort) (int, error)
	Recv(fd, n int) ([]byte, error)
	RecvFrom(fd, n int) (Datagram, error)
	// Read is read(2) into b, for callers that move a lot of data.
	Read(fd int, b []byte) (int, error)
	Shutdown(fd int, how ShutdownHow) error
	Close(fd int) error
	SetSockopt(fd int, opt SockOpt, value int) error
	GetSockopt(fd int, opt SockOpt) (int, error)
	SetNonblock(fd int, on bool) error
	Nonblock(fd int) (bool, error)
	// Poll fills in Revents for each entry, publishes the result and
	// returns how many entries have something to report.
	Poll(fds []PollFD) int

	// Readiness is what fd is ready for now (PollNval for a closed fd).
	Readiness(fd int) PollEvents
	// RecvTimeout is SO_RCVTIMEO: how long a blocking receive waits; zero
	// means forever.
	RecvTimeout(fd int) time.Duration
	SockName(fd int) (netip.AddrPort, error)
	PeerName(fd int) (netip.AddrPort, error)
	Type(fd int) (SockType, error)
	// Unread is how many bytes a read would return now (FIONREAD).
	Unread(fd int) int
	// Unacked is how many bytes written to a TCP socket are not yet
	// acknowledged (SIOCOUTQ).
	Unacked(fd int) int
	// RecvErr takes the oldest error from the socket's error queue
	// (recvmsg with MSG_ERRQUEUE; filled while IP_RECVERR is on); EAGAIN
	// when it is empty. It never blocks and publishes nothing.
	RecvErr(fd int) (ExtendedErr, error)
}

// Clock is the time a caller of a kernel waits on. For the simulator it is
// virtual time that moves only when asked; for the operating system it is
// the wall clock since the run began, and asking it to move waits.
type Clock interface {
	// Now is the time since the town began.
	Now() time.Duration
	// NextEvent is when the kernel next has something to do, if anything:
	// false means nothing will happen unless a call makes it.
	NextEvent() (time.Duration, bool)
	// Step does the next thing the kernel has to do and reports whether
	// there was one.
	Step() bool
	// RunUntil does everything due up to t and leaves the clock at t.
	RunUntil(t time.Duration)
}

// HostOptions are how a host is set up, beyond its name and addresses.
type HostOptions struct {
	// Forward makes the host a router (net.ipv4.ip_forward=1).
	Forward bool
}

// Town builds a town and finds its parts: the world lines of the shell
// (host, switch, link, route, process, seed) go through it.
type Town interface {
	AddHost(name string, addrs []netip.Prefix, opts HostOptions) error
	// AddSwitch makes a learning switch with ports ports (0: the kernel's
	// default, 8); hosts and switches share one namespace of names.
	AddSwitch(name string, ports int) error
	// AddLink joins a and b (hosts or switches); a link between them must
	// not exist yet.
	AddLink(a, b string, cfg LinkConfig) error
	// Link is the link between a and b, in either order, as it is now.
	Link(a, b string) (LinkState, bool)
	// SetLink changes the properties of the link between a and b.
	SetLink(a, b string, cfg LinkConfig) error
	AddRoute(host string, dst netip.Prefix, gateway netip.Addr) error
	AddProcess(host, name string, root bool) (Proc, error)
	SetSeed(seed uint64) error

	// Hosts are the hosts' names, in the order they were added.
	Hosts() []string
	// Processes are the names of a host's processes, and false when there
	// is no such host.
	Processes(host string) ([]string, bool)
	// Process finds a process, or returns nil.
	Process(host, name string) Proc
}

// Kernel is a whole town on one kernel: it builds the town, runs its
// processes' calls, keeps its time, publishes its events and gives
// snapshots of its state.
type Kernel interface {
	Town
	Clock
	// Name says which kernel this is, for people: "simulator", "Linux".
	Name() string
	// Observe registers fn to receive every event from now on, in order.
	// Observers must not call into the kernel.
	Observe(fn func(Event))
	// Snapshot copies the town's state.
	Snapshot() Snapshot
}
