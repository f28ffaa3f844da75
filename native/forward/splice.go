package forward

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"

	"socketville/shared/sock"
)

// A splice joins one real TCP connection and one town socket: bytes are
// copied both ways, an end of file becomes a half-close on the other side
// (shutdown SHUT_WR, or CloseWrite) and a reset becomes a reset (close
// with SO_LINGER 0, or SetLinger(0) and Close). The real side has a reader
// and a writer goroutine with bounded queues; the town side is moved only
// by the kernel's pump, on the goroutine that owns the town, so the core
// never sees a goroutine. What a splice cannot pass on: the two TCPs
// segment, acknowledge and time out on their own, urgent data and socket
// options stay on their side, and a real peer's reset after its data is
// read may arrive as a plain close (the kernel gives no reset to a socket
// with nothing left to read).

// chunk sizes and queue lengths: at most inQueue*readChunk bytes from the
// real side wait for the town, and outQueue reads of the town for the real
// side, so a slow side holds the other back through its TCP window.
const (
	readChunk = 32 << 10
	inQueue   = 8
	outQueue  = 8
	simRead   = 64 << 10
)

// splice is one forwarded connection.
type splice struct {
	what string // for notes: "outside/curl-4242 → b:80"
	p    sock.Proc
	fd   int
	conn *net.TCPConn

	// connecting: the town socket's connect is under way (Inbound).
	// dialing: the real connection is not there yet (Outbound).
	connecting, dialing bool

	in      chan []byte // from the reader; closed at the real side's end
	inErr   error       // why the reader stopped (nil: end of file); set before in closes
	pending []byte      // a chunk the town socket has not taken whole yet
	inDone  bool        // the real side's end has been passed on

	out       chan []byte // to the writer
	outAbort  bool        // the writer resets the real side once out closes (else CloseWrite)
	outClosed bool
	wrote     chan error // the writer's failure, at most one
	finished  chan struct{}
	readDone  chan struct{}

	simClosed bool // the town socket is closed
	wake      func()
	// stop tells the reader that nobody takes from in any more.
	stop     chan struct{}
	stopOnce sync.Once
	endOnce  sync.Once
}

func newSplice(what string, p sock.Proc, fd int, wake func()) *splice {
	return &splice{
		what: what, p: p, fd: fd, wake: wake,
		in: make(chan []byte, inQueue), out: make(chan []byte, outQueue),
		wrote: make(chan error, 1), finished: make(chan struct{}), readDone: make(chan struct{}),
		stop: make(chan struct{}),
	}
}

// attach starts copying the real connection's bytes.
func (s *splice) attach(c *net.TCPConn) {
	s.conn = c
	go s.read()
	go s.write()
}

// read copies the real side into in, until its end.
func (s *splice) read() {
	defer close(s.readDone)
	for {
		b := make([]byte, readChunk)
		n, err := s.conn.Read(b)
		if n > 0 {
			select {
			case s.in <- b[:n]:
				s.wake()
			case <-s.stop:
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.inErr = err
			}
			close(s.in)
			s.wake()
			return
		}
	}
}

// write copies out to the real side, then ends it as the town's side
// ended: a half-close, or a reset.
func (s *splice) write() {
	defer s.endOnce.Do(func() { close(s.finished) })
	failed := false
	for b := range s.out {
		if failed {
			continue // drain, so the pump never waits on a dead peer
		}
		if _, err := s.conn.Write(b); err != nil {
			failed = true
			s.wrote <- err
		}
		s.wake()
	}
	if s.outAbort || failed {
		s.conn.SetLinger(0)
		s.conn.Close()
		return
	}
	s.conn.CloseWrite()
	<-s.readDone // the real side's end, then the socket goes
	s.conn.Close()
}

// isReset reports whether a real side's error is a reset rather than an
// orderly close.
func isReset(err error) bool {
	return err != nil && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE))
}

