package forward

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"socketville/shared/sock"
)

// ForwardProc is the name of the process that listens in the town for an
// outbound forward.
const ForwardProc = "forward"

// DialTimeout is how long an outbound forward waits for the real server.
const DialTimeout = 5 * time.Second

// outbound is a town listener whose connections go to a real server.
type outbound struct {
	spec Spec
	p    sock.Proc
	fd   int
	open bool
}

// dialed is a real server's answer to an outbound forward's dial.
type dialed struct {
	s    *splice
	conn *net.TCPConn
	err  error
}

// openOutbound starts the forward's listener in the town: a process
// "forward" on the host, listening on the port.
func (k *Kernel) openOutbound(o *outbound) {
	p, err := k.process(o.spec.Host, ForwardProc)
	if err == nil {
		o.p = p
		o.fd, err = k.townListener(p, o.spec.Port)
	}
	if err != nil {
		k.note("forward %s: listening on %s:%d in the town: %v", o.spec.Arrow(), o.spec.Host, o.spec.Port, err)
		return
	}
	o.open = true
	k.note("forward %s: the town's programs connecting to %s port %d reach the real server %s (%s/%s listens there)",
		o.spec.Arrow(), o.spec.Host, o.spec.Port, o.spec.Real, o.spec.Host, ForwardProc)
}

func (k *Kernel) townListener(p sock.Proc, port uint16) (int, error) {
	fd, err := p.Socket(sock.SockTCP)
	if err != nil {
		return 0, err
	}
	if err := p.SetSockopt(fd, sock.OptReuseAddr, 1); err != nil {
		return 0, err
	}
	if err := p.Bind(fd, anyPort(port)); err != nil {
		p.Close(fd)
		return 0, err
	}
	if err := p.Listen(fd, 128); err != nil {
		p.Close(fd)
		return 0, err
	}
	return fd, nil
}

// acceptTown takes the town's new connections to an outbound forward and
// dials the real server for each, off the town's goroutine.
func (k *Kernel) acceptTown(o *outbound) bool {
	moved := false
	for o.open && o.p.Readiness(o.fd)&sock.PollIn != 0 { // no EAGAIN in the trace
		fd, peer, err := o.p.Accept(o.fd)
		if err != nil {
			return moved
		}
		moved = true
		s := newSplice(fmt.Sprintf("the town's client %s → %s:%d → %s", peer, o.spec.Host, o.spec.Port, o.spec.Real), o.p, fd, k.wake)
		s.dialing = true
		k.splices = append(k.splices, s)
		target := o.spec.Real
		go func() {
			c, err := net.DialTimeout("tcp4", target.String(), DialTimeout)
			d := dialed{s: s, err: err}
			if err == nil {
				d.conn = c.(*net.TCPConn)
			}
			k.dialed <- d
			k.wake()
		}()
	}
	return moved
}

// connected joins a town connection to the real server that answered,
// or resets it when the server refused.
func (k *Kernel) connected(d dialed) {
	s := d.s
	s.dialing = false
	if d.err != nil {
		why := d.err.Error()
		var op *net.OpError
		if errors.As(d.err, &op) && op.Err != nil {
			why = op.Err.Error()
		}
		k.note("forward: %s: the real server did not answer (%s); the town's client gets a reset", s.what, why)
		s.resetTown()
		s.noReal()
		return
	}
	if k.closed || s.simClosed {
		d.conn.SetLinger(0)
		d.conn.Close()
		s.noReal()
		return
	}
	s.attach(d.conn)
}

// anyPort is port on every address of the host.
func anyPort(port uint16) netip.AddrPort { return netip.AddrPortFrom(netip.IPv4Unspecified(), port) }
