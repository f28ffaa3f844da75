// Package peerstate is what a peer of a shared town tells the others of
// its own hosts: a Part (its hosts' processes, sockets and states as of
// one moment of its clock) in a small versioned binary form for the
// road's reliable, ordered state channel, one validating Decode for what
// comes back, and Merge, which adds the peers' parts and the roads to
// them to this town's own snapshot, for drawing.
//
// The form is binary, not JSON: a host with 50 TCP sockets is 3.5 KB here
// and 23 KB as encoding/json writes it, and a message of the state
// channel may have at most 16 KiB (MaxSize), sent a few times a second to
// every peer. Every number is a varint, every list and string
// is counted, and Decode checks each count against its bound before it
// allocates anything, so a hostile peer can make it neither panic nor
// grow.
//
// The package is pure: no goroutines, no clock, no I/O.
package peerstate

import (
	"fmt"
	"time"

	"socketville/shared/sock"
)

// Part is one peer's own hosts as of one moment of its clock.
type Part struct {
	// Seq counts the parts a peer sends, so that a receiver can tell a
	// stale one from a newer one.
	Seq uint64
	// Now is the sending peer's virtual time when it took the part.
	Now   time.Duration
	Hosts []sock.HostState
}

// MaxSize is the most bytes an encoded part may have: road.MaxState, the
// largest message of the road's state channel. (It is not imported from
// road, which brings pion with it; a test holds the two equal.)
const MaxSize = 16 << 10

// The bounds Decode enforces, so that a part stays small and a hostile
// one cannot make the receiver allocate much. They are generous for a
// classroom town: a peer owns a few hosts.
const (
	MaxHosts     = 16      // hosts in one part
	MaxProcesses = 64      // processes on one host
	MaxSockets   = 256     // sockets on one host, its orphans included
	MaxAddrs     = 16      // addresses of a host, of a NIC, peers of a NIC
	MaxRoutes    = 64      // routes of a host
	MaxNICs      = 16      // network interfaces of a host
	MaxNeigh     = 256     // neighbour entries of a host
	MaxDrops     = 32      // drop reasons of a host
	MaxOptions   = 32      // options of a socket
	MaxFD        = 1 << 20 // the largest file descriptor (Linux's default nr_open)
	MaxPID       = 1 << 22 // the largest process id (Linux's pid_max limit)
	maxText      = 128     // bytes of a drop reason
	maxUser      = 32      // bytes of a user name
	maxDev       = 15      // bytes of an interface name (IFNAMSIZ less its NUL)
	maxNameLen   = 32      // bytes of a host or process name
)

// The first two bytes of an encoded part: a tag (the owner may send other
// kinds of message on the same channel) and the version of the form.
const (
	tag     = 'P'
	version = 1
)

// Encode writes p in the binary form Decode reads. A part that Decode
// would refuse is refused here with the same words (an error wrapping
// EINVAL), and one that encodes to more than MaxSize with EMSGSIZE: then
// the caller should send less, for instance what Trim leaves of it.
func Encode(p Part) ([]byte, error) {
	if err := checkPart(p); err != nil {
		return nil, err
	}
	b := encodePart(make([]byte, 0, 1024), p)
	if len(b) > MaxSize {
		return nil, fmt.Errorf("peerstate: a part of %d bytes is over %d: send less (Trim): %w", len(b), MaxSize, sock.ErrMsgSize)
	}
	return b, nil
}

// size is how many bytes p encodes to, whether or not it fits.
func size(p Part) int { return len(encodePart(make([]byte, 0, 1024), p)) }
