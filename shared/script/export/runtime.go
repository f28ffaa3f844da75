//go:build ignore

// This file is the second half of every program export writes: the town
// on this machine's loopback and one method for each call of the shell,
// each made with Go's net package. It is a Go file of its own so that
// gofmt and vet read it; export copies it without this build line.

package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// town is the scenario's hosts as addresses on loopback, as socketville run
// --os makes them when it cannot make namespaces: host address a.b.c.d is
// 127.N.c.d, N from this program's pid (77 + pid%170), so that a run a
// minute after another finds no TIME-WAIT of the other's on its ports.
type town struct {
	mu        sync.Mutex // the fd tables and the output, shared with background calls
	hosts     []*host
	toReal    map[netip.Addr]netip.Addr
	toScen    map[netip.Addr]netip.Addr
	block     int
	lowShift  bool           // this program may not bind ports below 1024: a root process's port P is 10000+P
	maxRun    time.Duration  // caps every run line (-max-run)
	pending   map[*call]bool // background calls still under way
	surprises int            // calls that did not return what the scenario says
}

type host struct {
	name    string
	addrs   []netip.Prefix
	routes  []netip.Prefix
	nextEph map[string]uint16 // the next ephemeral port to try, by network
	procs   []*proc
}

// proc is a process of the town: a house with its own fds, numbered from 3
// as a kernel numbers them.
type proc struct {
	t    *town
	h    *host
	who  string
	root bool
	fds  map[int]*door
}

// door is a socket, and the Go value that stands for it once net has made
// it: a listener, a connection or an unconnected UDP socket.
type door struct {
	network  string // "tcp" or "udp"
	local    netip.AddrPort
	bound    bool
	ln       *net.TCPListener
	conn     net.Conn
	pc       *net.UDPConn
	nonblock bool
	rcvtimeo time.Duration
	opts     []sockopt   // set before net made the socket: set by Control when it does
	dialing  chan error  // a non-blocking connect under way
	dialed   error       // how it ended
	stale    []io.Closer // values replaced (a UDP socket connected after bind)
}

type sockopt struct{ level, name, value int }

// call is a background call under way.
type call struct{ who, text string }

const (
	ephemeralFirst = 49152
	lowPortShift   = 10000
)

func newTown() *town {
	maxRun := flag.Duration("max-run", 0, "cap every run line at this (0: none)")
	block := flag.Int("block", 0, "the N of the hosts' loopback addresses 127.N.x.y (0: from the pid)")
	flag.Parse()
	if *block <= 0 || *block > 255 {
		*block = 77 + os.Getpid()%170
	}
	t := &town{
		toReal: map[netip.Addr]netip.Addr{}, toScen: map[netip.Addr]netip.Addr{},
		block: *block, maxRun: *maxRun, pending: map[*call]bool{},
		// Binding below 1024 needs CAP_NET_BIND_SERVICE; root has it.
		lowShift: os.Geteuid() != 0,
	}
	fmt.Fprintf(os.Stderr, "# hosts are addresses on loopback (127.%d.x.y); links have no delay, rate or faults\n", t.block)
	if t.lowShift {
		fmt.Fprintf(os.Stderr, "# not root: a root process's port P below 1024 is %d+P here\n", lowPortShift)
	}
	return t
}

// host adds a host with its addresses, each mapped to one on loopback.
func (t *town) host(name string, addrs ...string) *host {
	h := &host{name: name, nextEph: map[string]uint16{}}
	for _, a := range addrs {
		p := netip.MustParsePrefix(a)
		h.addrs = append(h.addrs, p)
		b := p.Addr().As4()
		for second := t.block; second < 256; second++ {
			real := netip.AddrFrom4([4]byte{127, byte(second), b[2], b[3]})
			if _, taken := t.toScen[real]; !taken {
				t.toReal[p.Addr()], t.toScen[real] = real, p.Addr()
				fmt.Fprintf(os.Stderr, "# host %s: %v is %v\n", name, p.Addr(), real)
				break
			}
		}
	}
	t.hosts = append(t.hosts, h)
	return h
}

