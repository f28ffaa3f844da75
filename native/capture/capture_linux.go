//go:build linux

package capture

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Packet is one packet the device carried.
type Packet struct {
	// Time is when the capture read it.
	Time time.Time
	// Data is the packet from its network header on, a copy of its own.
	Data []byte
	// Type says which way it went, as the kernel's sockaddr_ll does:
	// unix.PACKET_OUTGOING as it left, unix.PACKET_HOST as it came in for
	// this host, and the others.
	Type uint8
}

// Options say what a Capture reads.
type Options struct {
	// Device is the interface's name: "lo".
	Device string
	// Netns is the network namespace the device is in: "" for the one
	// this process runs in, otherwise a name under /run/netns.
	Netns string
	// Filter keeps the packets it returns a non-zero length for (offset
	// 0 is the network header); nil keeps every packet.
	Filter []bpf.Instruction
}

// Capture is an open capture; its goroutine reports each packet until
// Stop.
type Capture struct {
	fd      int
	stopped atomic.Bool
	done    sync.WaitGroup
}

// ErrNoPermission is what Start wraps when this process may not capture
// (it lacks CAP_NET_RAW).
var ErrNoPermission = errors.New("capturing packets needs CAP_NET_RAW")

// pollEvery is how often the goroutine looks whether it should stop.
const pollEvery = 50 * time.Millisecond

// Start opens the capture and calls report with each packet, from its own
// goroutine, until Stop.
func Start(opts Options, report func(Packet)) (*Capture, error) {
	fd, err := open(opts)
	if err != nil {
		return nil, err
	}
	c := &Capture{fd: fd}
	c.done.Add(1)
	go c.run(report)
	return c, nil
}

// open makes the socket, in the namespace opts names (a socket stays in
// the namespace it was made in).
func open(opts Options) (int, error) {
	if opts.Netns == "" {
		return openHere(opts)
	}
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			ch <- result{-1, fmt.Errorf("capture: this thread's namespace: %w", err)}
			return // the thread dies with the goroutine, still locked
		}
		defer orig.Close()
		target, err := netns.GetFromName(opts.Netns)
		if err != nil {
			ch <- result{-1, fmt.Errorf("capture: no network namespace %q under /run/netns: %w", opts.Netns, err)}
			runtime.UnlockOSThread()
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			ch <- result{-1, fmt.Errorf("capture: entering network namespace %q: %w", opts.Netns, err)}
			return
		}
		fd, err := openHere(opts)
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread() // else the thread ends with the goroutine
		}
		ch <- result{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

// openHere makes the socket in the calling thread's namespace.
func openHere(opts Options) (int, error) {
	dev, err := net.InterfaceByName(opts.Device)
	if err != nil {
		return -1, fmt.Errorf("capture: device %q: %w", opts.Device, err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return -1, fmt.Errorf("capture: %w (%v)", ErrNoPermission, err)
	}
	if err != nil {
		return -1, fmt.Errorf("capture: AF_PACKET socket: %w", err)
	}
	var errs []error
	if opts.Filter != nil {
		raw, err := bpf.Assemble(opts.Filter)
		if err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("capture: the filter: %w", err)
		}
		prog := make([]unix.SockFilter, len(raw))
		for i, r := range raw {
			prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
		}
		fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
		errs = append(errs, unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog))
	}
	tv := unix.NsecToTimeval(int64(pollEvery))
	errs = append(errs,
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv),
		unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: dev.Index}))
	if err := errors.Join(errs...); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("capture: setting up the socket on %s: %w", opts.Device, err)
	}
	return fd, nil
}

func (c *Capture) run(report func(Packet)) {
	defer c.done.Done()
	buf := make([]byte, 1<<16)
	for !c.stopped.Load() {
		n, from, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil || n <= 0 {
			continue // the read timeout: look at stopped again
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok {
			continue
		}
		report(Packet{Time: time.Now(), Data: append([]byte(nil), buf[:n]...), Type: ll.Pkttype})
	}
}

// Stop ends the capture and waits for its goroutine: report is not called
// after Stop returns.
func (c *Capture) Stop() {
	c.stopped.Store(true)
	c.done.Wait()
	unix.Close(c.fd)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
