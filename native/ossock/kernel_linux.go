//go:build linux

package ossock

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"

	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// Mode says how a run builds its town on Linux.
type Mode uint8

// The modes. Auto takes namespaces when the program may make them
// (CAP_NET_ADMIN) and loopback otherwise.
const (
	Auto       Mode = iota
	Namespaces      // each host and switch a network namespace, each link two TAP devices and a wire
	Loopback        // each host addresses on the loopback device; links have no properties
)

// String names the mode as the run's first lines do.
func (m Mode) String() string {
	return [...]string{"auto", "namespaces", "loopback"}[min(int(m), 2)]
}

// Options configure a Kernel.
type Options struct {
	Mode Mode
	// Notes receives what a person should know about the run as it is
	// built: the mode, the address map, properties that could not be
	// applied. Each note is one line starting with "# ". Nil drops them.
	Notes io.Writer
}

// Tick is how often the kernel looks at its sockets while time passes:
// how fine the states it reports are sampled.
const Tick = time.Millisecond

// quietAfter is how long after the last thing that happened a town with
// nothing in flight counts as idle, on top of four link delays: a datagram
// may still be on a road.
const quietAfter = 50 * time.Millisecond

// Kernel is a town on the operating system's sockets: a sock.Kernel whose
// processes make real system calls. Its clock is the wall clock. Use it
// from one goroutine, as the shell does.
type Kernel struct {
	mode      Mode
	town      *Town // the namespaces; nil in loopback mode
	notes     io.Writer
	observers []func(sock.Event)
	hosts     []*townHost
	links     []*townLink
	switches  []string // the switches' names, in the order they were made
	addrs     addrMap
	nextSock  uint64
	seed      uint64

	// Time: the clock stands still while the town is built.
	mark   time.Time
	offset time.Duration

	started      bool // a call has been made: world lines no longer start the clock
	lastActivity time.Duration
	maxDelay     time.Duration

	orphans        []*orphan
	lastOrphanLook time.Duration

	capMu    sync.Mutex // guards captured, which the wires fill
	captured []capturedPacket
	loop     *loopCapture // a loopback run's packets, with CAP_NET_RAW

	namesMu   sync.RWMutex // guards realHosts, which the loopback capture reads
	realHosts map[netip.Addr]string
	closed    bool
}

var _ sock.Kernel = (*Kernel)(nil)

type townHost struct {
	name    string
	addrs   []netip.Prefix // as the scenario gives them
	forward bool
	routes  []sock.RouteState
	procs   []*townProc
	// workers are the threads sockets are made on: in the host's
	// namespace, one with the right to bind low ports and one without.
	rootW, userW *worker
	nextEph      map[sock.SockType]uint16
	diag         *netlink.Handle // sock_diag in the host's namespace, made when first needed
}

type townLink struct {
	a, b string
	cfg  sock.LinkConfig
}

