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
	// ephemeral is where the namespace's kernel picks client ports.
	ephemeral sock.PortRange
	raws      []raw // the last dump, its room kept

	// Kept from one Refresh to the next so that a look at many sockets
	// allocates little: the live inodes (and, in dump order, those the
	// owners were last resolved for), the set the last-but-one dump was
	// in (emptied and filled again), the cookies new this look, the
	// listeners by port and hostState's groups.
	live      map[uint32]bool
	inodes    []uint32
	spare     *seenSet
	fresh     map[uint64]struct{}
	listeners map[uint16][]int32
	groups    hostGroups
	ownGen    int // w.own.gen when the last look took its owners
	// infoAt is when the dump last asked for tcp_info (cwnd, RTT, ...),
	// which it does once per infoEvery and when a new connection came:
	// the queues and states come with every look, the rest is the last
	// one's in between.
	infoAt time.Time

	host  string
	start time.Time
	own   *owners
	prev  *seenSet // the last dump's sockets (after the filters), in dump order

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

	// last is who last held the connection with an fd, for when the
	// kernel holds it alone (hasLast: someone did).
	last    ownerOf
	hasLast bool
	prevAt  int32 // its index in the last look's set, or -1
	taken   bool  // (in the last look's set) this look has it too
	rank    int32 // its place among its group's sockets in the last snapshot, or -1
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
	w := &Watch{opts: opts, start: time.Now(), own: newOwners(), prev: newSeenSet(), live: map[uint32]bool{},
		spare: newSeenSet(), fresh: map[uint64]struct{}{}, listeners: map[uint16][]int32{}}
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
		w.ephemeral = portRange(netns.None())
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
		w.ephemeral = portRange(ns)
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
	// The packets are taken before the sockets are dumped, so every
	// socket a packet came from or went to was there by the dump (or, if
	// it closed since, in the last one): a connection made between a dump
	// and a take would otherwise have its SYN shown without its owner.
	pkts, pkDropped := w.takePackets()
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
	w.resolveOwners(raws)
	ownersSame := w.own.gen == w.ownGen

	// The dump comes in the order of the kernel's tables, which is the
	// last look's but for the sockets that came and went: each is looked
	// for where the last one's left off first, in the map only if not
	// there.
	prev, cur := w.prev, w.spare
	cur.reset()
	clear(w.fresh)
	hint := 0
	for i := range raws {
		r := &raws[i]
		if w.opts.Port != 0 && int(r.local.Port()) != w.opts.Port && int(r.remote.Port()) != w.opts.Port {
			continue
		}
		var p *seen
		at := prev.find(r.cookie, &hint)
		if at >= 0 {
			if p = &prev.list[at]; p.taken {
				continue // twice in one dump: the first is kept
			}
			p.taken = true
		} else {
			if _, twice := w.fresh[r.cookie]; twice {
				continue
			}
			w.fresh[r.cookie] = struct{}{}
		}
		unchanged := p != nil && p.s.State != sock.StateListen && sameDiag(&p.r, r)
		if unchanged && ownersSame && r.inode != 0 && p.inode == r.inode {
			// Nothing the town shows has changed, nor who holds it: the
			// last look's socket as it was (what follows would make it
			// again, field by field), but for what the dump said.
			cur.list = append(cur.list, *p)
			c := &cur.list[len(cur.list)-1]
			if !r.info {
				r.info, r.tcpInfo = p.r.info, p.r.tcpInfo
			}
			c.r, c.prevAt, c.taken = *r, int32(at), false
			cur.ids = append(cur.ids, r.cookie)
			continue
		}
		var st sock.SocketState
		switch {
		case unchanged:
			// Nothing the town shows has changed: the last look's state
			// (a listener's is made again: its SYN queue is counted
			// below).
			st = p.s
			st.FD, st.Proc = 0, ""
		default:
			st = socketState(*r)
			if p != nil && !r.info && st.TCP != nil && p.s.TCP != nil {
				keepInfo(st.TCP, p.s.TCP) // not asked for this time: the last look's
			}
		}
		if p != nil && !r.info {
			r.info, r.tcpInfo = p.r.info, p.r.tcpInfo
		}
		c := seen{s: st, r: *r, inode: r.inode, uid: r.uid, prevAt: int32(at), rank: -1}
		if p != nil {
			c.rank = p.rank
		}
		switch {
		case r.inode != 0 && ownersSame && p != nil && p.inode == r.inode:
			// The same socket, and /proc has told nothing new: the
			// owner the last look found.
			c.pid, c.s.FD, c.s.Proc, c.proc, c.user, c.root = p.pid, p.s.FD, p.s.Proc, p.proc, p.user, p.root
		case r.inode != 0:
			if ow, ok := w.own.byInode[r.inode]; ok {
				if pi, ok := w.own.procs[ow.pid]; ok {
					c.pid = ow.pid
					c.s.FD = ow.fd
					c.s.Proc = pi.comm
					c.proc = pi.name
					c.user, c.root = pi.user, pi.uid == 0
				}
			}
			if c.pid == 0 && p != nil && p.inode == c.inode && p.pid != 0 {
				// Its owner is exiting (the socket goes with it) or
				// passed it on: keep the owner it had until /proc
				// says who holds it now.
				c.pid, c.s.FD, c.s.Proc, c.proc, c.user, c.root = p.pid, p.s.FD, p.s.Proc, p.proc, p.user, p.root
			}
			if c.pid == 0 {
				c.s.Proc, c.proc = Unknown, Unknown
				c.user, c.root = w.own.userName(c.uid), c.uid == 0
			}
		case p != nil && p.hasLast:
			c.s.Proc, c.proc, c.pid = p.last.comm, p.last.proc, p.last.pid
		}
		// Remember who holds a connection, for when the kernel holds it
		// alone.
		if c.inode != 0 && c.pid != 0 && c.s.Type == sock.SockTCP {
			c.last, c.hasLast = ownerOf{comm: c.s.Proc, proc: c.proc, pid: c.pid}, true
		} else if p != nil {
			c.last, c.hasLast = p.last, p.hasLast
		}
		cur.list = append(cur.list, c)
		cur.ids = append(cur.ids, c.s.ID)
	}
	// Listeners by port, for SYN queues, accepted sockets and the PID
	// filter's half-open connections.
	listeners := w.listeners
	findListeners := func() {
		for port, l := range listeners {
			listeners[port] = l[:0]
		}
		for i := range cur.list {
			if c := &cur.list[i]; c.s.State == sock.StateListen {
				listeners[c.s.Local.Port()] = append(listeners[c.s.Local.Port()], int32(i))
			}
		}
	}
	findListeners()
	// listenerOf finds the listening socket a connection on local came
	// through.
	listenerOf := func(local netip.AddrPort) (*seen, bool) {
		for _, i := range listeners[local.Port()] {
			l := &cur.list[i]
			if a := l.s.Local.Addr(); a.IsUnspecified() || a == local.Addr() {
				return l, true
			}
		}
		return nil, false
	}
	// Connections a listener has not handed out yet (SYN-RECEIVED, or
	// established in the accept queue) have no fd: they are the
	// listener's process's, in the kernel's hands.
	for i := range cur.list {
		c := &cur.list[i]
		if c.inode != 0 || c.s.Type != sock.SockTCP || (c.s.State != sock.StateSynReceived && c.s.State != sock.StateEstablished) {
			continue
		}
		l, ok := listenerOf(c.s.Local)
		if !ok {
			continue
		}
		if c.s.State == sock.StateSynReceived {
			l.s.TCP.SynQueue++
		}
		if c.proc == "" {
			c.s.Proc, c.proc, c.pid = l.s.Proc, l.proc, l.pid
		}
	}
	if w.opts.PID != 0 {
		kept := cur.list[:0]
		cur.ids = cur.ids[:0]
		for _, c := range cur.list {
			if c.pid == w.opts.PID {
				kept = append(kept, c)
				cur.ids = append(cur.ids, c.s.ID)
			} else if c.prevAt >= 0 {
				prev.list[c.prevAt].taken = false // gone, as far as the watch can tell
			}
		}
		cur.list = kept
		findListeners()
	}
	cur.seal()

	snap := sock.Snapshot{Now: now, Hosts: []sock.HostState{w.hostState(cur)}}
	events := append(w.packetEvents(pkts, pkDropped, cur, prev), w.diff(cur, listenerOf, now)...)
	w.spare, w.prev, w.ownGen = prev, cur, w.own.gen
	return snap, events, nil
}

