package netsim

import (
	"fmt"
	"net/netip"
	"strings"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// Linux's defaults and limits for socket buffers (net.core.*mem_default and
// *mem_max), and the floor it puts under SO_RCVBUF.
const (
	defaultRcvBuf = 212992
	defaultSndBuf = 212992
	maxBufRequest = 212992
	minRcvBuf     = 2304
	minSndBuf     = 4608
)

// Socket is a door of a house: one end of communication, owned by a process
// through a file descriptor.
type Socket struct {
	id        uint64
	proc      *Process
	fd        int
	typ       sock.SockType
	local     netip.AddrPort // zero until bound
	remote    netip.AddrPort // zero until connected
	bound     bool
	connected bool
	nonblock  bool
	opts      sockOpts
	rq        []sock.Datagram // received datagrams; rq[rqHead:] are unread
	rqHead    int
	rqBytes   int
	soErr     *sock.Errno // pending asynchronous error (SO_ERROR)
	softErr   *sock.Errno // TCP's last soft ICMP error (Linux's sk_err_soft): the error of a timeout, or SO_ERROR's when none is pending
	shutRd    bool
	shutWr    bool
	echoSeq   uint16
	ephemeral bool
	tcp       *tcb               // the connection of a TCP socket
	errQueue  []sock.ExtendedErr // IP_RECVERR's queue, oldest first
}

// queueLocalError keeps an error of the host's own kernel for RecvErr,
// when IP_RECVERR is on, as Linux's ip_local_error does (EMSGSIZE with the
// path MTU in Info, which ping -M do prints).
func (s *Socket) queueLocalError(errno *sock.Errno, dst netip.AddrPort, info uint32) {
	if !s.opts.recvErr || len(s.errQueue) >= errQueueMax {
		return
	}
	s.errQueue = append(s.errQueue, sock.ExtendedErr{Err: errno, Info: info, Dst: dst, Local: true})
}

// queueError keeps an ICMP error for RecvErr, when IP_RECVERR is on.
func (s *Socket) queueError(ip wire.IPv4, m wire.ICMPv4, q wire.IPv4, dst netip.AddrPort, errno *sock.Errno) {
	if !s.opts.recvErr {
		return
	}
	if len(s.errQueue) >= errQueueMax {
		s.proc.host.countDrop("error queue full")
		return
	}
	ee := sock.ExtendedErr{Err: errno, Type: uint8(m.Type()), Code: m.Code(), Offender: ip.Src(), Dst: dst}
	if m.Type() == wire.ICMPv4DestUnreach && m.Code() == wire.ICMPv4FragNeeded {
		ee.Info = uint32(m.NextHopMTU())
	}
	ee.Data = append([]byte(nil), q.Payload()...)
	s.errQueue = append(s.errQueue, ee)
}

// holder says what holds s, for messages about its port: "b/server fd 3"
// while a file descriptor names it, otherwise the kernel keeps it for its
// process ("a TIME-WAIT connection of b/server", "an ESTABLISHED connection
// of b/server not yet accepted"), since fd 0 would name no real descriptor.
func (s *Socket) holder() string {
	who := s.proc.host.name + "/" + s.proc.name
	if s.fd > 0 {
		return fmt.Sprintf("%s fd %d", who, s.fd)
	}
	if s.tcp == nil {
		return "a closed socket of " + who
	}
	state := s.tcp.state.String()
	article := "a"
	if strings.ContainsRune("AEIOU", rune(state[0])) {
		article = "an"
	}
	if s.tcp.listener != nil {
		return fmt.Sprintf("%s %s connection of %s not yet accepted", article, state, who)
	}
	return fmt.Sprintf("%s %s connection of %s", article, state, who)
}

type sockOpts struct {
	reuseAddr bool
	broadcast bool
	rcvBuf    int
	sndBuf    int
	ttl       uint8
	rcvTimeo  int // milliseconds; 0 means block forever
	noDelay   bool
	lingerOn  bool
	linger    int  // seconds, when lingerOn
	recvErr   bool // IP_RECVERR: every ICMP error becomes the pending error and queues for RecvErr
	pmtuDisc  int  // IP_MTU_DISCOVER
	userTimeo int  // TCP_USER_TIMEOUT, milliseconds; 0 means tcp_retries2 decides
}

// errQueueMax bounds a socket's error queue; Linux bounds it by the
// receive buffer, which a few dozen errors of a few hundred bytes fill.
const errQueueMax = 64

// ID is a number that names the socket for as long as the world lives, even
// after its fd is reused.
func (s *Socket) ID() uint64 { return s.id }

// portKey names a port in one protocol's port space.
type portKey struct {
	typ  sock.SockType
	port uint16
}

// portTable is a host's bound sockets by protocol and port, with the
// ephemeral-port cursor of each protocol.
type portTable struct {
	bound map[portKey][]*Socket
	next  map[sock.SockType]uint16
}

// The ephemeral port range (RFC 6335 section 6; Linux uses 32768-60999).
const (
	EphemeralFirst = 49152
	EphemeralLast  = 65535
)

func (t *portTable) init() {
	t.bound = map[portKey][]*Socket{}
	t.next = map[sock.SockType]uint16{}
}

func (t *portTable) add(s *Socket) {
	k := portKey{s.typ, s.local.Port()}
	t.bound[k] = append(t.bound[k], s)
}

func (t *portTable) remove(s *Socket) {
	k := portKey{s.typ, s.local.Port()}
	list := t.bound[k]
	for i, x := range list {
		if x == s {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(t.bound, k)
	} else {
		t.bound[k] = list
	}
}

// conflict returns a socket that stops s from binding to addr, or nil.
// Sockets that share an address need SO_REUSEADDR on both; for TCP, as on
// Linux, never next to a listener, and a connection in TIME-WAIT counts.
func (t *portTable) conflict(s *Socket, addr netip.AddrPort) *Socket {
	for _, o := range t.bound[portKey{s.typ, addr.Port()}] {
		overlap := o.local.Addr().IsUnspecified() || addr.Addr().IsUnspecified() || o.local.Addr() == addr.Addr()
		reuse := s.opts.reuseAddr && o.opts.reuseAddr && (o.tcp == nil || o.tcp.state != stateListen)
		if overlap && !reuse {
			return o
		}
	}
	return nil
}

// ephemeral picks the next free port of the range for s's protocol, walking
// upward from where the last pick stopped, as BSD does.
func (t *portTable) ephemeral(typ sock.SockType) (uint16, bool) {
	const span = EphemeralLast - EphemeralFirst + 1
	cur := t.next[typ]
	if cur < EphemeralFirst {
		cur = EphemeralFirst
	}
	for i := 0; i < span; i++ {
		p := uint16(EphemeralFirst + (int(cur)-EphemeralFirst+i)%span)
		if len(t.bound[portKey{typ, p}]) == 0 {
			t.next[typ] = p + 1
			return p, true
		}
	}
	return 0, false
}

// lookup finds the socket a datagram for local from remote belongs to: a
// connected socket whose 4-tuple matches beats one bound to the address,
// which beats a wildcard; ties go to the socket bound first.
func (t *portTable) lookup(typ sock.SockType, local, remote netip.AddrPort) *Socket {
	var best *Socket
	bestScore := -1
	for _, s := range t.bound[portKey{typ, local.Port()}] {
		score := 0
		if a := s.local.Addr(); !a.IsUnspecified() {
			if a != local.Addr() {
				continue
			}
			score++
		}
		if s.connected {
			if s.remote != remote {
				continue
			}
			score += 2
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	return best
}

// Process is a house on a host: a program with a table of file descriptors.
type Process struct {
	host *Host
	name string
	root bool
	fds  []*Socket // index is the fd; 0, 1 and 2 are stdin, stdout, stderr
}

// maxFDs mirrors Linux's default RLIMIT_NOFILE soft limit.
const maxFDs = 1024

// Name is the process's name.
func (p *Process) Name() string { return p.name }

// Host is the host the process runs on.
func (p *Process) Host() *Host { return p.host }

// Root reports whether the process may bind privileged ports.
func (p *Process) Root() bool { return p.root }

// lookupFD returns the socket open on fd, or nil.
func (p *Process) lookupFD(fd int) *Socket {
	if fd < 0 || fd >= len(p.fds) {
		return nil
	}
	return p.fds[fd]
}

func (p *Process) sock(op string, fd int) (*Socket, error) {
	if p.lookupFD(fd) == nil {
		return nil, p.fail(op, fd, sock.ErrBadFD, fmt.Sprintf("fd %d is not open in %s/%s", fd, p.host.name, p.name))
	}
	return p.fds[fd], nil
}

// fail publishes a failed call and returns its error.
func (p *Process) fail(op string, fd int, errno *sock.Errno, note string) error {
	err := callErr(op, errno, note)
	e := sock.Event{Kind: sock.KindError, Host: p.host.name, Proc: p.name, FD: fd, Op: op, Err: err}
	if s := p.lookupFD(fd); s != nil {
		e = s.event(sock.KindError)
		e.Op, e.Err = op, err
	}
	p.host.w.emit(e)
	return err
}

func (p *Process) allocFD() (int, bool) {
	for fd := 3; fd < len(p.fds); fd++ {
		if p.fds[fd] == nil {
			return fd, true
		}
	}
	if len(p.fds) < 3 {
		p.fds = make([]*Socket, 3, 8)
	}
	if len(p.fds) >= maxFDs {
		return 0, false
	}
	p.fds = append(p.fds, nil)
	return len(p.fds) - 1, true
}

// Sockets returns the process's open sockets by fd, lowest first.
func (p *Process) Sockets() []*Socket {
	var out []*Socket
	for _, s := range p.fds {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}