// New starts a town on Linux. Close it to remove what it made.
func New(opts Options) (*Kernel, error) {
	k := &Kernel{mode: opts.Mode, notes: opts.Notes, mark: time.Now()}
	if k.notes == nil {
		k.notes = io.Discard
	}
	if k.mode == Auto {
		k.mode = Loopback
		if hasCap(unix.CAP_NET_ADMIN) {
			k.mode = Namespaces
		}
	}
	switch k.mode {
	case Namespaces:
		t, err := NewTown()
		if err != nil {
			return nil, fmt.Errorf("building the town as network namespaces: %w", err)
		}
		k.town = t
		t.OnPacket(k.onPacket)
		t.OnNeigh(k.onNeigh)
		for _, name := range t.Cleaned() {
			k.note("removed namespace %s, left behind by a run that was killed", name)
		}
		k.note("kernel: Linux %s, each host a network namespace (%s%d-HOST), each switch a namespace with a Linux bridge, each link a wire between two TAP devices that applies its delay, rate and faults", release(), NamespacePrefix, os.Getpid())
	case Loopback:
		k.note("kernel: Linux %s on loopback: each host is addresses on lo (127.%d.x.y); links have no delay, rate or faults", release(), loopbackBlock(os.Getpid()))
		if !hasCap(unix.CAP_NET_ADMIN) {
			k.note("a town of namespaces, with wires that delay and lose packets, needs CAP_NET_ADMIN (run as root)")
		}
	default:
		return nil, fmt.Errorf("mode %d: want auto, namespaces or loopback: %w", k.mode, sock.ErrInval)
	}
	k.addrs = newAddrMap(k.mode == Loopback, loopbackBlock(os.Getpid()))
	if !hasCap(unix.CAP_NET_BIND_SERVICE) {
		if k.mode == Loopback {
			k.addrs.lowPorts = true
			k.note("this program may not bind ports below 1024 (CAP_NET_BIND_SERVICE): a root process's port P is %d+P here; a process that is not root gets the kernel's EACCES", lowPortShift)
		} else {
			k.note("this program may not bind ports below 1024 (CAP_NET_BIND_SERVICE): a root process gets EACCES there too")
		}
	}
	if k.mode == Loopback {
		k.realHosts = map[netip.Addr]string{}
		if !hasCap(unix.CAP_NET_RAW) {
			k.note("no packets are shown: watching the loopback device needs CAP_NET_RAW")
		} else if c, err := startLoopCapture(k.onPacket, k.hostOfReal); err != nil {
			k.note("no packets are shown: watching the loopback device: %v", err)
		} else {
			k.loop = c
		}
	}
	k.note("time is the wall clock: a run line waits as long as it says")
	return k, nil
}

// Mode is the mode the kernel runs in (never Auto).
func (k *Kernel) Mode() Mode { return k.mode }

// Town is the run's namespaces, or nil in loopback mode.
func (k *Kernel) Town() *Town { return k.town }

// Name says which kernel this is.
func (k *Kernel) Name() string { return "Linux" }

// Close closes every socket and removes every namespace the run made.
func (k *Kernel) Close() error {
	if k.closed {
		return nil
	}
	k.closed = true
	var errs []error
	if k.loop != nil {
		k.loop.stop()
	}
	for _, h := range k.hosts {
		for _, p := range h.procs {
			for _, s := range p.fds {
				unix.Close(s.real)
			}
			p.fds = nil
		}
		if h.diag != nil {
			h.diag.Close()
		}
		for _, w := range []*worker{h.rootW, h.userW} {
			if w != nil {
				w.stop()
			}
		}
	}
	if k.town != nil {
		errs = append(errs, k.town.Close())
	}
	return errors.Join(errs...)
}

// start starts the clock at the town's first instant.
func (k *Kernel) start() {
	if !k.started {
		k.started, k.mark = true, time.Now()
	}
}

// Abort removes the namespaces at once, from any goroutine, for a run
// that is being interrupted and will not use the kernel again.
func (k *Kernel) Abort() {
	if k.town != nil {
		k.town.Close()
	}
}

func (k *Kernel) note(format string, args ...any) {
	fmt.Fprintf(k.notes, "# "+format+"\n", args...)
}

func release() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "(unknown release)"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// Observe registers fn to receive every event from now on.
func (k *Kernel) Observe(fn func(sock.Event)) { k.observers = append(k.observers, fn) }

func (k *Kernel) emit(e sock.Event) {
	k.start()
	// What the wires saw before this instant goes first, so that a reply
	// is never printed before what it answers.
	k.drainPackets()
	e.Time = k.Now()
	k.lastActivity = e.Time
	for _, fn := range k.observers {
		fn(e)
	}
}

// Now is the wall-clock time the town has run, not counting the time it
// took to build it.
func (k *Kernel) Now() time.Duration {
	if !k.started {
		return k.offset
	}
	return k.offset + time.Since(k.mark)
}

