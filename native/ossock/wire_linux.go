//go:build linux

package ossock

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// PacketKind is what happened to a packet on a wire.
type PacketKind uint8

const (
	// PacketUnknown is the zero PacketKind; no report carries it.
	PacketUnknown PacketKind = iota
	// PacketSent: the packet left the sender onto the wire (read from the
	// sender's device, before any queue or delay). The second copy a
	// duplicating link makes is reported Sent again, with Reason "duplicate".
	PacketSent
	// PacketDropped: the wire dropped the packet; Reason says why ("loss",
	// "queue full", "mtu", or a device error).
	PacketDropped
	// PacketDelivered: the packet was written into the receiver's device.
	PacketDelivered
)

// String prints the kind's name.
func (k PacketKind) String() string {
	switch k {
	case PacketSent:
		return "sent"
	case PacketDropped:
		return "dropped"
	case PacketDelivered:
		return "delivered"
	}
	return fmt.Sprintf("PacketKind(%d)", uint8(k))
}

// Packet is one report of what a wire did with a packet.
type Packet struct {
	Time     time.Time
	Kind     PacketKind
	From, To string // hosts: sender and receiver
	Link     string // "a->b", the direction, as the simulator names it
	Data     []byte // the IP packet as it was at that moment (a copy the receiver may keep)
	Reason   string // why it was dropped; "duplicate" on the Sent report of a Dup copy
}

// wireQueue is the drop-tail queue of a direction with a rate, in packets,
// as the simulator's link has.
const wireQueue = 1000

// wireBatch is how many packets a direction reads at most before it looks at
// its timers again, so that a flood cannot starve deliveries.
const wireBatch = 64

// wire carries the packets between two TUN devices, the two ends of one link,
// in userspace: one goroutine per direction reads its sender's device, rolls
// the direction's seeded dice for each packet the way the simulator's link
// does (shared/netsim/link.go, faults.go), and writes what survives into the
// receiver's device when its time comes. A wire is the link's impairments and
// its tracer at once; the kernels at both ends see only a point-to-point
// device.
type wire struct {
	props  atomic.Pointer[LinkProps]
	report *atomic.Pointer[func(Packet)] // the town's callback
	start  time.Time                     // the origin of the directions' clocks
	fds    [2]int                        // the TUN devices: fds[0] in a, fds[1] in b
	stop   int                           // an eventfd; readable once Close is called
	dirs   [2]*wireDir
	wg     sync.WaitGroup
	once   sync.Once
}

// wireDir is one direction of a wire, owned by its goroutine.
type wireDir struct {
	w        *wire
	from, to string
	name     string // "from->to"
	src, dst int    // fds: read from src, write into dst
	rng      *rand.Rand
	flights  flightHeap
	seq      uint64          // packets pushed so far, to keep equal times in order
	busy     time.Duration   // when the transmitter finishes what it has queued
	txEnds   []time.Duration // end times of packets not yet fully sent, oldest first
	err      error           // why the goroutine stopped early, if it did
}

// newWire starts a wire between fdA (in host a) and fdB (in host b). It owns
// the fds from here on: Close closes them. seed and index choose the two
// directions' random streams: a->b uses stream 2*index, b->a 2*index+1.
func newWire(a, b string, fdA, fdB int, p LinkProps, seed, index uint64, report *atomic.Pointer[func(Packet)]) (*wire, error) {
	stop, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	w := &wire{report: report, start: time.Now(), fds: [2]int{fdA, fdB}, stop: stop}
	w.props.Store(&p)
	w.dirs[0] = &wireDir{w: w, from: a, to: b, name: a + "->" + b, src: fdA, dst: fdB, rng: streamRNG(seed, 2*index)}
	w.dirs[1] = &wireDir{w: w, from: b, to: a, name: b + "->" + a, src: fdB, dst: fdA, rng: streamRNG(seed, 2*index+1)}
	for _, d := range w.dirs {
		w.wg.Add(1)
		go d.run()
	}
	return w, nil
}