// resolveOwners finds the owners of the dump's sockets (see
// owners.resolve), unless the dump has the inodes the last one had, in
// the same order, and the owners are steady: then resolve would find
// what it found.
func (w *Watch) resolveOwners(raws []raw) {
	same := len(raws) == len(w.inodes)
	for i := 0; same && i < len(raws); i++ {
		same = raws[i].inode == w.inodes[i]
	}
	if same && w.own.steady() {
		return
	}
	live := w.live
	clear(live)
	w.inodes = w.inodes[:0]
	for i := range raws {
		w.inodes = append(w.inodes, raws[i].inode)
		if raws[i].inode != 0 {
			live[raws[i].inode] = true
		}
	}
	w.own.resolve(live, time.Now())
}

// newConnection reports whether a dump holds a TCP connection that the
// last look did not (one whose tcp_info the town has not had).
func (w *Watch) newConnection(raws []raw) bool {
	hint := 0
	for i := range raws {
		r := &raws[i]
		if r.typ != sock.SockTCP || r.remote.Port() == 0 {
			continue
		}
		if p := w.opts.Port; p != 0 && int(r.local.Port()) != p && int(r.remote.Port()) != p {
			continue // not watched
		}
		if w.prev.find(r.cookie, &hint) < 0 {
			return true
		}
	}
	return false
}

