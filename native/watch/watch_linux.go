//go:build linux

package watch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"time"

	"socketville/native/linuxtcp"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
)

// Watch is one network namespace's sockets, read again at each Refresh.
// A Watch is not safe for concurrent use.
type Watch struct {
	opts  Options
	h     *netlink.Handle
	host  string
	start time.Time
	own   *owners
	prev  map[uint64]seen    // the last dump's sockets (after the filters), by cookie
	left  map[uint64]ownerOf // the last owner of connections now held by the kernel

	pk        *packets // the loopback capture; nil without Options.Packets or the privilege
	noPk      string   // why there is no capture, when one was asked for
	pkDropped int
}

// seen is one socket as a dump found it, with its owner.
type seen struct {
	s     sock.SocketState
	inode uint32
	pid   int
	proc  string // the name events give its process: "comm[pid]", or Unknown
	uid   uint32 // the socket's user, as the dump says
	user  string // the owner's user name
	root  bool   // whether the owner runs as root
}

// ownerOf is who held a connection before its fd was closed.
type ownerOf struct {
	comm, proc string
	pid        int
}

// New starts watching the sockets of the namespace opts names. It reads
// them once, so that the first Refresh reports what changed since New.
func New(opts Options) (*Watch, error) {
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("watch: port %d is not a port (0 to 65535)", opts.Port)
	}
	if opts.PID < 0 {
		return nil, fmt.Errorf("watch: pid %d is not a process id", opts.PID)
	}
	w := &Watch{opts: opts, start: time.Now(), own: newOwners(), prev: map[uint64]seen{}, left: map[uint64]ownerOf{}}
	fams := []int{unix.NETLINK_INET_DIAG, unix.NETLINK_ROUTE}
	var err error
	if opts.Netns == "" {
		w.host, _ = os.Hostname()
		if w.host == "" {
			w.host = "localhost"
		}
		w.h, err = netlink.NewHandle(fams...)
	} else {
		ns, nerr := netns.GetFromName(opts.Netns)
		if nerr != nil {
			return nil, fmt.Errorf("watch: no network namespace %q under /run/netns: %w", opts.Netns, nerr)
		}
		w.host = opts.Netns
		w.h, err = netlink.NewHandleAt(ns, fams...)
		ns.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("watch: opening netlink: %w", err)
	}
	if _, _, err := w.Refresh(); err != nil {
		w.Close()
		return nil, err
	}
	if opts.Packets {
		if w.pk, err = startPackets(opts.Netns); err != nil {
			w.noPk = err.Error()
		}
	}
	return w, nil
}

// Started is when the watch began: the events' times are from it.
func (w *Watch) Started() time.Time { return w.start }

// Close stops the capture and releases the netlink sockets.
func (w *Watch) Close() error {
	if w.pk != nil {
		w.pk.stop()
		w.pk = nil
	}
	if w.h != nil {
		w.h.Close()
		w.h = nil
	}
	return nil
}

// Scans is how many times the watch has read /proc for owners: once at
// New, then only when a socket turns up whose inode it does not know.
func (w *Watch) Scans() int { return w.own.scans }

// Denied is how many processes the last /proc scan could not look into
// (another user's, without the privilege): their sockets show with the
// owner Unknown.
func (w *Watch) Denied() int { return w.own.denied }

// raw is one socket from the dump.
type raw struct {
	typ  sock.SockType
	m    *netlink.Socket
	info *netlink.TCPInfo
}

// dumpOnce runs f, and once more if the kernel said the dump was
// interrupted (the table changed while it was read); if it is interrupted
// again, what came is used.
func dumpOnce[T any](f func(uint8) ([]T, error), fam uint8) ([]T, error) {
	r, err := f(fam)
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		r, err = f(fam)
		if errors.Is(err, netlink.ErrDumpInterrupted) {
			err = nil
		}
	}
	if err != nil && fam == unix.AF_INET6 && (errors.Is(err, unix.EAFNOSUPPORT) || errors.Is(err, unix.ENOENT)) {
		err = nil // no IPv6 here
	}
	return r, err
}

// dump reads the TCP and UDP sockets of both families.
func (w *Watch) dump() ([]raw, error) {
	var out []raw
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		tcp, err := dumpOnce(w.h.SocketDiagTCPInfo, fam)
		if err != nil {
			return nil, fmt.Errorf("watch: sock_diag TCP dump: %w", err)
		}
		for _, r := range tcp {
			out = append(out, raw{typ: sock.SockTCP, m: r.InetDiagMsg, info: r.TCPInfo})
		}
		udp, err := dumpOnce(w.h.SocketDiagUDP, fam)
		if err != nil {
			return nil, fmt.Errorf("watch: sock_diag UDP dump: %w", err)
		}
		for _, m := range udp {
			out = append(out, raw{typ: sock.SockUDP, m: m})
		}
	}
	return out, nil
}