// route notes a route: on loopback every host reaches every other, so a
// route only says which destinations the host may try.
func (h *host) route(prefix string) { h.routes = append(h.routes, netip.MustParsePrefix(prefix)) }

func (t *town) process(h *host, name string, root bool) *proc {
	p := &proc{t: t, h: h, who: h.name + "/" + name, root: root, fds: map[int]*door{}}
	h.procs = append(h.procs, p)
	return p
}

// run lets time pass, as a program sleeps; the kernel goes on meanwhile.
func (t *town) run(d time.Duration) {
	if t.maxRun > 0 {
		d = min(d, t.maxRun)
	}
	time.Sleep(d)
}

// result is what a call returned, as the shell prints it.
type result struct {
	out string
	err error
}

func ok(out string) result { return result{out: out} }

// errnos are the errors the shell names; Go's net returns them wrapped in
// *net.OpError and *os.SyscallError.
var errnos = []struct {
	errno syscall.Errno
	name  string
}{
	{syscall.EAGAIN, "EAGAIN"}, {syscall.EBADF, "EBADF"}, {syscall.EACCES, "EACCES"},
	{syscall.EADDRINUSE, "EADDRINUSE"}, {syscall.EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {syscall.EINVAL, "EINVAL"},
	{syscall.EMSGSIZE, "EMSGSIZE"}, {syscall.ECONNREFUSED, "ECONNREFUSED"}, {syscall.ECONNRESET, "ECONNRESET"},
	{syscall.ETIMEDOUT, "ETIMEDOUT"}, {syscall.EPIPE, "EPIPE"}, {syscall.ENOTCONN, "ENOTCONN"},
	{syscall.EISCONN, "EISCONN"}, {syscall.EDESTADDRREQ, "EDESTADDRREQ"}, {syscall.EOPNOTSUPP, "EOPNOTSUPP"},
	{syscall.EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {syscall.ENOPROTOOPT, "ENOPROTOOPT"},
	{syscall.EHOSTUNREACH, "EHOSTUNREACH"}, {syscall.ENETUNREACH, "ENETUNREACH"},
	{syscall.EAFNOSUPPORT, "EAFNOSUPPORT"}, {syscall.EINPROGRESS, "EINPROGRESS"}, {syscall.EALREADY, "EALREADY"},
	{syscall.EMFILE, "EMFILE"},
}

// words prints an error as the shell does: "EADDRINUSE: address already in use".
func words(err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		errno = syscall.EAGAIN // a deadline in the past is this program's non-blocking call
	case errors.Is(err, net.ErrClosed):
		errno = syscall.EBADF
	case !errors.As(err, &errno):
		return err.Error()
	}
	for _, e := range errnos {
		if e.errno == errno {
			return e.name + ": " + errno.Error()
		}
	}
	return errno.Error()
}

func fail(errno syscall.Errno) result { return result{err: errno} }

// say prints a call's result in the shell's words: "b/web: listen 3 16 =>
// 0"; a background call's text ends in " &".
func (p *proc) say(text string, r result) { p.check(text, "", r) }

// check prints a call's result and compares it with what the scenario
// says it returns (=> RESULT): an errno's name, or the whole result.
func (p *proc) check(text, want string, r result) {
	got := r.out
	if r.err != nil {
		got = words(r.err)
	}
	p.t.mu.Lock()
	defer p.t.mu.Unlock()
	fmt.Printf("%s: %s => %s\n", p.who, text, got)
	name, _, _ := strings.Cut(got, ":")
	if want != "" && want != name && strings.Join(strings.Fields(want), " ") != strings.Join(strings.Fields(got), " ") {
		fmt.Printf("# %s: %s: the scenario says => %s\n", p.who, text, want)
		p.t.surprises++
	}
}

// background runs a call beside the lines after it, as the shell's "&".
func (p *proc) background(text, want string, do func() result) {
	c := &call{who: p.who, text: text}
	p.t.mu.Lock()
	p.t.pending[c] = true
	p.t.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := do()
		p.t.mu.Lock()
		delete(p.t.pending, c)
		p.t.mu.Unlock()
		p.check(text+" &", want, r)
	}()
	// A call that can finish at once does, before the next line, as the
	// shell's does: on loopback a connect is done in microseconds, and
	// two clients' connects then reach the server in the scenario's order.
	select {
	case <-done:
	case <-time.After(backgroundGrace):
	}
}

