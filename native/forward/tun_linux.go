package forward

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"socketville/native/ossock"
	"socketville/native/watch"
	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// tunQueue is how many of the kernel's packets may wait for the town's
// next move; more are dropped (and counted), as a full device queue would.
const tunQueue = 4096

// tunSide is the namespace and TUN device of the TUN mode: the outside
// plot is a netsim host standing in for the namespace's kernel.
type tunSide struct {
	world   *netsim.World
	town    *ossock.Town
	host    *netsim.Host // the outside host, once made
	fd      int
	file    *os.File
	in      chan []byte
	dropped atomic.Int64
	wake    func()

	mu    sync.Mutex
	pipes map[*net.TCPConn]bool // real connections being piped, for Close
	// clients are the real clients by the local port of the kernel's
	// socket that carries each into the town, for the outside plot's
	// houses; looked is the namespace's sockets at the last look.
	clients map[uint16]owner
	looked  []sock.SocketState
	stop    chan struct{}
	stopped chan struct{}
}

// lookEvery is how often the TUN mode looks at the namespace's sockets
// for the outside plot's houses.
const lookEvery = 200 * time.Millisecond

// newTunSide checks that TUN mode can work here: a simulated town, and
// the privilege to make namespaces.
func newTunSide(k *Kernel) (*tunSide, error) {
	w := netsim.KernelWorld(k.Kernel)
	if w == nil {
		return nil, errors.New("--forward-mode tun: the town must be the simulator's")
	}
	town, err := ossock.NewTown()
	if err != nil {
		return nil, fmt.Errorf("--forward-mode tun needs CAP_NET_ADMIN, to make a network namespace with a TUN device (run as root, or use the default splice mode, which needs nothing): %w", err)
	}
	return &tunSide{
		world: w, town: town, fd: -1, in: make(chan []byte, tunQueue), wake: k.wake,
		pipes: map[*net.TCPConn]bool{}, clients: map[uint16]owner{},
		stop: make(chan struct{}), stopped: make(chan struct{}),
	}, nil
}

// open makes the outside host as the namespace's stand-in, the namespace
// with the same address, and the TUN device that is its default route.
func (t *tunSide) open(addr netip.Prefix) error {
	h, err := t.world.AddHost(OutsideHost, []netip.Prefix{addr}, netsim.HostOptions{Outside: t.toKernel})
	if err != nil {
		return err
	}
	t.host = h
	if err := t.town.AddHost(OutsideHost, []netip.Prefix{addr}, false); err != nil {
		return fmt.Errorf("the outside namespace: %w", err)
	}
	// The kernel picks its connections' ports where the simulator and
	// IANA do (49152 up), so the town reads them as a client's.
	err = t.town.Do(OutsideHost, func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_local_port_range", []byte("49152 65535"), 0o644)
	})
	if err != nil {
		return fmt.Errorf("the outside namespace's ephemeral ports: %w", err)
	}
	fd, err := t.town.Tun(OutsideHost, "town", 1500, []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")})
	if err != nil {
		return fmt.Errorf("the outside namespace's TUN device: %w", err)
	}
	t.fd, t.file = fd, os.NewFile(uintptr(fd), "town")
	go t.read()
	go t.look()
	return nil
}

// look reads the namespace's sockets every lookEvery (the kernel's TCP
// connections into the town, with their states and TCP_INFO), so that the
// outside plot shows a house for each real client with the kernel's door.
func (t *tunSide) look() {
	defer close(t.stopped)
	w, err := watch.New(watch.Options{Netns: t.namespace()})
	if err != nil {
		return
	}
	defer w.Close()
	tick := time.NewTicker(lookEvery)
	defer tick.Stop()
	for {
		if snap, _, err := w.Refresh(); err == nil {
			var all []sock.SocketState
			for _, h := range snap.Hosts {
				for _, p := range h.Processes {
					all = append(all, p.Sockets...)
				}
				all = append(all, h.Orphans...)
			}
			t.mu.Lock()
			t.looked = all
			t.mu.Unlock()
		}
		select {
		case <-tick.C:
		case <-t.stop:
			return
		}
	}
}

