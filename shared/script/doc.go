// Package script is the socket shell: a small line language that builds a
// town (hosts, links, processes) and makes socket calls in it, the same lines
// a user types into the console, a scenario file holds and a lesson replays.
//
// Parse reads a whole scenario and reports every syntax error with its line
// number before anything runs; Check also tries the world lines on a scratch
// world, so that unknown hosts or duplicate links are caught up front. A
// Runner executes lines against a sock.Kernel (the simulator unless told): a blocking call advances
// virtual time until it completes or times out, a trailing "&" runs it in the
// background, and a trailing "=> RESULT" states the expected result.
//
// The runner reports to a Sink: the core's events as they happen, and each
// shell line with its result. TextPrinter and JSONPrinter are the two sinks
// the command line uses.
//
// Every call (socket, bind, ..., ping) is one row of a table: its help,
// how its arguments are read, how it is carried out and the code a program
// writes for it. A call under way is plain data, never a closure, so that
// a deep copy of a Runner with its kernel goes on by itself (a checkpoint
// of the town's timeline). Code, and a Coder that follows a scenario's fds,
// give that code for a line in Go (net), C (BSD sockets) or Python (socket).
package script
