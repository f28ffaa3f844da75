package road

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/sock"
)

// Drop is why a road dropped a message.
type Drop uint8

// The reasons for a drop. The zero Drop is none.
const (
	DropNone      Drop = iota
	DropQueueFull      // sending: the send queue was full
	DropBuffered       // sending: the channel's buffered amount was over HighWater
	DropNotOpen        // sending: the road was not open (yet, or any more)
	DropSendError      // sending: the channel refused the message
	DropEmpty          // received: an empty frame
	DropOversize       // received: a frame over MTU, or a state message over MaxState
	DropText           // received: a text message where only binary ones belong
	DropRecvFull       // received: the owner's queue was full; the oldest went
	DropBadState       // received: a state-channel message of no known kind or length
	NumDrops           // how many reasons there are
)

var dropNames = [...]string{"none", "queue-full", "buffered", "not-open", "send-error",
	"empty", "oversize", "text", "recv-full", "bad-state"}

// String is the reason's name ("buffered").
func (d Drop) String() string {
	if int(d) < len(dropNames) {
		return dropNames[d]
	}
	return "none"
}

// Stats are a road's counters at one moment.
type Stats struct {
	State State
	// Frames handed to the channel, and those received and queued for the
	// owner.
	SentMsgs, SentBytes uint64
	RecvMsgs, RecvBytes uint64
	// Messages of the owner's on the state channel, each way.
	StateSent, StateRecv uint64
	// Drops by reason.
	Drops [NumDrops]uint64
	// RTT is the smoothed round trip of the pings on the state channel (0
	// before the first pong).
	RTT time.Duration
	// Loss estimates the fraction of the peer's frames that did not arrive
	// between its last two pings (-1 before there are two).
	Loss float64
}

// Dropped is the sum of the drops of every reason.
func (s Stats) Dropped() uint64 {
	var n uint64
	for _, d := range s.Drops {
		n += d
	}
	return n
}

// stats are the live counters behind Stats.
type stats struct {
	sentMsgs, sentBytes, recvMsgs, recvBytes atomic.Uint64
	arrived                                  atomic.Uint64 // frames that came at all, dropped or not
	stateSent, stateRecv                     atomic.Uint64
	drops                                    [NumDrops]atomic.Uint64
	rtt                                      atomic.Int64
	heard                                    atomic.Int64 // unix ns of the last message from the peer

	mu                    sync.Mutex
	lastSent, lastArrived uint64 // at the previous ping from the peer
	pings                 int
	loss                  float64
}

// Stats returns the road's counters.
func (r *Road) Stats() Stats {
	s := &r.stats
	out := Stats{
		State:    r.State(),
		SentMsgs: s.sentMsgs.Load(), SentBytes: s.sentBytes.Load(),
		RecvMsgs: s.recvMsgs.Load(), RecvBytes: s.recvBytes.Load(),
		StateSent: s.stateSent.Load(), StateRecv: s.stateRecv.Load(),
		RTT: time.Duration(s.rtt.Load()),
	}
	for i := range s.drops {
		out.Drops[i] = s.drops[i].Load()
	}
	s.mu.Lock()
	out.Loss = -1
	if s.pings >= 2 {
		out.Loss = s.loss
	}
	s.mu.Unlock()
	return out
}

func (r *Road) drop(d Drop) { r.stats.drops[d].Add(1) }

// Send queues one frame for the peer, a copy of b. A frame over MTU (and
// Options.Overhead) is refused with EMSGSIZE and an empty one with EINVAL;
// otherwise Send returns nil even when it drops the frame (counted in
// Stats), because a road loses frames the way a cable does.
func (r *Road) Send(b []byte) error {
	switch {
	case len(b) > MTU+r.opts.Overhead:
		return fmt.Errorf("road: a frame of %d bytes is over the road's MTU of %d: %w", len(b), MTU+r.opts.Overhead, sock.ErrMsgSize)
	case len(b) == 0:
		return fmt.Errorf("road: an empty frame: %w", sock.ErrInval)
	case r.State() != StateOpen:
		r.drop(DropNotOpen)
		return nil
	case r.full.Load():
		r.drop(DropBuffered)
		return nil
	}
	select {
	case r.out <- append([]byte(nil), b...):
	default:
		r.drop(DropQueueFull)
	}
	return nil
}

// Congested reports whether a frame sent now would be dropped for
// congestion: the frames channel is over its high water, or the send queue
// is full. A sender that would rather wait (a benchmark, a bulk copy that
// is not TCP) can look before it sends.
func (r *Road) Congested() bool { return r.full.Load() || len(r.out) == cap(r.out) }

// write hands queued frames to the frames channel until the road stops,
// and marks the channel full when its buffer passes HighWater; pion's
// buffered-amount-low event clears the mark.
func (r *Road) write() {
	defer r.wg.Done()
	high, low := uint64(r.opts.HighWater), uint64(r.opts.HighWater/2)
	for {
		select {
		case <-r.stop:
			return
		case b := <-r.out:
			if err := r.c.sendFrame(b); err != nil {
				r.drop(DropSendError)
				continue
			}
			r.stats.sentMsgs.Add(1)
			r.stats.sentBytes.Add(uint64(len(b)))
			if r.c.buffered() > high {
				r.full.Store(true)
				// The low event may have fired between the two looks.
				if r.c.buffered() <= low {
					r.full.Store(false)
				}
			}
		}
	}
}

