package simnet

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"

	"socketville/shared/sock"
)

// Conn is a TCP connection of the town as a net.Conn.
type Conn struct {
	st           *Stack
	fd           int
	laddr, raddr *net.TCPAddr
	deadlines
	readMu  sync.Mutex
	writeMu sync.Mutex
	closer
}

var _ net.Conn = (*Conn)(nil)

func (st *Stack) newConn(fd int) *Conn {
	local, _ := st.p.SockName(fd)
	remote, _ := st.p.PeerName(fd)
	return &Conn{
		st: st, fd: fd, laddr: tcpAddr(local), raddr: tcpAddr(remote),
		deadlines: newDeadlines(), closer: newCloser(),
	}
}

// readable and writable are the readiness a blocked call waits for.
const (
	readable = sock.PollIn | sock.PollErr | sock.PollHup | sock.PollNval
	writable = sock.PollOut | sock.PollErr | sock.PollHup | sock.PollNval
)

func (c *Conn) ready(want sock.PollEvents) func() bool {
	return func() bool { return c.st.p.Readiness(c.fd)&want != 0 }
}

// Read reads what has arrived, waiting for something if nothing has. At
// the end of the stream it returns io.EOF, bare, as net.Conn does.
func (c *Conn) Read(b []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	n := c.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	for {
		if c.isClosed() {
			return 0, c.opError("read", errConnClosed)
		}
		if c.rd.expired() {
			return 0, c.opError("read", errTimeout)
		}
		if len(b) == 0 {
			return 0, nil
		}
		if !c.ready(readable)() {
			if err := n.wait(c.ready(readable), c.rd, c.closed, closedErr); err != nil {
				return 0, c.opError("read", err)
			}
			continue
		}
		k, err := c.st.p.Read(c.fd, b)
		if err != nil {
			return 0, c.opError("read", err)
		}
		n.settle() // the window update, if reading opened the window
		if k == 0 {
			return 0, io.EOF
		}
		return k, nil
	}
}

// Write writes all of b, waiting for room in the send buffer as it drains.
func (c *Conn) Write(b []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	n := c.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	total := 0
	for {
		if c.isClosed() {
			return total, c.opError("write", errConnClosed)
		}
		if c.wd.expired() {
			return total, c.opError("write", errTimeout)
		}
		if total == len(b) {
			return total, nil
		}
		if !c.ready(writable)() {
			if err := n.wait(c.ready(writable), c.wd, c.closed, closedErr); err != nil {
				return total, c.opError("write", err)
			}
			continue
		}
		k, err := c.st.p.Send(c.fd, b[total:])
		if err != nil && sock.ErrnoOf(err) != sock.ErrAgain {
			return total, c.opError("write", err)
		}
		total += max(k, 0)
		n.settle()
	}
}

