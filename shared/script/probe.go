package script

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// ping and traceroute are programs, not single calls: each makes its
// socket calls through sock.Proc, so that every one shows in the trace, and
// waits on the kernel's clock between them, blocking the lines after it as
// a foreground call does.

// The defaults of ping(8) (iputils) and traceroute(8) (Linux's, by Dmitry
// Butskoy), in virtual time.
const (
	PingSize         = 56               // ping -s: bytes of data after the ICMP header
	pingInterval     = time.Second      // ping -i
	pingLinger       = 10 * time.Second // how long ping waits after its last request when no reply came (MAXWAIT)
	TracerouteHops   = 30               // traceroute -m
	traceroutePort   = 33434            // traceroute -p: the first probe's port; each probe takes the next
	traceProbes      = 3                // traceroute -q: probes per hop
	traceWait        = 5 * time.Second  // traceroute -w: how long a probe waits for its answer
	traceData        = 32               // a 60-byte probe: 20 of IP, 8 of UDP, 32 of data
	maxProbeDatagram = 65535 - wire.IPv4MinHeaderLen - wire.ICMPv4HeaderLen
)

// prober is a program under way (a ping, a traceroute), as plain data: a
// watch's wait names it, and its methods say what it waits for and what
// it does next, so that a copy of the runner holds no closure.
type prober interface {
	// ready reports whether its socket has something to report.
	ready(r *Runner) bool
	// take reads what came and reports whether it found anything.
	take(r *Runner) bool
	// stop reports whether the watch may end before its deadline.
	stop(r *Runner) bool
	// next goes on once the watch is over.
	next(r *Runner)
}

// watch waits until g.stop() holds or the deadline passes, calling g.take
// each time its socket has something to report (g.ready), then calls
// g.next. take says whether it found anything; a socket that says it is
// ready and yet gives nothing (an error queue this kernel cannot read) is
// then only waited out, so that the wait never spins in place.
func (r *Runner) watch(g prober, deadline time.Duration) {
	if g.ready(r) && !g.take(r) {
		r.wait = &waiter{prog: g, waitOut: true, deadline: deadline, hasDeadline: true, steps: -1}
		return
	}
	if g.stop(r) || r.k.Now() >= deadline {
		g.next(r)
		return
	}
	r.wait = &waiter{prog: g, deadline: deadline, hasDeadline: true, giveUp: r.k.Now() + MaxBlock, steps: -1}
}

// wakeProbe goes on after a watch's wait.
func (r *Runner) wakeProbe(w *waiter) {
	if w.waitOut {
		w.prog.next(r)
		return
	}
	r.watch(w.prog, w.deadline)
}

// readyOrErr reports whether fd has data or an error to take.
func readyOrErr(p sock.Proc, fd int) bool {
	return p != nil && p.Readiness(fd)&(sock.PollIn|sock.PollErr) != 0
}

// takeErrors reads fd's error queue to its end (recvmsg MSG_ERRQUEUE),
// handing each error to f, and reports whether there was any, and the
// error of a kernel that cannot read the queue (anything but EAGAIN).
// Linux clears the socket's pending error (SO_ERROR) when the queue is
// read empty; a getsockopt SO_ERROR does it here too, which on Linux
// reads 0.
func takeErrors(p sock.Proc, fd int, f func(sock.ExtendedErr)) (bool, error) {
	took := false
	var cannot error
	for {
		ee, err := p.RecvErr(fd)
		if err != nil {
			if sock.ErrnoOf(err) != sock.ErrAgain {
				cannot = err
			}
			break
		}
		took = true
		f(ee)
	}
	if p.Readiness(fd)&sock.PollErr != 0 {
		if v, err := p.GetSockopt(fd, sock.OptError); err == nil && v != 0 {
			took = true
		}
	}
	return took, cannot
}