// sameDiag reports whether two dumps of a socket say the same thing the
// town shows: tcp_info aside when the second did not ask for it, and the
// timer's countdown aside but in TIME-WAIT (a keepalive timer, on by
// default in Go's connections, changes it at every look).
func sameDiag(pa, pb *raw) bool {
	a, b := *pa, *pb
	if !b.info {
		a.info, a.tcpInfo = false, tcpInfo{}
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
	t.RcvWnd, t.RcvBuf, t.SndBuf = last.RcvWnd, last.RcvBuf, last.SndBuf
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
		t.SndWnd, t.RcvWnd = int(r.sndWnd), int(r.rcvWnd)
		t.RcvBuf, t.SndBuf = int(r.rcvBuf), int(r.sndBuf)
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
// sockets themselves was a third of a look). The indices start in the
// order the last snapshot had them, so that the sort, when nothing moved,
// only has to see that they are in order.
func (w *Watch) hostState(cur *seenSet) sock.HostState {
	hs := sock.HostState{Name: w.host, Addrs: w.addrs(), Ephemeral: w.ephemeral}
	g := &w.groups
	if g.index == nil {
		g.index = map[hostGroup]int{}
	}
	clear(g.index)
	for i := range g.members {
		g.members[i] = g.members[i][:0]
	}
	g.orphans = g.orphans[:0]
	n := 0 // groups
	var last hostGroup
	at := -1
	for i := range cur.list {
		c := &cur.list[i]
		if c.inode == 0 {
			g.orphans = append(g.orphans, int32(i))
			continue
		}
		k := hostGroup{pid: c.pid}
		if c.pid == 0 {
			k.uid = c.uid
		}
		if at < 0 || k != last {
			j, ok := g.index[k]
			if !ok {
				hs.Processes = append(hs.Processes, sock.ProcessState{Name: c.s.Proc, PID: c.pid, User: c.user, Root: c.root})
				if j = n; j == len(g.members) {
					g.members = append(g.members, nil)
				}
				n++
				g.index[k] = j
			}
			last, at = k, j
		}
		g.members[at] = append(g.members[at], int32(i))
	}
	inOrder := func(idx []int32) []sock.SocketState {
		if len(idx) == 0 {
			return nil
		}
		g.byRank(cur, idx)
		slices.SortFunc(idx, func(a, b int32) int {
			if c := compareSockets(&cur.list[a].s, &cur.list[b].s); c != 0 {
				return c
			}
			return int(a - b) // stable
		})
		out := make([]sock.SocketState, len(idx))
		for i, j := range idx {
			c := &cur.list[j]
			c.rank = int32(i)
			out[i] = c.s
		}
		return out
	}
	for i := range hs.Processes {
		hs.Processes[i].Sockets = inOrder(g.members[i])
	}
	hs.Orphans = inOrder(g.orphans)
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

// hostGroup is one group of a host's sockets: a process's, or those of a
// user whose process is unknown (pid 0).
type hostGroup struct {
	pid int
	uid uint32
}

// hostGroups is hostState's room, kept from look to look: the groups'
// places, their members and the kernel's sockets (indices into the set),
// and byRank's.
type hostGroups struct {
	index   map[hostGroup]int
	members [][]int32
	orphans []int32
	slots   []int32
	rest    []int32
}

// byRank puts the indices of one group's sockets in the order the last
// snapshot had them, as far as it had them: the others follow in dump
// order.
func (g *hostGroups) byRank(cur *seenSet, idx []int32) {
	slots := slices.Grow(g.slots[:0], len(idx))[:len(idx)]
	for i := range slots {
		slots[i] = -1
	}
	rest := g.rest[:0]
	for _, j := range idx {
		if r := cur.list[j].rank; r >= 0 && int(r) < len(slots) && slots[r] < 0 {
			slots[r] = j
		} else {
			rest = append(rest, j)
		}
	}
	k := 0
	for _, j := range slots {
		if j >= 0 {
			idx[k] = j
			k++
		}
	}
	copy(idx[k:], rest)
	g.slots, g.rest = slots, rest
}

// compareSockets orders sockets by fd, then local and remote address.
func compareSockets(a, b *sock.SocketState) int {
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

// seenSet is one dump's sockets, in dump order, each cookie once. The
// map of their places is made only when a cookie is looked for that is
// not where the last one found left off (see find).
type seenSet struct {
	list    []seen
	ids     []uint64 // the list's cookies, where find looks first (a seen is 400 bytes)
	was     int      // how many sockets list held before reset
	index   map[uint64]int32
	indexed bool
}

func newSeenSet() *seenSet { return &seenSet{index: map[uint64]int32{}} }

// reset empties the set, keeping its room.
// The sockets are written over as the set fills again (clearing 4 MB
// first at 10,000 sockets cost as much as the rest of the set's filling):
// seal lets go of what the sockets past the new end pointed to.
func (s *seenSet) reset() {
	s.was = max(s.was, len(s.list))
	s.list, s.ids = s.list[:0], s.ids[:0]
	s.indexed = false
}

// seal ends the filling that reset began.
func (s *seenSet) seal() {
	if n := len(s.list); n < s.was {
		clear(s.list[n:s.was])
	}
	s.was = len(s.list)
}

// find is the place in the set of the socket with cookie id, or -1. It
// looks at *hint first, and sets *hint to the place after the one found:
// a dump in the set's order finds each socket where the last one left
// off.
func (s *seenSet) find(id uint64, hint *int) int {
	if h := *hint; h < len(s.ids) && s.ids[h] == id {
		*hint = h + 1
		return h
	}
	if !s.indexed {
		clear(s.index)
		for i, id := range s.ids {
			s.index[id] = int32(i)
		}
		s.indexed = true
	}
	i, ok := s.index[id]
	if !ok {
		return -1
	}
	*hint = int(i) + 1
	return int(i)
}