// streamRNG is the PCG of stream i of seed: two SplitMix64 steps give the
// generator's two words, so that neighbouring streams are unrelated.
func streamRNG(seed, i uint64) *rand.Rand {
	s := seed ^ (i+1)*0x632be59bd9b4e019
	return rand.New(rand.NewPCG(splitmix(&s), splitmix(&s)))
}

func splitmix(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// set changes the properties from the next packet on; packets already on the
// wire keep the fate they were given, as in the simulator.
func (w *wire) set(p LinkProps) { w.props.Store(&p) }

// Close stops both directions, waits for their goroutines to end, and closes
// the devices' fds, which removes the TUN devices with their routes. Packets
// still on the wire are lost. It is idempotent.
func (w *wire) Close() error {
	var err error
	w.once.Do(func() {
		one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
		if _, werr := unix.Write(w.stop, one); werr != nil {
			// Cannot happen with a fresh eventfd; without the wake-up
			// the goroutines would never end, so say so loudly.
			err = fmt.Errorf("waking the wire: %w", werr)
			return
		}
		w.wg.Wait()
		errs := []error{w.dirs[0].err, w.dirs[1].err}
		for _, fd := range append(w.fds[:], w.stop) {
			if cerr := unix.Close(fd); cerr != nil {
				errs = append(errs, cerr)
			}
		}
		err = errors.Join(errs...)
	})
	return err
}

// now is the time on the wire's clock (monotonic).
func (w *wire) now() time.Duration { return time.Since(w.start) }

// emit reports a packet to the town's callback, if any.
func (d *wireDir) emit(at time.Duration, kind PacketKind, pkt []byte, reason string) {
	fn := d.w.report.Load()
	if fn == nil {
		return
	}
	(*fn)(Packet{
		Time: d.w.start.Add(at), Kind: kind, From: d.from, To: d.to, Link: d.name,
		Data: bytes.Clone(pkt), Reason: reason,
	})
}

// run is the direction's goroutine: wait for a packet to read or a flight to
// land (ppoll with the next landing as timeout), until the wire stops.
func (d *wireDir) run() {
	defer d.w.wg.Done()
	buf := make([]byte, 1<<16)
	fds := []unix.PollFd{{Fd: int32(d.src), Events: unix.POLLIN}, {Fd: int32(d.w.stop), Events: unix.POLLIN}}
	for {
		d.land(d.w.now())
		var ts *unix.Timespec
		if len(d.flights) > 0 {
			wait := max(d.flights[0].at-d.w.now(), 0)
			t := unix.NsecToTimespec(int64(wait))
			ts = &t
		}
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Ppoll(fds, ts, nil); err != nil && err != unix.EINTR {
			d.err = fmt.Errorf("%s: poll: %w", d.name, err)
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents == 0 {
			continue
		}
		for range wireBatch {
			n, err := unix.Read(d.src, buf)
			if err == unix.EAGAIN || err == unix.EINTR {
				break
			}
			if err != nil {
				d.err = fmt.Errorf("%s: reading the device: %w", d.name, err)
				return
			}
			d.send(bytes.Clone(buf[:n]), d.w.now())
		}
	}
}

// send is the simulator's linkDir.send in real time: report, check the MTU,
// roll the dice, take a place in the transmitter's queue, and put each copy
// in flight.
func (d *wireDir) send(pkt []byte, now time.Duration) {
	p := d.w.props.Load()
	d.emit(now, PacketSent, pkt, "")
	if len(pkt) > p.mtu() {
		d.emit(now, PacketDropped, pkt, "mtu")
		return
	}
	f := d.decide(p, len(pkt))
	if f.lost {
		d.emit(now, PacketDropped, pkt, "loss")
		return
	}
	arrive, ok := d.enqueue(now, len(pkt), p)
	if !ok {
		d.emit(now, PacketDropped, pkt, "queue full")
		return
	}
	for i := range f.copies {
		if i > 0 {
			d.emit(now, PacketSent, pkt, "duplicate")
		}
		d.seq++
		d.flights.push(flight{at: arrive + f.hold[i], seq: d.seq, pkt: f.apply(pkt, f.flip[i])})
	}
}

// land writes every flight whose time has come into the receiver's device.
func (d *wireDir) land(now time.Duration) {
	for len(d.flights) > 0 && d.flights[0].at <= now {
		f := d.flights.pop()
		if _, err := unix.Write(d.dst, f.pkt); err != nil {
			// EIO while the receiver's device is down, EAGAIN if its
			// backlog is full: the packet is lost at the far end.
			d.emit(d.w.now(), PacketDropped, f.pkt, "device: "+err.Error())
			continue
		}
		d.emit(d.w.now(), PacketDelivered, f.pkt, "")
	}
}

// enqueue reserves the transmitter for a packet of n bytes and returns when
// its last bit reaches the far end; with no rate there is no queue. (The
// simulator's linkDir.enqueue.)
func (d *wireDir) enqueue(now time.Duration, n int, p *LinkProps) (time.Duration, bool) {
	if p.Rate == 0 {
		return now + p.Delay, true
	}
	drained := 0
	for drained < len(d.txEnds) && d.txEnds[drained] <= now {
		drained++
	}
	d.txEnds = append(d.txEnds[:0], d.txEnds[drained:]...)
	if len(d.txEnds) >= wireQueue {
		return 0, false
	}
	start := max(now, d.busy)
	d.busy = start + time.Duration(int64(n)*8*int64(time.Second)/p.Rate)
	d.txEnds = append(d.txEnds, d.busy)
	return d.busy + p.Delay, true
}

// fate is what becomes of one packet (the simulator's fate).
type fate struct {
	lost   bool
	copies int              // 1, or 2 when the link duplicates it
	hold   [2]time.Duration // extra delay of each copy, so later packets overtake it
	flip   [2]int           // bit of each copy to flip, or -1 to leave it whole
}

// decide rolls the dice for a packet of n bytes, drawing from the stream in
// the simulator's order: loss, then the first copy's reorder and corrupt,
// then dup and the second copy's.
func (d *wireDir) decide(p *LinkProps, n int) fate {
	if d.chance(p.Loss) {
		return fate{lost: true}
	}
	out := fate{copies: 1}
	out.hold[0], out.flip[0] = d.damage(p, n)
	if d.chance(p.Dup) {
		out.copies = 2
		out.hold[1], out.flip[1] = d.damage(p, n)
	}
	return out
}

// damage decides one copy's reordering delay and corrupted bit: a reordered
// copy waits one to two link delays more (at least a millisecond), and a
// corrupted one has one bit anywhere in the packet flipped, header checksum
// left as it was (so a flip in the IPv4 header makes the receiver drop it).
func (d *wireDir) damage(p *LinkProps, n int) (time.Duration, int) {
	var hold time.Duration
	if d.chance(p.Reorder) {
		base := max(p.Delay, time.Millisecond)
		hold = base + time.Duration(d.rng.Int64N(int64(base)+1))
	}
	flip := -1
	if d.chance(p.Corrupt) && n > 0 {
		flip = d.rng.IntN(n * 8)
	}
	return hold, flip
}

func (d *wireDir) chance(p float64) bool { return p > 0 && d.rng.Float64() < p }

// apply returns the packet as it arrives: pkt itself, or a copy with one bit
// flipped.
func (fate) apply(pkt []byte, flip int) []byte {
	if flip < 0 {
		return pkt
	}
	bad := bytes.Clone(pkt)
	bad[flip/8] ^= 1 << (flip % 8)
	return bad
}

// flight is a packet on its way, due at at.
type flight struct {
	at  time.Duration
	seq uint64
	pkt []byte
}

// flightHeap is a min-heap of flights by (at, seq).
type flightHeap []flight

func (h flightHeap) less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}

func (h *flightHeap) push(f flight) {
	*h = append(*h, f)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s.less(i, parent) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *flightHeap) pop() flight {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = flight{}
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// mtu is the link's MTU, the default filled in.
func (p LinkProps) mtu() int {
	if p.MTU == 0 {
		return defaultMTU
	}
	return p.MTU
}