// backgroundGrace is how long a background call has to finish before the
// next line starts: generous beside a loopback connect, so that a busy
// machine keeps the order too.
const backgroundGrace = 100 * time.Millisecond

// end reports the background calls still blocked, as the shell does when
// a scenario ends, and says whether every call returned what it should.
func (t *town) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.pending {
		fmt.Printf("%s: %s & => still blocked when the scenario ended\n", c.who, c.text)
	}
	if t.surprises > 0 {
		fmt.Printf("# %d calls did not return what the scenario says\n", t.surprises)
		os.Exit(1)
	}
}

// door finds fd, or EBADF.
func (p *proc) door(fd int) (*door, result, bool) {
	p.t.mu.Lock()
	defer p.t.mu.Unlock()
	d, found := p.fds[fd]
	if !found {
		return nil, fail(syscall.EBADF), false
	}
	return d, result{}, true
}

// newFD gives d the lowest free fd, from 3.
func (p *proc) newFD(d *door) int {
	p.t.mu.Lock()
	defer p.t.mu.Unlock()
	fd := 3
	for p.fds[fd] != nil {
		fd++
	}
	p.fds[fd] = d
	return fd
}

// real is the loopback address for one of the scenario's; the wildcard is
// the host's first address, or the hosts would share their ports.
func (p *proc) real(ap netip.AddrPort) netip.AddrPort {
	a := ap.Addr()
	if a.IsUnspecified() {
		a = p.h.addrs[0].Addr()
	}
	port := ap.Port()
	if p.t.lowShift && port > 0 && port < 1024 {
		port += lowPortShift
	}
	if r, found := p.t.toReal[a]; found {
		a = r
	}
	return netip.AddrPortFrom(a, port)
}

// scenario is the scenario's address for one the kernel reports.
func (t *town) scenario(ap netip.AddrPort) netip.AddrPort {
	port := ap.Port()
	if t.lowShift && port > lowPortShift && port < lowPortShift+1024 {
		port -= lowPortShift
	}
	a := ap.Addr().Unmap()
	if s, found := t.toScen[a]; found {
		a = s
	}
	return netip.AddrPortFrom(a, port)
}

func addrOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// reach refuses what the town could not reach: on loopback every address
// is this machine's, so the program stands in for routing, as run --os
// does: a destination must be a host of the town on the sender's subnet,
// through one of its routes, or the sender itself.
func (p *proc) reach(dst netip.Addr) result {
	routed, onLink := false, false
	for _, r := range p.h.routes {
		routed = routed || r.Contains(dst)
	}
	for _, a := range p.h.addrs {
		onLink = onLink || a.Contains(dst)
	}
	_, mapped := p.t.toReal[dst]
	switch {
	case dst.IsLoopback(), mapped && (routed || onLink || p.owns(dst)):
		return result{}
	case routed || onLink:
		return fail(syscall.EHOSTUNREACH)
	}
	return fail(syscall.ENETUNREACH)
}

func (p *proc) owns(a netip.Addr) bool {
	for _, pre := range p.h.addrs {
		if pre.Addr() == a {
			return true
		}
	}
	return false
}

// control sets, as net makes a socket, the options the program set on it
// before.
func (d *door) control(_, _ string, rc syscall.RawConn) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		for _, o := range d.opts {
			if err = syscall.SetsockoptInt(int(fd), o.level, o.name, o.value); err != nil {
				return
			}
		}
	})
	return errors.Join(cerr, err)
}

// held reports whether a socket of the host holds port.
func (h *host) held(network string, port uint16) bool {
	for _, p := range h.procs {
		for _, d := range p.fds {
			if d.network == network && d.bound && d.local.Port() == port {
				return true
			}
		}
	}
	return false
}

