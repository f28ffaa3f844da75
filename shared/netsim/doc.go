// Package netsim is the physics of Socketville's town: a virtual clock and
// event scheduler, hosts with IPv4 addresses, links with delay, rate and
// seeded faults, IPv4 delivery and forwarding, ICMP, UDP, and a socket API
// that mirrors BSD's.
//
// The package is deterministic and single-threaded: it never reads the wall
// clock, never starts a goroutine, draws randomness only from seeded sources,
// and never lets map order reach its output. The same seed and the same calls
// produce the same events, byte for byte. A driver above it (the socket shell,
// the real-time net.Conn adapters, the town) decides when virtual time moves
// by calling Step, RunUntil or RunFor.
//
// Socket calls never block inside the core. A call that would block returns
// ErrAgain; the driver waits for readiness (Readiness, Poll) by running the
// clock, which is how a kernel's wait queues behave seen from outside.
//
// Everything the core does is published as an Event to the observers
// registered with Observe; the town animates them, the trace printer prints
// them and the pcap writer records their packets.
package netsim
