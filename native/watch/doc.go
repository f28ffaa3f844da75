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
}

// Unknown is the process name of sockets whose owner could not be found:
// the process exited between the dump and the /proc read, or it belongs to
// another user whose /proc/PID/fd this process may not read.
const Unknown = "?"
