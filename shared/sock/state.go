package sock

// State is a socket's state: one of the eleven connection states of RFC 9293
// section 3.3.2 for a TCP socket, or, for a datagram socket, whether it has
// a local address and a default peer. The zero value is CLOSED.
type State uint8

// The states. The TCP states come first, in RFC 9293's order.
const (
	StateClosed State = iota
	StateListen
	StateSynSent
	StateSynReceived
	StateEstablished
	StateFinWait1
	StateFinWait2
	StateCloseWait
	StateClosing
	StateLastAck
	StateTimeWait
	StateUnbound   // a datagram socket with no local address
	StateBound     // a datagram socket with a local address and no default peer
	StateConnected // a datagram socket with a default peer
	stateCount
)

var stateNames = [stateCount]string{
	StateClosed: "CLOSED", StateListen: "LISTEN", StateSynSent: "SYN-SENT", StateSynReceived: "SYN-RECEIVED",
	StateEstablished: "ESTABLISHED", StateFinWait1: "FIN-WAIT-1", StateFinWait2: "FIN-WAIT-2",
	StateCloseWait: "CLOSE-WAIT", StateClosing: "CLOSING", StateLastAck: "LAST-ACK", StateTimeWait: "TIME-WAIT",
	StateUnbound: "unbound", StateBound: "bound", StateConnected: "connected",
}

// String spells a TCP state as RFC 9293 does ("SYN-SENT") and a datagram
// socket's state in lower case ("bound").
func (s State) String() string {
	if s < stateCount {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// ParseState reads a state as String spells it.
func ParseState(name string) (State, bool) {
	for s, n := range stateNames {
		if n == name {
			return State(s), true
		}
	}
	return 0, false
}

// TCP reports whether s is one of the eleven TCP states.
func (s State) TCP() bool { return s <= StateTimeWait }

// Synchronized reports whether s is a TCP state in which both sides'
// sequence numbers are known (RFC 9293 section 3.5).
func (s State) Synchronized() bool { return s >= StateEstablished && s <= StateTimeWait }