// icmpError says what an ICMP error means in ping's words (iputils'
// pr_icmph), and traceroute's mark for it ("!H"); final is true for a
// destination unreachable, after which traceroute goes no further.
func icmpError(ee sock.ExtendedErr) (words, mark string, final bool) {
	switch wire.ICMPv4Type(ee.Type) {
	case wire.ICMPv4TimeExceeded:
		if ee.Code == 1 {
			return "Frag reassembly time exceeded", "", false
		}
		return "Time to live exceeded", "", false
	case wire.ICMPv4DestUnreach:
		switch ee.Code {
		case wire.ICMPv4NetUnreach:
			return "Destination Net Unreachable", "!N", true
		case wire.ICMPv4HostUnreach:
			return "Destination Host Unreachable", "!H", true
		case 2:
			return "Destination Protocol Unreachable", "!P", true
		case wire.ICMPv4PortUnreach:
			return "Destination Port Unreachable", "", true
		case wire.ICMPv4FragNeeded:
			return fmt.Sprintf("Frag needed and DF set (mtu = %d)", ee.Info), fmt.Sprintf("!F-%d", ee.Info), true
		case 13:
			return "Packet filtered", "!X", true
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", ee.Code), fmt.Sprintf("!<%d>", ee.Code), true
	case 0:
		if ee.Err != nil {
			return "local error: " + ee.Err.Text(), "", true
		}
	}
	return fmt.Sprintf("Bad ICMP type: %d", ee.Type), "", false
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }

// pinger is one run of ping: what it sent, and what came back.
type pinger struct {
	l      Line
	c      CallCmd
	fd     int
	dst    netip.AddrPort
	count  int
	i      int             // the probe sent last
	final  bool            // after the last probe: waiting for the replies still missing
	sentAt []time.Duration // by probe
	seqOf  map[uint16]int  // the echo sequence number the kernel used -> probe
	wires  uint16          // requests the kernel sent
	got    []bool          // a reply or an error came for the probe
	rtts   []time.Duration
	errs   int
	lines  []string // the errors, as ping prints them
}

// proc is the process that pings; named, not held, so that the pinger
// stays plain data.
func (g *pinger) proc(r *Runner) sock.Proc { return r.k.Process(g.c.Host, g.c.Proc) }

// ping sends Count echo requests a second apart through a ping socket, as
// ping(8) does, with Size bytes of data, DF set for df (ping -M do). Errors
// come from the socket's error queue (IP_RECVERR), each printed as ping
// prints it ("From 10.0.1.1 icmp_seq=1 Time to live exceeded"). After the
// last request it waits, as iputils does, for the replies still missing:
// twice the longest round trip (at least a second) when a reply came, ten
// seconds when none did; it stops early once every request is answered.
func (r *Runner) ping(l Line, c CallCmd, p sock.Proc) {
	g := &pinger{l: l, c: c, dst: netip.AddrPortFrom(c.Call.PingAddr, 0), count: c.Call.Count, seqOf: map[uint16]int{}}
	fd, err := p.Socket(sock.SockICMP)
	if err != nil {
		r.finish(l, c, "", err)
		return
	}
	g.fd = fd
	if err := p.SetSockopt(fd, sock.OptRecvErr, 1); err != nil {
		g.fail(r, err)
		return
	}
	if c.Call.DF {
		if err := p.SetSockopt(fd, sock.OptMTUDiscover, sock.PMTUDiscDo); err != nil {
			g.fail(r, err)
			return
		}
	}
	g.probe(r, 0)
}

func (g *pinger) fail(r *Runner, err error) {
	g.proc(r).Close(g.fd)
	r.finish(g.l, g.c, "", err)
}

func (g *pinger) probe(r *Runner, i int) {
	p := g.proc(r)
	start := r.k.Now()
	g.i = i
	g.take(r)
	g.sentAt = append(g.sentAt, start)
	g.got = append(g.got, false)
	if _, err := p.SendTo(g.fd, Pattern(g.c.Call.Size), g.dst); err != nil {
		switch {
		case sock.ErrnoOf(err) == sock.ErrMsgSize:
			// ping: "local error: message too long, mtu=1400", and it
			// counts the request as sent.
			line := "ping: local error: message too long"
			_, _ = takeErrors(p, g.fd, func(ee sock.ExtendedErr) {
				if ee.Local && ee.Info > 0 {
					line = fmt.Sprintf("ping: local error: message too long, mtu=%d", ee.Info)
				}
			})
			g.lines = append(g.lines, line)
			g.errs++
			g.got[i] = true
		case i == 0:
			g.fail(r, err)
			return
		default:
			g.lines = append(g.lines, "ping: sendmsg: "+resultOfError(err))
			g.errs++
			g.got[i] = true
		}
	} else {
		g.wires++
		g.seqOf[g.wires] = i
	}
	if i < g.count-1 {
		r.watch(g, start+pingInterval)
		return
	}
	linger := pingLinger
	if len(g.rtts) > 0 {
		linger = max(2*slicesMax(g.rtts), pingInterval)
	}
	g.final = true
	r.watch(g, start+linger)
}

func (g *pinger) ready(r *Runner) bool { return readyOrErr(g.proc(r), g.fd) }

// stop: between requests the watch runs to the next; after the last it
// ends once every request is answered.
func (g *pinger) stop(*Runner) bool { return g.final && g.answered() }

func (g *pinger) next(r *Runner) {
	if g.final {
		g.done(r)
		return
	}
	g.probe(r, g.i+1)
}

func slicesMax(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// answered reports whether every request has its reply or error.
func (g *pinger) answered() bool {
	for _, ok := range g.got {
		if !ok {
			return false
		}
	}
	return true
}

// take reads what came: errors from the error queue, then replies.
func (g *pinger) take(r *Runner) bool {
	p := g.proc(r)
	// A kernel that cannot read the error queue still counts the
	// replies; the errors then go unreported.
	took, _ := takeErrors(p, g.fd, func(ee sock.ExtendedErr) {
		i, ok := g.probeOf(ee.Data)
		words, _, _ := icmpError(ee)
		seq := "?"
		if ok {
			seq = strconv.Itoa(i + 1)
			g.got[i] = true
		}
		g.lines = append(g.lines, fmt.Sprintf("From %v icmp_seq=%s %s", ee.Offender, seq, words))
		g.errs++
	})
	for p.Readiness(g.fd)&sock.PollIn != 0 {
		dg, err := p.RecvFrom(g.fd, 65536)
		if err != nil {
			break
		}
		took = true
		i, ok := g.probeOf(dg.Data)
		if !ok || g.got[i] {
			continue // not ours, or a duplicate
		}
		g.got[i] = true
		g.rtts = append(g.rtts, r.k.Now()-g.sentAt[i])
	}
	return took
}

// probeOf finds the probe an echo message (a reply, or the request an
// error quotes) belongs to, by its sequence number.
func (g *pinger) probeOf(b []byte) (int, bool) {
	m, err := wire.ParseICMPv4(b)
	if err != nil {
		return 0, false
	}
	i, ok := g.seqOf[m.Seq()]
	return i, ok
}

func (g *pinger) done(r *Runner) {
	g.proc(r).Close(g.fd)
	res := pingSummary(len(g.sentAt), g.errs, g.rtts)
	if len(g.lines) > 0 {
		res = strings.Join(g.lines, "\n") + "\n" + res
	}
	r.finish(g.l, g.c, res, nil)
}

// pingSummary is ping's statistics line: "3 transmitted, 3 received, 0%
// packet loss, rtt min/avg/max 10.000/10.000/10.000 ms", with "+2 errors"
// after the received count when errors came back.
func pingSummary(sent, errs int, rtts []time.Duration) string {
	loss := 100
	if sent > 0 {
		loss = 100 * (sent - len(rtts)) / sent
	}
	s := fmt.Sprintf("%d transmitted, %d received, ", sent, len(rtts))
	if errs > 0 {
		s += fmt.Sprintf("+%d errors, ", errs)
	}
	s += fmt.Sprintf("%d%% packet loss", loss)
	if len(rtts) == 0 {
		return s
	}
	lo, hi, sum := rtts[0], rtts[0], time.Duration(0)
	for _, t := range rtts {
		lo, hi, sum = min(lo, t), max(hi, t), sum+t
	}
	return fmt.Sprintf("%s, rtt min/avg/max %s/%s/%s ms", s, ms(lo), ms(sum/time.Duration(len(rtts))), ms(hi))
}

// tracer is one run of traceroute, as plain data: the hop and probe it
// is at, and what the probe under way waits for.
type tracer struct {
	l     Line
	c     CallCmd
	fd    int
	dst   netip.Addr
	port  uint16 // the next probe's port
	lines []string
	// noQueue is why the kernel cannot read the error queue, if it
	// cannot: without it traceroute learns nothing, so it stops.
	noQueue error

	ttl   int        // the hop
	k     int        // the probe of the hop under way
	line  string     // the hop's line so far
	last  netip.Addr // the router that answered the hop's last probe
	final bool       // a probe of the hop reached the destination, or a router that cannot go on

	probePort uint16            // the probe under way's port
	start     time.Duration     // when it was sent
	answer    *sock.ExtendedErr // its answer, once one came
	at        time.Duration     // when
}

// proc is the process that traces; named, not held, so that the tracer
// stays plain data.
func (t *tracer) proc(r *Runner) sock.Proc { return r.k.Process(t.c.Host, t.c.Proc) }

// traceroute finds the routers on the way to an address as traceroute(8)
// does with UDP: probes to ports 33434 and up, three for each TTL from 1,
// each waiting up to 5 s; a router whose turn it is to drop a probe (its
// TTL ran out) answers ICMP time exceeded, and the error queue (IP_RECVERR)
// says who it was. It stops after the hop that answers destination
// unreachable: port unreachable from the destination itself, or !H, !N,
// ... from a router that cannot go on.
func (r *Runner) traceroute(l Line, c CallCmd, p sock.Proc) {
	t := &tracer{l: l, c: c, dst: c.Call.PingAddr, port: traceroutePort}
	fd, err := p.Socket(sock.SockUDP)
	if err != nil {
		r.finish(l, c, "", err)
		return
	}
	t.fd = fd
	if err := p.SetSockopt(fd, sock.OptRecvErr, 1); err != nil {
		t.fail(r, err)
		return
	}
	t.lines = append(t.lines, fmt.Sprintf("traceroute to %v (%v), %d hops max, %d byte packets",
		t.dst, t.dst, c.Call.Count, wire.IPv4MinHeaderLen+wire.UDPHeaderLen+traceData))
	t.hop(r, 1)
}

func (t *tracer) fail(r *Runner, err error) {
	t.proc(r).Close(t.fd)
	r.finish(t.l, t.c, "", err)
}

func (t *tracer) done(r *Runner) {
	t.proc(r).Close(t.fd)
	r.finish(t.l, t.c, strings.Join(t.lines, "\n"), nil)
}

// hop sends the probes with TTL ttl, one after another.
func (t *tracer) hop(r *Runner, ttl int) {
	if ttl > t.c.Call.Count {
		t.done(r)
		return
	}
	if err := t.proc(r).SetSockopt(t.fd, sock.OptTTL, ttl); err != nil {
		t.fail(r, err)
		return
	}
	t.ttl, t.line, t.last, t.final = ttl, fmt.Sprintf("%2d ", ttl), netip.Addr{}, false
	t.probe(r, 0)
}

// probe sends the hop's probe k and watches for its answer.
func (t *tracer) probe(r *Runner, k int) {
	t.k = k
	if k == traceProbes {
		t.lines = append(t.lines, t.line)
		if t.final {
			t.done(r)
			return
		}
		t.hop(r, t.ttl+1)
		return
	}
	t.answer = nil
	t.takeQueue(r) // late answers to probes given up on
	if t.noQueue != nil {
		t.fail(r, t.noQueue)
		return
	}
	t.probePort = t.port
	t.port++
	t.start = r.k.Now()
	if _, err := t.proc(r).SendTo(t.fd, Pattern(traceData), netip.AddrPortFrom(t.dst, t.probePort)); err != nil {
		t.fail(r, err)
		return
	}
	r.watch(t, t.start+traceWait)
}

func (t *tracer) ready(r *Runner) bool { return readyOrErr(t.proc(r), t.fd) }

// take reads what came, keeping the answer to the probe under way.
func (t *tracer) take(r *Runner) bool {
	mine := netip.AddrPortFrom(t.dst, t.probePort)
	return t.read(r, func(ee sock.ExtendedErr) {
		if t.answer == nil && ee.Dst == mine {
			t.answer, t.at = &ee, r.k.Now()
		}
	})
}

// takeQueue reads what came, keeping nothing: late answers to probes
// given up on.
func (t *tracer) takeQueue(r *Runner) bool { return t.read(r, func(sock.ExtendedErr) {}) }

func (t *tracer) stop(*Runner) bool { return t.answer != nil || t.noQueue != nil }

// next writes the probe's answer, or its *, on the hop's line and sends
// the next probe.
func (t *tracer) next(r *Runner) {
	if t.noQueue != nil {
		t.fail(r, t.noQueue)
		return
	}
	if t.answer == nil {
		t.line += " *"
		t.probe(r, t.k+1)
		return
	}
	if t.answer.Offender != t.last {
		t.line += " " + t.answer.Offender.String()
		t.last = t.answer.Offender
	}
	_, mark, fin := icmpError(*t.answer)
	t.line += "  " + ms(t.at-t.start) + " ms"
	if mark != "" {
		t.line += " " + mark
	}
	t.final = t.final || fin
	t.probe(r, t.k+1)
}

// read reads the error queue, and any datagram that came (a UDP service
// that answered a probe: traceroute reads it and goes on).
func (t *tracer) read(r *Runner, f func(sock.ExtendedErr)) bool {
	p := t.proc(r)
	took, err := takeErrors(p, t.fd, f)
	if err != nil {
		t.noQueue = err
		return true // nothing more to wait for
	}
	for p.Readiness(t.fd)&sock.PollIn != 0 {
		if _, err := p.RecvFrom(t.fd, 65536); err != nil {
			break
		}
		took = true
	}
	return took
}