// ephemeral tries the ports the simulator would pick, from 49152 up, the
// first free one from where the host's count stands, with make (a bind):
// Linux's own pick is random, and a scenario names the port it expects.
func (p *proc) ephemeral(network string, make func(port uint16) error) (uint16, error) {
	const span = 65535 - ephemeralFirst + 1
	cur := max(int(p.h.nextEph[network]), ephemeralFirst)
	var err error
	for i := 0; i < span; i++ {
		port := uint16(ephemeralFirst + (cur-ephemeralFirst+i)%span)
		p.t.mu.Lock()
		taken := p.h.held(network, port)
		p.t.mu.Unlock()
		if taken {
			continue
		}
		if err = make(port); errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EADDRNOTAVAIL) {
			continue
		}
		// The port was the socket's even when the call then failed (a
		// connection refused): the next socket gets the next one.
		p.h.nextEph[network] = port + 1
		return port, err
	}
	return 0, err
}

// --- the calls ---

// socket: Go's net makes the socket inside the call that first needs it
// (net.Listen, net.Dial, net.ListenUDP), so here it is only an fd.
func (p *proc) socket(network string) result {
	return ok(strconv.Itoa(p.newFD(&door{network: network})))
}

// bind: a UDP socket is made and bound now, by net.ListenUDP; Go has no
// bind of a TCP socket alone, so net.Listen or net.Dialer binds it later,
// and an address in use is then that call's error.
func (p *proc) bind(fd int, addr string) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	ap := netip.MustParseAddrPort(addr)
	switch {
	case d.bound:
		return fail(syscall.EINVAL)
	case !ap.Addr().IsUnspecified() && !p.owns(ap.Addr()):
		return fail(syscall.EADDRNOTAVAIL)
	case !p.root && ap.Port() > 0 && ap.Port() < 1024:
		// One program plays every process, so it refuses for those that
		// are not root what their kernel would.
		return fail(syscall.EACCES)
	}
	if d.network == "tcp" {
		d.local, d.bound = ap, true
		return ok("0")
	}
	if ap.Port() == 0 {
		port, err := p.ephemeral("udp", func(port uint16) error {
			return p.listenUDP(d, netip.AddrPortFrom(ap.Addr(), port))
		})
		if err != nil {
			return result{err: err}
		}
		ap = netip.AddrPortFrom(ap.Addr(), port)
	} else if err := p.listenUDP(d, ap); err != nil {
		return result{err: err}
	}
	p.t.mu.Lock()
	d.local, d.bound = ap, true
	p.t.mu.Unlock()
	return ok("0")
}

func (p *proc) listenUDP(d *door, ap netip.AddrPort) error {
	lc := net.ListenConfig{Control: d.control}
	pc, err := lc.ListenPacket(context.Background(), "udp4", p.real(ap).String())
	if err != nil {
		return err
	}
	d.pc = pc.(*net.UDPConn)
	return nil
}

// listen: net.Listen is socket, bind and listen in one; its backlog is the
// kernel's somaxconn, not the scenario's.
func (p *proc) listen(fd int, backlog int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if d.network != "tcp" {
		return fail(syscall.EOPNOTSUPP)
	}
	if d.ln != nil {
		return ok("0")
	}
	listen := func(ap netip.AddrPort) error {
		lc := net.ListenConfig{Control: d.control}
		ln, err := lc.Listen(context.Background(), "tcp4", p.real(ap).String())
		if err != nil {
			return err
		}
		p.t.mu.Lock()
		d.ln, d.local, d.bound = ln.(*net.TCPListener), ap, true
		p.t.mu.Unlock()
		return nil
	}
	if d.bound {
		return zero(listen(d.local))
	}
	_, err := p.ephemeral("tcp", func(port uint16) error {
		return listen(netip.AddrPortFrom(netip.IPv4Unspecified(), port))
	})
	return zero(err)
}

// accept takes the next connection: net's Accept, a new fd.
func (p *proc) accept(fd int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if d.ln == nil {
		return fail(syscall.EINVAL)
	}
	if d.nonblock {
		d.ln.SetDeadline(time.Now())
	} else {
		d.ln.SetDeadline(time.Time{})
	}
	c, err := d.ln.Accept()
	if err != nil {
		return result{err: err}
	}
	nd := &door{network: "tcp", conn: c, local: d.local, bound: true}
	return ok(fmt.Sprintf("%d from %v", p.newFD(nd), p.t.scenario(addrOf(c.RemoteAddr()))))
}

