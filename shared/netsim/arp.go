package netsim

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// The neighbour cache's timings and limits: Linux's defaults
// (net.ipv4.neigh.default.*), with reachable_time fixed at its base
// instead of drawn at random, so that runs repeat.
const (
	reachableTime   = 30 * time.Second // base_reachable_time: how long an answer stays fresh
	retransTime     = time.Second      // retrans_time: between two requests
	delayFirstProbe = 5 * time.Second  // delay_first_probe_time: stale entry used, wait for a sign of life
	maxRequests     = 3                // mcast_solicit and ucast_solicit: requests before giving up
	unresQueueBytes = 212992           // unres_qlen_bytes: what waits for an answer, per neighbour
	neighMax        = 1024             // gc_thresh3: entries an interface keeps at most
)

// pending is an IP packet waiting for its next hop's MAC address.
type pending struct {
	pkt  []byte
	buf  []byte // the frame buffer pkt lies in, after room for the header; nil when it has none
	s    *Socket
	note string
}

// neighbour is one entry of an interface's ARP cache.
type neighbour struct {
	addr      netip.Addr
	mac       wire.MAC
	state     sock.NeighStatus
	confirmed time.Duration // when the neighbour last answered
	since     time.Duration // when the entry entered its state
	requests  int           // sent in this round of asking
	queue     []pending
	queued    int    // bytes in queue
	gen       uint32 // which wake-up is the entry's own; older ones find nothing to do
}

// neighTable is one interface's ARP cache (RFC 826, with the states of
// RFC 4861 section 7.3.2 as Linux keeps them), and the scheduler handler
// of its entries' timers.
type neighTable struct {
	nic     *nic
	entries []*neighbour // in the order they were made; entries are reused, never removed
}

func newNeighTable(n *nic) *neighTable { return &neighTable{nic: n} }

func (t *neighTable) now() time.Duration { return t.nic.host.w.sched.Now() }

func (t *neighTable) find(a netip.Addr) (int, *neighbour) {
	for i, e := range t.entries {
		if e.addr == a {
			return i, e
		}
	}
	return -1, nil
}

// output sends an IP packet to neighbour via, asking for its MAC address
// first if the cache does not know it.
func (t *neighTable) output(p pending, via netip.Addr) {
	if via == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		t.transmit(p, wire.BroadcastMAC)
		return
	}
	i, e := t.find(via)
	if e == nil {
		if len(t.entries) >= neighMax {
			t.nic.host.countDrop("neighbour table full")
			return
		}
		e = &neighbour{addr: via}
		t.entries = append(t.entries, e)
		i = len(t.entries) - 1
	}
	t.age(e)
	switch e.state {
	case 0, sock.NeighFailed:
		t.enqueue(e, p)
		t.set(e, sock.NeighIncomplete)
		e.requests = 0
		t.ask(i, e)
	case sock.NeighIncomplete:
		t.enqueue(e, p)
	case sock.NeighStale:
		t.set(e, sock.NeighDelay)
		t.wake(i, e, delayFirstProbe)
		t.transmit(p, e.mac)
	default: // REACHABLE, DELAY, PROBE: the address is known
		t.transmit(p, e.mac)
	}
}

// age turns a REACHABLE entry STALE if its answer is older than
// reachableTime and its timer has not yet said so (both happen at the same
// instant; the timer may come later in that instant's order).
func (t *neighTable) age(e *neighbour) {
	if e.state == sock.NeighReachable && t.now()-e.confirmed >= reachableTime {
		t.set(e, sock.NeighStale)
	}
}

func (t *neighTable) transmit(p pending, dst wire.MAC) {
	n := t.nic
	if p.buf == nil {
		n.med.send(newFrame(dst, n.mac, wire.EtherTypeIPv4, p.pkt), p.s, p.note)
		return
	}
	_ = wire.EthernetHeader{Dst: dst, Src: n.mac, Type: wire.EtherTypeIPv4}.Encode(p.buf)
	n.med.send(frame{b: p.buf, l3: p.pkt}, p.s, p.note)
}

// enqueue keeps a packet until the neighbour answers, dropping the oldest
// when the queue holds more than unres_qlen_bytes, as Linux does.
func (t *neighTable) enqueue(e *neighbour, p pending) {
	e.queue = append(e.queue, p)
	e.queued += len(p.pkt)
	for e.queued > unresQueueBytes && len(e.queue) > 1 {
		old := e.queue[0]
		e.queue = e.queue[1:]
		e.queued -= len(old.pkt)
		t.nic.host.countDrop("neighbour queue full (unres_qlen_bytes)")
		t.nic.host.w.emit(sock.Event{Kind: sock.KindDropped, Host: t.nic.host.name, Packet: old.pkt,
			Reason: fmt.Sprintf("waiting for %v's MAC address: the queue is full (%d bytes)", e.addr, unresQueueBytes)})
	}
}

