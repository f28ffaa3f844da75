//go:build linux

package ossock

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	wireformat "socketville/shared/wire"

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
	// PacketDropped: the wire dropped the packet; Reason says why in the
	// simulator's words (lostOnLink, "link queue full (1000 packets)", "1600
	// bytes exceed the link MTU of 1500"), or names a device error; or the receiving end dropped
	// a frame that a bit flip had damaged (Reason "bad FCS: ...", At the
	// receiver), as a NIC or a switch does when the frame check sequence
	// does not match.
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
	Data     []byte   // the frame's payload (an IP packet or ARP message, no padding) as it was at that moment
	Frame    []byte   // the whole Ethernet frame (header, payload, padding; no FCS); Data lies in it
	Reason   string   // why it was dropped; "duplicate" on the Sent report of a Dup copy
	// At is where a drop happened: From for the wire's own drops, To for
	// a damaged frame the receiver discarded.
	At string
}

// badFCS is why a receiver drops a damaged frame, in the simulator's words.
const badFCS = "bad FCS: the frame was damaged on the way"

// lostOnLink is why the wire drops a frame its dice lose, in the
// simulator's words.
const lostOnLink = "lost on the link"

// wireQueue is the drop-tail queue of a direction with a rate, in packets,
// as the simulator's link has.
const wireQueue = 1000

// wireBatch is how many packets a direction reads at most before it looks at
// its timers again, so that a flood cannot starve deliveries.
const wireBatch = 64

// wire carries the Ethernet frames between two TAP devices, the two ends of
// one link, in userspace: one goroutine per direction reads its sender's
// device, rolls the direction's seeded dice for each frame the way the
// simulator's link does (shared/netsim/link.go, faults.go: IP frames from the
// direction's stream, ARP frames from its ARP stream, the dice rolled on the
// payload's length), and writes what survives into the receiver's device
// when its time comes; a frame a bit flip damaged is dropped at the far end,
// as a NIC drops a frame whose FCS is wrong. A wire is the link's impairments
// and its tracer at once; the kernels at both ends see only an Ethernet
// cable.
type wire struct {
	props  atomic.Pointer[LinkProps]
	report *atomic.Pointer[func(Packet)] // the town's callback
	start  time.Time                     // the origin of the directions' clocks
	fds    [2]int                        // the TAP devices: fds[0] in a, fds[1] in b
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
	src, dst int                 // fds: read from src, write into dst
	faults   *netsim.FaultStream // for frames that carry IP
	arp      *netsim.FaultStream // for the others (ARP), as the simulator draws them
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
	w.dirs[0] = &wireDir{w: w, from: a, to: b, hop: sock.Hop{Link: sock.LinkID(index + 1), From: a, To: b}, src: fdA, dst: fdB,
		faults: netsim.NewFaultStream(seed, int(index), 0)}
	w.dirs[1] = &wireDir{w: w, from: b, to: a, hop: sock.Hop{Link: sock.LinkID(index + 1), From: b, To: a}, src: fdB, dst: fdA,
		faults: netsim.NewFaultStream(seed, int(index), 1)}
	for _, d := range w.dirs {
		d.arp = d.faults.ARP()
		w.wg.Add(1)
		go d.run()
	}
	return w, nil
}

// set changes the properties from the next packet on; packets already on the
// wire keep the fate they were given, as in the simulator.
func (w *wire) set(p LinkProps) { w.props.Store(&p) }

// Close stops both directions, waits for their goroutines to end, and closes
// the devices' fds, which removes the TAP devices with their routes. Packets
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

// emit reports a frame to the town's callback, if any.
func (d *wireDir) emit(at time.Duration, kind PacketKind, f frame, reason string) {
	fn := d.w.report.Load()
	if fn == nil {
		return
	}
	b := bytes.Clone(f.b)
	p := Packet{
		Time: d.w.start.Add(at), Kind: kind, From: d.from, To: d.to, Link: d.hop,
		Frame: b, Data: b[wireformat.EthernetHeaderLen : wireformat.EthernetHeaderLen+f.n], Reason: reason, At: d.from,
	}
	if f.bad {
		p.At = d.to
	}
	(*fn)(p)
}

// frame is an Ethernet frame on a wire (header, payload, padding; no FCS):
// n is its payload's length without padding, bad whether a bit of it
// flipped on the way.
type frame struct {
	b   []byte
	n   int
	bad bool
}