// connect: net.Dial (with the bound or next ephemeral port as the
// Dialer's LocalAddr) is socket, bind and connect in one. Go connects a UDP
// socket only as it makes it, so a bound one is made again, connected.
// Go has no non-blocking connect: a goroutine dials, and poll waits for it.
func (p *proc) connect(fd int, addr string) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	dst := netip.MustParseAddrPort(addr)
	if r := p.reach(dst.Addr()); r.err != nil {
		return r
	}
	if d.conn != nil && d.network == "tcp" {
		return fail(syscall.EISCONN)
	}
	if d.dialing != nil {
		return fail(syscall.EALREADY)
	}
	local := d.local
	if !d.bound {
		local = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	}
	if d.pc != nil {
		d.stale = append(d.stale, d.pc)
		d.pc.Close()
		d.pc = nil
	}
	dial := func(port uint16) error {
		dl := net.Dialer{Control: d.control, LocalAddr: netAddr(d.network, p.real(netip.AddrPortFrom(local.Addr(), port)))}
		c, err := dl.Dial(d.network+"4", p.real(dst).String())
		if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EADDRNOTAVAIL) {
			return err
		}
		// Bound even when the connection is refused, as the kernel's
		// socket stays bound to its port.
		p.t.mu.Lock()
		d.local, d.bound = netip.AddrPortFrom(local.Addr(), port), true
		if err == nil {
			d.conn = c
		}
		p.t.mu.Unlock()
		return err
	}
	do := func() error {
		if d.bound {
			return dial(local.Port())
		}
		_, err := p.ephemeral(d.network, dial)
		return err
	}
	if d.nonblock && d.network == "tcp" {
		d.dialing = make(chan error, 1)
		go func() { d.dialing <- do() }()
		return fail(syscall.EINPROGRESS)
	}
	if err := do(); err != nil {
		return result{err: err}
	}
	return ok("0")
}

func netAddr(network string, ap netip.AddrPort) net.Addr {
	if network == "udp" {
		return net.UDPAddrFromAddrPort(ap)
	}
	return net.TCPAddrFromAddrPort(ap)
}

// deadline gives a call the time it may wait: none on a non-blocking
// socket (a deadline in the past is Go's way to say "do not wait"), the
// SO_RCVTIMEO the program set for a read, or for ever.
func (d *door) deadline(read bool) time.Time {
	switch {
	case d.nonblock:
		return time.Now()
	case read && d.rcvtimeo > 0:
		return time.Now().Add(d.rcvtimeo)
	}
	return time.Time{}
}

// send writes to a connected socket: Write returns when all of it is in
// the send buffer, as a blocking send does.
func (p *proc) send(fd int, data []byte) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if d.conn == nil {
		if d.network == "udp" {
			return fail(syscall.EDESTADDRREQ)
		}
		return fail(syscall.ENOTCONN)
	}
	d.conn.SetWriteDeadline(d.deadline(false))
	n, err := d.conn.Write(data)
	if err != nil && (n == 0 || !errors.Is(err, os.ErrDeadlineExceeded)) {
		return result{err: err}
	}
	return ok(strconv.Itoa(n))
}

// sendPattern sends size=N: the shell's N deterministic bytes, and on a
// TCP socket their sha256, to check the transfer.
func (p *proc) sendPattern(fd, n int) result {
	data := pattern(n)
	r := p.send(fd, data)
	d, _, found := p.door(fd)
	if r.err == nil && found && d.network == "tcp" && r.out == strconv.Itoa(n) {
		r.out = fmt.Sprintf("%d sha256=%x", n, sha256.Sum256(data))
	}
	return r
}

