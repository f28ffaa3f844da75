package simnet

import (
	"net"
	"sync"

	"socketville/shared/netsim"
)

// Listener is a listening TCP socket of the town as a net.Listener.
type Listener struct {
	st        *Stack
	fd        int
	addr      *net.TCPAddr
	closeOnce sync.Once
	closed    chan struct{}
}

var _ net.Listener = (*Listener)(nil)

// backlog is the accept queue Listen asks for, as Go's net asks for
// somaxconn.
const backlog = 4096

// Listen listens on address (":80", "10.0.0.2:80" or "b:80") over "tcp" or
// "tcp4". Port 0 picks an ephemeral port. Like Go's net on Linux, the socket
// has SO_REUSEADDR set, so a server can restart next to its TIME-WAITs.
func (st *Stack) Listen(network, address string) (net.Listener, error) {
	fail := func(err error) error { return &net.OpError{Op: "listen", Net: network, Err: err} }
	if network != "tcp" && network != "tcp4" {
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
	fd, err := st.p.Socket(netsim.SockTCP)
	if err != nil {
		return nil, fail(err)
	}
	_ = st.p.SetSockopt(fd, netsim.OptReuseAddr, 1)
	if err := st.p.Bind(fd, at); err != nil {
		_ = st.p.Close(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(at), Err: mapErr("bind", err)}
	}
	if err := st.p.Listen(fd, backlog); err != nil {
		_ = st.p.Close(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(at), Err: mapErr("listen", err)}
	}
	local, _ := st.p.SockName(fd)
	return &Listener{st: st, fd: fd, addr: tcpAddr(local), closed: make(chan struct{})}, nil
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	n := l.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	queued := func() bool { return l.st.p.Readiness(l.fd)&(netsim.PollIn|netsim.PollNval) != 0 }
	for {
		if l.isClosed() {
			return nil, opError("accept", "tcp", l.addr, nil, errConnClosed)
		}
		if !queued() {
			if err := n.wait(queued, nil, l.closed); err != nil {
				return nil, opError("accept", "tcp", l.addr, nil, err)
			}
			continue
		}
		fd, _, err := l.st.p.Accept(l.fd)
		if err != nil {
			return nil, opError("accept", "tcp", l.addr, nil, err)
		}
		_ = l.st.p.SetSockopt(fd, netsim.OptNoDelay, 1)
		return l.st.newConn(fd), nil
	}
}

func (l *Listener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

// Close stops listening; connections not yet accepted are reset, as on
// Linux. A blocked Accept returns net.ErrClosed.
func (l *Listener) Close() error {
	err := net.ErrClosed
	l.closeOnce.Do(func() {
		close(l.closed)
		n := l.st.n
		n.mu.Lock()
		defer n.mu.Unlock()
		n.catchUp()
		err = l.st.p.Close(l.fd)
		n.settle()
	})
	if err != nil {
		return opError("close", "tcp", l.addr, nil, err)
	}
	return nil
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr { return l.addr }
