// Package simnet lets real Go programs use the simulated town through the
// interfaces of Go's net package: a net.Listener, a net.Conn and a
// net.PacketConn over the core's sockets, driven in real time. Goroutines
// live here, never in the core: one driver goroutine moves the virtual
// clock along with the wall clock and fires the core's timers, and callers
// block on channels until the core says their socket is ready.
package simnet

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// Options configure a Network. The zero value runs the town in real time.
type Options struct {
	// Speed is how much faster than the wall clock virtual time runs; 0
	// means 1 (real time). A link delay of 10 ms takes 1 ms at Speed 10.
	Speed float64
}

// Network drives a world in real time and hands out stacks that use it.
// All access to the world goes through its lock; Close stops the driver.
type Network struct {
	mu      sync.Mutex
	w       *netsim.World
	speed   float64
	start   time.Time     // wall time when virtual time was base
	base    time.Duration // virtual time at start
	changed chan struct{} // closed and replaced whenever sockets may have changed
	kick    chan struct{} // wakes the driver to look at the next timer again
	done    chan struct{}
	stopped sync.WaitGroup
	closed  bool
}

// New starts driving w. The caller must not touch w directly afterwards,
// except through Do.
func New(w *netsim.World, opts Options) *Network {
	speed := opts.Speed
	if speed <= 0 {
		speed = 1
	}
	n := &Network{
		w: w, speed: speed, start: time.Now(), base: w.Now(),
		changed: make(chan struct{}), kick: make(chan struct{}, 1), done: make(chan struct{}),
	}
	n.stopped.Add(1)
	go n.drive()
	return n
}

// Close stops the driver. Connections stop moving; blocked calls return
// net.ErrClosed.
func (n *Network) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.done)
	n.broadcast()
	n.mu.Unlock()
	n.stopped.Wait()
	return nil
}

// Do runs fn with the world brought up to the present, under the network's
// lock, and wakes anyone waiting afterwards: for reading a snapshot or
// changing the town while it runs.
func (n *Network) Do(fn func(w *netsim.World)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	fn(n.w)
	n.settle()
}

// virtualNow is the virtual time that corresponds to the wall clock now.
func (n *Network) virtualNow() time.Duration {
	return n.base + time.Duration(float64(time.Since(n.start))*n.speed)
}

// catchUp runs everything due up to the present. Called with mu held.
func (n *Network) catchUp() {
	if now := n.virtualNow(); now > n.w.Now() {
		n.w.RunUntil(now)
	}
}

// settle runs what a call just set off and is due now (on a link without
// delay the packet arrives at once), then wakes waiters and the driver.
// Called with mu held.
func (n *Network) settle() {
	n.w.RunUntil(n.w.Now())
	n.broadcast()
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// broadcast wakes every waiter to look at its socket again.
func (n *Network) broadcast() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// drive sleeps until the next thing the world has scheduled, runs it, and
// wakes the waiters, until Close.
func (n *Network) drive() {
	defer n.stopped.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n.mu.Lock()
		before := n.w.Now()
		n.catchUp()
		if n.w.Now() != before {
			n.broadcast()
		}
		wait := time.Hour
		if next, ok := n.w.NextEvent(); ok {
			wait = time.Duration(float64(next-n.w.Now()) / n.speed)
		}
		n.mu.Unlock()
		timer.Reset(max(wait, 0))
		select {
		case <-n.done:
			return
		case <-n.kick:
		case <-timer.C:
		}
	}
}

// errClosedNetwork is returned once the Network is closed.
var errClosedNetwork = errors.New("simnet: network closed")

// wait blocks until cond (checked under the lock) holds, the deadline
// fires, or stop is closed. It returns with mu held: nil if cond holds,
// errTimeout past the deadline, and stopErr() once stop is closed (the
// adapter's close, or a context's end), since only the caller knows what
// stopping means for its call.
func (n *Network) wait(cond func() bool, dl *deadline, stop <-chan struct{}, stopErr func() error) error {
	for {
		if n.closed {
			return errClosedNetwork
		}
		if cond() {
			return nil
		}
		if dl != nil && dl.expired() {
			return errTimeout
		}
		changed := n.changed
		var fired <-chan struct{}
		if dl != nil {
			fired = dl.wait()
		}
		n.mu.Unlock()
		select {
		case <-changed:
		case <-fired:
		case <-stop:
			n.mu.Lock()
			return stopErr()
		}
		n.mu.Lock()
		n.catchUp()
	}
}

// closedErr is the stopErr of a call that only the adapter's Close stops.
func closedErr() error { return errConnClosed }

// Stack is one process of the town seen as a network stack: it listens
// and dials as that process, from that host.
type Stack struct {
	n    *Network
	p    sock.Proc
	host string
}

// Stack returns the stack of process proc on host, starting the process
// (as root, so that it may serve on ports below 1024) if it does not exist.
func (n *Network) Stack(host, proc string) (*Stack, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := n.w.Host(host)
	if h == nil {
		return nil, fmt.Errorf("simnet: no host %q in the town", host)
	}
	if p := h.Process(proc); p != nil {
		return &Stack{n: n, p: p, host: host}, nil
	}
	p, err := h.AddProcess(proc, true)
	if err != nil {
		return nil, fmt.Errorf("simnet: %w", err)
	}
	return &Stack{n: n, p: p, host: host}, nil
}

// resolve turns "host:port" into an address: a literal IPv4 address, or
// the name of a host in the town (its first address). An empty host means
// the unspecified address, as for Listen(":80").
func (st *Stack) resolve(address string) (netip.AddrPort, error) {
	host, port, err := splitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if host == "" {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), port), nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), port), nil
	}
	if host == "localhost" {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port), nil
	}
	h := st.n.w.Host(host)
	if h == nil || len(h.Addrs()) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no host %q in the town", host)
	}
	return netip.AddrPortFrom(h.Addrs()[0].Addr(), port), nil
}
