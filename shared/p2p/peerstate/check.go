package peerstate

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"time"
	"unicode"
	"unicode/utf8"

	"socketville/shared/sock"
)

// The rules a part must keep, shared by Encode (which refuses to send
// what the other side would refuse) and Decode. Every refusal wraps
// EINVAL and says what was wrong.

// maxDuration bounds a socket's timers (RTO, SRTT, TIME-WAIT left): a day
// is far beyond any of them.
const maxDuration = 24 * time.Hour

func invalid(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, sock.ErrInval)...)
}

// checkName is the simulator's rule for host and process names (netsim's
// checkName, which the script's host and process lines go through): a
// letter, then letters, digits, '-' or '_', at most 32 in all. It is
// mirrored here because netsim does not export it.
func checkName(what, name string) error {
	ok := len(name) >= 1 && len(name) <= maxNameLen && isLetter(name[0])
	for i := 1; ok && i < len(name); i++ {
		c := name[i]
		ok = isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	if !ok {
		return invalid("%s name %q: use a letter then letters, digits, '-' or '_' (at most %d)", what, name, maxNameLen)
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// checkText accepts printable UTF-8 of at most max bytes (a drop reason,
// a user, an interface name); empty is refused unless may be empty.
func checkText(what, s string, max int, mayBeEmpty bool) error {
	switch {
	case len(s) > max:
		return invalid("%s of %d bytes: at most %d", what, len(s), max)
	case s == "" && !mayBeEmpty:
		return invalid("%s is empty", what)
	case !utf8.ValidString(s):
		return invalid("%s %q is not UTF-8", what, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return invalid("%s %q has an unprintable character", what, s)
		}
	}
	return nil
}

// checkCount says it as the decoder does: "host count 17: at most 16".
func checkCount(what string, n, max int) error {
	if n > max {
		return invalid("%s count %d: at most %d", what, n, max)
	}
	return nil
}

// checkPart checks everything a part holds; the error says where.
func checkPart(p Part) error {
	if err := checkPartBody(p); err != nil {
		return fmt.Errorf("peerstate: %w", err)
	}
	return nil
}

func checkPartBody(p Part) error {
	if p.Now < 0 {
		return invalid("clock %v: want a time from 0 on", p.Now)
	}
	if err := checkCount("host", len(p.Hosts), MaxHosts); err != nil {
		return err
	}
	seen := make(map[string]bool, len(p.Hosts))
	for i := range p.Hosts {
		h := &p.Hosts[i]
		if err := checkHost(h); err != nil {
			return err
		}
		if seen[h.Name] {
			return invalid("host %s comes twice", h.Name)
		}
		seen[h.Name] = true
	}
	return nil
}

func checkHost(h *sock.HostState) error {
	if err := checkName("host", h.Name); err != nil {
		return err
	}
	if err := checkHostBody(h); err != nil {
		return fmt.Errorf("host %s: %w", h.Name, err)
	}
	return nil
}

func checkHostBody(h *sock.HostState) error {
	if err := checkHostAddrs(h.Addrs); err != nil {
		return err
	}
	if err := checkRoutes(h.Routes); err != nil {
		return err
	}
	if err := checkProcesses(h); err != nil {
		return err
	}
	if err := checkDrops(h.Drops); err != nil {
		return err
	}
	if err := checkNICs(h.NICs); err != nil {
		return err
	}
	if err := checkNeigh(h.Neigh); err != nil {
		return err
	}
	if e := h.Ephemeral; e != (sock.PortRange{}) && (e.First == 0 || e.First > e.Last) {
		return invalid("ephemeral ports %v: want FIRST-LAST with 1 <= FIRST <= LAST", e)
	}
	return nil
}

// checkHostAddrs mirrors the simulator's rule for a host's addresses:
// IPv4 with a prefix, neither loopback, unspecified, multicast nor
// broadcast, and a host has at least one.
func checkHostAddrs(addrs []netip.Prefix) error {
	if len(addrs) == 0 {
		return invalid("a host needs an address")
	}
	if err := checkCount("address", len(addrs), MaxAddrs); err != nil {
		return err
	}
	for _, p := range addrs {
		a := p.Addr()
		switch {
		case !p.IsValid() || !a.Is4():
			return invalid("address %v: want IPv4 with a prefix length", p)
		case a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			return invalid("address %v cannot name a host (loopback, unspecified, multicast or broadcast)", a)
		case p.Bits() == 0:
			return invalid("address %v: prefix length 0 is not a subnet", p)
		}
	}
	return nil
}

func checkPrefix(what string, p netip.Prefix) error {
	if !p.IsValid() || !p.Addr().Is4() {
		return invalid("%s %v: want IPv4 with a prefix length", what, p)
	}
	return nil
}

func checkRoutes(rs []sock.RouteState) error {
	if err := checkCount("route", len(rs), MaxRoutes); err != nil {
		return err
	}
	for _, r := range rs {
		if err := checkPrefix("route", r.Dst); err != nil {
			return err
		}
		if r.Gateway.IsValid() && !r.Gateway.Is4() {
			return invalid("route %v via %v: want an IPv4 gateway", r.Dst, r.Gateway)
		}
	}
	return nil
}

func checkProcesses(h *sock.HostState) error {
	if err := checkCount("process", len(h.Processes), MaxProcesses); err != nil {
		return err
	}
	n := len(h.Orphans)
	seen := make(map[string]bool, len(h.Processes))
	for i := range h.Processes {
		p := &h.Processes[i]
		if err := checkProcess(p); err != nil {
			return err
		}
		if seen[p.Name] {
			return invalid("process %s comes twice", p.Name)
		}
		seen[p.Name] = true
		n += len(p.Sockets)
	}
	if n > MaxSockets {
		return invalid("%d sockets with the orphans: at most %d", n, MaxSockets)
	}
	for i := range h.Orphans {
		if err := checkSocket(&h.Orphans[i]); err != nil {
			return fmt.Errorf("orphan %d: %w", i, err)
		}
	}
	return nil
}

func checkProcess(p *sock.ProcessState) error {
	if err := checkName("process", p.Name); err != nil {
		return err
	}
	if p.PID < 0 || p.PID > MaxPID {
		return invalid("process %s: pid %d: want 0 to %d", p.Name, p.PID, MaxPID)
	}
	if err := checkText("user", p.User, maxUser, true); err != nil {
		return fmt.Errorf("process %s: %w", p.Name, err)
	}
	if err := checkCount("socket", len(p.Sockets), MaxSockets); err != nil {
		return err
	}
	for i := range p.Sockets {
		if err := checkSocket(&p.Sockets[i]); err != nil {
			return fmt.Errorf("process %s: %w", p.Name, err)
		}
	}
	return nil
}

func checkSocket(s *sock.SocketState) error {
	if err := checkSocketBody(s); err != nil {
		return fmt.Errorf("socket fd %d: %w", s.FD, err)
	}
	return nil
}

func checkSocketBody(s *sock.SocketState) error {
	if s.FD < 0 || s.FD > MaxFD {
		return invalid("fd out of range 0 to %d", MaxFD)
	}
	if s.Proc != "" {
		if err := checkName("process", s.Proc); err != nil {
			return err
		}
	}
	if err := checkTypeState(s); err != nil {
		return err
	}
	for _, a := range []netip.AddrPort{s.Local, s.Remote} {
		if a.IsValid() && !a.Addr().Is4() || !a.IsValid() && a != (netip.AddrPort{}) {
			return invalid("address %v: want IPv4, or none", a)
		}
	}
	if s.Queued < 0 || s.Queued > math.MaxInt32 {
		return invalid("%d datagrams queued", s.Queued)
	}
	const known = sock.PollIn | sock.PollPri | sock.PollOut | sock.PollErr | sock.PollHup | sock.PollNval
	if s.Ready&^known != 0 {
		return invalid("poll bits %#x: unknown ones", uint16(s.Ready))
	}
	if s.TCP != nil {
		if err := checkTCP(s.TCP); err != nil {
			return err
		}
	}
	return checkOptions(s.Options)
}

// checkTypeState: a TCP socket is in a TCP state, a datagram socket in a
// datagram one, and only a TCP socket has TCP details.
func checkTypeState(s *sock.SocketState) error {
	switch s.Type {
	case sock.SockTCP, sock.SockUDP, sock.SockICMP:
	default:
		return invalid("socket type %d: want tcp, udp or icmp", uint8(s.Type))
	}
	if _, ok := sock.ParseState(s.State.String()); !ok {
		return invalid("state %d: unknown", uint8(s.State))
	}
	if (s.Type == sock.SockTCP) != s.State.TCP() {
		return invalid("a %v socket cannot be %v", s.Type, s.State)
	}
	if s.TCP != nil && s.Type != sock.SockTCP {
		return invalid("a %v socket has TCP details", s.Type)
	}
	return nil
}

func checkTCP(t *sock.TCPState) error {
	ints := []struct {
		name string
		v    int
	}{
		{"sndbuf", t.SndBuf}, {"snd queued", t.SndQueued}, {"rcvbuf", t.RcvBuf}, {"rcv queued", t.RcvQueued},
		{"out of order", t.OutOfOrder}, {"in flight", t.InFlight}, {"snd wnd", t.SndWnd}, {"rcv wnd", t.RcvWnd},
		{"cwnd", t.Cwnd}, {"ssthresh", t.Ssthresh}, {"mss", t.MSS},
		{"syn queue", t.SynQueue}, {"accept queue", t.AcceptQueue}, {"backlog", t.Backlog},
	}
	for _, f := range ints {
		if f.v < 0 || f.v > math.MaxInt32 {
			return invalid("tcp %s %d: want 0 to %d", f.name, f.v, math.MaxInt32)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"rto", t.RTO}, {"srtt", t.SRTT}, {"time-wait left", t.TimeWaitLeft}} {
		if d.v < 0 || d.v > maxDuration {
			return invalid("tcp %s %v: want 0 to %v", d.name, d.v, maxDuration)
		}
	}
	return nil
}

func checkOptions(opts []sock.OptionValue) error {
	if err := checkCount("option", len(opts), MaxOptions); err != nil {
		return err
	}
	for _, o := range opts {
		if o.Opt == sock.OptUnknown || o.Opt.String() == sock.OptUnknown.String() {
			return invalid("socket option %d: unknown", uint8(o.Opt))
		}
		if o.Value < math.MinInt32 || o.Value > math.MaxInt32 {
			return invalid("%v %d: out of range", o.Opt, o.Value)
		}
	}
	return nil
}

func checkDrops(d map[string]int) error {
	if err := checkCount("drop reason", len(d), MaxDrops); err != nil {
		return err
	}
	for why, n := range d {
		if err := checkText("drop reason", why, maxText, false); err != nil {
			return err
		}
		if n < 0 {
			return invalid("drop reason %q: count %d", why, n)
		}
	}
	return nil
}

func checkMAC(m net.HardwareAddr) error {
	if m != nil && len(m) != 6 {
		return invalid("MAC of %d bytes: want 6", len(m))
	}
	return nil
}

func checkNICs(ns []sock.NICState) error {
	if err := checkCount("interface", len(ns), MaxNICs); err != nil {
		return err
	}
	for _, n := range ns {
		if err := checkNIC(n); err != nil {
			return fmt.Errorf("interface %q: %w", n.Name, err)
		}
	}
	return nil
}

func checkNIC(n sock.NICState) error {
	if err := checkText("interface name", n.Name, maxDev, false); err != nil {
		return err
	}
	if err := checkMAC(n.MAC); err != nil {
		return err
	}
	if err := checkCount("address", len(n.Addrs), MaxAddrs); err != nil {
		return err
	}
	for _, p := range n.Addrs {
		if err := checkPrefix("address", p); err != nil {
			return err
		}
	}
	if err := checkCount("peer", len(n.Peers), MaxAddrs); err != nil {
		return err
	}
	for _, a := range n.Peers {
		if !a.Is4() {
			return invalid("peer %v: want IPv4", a)
		}
	}
	if n.MTU < 0 || n.MTU > 65535 {
		return invalid("mtu %d: want 0 to 65535", n.MTU)
	}
	return nil
}

func checkNeigh(ns []sock.NeighState) error {
	if err := checkCount("neighbour", len(ns), MaxNeigh); err != nil {
		return err
	}
	for _, n := range ns {
		if !n.Addr.Is4() {
			return invalid("neighbour %v: want IPv4", n.Addr)
		}
		if err := checkMAC(n.MAC); err != nil {
			return fmt.Errorf("neighbour %v: %w", n.Addr, err)
		}
		if err := checkText("neighbour's interface", n.Dev, maxDev, false); err != nil {
			return fmt.Errorf("neighbour %v: %w", n.Addr, err)
		}
		if n.State < sock.NeighIncomplete || n.State > sock.NeighFailed {
			return invalid("neighbour %v: state %d: unknown", n.Addr, uint8(n.State))
		}
	}
	return nil
}
