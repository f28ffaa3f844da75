package script

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

func zeroResult(err error) (string, error) {
	if err != nil {
		return "", err
	}
	return "0", nil
}

// readable reports whether a blocking read on fd may go on: data, an error,
// end of file, a closed fd, or a non-blocking socket (which returns EAGAIN).
func readable(p sock.Proc, fd int) bool {
	if nb, err := p.Nonblock(fd); err != nil || nb {
		return true
	}
	return p.Readiness(fd)&(sock.PollIn|sock.PollErr|sock.PollHup|sock.PollNval) != 0
}

// writable reports whether a blocking write on fd may go on (room in the
// send buffer, an error, a hang-up, a closed fd, or non-blocking mode).
func writable(p sock.Proc, fd int) bool {
	if nb, err := p.Nonblock(fd); err != nil || nb {
		return true
	}
	return p.Readiness(fd)&(sock.PollOut|sock.PollErr|sock.PollHup|sock.PollNval) != 0
}

func doSocket(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	fd, err := p.Socket(pc.cmd.Call.Type)
	return strconv.Itoa(fd), err
}

func doBind(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	return zeroResult(p.Bind(pc.cmd.Call.FD, pc.cmd.Call.Addr))
}

func doListen(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	return zeroResult(p.Listen(pc.cmd.Call.FD, pc.cmd.Call.N))
}

func doSetsockopt(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	c := pc.cmd.Call
	return zeroResult(p.SetSockopt(c.FD, c.Opt, c.Value))
}

func doGetsockopt(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	v, err := p.GetSockopt(pc.cmd.Call.FD, pc.cmd.Call.Opt)
	return strconv.Itoa(v), err
}

func doShutdown(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	return zeroResult(p.Shutdown(pc.cmd.Call.FD, pc.cmd.Call.How))
}

func doClose(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	return zeroResult(p.Close(pc.cmd.Call.FD))
}

func doNonblock(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	return zeroResult(p.SetNonblock(pc.cmd.Call.FD, pc.cmd.Call.Value != 0))
}

func readReady(_ *Runner, p sock.Proc, pc *pendingCall) bool { return readable(p, pc.cmd.Call.FD) }

func doAccept(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	fd, from, err := p.Accept(pc.cmd.Call.FD)
	return fmt.Sprintf("%d from %v", fd, from), err
}

// connectReady: a connect goes on at once, and, once its handshake is
// under way, when the socket is writable (connected, or failed).
func connectReady(_ *Runner, p sock.Proc, pc *pendingCall) bool {
	return !pc.started || writable(p, pc.cmd.Call.FD)
}

// doConnect starts a connection. On a blocking TCP socket it then waits,
// as connect(2) does, until the handshake succeeds or fails; a non-blocking
// one returns EINPROGRESS at once.
func doConnect(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	c := pc.cmd.Call
	if pc.started {
		return zeroResult(p.ConnectResult(c.FD))
	}
	err := p.Connect(c.FD, c.Addr)
	if nb, _ := p.Nonblock(c.FD); nb || sock.ErrnoOf(err) != sock.ErrInProgress {
		return zeroResult(err)
	}
	pc.started = true
	return "", errNotDone
}

// startSend notes whether the socket is a TCP one, which a send fills in
// pieces; a datagram goes out whole or not at all.
func startSend(_ *Runner, p sock.Proc, pc *pendingCall) {
	t, err := p.Type(pc.cmd.Call.FD)
	pc.stream = err == nil && t == sock.SockTCP
}

func sendReady(_ *Runner, p sock.Proc, pc *pendingCall) bool {
	return !pc.stream || writable(p, pc.cmd.Call.FD)
}

func doSend(r *Runner, p sock.Proc, pc *pendingCall, timedOut bool) (string, error) {
	c := pc.cmd.Call
	if pc.stream {
		return sendStream(p, pc)
	}
	var n int
	var err error
	if c.Op == "send" {
		n, err = p.Send(c.FD, c.payload())
	} else {
		n, err = p.SendTo(c.FD, c.payload(), c.Addr)
	}
	return strconv.Itoa(n), err
}

