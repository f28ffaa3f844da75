package peerstate

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/netip"
	"time"

	"socketville/shared/sock"
)

// Decode reads a part that a peer sent. It is the one way untrusted bytes
// become a Part: it checks the tag and version, every count against its
// bound before it allocates, and then the part as Encode does (names,
// addresses, fds, states, options). A refusal wraps EMSGSIZE for a
// message over MaxSize and EINVAL for everything else, and says what was
// wrong; Decode never panics.
func Decode(b []byte) (Part, error) {
	if len(b) > MaxSize {
		return Part{}, fmt.Errorf("peerstate: a part of %d bytes is over %d: %w", len(b), MaxSize, sock.ErrMsgSize)
	}
	r := reader{b: b}
	p := r.part()
	if r.err == nil && r.off != len(b) {
		r.fail("%d bytes after the part", len(b)-r.off)
	}
	if r.err != nil {
		return Part{}, r.err
	}
	if err := checkPart(p); err != nil {
		return Part{}, err
	}
	return p, nil
}

// reader walks the bytes; after the first error every read returns a
// zero value, so a caller checks err once, at the end.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("peerstate: at byte %d: "+format+": %w", append([]any{r.off}, append(args, sock.ErrInval)...)...)
	}
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.fail("cut short: want %d more bytes, have %d", n, len(r.b)-r.off)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) byte() byte {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if !r.number(n) {
		return 0
	}
	return v
}

// number moves past a varint of n bytes (binary.Uvarint's n), refusing
// one cut short, too long, or not in its shortest form: a part has one
// spelling, so its bytes can be compared.
func (r *reader) number(n int) bool {
	switch {
	case n <= 0:
		r.fail("a number is cut short or too long")
		return false
	case n > 1 && r.b[r.off+n-1] == 0:
		r.fail("a number is not in its shortest form")
		return false
	}
	r.off += n
	return true
}

// int reads a number that must be at most max (and so fits an int).
func (r *reader) int(what string, max int) int { return r.bounded(what, "", max) }

// count reads how many of something follow, bounded before anything is
// allocated for them.
func (r *reader) count(what string, max int) int { return r.bounded(what, " count", max) }

// bounded reads a number of at most max; what and suffix name it in the
// refusal, joined only then (a decoder that joins strings on every read
// spends most of its time doing that).
func (r *reader) bounded(what, suffix string, max int) int {
	v := r.uvarint()
	if v > uint64(max) {
		r.fail("%s%s %d: at most %d", what, suffix, v, max)
		return 0
	}
	return int(v)
}

// dur reads a socket's timer, bounded as checkTCP bounds it.
func (r *reader) dur(what string) time.Duration { return time.Duration(r.int(what, int(maxDuration))) }

func (r *reader) str(what string, max int) string {
	n := r.bounded(what, " length", max)
	return string(r.bytes(n))
}

func (r *reader) ip4() netip.Addr {
	if v := r.bytes(4); v != nil {
		return netip.AddrFrom4([4]byte(v))
	}
	return netip.Addr{}
}

func (r *reader) prefix() netip.Prefix {
	a, bits := r.ip4(), r.byte()
	if r.err == nil && bits > 32 {
		r.fail("prefix length %d: at most 32", bits)
	}
	return netip.PrefixFrom(a, int(bits))
}

func (r *reader) addr() netip.Addr {
	switch k := r.byte(); k {
	case addrNone:
		return netip.Addr{}
	case addrIPv4:
		return r.ip4()
	default:
		r.fail("address kind %d: want 0 (none) or 4 (IPv4)", k)
		return netip.Addr{}
	}
}

func (r *reader) addrPort() netip.AddrPort {
	a := r.addr()
	if !a.IsValid() {
		return netip.AddrPort{}
	}
	if v := r.bytes(2); v != nil {
		return netip.AddrPortFrom(a, binary.BigEndian.Uint16(v))
	}
	return netip.AddrPort{}
}

func (r *reader) mac() net.HardwareAddr {
	switch n := r.byte(); n {
	case macNone:
		return nil
	case macLen:
		return net.HardwareAddr(append([]byte(nil), r.bytes(macLen)...))
	default:
		r.fail("MAC of %d bytes: want 6, or 0 for none", n)
		return nil
	}
}

func (r *reader) flags(what string, mask byte) byte {
	f := r.byte()
	if f&^mask != 0 {
		r.fail("%s flags %#x: unknown bits", what, f)
	}
	return f
}

func (r *reader) part() Part {
	if t := r.byte(); r.err == nil && t != tag {
		r.fail("tag %#x: not a part ('P')", t)
	}
	if v := r.byte(); r.err == nil && v != version {
		r.fail("version %d: this town reads version %d", v, version)
	}
	p := Part{Seq: r.uvarint(), Now: time.Duration(r.int("clock", math.MaxInt64))}
	n := r.count("host", MaxHosts)
	for i := 0; i < n && r.err == nil; i++ {
		p.Hosts = append(p.Hosts, r.host())
	}
	return p
}