// onFrame is the handler for a frame: checked, counted and queued.
func (r *Road) onFrame(data []byte, text bool) {
	r.stats.arrived.Add(1)
	r.stats.heard.Store(time.Now().UnixNano())
	switch {
	case text:
		r.drop(DropText)
		return
	case len(data) == 0:
		r.drop(DropEmpty)
		return
	case len(data) > MTU+r.opts.Overhead:
		r.drop(DropOversize)
		return
	}
	r.stats.recvMsgs.Add(1)
	r.stats.recvBytes.Add(uint64(len(data)))
	if r.in.push(data) {
		r.drop(DropRecvFull)
	}
	r.poke()
}

// Recv returns the oldest frame received and not yet taken, without
// blocking; false when there is none.
func (r *Road) Recv() ([]byte, bool) { return r.in.pop() }

// Drain hands every frame waiting to f, oldest first, and returns how many
// it handed. f runs on the caller's goroutine, outside the road's locks,
// and may keep the slices.
func (r *Road) Drain(f func([]byte)) int {
	msgs := r.in.take(nil)
	for _, b := range msgs {
		f(b)
	}
	return len(msgs)
}

// The state channel carries messages of a kind byte and a body:
//
//	ping  1 | sent at (8, the sender's clock, ns) | frames sent so far (8)
//	pong  2 | the ping's "sent at" (8)
//	bye   3
//	state 4 | the owner's bytes (up to MaxState)
const (
	kindPing  = 1
	kindPong  = 2
	kindBye   = 3
	kindState = 4
	pingLen   = 17
	pongLen   = 9
)

// SendState sends one of the owner's messages (a snapshot) on the
// reliable, ordered state channel. A message over MaxState (and
// Options.Overhead) is refused with EMSGSIZE, and one sent while the road
// is not open with ENOTCONN. While the channel holds more than HighWater
// bytes unsent (a peer that does not keep up), the message is dropped,
// counted as DropBuffered, with ErrCongested: a snapshot is superseded by
// the next one, and pion would buffer without limit.
func (r *Road) SendState(b []byte) error {
	if len(b) > MaxState+r.opts.Overhead {
		return fmt.Errorf("road: a state message of %d bytes is over %d: %w", len(b), MaxState+r.opts.Overhead, sock.ErrMsgSize)
	}
	if r.State() != StateOpen {
		return fmt.Errorf("road: send state: %w", sock.ErrNotConn)
	}
	if r.c.stateBuffered() > uint64(r.opts.HighWater) {
		r.drop(DropBuffered)
		return ErrCongested
	}
	msg := make([]byte, 1+len(b))
	msg[0] = kindState
	copy(msg[1:], b)
	if err := r.c.sendState(msg); err != nil {
		return fmt.Errorf("road: send state: %w", err)
	}
	r.stats.stateSent.Add(1)
	return nil
}

// RecvState returns the oldest of the owner's state messages received and
// not yet taken, without blocking; false when there is none.
func (r *Road) RecvState() ([]byte, bool) { return r.stateIn.pop() }

// ping sends a ping stamped now with the count of frames sent so far.
func (r *Road) ping(now time.Time) {
	var b [pingLen]byte
	b[0] = kindPing
	binary.BigEndian.PutUint64(b[1:], uint64(now.UnixNano()))
	binary.BigEndian.PutUint64(b[9:], r.stats.sentMsgs.Load())
	_ = r.c.sendState(b[:]) // a ping lost to a closing channel is no news
}

// onState is the handler for a state-channel message.
func (r *Road) onState(b []byte, text bool) {
	now := time.Now()
	r.stats.heard.Store(now.UnixNano())
	switch {
	case text:
		r.drop(DropText)
	case len(b) == 0:
		r.drop(DropBadState)
	case len(b) > 1+MaxState+r.opts.Overhead:
		r.drop(DropOversize)
	case b[0] == kindPing && len(b) == pingLen:
		r.pinged(b)
	case b[0] == kindPong && len(b) == pongLen:
		sent := int64(binary.BigEndian.Uint64(b[1:]))
		if rtt := now.UnixNano() - sent; rtt >= 0 && rtt < int64(time.Minute) {
			// Smoothed as TCP's SRTT is (RFC 6298: 7/8 of the old, 1/8
			// of the new), so the road's sign does not jump with each
			// ping on a busy machine.
			if old := r.stats.rtt.Load(); old > 0 {
				rtt = old + (rtt-old)/8
			}
			r.stats.rtt.Store(rtt)
		} else {
			r.drop(DropBadState) // a pong for no ping of ours
		}
	case b[0] == kindBye && len(b) == 1:
		r.fail(ErrPeerClosed)
	case b[0] == kindState:
		r.stats.stateRecv.Add(1)
		if r.stateIn.push(b[1:]) {
			r.drop(DropRecvFull)
		}
		r.poke()
	default:
		r.drop(DropBadState)
	}
}

// pinged answers a ping and updates the loss estimate from the peer's
// count of frames sent against the count of frames that arrived.
func (r *Road) pinged(b []byte) {
	var pong [pongLen]byte
	pong[0] = kindPong
	copy(pong[1:], b[1:9])
	_ = r.c.sendState(pong[:])

	sent, arrived := binary.BigEndian.Uint64(b[9:]), r.stats.arrived.Load()
	s := &r.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pings > 0 && sent >= s.lastSent && arrived >= s.lastArrived {
		if ds := sent - s.lastSent; ds > 0 {
			got := float64(arrived - s.lastArrived)
			s.loss = math.Max(0, math.Min(1, 1-got/float64(ds)))
		} else {
			s.loss = 0
		}
	}
	s.lastSent, s.lastArrived = sent, arrived
	s.pings++
}
