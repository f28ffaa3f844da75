package netsim

import (
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// This file holds a TCP connection's state: the transmission control block
// of RFC 9293 section 3.3.1. tcp_in.go handles arriving segments, one
// handler per state; tcp_out.go sends; tcp_timer.go keeps the timers;
// tcp_api.go is what the socket calls do with a TCP socket.
//
// Deliberate differences from Linux, beyond those noted where they happen.
// The list is also Deliberate() (deliberate.go), whose names run --compare
// prints beside the differences they explain: keep the two in step, one
// entry a bullet, each entry's name in its bullet (a test checks).
//   - No SACK, timestamps, ECN, TCP Fast Open, keepalive or urgent data: the
//     SYN offers MSS and window scale only, and the URG bit is ignored.
//   - Congestion control is NewReno (RFC 5681, RFC 6582); Linux uses CUBIC.
//   - Buffers do not auto-tune: SO_RCVBUF and SO_SNDBUF (default 128 KiB each)
//     are the whole story, and the advertised window is the free receive
//     buffer (Linux advertises about half of it).
//   - No quick-ACK mode at the start of a connection; delayed ACKs use
//     Linux's minimum, 40 ms, and every second full segment is ACKed at once.
//   - Challenge ACKs (RFC 5961) are not rate-limited, and there are no SYN
//     cookies: a full SYN queue drops the SYN.
//   - After shutdown(SHUT_RD) arriving data is acknowledged and dropped.
//   - A connection that dies (RST, timeout) while its fd is open keeps its
//     port until close; Linux lets go of a port it chose itself at once.
//   - Initial sequence numbers come from the seed, not a secret and a clock
//     alone, so that a seed replays a run exactly.
//   - Ephemeral ports count up from 49152; Linux picks from 32768-60999 at
//     random.
//   - No IPv4 fragmentation: a datagram larger than the link MTU gets
//     EMSGSIZE, where Linux fragments it.
//   - Timing: time is virtual, Linux's is the wall clock's, so the times of
//     a run differ (run --compare never compares them).
//   - Skipped states (what the OS kernel sees of Linux, not the
//     simulator's doing): native/ossock reads TCP states from TCP_INFO and
//     sock_diag once a millisecond, so a shorter state is missed; an
//     accepted socket exists only once its handshake is done (no
//     SYN-RECEIVED); and Linux may acknowledge a FIN together with its own
//     (a delayed ACK), from FIN-WAIT-1 straight to TIME-WAIT. A Linux
//     sequence that is a subsequence of the simulator's, with the same
//     final state, is this.
//   - Faults on TCP: a faulty link gives the Nth packet the same fate on
//     both kernels, but the two TCPs send different packets, so losses and
//     copies strike other segments and the states that follow may differ;
//     what the programs receive does not.

// tcpState is a connection state of RFC 9293 section 3.3.2.
type tcpState = sock.State

// The eleven states. The zero value is CLOSED.
const (
	stateClosed      = sock.StateClosed
	stateListen      = sock.StateListen
	stateSynSent     = sock.StateSynSent
	stateSynReceived = sock.StateSynReceived
	stateEstablished = sock.StateEstablished
	stateFinWait1    = sock.StateFinWait1
	stateFinWait2    = sock.StateFinWait2
	stateCloseWait   = sock.StateCloseWait
	stateClosing     = sock.StateClosing
	stateLastAck     = sock.StateLastAck
	stateTimeWait    = sock.StateTimeWait
)

// TCP constants, with Linux's values where RFC 9293 leaves a choice.
const (
	defaultTCPRcvBuf = 128 << 10
	defaultTCPSndBuf = 128 << 10
	defaultMSS       = 536 // RFC 9293 section 3.7.1, when the peer sends no MSS option
	initialWindow    = 10  // segments (RFC 6928, Linux's TCP_INIT_CWND)
	// msl makes TIME-WAIT last 2*MSL = 60 s, Linux's TCP_TIMEWAIT_LEN
	// (RFC 9293 suggests an MSL of 2 minutes).
	msl           = 30 * time.Second
	initialRTO    = time.Second            // RFC 6298 section 2.1
	minRTO        = 200 * time.Millisecond // Linux's TCP_RTO_MIN; RFC 6298 says 1 s
	maxRTO        = 120 * time.Second      // Linux's TCP_RTO_MAX
	delayedACK    = 40 * time.Millisecond  // Linux's TCP_DELACK_MIN
	synRetries    = 6                      // net.ipv4.tcp_syn_retries: ETIMEDOUT after about 127 s
	synAckRetries = 5                      // net.ipv4.tcp_synack_retries
	dataRetries   = 15                     // net.ipv4.tcp_retries2
	finWait2Time  = 60 * time.Second       // net.ipv4.tcp_fin_timeout, for orphaned connections
	somaxconn     = 4096                   // net.core.somaxconn caps listen's backlog
	dupAckLimit   = 3                      // RFC 5681 section 3.2
)

// tcb is one connection's transmission control block.
type tcb struct {
	s     *Socket
	state tcpState

	// Send sequence space (RFC 9293 section 3.3.1). sndMax is the highest
	// sequence number sent so far: after a timeout sndNxt goes back to
	// sndUna and the data up to sndMax is sent again.
	iss, sndUna, sndNxt, sndMax wire.SeqNum
	sndWnd, maxSndWnd           uint32
	sndWl1, sndWl2              wire.SeqNum
	sndShift, rcvShift          uint8
	mss                         int // largest segment we send
	rcvMSS                      int // largest segment we told the peer to send

	// Receive sequence space. rcvAdv is the right edge of the window we
	// advertised last; it never moves left (RFC 9293 section 3.8.6.2.2).
	irs, rcvNxt, rcvAdv wire.SeqNum

	// sndBuf holds written data from sequence number sndBufSeq onward: the
	// unacknowledged bytes and then the unsent ones.
	sndBuf    byteQueue
	sndBufSeq wire.SeqNum
	finQueued bool // the application is done sending: FIN follows the data
	finAcked  bool

	// rcvBuf holds in-order data the application has not read; ooo holds
	// segments that arrived ahead of a gap, sorted by sequence number.
	rcvBuf     byteQueue
	ooo        []oooSegment
	oooBytes   int
	finRcvd    bool // the peer's FIN has been received in order
	pendingFin bool // a queued FIN became in order; processFin takes it

	// Congestion control (RFC 5681, RFC 6582).
	cwnd, ssthresh int
	dupAcks        int
	inRecovery     bool
	recover        wire.SeqNum

	// Retransmission timer (RFC 6298) and Karn's algorithm: one segment is
	// timed at a time, and never one that was sent again.
	srtt, rttvar, rto time.Duration
	rttTiming         bool
	rttSeq            wire.SeqNum
	rttStart          time.Duration
	retries           int // consecutive timeouts without progress
	// probes counts the zero-window probes the peer has not answered,
	// sent since probedSince (Linux's icsk_probes_out): any ACK from the
	// peer says it is there, and starts them again.
	probes      int
	probedSince time.Duration
	// unackedSince is when the oldest unacknowledged data (or the first
	// SYN) went out, or the last ACK that made progress since: what
	// TCP_USER_TIMEOUT measures from (Linux's retrans_stamp).
	unackedSince time.Duration

	ackNow      bool // an ACK must go out at the end of this input
	ackPending  int  // full-sized segments received and not yet ACKed
	timers      [timerCount]timer
	lastAckSent wire.SeqNum

	// Listening sockets: connections being set up, then connections ready
	// for accept. A connection in either queue points back at its listener.
	backlog  int
	synQueue []*Socket
	acceptQ  []*Socket
	listener *Socket

	everConnected bool // reached ESTABLISHED at least once (a read then says EOF, not ENOTCONN)
	orphan        bool // the application closed its fd; the connection finishes on its own
}

// oooSegment is data received out of order, waiting for the gap before it.
type oooSegment struct {
	seq  wire.SeqNum
	data []byte
	fin  bool
}

func newTCB(s *Socket) *tcb {
	c := &tcb{s: s, rto: initialRTO}
	for i := range c.timers {
		c.timers[i].kind = timerKind(i)
	}
	return c
}

// setState moves the connection to a new state and publishes the change.
func (c *tcb) setState(to tcpState) { c.setStateWhy(to, "") }

// setStateWhy is setState with a note for the trace.
func (c *tcb) setStateWhy(to tcpState, why string) {
	if c.state == to {
		return
	}
	e := c.s.event(sock.KindState)
	e.From, e.To, e.Reason = c.state, to, why
	c.state = to
	if to == stateEstablished {
		c.everConnected = true
	}
	c.s.proc.host.w.emit(e)
}

// isn picks an initial sequence number. RFC 6528 hashes the 4-tuple with a
// secret and adds a 4-microsecond clock; the core hashes the world's seed,
// the 4-tuple and a counter, so that a seed replays the same numbers.
func (c *tcb) isn() wire.SeqNum {
	s := c.s
	h := s.proc.host
	h.w.isnCount++
	if h.w.isnBase != nil {
		return *h.w.isnBase
	}
	l, r := s.local.Addr().As4(), s.remote.Addr().As4()
	x := uint64(l[0])<<24 | uint64(l[1])<<16 | uint64(l[2])<<8 | uint64(l[3])
	y := uint64(r[0])<<24 | uint64(r[1])<<16 | uint64(r[2])<<8 | uint64(r[3])
	tuple := x<<32 | y ^ uint64(s.local.Port())<<48 ^ uint64(s.remote.Port())<<16
	g := newRNG(derive(h.w.seed^tuple, h.w.isnCount))
	clock := uint32(h.w.Now() / (4 * time.Microsecond))
	return wire.SeqNum(uint32(g.next()) + clock)
}

// rcvWindow is the window to advertise: the free space of the receive
// buffer, never moving the right edge left of what was already offered.
func (c *tcb) rcvWindow() uint32 {
	free := c.s.opts.rcvBuf - c.rcvBuf.Len() - c.oooBytes
	if c.s.shutRd {
		free = c.s.opts.rcvBuf // data after SHUT_RD is dropped, never buffered
	}
	free = max(free, 0)
	free = min(free, 0xffff<<c.rcvShift)
	// Receiver-side silly window avoidance (RFC 9293 section 3.8.6.2.2):
	// open the window only by a full segment or half the buffer at a time.
	offered := max0(c.rcvAdv.Sub(c.rcvNxt))
	if free > offered && free-offered < min(c.s.opts.rcvBuf/2, c.rcvMSS) {
		free = offered
	}
	return uint32(max0(int32(max(free, offered))))
}

func max0[T ~int | ~int32](v T) int {
	if v < 0 {
		return 0
	}
	return int(v)
}

// windowField is the window as the header carries it: scaled, except on a
// SYN (RFC 7323 section 2.2).
func (c *tcb) windowField(syn bool) uint16 {
	w := c.rcvWindow()
	if !syn {
		w >>= c.rcvShift
	}
	return uint16(min(w, 0xffff))
}

// unsent is how many written bytes have not been sent yet.
func (c *tcb) unsent() int {
	return c.sndBuf.Len() - max0(c.sndNxt.Sub(c.sndBufSeq))
}

// inFlight is the sequence space sent and not yet acknowledged.
func (c *tcb) inFlight() int { return max0(c.sndNxt.Sub(c.sndUna)) }

// finSeq is the sequence number the FIN takes, once queued.
func (c *tcb) finSeq() wire.SeqNum { return c.sndBufSeq.Add(c.sndBuf.Len()) }

// sndSpace is how many more bytes the application may write now.
func (c *tcb) sndSpace() int { return max(c.s.opts.sndBuf-c.sndBuf.Len(), 0) }

// writable follows Linux's sk_stream_is_writeable: the free space is at
// least half of what is queued, so a writer wakes with room to spare.
func (c *tcb) writable() bool {
	return c.sndSpace() > 0 && c.sndSpace() >= c.sndBuf.Len()/2
}

// readable reports whether a read would return something now.
func (c *tcb) readable() bool { return c.rcvBuf.Len() > 0 }
