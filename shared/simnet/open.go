package simnet

import (
	"net"
	"net/netip"
	"sync"

	"socketville/shared/sock"
)

// openSocket is the start of Dial, Listen and ListenPacket: it checks that
// network names sockets of type want ("tcp"/"tcp4" or "udp"/"udp4"),
// resolves address and opens the socket. It is called with the network's
// lock held. On failure it returns the *net.OpError for op.
func (st *Stack) openSocket(op, network, address string, want sock.SockType) (int, netip.AddrPort, error) {
	typ := sock.SockUnknown
	switch network {
	case "tcp", "tcp4":
		typ = sock.SockTCP
	case "udp", "udp4":
		typ = sock.SockUDP
	}
	if typ != want {
		return -1, netip.AddrPort{}, &net.OpError{Op: op, Net: network, Err: net.UnknownNetworkError(network)}
	}
	at, err := st.resolve(address)
	if err != nil {
		return -1, at, &net.OpError{Op: op, Net: network, Err: err}
	}
	fd, err := st.p.Socket(typ)
	if err != nil {
		return -1, at, &net.OpError{Op: op, Net: network, Err: mapErr("socket", err)}
	}
	return fd, at, nil
}

// bindOrClose binds fd to at (and for TCP starts listening), closing the
// socket if either fails; it returns the *net.OpError for "listen".
func (st *Stack) bindOrClose(fd int, network string, at netip.AddrPort, addr net.Addr, listen bool) error {
	err := st.p.Bind(fd, at)
	call := "bind"
	if err == nil && listen {
		err, call = st.p.Listen(fd, backlog), "listen"
	}
	if err != nil {
		_ = st.p.Close(fd)
		return &net.OpError{Op: "listen", Net: network, Addr: addr, Err: mapErr(call, err)}
	}
	return nil
}

// closer is the closed state every adapter keeps: closing it once wakes
// every blocked call of the adapter.
type closer struct {
	once   sync.Once
	closed chan struct{}
}

func newCloser() closer { return closer{closed: make(chan struct{})} }

func (c *closer) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// closeFD closes the channel, then fd under the network's lock, once; a
// second call returns net.ErrClosed.
func (c *closer) closeFD(st *Stack, fd int) error {
	err := net.ErrClosed
	c.once.Do(func() {
		close(c.closed)
		n := st.n
		n.mu.Lock()
		defer n.mu.Unlock()
		n.catchUp()
		err = st.p.Close(fd)
		n.settle()
	})
	return err
}
