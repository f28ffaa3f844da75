package netsim

// rng is a SplitMix64 generator. The core keeps its own so that a seed gives
// the same town on every Go version and platform, and so that each link owns
// an independent stream: adding a link never changes another link's faults.
type rng struct{ state uint64 }

func newRNG(seed uint64) rng { return rng{state: seed} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// float64 returns a number in [0, 1).
func (r *rng) float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return p > 0 && r.float64() < p }

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// derive makes the seed of an independent stream numbered i.
func derive(seed uint64, i uint64) uint64 {
	r := newRNG(seed ^ (i+1)*0x632be59bd9b4e019)
	return r.next()
}
