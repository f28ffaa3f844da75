package turnrelay

import "flag"

// Flags registers on fs the flags that set c besides Addr's host default:
// --turn-addr, --turn-max-allocs, --turn-max-per-peer and --turn-ttl, each
// with its default. Parse fs; an empty Addr is the caller's to fill in
// (serve puts the relay on the host of its --addr, port 3478).
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "turn-addr", c.Addr, "the UDP HOST:PORT the TURN relay listens and relays on")
	fs.IntVar(&c.MaxAllocations, "turn-max-allocs", DefaultMaxAllocations, "the most allocations the TURN relay holds")
	fs.IntVar(&c.MaxPerCredential, "turn-max-per-peer", DefaultMaxPerCredential, "the most allocations of one peer's credential")
	fs.DurationVar(&c.TTL, "turn-ttl", DefaultTTL, "how long a TURN credential lasts from the welcome that hands it out")
}
