package forward

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"socketville/shared/sock"
)

// OutsideHost is the town host that stands for the machine's real
// clients: each program that connects through an inbound forward is a
// house on it, named after its command and pid.
const OutsideHost = "outside"

// Poll is how often a town with forwards looks at its real sockets when
// nothing wakes it sooner: a bound on how long a blocked call may miss a
// real client's arrival.
const Poll = 5 * time.Millisecond

// Options configure a Kernel.
type Options struct {
	Forwards []Spec
	// Mode is how inbound forwards carry connections: Splice (the
	// default) or TUN.
	Mode Mode
	// Notes receives a line ("# ...") for each thing a user should know:
	// a forward opened, a connection carried, refused or reset.
	Notes io.Writer
}

// Kernel is a simulated town run on the wall clock, with forwards between
// it and the machine's real sockets. It wraps the simulator's kernel: the
// town's virtual time follows the wall clock from the first moment it is
// asked to move (building the town takes none), and every move first
// carries what the real sockets have to and from the town. All of its
// methods are called from the one goroutine that owns the town.
type Kernel struct {
	sock.Kernel // the simulator

	notes     io.Writer
	ins       []*inbound
	outs      []*outbound
	splices   []*splice
	wakeCh    chan struct{}
	accepted  chan accepted
	dialed    chan dialed
	started   bool
	start     time.Time
	base      time.Duration
	outside   netip.Prefix // the outside host's address, once it exists
	processes map[string]sock.Proc
	waiting   []accepted // real clients that came before their town host
	closed    bool
	tun       *tunSide    // the TUN mode's namespace and device; nil when splicing
	tunNotes  chan string // what the TUN mode's goroutines have to say
	events    int         // events the town has published, to tell when something happened
	seen      int         // events when RunUntil last returned: the caller has looked since
}

// New opens the real listeners of the inbound forwards at once (a port
// that is taken is an error now, not later), and makes each forward's
// town side as soon as the town has its host.
func New(sim sock.Kernel, opts Options) (*Kernel, error) {
	k := &Kernel{
		Kernel: sim, notes: opts.Notes, wakeCh: make(chan struct{}, 1),
		accepted: make(chan accepted, 64), dialed: make(chan dialed, 64),
		processes: map[string]sock.Proc{}, tunNotes: make(chan string, 64),
	}
	if k.notes == nil {
		k.notes = io.Discard
	}
	sim.Observe(func(sock.Event) { k.events++ })
	for _, s := range opts.Forwards {
		switch s.Dir {
		case Inbound:
			in, err := listen(s, k)
			if err != nil {
				k.Close()
				return nil, err
			}
			k.ins = append(k.ins, in)
		case Outbound:
			k.outs = append(k.outs, &outbound{spec: s})
		}
	}
	if opts.Mode == TUN && len(k.ins) > 0 {
		tun, err := newTunSide(k)
		if err != nil {
			k.Close()
			return nil, err
		}
		k.tun = tun
	}
	for _, in := range k.ins {
		go in.acceptLoop()
	}
	return k, nil
}

// Label says what the town runs on, for its badge.
func (k *Kernel) Label() string {
	arrows := make([]string, 0, len(k.ins)+len(k.outs))
	for _, in := range k.ins {
		arrows = append(arrows, in.spec.Arrow())
	}
	for _, o := range k.outs {
		arrows = append(arrows, o.spec.Arrow())
	}
	if k.tun != nil {
		return "simulator · forwarding " + strings.Join(arrows, ", ") + " · the kernel's TCP through a TUN device"
	}
	return "simulator · forwarding " + strings.Join(arrows, ", ")
}

func (k *Kernel) note(format string, args ...any) {
	fmt.Fprintf(k.notes, "# "+format+"\n", args...)
}

// wake lets a waiting move look at the real sockets again.
func (k *Kernel) wake() {
	select {
	case k.wakeCh <- struct{}{}:
	default:
	}
}

