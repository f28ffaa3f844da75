package netsim

// byteQueue is a FIFO of bytes that reuses its array: reading moves a head
// forward, and writing slides the unread bytes back to the front when that
// makes room, so a steady stream through a bounded buffer allocates nothing.
type byteQueue struct {
	buf  []byte
	head int
}

// Len is the number of unread bytes.
func (q *byteQueue) Len() int { return len(q.buf) - q.head }

// Bytes are the unread bytes; valid until the next write.
func (q *byteQueue) Bytes() []byte { return q.buf[q.head:] }

// Write appends p.
func (q *byteQueue) Write(p []byte) {
	if q.head > 0 && len(q.buf)+len(p) > cap(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, p...)
}

// Discard drops the first n unread bytes.
func (q *byteQueue) Discard(n int) {
	q.head += min(n, q.Len())
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
}

// Release empties the queue and lets its array go.
func (q *byteQueue) Release() { q.buf, q.head = nil, 0 }