// houses are the outside plot's processes: one per real client, holding
// the kernel's socket that carries it, and the kernel's own connections
// (TIME-WAIT) as the plot's orphans.
func (t *tunSide) houses() ([]sock.ProcessState, []sock.SocketState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var procs []sock.ProcessState
	var orphans []sock.SocketState
	at := map[string]int{}
	for _, s := range t.looked {
		o, ok := t.clients[s.Local.Port()]
		if !ok || s.FD == 0 {
			s.FD = 0
			orphans = append(orphans, s)
			continue
		}
		name := o.house()
		s.Proc = name
		i, seen := at[name]
		if !seen {
			procs = append(procs, sock.ProcessState{Name: name, PID: o.pid})
			i = len(procs) - 1
			at[name] = i
		}
		procs[i].Sockets = append(procs[i].Sockets, s)
	}
	return procs, orphans
}

// namespace names the outside namespace, for people.
func (t *tunSide) namespace() string { return t.town.Namespace(OutsideHost) }

// read takes the kernel's packets off the device for the town's next move.
func (t *tunSide) read() {
	buf := make([]byte, 65536)
	for {
		n, err := t.file.Read(buf)
		if err != nil {
			return
		}
		select {
		case t.in <- append([]byte(nil), buf[:n]...):
			t.wake()
		default:
			t.dropped.Add(1)
		}
	}
}

// toKernel hands a town's packet for the outside host to the namespace's
// kernel; it runs inside the world's step and never waits.
func (t *tunSide) toKernel(pkt []byte) {
	if t.fd < 0 {
		return
	}
	if _, err := unix.Write(t.fd, pkt); err != nil {
		t.dropped.Add(1)
	}
}

// pump puts the kernel's packets on the town's roads, and reports whether
// there were any.
func (t *tunSide) pump() bool {
	moved := false
	for {
		select {
		case pkt := <-t.in:
			t.host.Send(pkt)
			moved = true
		default:
			return moved
		}
	}
}

// connect dials the town's server from inside the namespace, with the
// kernel's own TCP, and pipes the real client to it.
func (t *tunSide) connect(k *Kernel, a accepted) {
	var c net.Conn
	err := t.town.Do(OutsideHost, func() error {
		var err error
		c, err = net.DialTimeout("tcp4", a.in.target.String(), 30*time.Second)
		return err
	})
	if err != nil {
		k.tunNotes <- fmt.Sprintf("forward %s (tun): the kernel's connection to %s: %v; the real client gets a reset", a.in.spec.Arrow(), a.in.target, err)
		k.wake()
		a.conn.SetLinger(0)
		a.conn.Close()
		return
	}
	port := c.LocalAddr().(*net.TCPAddr).AddrPort().Port()
	t.mu.Lock()
	t.clients[port] = a.owner
	t.mu.Unlock()
	t.pipe(a.conn, c.(*net.TCPConn))
}

// pipe copies both ways between two real connections, passing ends as
// half-closes and resets as resets, until both directions are done.
func (t *tunSide) pipe(a, b *net.TCPConn) {
	t.mu.Lock()
	t.pipes[a], t.pipes[b] = true, true
	t.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	half := func(dst, src *net.TCPConn) {
		defer wg.Done()
		_, err := dst.ReadFrom(src)
		if isReset(err) || err != nil && !errors.Is(err, net.ErrClosed) {
			dst.SetLinger(0)
			dst.Close()
			src.Close()
			return
		}
		dst.CloseWrite()
	}
	go half(a, b)
	go half(b, a)
	wg.Wait()
	a.Close()
	b.Close()
	t.mu.Lock()
	delete(t.pipes, a)
	delete(t.pipes, b)
	t.mu.Unlock()
}

// active is how many real connections are being piped.
func (t *tunSide) active() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pipes) / 2
}

// close resets the piped connections and removes the namespace.
func (t *tunSide) close() error {
	t.mu.Lock()
	for c := range t.pipes {
		c.SetLinger(0)
		c.Close()
	}
	t.mu.Unlock()
	var errs []error
	if t.file != nil {
		close(t.stop)
		<-t.stopped
		errs = append(errs, t.file.Close())
	}
	errs = append(errs, t.town.Close())
	return errors.Join(errs...)
}
