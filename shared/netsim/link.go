package netsim

import (
	"fmt"
	"time"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

const (
	defaultQueue = 1000
	minMTU       = 68 // RFC 791: every host must take 68-byte packets
)

func linkDefaults(c sock.LinkConfig) sock.LinkConfig {
	if c.MTU == 0 {
		c.MTU = sock.DefaultMTU
	}
	if c.Queue == 0 {
		c.Queue = defaultQueue
	}
	return c
}

// Link is a cable between two endpoints (host interfaces or switch
// ports). Each direction has its own transmitter and its own seeded random
// stream for faults.
type Link struct {
	w      *World
	id     sock.LinkID
	name   string
	an, bn string // the nodes at its ends (hosts or switches)
	cfg    sock.LinkConfig
	dirs   [2]*linkDir
}

// linkDir is one direction of a link: a transmitter with a drop-tail
// queue. It is the medium of the endpoint it leaves.
type linkDir struct {
	link      *Link
	from, to  endpoint
	faults    faultInjector
	arpFaults faultInjector
	tx        Transmitter
	way       sock.Hop
}

func newLink(w *World, a, b endpoint, cfg sock.LinkConfig, index uint64) *Link {
	id := sock.LinkID(index + 1)
	an, bn := a.nodeName(), b.nodeName()
	l := &Link{w: w, id: id, name: an + "-" + bn, an: an, bn: bn, cfg: linkDefaults(cfg)}
	l.dirs[0] = &linkDir{link: l, from: a, to: b, faults: newFaultInjector(w.seed, int(index), 0), way: sock.Hop{Link: id, From: an, To: bn}}
	l.dirs[1] = &linkDir{link: l, from: b, to: a, faults: newFaultInjector(w.seed, int(index), 1), way: sock.Hop{Link: id, From: bn, To: an}}
	for _, d := range l.dirs {
		d.arpFaults = *d.faults.forARP()
	}
	return l
}

// state is the link as snapshots and the kernel interface show it.
func (l *Link) state() sock.LinkState {
	return sock.LinkState{ID: l.id, Name: l.name, A: l.an, B: l.bn, Config: l.cfg}
}

func (d *linkDir) mtu() int      { return d.link.cfg.MTU }
func (d *linkDir) hop() sock.Hop { return d.way }

// ID is the link's place among the world's links, plus one.
func (l *Link) ID() sock.LinkID { return l.id }

// Name is "a-b".
func (l *Link) Name() string { return l.name }

// Config returns the link's properties, defaults filled in.
func (l *Link) Config() sock.LinkConfig { return l.cfg }

// SetConfig changes the link's properties from now on; packets already on
// the way keep the properties they were sent with.
func (l *Link) SetConfig(cfg sock.LinkConfig) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("link %s: %w", l.name, err)
	}
	l.cfg = linkDefaults(cfg)
	return nil
}

// send puts a frame that socket s (if not nil) sends on the link towards
// d.to, with a note for the trace ("retransmission", "zero-window
// probe"). The link owns the frame from here on and never changes it: a
// corrupted copy is a new slice.
func (d *linkDir) send(f frame, s *Socket, note string) {
	w := d.link.w
	cfg := d.link.cfg
	now := w.sched.Now()
	sent := sock.Event{Kind: sock.KindSent, Host: d.from.nodeName(), Link: d.way, Packet: f.l3, Frame: f.b, Reason: note}
	if s != nil {
		sent.Proc, sent.FD, sent.Sock, sent.Local, sent.Remote = s.proc.name, s.fd, s.typ, s.local, s.remote
	}
	w.emit(sent)
	if len(f.l3) > cfg.MTU {
		d.drop(f, fmt.Sprintf("%d bytes exceed the link MTU of %d", len(f.l3), cfg.MTU))
		return
	}
	// The dice are rolled on the packet's length, as the OS kernel's wires
	// (which carry no frames) roll them, so a seed gives both the same fates.
	dice := &d.faults
	if f.arp() {
		dice = &d.arpFaults
	}
	fate := dice.decide(cfg.Faults, cfg.Delay, len(f.l3))
	if fate.lost {
		d.drop(f, "lost on the link")
		return
	}
	arrive, ok := d.enqueue(now, wire.EthernetWireLen(len(f.b)), cfg)
	if !ok {
		d.drop(f, fmt.Sprintf("link queue full (%d packets)", cfg.Queue))
		return
	}
	for i := 0; i < fate.copies; i++ {
		if i > 0 {
			dup := sock.Event{Kind: sock.KindSent, Host: d.from.nodeName(), Link: d.way, Packet: f.l3, Frame: f.b, Reason: "duplicate"}
			w.emit(dup)
		}
		w.flights.add(arrive+fate.hold[i], d, f.damaged(fate.flip[i]))
	}
}

