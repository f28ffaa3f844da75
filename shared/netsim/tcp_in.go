package netsim

import (
	"fmt"
	"net/netip"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// segment is an arriving TCP segment, parsed and checked.
type segment struct {
	ip    wire.IPv4
	seq   wire.SeqNum
	ack   wire.SeqNum
	flags wire.TCPFlags
	wnd   uint16
	data  []byte
	opts  wire.TCPOptions
}

func (g *segment) has(f wire.TCPFlags) bool { return g.flags&f != 0 }

// len is the segment's length in sequence space.
func (g *segment) len() int {
	n := len(g.data)
	if g.has(wire.TCPSyn) {
		n++
	}
	if g.has(wire.TCPFin) {
		n++
	}
	return n
}

// receiveTCP checks a segment addressed to this host and hands it to its
// connection, its listener, or the CLOSED-state rule that answers with RST
// (RFC 9293 section 3.10.7.1). Anything malformed is dropped with a reason.
func (h *Host) receiveTCP(ip wire.IPv4) {
	t, err := wire.ParseTCP(ip.Payload())
	if err != nil {
		h.dropped(ip, "malformed TCP segment: "+err.Error())
		return
	}
	if !t.ChecksumValid(ip.Src(), ip.Dst()) {
		h.dropped(ip, "bad TCP checksum")
		return
	}
	opts, err := wire.ParseTCPOptions(t.Options())
	if err != nil {
		h.dropped(ip, "malformed TCP options: "+err.Error())
		return
	}
	if t.SrcPort() == 0 || t.DstPort() == 0 || !unicast(ip.Src()) {
		h.dropped(ip, "TCP segment with port 0 or a source that names no one host")
		return
	}
	seg := segment{ip: ip, seq: t.Seq(), ack: t.Ack(), flags: t.Flags(), wnd: t.Window(), data: t.Payload(), opts: opts}
	local := netip.AddrPortFrom(ip.Dst(), t.DstPort())
	remote := netip.AddrPortFrom(ip.Src(), t.SrcPort())
	s := h.ports.lookupTCP(local, remote)
	if s == nil || s.tcp.state == stateClosed {
		h.dropped(ip, fmt.Sprintf("no TCP socket for %v", local))
		h.resetFor(seg, local, remote)
		return
	}
	e := s.event(sock.KindDelivered)
	e.Packet = ip
	h.w.emit(e)
	s.tcp.input(&seg)
}

func unicast(a netip.Addr) bool {
	return !a.IsUnspecified() && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// resetFor answers a segment that reached no connection, as RFC 9293
// section 3.10.7.1 says: never a RST for a RST; echo the ACK number as the
// sequence number, or else acknowledge the segment.
func (h *Host) resetFor(seg segment, local, remote netip.AddrPort) {
	if seg.has(wire.TCPRst) {
		return
	}
	hdr := wire.TCPHeader{SrcPort: local.Port(), DstPort: remote.Port(), Flags: wire.TCPRst}
	if seg.has(wire.TCPAck) {
		hdr.Seq = seg.ack
	} else {
		hdr.Ack, hdr.Flags = seg.seq.Add(seg.len()), wire.TCPRst|wire.TCPAck
	}
	d, errno := h.lookup(remote.Addr())
	if errno != nil {
		h.countDrop("no route for a TCP reset")
		return
	}
	pkt, ip, err := newPacket(wire.ProtocolTCP, local.Addr(), remote.Addr(), defaultTTL, true, h.nextID(), hdr.Len())
	if err != nil {
		return
	}
	if err := hdr.Encode(pkt[ip.Len():], local.Addr(), remote.Addr()); err != nil {
		return
	}
	h.output(pkt, d, nil, "")
}

// input dispatches a segment to the handler of the connection's state.
func (c *tcb) input(seg *segment) {
	switch c.state {
	case stateListen:
		c.inListen(seg)
	case stateSynSent:
		c.inSynSent(seg)
	case stateSynReceived:
		c.inSynReceived(seg)
	case stateEstablished:
		c.inEstablished(seg)
	case stateFinWait1:
		c.inFinWait1(seg)
	case stateFinWait2:
		c.inFinWait2(seg)
	case stateCloseWait:
		c.inCloseWait(seg)
	case stateClosing:
		c.inClosing(seg)
	case stateLastAck:
		c.inLastAck(seg)
	case stateTimeWait:
		c.inTimeWait(seg)
	}
	if c.state != stateClosed && c.state != stateListen {
		c.output()
		if c.ackNow {
			c.sendAck()
		}
	}
}

// inListen follows RFC 9293 section 3.10.7.2: a RST is ignored, an ACK gets
// a RST, and a SYN makes a new connection in SYN-RECEIVED on the SYN queue.
// When the accept queue is full the SYN is dropped, as Linux does (the
// client will send it again); Linux's SYN cookies are not simulated.
func (c *tcb) inListen(seg *segment) {
	h := c.s.proc.host
	local := netip.AddrPortFrom(seg.ip.Dst(), c.s.local.Port())
	remote := netip.AddrPortFrom(seg.ip.Src(), tcpSrcPort(seg.ip))
	switch {
	case seg.has(wire.TCPRst):
		return
	case seg.has(wire.TCPAck):
		h.resetFor(*seg, local, remote)
		return
	case !seg.has(wire.TCPSyn):
		return
	}
	if len(c.acceptQ) > c.backlog {
		h.dropped(seg.ip, fmt.Sprintf("SYN dropped: the accept queue of fd %d is full (backlog %d)", c.s.fd, c.backlog))
		return
	}
	if len(c.synQueue) >= max(c.backlog, 8) {
		h.dropped(seg.ip, fmt.Sprintf("SYN dropped: the SYN queue of fd %d is full", c.s.fd))
		return
	}
	child := c.s.spawn(local, remote)
	c.synQueue = append(c.synQueue, child)
	child.tcp.passiveOpen(seg)
}

func tcpSrcPort(ip wire.IPv4) uint16 {
	t, err := wire.ParseTCP(ip.Payload())
	if err != nil {
		return 0
	}
	return t.SrcPort()
}

// passiveOpen is a new connection's answer to a SYN: record the peer's
// sequence number and options and send SYN|ACK (RFC 9293 section 3.10.7.2).
func (c *tcb) passiveOpen(seg *segment) {
	c.irs = seg.seq
	c.rcvNxt = seg.seq.Add(1)
	c.rcvAdv = c.rcvNxt
	c.negotiate(seg)
	c.iss = c.isn()
	c.sndUna = c.iss
	c.sndWnd = uint32(seg.wnd) // never scaled in a SYN
	c.maxSndWnd = c.sndWnd
	c.sndWl1, c.sndWl2 = seg.seq, seg.ack
	c.setStateWhy(stateSynReceived, fmt.Sprintf("a new connection for listening fd %d", c.listener.fd))
	c.sendSyn()
}

// negotiate takes the MSS and window scale options from the peer's SYN
// (RFC 9293 section 3.7.1, RFC 7323 section 2).
func (c *tcb) negotiate(seg *segment) {
	c.rcvMSS = c.pathMSS()
	peerMSS := defaultMSS
	if seg.opts.HasMSS && seg.opts.MSS > 0 {
		peerMSS = int(seg.opts.MSS)
	}
	c.mss = max(min(peerMSS, c.pathMSS()), 1)
	if seg.opts.HasWindowScale {
		c.sndShift = min(seg.opts.WindowScale, wire.MaxWindowScale)
		if c.state == stateListen || c.state == stateClosed {
			c.rcvShift = maxRcvShift
		}
	} else {
		c.sndShift, c.rcvShift = 0, 0
	}
	c.cwnd = initialWindow * c.mss
	c.ssthresh = 1 << 30
}

// inSynSent follows RFC 9293 section 3.10.7.3: check the ACK, then the RST
// (ECONNREFUSED), then take the SYN and either complete the handshake or,
// for a simultaneous open, go to SYN-RECEIVED.
func (c *tcb) inSynSent(seg *segment) {
	ackOK := false
	if seg.has(wire.TCPAck) {
		if seg.ack.LessEq(c.iss) || c.sndMax.LessThan(seg.ack) {
			if !seg.has(wire.TCPRst) {
				c.sendSegment(seg.ack, wire.TCPRst, nil, "")
			}
			return
		}
		ackOK = true
	}
	if seg.has(wire.TCPRst) {
		if ackOK {
			c.abort(sock.ErrConnRefused, "the peer answered the SYN with RST")
		}
		return
	}
	if !seg.has(wire.TCPSyn) {
		return
	}
	c.irs = seg.seq
	c.rcvNxt = seg.seq.Add(1)
	c.rcvAdv = c.rcvNxt
	c.rcvAdv = c.rcvNxt.Add(int(c.rcvWindow())) // data in the SYN|ACK may use the window
	c.negotiate(seg)
	c.sndWnd = uint32(seg.wnd)
	c.maxSndWnd = c.sndWnd
	c.sndWl1, c.sndWl2 = seg.seq, seg.ack
	if !ackOK {
		c.setState(stateSynReceived) // simultaneous open
		c.retries = 0
		c.sendSyn()
		return
	}
	c.establish(seg.ack)
	c.ackNow = true
	if len(seg.data) > 0 || seg.has(wire.TCPFin) {
		c.processText(seg)
		if c.processFin(seg) {
			c.setState(stateCloseWait)
		}
	}
}

// establish completes the handshake: the SYN is acknowledged up to ack.
func (c *tcb) establish(ack wire.SeqNum) {
	c.disarm(timerRetransmit)
	if !c.retriedSyn() {
		c.sampleRTT(c.sched().Now() - c.rttStart)
	}
	c.retries = 0
	c.sndUna = ack
	c.confirmPath()
	c.sndBufSeq = c.iss.Add(1)
	c.s.connected = true
	c.setState(stateEstablished)
}

// retriedSyn reports whether the SYN went more than once (Karn's algorithm:
// then the handshake's round trip cannot be measured).
func (c *tcb) retriedSyn() bool { return c.retries > 0 }

// inSynReceived follows RFC 9293 section 3.10.7.4 for SYN-RECEIVED: the ACK
// of our SYN|ACK moves the connection to ESTABLISHED and, for a passive
// open, onto the listener's accept queue; then it goes on as ESTABLISHED.
func (c *tcb) inSynReceived(seg *segment) {
	if !c.checkSeqRstSyn(seg) {
		return
	}
	if !seg.has(wire.TCPAck) {
		return
	}
	if !(c.sndUna.LessThan(seg.ack) && seg.ack.LessEq(c.sndMax)) {
		c.sendSegment(seg.ack, wire.TCPRst, nil, "")
		return
	}
	if l := c.listener; l != nil && len(l.tcp.acceptQ) > l.tcp.backlog {
		// Linux drops the ACK and keeps the connection half-open: the
		// SYN|ACK is sent again and a later ACK completes it once there is
		// room (net.ipv4.tcp_abort_on_overflow = 0).
		c.s.proc.host.dropped(seg.ip, fmt.Sprintf("ACK dropped: the accept queue of fd %d is full (backlog %d)", l.fd, l.tcp.backlog))
		return
	}
	c.establish(seg.ack)
	c.sndWnd = uint32(seg.wnd) << c.sndShift
	c.maxSndWnd = max(c.maxSndWnd, c.sndWnd)
	c.sndWl1, c.sndWl2 = seg.seq, seg.ack
	if l := c.listener; l != nil {
		l.tcp.promote(c.s)
	}
	c.processText(seg)
	if c.processFin(seg) {
		c.setState(stateCloseWait)
	}
}

// inEstablished follows RFC 9293 section 3.10.7.4 for ESTABLISHED: data
// in, ACKs for data out, and a FIN moves to CLOSE-WAIT.
func (c *tcb) inEstablished(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	c.processText(seg)
	if c.processFin(seg) {
		c.setState(stateCloseWait)
	}
}

// inFinWait1 is ESTABLISHED plus: once our FIN is acknowledged, FIN-WAIT-2;
// the peer's FIN before that means a simultaneous close (CLOSING), after it
// TIME-WAIT.
func (c *tcb) inFinWait1(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	if c.finAcked {
		c.setState(stateFinWait2)
		c.armOrphanFinWait2()
	}
	c.processText(seg)
	if c.processFin(seg) {
		if c.finAcked {
			c.enterTimeWait()
		} else {
			c.setState(stateClosing)
		}
	}
}

// inFinWait2 waits for the peer's FIN, then TIME-WAIT.
func (c *tcb) inFinWait2(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	c.processText(seg)
	if c.processFin(seg) {
		c.enterTimeWait()
	}
}

// inCloseWait has had the peer's FIN: only ACKs matter until we close.
func (c *tcb) inCloseWait(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	c.processFin(seg) // a retransmitted FIN is ACKed again
}

// inClosing waits for the ACK of our FIN, then TIME-WAIT.
func (c *tcb) inClosing(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	if c.finAcked {
		c.enterTimeWait()
		return
	}
	c.processFin(seg)
}

// inLastAck waits for the ACK of our FIN, then the connection is gone.
func (c *tcb) inLastAck(seg *segment) {
	if !c.checkSeqRstSyn(seg) || !c.processAck(seg) {
		return
	}
	if c.finAcked {
		c.finish()
		return
	}
	c.processFin(seg)
}

// inTimeWait answers a retransmitted FIN with an ACK and restarts the 2*MSL
// wait. A new SYN with a higher sequence number may reopen the port (RFC
// 6191, as Linux allows): the old connection gives way to the listener.
func (c *tcb) inTimeWait(seg *segment) {
	if seg.has(wire.TCPSyn) && !seg.has(wire.TCPAck) && c.rcvNxt.LessThan(seg.seq) {
		h := c.s.proc.host
		local, remote := c.s.local, c.s.remote
		c.finish()
		if l := h.ports.lookupTCP(local, remote); l != nil && l.tcp.state == stateListen {
			l.tcp.input(seg)
		} else {
			h.resetFor(*seg, local, remote)
		}
		return
	}
	if !c.checkSeqRstSyn(seg) {
		return
	}
	if seg.has(wire.TCPFin) {
		c.ackNow = true
		c.arm(timerTimeWait, 2*msl)
	}
}

// checkSeqRstSyn carries out the first four checks of RFC 9293 section
// 3.10.7.4 with the RFC 5961 refinements: the sequence number must fall in
// the window (else ACK and drop), a RST must hit RCV.NXT exactly (else a
// challenge ACK), and a SYN in a synchronized state gets a challenge ACK.
// It trims the segment to the window and reports whether to go on.
func (c *tcb) checkSeqRstSyn(seg *segment) bool {
	if !c.acceptable(seg) {
		if !seg.has(wire.TCPRst) {
			c.ackNow = true
		}
		return false
	}
	if seg.has(wire.TCPRst) {
		if seg.seq != c.rcvNxt {
			c.sendChallengeAck()
			return false
		}
		c.onReset()
		return false
	}
	if seg.has(wire.TCPSyn) {
		if c.state == stateSynReceived && seg.seq == c.irs {
			c.ackNow = false
			c.sendSyn() // the peer did not get our SYN|ACK: send it again
			return false
		}
		c.sendChallengeAck()
		return false
	}
	c.trim(seg)
	return true
}

// acceptable is the segment acceptability test of RFC 9293 section 3.10.7.4.
func (c *tcb) acceptable(seg *segment) bool {
	wnd := uint32(max0(c.rcvAdv.Sub(c.rcvNxt)))
	n := seg.len()
	switch {
	case n == 0 && wnd == 0:
		return seg.seq == c.rcvNxt
	case n == 0:
		return seg.seq.InWindow(c.rcvNxt, wnd)
	case wnd == 0:
		return false
	}
	last := seg.seq.Add(n - 1)
	return seg.seq.InWindow(c.rcvNxt, wnd) || last.InWindow(c.rcvNxt, wnd)
}

// trim cuts the parts of the segment's data that lie before RCV.NXT or
// beyond the window.
func (c *tcb) trim(seg *segment) {
	if before := c.rcvNxt.Sub(seg.seq); before > 0 {
		if seg.has(wire.TCPSyn) {
			seg.flags &^= wire.TCPSyn
			seg.seq = seg.seq.Add(1)
			before--
		}
		cut := min(int(before), len(seg.data))
		seg.data = seg.data[cut:]
		seg.seq = seg.seq.Add(cut)
	}
	wnd := max0(c.rcvAdv.Sub(c.rcvNxt))
	if over := seg.seq.Add(len(seg.data)).Sub(c.rcvNxt.Add(wnd)); over > 0 {
		seg.data = seg.data[:len(seg.data)-min(int(over), len(seg.data))]
		seg.flags &^= wire.TCPFin // the FIN lies beyond the window too
	}
}

// onReset handles a valid RST (RFC 9293 section 3.10.7.4, second check):
// a connection from a listener goes away quietly, any other reports
// ECONNRESET, and in CLOSING, LAST-ACK or TIME-WAIT the connection just ends.
func (c *tcb) onReset() {
	switch c.state {
	case stateSynReceived:
		if c.listener != nil {
			c.finish()
			return
		}
		c.abort(sock.ErrConnRefused, "the peer reset the connection during the handshake")
	case stateClosing, stateLastAck, stateTimeWait:
		c.finish()
	default:
		c.abort(sock.ErrConnReset, "the peer reset the connection")
	}
}

// processAck is the fifth check of RFC 9293 section 3.10.7.4 for the
// synchronized states: take newly acknowledged data off the send buffer,
// measure the round trip, grow the congestion window, count duplicate ACKs
// for fast retransmit, and update the send window. It reports whether to
// go on with the segment.
func (c *tcb) processAck(seg *segment) bool {
	if !seg.has(wire.TCPAck) {
		return false
	}
	// RFC 5961 section 5.2: an ACK for data never sent, or older than the
	// largest window the peer offered, is answered and dropped.
	if c.sndMax.LessThan(seg.ack) || seg.ack.LessThan(c.sndUna.Add(-int(c.maxSndWnd))) {
		c.ackNow = true
		return false
	}
	// As Linux's tcp_ack: an ACK that is not old means the path works, so
	// the soft error of an earlier ICMP message is forgotten.
	if c.sndUna.LessEq(seg.ack) {
		c.s.softErr = nil
	}
	wnd := uint32(seg.wnd) << c.sndShift
	c.probes = 0 // the peer is there, whatever its window
	if c.sndUna.LessThan(seg.ack) {
		c.newAck(seg.ack)
	} else if seg.ack == c.sndUna && len(seg.data) == 0 && !seg.has(wire.TCPFin) &&
		wnd == c.sndWnd && c.sndUna != c.sndMax {
		c.dupAck()
	}
	// RFC 9293 section 3.10.7.4: take the window from the newest segment.
	if c.sndWl1.LessThan(seg.seq) || (c.sndWl1 == seg.seq && c.sndWl2.LessEq(seg.ack)) {
		opened := c.sndWnd == 0 && wnd > 0
		c.sndWnd, c.sndWl1, c.sndWl2 = wnd, seg.seq, seg.ack
		c.maxSndWnd = max(c.maxSndWnd, wnd)
		if opened {
			c.retries = 0
			c.disarm(timerPersist)
		}
	}
	return true
}

// newAck handles an ACK that acknowledges new data.
func (c *tcb) newAck(ack wire.SeqNum) {
	acked := ack.Sub(c.sndUna)
	if c.rttTiming && c.rttSeq.LessEq(ack) {
		c.rttTiming = false
		c.sampleRTT(c.sched().Now() - c.rttStart)
	}
	c.sndUna = ack
	c.confirmPath()
	if c.sndNxt.LessThan(ack) {
		c.sndNxt = ack // after a timeout, the peer had more than we resent
	}
	c.dropAcked()
	c.retries = 0
	c.growCwnd(int(acked))
	if c.sndUna == c.sndMax {
		c.disarm(timerRetransmit)
	} else {
		c.unackedSince = c.sched().Now() // progress: the user timeout starts again
		c.arm(timerRetransmit, c.rto)    // RFC 6298 section 5.3
	}
}

// dropAcked removes acknowledged bytes from the send buffer and notes an
// acknowledged FIN.
func (c *tcb) dropAcked() {
	n := min(max0(c.sndUna.Sub(c.sndBufSeq)), c.sndBuf.Len())
	if n > 0 {
		c.sndBuf.Discard(n)
		c.sndBufSeq = c.sndBufSeq.Add(n)
	}
	if c.finQueued && c.finSeq().LessThan(c.sndUna) {
		c.finAcked = true
	}
}

// growCwnd opens the congestion window for acked bytes: slow start below
// ssthresh, congestion avoidance above it (RFC 5681 section 3.1), and the
// NewReno recovery rules while recovering (RFC 6582 section 3.2).
func (c *tcb) growCwnd(acked int) {
	if c.inRecovery {
		if c.recover.LessEq(c.sndUna) { // full ACK: recovery is over
			c.inRecovery = false
			c.cwnd = min(c.ssthresh, max(c.inFlight(), c.mss)+c.mss)
		} else { // partial ACK: the next hole is lost too
			c.retransmitFirst()
			c.cwnd = max(c.cwnd-acked+c.mss, c.mss)
		}
		c.dupAcks = 0
		return
	}
	c.dupAcks = 0
	if c.cwnd < c.ssthresh {
		c.cwnd += min(acked, c.mss)
	} else {
		c.cwnd += max(c.mss*c.mss/c.cwnd, 1)
	}
}

// dupAck counts a duplicate ACK; the third starts fast retransmit and fast
// recovery (RFC 5681 section 3.2, RFC 6582), unless it belongs to data sent
// before the last recovery or timeout. With fewer than four segments out
// and nothing new to send, fewer duplicates will ever come, so the limit
// drops to one less than the segments out (early retransmit, RFC 5827);
// the first two duplicates may each send a new segment (limited transmit,
// RFC 3042, through output's allowance).
func (c *tcb) dupAck() {
	c.dupAcks++
	limit := dupAckLimit
	if out := (c.inFlight() + c.mss - 1) / c.mss; out < 4 && c.unsent() == 0 {
		limit = max(out-1, 1)
	}
	switch {
	case c.inRecovery:
		c.cwnd += c.mss // each duplicate means a segment left the network
	case c.dupAcks >= limit && c.recover.LessThan(c.sndUna):
		c.ssthresh = max(c.inFlight()/2, 2*c.mss)
		c.recover = c.sndMax
		c.inRecovery = true
		c.retransmitFirst()
		c.cwnd = c.ssthresh + dupAckLimit*c.mss
	case c.dupAcks >= limit && c.sndUna == c.recover:
		// RFC 6582 section 4.1: duplicates for data sent before a timeout
		// may not start a recovery; the first unacknowledged ACK after it can.
	}
}

// processText is the seventh step of RFC 9293 section 3.10.7.4: data in
// order joins the receive buffer (with any queued segments it now reaches),
// data ahead of a gap waits in the out-of-order queue. Delayed ACKs: every
// second full segment, anything out of order and a FIN are ACKed at once.
func (c *tcb) processText(seg *segment) {
	if len(seg.data) == 0 && !seg.has(wire.TCPFin) {
		return
	}
	switch c.state {
	case stateEstablished, stateFinWait1, stateFinWait2, stateSynReceived:
	default:
		return // the peer's FIN came already: nothing more may arrive
	}
	if len(seg.data) > 0 && c.s.tcpReadClosed() {
		// RFC 9293 section 3.10.4 and Linux: data for a connection nobody
		// will read again aborts it.
		c.sendReset()
		c.abort(sock.ErrConnReset, "data arrived after the application closed its end")
		return
	}
	if seg.seq != c.rcvNxt {
		c.queueOutOfOrder(seg)
		c.ackNow = true
		return
	}
	c.accept(seg.data)
	if len(c.ooo) > 0 {
		c.drainOutOfOrder()
		c.ackNow = true
	}
	if len(seg.data) > 0 {
		if len(seg.data) >= c.rcvMSS || len(seg.data) >= c.mss {
			c.ackPending++
		}
		if c.ackPending >= 2 {
			c.ackNow = true
		} else if !c.armed(timerDelayedACK) {
			c.arm(timerDelayedACK, delayedACK)
		}
	}
}

// accept appends in-order data to the receive buffer.
func (c *tcb) accept(data []byte) {
	if len(data) == 0 {
		return
	}
	if !c.s.shutRd {
		c.rcvBuf.Write(data)
	}
	c.rcvNxt = c.rcvNxt.Add(len(data))
}

// queueOutOfOrder keeps a segment that arrived ahead of a gap. A segment
// that a queued one already covers (a duplicate) is not stored twice.
func (c *tcb) queueOutOfOrder(seg *segment) {
	if len(seg.data) == 0 && !seg.has(wire.TCPFin) {
		return
	}
	end := seg.seq.Add(len(seg.data))
	i := 0
	for ; i < len(c.ooo); i++ {
		o := &c.ooo[i]
		oEnd := o.seq.Add(len(o.data))
		if o.seq.LessEq(seg.seq) && end.LessEq(oEnd) && (o.fin || !seg.has(wire.TCPFin) || end != oEnd) {
			return
		}
		if seg.seq.LessThan(o.seq) {
			break
		}
	}
	n := oooSegment{seq: seg.seq, data: append([]byte(nil), seg.data...), fin: seg.has(wire.TCPFin)}
	c.ooo = append(c.ooo, oooSegment{})
	copy(c.ooo[i+1:], c.ooo[i:])
	c.ooo[i] = n
	c.oooBytes += len(n.data)
}

// drainOutOfOrder moves queued segments that RCV.NXT now reaches into the
// receive buffer, and notes a FIN among them.
func (c *tcb) drainOutOfOrder() {
	for len(c.ooo) > 0 && c.ooo[0].seq.LessEq(c.rcvNxt) {
		o := c.ooo[0]
		c.ooo = c.ooo[1:]
		c.oooBytes -= len(o.data)
		skip := int(c.rcvNxt.Sub(o.seq))
		if skip < len(o.data) {
			c.accept(o.data[skip:])
		}
		if o.fin && skip <= len(o.data) {
			c.pendingFin = true
		}
	}
	if len(c.ooo) == 0 {
		c.ooo = nil
	}
}

// processFin is the eighth step of RFC 9293 section 3.10.7.4: a FIN at
// RCV.NXT is taken (the next read returns end of file) and acknowledged at
// once. It reports whether the FIN is new, for the caller's state change.
func (c *tcb) processFin(seg *segment) bool {
	fin := c.pendingFin || (seg.has(wire.TCPFin) && seg.seq.Add(len(seg.data)) == c.rcvNxt)
	if c.finRcvd {
		if seg.has(wire.TCPFin) {
			c.ackNow = true // a retransmitted FIN
		}
		return false
	}
	if !fin {
		return false
	}
	c.pendingFin = false
	c.finRcvd = true
	c.rcvNxt = c.rcvNxt.Add(1)
	c.ackNow = true
	return true
}
