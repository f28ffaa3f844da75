package netsim

import "socketville/shared/wire"

// SetISNForTest makes every connection of w start at sequence number isn,
// so that tests can put the wraparound of sequence space where they want.
func SetISNForTest(w *World, isn uint32) {
	s := wire.SeqNum(isn)
	w.isnBase = &s
}
