package simnet

import (
	"net"
	"sync"

	"socketville/shared/sock"
)

// PacketConn is a UDP socket of the town as a net.PacketConn.
type PacketConn struct {
	st   *Stack
	fd   int
	addr *net.UDPAddr
	deadlines
	readMu sync.Mutex
	closer
}

var _ net.PacketConn = (*PacketConn)(nil)

// ListenPacket opens a UDP socket bound to address over "udp" or "udp4".
func (st *Stack) ListenPacket(network, address string) (net.PacketConn, error) {
	n := st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	fd, at, err := st.openSocket("listen", network, address, sock.SockUDP)
	if err != nil {
		return nil, err
	}
	if err := st.bindOrClose(fd, network, at, udpAddr(at), false); err != nil {
		return nil, err
	}
	local, _ := st.p.SockName(fd)
	return &PacketConn{st: st, fd: fd, addr: udpAddr(local), deadlines: newDeadlines(), closer: newCloser()}, nil
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
			if err := n.wait(ready, c.rd, c.closed, closedErr); err != nil {
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
	if err := c.closeFD(c.st, c.fd); err != nil {
		return opError("close", "udp", c.addr, nil, err)
	}
	return nil
}

// LocalAddr is the socket's address.
func (c *PacketConn) LocalAddr() net.Addr { return c.addr }
