package netsim

import (
	"time"

	"socketville/shared/sock"
)

// faultInjector decides what a link direction's impairments do to each
// packet, from the direction's own seeded stream, in the manner of smoltcp's
// FaultInjector: the link asks, then carries out the answer. Nothing above
// the link knows faults exist.
type faultInjector struct {
	rng rng
}

// fate is what becomes of one packet on a faulty link.
type fate struct {
	lost   bool
	copies int              // 1, or 2 when the link duplicates it
	hold   [2]time.Duration // extra delay of each copy, so later packets overtake it
	flip   [2]int           // bit of each copy to flip, or -1 to leave it whole
}

// decide rolls the dice for a packet of n bytes on a link with delay.
func (f *faultInjector) decide(faults sock.Faults, delay time.Duration, n int) fate {
	if f.rng.chance(faults.Loss) {
		return fate{lost: true}
	}
	var out fate
	out.copies = 1
	out.hold[0], out.flip[0] = f.damage(faults, delay, n)
	if f.rng.chance(faults.Dup) {
		out.copies = 2
		out.hold[1], out.flip[1] = f.damage(faults, delay, n)
	}
	return out
}

// damage decides one copy's reordering delay and corrupted bit.
func (f *faultInjector) damage(faults sock.Faults, delay time.Duration, n int) (time.Duration, int) {
	var hold time.Duration
	if f.rng.chance(faults.Reorder) {
		// Held back by one to two link delays (at least a millisecond), so
		// packets sent just after it overtake it.
		base := max(delay, time.Millisecond)
		hold = base + time.Duration(f.rng.intn(int(base)+1))
	}
	flip := -1
	if f.rng.chance(faults.Corrupt) && n > 0 {
		flip = f.rng.intn(n * 8)
	}
	return hold, flip
}

// apply returns the packet as it arrives: pkt itself, or a copy with one bit
// flipped, so the packet the sender sent is never changed.
func (fate) apply(pkt []byte, flip int) []byte {
	if flip < 0 {
		return pkt
	}
	bad := append([]byte(nil), pkt...)
	bad[flip/8] ^= 1 << (flip % 8)
	return bad
}
