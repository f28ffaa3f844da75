// Package netsim is the physics of Socketville's town: a virtual clock and
// event scheduler, hosts with IPv4 addresses on network interfaces, links
// with delay, rate and seeded faults, learning switches, Ethernet II framing
// and ARP, IPv4 delivery, forwarding, fragmentation and reassembly, path-MTU
// discovery, ICMP, UDP, TCP, and a socket API that mirrors BSD's.
//
// Below IP the town is layered as a real network is. A host has a loopback
// and one interface (NIC) per cable, each with a MAC address (02:00:00:…,
// handed out in the order interfaces are made) and the host's addresses on
// the subnets beyond it. What a NIC is attached to is one small interface,
// the medium: a cable to another host (point-to-point, with a /32 route to
// the far end as "ip addr add LOCAL peer REMOTE" makes), a cable to a
// switch's port (a LAN: a route to the whole subnet), or the loopback.
// Lookups route by those routes and the static ones, longest prefix first;
// the interface then asks ARP for the next hop's MAC address, as Linux's
// neighbour cache does (INCOMPLETE, REACHABLE for 30 s, STALE, DELAY,
// PROBE, FAILED after three requests, which gives EHOSTUNREACH).
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