// building stops the clock for the time a world line takes: the town is
// built between two instants.
func (k *Kernel) building() func() {
	now := k.Now()
	return func() { k.offset, k.mark = now, time.Now() }
}

// NextEvent is the next sample while anything may still happen: a
// connection opening or closing, data not yet acknowledged, or a packet
// that may still be on a road. A quiet town has nothing next.
func (k *Kernel) NextEvent() (time.Duration, bool) {
	now := k.Now()
	if k.busy(now) {
		return now + Tick, true
	}
	return 0, false
}

// Step lets one tick of real time pass and reports what happened in it.
func (k *Kernel) Step() bool {
	k.start()
	time.Sleep(Tick)
	k.sample()
	return true
}

// RunUntil lets real time pass until t, looking at the sockets every tick.
func (k *Kernel) RunUntil(t time.Duration) {
	k.start()
	for {
		k.sample()
		left := t - k.Now()
		if left <= 0 {
			return
		}
		time.Sleep(min(left, Tick))
	}
}

func (k *Kernel) busy(now time.Duration) bool {
	if now-k.lastActivity < quietAfter+4*k.maxDelay {
		return true
	}
	k.capMu.Lock()
	queued := len(k.captured) > 0
	k.capMu.Unlock()
	if queued {
		return true
	}
	for _, h := range k.hosts {
		for _, p := range h.procs {
			for _, s := range p.fds {
				if s.inMotion() {
					return true
				}
			}
		}
	}
	return false
}

