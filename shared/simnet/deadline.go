package simnet

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"socketville/shared/sock"
)

// errTimeout is what a call past its deadline fails with: it reports
// Timeout() == true and errors.Is(err, os.ErrDeadlineExceeded) holds.
var errTimeout = os.ErrDeadlineExceeded

// deadline is one direction's deadline of a connection. fired is closed
// when the deadline passes; setting a new deadline after that makes a new
// channel, so that waiters can always select on the current one.
type deadline struct {
	mu    sync.Mutex
	timer *time.Timer
	fired chan struct{}
	// gen counts the sets: a timer whose Stop came too late (it was
	// already waiting for mu) finds a newer set and does nothing, where
	// comparing channels would not tell (an unfired channel is kept).
	gen uint64
}

func newDeadline() *deadline { return &deadline{fired: make(chan struct{})} }

// set arms the deadline for t; the zero time means none.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++ // whatever timer is still to fire is stale from now on
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	select {
	case <-d.fired:
		d.fired = make(chan struct{})
	default:
	}
	if t.IsZero() {
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		close(d.fired)
		return
	}
	ch, gen := d.fired, d.gen
	d.timer = time.AfterFunc(wait, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.gen == gen && d.fired == ch {
			select {
			case <-ch:
			default:
				close(ch)
			}
		}
	})
}

// wait returns the channel that closes when the deadline passes.
func (d *deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fired
}

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool {
	select {
	case <-d.wait():
		return true
	default:
		return false
	}
}

// deadlines are a connection's read and write deadlines, with the three
// setters of net.Conn and net.PacketConn.
type deadlines struct{ rd, wd *deadline }

func newDeadlines() deadlines { return deadlines{rd: newDeadline(), wd: newDeadline()} }

// SetDeadline sets both deadlines; blocked calls see the change.
func (d deadlines) SetDeadline(t time.Time) error {
	d.rd.set(t)
	d.wd.set(t)
	return nil
}

// SetReadDeadline sets the deadline for reads.
func (d deadlines) SetReadDeadline(t time.Time) error { d.rd.set(t); return nil }

// SetWriteDeadline sets the deadline for writes.
func (d deadlines) SetWriteDeadline(t time.Time) error { d.wd.set(t); return nil }

// opError wraps err as Go's net package does: a *net.OpError naming the
// operation and both ends. io.EOF never comes here; it is returned bare.
func opError(op, network string, local, remote net.Addr, err error) error {
	switch {
	case errors.Is(err, errClosedNetwork), errors.Is(err, errConnClosed):
		err = net.ErrClosed
	}
	if errno := sock.ErrnoOf(err); errno != nil {
		err = os.NewSyscallError(op, errno)
	}
	return &net.OpError{Op: op, Net: network, Source: local, Addr: remote, Err: err}
}

var errConnClosed = errors.New("simnet: use of closed connection")

// splitHostPort reads "host:port" with a numeric port.
func splitHostPort(address string) (string, uint16, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", 0, &net.AddrError{Err: "invalid port", Addr: address}
	}
	return host, uint16(p), nil
}

func tcpAddr(a netip.AddrPort) *net.TCPAddr { return net.TCPAddrFromAddrPort(a) }

func udpAddr(a netip.AddrPort) *net.UDPAddr { return net.UDPAddrFromAddrPort(a) }

// mapErr turns a core error into what Go's net puts in an OpError.
func mapErr(op string, err error) error {
	if errno := sock.ErrnoOf(err); errno != nil {
		return os.NewSyscallError(op, errno)
	}
	return err
}