// enqueue reserves the transmitter for a packet of n bytes and returns when
// its last bit reaches the far end.
func (d *linkDir) enqueue(now time.Duration, n int, cfg sock.LinkConfig) (time.Duration, bool) {
	return d.tx.Enqueue(now, n, cfg)
}

// Transmitter is one link direction's sender: a drop-tail queue of
// cfg.Queue packets drained at cfg.Rate. Media outside the simulator (the
// OS kernel's wires) use it so that a link queues and paces alike on every
// kernel.
type Transmitter struct {
	busy   time.Duration   // when the transmitter finishes what it has queued
	txEnds []time.Duration // end times of packets not yet fully sent, oldest first
}

// Enqueue reserves the transmitter for a packet of n bytes offered at now
// and returns when its last bit reaches the far end, or false when the
// queue is full. With no rate limit there is no queue, only the delay.
func (t *Transmitter) Enqueue(now time.Duration, n int, cfg sock.LinkConfig) (time.Duration, bool) {
	if cfg.Rate == 0 {
		return now + cfg.Delay, true
	}
	drained := 0
	for drained < len(t.txEnds) && t.txEnds[drained] <= now {
		drained++
	}
	t.txEnds = append(t.txEnds[:0], t.txEnds[drained:]...)
	if len(t.txEnds) >= cfg.Queue {
		return 0, false
	}
	start := max(now, t.busy)
	serialize := time.Duration(int64(n) * 8 * int64(time.Second) / cfg.Rate)
	t.busy = start + serialize
	t.txEnds = append(t.txEnds, t.busy)
	return t.busy + cfg.Delay, true
}

func (d *linkDir) drop(f frame, reason string) {
	e := sock.Event{Kind: sock.KindDropped, Host: d.from.nodeName(), Link: d.way, Packet: f.l3, Frame: f.b, Reason: reason}
	d.from.countDrop(reason)
	d.link.w.emit(e)
}

// flight is a frame on its way along a link.
type flight struct {
	dir *linkDir
	f   frame
}

// flightTable holds the packets on the way, in slots reused through a free
// list, and is the scheduler handler that lands them: the slot index rides
// in the wake-up's argument, so a packet in flight costs no allocation.
type flightTable struct {
	w     *World
	slots []flight
	free  []uint64
}

func (t *flightTable) add(at time.Duration, d *linkDir, f frame) {
	var i uint64
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = uint64(len(t.slots))
		t.slots = append(t.slots, flight{})
	}
	t.slots[i] = flight{dir: d, f: f}
	t.w.sched.Schedule(at, t, i)
}

// Fire lands the packet in slot i at the far end of its link.
func (t *flightTable) Fire(i uint64) {
	f := t.slots[i]
	t.slots[i] = flight{}
	t.free = append(t.free, i)
	f.dir.to.arrive(f.f, f.dir)
}

// InFlight is the number of packets on the links right now.
func (w *World) InFlight() int { return len(w.flights.slots) - len(w.flights.free) }
