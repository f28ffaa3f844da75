//go:build race

package ossock_test

// raceEnabled: the race detector slows the wires and the sampler several
// times over, and the examples' stories hang on milliseconds of real delay.
const raceEnabled = true
