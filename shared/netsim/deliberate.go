package netsim

// Departure is one difference from Linux that the simulator makes on
// purpose (a type cannot share the name of the function Deliberate that
// lists them): a short name ("ephemeral ports") and what it is, in a clause
// with no final period, so that it reads in brackets after the name:
// "ephemeral ports (the simulator counts up from 49152; ...)".
type Departure struct {
	Name, Text string
}

// Deliberate returns the simulator's deliberate differences from Linux: first
// those of the list at the top of tcp.go, in its order, then those below IP
// of the list beside linkDepartures, which say the same in more words; each
// list is kept in step with its comment (a test checks that every name is
// there). run --compare uses the list to tell a difference it expects from
// a bug.
func Deliberate() []Departure {
	return append(tcpDepartures(), linkDepartures()...)
}

// Deliberate differences below IP, as `run --compare` meets them:
//   - ARP timing: a neighbour entry stays REACHABLE for a fixed 30 s
//     (base_reachable_time) and then goes STALE; Linux draws each entry's
//     reachable time afresh between 15 and 45 s (half to one and a half
//     times the base), confirms entries from TCP's progress on its own
//     schedule, and probes a STALE entry only when it is used, so `arp HOST`
//     may find an entry REACHABLE on one kernel and STALE, DELAY or PROBE on
//     the other.
func linkDepartures() []Departure {
	return []Departure{
		{Name: "ARP timing", Text: "a neighbour stays REACHABLE for a fixed 30 s, while Linux draws each entry's reachable time between 15 and 45 s and confirms and probes entries on its own schedule, so an ARP cache entry's state (REACHABLE, STALE, DELAY, PROBE) may differ"},
	}
}

// tcpDepartures are the differences of the list at the top of tcp.go.
func tcpDepartures() []Departure {
	return []Departure{
		{Name: "no SACK", Text: "no SACK, timestamps, ECN, TCP Fast Open, keepalive or urgent data: the SYN offers MSS and window scale only"},
		{Name: "congestion control", Text: "congestion control is NewReno (RFC 5681, RFC 6582); Linux uses CUBIC"},
		{Name: "buffers do not auto-tune", Text: "SO_RCVBUF and SO_SNDBUF (128 KiB each) are the whole story, and the advertised window is the free receive buffer (Linux advertises about half)"},
		{Name: "no quick-ACK mode", Text: "no quick-ACK mode at the start of a connection; delayed ACKs wait 40 ms and every second full segment is ACKed at once"},
		{Name: "challenge ACKs", Text: "challenge ACKs (RFC 5961) are not rate-limited, and there are no SYN cookies: a full SYN queue drops the SYN"},
		{Name: "shutdown(SHUT_RD)", Text: "after shutdown(SHUT_RD) arriving data is acknowledged and dropped"},
		{Name: "keeps its port until close", Text: "a connection that dies while its fd is open keeps its port until close; Linux lets go of a port it chose itself at once"},
		{Name: "initial sequence numbers", Text: "initial sequence numbers come from the seed, so that a seed replays a run exactly; Linux hashes a secret and a clock"},
		{Name: "ephemeral ports", Text: "the simulator counts up from 49152; Linux picks from 32768-60999 at random"},
		{Name: "no IPv4 fragmentation", Text: "a datagram larger than the link MTU gets EMSGSIZE; Linux fragments it"},
		{Name: "timing", Text: "the simulator runs in virtual time, Linux on the wall clock, so times differ"},
		{Name: "skipped states", Text: "Linux's states, as the OS kernel sees them, leave some out: they are read from TCP_INFO and sock_diag once a millisecond (a shorter state is missed), an accepted socket exists only once its handshake is done (no SYN-RECEIVED), and Linux may acknowledge a FIN together with its own (a delayed ACK), going from FIN-WAIT-1 straight to TIME-WAIT"},
		{Name: "faults on TCP", Text: "on a link with faults the Nth packet meets the same fate on both kernels, but the two TCPs send different packets (Linux adds SACK and timestamps and sizes its windows otherwise), so losses and copies strike other segments and what follows them (a TIME-WAIT ended by a reset, say) differs; what the programs receive does not"},
	}
}