// pump moves what can move now, on both sides, without waiting. It
// reports false once the splice is over.
func (s *splice) pump() bool {
	if s.simClosed {
		return !s.over()
	}
	s.toTown()
	if !s.simClosed {
		s.fromTown()
	}
	select {
	case <-s.wrote:
		s.resetTown() // the real peer went away while we wrote to it
	default:
	}
	if !s.simClosed && s.inDone && s.outClosed {
		s.p.Close(s.fd)
		s.simClosed = true
	}
	return !s.over()
}

// over: both the town's socket and the real connection are done.
func (s *splice) over() bool {
	if !s.simClosed {
		return false
	}
	select {
	case <-s.finished:
		return true
	default:
		return false
	}
}

// toTown hands the real side's bytes to the town socket, and its end.
func (s *splice) toTown() {
	for !s.inDone {
		if len(s.pending) == 0 {
			select {
			case b, ok := <-s.in:
				if !ok {
					s.endFromReal()
					return
				}
				s.pending = b
			default:
				return
			}
		}
		if s.p.Readiness(s.fd)&(sock.PollOut|sock.PollErr|sock.PollHup) == 0 {
			return // the town socket's send buffer is full: wait for its ACKs
		}
		n, err := s.p.Send(s.fd, s.pending)
		s.pending = s.pending[max(n, 0):]
		switch {
		case errors.Is(err, sock.ErrAgain):
			return
		case err != nil:
			s.resetReal() // the town's side is gone (EPIPE, ECONNRESET)
			return
		}
	}
}

// endFromReal passes the real side's end on: a reset as a reset, an end
// of file as shutdown(SHUT_WR), so the town's program reads its EOF and
// may still answer.
func (s *splice) endFromReal() {
	s.doneIn()
	if isReset(s.inErr) {
		s.resetTown()
		return
	}
	if err := s.p.Shutdown(s.fd, sock.ShutWr); err != nil && !errors.Is(err, sock.ErrNotConn) {
		s.resetReal()
	}
}

// fromTown reads what the town socket has for the real side, while the
// writer has room, and its end.
func (s *splice) fromTown() {
	buf := make([]byte, simRead)
	for !s.outClosed && len(s.out) < cap(s.out) {
		if s.p.Readiness(s.fd)&(sock.PollIn|sock.PollErr|sock.PollHup) == 0 {
			return // nothing to read, and no end yet
		}
		n, err := s.p.Read(s.fd, buf)
		switch {
		case n > 0:
			s.out <- append([]byte(nil), buf[:n]...)
		case errors.Is(err, sock.ErrAgain):
			return
		case err == nil: // end of file: the town's program closed its side
			s.closeOut(false)
		default: // ECONNRESET, ETIMEDOUT: the town's connection is gone
			s.closeOut(true)
			s.doneIn()
			s.p.Close(s.fd)
			s.simClosed = true
		}
	}
}

func (s *splice) closeOut(abort bool) {
	if !s.outClosed {
		s.outAbort = abort
		s.outClosed = true
		close(s.out)
	}
}

// resetTown aborts the town's socket with a reset (SO_LINGER 0, close),
// and ends the real side too.
func (s *splice) resetTown() {
	if !s.simClosed {
		s.p.SetSockopt(s.fd, sock.OptLinger, 0)
		s.p.Close(s.fd)
		s.simClosed = true
	}
	s.doneIn()
	s.closeOut(true)
}

// resetReal resets the real side and closes the town's socket.
func (s *splice) resetReal() {
	s.closeOut(true)
	s.doneIn()
	if !s.simClosed {
		s.p.Close(s.fd)
		s.simClosed = true
	}
}

// abort ends the splice at once, both sides reset: the town is going away.
func (s *splice) abort() {
	s.resetTown()
	if s.conn != nil {
		s.conn.SetLinger(0)
		s.conn.Close() // a reader waiting on a half-closed peer stops too
	}
	s.noReal()
}

// doneIn says the real side's bytes are no longer taken: the reader may
// stop.
func (s *splice) doneIn() {
	s.inDone = true
	s.stopOnce.Do(func() { close(s.stop) })
}

// noReal ends a splice whose real connection never came (a refused dial).
func (s *splice) noReal() {
	if s.conn == nil {
		s.endOnce.Do(func() { close(s.finished) })
	}
}