// SetSeed seeds the wires' faults: packet N on a link meets the same fate
// in every run with the seed (though real time moves it about).
func (k *Kernel) SetSeed(seed uint64) error {
	k.seed = seed
	if k.town != nil {
		k.town.SetSeed(seed)
	}
	return nil
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

func (k *Kernel) host(name string) *townHost {
	for _, h := range k.hosts {
		if h.name == name {
			return h
		}
	}
	return nil
}

// defaultPorts is a switch's ports when the scenario gives none, as in
// the simulator.
const defaultPorts = 8

// maxPorts bounds a switch's ports, as the simulator does.
const maxPorts = 64

// AddSwitch adds a learning switch: a namespace with a Linux bridge. A
// loopback run has no cables to plug into one and refuses it.
func (k *Kernel) AddSwitch(name string, ports int) error {
	defer k.building()()
	if !namePattern.MatchString(name) {
		return fmt.Errorf("switch name %q: use a letter then letters, digits, '-' or '_' (at most 32): %w", name, sock.ErrInval)
	}
	if k.host(name) != nil || slices.Contains(k.switches, name) {
		return fmt.Errorf("switch %s: a host or switch has that name already: %w", name, sock.ErrInval)
	}
	if ports == 0 {
		ports = defaultPorts
	}
	if ports < 1 || ports > maxPorts {
		return fmt.Errorf("switch %s: %d ports: a switch has 1 to %d: %w", name, ports, maxPorts, sock.ErrInval)
	}
	if k.mode != Namespaces {
		return fmt.Errorf("switch %s: a loopback run has no cables, so no switch to plug them into "+
			"(switches are Linux bridges in network namespaces: run as root, or with CAP_NET_ADMIN): %w", name, sock.ErrOpNotSupp)
	}
	if err := k.town.AddSwitch(name, ports); err != nil {
		return err
	}
	k.switches = append(k.switches, name)
	return nil
}

// AddHost adds a host with its addresses: a namespace, or addresses on
// loopback.
func (k *Kernel) AddHost(name string, addrs []netip.Prefix, opts sock.HostOptions) error {
	defer k.building()()
	if !namePattern.MatchString(name) {
		return fmt.Errorf("host name %q: use a letter then letters, digits, '-' or '_' (at most 32): %w", name, sock.ErrInval)
	}
	if k.host(name) != nil {
		return fmt.Errorf("host %s: there is one already: %w", name, sock.ErrInval)
	}
	if slices.Contains(k.switches, name) {
		return fmt.Errorf("host %s: a switch has that name: %w", name, sock.ErrInval)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("host %s: give it an address: %w", name, sock.ErrInval)
	}
	for _, a := range addrs {
		if !a.Addr().Is4() || a.Addr().IsLoopback() || a.Addr().IsUnspecified() || a.Addr().IsMulticast() {
			return fmt.Errorf("host %s: %v: want an IPv4 unicast address outside 127.0.0.0/8: %w", name, a, sock.ErrInval)
		}
		if o := k.owner(a.Addr()); o != nil {
			return fmt.Errorf("host %s: %v is host %s's address already: %w", name, a.Addr(), o.name, sock.ErrAddrInUse)
		}
	}
	h := &townHost{name: name, addrs: slices.Clone(addrs), forward: opts.Forward, nextEph: map[sock.SockType]uint16{}}
	var ns string
	switch k.mode {
	case Namespaces:
		if err := k.town.AddHost(name, addrs, opts.Forward); err != nil {
			return err
		}
		ns = k.town.Namespace(name)
	case Loopback:
		var mapped []string
		for _, a := range addrs {
			real, err := k.addrs.add(a.Addr())
			if err != nil {
				return fmt.Errorf("host %s: %w", name, err)
			}
			k.namesMu.Lock()
			k.realHosts[real] = name
			k.namesMu.Unlock()
			mapped = append(mapped, fmt.Sprintf("%v is %v", a.Addr(), real))
		}
		k.note("host %s: %s", name, strings.Join(mapped, ", "))
		if opts.Forward {
			k.note("host %s: forwarding needs namespaces; on loopback every host reaches every other directly", name)
		}
	}
	var err error
	if h.rootW, err = newWorker(ns, true); err != nil {
		return fmt.Errorf("host %s: %w", name, err)
	}
	if h.userW, err = newWorker(ns, false); err != nil {
		h.rootW.stop()
		return fmt.Errorf("host %s: %w", name, err)
	}
	k.hosts = append(k.hosts, h)
	return nil
}

// hostOfReal names the host a loopback address stands for, for the
// capture's goroutine.
func (k *Kernel) hostOfReal(a netip.Addr) string {
	k.namesMu.RLock()
	defer k.namesMu.RUnlock()
	return k.realHosts[a]
}

// owner is the host that has address a, or nil.
func (k *Kernel) owner(a netip.Addr) *townHost {
	for _, h := range k.hosts {
		for _, p := range h.addrs {
			if p.Addr() == a {
				return h
			}
		}
	}
	return nil
}

func linkProps(cfg sock.LinkConfig) LinkProps {
	return LinkProps{
		Delay: cfg.Delay, Rate: cfg.Rate, MTU: cfg.MTU,
		Loss: cfg.Loss, Dup: cfg.Dup, Reorder: cfg.Reorder, Corrupt: cfg.Corrupt,
	}
}

// AddLink joins two hosts: a veth pair with the link's qdiscs, or, on
// loopback, a note of the properties that cannot be applied.
func (k *Kernel) AddLink(a, b string, cfg sock.LinkConfig) error {
	defer k.building()()
	for _, n := range []string{a, b} {
		if k.host(n) == nil && !slices.Contains(k.switches, n) {
			return fmt.Errorf("link: no host or switch called %s: %w", n, sock.ErrInval)
		}
	}
	if a == b {
		return fmt.Errorf("link %s %s: a host cannot link to itself: %w", a, b, sock.ErrInval)
	}
	if _, ok := k.Link(a, b); ok {
		return fmt.Errorf("link %s %s: there is one already: %w", a, b, sock.ErrInval)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("link %s %s: %w", a, b, err)
	}
	if err := k.applyLink(a, b, cfg, true); err != nil {
		return err
	}
	k.links = append(k.links, &townLink{a: a, b: b, cfg: cfg})
	k.maxDelay = max(k.maxDelay, cfg.Delay)
	return nil
}

func (k *Kernel) applyLink(a, b string, cfg sock.LinkConfig, add bool) error {
	switch k.mode {
	case Namespaces:
		if add {
			return k.town.AddLink(a, b, linkProps(cfg))
		}
		return k.town.SetLink(a, b, linkProps(cfg))
	default:
		if d := linkProps(cfg).describe(); d != "" {
			k.note("link %s-%s: %s not applied: a loopback run has no link to shape (run as root for namespaces and wires)", a, b, d)
		}
		return nil
	}
}

// Link is the link between a and b, either way round.
func (k *Kernel) Link(a, b string) (sock.LinkState, bool) {
	for _, l := range k.links {
		if l.a == a && l.b == b || l.a == b && l.b == a {
			return sock.LinkState{Name: l.a + "-" + l.b, A: l.a, B: l.b, Config: l.cfg}, true
		}
	}
	return sock.LinkState{}, false
}

// SetLink changes a link's properties.
func (k *Kernel) SetLink(a, b string, cfg sock.LinkConfig) error {
	defer k.building()()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("link %s %s: %w", a, b, err)
	}
	for _, l := range k.links {
		if l.a == a && l.b == b || l.a == b && l.b == a {
			if err := k.applyLink(l.a, l.b, cfg, false); err != nil {
				return err
			}
			l.cfg = cfg
			k.maxDelay = max(k.maxDelay, cfg.Delay)
			return nil
		}
	}
	return fmt.Errorf("link %s %s: no such link: %w", a, b, sock.ErrInval)
}

