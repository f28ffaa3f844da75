package netsim

import (
	"time"

	"socketville/shared/sock"
)

// faultInjector decides what a link direction's impairments do to each
// packet, from the direction's own seeded stream, in the manner of smoltcp's
// FaultInjector: the link asks, then carries out the answer. Nothing above
// the link knows faults exist.
//
// Frames that carry no IP packet (ARP) draw from a stream of their own, so
// that a kernel that asks for addresses at other moments (Linux) still
// meets the same fates for its IP packets.
type faultInjector struct {
	rng    rng
	arpRNG rng
}

// newFaultInjector is the injector of direction dir of link number link.
func newFaultInjector(seed uint64, link, dir int) faultInjector {
	s := derive(seed, 2*uint64(link)+uint64(dir&1))
	return faultInjector{rng: newRNG(s), arpRNG: newRNG(derive(s, 1))}
}

// forARP is the injector that decides ARP frames' fates.
func (f *faultInjector) forARP() *faultInjector { return &faultInjector{rng: f.arpRNG} }

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

// FaultStream is one link direction's seeded stream of fates, for media
// outside the simulator (the OS kernel's wires): with the same seed, link
// number (in the order links were added) and direction (0 for A to B, 1
// back), the Nth packet meets the same fate as on the simulator's link.
type FaultStream struct{ f faultInjector }

// NewFaultStream is the stream of direction dir of link number link.
func NewFaultStream(seed uint64, link, dir int) *FaultStream {
	return &FaultStream{newFaultInjector(seed, link, dir)}
}

// ARP is the stream of the same direction for frames that carry no IP
// packet (ARP), as the simulator's link draws them.
func (s *FaultStream) ARP() *FaultStream {
	return &FaultStream{faultInjector{rng: s.f.arpRNG}}
}

// Fate is what becomes of one packet on a faulty link.
type Fate struct {
	Lost   bool
	Copies int              // 1, or 2 when the link duplicates it
	Hold   [2]time.Duration // extra delay of each copy, so later packets overtake it
	Flip   [2]int           // bit of each copy to flip, or -1 to leave it whole
}

// Decide rolls the dice for a packet of n bytes on a link with delay, as
// the simulator's link does.
func (s *FaultStream) Decide(faults sock.Faults, delay time.Duration, n int) Fate {
	f := s.f.decide(faults, delay, n)
	return Fate{Lost: f.lost, Copies: f.copies, Hold: f.hold, Flip: f.flip}
}

// Apply returns copy i of the packet as it arrives: pkt itself, or a copy
// with its bit flipped; pkt is never changed.
func (f Fate) Apply(pkt []byte, i int) []byte { return fate{}.apply(pkt, f.Flip[i]) }
