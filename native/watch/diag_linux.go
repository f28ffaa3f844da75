//go:build linux

package watch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
	"unsafe"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// The dump goes through the netlink library's transport (its socket,
// sequence numbers, multipart messages and interrupted dumps), but each
// socket's inet_diag_msg is read in place into a raw, a plain value with
// no allocation of its own: at 10,000 sockets the library's own decoding
// (a Socket, its addresses, its attributes and a TCPInfo per socket) cost
// three times what the kernel takes to fill the dump.

// raw is one socket of a dump, as struct inet_diag_msg and its
// INET_DIAG_INFO (struct tcp_info) say it.
type raw struct {
	typ           sock.SockType
	family, state uint8
	local, remote netip.AddrPort
	cookie        uint64
	expires       uint32 // ms
	rqueue        uint32
	wqueue        uint32
	uid, inode    uint32
	info          bool // a tcp_info (and the memory counters) came with it
	tcpInfo
}

// tcpInfo is what the look that asks for INET_DIAG_INFO and
// INET_DIAG_SKMEMINFO learns of a connection; other looks keep the last.
type tcpInfo struct {
	mss, cwnd      uint32
	ssthresh       uint32
	unacked        uint32
	sndWnd, rcvWnd uint32
	rtt, rto       uint32 // µs
	rcvBuf, sndBuf uint32 // SO_RCVBUF, SO_SNDBUF as the kernel holds them
}

// Offsets in struct inet_diag_msg (linux/inet_diag.h) and struct
// tcp_info (linux/tcp.h).
const (
	diagMsgLen  = 72
	diagSport   = 4
	diagDport   = 6
	diagSrc     = 8
	diagDst     = 24
	diagCookie  = 44
	diagExpires = 52
	diagRqueue  = 56
	diagWqueue  = 60
	diagUID     = 64
	diagInode   = 68

	inetDiagInfo    = 2 // INET_DIAG_INFO
	inetDiagMemInfo = 7 // INET_DIAG_SKMEMINFO: u32 counters, rcvbuf second, sndbuf fourth

	tcpiRto        = 8
	tcpiSndMss     = 16
	tcpiUnacked    = 24
	tcpiRtt        = 68
	tcpiSndSsthres = 76
	tcpiSndCwnd    = 80
	tcpiSndWnd     = 228 // Linux 5.4 and later
	tcpiRcvWnd     = 232 // Linux 6.2 and later
)

// diagRequest is struct inet_diag_req_v2 (SOCK_DIAG_BY_FAMILY) for a
// dump of every state.
type diagRequest struct {
	family, protocol, ext uint8
}

// Len is the request's size.
func (r diagRequest) Len() int { return 56 }

// Serialize lays the request out.
func (r diagRequest) Serialize() []byte {
	b := make([]byte, r.Len())
	b[0], b[1], b[2] = r.family, r.protocol, r.ext
	binary.NativeEndian.PutUint32(b[4:], 0xfff) // every state
	return b
}

// tcpDiagGetSock is the older TCP-only request (TCPDIAG_GETSOCK, struct
// inet_diag_req), which the kernel answers for both families in one walk
// of its connection table (it dumps with family AF_UNSPEC): that table is
// sized for the whole machine (262,144 buckets here), and walking it once
// instead of once per family is a good part of a look at few sockets.
const tcpDiagGetSock = 18

// tcpRequest is struct inet_diag_req for a dump of every state.
type tcpRequest struct{ ext uint8 }

// Len is the request's size.
func (r tcpRequest) Len() int { return 60 }

// Serialize lays the request out: family, src_len, dst_len, ext, the
// socket id (48 bytes, zero), states and dbs.
func (r tcpRequest) Serialize() []byte {
	b := make([]byte, r.Len())
	b[3] = r.ext
	binary.NativeEndian.PutUint32(b[52:], 0xfff) // every state
	return b
}

// diagConn is the sock_diag socket the dumps go through. The library
// opens it (in the namespace), but the dump is sent and read here: each
// datagram into one buffer kept from look to look, its messages read in
// place (the library copies every datagram and makes a message list of
// each, 2 MB a look at 10,000 sockets).
type diagConn struct {
	s   *nl.NetlinkSocket
	pid uint32 // the socket's port id, which the kernel's answers carry
	seq uint32
	buf []byte
}