// sendto sends one datagram; an unbound socket is made and bound to the
// next ephemeral port first, as the kernel does.
func (p *proc) sendto(fd int, addr string, data []byte) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	dst := netip.MustParseAddrPort(addr)
	if d.network != "udp" {
		return p.send(fd, data)
	}
	if r := p.reach(dst.Addr()); r.err != nil {
		return r
	}
	if d.pc == nil && d.conn == nil {
		port, err := p.ephemeral("udp", func(port uint16) error {
			return p.listenUDP(d, netip.AddrPortFrom(netip.IPv4Unspecified(), port))
		})
		if err != nil {
			return result{err: err}
		}
		p.t.mu.Lock()
		d.local, d.bound = netip.AddrPortFrom(netip.IPv4Unspecified(), port), true
		p.t.mu.Unlock()
	}
	if d.conn != nil {
		return fail(syscall.EISCONN)
	}
	n, err := d.pc.WriteToUDPAddrPort(data, p.real(dst))
	if err != nil {
		return result{err: err}
	}
	return ok(strconv.Itoa(n))
}

func (p *proc) sendtoPattern(fd int, addr string, n int) result {
	return p.sendto(fd, addr, pattern(n))
}

// recv reads up to n bytes; Go's io.EOF is C's 0, end of file.
func (p *proc) recv(fd, n int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if d.conn == nil {
		if d.pc != nil {
			return p.recvfromAs(d, n, false)
		}
		return fail(syscall.ENOTCONN)
	}
	buf := make([]byte, n)
	d.conn.SetReadDeadline(d.deadline(true))
	got, err := d.conn.Read(buf)
	switch {
	case err == io.EOF:
		return ok("0 (end of file)")
	case err != nil:
		return result{err: err}
	}
	return ok(fmt.Sprintf("%d %s", got, quote(buf[:got])))
}

// recvAll reads a stream to its end: io.ReadAll.
func (p *proc) recvAll(fd int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if d.conn == nil || d.network != "tcp" {
		return fail(syscall.EOPNOTSUPP)
	}
	d.conn.SetReadDeadline(time.Time{})
	data, err := io.ReadAll(d.conn)
	if err != nil {
		return result{err: err}
	}
	return ok(fmt.Sprintf("%d bytes sha256=%x", len(data), sha256.Sum256(data)))
}

// recvfrom reads one datagram and who sent it.
func (p *proc) recvfrom(fd, n int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	return p.recvfromAs(d, n, true)
}

func (p *proc) recvfromAs(d *door, n int, from bool) result {
	var c *net.UDPConn
	switch {
	case d.pc != nil:
		c = d.pc
	case d.conn != nil && d.network == "udp":
		c = d.conn.(*net.UDPConn)
	case d.conn != nil:
		r := p.recvConn(d, n)
		return r
	default:
		// An unbound UDP socket: nothing can come to it. Go has no value
		// for it yet; wait as the kernel would, until the timeout.
		if d.nonblock || d.rcvtimeo > 0 {
			time.Sleep(time.Until(d.deadline(true)))
			return fail(syscall.EAGAIN)
		}
		return result{err: errors.New("would block forever: nothing can come to a UDP socket that is not bound")}
	}
	buf := make([]byte, n)
	c.SetReadDeadline(d.deadline(true))
	got, _, flags, src, err := c.ReadMsgUDPAddrPort(buf, nil)
	if err != nil {
		return result{err: err}
	}
	cut := ""
	if flags&syscall.MSG_TRUNC != 0 {
		cut = " (cut)" // Go's ReadMsgUDP does not say from how long
	}
	if !from {
		return ok(fmt.Sprintf("%d %s%s", got, quote(buf[:got]), cut))
	}
	return ok(fmt.Sprintf("%d from %v %s%s", got, p.t.scenario(src), quote(buf[:got]), cut))
}

func (p *proc) recvConn(d *door, n int) result {
	buf := make([]byte, n)
	d.conn.SetReadDeadline(d.deadline(true))
	got, err := d.conn.Read(buf)
	if err == io.EOF {
		return ok("0 (end of file)")
	}
	if err != nil {
		return result{err: err}
	}
	return ok(fmt.Sprintf("%d %s", got, quote(buf[:got])))
}

// raw reaches the fd under d's Go value, for the options net has no
// method for; false when net has not made the socket yet.
func (d *door) raw() (syscall.RawConn, bool) {
	var sc syscall.Conn
	switch {
	case d.ln != nil:
		sc = d.ln
	case d.pc != nil:
		sc = d.pc
	case d.conn != nil:
		sc = d.conn.(syscall.Conn)
	default:
		return nil, false
	}
	rc, err := sc.SyscallConn()
	return rc, err == nil
}

