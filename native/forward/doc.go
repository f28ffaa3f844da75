// Package forward lets real programs and a simulated town talk: an
// inbound forward (127.0.0.1:8080=b:80) listens on a real address and
// carries each connection a real client makes (curl, a browser) to a
// server in the town, from a house on the "outside" plot named after the
// client's command and pid; an outbound forward (b:9000=127.0.0.1:9000)
// listens in the town and carries each connection a town program makes to
// a real server.
//
// Forwards splice: each side's TCP ends at the forwarder, and the bytes,
// end-of-file (as a half-close) and resets are passed across. The town
// then runs on the wall clock (Kernel wraps the simulator's kernel), since
// real programs do not wait for virtual time. The simulator stays as it
// is, single-threaded: the real sockets' goroutines only fill and drain
// bounded queues that the town's own goroutine empties on each move.
package forward