// Refresh dumps the sockets again and returns the snapshot and the events
// since the last Refresh (or New): a new socket (KindSocket, then
// KindListen, KindConnect, KindAccept or KindBind as fits), a state change
// (KindState), an fd closed (KindClose; a TCP connection may go on as an
// orphan, whose later changes have FD 0) and an orphan that ended
// (KindState to CLOSED). Events name a process "comm[pid]". A connection
// that came and went between two refreshes is not seen; one seen first
// after its fd was closed gets a KindState from CLOSED with Reason "first
// seen" (from LISTEN for SYN-RECEIVED).
func (w *Watch) Refresh() (sock.Snapshot, []sock.Event, error) {
	if w.h == nil {
		return sock.Snapshot{}, nil, errors.New("watch: refresh after Close")
	}
	raws, err := w.dump()
	if err != nil {
		return sock.Snapshot{}, nil, err
	}
	now := time.Since(w.start)
	live := make(map[uint32]bool, len(raws))
	for _, r := range raws {
		if r.m.INode != 0 {
			live[r.m.INode] = true
		}
	}
	w.own.resolve(live, time.Now())

	cur := make(map[uint64]seen, len(raws))
	order := make([]uint64, 0, len(raws))
	// Listeners by port, for SYN queues, accepted sockets and the PID
	// filter's half-open connections.
	listeners := map[uint16][]uint64{}
	for _, r := range raws {
		st := socketState(r)
		if w.opts.Port != 0 && int(st.Local.Port()) != w.opts.Port && int(st.Remote.Port()) != w.opts.Port {
			continue
		}
		c := seen{s: st, inode: r.m.INode, uid: r.m.UID}
		if r.m.INode != 0 {
			if ow, ok := w.own.byInode[r.m.INode]; ok {
				if pi, ok := w.own.procs[ow.pid]; ok {
					c.pid = ow.pid
					c.s.FD = ow.fd
					c.s.Proc = pi.comm
					c.proc = pi.comm + "[" + strconv.Itoa(ow.pid) + "]"
					c.user, c.root = pi.user, pi.uid == 0
				}
			}
			if p, ok := w.prev[st.ID]; c.pid == 0 && ok && p.inode == c.inode && p.pid != 0 {
				// Its owner is exiting (the socket goes with it) or
				// passed it on: keep the owner it had until /proc
				// says who holds it now.
				c.pid, c.s.FD, c.s.Proc, c.proc, c.user, c.root = p.pid, p.s.FD, p.s.Proc, p.proc, p.user, p.root
			}
			if c.pid == 0 {
				c.s.Proc, c.proc = Unknown, Unknown
				c.user, c.root = w.own.userName(c.uid), c.uid == 0
			}
		} else if lo, ok := w.left[st.ID]; ok {
			c.s.Proc, c.proc, c.pid = lo.comm, lo.proc, lo.pid
		}
		if _, dup := cur[st.ID]; dup {
			continue
		}
		cur[st.ID] = c
		order = append(order, st.ID)
		if st.State == sock.StateListen {
			listeners[st.Local.Port()] = append(listeners[st.Local.Port()], st.ID)
		}
	}
	// listenerOf finds the listening socket a connection on local came
	// through.
	listenerOf := func(local netip.AddrPort) (seen, bool) {
		for _, id := range listeners[local.Port()] {
			l := cur[id]
			if a := l.s.Local.Addr(); a.IsUnspecified() || a == local.Addr() {
				return l, true
			}
		}
		return seen{}, false
	}
	// Connections a listener has not handed out yet (SYN-RECEIVED, or
	// established in the accept queue) have no fd: they are the
	// listener's process's, in the kernel's hands.
	for _, id := range order {
		c := cur[id]
		if c.inode != 0 || c.s.Type != sock.SockTCP || (c.s.State != sock.StateSynReceived && c.s.State != sock.StateEstablished) {
			continue
		}
		l, ok := listenerOf(c.s.Local)
		if !ok {
			continue
		}
		if c.s.State == sock.StateSynReceived {
			l.s.TCP.SynQueue++
			cur[l.s.ID] = l
		}
		if c.proc == "" {
			c.s.Proc, c.proc, c.pid = l.s.Proc, l.proc, l.pid
			cur[id] = c
		}
	}
	if w.opts.PID != 0 {
		kept := order[:0]
		for _, id := range order {
			if cur[id].pid == w.opts.PID {
				kept = append(kept, id)
			} else {
				delete(cur, id)
			}
		}
		order = kept
	}

	snap := sock.Snapshot{Now: now, Hosts: []sock.HostState{w.hostState(cur, order)}}
	events := append(w.packetEvents(cur), w.diff(cur, order, listenerOf, now)...)
	// Remember who held connections that the kernel now holds alone.
	for id, c := range cur {
		if c.inode != 0 && c.pid != 0 && c.s.Type == sock.SockTCP {
			w.left[id] = ownerOf{comm: c.s.Proc, proc: c.proc, pid: c.pid}
		}
	}
	for id := range w.left {
		if _, ok := cur[id]; !ok {
			delete(w.left, id)
		}
	}
	w.prev = cur
	return snap, events, nil
}

