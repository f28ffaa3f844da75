package town

// The TCP state diagram of RFC 9293 (section 3.3.2), laid out on a grid
// of three columns: the opening on top, ESTABLISHED in the middle, the
// active close on the left and the passive close on the right.

// diagramCell is a state's place on the diagram's grid.
type diagramCell struct {
	state    string
	col, row float64
}

var diagramCells = []diagramCell{
	{"CLOSED", 1, 0},
	{"LISTEN", 1, 1},
	{"SYN-RECEIVED", 0, 2},
	{"SYN-SENT", 2, 2},
	{"ESTABLISHED", 1, 3},
	{"FIN-WAIT-1", 0, 4},
	{"CLOSE-WAIT", 2, 4},
	{"FIN-WAIT-2", 0, 5},
	{"CLOSING", 1, 5},
	{"LAST-ACK", 2, 5},
	{"TIME-WAIT", 1, 6},
}

// diagramEdges are the transitions RFC 9293 draws, each with what
// causes it: the event, and after a slash what is sent.
var diagramEdges = []struct{ from, to, why string }{
	{"CLOSED", "LISTEN", "listen()"},
	{"CLOSED", "SYN-SENT", "connect() / snd SYN"},
	{"LISTEN", "SYN-RECEIVED", "rcv SYN / snd SYN|ACK"},
	{"LISTEN", "SYN-SENT", "send() / snd SYN"},
	{"SYN-SENT", "SYN-RECEIVED", "rcv SYN / snd SYN|ACK (simultaneous open)"},
	{"SYN-SENT", "ESTABLISHED", "rcv SYN|ACK / snd ACK"},
	{"SYN-RECEIVED", "ESTABLISHED", "rcv ACK of SYN"},
	{"SYN-RECEIVED", "FIN-WAIT-1", "close() / snd FIN"},
	{"SYN-RECEIVED", "LISTEN", "rcv RST"},
	{"ESTABLISHED", "FIN-WAIT-1", "close() / snd FIN"},
	{"ESTABLISHED", "CLOSE-WAIT", "rcv FIN / snd ACK"},
	{"FIN-WAIT-1", "FIN-WAIT-2", "rcv ACK of FIN"},
	{"FIN-WAIT-1", "CLOSING", "rcv FIN / snd ACK"},
	{"FIN-WAIT-1", "TIME-WAIT", "rcv FIN|ACK / snd ACK"},
	{"FIN-WAIT-2", "TIME-WAIT", "rcv FIN / snd ACK"},
	{"CLOSING", "TIME-WAIT", "rcv ACK of FIN"},
	{"CLOSE-WAIT", "LAST-ACK", "close() / snd FIN"},
	{"LAST-ACK", "CLOSED", "rcv ACK of FIN"},
	{"TIME-WAIT", "CLOSED", "2 MSL timeout"},
}

func diagramCellOf(state string) (diagramCell, bool) {
	for _, c := range diagramCells {
		if c.state == state {
			return c, true
		}
	}
	return diagramCell{}, false
}

// transitionCause says what makes a connection go from one state to the
// other ("rcv SYN / snd SYN|ACK"), or "" for a change the diagram lacks.
func transitionCause(from, to string) string {
	for _, e := range diagramEdges {
		if e.from == from && e.to == to {
			return e.why
		}
	}
	return ""
}