// sendStream writes to a TCP socket. A blocking send goes on until all
// the data is in the send buffer, waiting for room as it drains, and
// returns the whole count; a non-blocking one takes what fits.
func sendStream(p sock.Proc, pc *pendingCall) (string, error) {
	c := pc.cmd.Call
	if pc.data == nil {
		pc.data = c.payload()
	}
	n, err := p.Send(c.FD, pc.data[pc.done:])
	if err != nil {
		if pc.done > 0 && sock.ErrnoOf(err) == sock.ErrAgain {
			return strconv.Itoa(pc.done), nil
		}
		return "", err
	}
	pc.done += n
	if nb, _ := p.Nonblock(c.FD); !nb && pc.done < len(pc.data) {
		return "", errNotDone
	}
	if c.Size > 0 && pc.done == len(pc.data) {
		// The same digest recv all prints, to check the transfer.
		sum := sha256.Sum256(pc.data)
		return fmt.Sprintf("%d sha256=%s", pc.done, hex.EncodeToString(sum[:])), nil
	}
	return strconv.Itoa(pc.done), nil
}

// startRecv gives a blocking read the socket's SO_RCVTIMEO as its
// deadline; recv all reads to the end, however long that takes.
func startRecv(r *Runner, p sock.Proc, pc *pendingCall) {
	if t := p.RecvTimeout(pc.cmd.Call.FD); t > 0 && !pc.cmd.Call.All {
		pc.deadline, pc.hasDeadline = r.k.Now()+t, true
	}
}

func recvReady(_ *Runner, p sock.Proc, pc *pendingCall) bool {
	fd := pc.cmd.Call.FD
	if pc.cmd.Call.All {
		t, err := p.Type(fd)
		return err != nil || t != sock.SockTCP || readable(p, fd)
	}
	return readable(p, fd)
}

func doRecv(_ *Runner, p sock.Proc, pc *pendingCall, timedOut bool) (string, error) {
	c := pc.cmd.Call
	if c.All {
		return recvAll(p, pc)
	}
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

// recvAll reads a stream to its end and prints the count and a SHA-256,
// so a transfer can be checked against what was sent. Each step reads what
// has arrived; the call completes at end of file.
func recvAll(p sock.Proc, pc *pendingCall) (string, error) {
	fd := pc.cmd.Call.FD
	if t, err := p.Type(fd); err == nil && t != sock.SockTCP {
		return "", &sock.CallError{Op: "recv", Errno: sock.ErrOpNotSupp, Note: fmt.Sprintf("recv all reads a stream to its end; fd %d is a %v socket, which has no end", fd, t)}
	}
	h := sha256.New()
	if pc.sum != nil {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(pc.sum); err != nil {
			return "", fmt.Errorf("recv all: resuming the digest: %w", err)
		}
	}
	defer func() { pc.sum, _ = h.(encoding.BinaryMarshaler).MarshalBinary() }()
	for readable(p, fd) {
		data, err := p.Recv(fd, 64<<10)
		if err != nil {
			return "", err
		}
		if len(data) == 0 {
			return fmt.Sprintf("%d bytes sha256=%s", pc.done, hex.EncodeToString(h.Sum(nil))), nil
		}
		h.Write(data)
		pc.done += len(data)
	}
	return "", errNotDone
}

// startPoll gives a poll with a timeout its deadline.
func startPoll(r *Runner, _ sock.Proc, pc *pendingCall) {
	if c := pc.cmd.Call; !c.Infinite {
		pc.deadline, pc.hasDeadline = r.k.Now()+c.Timeout, true
	}
}

func pollReady(_ *Runner, p sock.Proc, pc *pendingCall) bool {
	c := pc.cmd.Call
	for _, fd := range c.FDs {
		if p.Readiness(fd)&(c.Events|sock.PollErr|sock.PollHup|sock.PollNval) != 0 {
			return true
		}
	}
	return false
}

func doPoll(_ *Runner, p sock.Proc, pc *pendingCall, _ bool) (string, error) {
	c := pc.cmd.Call
	fds := make([]sock.PollFD, len(c.FDs))
	for i, fd := range c.FDs {
		fds[i] = sock.PollFD{FD: fd, Events: c.Events}
	}
	n := p.Poll(fds)
	parts := make([]string, len(fds))
	for i, f := range fds {
		parts[i] = fmt.Sprintf("%d:%v", f.FD, f.Revents)
	}
	return fmt.Sprintf("%d [%s]", n, strings.Join(parts, " ")), nil
}

// runPing and runTraceroute are the rows' programs (see probe.go).
func runPing(r *Runner, l Line, c CallCmd, p sock.Proc)       { r.ping(l, c, p) }
func runTraceroute(r *Runner, l Line, c CallCmd, p sock.Proc) { r.traceroute(l, c, p) }
