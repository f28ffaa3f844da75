package script

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// callSpec says how to carry out a call: whether it can go on now, until when
// it may wait, and what it does. do's timedOut is true when the deadline
// passed before ready() held.
type callSpec struct {
	ready       func() bool
	deadline    time.Duration
	hasDeadline bool
	do          func(timedOut bool) (string, error)
}

func always() bool { return true }

func immediate(do func() (string, error)) callSpec {
	return callSpec{ready: always, do: func(bool) (string, error) { return do() }}
}

func zeroResult(err error) (string, error) {
	if err != nil {
		return "", err
	}
	return "0", nil
}

// canRead reports whether a blocking read on fd may go on: data, an error,
// end of file, a closed fd, or a non-blocking socket (which returns EAGAIN).
func canRead(p sock.Proc, fd int) func() bool {
	return func() bool {
		if nb, err := p.Nonblock(fd); err != nil || nb {
			return true
		}
		return p.Readiness(fd)&(sock.PollIn|sock.PollErr|sock.PollHup|sock.PollNval) != 0
	}
}

func (r *Runner) spec(p sock.Proc, c Call) callSpec {
	switch c.Op {
	case "socket":
		return immediate(func() (string, error) {
			fd, err := p.Socket(c.Type)
			return strconv.Itoa(fd), err
		})
	case "bind":
		return immediate(func() (string, error) { return zeroResult(p.Bind(c.FD, c.Addr)) })
	case "listen":
		return immediate(func() (string, error) { return zeroResult(p.Listen(c.FD, c.N)) })
	case "connect":
		return connectSpec(p, c)
	case "accept":
		return callSpec{ready: canRead(p, c.FD), do: func(bool) (string, error) {
			fd, from, err := p.Accept(c.FD)
			return fmt.Sprintf("%d from %v", fd, from), err
		}}
	case "send", "sendto":
		if t, err := p.Type(c.FD); err == nil && t == sock.SockTCP {
			return sendStreamSpec(p, c)
		}
		return immediate(func() (string, error) {
			var n int
			var err error
			if c.Op == "send" {
				n, err = p.Send(c.FD, c.payload())
			} else {
				n, err = p.SendTo(c.FD, c.payload(), c.Addr)
			}
			return strconv.Itoa(n), err
		})
	case "recv", "recvfrom":
		return r.recvSpec(p, c)
	case "setsockopt":
		return immediate(func() (string, error) { return zeroResult(p.SetSockopt(c.FD, c.Opt, c.Value)) })
	case "getsockopt":
		return immediate(func() (string, error) {
			v, err := p.GetSockopt(c.FD, c.Opt)
			return strconv.Itoa(v), err
		})
	case "shutdown":
		return immediate(func() (string, error) { return zeroResult(p.Shutdown(c.FD, c.How)) })
	case "close":
		return immediate(func() (string, error) { return zeroResult(p.Close(c.FD)) })
	case "nonblock":
		return immediate(func() (string, error) { return zeroResult(p.SetNonblock(c.FD, c.Value != 0)) })
	case "poll":
		return r.pollSpec(p, c)
	}
	return immediate(func() (string, error) { return "", fmt.Errorf("%s: not a call", c.Op) })
}

// canWrite reports whether a blocking write on fd may go on (room in the
// send buffer, an error, a hang-up, a closed fd, or non-blocking mode).
func canWrite(p sock.Proc, fd int) func() bool {
	return func() bool {
		if nb, err := p.Nonblock(fd); err != nil || nb {
			return true
		}
		return p.Readiness(fd)&(sock.PollOut|sock.PollErr|sock.PollHup|sock.PollNval) != 0
	}
}

// connectSpec starts a connection. On a blocking TCP socket it then waits,
// as connect(2) does, until the handshake succeeds or fails; a non-blocking
// one returns EINPROGRESS at once.
func connectSpec(p sock.Proc, c Call) callSpec {
	started := false
	writable := canWrite(p, c.FD)
	return callSpec{
		ready: func() bool { return !started || writable() },
		do: func(bool) (string, error) {
			if started {
				return zeroResult(p.ConnectResult(c.FD))
			}
			err := p.Connect(c.FD, c.Addr)
			if nb, _ := p.Nonblock(c.FD); nb || sock.ErrnoOf(err) != sock.ErrInProgress {
				return zeroResult(err)
			}
			started = true
			return "", errNotDone
		},
	}
}

// sendStreamSpec writes to a TCP socket. A blocking send goes on until all
// the data is in the send buffer, waiting for room as it drains, and
// returns the whole count; a non-blocking one takes what fits.
func sendStreamSpec(p sock.Proc, c Call) callSpec {
	var data []byte
	written := 0
	return callSpec{
		ready: canWrite(p, c.FD),
		do: func(bool) (string, error) {
			if data == nil {
				data = c.payload()
			}
			n, err := p.Send(c.FD, data[written:])
			if err != nil {
				if written > 0 && sock.ErrnoOf(err) == sock.ErrAgain {
					return strconv.Itoa(written), nil
				}
				return "", err
			}
			written += n
			if nb, _ := p.Nonblock(c.FD); !nb && written < len(data) {
				return "", errNotDone
			}
			if c.Size > 0 && written == len(data) {
				// The same digest recv all prints, to check the transfer.
				sum := sha256.Sum256(data)
				return fmt.Sprintf("%d sha256=%s", written, hex.EncodeToString(sum[:])), nil
			}
			return strconv.Itoa(written), nil
		},
	}
}

