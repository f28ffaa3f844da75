package netsim

import "time"

// timerKind names one of a connection's timers.
type timerKind uint8

const (
	timerRetransmit timerKind = iota // RFC 6298: resend what is unacknowledged (also the SYN and SYN|ACK)
	timerDelayedACK                  // RFC 9293 section 3.8.6.3: ACK a lone segment late
	timerPersist                     // RFC 9293 section 3.8.6.1: probe a zero window
	timerTimeWait                    // 2*MSL in TIME-WAIT; also the FIN-WAIT-2 timeout of an orphan
	timerCount
)

// timer is one deadline of a connection. The scheduler cannot cancel a
// wake-up, so a timer remembers the one it asked for (pending) and ignores
// any other: re-arming later reuses the pending wake-up, which then sleeps
// again until the new deadline; re-arming earlier asks for a new one.
type timer struct {
	kind       timerKind
	at         time.Duration // the deadline; meaningful while armed
	armed      bool
	pending    time.Duration
	hasPending bool
}

func (c *tcb) sched() *Scheduler { return &c.s.proc.host.w.sched }

// arm sets timer k to fire after d.
func (c *tcb) arm(k timerKind, d time.Duration) {
	t := &c.timers[k]
	t.at, t.armed = c.sched().Now()+d, true
	if !t.hasPending || t.at < t.pending {
		t.pending, t.hasPending = t.at, true
		c.sched().Schedule(t.at, c, uint64(k))
	}
}

// disarm stops timer k; its wake-up, if any, will find nothing to do.
func (c *tcb) disarm(k timerKind) { c.timers[k].armed = false }

func (c *tcb) armed(k timerKind) bool { return c.timers[k].armed }

// stopTimers disarms every timer (the connection is gone).
func (c *tcb) stopTimers() {
	for k := range c.timers {
		c.timers[k].armed = false
	}
}

// Fire is the scheduler's wake-up for timer kind arg.
func (c *tcb) Fire(arg uint64) {
	if arg >= uint64(timerCount) {
		return
	}
	t := &c.timers[arg]
	now := c.sched().Now()
	if !t.hasPending || t.pending != now {
		return // a wake-up that an earlier re-arm replaced
	}
	t.hasPending = false
	if !t.armed {
		return
	}
	if t.at > now {
		t.pending, t.hasPending = t.at, true
		c.sched().Schedule(t.at, c, arg)
		return
	}
	t.armed = false
	switch timerKind(arg) {
	case timerRetransmit:
		c.onRetransmitTimeout()
	case timerDelayedACK:
		c.sendAck()
	case timerPersist:
		c.onPersist()
	case timerTimeWait:
		c.onTimeWaitEnd()
	}
}

// backedOffRTO is the retransmission timeout after n consecutive timeouts
// (RFC 6298 section 5.5: double it each time, up to Linux's limit).
func (c *tcb) backedOffRTO() time.Duration {
	d := c.rto
	for i := 0; i < c.retries && d < maxRTO; i++ {
		d *= 2
	}
	return min(d, maxRTO)
}

// sampleRTT folds one round-trip measurement into SRTT and RTTVAR (RFC 6298
// section 2). Like Linux, the floor is applied to the variance term, so the
// timeout is at least SRTT + 200 ms.
func (c *tcb) sampleRTT(r time.Duration) {
	if c.srtt == 0 {
		c.srtt, c.rttvar = r, r/2
	} else {
		diff := c.srtt - r
		if diff < 0 {
			diff = -diff
		}
		c.rttvar = (3*c.rttvar + diff) / 4
		c.srtt = (7*c.srtt + r) / 8
	}
	c.rto = min(c.srtt+max(4*c.rttvar, minRTO), maxRTO)
}