// Now is the time since the town began: virtual time that, once the town
// has started moving, keeps pace with the wall clock. The simulator is
// brought up to it first, so that a call made now happens now and its
// events come after those that fell due before.
func (k *Kernel) Now() time.Duration {
	if !k.started {
		return k.Kernel.Now()
	}
	w := k.base + time.Since(k.start)
	if w > k.Kernel.Now() {
		k.Kernel.RunUntil(w)
	}
	return k.Kernel.Now()
}

func (k *Kernel) begin() {
	if !k.started {
		k.started, k.start, k.base = true, time.Now(), k.Kernel.Now()
	}
}

// NextEvent is the simulator's next happening, or the next look at the
// real sockets, whichever comes first: while forwards are open something
// may always come from outside.
func (k *Kernel) NextEvent() (time.Duration, bool) {
	next, ok := k.Kernel.NextEvent()
	if k.closed {
		return next, ok
	}
	look := k.Now() + Poll
	if !ok || look < next {
		return look, true
	}
	return next, true
}

// Step waits in real time for the next thing to do, and does it.
func (k *Kernel) Step() bool {
	next, _ := k.NextEvent()
	k.RunUntil(next)
	return true
}

// RunUntil lets real time pass until t, carrying the real sockets' bytes
// as they come and running the town's happenings as they fall due. It
// returns early once something has happened since it last returned (an
// event was published, maybe by a Now that brought the simulator up), as
// an OS kernel's clock would let a caller look at its sockets again: a
// real client's bytes reach a blocked call at once, not at t.
func (k *Kernel) RunUntil(t time.Duration) {
	k.begin()
	defer func() { k.seen = k.events }()
	for {
		if k.events != k.seen {
			k.pump()
			return
		}
		if k.Now() >= t {
			k.pump()
			return
		}
		k.pump()
		now := k.Now() // and what the pump's calls set off that is due already
		if now >= t || k.events != k.seen {
			return
		}
		wait := t - now
		if next, ok := k.Kernel.NextEvent(); ok {
			wait = min(wait, max(next-now, 0))
		}
		if wait <= 0 {
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-k.wakeCh:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Snapshot is the town's; with the TUN mode the outside plot also shows
// the kernel's sockets of its namespace, a house per real client.
func (k *Kernel) Snapshot() sock.Snapshot {
	snap := k.Kernel.Snapshot()
	if k.tun == nil {
		return snap
	}
	for i := range snap.Hosts {
		if snap.Hosts[i].Name == OutsideHost {
			snap.Hosts[i].Processes, snap.Hosts[i].Orphans = k.tun.houses()
		}
	}
	return snap
}

// AddHost adds the host, and the town's side of any forward that names it.
func (k *Kernel) AddHost(name string, addrs []netip.Prefix, opts sock.HostOptions) error {
	if name == OutsideHost && len(k.ins) > 0 {
		return fmt.Errorf("host %s is the plot of the machine's real clients (--forward): give the scenario's host another name: %w", name, sock.ErrInval)
	}
	if err := k.Kernel.AddHost(name, addrs, opts); err != nil {
		return err
	}
	for _, in := range k.ins {
		if in.spec.Host == name {
			k.openInbound(in, addrs)
		}
	}
	for _, o := range k.outs {
		if o.spec.Host == name {
			k.openOutbound(o)
		}
	}
	return nil
}

// pump carries what the real sockets have to and from the town, and
// reports whether it made a call.
func (k *Kernel) pump() bool {
	moved := false
	if k.tun != nil && k.tun.pump() {
		moved = true
	}
	for {
		select {
		case n := <-k.tunNotes:
			k.note("%s", n)
			continue
		case a := <-k.accepted:
			k.arrive(a)
			moved = true
			continue
		case d := <-k.dialed:
			k.connected(d)
			moved = true
			continue
		default:
		}
		break
	}
	for _, o := range k.outs {
		moved = k.acceptTown(o) || moved
	}
	live := k.splices[:0]
	for _, s := range k.splices {
		moved = true
		if s.dialing {
			live = append(live, s) // its bytes wait in the town socket
			continue
		}
		k.connectDone(s)
		if s.connecting || s.pump() {
			live = append(live, s)
		}
	}
	clear(k.splices[len(live):])
	k.splices = live
	return moved
}

// Close stops listening, resets every forwarded connection, and closes
// the simulator when it has a Close.
func (k *Kernel) Close() error {
	if k.closed {
		return nil
	}
	k.closed = true
	var errs []error
	for _, in := range k.ins {
		errs = append(errs, in.close())
	}
	for _, s := range k.splices {
		s.abort()
	}
	for _, a := range k.waiting {
		a.conn.Close()
	}
	for _, s := range k.splices {
		<-s.finished
	}
	k.splices = nil
	if k.tun != nil {
		errs = append(errs, k.tun.close())
	}
	if c, ok := k.Kernel.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// outsideAddrs are the outside host's candidates: documentation ranges no
// scenario is likely to use.
var outsideAddrs = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.1/24"),
	netip.MustParsePrefix("198.51.100.1/24"),
	netip.MustParsePrefix("203.0.113.1/24"),
}

// ensureOutside adds the outside host, linked to host, on the first
// address range the town does not use.
func (k *Kernel) ensureOutside(host string) error {
	if !k.outside.IsValid() {
		used := k.Kernel.Snapshot()
		for _, p := range outsideAddrs {
			if !overlaps(used, p) {
				k.outside = p
				break
			}
		}
		if !k.outside.IsValid() {
			return errors.New("every documentation address range is taken by the scenario's hosts: there is no address left for the outside plot")
		}
		var err error
		if k.tun != nil {
			err = k.tun.open(k.outside)
		} else {
			err = k.Kernel.AddHost(OutsideHost, []netip.Prefix{k.outside}, sock.HostOptions{})
		}
		if err != nil {
			return err
		}
	}
	if _, ok := k.Kernel.Link(OutsideHost, host); ok {
		return nil
	}
	return k.Kernel.AddLink(OutsideHost, host, sock.LinkConfig{})
}

func overlaps(snap sock.Snapshot, p netip.Prefix) bool {
	for _, h := range snap.Hosts {
		for _, a := range h.Addrs {
			if a.Overlaps(p) {
				return true
			}
		}
	}
	return false
}

// addrOf is a town host's first address.
func (k *Kernel) addrOf(host string) (netip.Addr, bool) {
	for _, h := range k.Kernel.Snapshot().Hosts {
		if h.Name == host && len(h.Addrs) > 0 {
			return h.Addrs[0].Addr(), true
		}
	}
	return netip.Addr{}, false
}

// process finds or starts a forwarder's process in the town.
func (k *Kernel) process(host, name string) (sock.Proc, error) {
	key := host + "/" + name
	if p, ok := k.processes[key]; ok {
		return p, nil
	}
	p := k.Kernel.Process(host, name)
	if p == nil {
		var err error
		if p, err = k.Kernel.AddProcess(host, name, false); err != nil {
			return nil, err
		}
	}
	k.processes[key] = p
	return p, nil
}

// tcpAddr is a real address as the net package takes it.
func tcpAddr(a netip.AddrPort) *net.TCPAddr { return net.TCPAddrFromAddrPort(a) }

// Settle lets the town run on until every forwarded connection is over,
// or for at most max: a scenario's lines may be done while its last reply
// is still on its way to a real client. It reports whether all ended.
func (k *Kernel) Settle(max time.Duration) bool {
	end := k.Now() + max
	for len(k.splices) > 0 || len(k.waiting) > 0 || k.tun != nil && k.tun.active() > 0 {
		if k.Now() >= end {
			k.note("forward: %d connection(s) still open %v after the scenario's end; they are reset", len(k.splices), max)
			return false
		}
		k.RunUntil(min(end, k.Now()+100*time.Millisecond))
	}
	return true
}