// options are the options the shell knows, by name: level, option.
var options = map[string][2]int{
	"SO_REUSEADDR": {syscall.SOL_SOCKET, syscall.SO_REUSEADDR}, "SO_BROADCAST": {syscall.SOL_SOCKET, syscall.SO_BROADCAST},
	"SO_RCVBUF": {syscall.SOL_SOCKET, syscall.SO_RCVBUF}, "SO_SNDBUF": {syscall.SOL_SOCKET, syscall.SO_SNDBUF},
	"SO_ERROR": {syscall.SOL_SOCKET, syscall.SO_ERROR}, "SO_LINGER": {syscall.SOL_SOCKET, syscall.SO_LINGER},
	"IP_TTL": {syscall.IPPROTO_IP, syscall.IP_TTL}, "IP_RECVERR": {syscall.IPPROTO_IP, syscall.IP_RECVERR},
	"IP_MTU_DISCOVER": {syscall.IPPROTO_IP, syscall.IP_MTU_DISCOVER}, "IP_MTU": {syscall.IPPROTO_IP, syscall.IP_MTU},
	"TCP_NODELAY": {syscall.IPPROTO_TCP, syscall.TCP_NODELAY},
}

// setsockopt sets an option: SO_RCVTIMEO is a deadline before each read in
// Go, TCP_NODELAY and SO_LINGER are methods, the rest go through
// syscall.RawConn, or through net.ListenConfig's Control when net has not
// made the socket yet.
func (p *proc) setsockopt(fd int, name string, value int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if name == "SO_RCVTIMEO" {
		d.rcvtimeo = time.Duration(value) * time.Millisecond
		return ok("0")
	}
	if tc, isTCP := d.conn.(*net.TCPConn); isTCP {
		switch name {
		case "TCP_NODELAY":
			return zero(tc.SetNoDelay(value != 0))
		case "SO_LINGER":
			return zero(tc.SetLinger(value))
		}
	}
	o := options[name]
	if name == "SO_LINGER" {
		return fail(syscall.ENOPROTOOPT) // a struct linger: only a connection's SetLinger here
	}
	rc, made := d.raw()
	if !made {
		d.opts = append(d.opts, sockopt{o[0], o[1], value})
		return ok("0")
	}
	var err error
	if cerr := rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), o[0], o[1], value) }); cerr != nil {
		return result{err: cerr}
	}
	return zero(err)
}

func zero(err error) result {
	if err != nil {
		return result{err: err}
	}
	return ok("0")
}

// getsockopt reads an option through syscall.RawConn.
func (p *proc) getsockopt(fd int, name string) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	if name == "SO_RCVTIMEO" {
		return ok(strconv.Itoa(int(d.rcvtimeo.Milliseconds())))
	}
	if name == "SO_ERROR" && d.dialing != nil {
		return ok("0") // net.Dial reads SO_ERROR itself and returns the error
	}
	o := options[name]
	rc, made := d.raw()
	if !made {
		for _, s := range d.opts {
			if s.level == o[0] && s.name == o[1] {
				return ok(strconv.Itoa(s.value))
			}
		}
		return ok("0")
	}
	var v int
	var err error
	if cerr := rc.Control(func(fd uintptr) { v, err = syscall.GetsockoptInt(int(fd), o[0], o[1]) }); cerr != nil {
		return result{err: cerr}
	}
	if err != nil {
		return result{err: err}
	}
	return ok(strconv.Itoa(v))
}

// shutdown shuts one side: a TCP connection's CloseWrite and CloseRead.
func (p *proc) shutdown(fd int, how string) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	tc, isTCP := d.conn.(*net.TCPConn)
	if !isTCP {
		return fail(syscall.ENOTCONN)
	}
	var err error
	if how == "rd" || how == "rdwr" {
		err = tc.CloseRead()
	}
	if how == "wr" || how == "rdwr" {
		err = errors.Join(err, tc.CloseWrite())
	}
	return zero(err)
}

