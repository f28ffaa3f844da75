package simnet

import (
	"net"
	"sync"
	"time"

	"socketville/shared/netsim"
)

// PacketConn is a UDP socket of the town as a net.PacketConn.
type PacketConn struct {
	st        *Stack
	fd        int
	addr      *net.UDPAddr
	rd, wd    *deadline
	readMu    sync.Mutex
	closeOnce sync.Once
	closed    chan struct{}
}

var _ net.PacketConn = (*PacketConn)(nil)

// ListenPacket opens a UDP socket bound to address over "udp" or "udp4".
func (st *Stack) ListenPacket(network, address string) (net.PacketConn, error) {
	fail := func(err error) error { return &net.OpError{Op: "listen", Net: network, Err: err} }
	if network != "udp" && network != "udp4" {
		return nil, fail(net.UnknownNetworkError(network))
	}
	n := st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	at, err := st.resolve(address)
	if err != nil {
		return nil, fail(err)
	}
	fd, err := st.p.Socket(netsim.SockUDP)
	if err != nil {
		return nil, fail(err)
	}
	if err := st.p.Bind(fd, at); err != nil {
		_ = st.p.Close(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Addr: udpAddr(at), Err: mapErr("bind", err)}
	}
	local, _ := st.p.SockName(fd)
	return &PacketConn{st: st, fd: fd, addr: udpAddr(local), rd: newDeadline(), wd: newDeadline(), closed: make(chan struct{})}, nil
}

func (c *PacketConn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// ReadFrom reads one datagram; the part that does not fit b is lost, as
// for UDP in Go's net.
func (c *PacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	n := c.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	ready := func() bool { return c.st.p.Readiness(c.fd)&readable != 0 }
	for {
		if c.isClosed() {
			return 0, nil, opError("read", "udp", c.addr, nil, errConnClosed)
		}
		if c.rd.expired() {
			return 0, nil, opError("read", "udp", c.addr, nil, errTimeout)
		}
		if !ready() {
			if err := n.wait(ready, c.rd, c.closed); err != nil {
				return 0, nil, opError("read", "udp", c.addr, nil, err)
			}
			continue
		}
		dg, err := c.st.p.RecvFrom(c.fd, len(b))
		if err != nil {
			return 0, nil, opError("read", "udp", c.addr, nil, err)
		}
		return copy(b, dg.Data), udpAddr(dg.From), nil
	}
}

// WriteTo sends b as one datagram to addr (a *net.UDPAddr, or any address
// whose String is "ip:port").
func (c *PacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	n := c.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	if c.isClosed() {
		return 0, opError("write", "udp", c.addr, addr, errConnClosed)
	}
	if c.wd.expired() {
		return 0, opError("write", "udp", c.addr, addr, errTimeout)
	}
	to, err := c.st.resolve(addr.String())
	if err != nil {
		return 0, opError("write", "udp", c.addr, addr, err)
	}
	k, err := c.st.p.SendTo(c.fd, b, to)
	n.settle()
	if err != nil {
		return 0, opError("write", "udp", c.addr, addr, err)
	}
	return k, nil
}

// Close closes the socket; a blocked ReadFrom returns net.ErrClosed.
func (c *PacketConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		close(c.closed)
		n := c.st.n
		n.mu.Lock()
		defer n.mu.Unlock()
		err = c.st.p.Close(c.fd)
		n.settle()
	})
	if err != nil {
		return opError("close", "udp", c.addr, nil, err)
	}
	return nil
}

// LocalAddr is the socket's address.
func (c *PacketConn) LocalAddr() net.Addr { return c.addr }

// SetDeadline sets both deadlines.
func (c *PacketConn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the deadline for ReadFrom.
func (c *PacketConn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the deadline for WriteTo.
func (c *PacketConn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }
