// Package linuxtcp names the Linux kernel's TCP states (include/net/tcp_states.h,
// as TCP_INFO and sock_diag report them) in the socket vocabulary, for the
// OS kernel and the watch alike.
package linuxtcp

import "socketville/shared/sock"

// states maps tcp_states.h's numbers to RFC 9293's states.
var states = [...]sock.State{
	1: sock.StateEstablished, 2: sock.StateSynSent, 3: sock.StateSynReceived, 4: sock.StateFinWait1,
	5: sock.StateFinWait2, 6: sock.StateTimeWait, 7: sock.StateClosed, 8: sock.StateCloseWait,
	9: sock.StateLastAck, 10: sock.StateListen, 11: sock.StateClosing,
	12: sock.StateSynReceived, // TCP_NEW_SYN_RECV: a request, its SYN|ACK out, no socket yet
}

// State is the state Linux reports as n; an unknown number reads CLOSED.
func State(n uint8) sock.State {
	if n != 0 && int(n) < len(states) {
		return states[n]
	}
	return sock.StateClosed
}