func (r *reader) host() sock.HostState {
	h := sock.HostState{Name: r.str("host name", maxNameLen)}
	for i, n := 0, r.count("address", MaxAddrs); i < n && r.err == nil; i++ {
		h.Addrs = append(h.Addrs, r.prefix())
	}
	h.Forward = r.flags("host", hostForward)&hostForward != 0
	h.Ephemeral = sock.PortRange{First: uint16(r.int("port", math.MaxUint16)), Last: uint16(r.int("port", math.MaxUint16))}
	for i, n := 0, r.count("route", MaxRoutes); i < n && r.err == nil; i++ {
		h.Routes = append(h.Routes, sock.RouteState{Dst: r.prefix(), Gateway: r.addr()})
	}
	for i, n := 0, r.count("process", MaxProcesses); i < n && r.err == nil; i++ {
		h.Processes = append(h.Processes, r.process())
	}
	if n := r.count("drop reason", MaxDrops); n > 0 {
		h.Drops = make(map[string]int, n)
		for i := 0; i < n && r.err == nil; i++ {
			why := r.str("drop reason", maxText)
			if _, dup := h.Drops[why]; dup && r.err == nil {
				r.fail("drop reason %q comes twice", why)
			}
			h.Drops[why] = r.int("drop count", math.MaxInt64)
		}
	}
	h.Orphans = r.sockets("")
	for i, n := 0, r.count("interface", MaxNICs); i < n && r.err == nil; i++ {
		h.NICs = append(h.NICs, r.nic())
	}
	for i, n := 0, r.count("neighbour", MaxNeigh); i < n && r.err == nil; i++ {
		ne := sock.NeighState{Addr: r.ip4(), MAC: r.mac(), Dev: r.str("interface name", maxDev)}
		ne.State = sock.NeighStatus(r.byte())
		h.Neigh = append(h.Neigh, ne)
	}
	return h
}

func (r *reader) process() sock.ProcessState {
	p := sock.ProcessState{Name: r.str("process name", maxNameLen)}
	p.Root = r.flags("process", procRoot)&procRoot != 0
	p.PID = r.int("pid", MaxPID)
	p.User = r.str("user", maxUser)
	p.Sockets = r.sockets(p.Name)
	return p
}

func (r *reader) sockets(owner string) []sock.SocketState {
	n := r.count("socket", MaxSockets)
	if n == 0 {
		return nil
	}
	ss := make([]sock.SocketState, 0, n) // n is bounded: the count was checked
	for i := 0; i < n && r.err == nil; i++ {
		ss = append(ss, r.socket(owner))
	}
	return ss
}

func (r *reader) socket(owner string) sock.SocketState {
	s := sock.SocketState{ID: r.uvarint(), FD: r.int("fd", MaxFD), Proc: owner}
	if n := r.int("process name length", maxNameLen+1); n > 0 {
		s.Proc = string(r.bytes(n - 1))
	}
	s.Type, s.State = sock.SockType(r.byte()), sock.State(r.byte())
	s.Local, s.Remote = r.addrPort(), r.addrPort()
	f := r.flags("socket", socketFlagMask)
	s.Nonblock = f&sockNonblock != 0
	s.Queued = r.int("datagrams queued", math.MaxInt32)
	s.Ready = sock.PollEvents(r.int("poll bits", math.MaxUint16))
	if f&sockTCP != 0 {
		s.TCP = r.tcp()
	}
	if n := r.count("option", MaxOptions); n > 0 {
		s.Options = make([]sock.OptionValue, 0, n)
	}
	for i, n := 0, cap(s.Options); i < n && r.err == nil; i++ {
		o := sock.OptionValue{Opt: sock.SockOpt(r.int("option", math.MaxUint8))}
		o.Value = r.optValue()
		s.Options = append(s.Options, o)
	}
	return s
}

func (r *reader) optValue() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if !r.number(n) {
		return 0
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail("an option's value %d is out of range", v)
		return 0
	}
	return int(v)
}

func (r *reader) tcp() *sock.TCPState {
	n := func(what string) int { return r.bounded("tcp ", what, math.MaxInt32) }
	t := &sock.TCPState{
		SndBuf: n("sndbuf"), SndQueued: n("snd queued"), RcvBuf: n("rcvbuf"), RcvQueued: n("rcv queued"),
		OutOfOrder: n("out of order"), InFlight: n("in flight"), SndWnd: n("snd wnd"), RcvWnd: n("rcv wnd"),
		Cwnd: n("cwnd"), Ssthresh: n("ssthresh"), MSS: n("mss"),
	}
	t.RTO, t.SRTT = r.dur("tcp rto"), r.dur("tcp srtt")
	t.SynQueue, t.AcceptQueue, t.Backlog = n("syn queue"), n("accept queue"), n("backlog")
	t.TimeWaitLeft = r.dur("tcp time-wait left")
	return t
}

func (r *reader) nic() sock.NICState {
	n := sock.NICState{Name: r.str("interface name", maxDev), MAC: r.mac()}
	for i, c := 0, r.count("address", MaxAddrs); i < c && r.err == nil; i++ {
		n.Addrs = append(n.Addrs, r.prefix())
	}
	for i, c := 0, r.count("peer", MaxAddrs); i < c && r.err == nil; i++ {
		n.Peers = append(n.Peers, r.ip4())
	}
	n.MTU = r.int("mtu", math.MaxUint16)
	n.Link = sock.LinkID(r.int("link", math.MaxUint32))
	return n
}