// diagBuf is the receive buffer's size. The kernel fills a dump's
// datagrams to at most 32 KiB (less what an skb needs for itself),
// whatever the reader's buffer: a bigger one would not mean fewer reads.
const diagBuf = 64 << 10

// diagTimeout is how long a dump may keep the watch waiting for the
// kernel's next datagram.
const diagTimeout = 10 * time.Second

// errTruncated says a datagram did not fit the buffer (which has grown
// to fit the next): the dump is read again.
var errTruncated = errors.New("sock_diag datagram larger than the buffer")

// diagSocket opens the sock_diag socket for the dumps, in the namespace
// ns (netns.None() for this thread's own).
func diagSocket(ns netns.NsHandle) (*diagConn, error) {
	s, err := nl.GetNetlinkSocketAt(ns, netns.None(), unix.NETLINK_INET_DIAG)
	if err != nil {
		return nil, fmt.Errorf("watch: opening sock_diag: %w", err)
	}
	pid, err := s.GetPid()
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("watch: opening sock_diag: %w", err)
	}
	return &diagConn{s: s, pid: pid, buf: make([]byte, diagBuf)}, nil
}

// close releases the socket.
func (d *diagConn) close() { d.s.Close() }

// wait waits until the socket can be read (or written, with out).
func (d *diagConn) wait(out bool) error {
	ev := int16(unix.POLLIN)
	if out {
		ev = unix.POLLOUT
	}
	fds := []unix.PollFd{{Fd: int32(d.s.GetFd()), Events: ev}}
	for {
		n, err := unix.Poll(fds, int(diagTimeout/time.Millisecond))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return fmt.Errorf("no answer from the kernel in %v", diagTimeout)
		}
		return nil
	}
}

// dump sends a dump request of type msgType and calls f with each
// message of the answer that has that type (its payload, in the buffer:
// f must not keep it). An answer the kernel marks interrupted is read to
// its end and the error is netlink.ErrDumpInterrupted.
func (d *diagConn) dump(msgType uint16, data []byte, f func(msg []byte)) error {
	d.seq++
	fd := d.s.GetFd()
	req := make([]byte, unix.NLMSG_HDRLEN+len(data))
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], msgType)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(req[8:], d.seq)
	copy(req[unix.NLMSG_HDRLEN:], data)
	// The socket does not block (the library made it so), and the
	// kernel fills each datagram of the dump as it is asked for one: the
	// calls are raw, so that the scheduler does not hand this thread's P
	// to another thread (and wake it, and take it back) some 40 times a
	// look for calls of a tenth of a millisecond.
	kernel := unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}
	for {
		_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&req[0])), uintptr(len(req)),
			0, uintptr(unsafe.Pointer(&kernel)), unsafe.Sizeof(kernel))
		if errno == unix.EAGAIN || errno == unix.EINTR {
			if err := d.wait(true); err != nil {
				return err
			}
			continue
		}
		if errno != 0 {
			return errno
		}
		break
	}
	var fail error
	for {
		n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&d.buf[0])), uintptr(len(d.buf)),
			unix.MSG_TRUNC, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno == unix.EAGAIN:
			if err := d.wait(false); err != nil {
				return err
			}
			continue
		case errno != 0:
			return errno
		}
		if int(n) > len(d.buf) {
			// Cut short: grow for the next dump, read this one to its
			// end, and say it is to be read again.
			d.buf = make([]byte, (int(n)+4095)&^4095)
			fail = errTruncated
			continue
		}
		for b := d.buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(ne.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return errors.New("malformed sock_diag message")
			}
			typ, flags, seq, pid := ne.Uint16(b[4:]), ne.Uint16(b[6:]), ne.Uint32(b[8:]), ne.Uint32(b[12:])
			m := b[unix.NLMSG_HDRLEN:l]
			b = b[min((l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1), len(b)):]
			if seq != d.seq || pid != d.pid {
				continue // the rest of an earlier dump that was given up
			}
			if flags&unix.NLM_F_DUMP_INTR != 0 && fail == nil {
				fail = netlink.ErrDumpInterrupted
			}
			switch typ {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				if len(m) >= 4 {
					if e := int32(ne.Uint32(m)); e < 0 {
						return unix.Errno(-e)
					}
				}
				return fail
			case msgType:
				f(m)
			}
		}
	}
}