// Close closes the connection: a FIN after the data, as close(2) does.
// Blocked reads and writes return net.ErrClosed.
func (c *Conn) Close() error {
	if err := c.closeFD(c.st, c.fd); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// CloseWrite shuts the sending side (shutdown(SHUT_WR)): the peer reads
// end of file, and can still send.
func (c *Conn) CloseWrite() error { return c.shutdown(sock.ShutWr) }

// CloseRead shuts the receiving side (shutdown(SHUT_RD)).
func (c *Conn) CloseRead() error { return c.shutdown(sock.ShutRd) }

func (c *Conn) shutdown(how sock.ShutdownHow) error {
	n := c.st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if c.isClosed() {
		return c.opError("shutdown", errConnClosed)
	}
	n.catchUp()
	err := c.st.p.Shutdown(c.fd, how)
	n.settle()
	if err != nil {
		return c.opError("shutdown", err)
	}
	return nil
}

// LocalAddr is the connection's address in the town.
func (c *Conn) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr is the peer's address in the town.
func (c *Conn) RemoteAddr() net.Addr { return c.raddr }

func (c *Conn) opError(op string, err error) error {
	return opError(op, "tcp", c.laddr, c.raddr, err)
}

// Dial connects to address ("10.0.0.2:80" or "b:80", a host of the town by
// name) over "tcp" or "tcp4".
func (st *Stack) Dial(network, address string) (net.Conn, error) {
	return st.DialContext(context.Background(), network, address)
}

// DialContext is Dial that gives up when ctx is done. Like Go's net, the
// connection has TCP_NODELAY set, and a context that ends first gives a
// *net.OpError whose Err matches context.Canceled, or for a deadline
// context.DeadlineExceeded with Timeout() true.
func (st *Stack) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	n := st.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catchUp()
	if err := ctx.Err(); err != nil {
		// As Go's net, a context that is already done sends no SYN.
		return nil, &net.OpError{Op: "dial", Net: network, Err: contextErr(err)}
	}
	fd, to, err := st.openSocket("dial", network, address, sock.SockTCP)
	if err != nil {
		return nil, err
	}
	_ = st.p.SetSockopt(fd, sock.OptNoDelay, 1)
	cerr := st.p.Connect(fd, to)
	n.settle()
	if cerr != nil && sock.ErrnoOf(cerr) == sock.ErrInProgress {
		connected := func() bool { return st.p.Readiness(fd)&writable != 0 }
		if werr := n.wait(connected, nil, ctx.Done(), func() error { return contextErr(ctx.Err()) }); werr != nil {
			cerr = werr
		} else {
			cerr = st.p.ConnectResult(fd)
		}
	}
	if cerr != nil {
		_ = st.p.Close(fd)
		n.settle()
		return nil, &net.OpError{Op: "dial", Net: network, Addr: tcpAddr(to), Err: mapDialErr(cerr)}
	}
	return st.newConn(fd), nil
}

// contextErr is what a call gives up with when its context ends, as Go's
// net maps it: the sentence net prints, errors.Is matching the context's
// error, and a deadline reporting Timeout.
func contextErr(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return canceledError{}
	case errors.Is(err, context.DeadlineExceeded):
		return dialTimeoutError{}
	}
	return err
}

// canceledError is a call given up because its context was canceled.
type canceledError struct{}

func (canceledError) Error() string { return "operation was canceled" }

// Is makes errors.Is(err, context.Canceled) hold.
func (canceledError) Is(target error) bool { return target == context.Canceled }

// dialTimeoutError is a call given up because its context's deadline
// passed. Unlike an I/O deadline (os.ErrDeadlineExceeded), it matches
// context.DeadlineExceeded, as in Go's net.
type dialTimeoutError struct{}

func (dialTimeoutError) Error() string { return "i/o timeout" }

// Timeout reports true: the call ran out of time.
func (dialTimeoutError) Timeout() bool { return true }

// Temporary reports true, as Go's net does for every timeout.
func (dialTimeoutError) Temporary() bool { return true }

// Is makes errors.Is(err, context.DeadlineExceeded) hold.
func (dialTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// mapDialErr turns why a dial failed into what Go's net puts in the
// OpError: the errno as a syscall error, net.ErrClosed once the network is
// closed, and a context's end as contextErr made it.
func mapDialErr(err error) error {
	if errno := sock.ErrnoOf(err); errno != nil {
		return os.NewSyscallError("connect", errno)
	}
	if errors.Is(err, errClosedNetwork) {
		return net.ErrClosed
	}
	return err
}

// Buffered is how many bytes a Read would return now without waiting.
func (c *Conn) Buffered() int {
	c.st.n.mu.Lock()
	defer c.st.n.mu.Unlock()
	c.st.n.catchUp()
	return c.st.p.Unread(c.fd)
}

// Unacked is how many written bytes the peer has not acknowledged yet.
func (c *Conn) Unacked() int {
	c.st.n.mu.Lock()
	defer c.st.n.mu.Unlock()
	c.st.n.catchUp()
	return c.st.p.Unacked(c.fd)
}