// readFrame makes a frame of what a TAP device gave: padded to the
// minimum as a NIC pads it, its payload's length read from the IPv4 or
// ARP header inside. ok is false for a runt without a whole header.
func readFrame(b []byte) (frame, bool) {
	if len(b) < wireformat.EthernetHeaderLen {
		return frame{}, false
	}
	n := len(b) - wireformat.EthernetHeaderLen
	eth := wireformat.EtherType(uint16(b[12])<<8 | uint16(b[13]))
	switch eth {
	case wireformat.EtherTypeIPv4:
		if ip, err := wireformat.ParseIPv4(b[wireformat.EthernetHeaderLen:]); err == nil {
			n = len(ip)
		}
	case wireformat.EtherTypeARP:
		if a, err := wireformat.ParseARP(b[wireformat.EthernetHeaderLen:]); err == nil {
			n = len(a)
		}
	}
	if len(b) < wireformat.EthernetMinFrame {
		b = append(b, make([]byte, wireformat.EthernetMinFrame-len(b))...)
	}
	return frame{b: b, n: n}, true
}

// arp reports whether the frame carries something other than IPv4 (ARP),
// whose dice come from the ARP stream.
func (f frame) arp() bool {
	return wireformat.EtherType(uint16(f.b[12])<<8|uint16(f.b[13])) == wireformat.EtherTypeARP
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
			if f, ok := readFrame(bytes.Clone(buf[:n])); ok {
				d.send(f, d.w.now())
			}
		}
	}
}

// send is the simulator's linkDir.send in real time: report, check the MTU
// (of the payload), roll the dice (the ARP stream's for ARP), take a place
// in the transmitter's queue (charged the frame's time on the wire), and
// put each copy in flight, a flipped bit marking it bad.
func (d *wireDir) send(f frame, now time.Duration) {
	p := d.w.props.Load()
	d.emit(now, PacketSent, f, "")
	if f.n > p.mtu() {
		d.emit(now, PacketDropped, f, fmt.Sprintf("%d bytes exceed the link MTU of %d", f.n, p.mtu()))
		return
	}
	dice := d.faults
	if f.arp() {
		dice = d.arp
	}
	fate := dice.Decide(sock.Faults{Loss: p.Loss, Dup: p.Dup, Reorder: p.Reorder, Corrupt: p.Corrupt}, p.Delay, f.n)
	if fate.Lost {
		d.emit(now, PacketDropped, f, lostOnLink)
		return
	}
	arrive, ok := d.enqueue(now, wireformat.EthernetWireLen(len(f.b)), p)
	if !ok {
		d.emit(now, PacketDropped, f, fmt.Sprintf("link queue full (%d packets)", wireQueue))
		return
	}
	for i := range fate.Copies {
		if i > 0 {
			d.emit(now, PacketSent, f, "duplicate")
		}
		d.seq++
		c := f
		if fate.Flip[i] >= 0 {
			c = frame{b: slices.Concat(f.b[:wireformat.EthernetHeaderLen], fate.Apply(f.b[wireformat.EthernetHeaderLen:wireformat.EthernetHeaderLen+f.n], i), f.b[wireformat.EthernetHeaderLen+f.n:]), n: f.n, bad: true}
		}
		d.flights.push(flight{at: arrive + fate.Hold[i], seq: d.seq, f: c})
	}
}

// land writes every flight whose time has come into the receiver's device;
// a damaged frame goes no further than the receiver's FCS check.
func (d *wireDir) land(now time.Duration) {
	for len(d.flights) > 0 && d.flights[0].at <= now {
		f := d.flights.pop()
		if f.f.bad {
			d.emit(d.w.now(), PacketDropped, f.f, badFCS)
			continue
		}
		// The time is taken before the write: the receiving kernel may
		// handle the frame, and answer it, before the write returns.
		at := d.w.now()
		if _, err := unix.Write(d.dst, f.f.b); err != nil {
			// EIO while the receiver's device is down, EAGAIN if its
			// backlog is full: the packet is lost at the far end.
			d.emit(at, PacketDropped, f.f, "device: "+err.Error())
			continue
		}
		d.emit(at, PacketDelivered, f.f, "")
	}
}

// enqueue reserves the transmitter for a packet of n bytes and returns when
// its last bit reaches the far end: the simulator's own transmitter, with
// the wire's queue of wireQueue packets.
func (d *wireDir) enqueue(now time.Duration, n int, p *LinkProps) (time.Duration, bool) {
	return d.tx.Enqueue(now, n, sock.LinkConfig{Delay: p.Delay, Rate: p.Rate, Queue: wireQueue})
}

// flight is a frame on its way, due at at.
type flight struct {
	at  time.Duration
	seq uint64
	f   frame
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
