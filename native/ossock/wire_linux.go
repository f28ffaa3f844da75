//go:build linux

package ossock

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"

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
	From, To string   // hosts: sender and receiver
	Link     sock.Hop // the link and direction, as the simulator names them
	Data     []byte   // the IP packet as it was at that moment (a copy the receiver may keep)
	Reason   string   // why it was dropped; "duplicate" on the Sent report of a Dup copy
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
	hop      sock.Hop
	src, dst int // fds: read from src, write into dst
	faults   *netsim.FaultStream
	flights  flightHeap
	seq      uint64 // packets pushed so far, to keep equal times in order
	tx       netsim.Transmitter
	err      error // why the goroutine stopped early, if it did
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
	w.dirs[0] = &wireDir{w: w, from: a, to: b, hop: sock.Hop{Link: sock.LinkID(index + 1), From: a, To: b}, src: fdA, dst: fdB, faults: netsim.NewFaultStream(seed, int(index), 0)}
	w.dirs[1] = &wireDir{w: w, from: b, to: a, hop: sock.Hop{Link: sock.LinkID(index + 1), From: b, To: a}, src: fdB, dst: fdA, faults: netsim.NewFaultStream(seed, int(index), 1)}
	for _, d := range w.dirs {
		w.wg.Add(1)
		go d.run()
	}
	return w, nil
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
		Time: d.w.start.Add(at), Kind: kind, From: d.from, To: d.to, Link: d.hop,
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
			d.err = fmt.Errorf("%s: poll: %w", d.hop, err)
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
				d.err = fmt.Errorf("%s: reading the device: %w", d.hop, err)
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
	f := d.faults.Decide(sock.Faults{Loss: p.Loss, Dup: p.Dup, Reorder: p.Reorder, Corrupt: p.Corrupt}, p.Delay, len(pkt))
	if f.Lost {
		d.emit(now, PacketDropped, pkt, "loss")
		return
	}
	arrive, ok := d.enqueue(now, len(pkt), p)
	if !ok {
		d.emit(now, PacketDropped, pkt, "queue full")
		return
	}
	for i := range f.Copies {
		if i > 0 {
			d.emit(now, PacketSent, pkt, "duplicate")
		}
		d.seq++
		d.flights.push(flight{at: arrive + f.Hold[i], seq: d.seq, pkt: f.Apply(pkt, i)})
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
// its last bit reaches the far end: the simulator's own transmitter, with
// the wire's queue of wireQueue packets.
func (d *wireDir) enqueue(now time.Duration, n int, p *LinkProps) (time.Duration, bool) {
	return d.tx.Enqueue(now, n, sock.LinkConfig{Delay: p.Delay, Rate: p.Rate, Queue: wireQueue})
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
