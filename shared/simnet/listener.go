package simnet

import (
	"net"

	"socketville/shared/sock"
)

// Listener is a listening TCP socket of the town as a net.Listener.
type Listener struct {
	st   *Stack
	fd   int
	addr *net.TCPAddr
	closer
}

var _ net.Listener = (*Listener)(nil)

// backlog is the accept queue Listen asks for, as Go's net asks for
// somaxconn.
const backlog = 4096

// Listen listens on address (":80", "10.0.0.2:80" or "b:80") over "tcp" or
// "tcp4". Port 0 picks an ephemeral port. Like Go's net on Linux, the socket
// has SO_REUSEADDR set, so a server can restart next to its TIME-WAITs.
func (st *Stack) Listen(network, address string) (net.Listener, error) {
	n := st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	fd, at, err := st.openSocket("listen", network, address, sock.SockTCP)
	if err != nil {
		return nil, err
	}
	_ = st.p.SetSockopt(fd, sock.OptReuseAddr, 1)
	if err := st.bindOrClose(fd, network, at, tcpAddr(at), true); err != nil {
		return nil, err
	}
	local, _ := st.p.SockName(fd)
	return &Listener{st: st, fd: fd, addr: tcpAddr(local), closer: newCloser()}, nil
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	n := l.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	queued := func() bool { return l.st.p.Readiness(l.fd)&(sock.PollIn|sock.PollNval) != 0 }
	for {
		if l.isClosed() {
			return nil, opError("accept", "tcp", l.addr, nil, errConnClosed)
		}
		if !queued() {
			if err := n.wait(queued, nil, l.closed, closedErr); err != nil {
				return nil, opError("accept", "tcp", l.addr, nil, err)
			}
			continue
		}
		fd, _, err := l.st.p.Accept(l.fd)
		if err != nil {
			return nil, opError("accept", "tcp", l.addr, nil, err)
		}
		_ = l.st.p.SetSockopt(fd, sock.OptNoDelay, 1)
		return l.st.newConn(fd), nil
	}
}

// Close stops listening; connections not yet accepted are reset, as on
// Linux. A blocked Accept returns net.ErrClosed.
func (l *Listener) Close() error {
	if err := l.closeFD(l.st, l.fd); err != nil {
		return opError("close", "tcp", l.addr, nil, err)
	}
	return nil
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr { return l.addr }
