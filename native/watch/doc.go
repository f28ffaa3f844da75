// Package watch reads the machine's own sockets as the town's vocabulary:
// each Refresh dumps the kernel's TCP and UDP sockets through netlink
// sock_diag, finds the process that owns each one through /proc, and returns
// a sock.Snapshot of one host (a network namespace) together with the
// sock.Events that the difference from the previous dump amounts to.
//
// Sockets are told apart by their kernel cookie, which a connection keeps
// from SYN-SENT to the end of TIME-WAIT. A socket's owner is found from the
// "socket:[INODE]" links in /proc/PID/fd; the inode-to-owner table is kept
// between refreshes and /proc is read again only when an inode turns up
// that the table does not know. Connections the kernel holds with no owner
// (TIME-WAIT, SYN-RECEIVED: inode 0) are the host's Orphans.
//
// With Options.Packets, the IPv4 packets on the namespace's loopback
// device are letters between its sockets: a capture (package capture,
// CAP_NET_RAW) keeps each packet once, as it leaves (loopback carries it
// out and in again), and Refresh returns a KindSent and a KindDelivered
// for each one since the last. Without the privilege the watch shows
// sockets and states only, and Packets says why.
//
// Linux only: on other systems New says so.
package watch

// Options choose what a Watch looks at.
type Options struct {
	// Netns is the network namespace to watch: "" for the one this
	// process runs in, otherwise a name under /run/netns (as "ip netns"
	// makes them).
	Netns string
	// Port keeps only sockets whose local or remote port is Port; 0
	// keeps all.
	Port int
	// PID keeps only the sockets of process PID (and the connections it
	// left to the kernel); 0 keeps all.
	PID int
	// Packets captures the packets on the namespace's loopback device
	// as letters between the sockets (the filters apply to them too).
	// It needs CAP_NET_RAW; without it the watch goes on, without
	// packets (see Watch.Packets).
	Packets bool
}

// Unknown is the process name of sockets whose owner could not be found:
// the process exited between the dump and the /proc read, or it belongs to
// another user whose /proc/PID/fd this process may not read.
const Unknown = "?"