// AddRoute adds a route to a host's table.
func (k *Kernel) AddRoute(host string, dst netip.Prefix, gateway netip.Addr) error {
	defer k.building()()
	h := k.host(host)
	if h == nil {
		return fmt.Errorf("route: no host called %s: %w", host, sock.ErrInval)
	}
	if k.mode == Namespaces {
		if err := k.town.AddRoute(host, dst, gateway); err != nil {
			return err
		}
	}
	h.routes = append(h.routes, sock.RouteState{Dst: dst.Masked(), Gateway: gateway})
	slices.SortStableFunc(h.routes, func(a, b sock.RouteState) int { return b.Dst.Bits() - a.Dst.Bits() })
	return nil
}

// AddProcess starts a process on a host: a name for the sockets it makes.
func (k *Kernel) AddProcess(host, name string, root bool) (sock.Proc, error) {
	h := k.host(host)
	if h == nil {
		return nil, fmt.Errorf("process: no host called %s: %w", host, sock.ErrInval)
	}
	if !namePattern.MatchString(name) {
		return nil, fmt.Errorf("process name %q: use a letter then letters, digits, '-' or '_' (at most 32): %w", name, sock.ErrInval)
	}
	for _, p := range h.procs {
		if p.name == name {
			return nil, fmt.Errorf("process %s/%s: there is one already: %w", host, name, sock.ErrInval)
		}
	}
	p := &townProc{k: k, h: h, name: name, root: root, fds: map[int]*osSocket{}}
	h.procs = append(h.procs, p)
	return p, nil
}

// Hosts are the hosts' names in the order they were added.
func (k *Kernel) Hosts() []string {
	var out []string
	for _, h := range k.hosts {
		out = append(out, h.name)
	}
	return out
}

// Processes are a host's processes' names.
func (k *Kernel) Processes(host string) ([]string, bool) {
	h := k.host(host)
	if h == nil {
		return nil, false
	}
	var out []string
	for _, p := range h.procs {
		out = append(out, p.name)
	}
	return out, true
}

// Process finds a process, or returns nil.
func (k *Kernel) Process(host, name string) sock.Proc {
	if h := k.host(host); h != nil {
		for _, p := range h.procs {
			if p.name == name {
				return p
			}
		}
	}
	return nil
}