// ask sends the next ARP request for e: broadcast while the address is
// unknown, to the old address while probing a stale one.
func (t *neighTable) ask(i int, e *neighbour) {
	e.requests++
	dst := wire.BroadcastMAC
	if e.state == sock.NeighProbe {
		dst = e.mac
	}
	t.sendARP(wire.ARPRequest, dst, t.senderIP(e.addr), wire.MAC{}, e.addr)
	t.wake(i, e, retransTime)
}

func (t *neighTable) sendARP(op wire.ARPOp, dst wire.MAC, senderIP netip.Addr, targetMAC wire.MAC, targetIP netip.Addr) {
	n := t.nic
	msg := make([]byte, wire.ARPLen)
	hdr := wire.ARPHeader{Op: op, SenderMAC: n.mac, SenderIP: senderIP, TargetMAC: targetMAC, TargetIP: targetIP}
	if err := hdr.Encode(msg); err != nil {
		return
	}
	n.med.send(newFrame(dst, n.mac, wire.EtherTypeARP, msg), nil, "")
}

// senderIP is the address the interface asks from: its own on the
// target's subnet, else its first.
func (t *neighTable) senderIP(target netip.Addr) netip.Addr {
	for _, p := range t.nic.addrs {
		if p.Contains(target) {
			return p.Addr()
		}
	}
	return t.nic.addrs[0].Addr()
}

// wake asks the scheduler for the entry's next timer.
func (t *neighTable) wake(i int, e *neighbour, after time.Duration) {
	e.gen++
	t.nic.host.w.sched.Schedule(t.now()+after, t, uint64(i)<<32|uint64(e.gen))
}

// Fire runs entry i's timer, if the wake-up is still its own.
func (t *neighTable) Fire(arg uint64) {
	i, gen := int(arg>>32), uint32(arg)
	if i >= len(t.entries) || t.entries[i].gen != gen {
		return
	}
	e := t.entries[i]
	switch e.state {
	case sock.NeighIncomplete, sock.NeighProbe:
		if e.requests < maxRequests {
			t.ask(i, e)
			return
		}
		t.fail(e)
	case sock.NeighReachable:
		// As Linux's neigh_timer_handler: fresh while confirmed within
		// reachableTime, then STALE, which asks nothing until next used.
		if left := e.confirmed + reachableTime - t.now(); left > 0 {
			t.wake(i, e, left)
			return
		}
		t.set(e, sock.NeighStale)
	case sock.NeighDelay:
		if e.confirmed >= e.since {
			t.reachable(i, e)
			return
		}
		t.set(e, sock.NeighProbe)
		e.requests = 0
		t.ask(i, e)
	}
}

// fail gives up on a neighbour that did not answer: what waited for it is
// dropped, and its senders hear "host unreachable", as Linux's
// arp_error_report tells them with an ICMP error from the host itself.
func (t *neighTable) fail(e *neighbour) {
	h := t.nic.host
	queue := e.queue
	e.queue, e.queued, e.mac = nil, 0, wire.MAC{}
	t.set(e, sock.NeighFailed)
	for _, p := range queue {
		h.countDrop("no answer to ARP")
		h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Packet: p.pkt, Reason: fmt.Sprintf("no answer from %v after %d ARP requests", e.addr, maxRequests)})
		if ip, err := wire.ParseIPv4(p.pkt); err == nil {
			h.sendICMPError(ip, wire.ICMPv4DestUnreach, wire.ICMPv4HostUnreach, 0)
		}
	}
}

// set moves an entry to a state and publishes it.
func (t *neighTable) set(e *neighbour, s sock.NeighStatus) {
	e.state, e.since = s, t.now()
	st := t.state(e)
	h := t.nic.host
	h.w.emit(sock.Event{Kind: sock.KindNeigh, Host: h.name, Neigh: &st})
}

func (t *neighTable) state(e *neighbour) sock.NeighState {
	st := sock.NeighState{Addr: e.addr, Dev: t.nic.name, State: e.state}
	if e.state != sock.NeighIncomplete && e.state != sock.NeighFailed {
		st.MAC = net.HardwareAddr(e.mac[:])
	}
	return st
}

