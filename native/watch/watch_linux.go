//go:build linux

package watch

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
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
	opts Options
	h    *netlink.Handle // addresses
	diag *diagConn       // the dumps' socket
	raws []raw           // the last dump, its room kept

	// Kept from one Refresh to the next so that a look at many sockets
	// allocates little: the live inodes, the map the last-but-one dump
	// was in (cleared and refilled), the order of the dump.
	live  map[uint32]bool
	spare *seenSet
	order []uint64
	flat  []sock.SocketState // hostState's sockets before they are grouped
	// infoAt is when the dump last asked for tcp_info (cwnd, RTT, ...),
	// which it does once per infoEvery and when a new connection came:
	// the queues and states come with every look, the rest is the last
	// one's in between.
	infoAt time.Time

	host  string
	start time.Time
	own   *owners
	prev  *seenSet           // the last dump's sockets (after the filters), by cookie
	left  map[uint64]ownerOf // the last owner of connections now held by the kernel

	pk        *packets // the loopback capture; nil without Options.Packets or the privilege
	noPk      string   // why there is no capture, when one was asked for
	pkDropped int
}

// seen is one socket as a dump found it, with its owner.
type seen struct {
	s     sock.SocketState
	r     raw // what the dump said, to tell whether the next one says the same
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
	w := &Watch{opts: opts, start: time.Now(), own: newOwners(), prev: newSeenSet(), left: map[uint64]ownerOf{},
		live: map[uint32]bool{}, spare: newSeenSet()}
	fams := []int{unix.NETLINK_ROUTE}
	var err error
	if opts.Netns == "" {
		w.host, _ = os.Hostname()
		if w.host == "" {
			w.host = "localhost"
		}
		w.h, err = netlink.NewHandle(fams...)
		if err == nil {
			w.diag, err = diagSocket(netns.None())
		}
	} else {
		ns, nerr := netns.GetFromName(opts.Netns)
		if nerr != nil {
			return nil, fmt.Errorf("watch: no network namespace %q under /run/netns: %w", opts.Netns, nerr)
		}
		w.host = opts.Netns
		w.h, err = netlink.NewHandleAt(ns, fams...)
		if err == nil {
			w.diag, err = diagSocket(ns)
		}
		ns.Close()
	}
	if err != nil {
		if w.h != nil {
			w.h.Close()
		}
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
	if w.diag != nil {
		w.diag.close()
		w.diag = nil
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

// infoEvery is how often a dump asks for tcp_info too: it takes the
// kernel about as long again as the rest of the dump (at 10,000 sockets,
// 8 ms against 4.6), and a door's cwnd and RTT need not change ten times
// a second.
const infoEvery = time.Second

// dump reads the TCP sockets (both families in one dump) and the UDP
// sockets of each family into w.raws, TCP's with tcp_info when withInfo.
func (w *Watch) dump(withInfo bool) ([]raw, error) {
	w.raws = w.raws[:0]
	if err := w.dumpProto(0, unix.IPPROTO_TCP, sock.SockTCP, withInfo); err != nil {
		return nil, fmt.Errorf("watch: sock_diag TCP dump: %w", err)
	}
	for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if err := w.dumpProto(fam, unix.IPPROTO_UDP, sock.SockUDP, false); err != nil {
			return nil, fmt.Errorf("watch: sock_diag UDP dump: %w", err)
		}
	}
	return w.raws, nil
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
	withInfo := time.Since(w.infoAt) >= infoEvery
	if withInfo {
		w.infoAt = time.Now()
	}
	raws, err := w.dump(withInfo)
	if err == nil && !withInfo && w.newConnection(raws) {
		// A connection the last look did not have: its door shows its
		// cwnd and RTT from the start, so this look asks for them after all.
		w.infoAt = time.Now()
		raws, err = w.dump(true)
	}
	if err != nil {
		return sock.Snapshot{}, nil, err
	}
	now := time.Since(w.start)
	live := w.live
	clear(live)
	for _, r := range raws {
		if r.inode != 0 {
			live[r.inode] = true
		}
	}
	w.own.resolve(live, time.Now())

	cur := w.spare
	cur.reset()
	order := w.order[:0]
	// Listeners by port, for SYN queues, accepted sockets and the PID
	// filter's half-open connections.
	listeners := map[uint16][]uint64{}
	for _, r := range raws {
		if w.opts.Port != 0 && int(r.local.Port()) != w.opts.Port && int(r.remote.Port()) != w.opts.Port {
			continue
		}
		var st sock.SocketState
		p, was := w.prev.get(r.cookie)
		switch {
		case was && sameDiag(p.r, r) && p.s.State != sock.StateListen:
			// Nothing the town shows has changed: the last look's state
			// (a listener's is made again: its SYN queue is counted
			// below).
			st = p.s
			st.FD, st.Proc = 0, ""
		default:
			st = socketState(r)
			if was && !r.info && st.TCP != nil && p.s.TCP != nil {
				keepInfo(st.TCP, p.s.TCP) // not asked for this time: the last look's
			}
		}
		if was && !r.info {
			r.info, r.mss, r.cwnd, r.ssthresh, r.unacked, r.sndWnd, r.rtt, r.rto =
				p.r.info, p.r.mss, p.r.cwnd, p.r.ssthresh, p.r.unacked, p.r.sndWnd, p.r.rtt, p.r.rto
		}
		c := seen{s: st, r: r, inode: r.inode, uid: r.uid}
		if r.inode != 0 {
			if ow, ok := w.own.byInode[r.inode]; ok {
				if pi, ok := w.own.procs[ow.pid]; ok {
					c.pid = ow.pid
					c.s.FD = ow.fd
					c.s.Proc = pi.comm
					c.proc = pi.name
					c.user, c.root = pi.user, pi.uid == 0
				}
			}
			if p, ok := w.prev.get(st.ID); c.pid == 0 && ok && p.inode == c.inode && p.pid != 0 {
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
		if cur.has(st.ID) {
			continue
		}
		cur.set(st.ID, c)
		order = append(order, st.ID)
		if st.State == sock.StateListen {
			listeners[st.Local.Port()] = append(listeners[st.Local.Port()], st.ID)
		}
	}
	// listenerOf finds the listening socket a connection on local came
	// through.
	listenerOf := func(local netip.AddrPort) (seen, bool) {
		for _, id := range listeners[local.Port()] {
			l := cur.at(id)
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
		c := cur.at(id)
		if c.inode != 0 || c.s.Type != sock.SockTCP || (c.s.State != sock.StateSynReceived && c.s.State != sock.StateEstablished) {
			continue
		}
		l, ok := listenerOf(c.s.Local)
		if !ok {
			continue
		}
		if c.s.State == sock.StateSynReceived {
			l.s.TCP.SynQueue++
			cur.set(l.s.ID, l)
		}
		if c.proc == "" {
			c.s.Proc, c.proc, c.pid = l.s.Proc, l.proc, l.pid
			cur.set(id, c)
		}
	}
	if w.opts.PID != 0 {
		kept := order[:0]
		for _, id := range order {
			if cur.at(id).pid == w.opts.PID {
				kept = append(kept, id)
			} else {
				cur.del(id)
			}
		}
		order = kept
	}

	snap := sock.Snapshot{Now: now, Hosts: []sock.HostState{w.hostState(cur, order)}}
	events := append(w.packetEvents(cur), w.diff(cur, order, listenerOf, now)...)
	// Remember who held connections that the kernel now holds alone.
	cur.each(func(id uint64, c *seen) {
		if c.inode != 0 && c.pid != 0 && c.s.Type == sock.SockTCP {
			if lo, ok := w.left[id]; !ok || lo.pid != c.pid || lo.proc != c.proc {
				w.left[id] = ownerOf{comm: c.s.Proc, proc: c.proc, pid: c.pid}
			}
		}
	})
	for id := range w.left {
		if !cur.has(id) {
			delete(w.left, id)
		}
	}
	w.spare, w.prev, w.order = w.prev, cur, order
	return snap, events, nil
}

// newConnection reports whether a dump holds a TCP connection that the
// last look did not (one whose tcp_info the town has not had).
func (w *Watch) newConnection(raws []raw) bool {
	for i := range raws {
		r := &raws[i]
		if r.typ != sock.SockTCP || r.remote.Port() == 0 {
			continue
		}
		if p := w.opts.Port; p != 0 && int(r.local.Port()) != p && int(r.remote.Port()) != p {
			continue // not watched
		}
		if !w.prev.has(r.cookie) {
			return true
		}
	}
	return false
}

// sameDiag reports whether two dumps of a socket say the same thing the
// town shows: tcp_info aside when the second did not ask for it, and the
// timer's countdown aside but in TIME-WAIT (a keepalive timer, on by
// default in Go's connections, changes it at every look).
func sameDiag(a, b raw) bool {
	if !b.info {
		a.info, a.mss, a.cwnd, a.ssthresh, a.unacked, a.sndWnd, a.rtt, a.rto = false, 0, 0, 0, 0, 0, 0, 0
	}
	if linuxtcp.State(b.state) != sock.StateTimeWait {
		a.expires, b.expires = 0, 0
	}
	return a == b
}

// keepInfo copies what tcp_info says (cwnd, RTT and the like) from the
// last look at a connection into this one's.
func keepInfo(t, last *sock.TCPState) {
	t.MSS, t.Cwnd, t.Ssthresh, t.InFlight, t.SndWnd, t.SRTT, t.RTO =
		last.MSS, last.Cwnd, last.Ssthresh, last.InFlight, last.SndWnd, last.SRTT, last.RTO
}

// socketState reads one dumped socket as the town's vocabulary.
func socketState(r raw) sock.SocketState {
	s := sock.SocketState{ID: r.cookie, Type: r.typ, Local: r.local, Remote: r.remote}
	if r.typ == sock.SockUDP {
		switch {
		case r.remote.Port() != 0:
			s.State = sock.StateConnected
		case r.local.Port() != 0:
			s.State = sock.StateBound
		default:
			s.State = sock.StateUnbound
		}
		return s
	}
	s.State = linuxtcp.State(r.state)
	t := &sock.TCPState{}
	if s.State == sock.StateListen {
		t.AcceptQueue, t.Backlog = int(r.rqueue), int(r.wqueue)
	} else {
		t.RcvQueued, t.SndQueued = int(r.rqueue), int(r.wqueue)
	}
	if s.State == sock.StateTimeWait {
		t.TimeWaitLeft = time.Duration(r.expires) * time.Millisecond
	}
	if r.info && s.State != sock.StateListen {
		mss := int(r.mss)
		t.MSS = mss
		t.Cwnd = int(r.cwnd) * mss
		if r.ssthresh < 0xffff {
			t.Ssthresh = int(r.ssthresh) * mss
		}
		t.InFlight = int(r.unacked) * mss
		t.SndWnd = int(r.sndWnd)
		t.SRTT = time.Duration(r.rtt) * time.Microsecond
		t.RTO = time.Duration(r.rto) * time.Microsecond
	}
	s.TCP = t
	return s
}

// hostState groups the sockets by process: processes by pid, then the
// sockets whose owner is unknown (one group per user), then the kernel's.
// Each group's sockets are put in order by index and copied once into a
// slice of their number (at 10,000 sockets, growing and sorting the
// sockets themselves was a third of a look).
func (w *Watch) hostState(cur *seenSet, order []uint64) sock.HostState {
	hs := sock.HostState{Name: w.host, Addrs: w.addrs()}
	type group struct {
		pid int
		uid uint32
	}
	flat := w.flat[:0]
	byGroup := map[group]int{}
	var members [][]int32 // by process, indices into flat; the last is the kernel's
	var orphans []int32
	for _, id := range order {
		c := cur.ptr(id)
		flat = append(flat, c.s)
		at := int32(len(flat) - 1)
		if c.inode == 0 {
			orphans = append(orphans, at)
			continue
		}
		g := group{pid: c.pid}
		if c.pid == 0 {
			g.uid = c.uid
		}
		i, ok := byGroup[g]
		if !ok {
			hs.Processes = append(hs.Processes, sock.ProcessState{Name: c.s.Proc, PID: c.pid, User: c.user, Root: c.root})
			members = append(members, nil)
			i = len(hs.Processes) - 1
			byGroup[g] = i
		}
		members[i] = append(members[i], at)
	}
	w.flat = flat
	inOrder := func(idx []int32) []sock.SocketState {
		if len(idx) == 0 {
			return nil
		}
		slices.SortFunc(idx, func(a, b int32) int {
			if c := compareSockets(flat[a], flat[b]); c != 0 {
				return c
			}
			return int(a - b) // stable
		})
		out := make([]sock.SocketState, len(idx))
		for i, j := range idx {
			out[i] = flat[j]
		}
		return out
	}
	for i := range hs.Processes {
		hs.Processes[i].Sockets = inOrder(members[i])
	}
	hs.Orphans = inOrder(orphans)
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
		return strings.Compare(a.User, b.User)
	})
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

// seenSet is one dump's sockets by cookie. The sockets are kept in a
// slice and the map holds their index: a map of values as large as a
// seen allocates each one it holds, 10,000 a look.
type seenSet struct {
	index map[uint64]int32
	list  []seen
}

func newSeenSet() *seenSet { return &seenSet{index: map[uint64]int32{}} }

// reset empties the set, keeping its room.
func (s *seenSet) reset() {
	clear(s.index)
	clear(s.list) // let go of what the sockets pointed to
	s.list = s.list[:0]
}

// get is the socket with cookie id, if the set has it.
func (s *seenSet) get(id uint64) (seen, bool) {
	i, ok := s.index[id]
	if !ok {
		return seen{}, false
	}
	return s.list[i], true
}

// at is the socket with cookie id, or the zero seen.
func (s *seenSet) at(id uint64) seen {
	c, _ := s.get(id)
	return c
}

// ptr points at the socket with cookie id, which the set must have.
func (s *seenSet) ptr(id uint64) *seen { return &s.list[s.index[id]] }

// has reports whether the set has the socket with cookie id.
func (s *seenSet) has(id uint64) bool {
	_, ok := s.index[id]
	return ok
}

// set adds the socket with cookie id, or replaces it.
func (s *seenSet) set(id uint64, c seen) {
	if i, ok := s.index[id]; ok {
		s.list[i] = c
		return
	}
	s.index[id] = int32(len(s.list))
	s.list = append(s.list, c)
}

// del takes the socket with cookie id out (its room stays, unused).
func (s *seenSet) del(id uint64) { delete(s.index, id) }

// each calls f with every socket of the set, in no order.
func (s *seenSet) each(f func(id uint64, c *seen)) {
	for id, i := range s.index {
		f(id, &s.list[i])
	}
}