// dumpProto appends the sockets of one family and protocol to w.raws
// (family 0 and TCP: both families, through tcpDiagGetSock); a dump the
// kernel says was interrupted (the table changed while it was read) is
// read once more, and if it is interrupted again, what came is used.
func (w *Watch) dumpProto(family, protocol uint8, typ sock.SockType, withInfo bool) error {
	var ext uint8
	if withInfo {
		ext = 1<<(inetDiagInfo-1) | 1<<(inetDiagMemInfo-1)
	}
	start := len(w.raws)
	msgType := uint16(nl.SOCK_DIAG_BY_FAMILY)
	var data nl.NetlinkRequestData = diagRequest{family: family, protocol: protocol, ext: ext}
	if family == 0 {
		msgType, data = tcpDiagGetSock, tcpRequest{ext: ext}
	}
	req := data.Serialize()
	add := func(msg []byte) {
		if r, ok := parseDiag(msg, typ); ok && (r.family == unix.AF_INET || r.family == unix.AF_INET6) {
			w.raws = append(w.raws, r)
		}
	}
	run := func() error {
		w.raws = w.raws[:start]
		return w.diag.dump(msgType, req, add)
	}
	err := run()
	if errors.Is(err, netlink.ErrDumpInterrupted) || errors.Is(err, errTruncated) {
		if err = run(); errors.Is(err, netlink.ErrDumpInterrupted) {
			err = nil
		}
	}
	if err != nil && family == unix.AF_INET6 && (errors.Is(err, unix.EAFNOSUPPORT) || errors.Is(err, unix.ENOENT)) {
		w.raws = w.raws[:start]
		err = nil // no IPv6 here
	}
	return err
}

// parseDiag reads one inet_diag_msg and its tcp_info, if any.
func parseDiag(msg []byte, typ sock.SockType) (raw, bool) {
	if len(msg) < diagMsgLen {
		return raw{}, false
	}
	r := raw{typ: typ, family: msg[0], state: msg[1]}
	addr := func(off int) netip.Addr {
		if r.family == unix.AF_INET {
			return netip.AddrFrom4([4]byte(msg[off : off+4]))
		}
		return netip.AddrFrom16([16]byte(msg[off : off+16]))
	}
	r.local = netip.AddrPortFrom(addr(diagSrc), binary.BigEndian.Uint16(msg[diagSport:]))
	r.remote = netip.AddrPortFrom(addr(diagDst), binary.BigEndian.Uint16(msg[diagDport:]))
	ne := binary.NativeEndian
	r.cookie = uint64(ne.Uint32(msg[diagCookie:])) | uint64(ne.Uint32(msg[diagCookie+4:]))<<32
	r.expires, r.rqueue, r.wqueue = ne.Uint32(msg[diagExpires:]), ne.Uint32(msg[diagRqueue:]), ne.Uint32(msg[diagWqueue:])
	r.uid, r.inode = ne.Uint32(msg[diagUID:]), ne.Uint32(msg[diagInode:])
	for a := msg[diagMsgLen:]; len(a) >= 4; {
		n, t := int(ne.Uint16(a)), ne.Uint16(a[2:])
		if n < 4 || n > len(a) {
			break
		}
		if t == inetDiagInfo && n-4 >= tcpiSndCwnd+4 {
			i := a[4:n]
			r.info = true
			r.rto, r.mss, r.unacked = ne.Uint32(i[tcpiRto:]), ne.Uint32(i[tcpiSndMss:]), ne.Uint32(i[tcpiUnacked:])
			r.rtt, r.ssthresh, r.cwnd = ne.Uint32(i[tcpiRtt:]), ne.Uint32(i[tcpiSndSsthres:]), ne.Uint32(i[tcpiSndCwnd:])
			if len(i) >= tcpiSndWnd+4 {
				r.sndWnd = ne.Uint32(i[tcpiSndWnd:])
			}
			if len(i) >= tcpiRcvWnd+4 {
				r.rcvWnd = ne.Uint32(i[tcpiRcvWnd:])
			}
		}
		if t == inetDiagMemInfo && n-4 >= 16 {
			r.rcvBuf, r.sndBuf = ne.Uint32(a[4+4:]), ne.Uint32(a[4+12:])
		}
		a = a[min((n+3)&^3, len(a)):]
	}
	return r, true
}
