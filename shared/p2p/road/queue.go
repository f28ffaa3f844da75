package road

import "sync"

// queue is a bounded FIFO of messages that drops its oldest message when a
// new one finds it full: for frames the newest is worth most (TCP above
// retransmits what is lost either way, and a stale frame only delays the
// fresh ones behind it). It is filled from pion's goroutines and drained by
// the owner, so every method takes the lock and none blocks.
type queue struct {
	mu   sync.Mutex
	buf  [][]byte
	head int // index of the oldest message
	n    int // messages held
}

func newQueue(capacity int) *queue {
	return &queue{buf: make([][]byte, capacity)}
}

// push adds b and reports whether it pushed the oldest message out.
func (q *queue) push(b []byte) (dropped bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == len(q.buf) {
		q.buf[q.head] = nil
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		dropped = true
	}
	q.buf[(q.head+q.n)%len(q.buf)] = b
	q.n++
	return dropped
}

// pop removes and returns the oldest message, if any.
func (q *queue) pop() ([]byte, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return nil, false
	}
	b := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return b, true
}

// take removes every message held, oldest first, appending them to into so
// that the caller can hand them on outside the lock.
func (q *queue) take(into [][]byte) [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ; q.n > 0; q.n-- {
		into = append(into, q.buf[q.head])
		q.buf[q.head] = nil
		q.head = (q.head + 1) % len(q.buf)
	}
	return into
}