// learn records that addr is at mac: an answer we asked for makes the
// entry REACHABLE and sends what waited; a request from a neighbour
// (which says where it is without being asked) makes or updates a STALE
// one, as Linux's arp_process does.
func (t *neighTable) learn(addr netip.Addr, mac wire.MAC, answered bool) {
	_, e := t.find(addr)
	if e == nil {
		if answered || len(t.entries) >= neighMax {
			return
		}
		e = &neighbour{addr: addr}
		t.entries = append(t.entries, e)
	}
	if !answered {
		if e.state == 0 || e.state == sock.NeighFailed || e.state == sock.NeighIncomplete || e.mac != mac {
			e.mac = mac
			t.set(e, sock.NeighStale)
			t.flush(e)
		}
		return
	}
	e.mac, e.confirmed = mac, t.now()
	t.reachable(t.index(e), e)
	t.flush(e)
}

// reachable makes an entry REACHABLE, its timer set to when the answer
// grows stale.
func (t *neighTable) reachable(i int, e *neighbour) {
	t.set(e, sock.NeighReachable)
	t.wake(i, e, e.confirmed+reachableTime-t.now())
}

func (t *neighTable) index(e *neighbour) int {
	for i, x := range t.entries {
		if x == e {
			return i
		}
	}
	return -1
}

// confirm records a sign of life from neighbour addr that is not ARP (an
// acknowledgement of new data): a REACHABLE entry stays so, and one in
// DELAY becomes REACHABLE when its timer looks.
func (t *neighTable) confirm(addr netip.Addr) {
	if _, e := t.find(addr); e != nil && e.state != sock.NeighIncomplete && e.state != sock.NeighFailed {
		e.confirmed = t.now()
	}
}

// holds reports whether a packet of socket s waits for an answer.
func (t *neighTable) holds(s *Socket) bool {
	for _, e := range t.entries {
		for _, p := range e.queue {
			if p.s == s {
				return true
			}
		}
	}
	return false
}

// flush sends what waited for the entry's address.
func (t *neighTable) flush(e *neighbour) {
	queue := e.queue
	e.queue, e.queued = nil, 0
	for _, p := range queue {
		t.transmit(p, e.mac)
	}
}

// receive handles an ARP message that reached the interface.
func (t *neighTable) receive(f frame) {
	n := t.nic
	h := n.host
	a, err := wire.ParseARP(f.l3)
	if err != nil {
		h.droppedFrame(f, "malformed ARP message: "+err.Error())
		return
	}
	sender := a.SenderMAC()
	switch {
	case sender.IsMulticast() || sender.IsZero():
		h.droppedFrameAs(f, "ARP from an address that is not a station's", fmt.Sprintf("ARP from %v: not a station's address", sender))
		return
	case sender == n.mac:
		h.droppedFrame(f, "ARP with this interface's own address as sender")
		return
	case !h.hasAddr(a.TargetIP()) || loopbackNet.Contains(a.TargetIP()):
		h.droppedFrameAs(f, "ARP for another host", fmt.Sprintf("ARP for %v, not an address of this host", a.TargetIP()))
		return
	}
	if a.Op() == wire.ARPReply {
		if _, e := t.find(a.SenderIP()); e == nil {
			h.droppedFrameAs(f, "ARP reply nobody asked for", fmt.Sprintf("ARP reply from %v that nobody asked for", a.SenderIP()))
			return
		}
		h.w.emit(sock.Event{Kind: sock.KindDelivered, Host: h.name, Packet: f.l3, Frame: f.b, Reason: "the answer " + n.name + " asked for"})
		t.learn(a.SenderIP(), sender, true)
		return
	}
	h.w.emit(sock.Event{Kind: sock.KindDelivered, Host: h.name, Packet: f.l3, Frame: f.b, Reason: "for this host; the kernel answers"})
	if s := a.SenderIP(); s.IsValid() && !s.IsUnspecified() {
		t.learn(s, sender, false)
	}
	t.sendARP(wire.ARPReply, sender, a.TargetIP(), sender, a.SenderIP())
}

// states copies the cache as `ip neigh` lists it, an answer older than
// reachableTime shown STALE as age would make it.
func (t *neighTable) states() []sock.NeighState {
	var out []sock.NeighState
	for _, e := range t.entries {
		st := t.state(e)
		if e.state == sock.NeighReachable && t.now()-e.confirmed >= reachableTime {
			st.State = sock.NeighStale
		}
		out = append(out, st)
	}
	return out
}
