package sock

import (
	"net/netip"
	"time"
)

// Kind is the kind of an event. The set is closed: the town animates exactly
// these kinds and the trace printer prints exactly these.
type Kind uint8

// The kinds of events.
const (
	KindUnknown   Kind = iota
	KindSocket         // a socket was created: FD, Sock
	KindBind           // a socket got a local address: Local; Reason "ephemeral" if the kernel chose
	KindListen         // a stream socket started listening
	KindConnect        // a socket was connected (UDP) or started connecting (TCP): Local, Remote
	KindAccept         // a listening socket handed out a new socket for a client
	KindState          // a connection changed state: From, To
	KindSent           // a packet left a host onto a link: Link, Packet; Reason "duplicate" for a copy the link made
	KindDelivered      // a packet reached the socket or handler it was for: Packet
	KindDropped        // a packet was discarded: Packet, Reason
	KindForwarded      // a router passed a packet on: Link, Packet
	KindData           // an application wrote (Op "write") or read (Op "read") Len bytes
	KindPoll           // a poll call returned: Ready
	KindShutdown       // one or both directions of a socket were shut: Op "rd", "wr" or "rdwr"
	KindClose          // a socket was closed
	KindError          // a socket call failed or a socket got an asynchronous error: Op, Err
	KindNeigh          // a host's neighbour (ARP) cache entry changed: Neigh
	KindFDB            // a switch learned, moved or forgot where a MAC address is: FDB, Reason
	kindCount
)

var kindNames = [kindCount]string{
	KindUnknown: "unknown", KindSocket: "socket", KindBind: "bind", KindListen: "listen",
	KindConnect: "connect", KindAccept: "accept", KindState: "state", KindSent: "sent",
	KindDelivered: "delivered", KindDropped: "dropped", KindForwarded: "forwarded",
	KindData: "data", KindPoll: "poll", KindShutdown: "shutdown", KindClose: "close", KindError: "error",
	KindNeigh: "neigh", KindFDB: "fdb",
}

// String returns the kind's name as the trace prints it.
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return kindNames[KindUnknown]
}

// Event is one thing that happened in the town. Fields that do not apply to
// a kind are zero. Packet bytes are shared and must not be modified.
type Event struct {
	Time   time.Duration
	Kind   Kind
	Host   string
	Proc   string
	FD     int // 0 when the event is not about a socket
	Sock   SockType
	Local  netip.AddrPort
	Remote netip.AddrPort
	From   State  // state before a KindState change
	To     State  // state after a KindState change
	Link   Hop    // the link and direction for KindSent, KindForwarded and drops on a link
	Op     string // the call for KindError, the direction for KindData and KindShutdown
	Len    int    // payload bytes for KindData
	Reason string // why a packet was dropped, or a note on the event
	Err    error  // for KindError
	Ready  []PollFD
	// Packet is what a link-layer frame carries (an IPv4 packet, or an
	// ARP message) or, for a kernel that shows no frames, the IP packet.
	Packet []byte
	// Frame is the whole Ethernet frame (header, payload and padding; no
	// FCS) for events on a link, when the kernel knows it; nil otherwise.
	Frame []byte
	Neigh *NeighState // for KindNeigh: the entry as it is now
	FDB   *FDBEntry   // for KindFDB: the entry as it is now
}
