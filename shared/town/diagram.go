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
// causes it.
var diagramEdges = []struct{ from, to, why string }{
	{"CLOSED", "LISTEN", "listen"},
	{"CLOSED", "SYN-SENT", "connect / SYN"},
	{"LISTEN", "SYN-RECEIVED", "SYN / SYN|ACK"},
	{"LISTEN", "SYN-SENT", "send / SYN"},
	{"SYN-SENT", "SYN-RECEIVED", "SYN / ACK"},
	{"SYN-SENT", "ESTABLISHED", "SYN|ACK / ACK"},
	{"SYN-RECEIVED", "ESTABLISHED", "ACK"},
	{"SYN-RECEIVED", "FIN-WAIT-1", "close / FIN"},
	{"SYN-RECEIVED", "LISTEN", "RST"},
	{"ESTABLISHED", "FIN-WAIT-1", "close / FIN"},
	{"ESTABLISHED", "CLOSE-WAIT", "FIN / ACK"},
	{"FIN-WAIT-1", "FIN-WAIT-2", "ACK"},
	{"FIN-WAIT-1", "CLOSING", "FIN / ACK"},
	{"FIN-WAIT-1", "TIME-WAIT", "FIN|ACK / ACK"},
	{"FIN-WAIT-2", "TIME-WAIT", "FIN / ACK"},
	{"CLOSING", "TIME-WAIT", "ACK"},
	{"CLOSE-WAIT", "LAST-ACK", "close / FIN"},
	{"LAST-ACK", "CLOSED", "ACK"},
	{"TIME-WAIT", "CLOSED", "2 MSL"},
}

func diagramCellOf(state string) (diagramCell, bool) {
	for _, c := range diagramCells {
		if c.state == state {
			return c, true
		}
	}
	return diagramCell{}, false
}