func (r *Runner) recvSpec(p sock.Proc, c Call) callSpec {
	spec := callSpec{ready: canRead(p, c.FD)}
	if t := p.RecvTimeout(c.FD); t > 0 {
		spec.deadline, spec.hasDeadline = r.k.Now()+t, true
	}
	if c.All {
		return r.recvAllSpec(p, c.FD)
	}
	spec.do = func(timedOut bool) (string, error) {
		// After a timeout the core finds nothing queued and says EAGAIN,
		// which is what SO_RCVTIMEO gives on Linux.
		var dg sock.Datagram
		var err error
		if c.Op == "recv" {
			dg.Data, err = p.Recv(c.FD, c.N)
			dg.Len = len(dg.Data)
		} else {
			dg, err = p.RecvFrom(c.FD, c.N)
		}
		if err != nil {
			if !timedOut && sock.ErrnoOf(err) == sock.ErrAgain {
				if nb, _ := p.Nonblock(c.FD); !nb {
					// Readable, and yet nothing to read: Linux checks a
					// datagram's checksum only when it is read, and drops a
					// bad one then. A blocking read waits on.
					return "", errNotDone
				}
			}
			return "", err
		}
		return describeRead(p, c, dg), nil
	}
	return spec
}

func describeRead(p sock.Proc, c Call, dg sock.Datagram) string {
	n := len(dg.Data)
	if n == 0 && dg.Len == 0 && (c.Op == "recv" || !dg.From.IsValid()) {
		return "0 (end of file)"
	}
	cut := ""
	if dg.Len > n {
		cut = fmt.Sprintf(" (cut from %d)", dg.Len)
	}
	if t, _ := p.Type(c.FD); t == sock.SockICMP {
		if m, err := wire.ParseICMPv4(dg.Data); err == nil {
			return fmt.Sprintf("%d from %v: %v id=%d seq=%d ttl=%d%s", n, dg.From.Addr(), m.Type(), m.Ident(), m.Seq(), dg.TTL, cut)
		}
	}
	if c.Op == "recv" {
		return fmt.Sprintf("%d %s%s", n, quoteData(dg.Data), cut)
	}
	return fmt.Sprintf("%d from %v %s%s", n, dg.From, quoteData(dg.Data), cut)
}

// quoteData prints data as a Go string, cut to its first 48 bytes.
func quoteData(b []byte) string {
	const max = 48
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// errNotDone is what a multi-step call's do returns when it made progress but
// must wait for more (recv all before the end of the stream).
var errNotDone = errors.New("not done yet")

// recvAllSpec reads a stream to its end and prints the count and a SHA-256,
// so a transfer can be checked against what was sent. Each step reads what
// has arrived; the call completes at end of file.
func (r *Runner) recvAllSpec(p sock.Proc, fd int) callSpec {
	h := sha256.New()
	total := 0
	readable := canRead(p, fd)
	return callSpec{
		ready: func() bool {
			t, err := p.Type(fd)
			return err != nil || t != sock.SockTCP || readable()
		},
		do: func(bool) (string, error) {
			if t, err := p.Type(fd); err == nil && t != sock.SockTCP {
				return "", &sock.CallError{Op: "recv", Errno: sock.ErrOpNotSupp, Note: fmt.Sprintf("recv all reads a stream to its end; fd %d is a %v socket, which has no end", fd, t)}
			}
			for readable() {
				data, err := p.Recv(fd, 64<<10)
				if err != nil {
					return "", err
				}
				if len(data) == 0 {
					return fmt.Sprintf("%d bytes sha256=%s", total, hex.EncodeToString(h.Sum(nil))), nil
				}
				h.Write(data)
				total += len(data)
			}
			return "", errNotDone
		},
	}
}

func (r *Runner) pollSpec(p sock.Proc, c Call) callSpec {
	set := func() []sock.PollFD {
		fds := make([]sock.PollFD, len(c.FDs))
		for i, fd := range c.FDs {
			fds[i] = sock.PollFD{FD: fd, Events: c.Events}
		}
		return fds
	}
	ready := func() bool {
		for _, fd := range c.FDs {
			if p.Readiness(fd)&(c.Events|sock.PollErr|sock.PollHup|sock.PollNval) != 0 {
				return true
			}
		}
		return false
	}
	spec := callSpec{ready: ready, do: func(bool) (string, error) {
		fds := set()
		n := p.Poll(fds)
		parts := make([]string, len(fds))
		for i, f := range fds {
			parts[i] = fmt.Sprintf("%d:%v", f.FD, f.Revents)
		}
		return fmt.Sprintf("%d [%s]", n, strings.Join(parts, " ")), nil
	}}
	if !c.Infinite {
		spec.deadline, spec.hasDeadline = r.k.Now()+c.Timeout, true
	}
	return spec
}
