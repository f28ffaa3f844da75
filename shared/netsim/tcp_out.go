package netsim

import (
	"fmt"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// maxRcvShift is the window scale the core offers: the smallest shift that
// lets the largest receive buffer SO_RCVBUF can ask for be advertised whole
// (Linux offers 7, sized for its 6 MiB autotuning limit).
var maxRcvShift = func() uint8 {
	var s uint8
	for 0xffff<<s < 2*maxBufRequest {
		s++
	}
	return s
}()

// route finds the way to the peer, and false if there is none any more.
func (c *tcb) route() (nextHop, bool) {
	d, errno := c.s.proc.host.lookup(c.s.remote.Addr())
	return d, errno == nil
}

// confirmPath tells the neighbour cache that the next hop to the peer
// works: the peer acknowledged new data, which Linux takes as proof
// (dst_confirm), so a busy connection needs no ARP probes.
func (c *tcb) confirmPath() {
	if d, ok := c.route(); ok && d.nic.neigh != nil {
		d.nic.neigh.confirm(d.via)
	}
}

// pathMSS is the largest segment the path to the peer carries: its path
// MTU less the headers.
func (c *tcb) pathMSS() int {
	mtu, ok := c.s.proc.host.pathMTU(c.s.remote.Addr())
	if !ok {
		mtu = sock.DefaultMTU
	}
	return max(mtu-wire.IPv4MinHeaderLen-wire.TCPMinHeaderLen, 1)
}

// mtuReduced follows a smaller path MTU, as Linux's tcp_v4_mtu_reduced
// and tcp_simple_retransmit do: segments shrink to fit, and what was sent
// since the oldest unacknowledged byte goes again at once in segments of
// the new size, without counting it as congestion. It returns the MSS.
func (c *tcb) mtuReduced() int {
	mss := c.pathMSS()
	if mss >= c.mss {
		return c.mss
	}
	c.mss = mss
	if c.state == stateSynSent || c.state == stateSynReceived || c.sndUna == c.sndMax {
		return mss
	}
	c.sndNxt, c.rttTiming = c.sndUna, false
	c.output()
	return mss
}

// sendSegment builds and transmits one segment from this connection. Every
// segment but the first SYN carries an ACK of everything received so far.
func (c *tcb) sendSegment(seq wire.SeqNum, flags wire.TCPFlags, data []byte, note string) {
	s := c.s
	h := s.proc.host
	syn := flags&wire.TCPSyn != 0
	if c.state != stateSynSent && flags&wire.TCPRst == 0 || flags&wire.TCPAck != 0 {
		flags |= wire.TCPAck
	}
	var opts []byte
	if syn {
		o := wire.TCPOptions{MSS: uint16(min(c.rcvMSS, 0xffff)), HasMSS: true}
		if c.state == stateSynSent || c.rcvShift > 0 || c.sndShift > 0 {
			o.WindowScale, o.HasWindowScale = c.rcvShift, true
		}
		opts = o.Encode()
	}
	d, ok := c.route()
	if !ok {
		h.countDrop("no route for a TCP segment")
		return
	}
	if note == "retransmission" && d.nic.neigh != nil && d.nic.neigh.holds(s) {
		// As Linux's skb_still_in_host_queue: the first copy still
		// waits for the next hop's MAC address, so a second would only
		// wait behind it.
		h.countDrop("retransmission skipped: the first copy still waits for ARP")
		return
	}
	hdr := wire.TCPHeader{SrcPort: s.local.Port(), DstPort: s.remote.Port(), Seq: seq, Flags: flags, Options: opts}
	if flags&wire.TCPRst == 0 {
		hdr.Window = c.windowField(syn)
	}
	if flags&wire.TCPAck != 0 {
		hdr.Ack = c.rcvNxt
		c.noteAckSent()
	}
	buf, pkt, ip, err := h.newFramedPacket(wire.ProtocolTCP, s.local.Addr(), s.remote.Addr(), s.opts.ttl, true, h.nextID(), hdr.Len()+len(data))
	if err != nil {
		return
	}
	seg := pkt[ip.Len():]
	copy(seg[hdr.Len():], data)
	if err := hdr.Encode(seg, s.local.Addr(), s.remote.Addr()); err != nil {
		return
	}
	h.outputFramed(buf, pkt, d, s, note)
}

// noteAckSent records that the peer now has an ACK of everything received
// and the window that went with it.
func (c *tcb) noteAckSent() {
	c.ackNow, c.ackPending = false, 0
	c.disarm(timerDelayedACK)
	c.lastAckSent = c.rcvNxt
	if edge := c.rcvNxt.Add(int(c.rcvWindow())); c.rcvAdv.LessThan(edge) {
		c.rcvAdv = edge
	}
}

// sendAck sends a bare ACK. Its sequence number is the highest one sent
// (RFC 9293's SND.NXT): sndNxt may have gone back to resend after a
// timeout, and an ACK numbered there would look old to a peer that got the
// later data; it would answer with an ACK of its own instead of taking
// this one, and the two would trade ACKs for ever.
func (c *tcb) sendAck() { c.sendSegment(c.sndMax, wire.TCPAck, nil, "") }

// sendChallengeAck answers a suspicious RST or SYN with an ACK the real
// peer will recognise (RFC 5961 sections 3.2 and 4.2).
func (c *tcb) sendChallengeAck() {
	c.sendSegment(c.sndMax, wire.TCPAck, nil, "challenge ACK (RFC 5961)")
}

// sendSyn sends (or sends again) the SYN, or the SYN|ACK of a passive open.
func (c *tcb) sendSyn() {
	note := ""
	if c.retries > 0 {
		note = "retransmission"
	}
	flags := wire.TCPSyn
	if c.state == stateSynReceived {
		flags |= wire.TCPAck
	}
	if c.retries == 0 {
		c.rttStart = c.sched().Now()
		c.unackedSince = c.rttStart
	}
	c.sendSegment(c.iss, flags, nil, note)
	c.sndNxt, c.sndMax = c.iss.Add(1), c.iss.Add(1)
	rto := c.backedOffRTO()
	if c.state == stateSynSent {
		// As Linux: a connect gives up at the user timeout itself, not
		// at the next backed-off expiry after it.
		rto = c.clampToUserTimeout(rto)
	}
	c.arm(timerRetransmit, rto)
}

// sendReset aborts the connection from our side with RST|ACK, as Linux does
// for SO_LINGER 0 and for closing with unread data.
func (c *tcb) sendReset() {
	c.sendSegment(c.sndMax, wire.TCPRst|wire.TCPAck, nil, "")
}

// canSendData reports whether the state lets data (or the FIN) go out.
func (c *tcb) canSendData() bool {
	switch c.state {
	case stateEstablished, stateCloseWait, stateFinWait1, stateClosing, stateLastAck:
		return true
	}
	return false
}

// output sends what the windows allow: new data in segments of up to one
// MSS, then the FIN. The congestion window (RFC 5681) and the peer's
// window both bound the data in flight; Nagle's algorithm (RFC 896, off with
// TCP_NODELAY) and sender-side silly window avoidance (RFC 9293 section
// 3.8.6.2.1) hold back small segments while data is unacknowledged.
func (c *tcb) output() {
	if !c.canSendData() {
		return
	}
	for {
		unsent := c.unsent()
		avail := min(int(c.sndWnd), c.cwnd+c.limitedTransmit()) - c.inFlight()
		if unsent > 0 {
			n := min(unsent, c.mss, avail)
			if n <= 0 || (n < c.mss && !c.maySendSmall(n, unsent)) {
				break
			}
			c.sendData(c.sndNxt, n, c.finQueued && n == unsent)
			continue
		}
		if c.finQueued && c.sndNxt == c.finSeq() && (int(c.sndWnd) > c.inFlight() || c.inFlight() == 0) {
			c.sendData(c.sndNxt, 0, true)
		}
		break
	}
	c.checkPersist()
}

// limitedTransmit is how far past the congestion window the first two
// duplicate ACKs let new data go (RFC 3042).
func (c *tcb) limitedTransmit() int {
	if c.inRecovery || c.dupAcks >= dupAckLimit {
		return 0
	}
	return c.dupAcks * c.mss
}

// maySendSmall decides whether a segment of n < MSS bytes may go now.
func (c *tcb) maySendSmall(n, unsent int) bool {
	if n == unsent && (c.s.opts.noDelay || c.inFlight() == 0 || c.finQueued) {
		return true // all there is, and Nagle does not hold it
	}
	return c.inFlight() == 0 && n >= int(c.maxSndWnd)/2
}

// checkPersist starts the persist timer when data waits for the peer's
// window and nothing in flight will bring an ACK to open it further.
func (c *tcb) checkPersist() {
	waiting := c.unsent() > 0 || (c.finQueued && c.sndNxt == c.finSeq())
	if waiting && c.inFlight() == 0 {
		if !c.armed(timerPersist) {
			c.arm(timerPersist, c.backedOffRTO())
		}
		return
	}
	c.disarm(timerPersist)
}

// onPersist sends what a small window takes (the override timeout of
// sender-side silly window avoidance, RFC 9293 section 3.8.6.2.1), or
// probes a zero window. Like Linux, the probe is a segment with an already
// acknowledged sequence number: the peer must answer it with an ACK that
// carries its current window, and no data is committed.
func (c *tcb) onPersist() {
	if !c.canSendData() || c.inFlight() > 0 {
		return
	}
	if n := min(c.unsent(), c.mss, int(c.sndWnd)); n > 0 {
		c.sendData(c.sndNxt, n, c.finQueued && n == c.unsent())
		return
	}
	// A peer that answers no probe is gone, as one that acknowledges no
	// retransmission is (Linux's tcp_probe_timer): past TCP_USER_TIMEOUT
	// since the first unanswered probe, or after tcp_retries2 of them.
	now := c.sched().Now()
	if c.probes == 0 {
		c.probedSince = now
	}
	if uto := c.userTimeout(); uto > 0 && c.probes > 0 && now-c.probedSince >= uto {
		c.abort(sock.ErrTimedOut, fmt.Sprintf("no answer to zero-window probes for %v (TCP_USER_TIMEOUT %d ms) after %d probes",
			now-c.probedSince, c.s.opts.userTimeo, c.probes))
		return
	}
	if c.userTimeout() == 0 && c.probes >= dataRetries {
		c.abort(sock.ErrTimedOut, fmt.Sprintf("no answer to %d zero-window probes", c.probes))
		return
	}
	c.sendSegment(c.sndUna.Add(-1), wire.TCPAck, nil, "zero-window probe")
	c.probes++
	c.retries = min(c.retries+1, dataRetries)
	d := c.backedOffRTO()
	if uto := c.userTimeout(); uto > 0 {
		d = max(min(d, c.probedSince+uto-now), time.Millisecond) // give up at the deadline, not a backed-off RTO past it
	}
	c.arm(timerPersist, d)
}

// sendData sends n bytes of the send buffer starting at seq, with the FIN
// after them if fin is set; anything below sndMax is a retransmission.
func (c *tcb) sendData(seq wire.SeqNum, n int, fin bool) {
	off := seq.Sub(c.sndBufSeq)
	if off < 0 || int(off)+n > c.sndBuf.Len() {
		return
	}
	data := c.sndBuf.Bytes()[off : int(off)+n]
	flags := wire.TCPAck
	if n > 0 && int(off)+n == c.sndBuf.Len() {
		flags |= wire.TCPPsh
	}
	end := seq.Add(n)
	if fin {
		flags |= wire.TCPFin
		end = end.Add(1)
	}
	note := ""
	if c.sndUna == c.sndMax {
		c.unackedSince = c.sched().Now() // the first byte in flight
	}
	if seq.LessThan(c.sndMax) {
		note = "retransmission"
	} else if !c.rttTiming {
		c.rttTiming, c.rttSeq, c.rttStart = true, end, c.sched().Now()
	}
	c.sendSegment(seq, flags, data, note)
	if c.sndNxt.LessThan(end) {
		c.sndNxt = end
	}
	if c.sndMax.LessThan(end) {
		c.sndMax = end
	}
	if !c.armed(timerRetransmit) {
		c.arm(timerRetransmit, c.backedOffRTO())
	}
}

// retransmitFirst sends the oldest unacknowledged segment again, for fast
// retransmit and for NewReno's partial ACKs.
func (c *tcb) retransmitFirst() {
	n := min(c.mss, c.sndBuf.Len()-max0(c.sndUna.Sub(c.sndBufSeq)))
	fin := c.finQueued && c.sndUna.Add(n) == c.finSeq()
	if n <= 0 && !fin {
		return
	}
	c.rttTiming = false
	c.sendData(c.sndUna, max(n, 0), fin)
}

// onRetransmitTimeout handles an expired retransmission timer (RFC 6298
// section 5): back off, collapse the congestion window to one segment (RFC
// 5681 section 3.1) and send again from the oldest unacknowledged byte.
func (c *tcb) onRetransmitTimeout() {
	c.retries++
	switch c.state {
	case stateSynSent:
		if c.userTimedOut() {
			c.abort(sock.ErrTimedOut, c.userTimeoutWords("no answer to the SYN"))
			return
		}
		if c.retries > synRetries {
			c.abort(sock.ErrTimedOut, fmt.Sprintf("no answer to the SYN after %d retransmissions", synRetries))
			return
		}
		c.sendSyn()
		return
	case stateSynReceived:
		if c.retries > synAckRetries {
			c.abort(sock.ErrTimedOut, fmt.Sprintf("no ACK for the SYN|ACK after %d retransmissions", synAckRetries))
			return
		}
		c.sendSyn()
		return
	}
	if c.sndUna == c.sndMax {
		c.retries = 0
		return
	}
	if c.userTimedOut() {
		c.abort(sock.ErrTimedOut, c.userTimeoutWords("no ACK"))
		return
	}
	if c.userTimeout() == 0 && c.retries > dataRetries {
		c.abort(sock.ErrTimedOut, fmt.Sprintf("no ACK after %d retransmissions", dataRetries))
		return
	}
	c.ssthresh = max(c.inFlight()/2, 2*c.mss)
	c.cwnd = c.mss
	c.inRecovery, c.dupAcks, c.rttTiming = false, 0, false
	c.recover = c.sndMax
	c.sndNxt = c.sndUna
	c.output()
	if c.sndNxt == c.sndUna { // the window is closed: still send the oldest segment
		c.retransmitFirst()
	}
	c.arm(timerRetransmit, c.backedOffRTO())
}

// userTimeout is the socket's TCP_USER_TIMEOUT, zero when unset. On Linux
// it also bounds keepalive probes; the simulator has no keepalive, so that
// half of RFC 5482 does not apply here.
func (c *tcb) userTimeout() time.Duration {
	return time.Duration(c.s.opts.userTimeo) * time.Millisecond
}

// userTimedOut reports whether a set TCP_USER_TIMEOUT has passed since the
// oldest unacknowledged transmission. Like Linux's retransmits_timed_out
// it is asked only when the retransmission timer fires, so for data the
// give-up comes at the first expiry at or after the deadline; a set user
// timeout replaces tcp_retries2 as the limit.
func (c *tcb) userTimedOut() bool {
	uto := c.userTimeout()
	return uto > 0 && c.sched().Now()-c.unackedSince >= uto
}

// clampToUserTimeout shortens a SYN's retransmission timeout so that the
// timer fires no later than the user timeout's deadline.
func (c *tcb) clampToUserTimeout(rto time.Duration) time.Duration {
	uto := c.userTimeout()
	if uto == 0 {
		return rto
	}
	left := c.unackedSince + uto - c.sched().Now()
	return max(min(rto, left), 0)
}

// userTimeoutWords says why a user timeout ended the connection: how long
// nothing was acknowledged, the option's value and the retransmissions
// made (the timer has already counted this expiry).
func (c *tcb) userTimeoutWords(what string) string {
	waited := c.sched().Now() - c.unackedSince
	return fmt.Sprintf("%s for %v (TCP_USER_TIMEOUT %d ms) after %d retransmissions",
		what, waited, c.s.opts.userTimeo, c.retries-1)
}