// close closes fd and the Go value behind it.
func (p *proc) close(fd int) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	p.t.mu.Lock()
	delete(p.fds, fd)
	p.t.mu.Unlock()
	if d.dialing != nil {
		d.dialed = <-d.dialing // the goroutine's dial ends first
		d.dialing = nil
	}
	var err error
	for _, c := range []io.Closer{d.ln, d.conn, d.pc} {
		if c != nil && !isNil(c) {
			err = errors.Join(err, c.Close())
		}
	}
	return zero(err)
}

func isNil(c io.Closer) bool {
	switch c := c.(type) {
	case *net.TCPListener:
		return c == nil
	case *net.UDPConn:
		return c == nil
	}
	return c == nil
}

// nonblock makes the socket's calls return at once: Go's sockets are
// non-blocking underneath, and a deadline in the past makes its calls say
// so (os.ErrDeadlineExceeded, printed as EAGAIN).
func (p *proc) nonblock(fd int, on bool) result {
	d, r, found := p.door(fd)
	if !found {
		return r
	}
	d.nonblock = on
	return ok("0")
}

// The poll bits, as <poll.h> has them.
const (
	pollIn   = 0x001
	pollOut  = 0x004
	pollErr  = 0x008
	pollHup  = 0x010
	pollNval = 0x020
)

// pollFd is struct pollfd.
type pollFd struct {
	fd             int32
	events, revent int16
}

// poll waits until one of the fds is ready. Go has no poll (its runtime
// polls under every blocked goroutine), so this asks the kernel itself:
// ppoll(2) on the fds syscall.RawConn reaches. A connect under way in a
// goroutine is ready when its dial ends.
func (p *proc) poll(fds []int, events string, timeout time.Duration) result {
	ev := map[string]int16{"in": pollIn, "out": pollOut, "inout": pollIn | pollOut}[events]
	end := time.Now().Add(timeout)
	for {
		set := make([]pollFd, len(fds))
		revents := make([]int16, len(fds))
		for i, fd := range fds {
			set[i] = pollFd{fd: -1, events: ev}
			d, _, found := p.door(fd)
			switch {
			case !found:
				revents[i] = pollNval
			case d.dialing != nil:
				select {
				case d.dialed = <-d.dialing:
					d.dialing = nil
				default:
				}
				if d.dialing == nil {
					revents[i] = pollOut
					if d.dialed != nil {
						revents[i] = pollOut | pollErr | pollHup
					}
				}
			default:
				if rc, made := d.raw(); made {
					rc.Control(func(u uintptr) { set[i].fd = int32(u) })
				} else {
					revents[i] = pollOut | pollHup // a TCP socket neither listening nor connected
				}
			}
		}
		ts := syscall.Timespec{}
		syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&set[0])), uintptr(len(set)), uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		n := 0
		parts := make([]string, len(fds))
		for i := range fds {
			rev := revents[i] | set[i].revent
			rev &= ev | pollErr | pollHup | pollNval
			if rev != 0 {
				n++
			}
			parts[i] = fmt.Sprintf("%d:%s", fds[i], pollWords(rev))
		}
		if n > 0 || (timeout >= 0 && !time.Now().Before(end)) {
			return ok(fmt.Sprintf("%d [%s]", n, strings.Join(parts, " ")))
		}
		time.Sleep(time.Millisecond) // this program's own poll loop: a blocking ppoll could not see a dial end
	}
}

func pollWords(ev int16) string {
	var parts []string
	for _, b := range []struct {
		bit  int16
		name string
	}{{pollIn, "IN"}, {pollOut, "OUT"}, {pollErr, "ERR"}, {pollHup, "HUP"}, {pollNval, "NVAL"}} {
		if ev&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// quote prints data as the shell does: a Go string of its first 48 bytes.
func quote(b []byte) string {
	if len(b) > 48 {
		return strconv.Quote(string(b[:48])) + "..."
	}
	return strconv.Quote(string(b))
}

// pattern is the shell's size=N: N deterministic, printable bytes.
func pattern(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i+i/len(alphabet))%len(alphabet)]
	}
	return b
}
