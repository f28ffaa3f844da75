package town

import "socketville/shared/sock"

// The TCP state diagram of RFC 9293 (section 3.3.2), laid out on a grid
// of three columns: the opening on top, ESTABLISHED in the middle, the
// active close on the left and the passive close on the right.

// diagramCell is a state's place on the diagram's grid.
type diagramCell struct {
	state    sock.State
	col, row float64
}

var diagramCells = []diagramCell{
	{sock.StateClosed, 1, 0},
	{sock.StateListen, 1, 1},
	{sock.StateSynReceived, 0, 2},
	{sock.StateSynSent, 2, 2},
	{sock.StateEstablished, 1, 3},
	{sock.StateFinWait1, 0, 4},
	{sock.StateCloseWait, 2, 4},
	{sock.StateFinWait2, 0, 5},
	{sock.StateClosing, 1, 5},
	{sock.StateLastAck, 2, 5},
	{sock.StateTimeWait, 1, 6},
}

// diagramEdges are the transitions RFC 9293 draws, each with what
// causes it: the event, and after a slash what is sent.
var diagramEdges = []struct {
	from, to sock.State
	why      string
}{
	{sock.StateClosed, sock.StateListen, "listen()"},
	{sock.StateClosed, sock.StateSynSent, "connect() / snd SYN"},
	{sock.StateListen, sock.StateSynReceived, "rcv SYN / snd SYN|ACK"},
	{sock.StateListen, sock.StateSynSent, "send() / snd SYN"},
	{sock.StateSynSent, sock.StateSynReceived, "rcv SYN / snd SYN|ACK (simultaneous open)"},
	{sock.StateSynSent, sock.StateEstablished, "rcv SYN|ACK / snd ACK"},
	{sock.StateSynReceived, sock.StateEstablished, "rcv ACK of SYN"},
	{sock.StateSynReceived, sock.StateFinWait1, "close() / snd FIN"},
	{sock.StateSynReceived, sock.StateListen, "rcv RST"},
	{sock.StateEstablished, sock.StateFinWait1, "close() / snd FIN"},
	{sock.StateEstablished, sock.StateCloseWait, "rcv FIN / snd ACK"},
	{sock.StateFinWait1, sock.StateFinWait2, "rcv ACK of FIN"},
	{sock.StateFinWait1, sock.StateClosing, "rcv FIN / snd ACK"},
	{sock.StateFinWait1, sock.StateTimeWait, "rcv FIN|ACK / snd ACK"},
	{sock.StateFinWait2, sock.StateTimeWait, "rcv FIN / snd ACK"},
	{sock.StateClosing, sock.StateTimeWait, "rcv ACK of FIN"},
	{sock.StateCloseWait, sock.StateLastAck, "close() / snd FIN"},
	{sock.StateLastAck, sock.StateClosed, "rcv ACK of FIN"},
	{sock.StateTimeWait, sock.StateClosed, "2 MSL timeout"},
}

func diagramCellOf(state sock.State) (diagramCell, bool) {
	for _, c := range diagramCells {
		if c.state == state {
			return c, true
		}
	}
	return diagramCell{}, false
}

// transitionCause says what makes a connection go from one state to the
// other ("rcv SYN / snd SYN|ACK"), or "" for a change the diagram lacks.
func transitionCause(from, to sock.State) string {
	for _, e := range diagramEdges {
		if e.from == from && e.to == to {
			return e.why
		}
	}
	return ""
}