// socketState reads one dumped socket as the town's vocabulary.
func socketState(r raw) sock.SocketState {
	m := r.m
	s := sock.SocketState{
		ID:     uint64(m.ID.Cookie[0]) | uint64(m.ID.Cookie[1])<<32,
		Type:   r.typ,
		Local:  netip.AddrPortFrom(addrOf(m.Family, m.ID.Source), m.ID.SourcePort),
		Remote: netip.AddrPortFrom(addrOf(m.Family, m.ID.Destination), m.ID.DestinationPort),
	}
	if r.typ == sock.SockUDP {
		switch {
		case m.ID.DestinationPort != 0:
			s.State = sock.StateConnected
		case m.ID.SourcePort != 0:
			s.State = sock.StateBound
		default:
			s.State = sock.StateUnbound
		}
		return s
	}
	s.State = linuxtcp.State(m.State)
	t := &sock.TCPState{}
	if s.State == sock.StateListen {
		t.AcceptQueue, t.Backlog = int(m.RQueue), int(m.WQueue)
	} else {
		t.RcvQueued, t.SndQueued = int(m.RQueue), int(m.WQueue)
	}
	if s.State == sock.StateTimeWait {
		t.TimeWaitLeft = time.Duration(m.Expires) * time.Millisecond
	}
	if i := r.info; i != nil && s.State != sock.StateListen {
		mss := int(i.Snd_mss)
		t.MSS = mss
		t.Cwnd = int(i.Snd_cwnd) * mss
		if i.Snd_ssthresh < 0xffff {
			t.Ssthresh = int(i.Snd_ssthresh) * mss
		}
		t.InFlight = int(i.Unacked) * mss
		t.SndWnd = int(i.Snd_wnd)
		t.SRTT = time.Duration(i.Rtt) * time.Microsecond
		t.RTO = time.Duration(i.Rto) * time.Microsecond
	}
	s.TCP = t
	return s
}

// addrOf reads a dumped address; an IPv4 one as 4 bytes.
func addrOf(family uint8, ip net.IP) netip.Addr {
	if family == unix.AF_INET {
		ip = ip.To4()
	}
	a, _ := netip.AddrFromSlice(ip)
	return a
}

// hostState groups the sockets by process: processes by pid, then the
// sockets whose owner is unknown (one group per user), then the kernel's.
func (w *Watch) hostState(cur map[uint64]seen, order []uint64) sock.HostState {
	hs := sock.HostState{Name: w.host, Addrs: w.addrs()}
	type group struct {
		pid int
		uid uint32
	}
	byGroup := map[group]int{}
	for _, id := range order {
		c := cur[id]
		if c.inode == 0 {
			hs.Orphans = append(hs.Orphans, c.s)
			continue
		}
		g := group{pid: c.pid}
		if c.pid == 0 {
			g.uid = c.uid
		}
		i, ok := byGroup[g]
		if !ok {
			ps := sock.ProcessState{Name: c.s.Proc, PID: c.pid, User: c.user, Root: c.root}
			hs.Processes = append(hs.Processes, ps)
			i = len(hs.Processes) - 1
			byGroup[g] = i
		}
		hs.Processes[i].Sockets = append(hs.Processes[i].Sockets, c.s)
	}
	slices.SortStableFunc(hs.Processes, func(a, b sock.ProcessState) int {
		if (a.PID == 0) != (b.PID == 0) {
			if a.PID == 0 {
				return 1
			}
			return -1
		}
		if a.PID != b.PID {
			return a.PID - b.PID
		}
		if a.User < b.User {
			return -1
		} else if a.User > b.User {
			return 1
		}
		return 0
	})
	for i := range hs.Processes {
		slices.SortStableFunc(hs.Processes[i].Sockets, compareSockets)
	}
	slices.SortStableFunc(hs.Orphans, compareSockets)
	return hs
}

// compareSockets orders sockets by fd, then local and remote address.
func compareSockets(a, b sock.SocketState) int {
	if a.FD != b.FD {
		return a.FD - b.FD
	}
	if c := a.Local.Compare(b.Local); c != 0 {
		return c
	}
	return a.Remote.Compare(b.Remote)
}

// addrs lists the namespace's interface addresses.
func (w *Watch) addrs() []netip.Prefix {
	list, err := w.h.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, a := range list {
		if a.IPNet == nil {
			continue
		}
		ip, ok := netip.AddrFromSlice(a.IPNet.IP)
		if !ok {
			continue
		}
		ones, _ := a.IPNet.Mask.Size()
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	return out
}
