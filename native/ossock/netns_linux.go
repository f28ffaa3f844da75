//go:build linux

package ossock

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// LinkProps are the properties of a link as the scenario gives them. The
// same properties apply in both directions: each veth end's egress gets its
// own netem, so a round trip pays Delay twice.
type LinkProps struct {
	Delay   time.Duration // one-way delay; 0 = none
	Rate    int64         // bits per second; 0 = unlimited
	MTU     int           // 0 = 1500
	Loss    float64       // probability in [0,1] that a packet is dropped
	Dup     float64       // probability in [0,1] that a packet is sent twice
	Reorder float64       // probability in [0,1] that a packet skips the delay
	Corrupt float64       // probability in [0,1] that a packet gets a flipped bit
}

// hasNetem reports whether the properties need a qdisc at all (netem, or tbf
// for a rate alone); a link with none of them keeps the kernel's default.
func (p LinkProps) hasNetem() bool {
	return p.Delay > 0 || p.Rate > 0 || p.Loss > 0 || p.Dup > 0 || p.Reorder > 0 || p.Corrupt > 0
}

// describe prints the properties the way a scenario writes them.
func (p LinkProps) describe() string {
	var parts []string
	if p.Delay > 0 {
		parts = append(parts, "delay="+p.Delay.String())
	}
	if p.Rate > 0 {
		parts = append(parts, "rate="+strconv.FormatInt(p.Rate, 10))
	}
	if p.MTU > 0 {
		parts = append(parts, "mtu="+strconv.Itoa(p.MTU))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"loss", p.Loss}, {"dup", p.Dup}, {"reorder", p.Reorder}, {"corrupt", p.Corrupt}} {
		if f.v != 0 {
			parts = append(parts, f.name+"="+pct(f.v))
		}
	}
	return strings.Join(parts, " ")
}

// pct prints a probability as a percentage: 0.015 -> "1.5%".
func pct(p float64) string {
	return strconv.FormatFloat(p*100, 'g', -1, 64) + "%"
}

// NamespacePrefix is the prefix of every namespace a run makes: "sv-<pid>-".
const NamespacePrefix = "sv-"

// dummyName is the name of the dummy device inside each host namespace that
// carries the host's addresses. On a kernel without the dummy driver the
// addresses go on lo instead.
const dummyName = "sv0"

const (
	// netnsDir is where named namespaces live, as for `ip netns`.
	netnsDir = "/run/netns"
	// netemLimit is netem's queue length in packets.
	netemLimit = 1000
	// reorderDelay is the delay a link gets when it reorders but has no delay
	// of its own: netem reorders by letting some packets skip the delay the
	// others wait, so with no delay nothing can be overtaken.
	reorderDelay = time.Millisecond
	// defaultMTU is a link's MTU when the scenario gives none.
	defaultMTU = 1500
	// maxHostPart is how much of a host's name goes into its namespace name.
	maxHostPart = 48
)

// Iface is one veth end inside a host's namespace.
type Iface struct {
	Name  string // the device's name in the host's namespace, "v-<peer>"
	Index int    // the device's ifindex in the host's namespace
	Link  string // the link it belongs to, "a-b" as the scenario named it
	Peer  string // the host at the other end
}

// Town is the namespaces of one run: one network namespace per host, joined
// by veth pairs. Its methods are safe for concurrent use.
type Town struct {
	mu      sync.RWMutex
	hosts   map[string]*host
	order   []string // host names in the order they were added
	links   map[[2]string]*link
	cleaned []string
	closed  bool
}

// host is one host's namespace and what was made in it.
type host struct {
	name    string
	ns      string         // namespace name under /run/netns
	fd      netns.NsHandle // open handle on the namespace
	nl      *netlink.Handle
	addrs   []netip.Prefix
	forward bool
	devs    map[string]bool // device names taken in the namespace
	addrDev string          // the device carrying addrs: dummyName, or "lo"
	ifaces  []Iface
}

// link is one veth pair.
type link struct {
	a, b         string // hosts, as given to AddLink
	aDev, bDev   string // device names: aDev is in a, bDev in b
	aIdx, bIdx   int
	props        LinkProps
	aHost, bHost *host
}

func (l *link) name() string { return l.a + "-" + l.b }

// namesMu guards namesInUse: several towns may live in one process (tests,
// benchmarks), and their hosts may share names.
var (
	namesMu    sync.Mutex
	namesInUse = map[string]bool{}
)

// NewTown removes stale namespaces of dead runs (see CleanStale; Cleaned
// reports what it removed), checks that this process may create network
// namespaces, and returns an empty town. Without CAP_NET_ADMIN it fails with an
// error that says so.
func NewTown() (*Town, error) {
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		return nil, fmt.Errorf("ossock: preparing %s: %w", netnsDir, err)
	}
	if err := probeNetns(); err != nil {
		return nil, err
	}
	cleaned, err := CleanStale()
	if err != nil {
		return nil, err
	}
	return &Town{
		hosts:   map[string]*host{},
		links:   map[[2]string]*link{},
		cleaned: cleaned,
	}, nil
}

// probeNetns makes a throwaway namespace on a thread that then dies, to fail
// early and clearly when the process lacks the capability.
func probeNetns() error {
	errc := make(chan error, 1)
	onOwnThread(func() { errc <- unix.Unshare(unix.CLONE_NEWNET) })
	if err := <-errc; err != nil {
		return nsPermErr("ossock: cannot create a network namespace", err)
	}
	return nil
}

// onOwnThread runs f in a new goroutine locked to its OS thread, for f to
// move that thread into another network namespace. The goroutine exits
// still locked, so the runtime terminates the thread instead of handing it,
// in the wrong namespace, to other goroutines. The one exception is the
// process's main thread, which the runtime cannot terminate and would instead
// park forever, keeping the namespace alive: that thread is put back into its
// namespace and unlocked.
func onOwnThread(f func()) {
	go func() {
		runtime.LockOSThread()
		orig := netns.None()
		if unix.Gettid() == unix.Getpid() {
			orig, _ = netns.Get()
		}
		f()
		if orig.IsOpen() {
			if netns.Set(orig) == nil {
				runtime.UnlockOSThread()
			}
			orig.Close()
		}
	}()
}

// nsPermErr names CAP_NET_ADMIN when err is a permission error.
func nsPermErr(what string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%s (this needs CAP_NET_ADMIN: run as root or grant the capability): %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Cleaned returns the names of the stale namespaces NewTown removed.
func (t *Town) Cleaned() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]string(nil), t.cleaned...)
}

// CleanStale removes the namespaces under /run/netns named "sv-<pid>-..."
// whose pid is not a live process, and returns their names. It never touches
// a namespace without that prefix or one whose process is alive.
func CleanStale() ([]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ossock: listing %s: %w", netnsDir, err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		pid, ok := namespacePid(e.Name())
		if !ok {
			continue
		}
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil || !errors.Is(err, os.ErrNotExist) {
			continue // alive, or cannot tell: leave it
		}
		if err := deleteNamed(e.Name()); err != nil {
			errs = append(errs, fmt.Errorf("ossock: removing stale namespace %s: %w", e.Name(), err))
			continue
		}
		removed = append(removed, e.Name())
	}
	return removed, errors.Join(errs...)
}

// namespacePid parses "sv-<pid>-<rest>".
func namespacePid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, NamespacePrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok || digits == "" {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// deleteNamed removes a named namespace: unmount and unlink, as `ip netns
// del` does. A file that is no longer a mount point is still unlinked.
func deleteNamed(name string) error {
	err := netns.DeleteNamed(name)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		err = os.Remove(filepath.Join(netnsDir, name))
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	}
	return err
}

// sanitize keeps the characters that are safe in namespace and device names.
func sanitize(s string, max int) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > max {
		out = out[:max]
	}
	if out == "" || out == "." || out == ".." {
		out = "_"
	}
	return out
}

// uniqueName returns base, or base with a "-N" suffix within max characters,
// the first that taken does not hold.
func uniqueName(base string, max int, taken func(string) bool) string {
	if len(base) > max {
		base = base[:max]
	}
	if !taken(base) {
		return base
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		cand := base
		if len(cand)+len(suffix) > max {
			cand = cand[:max-len(suffix)]
		}
		cand += suffix
		if !taken(cand) {
			return cand
		}
	}
}

// reserveNamespace picks a free "sv-<pid>-<host>" name and marks it in use.
func reserveNamespace(hostName string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	base := NamespacePrefix + strconv.Itoa(os.Getpid()) + "-" + sanitize(hostName, maxHostPart)
	name := uniqueName(base, len(base)+8, func(s string) bool {
		if namesInUse[s] {
			return true
		}
		_, err := os.Lstat(filepath.Join(netnsDir, s))
		return err == nil
	})
	namesInUse[name] = true
	return name
}

func releaseNamespace(name string) {
	namesMu.Lock()
	delete(namesInUse, name)
	namesMu.Unlock()
}

// AddHost makes host name's namespace: lo up, the sysctls every host needs
// (rp_filter off, ping sockets for every group; ip_forward when forward is
// set), and a dummy device sv0 (lo on a kernel without the dummy driver)
// carrying addrs with no prefix route, so that
// only the routes AddLink and AddRoute make lead anywhere. On error nothing
// is left behind.
func (t *Town) AddHost(name string, addrs []netip.Prefix, forward bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("host %s: town is closed", name)
	}
	if name == "" {
		return errors.New("host: empty name")
	}
	if _, ok := t.hosts[name]; ok {
		return fmt.Errorf("host %s: already exists", name)
	}
	for _, a := range addrs {
		if !a.IsValid() {
			return fmt.Errorf("host %s: invalid address %v", name, a)
		}
	}
	h := &host{
		name:    name,
		ns:      reserveNamespace(name),
		fd:      netns.None(), // not 0: that is stdin
		addrs:   append([]netip.Prefix(nil), addrs...),
		forward: forward,
		devs:    map[string]bool{"lo": true, dummyName: true},
	}
	if err := h.create(); err != nil {
		h.destroy()
		return fmt.Errorf("host %s: %w", name, err)
	}
	t.hosts[name] = h
	t.order = append(t.order, name)
	return nil
}

// create makes the namespace and sets it up, on a locked thread that dies
// afterwards so the calling goroutine's thread never changes namespace.
func (h *host) create() error {
	type result struct {
		fd  netns.NsHandle
		nl  *netlink.Handle
		err error
	}
	resc := make(chan result, 1)
	onOwnThread(func() {
		var r result
		r.fd, r.err = netns.NewNamed(h.ns)
		if r.err != nil {
			r.err = nsPermErr("creating namespace "+h.ns, r.err)
			resc <- r
			return
		}
		r.nl, r.err = netlink.NewHandle(unix.NETLINK_ROUTE)
		if r.err != nil {
			r.err = fmt.Errorf("netlink socket in %s: %w", h.ns, r.err)
			resc <- r
			return
		}
		r.err = h.setup(r.nl)
		resc <- r
	})
	r := <-resc
	h.fd, h.nl = r.fd, r.nl
	return r.err
}

// setup runs on a thread inside h's namespace.
func (h *host) setup(nh *netlink.Handle) error {
	sysctls := []struct{ path, value string }{
		// Forwarded packets arrive on one veth and leave on another, with
		// sources that strict reverse-path filtering would drop. The
		// default must be 0 before any veth exists, as devices copy it.
		{"net/ipv4/conf/all/rp_filter", "0"},
		{"net/ipv4/conf/default/rp_filter", "0"},
		// Unprivileged ICMP datagram (ping) sockets for every group.
		{"net/ipv4/ping_group_range", "0 2147483647"},
	}
	if h.forward {
		sysctls = append(sysctls, struct{ path, value string }{"net/ipv4/ip_forward", "1"})
	}
	for _, s := range sysctls {
		// /proc/sys/net belongs to the opening thread's namespace.
		if err := os.WriteFile("/proc/sys/"+s.path, []byte(s.value), 0o644); err != nil {
			return fmt.Errorf("sysctl %s=%s: %w", strings.ReplaceAll(s.path, "/", "."), s.value, err)
		}
	}
	lo, err := nh.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("finding lo: %w", err)
	}
	if err := nh.LinkSetUp(lo); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	// The host's addresses sit on one device of their own, not on the
	// veths: a host with several links still has one address.
	dev := lo
	attrs := netlink.NewLinkAttrs()
	attrs.Name = dummyName
	switch err := nh.LinkAdd(&netlink.Dummy{LinkAttrs: attrs}); {
	case err == nil:
		if dev, err = nh.LinkByName(dummyName); err != nil {
			return fmt.Errorf("finding %s: %w", dummyName, err)
		}
		h.addrDev = dummyName
	case errors.Is(err, unix.EOPNOTSUPP):
		// A kernel built without the dummy driver (some microVM
		// kernels): lo serves as well. Its addresses are local, are
		// preferred as sources, and with no prefix route nothing is
		// routed into it.
		h.addrDev = "lo"
	default:
		return fmt.Errorf("adding %s: %w", dummyName, err)
	}
	for _, a := range h.addrs {
		flags := unix.IFA_F_NOPREFIXROUTE
		if a.Addr().Is6() {
			flags |= unix.IFA_F_NODAD
		}
		addr := &netlink.Addr{IPNet: ipNet(a), Flags: flags}
		if err := nh.AddrAdd(dev, addr); err != nil {
			return fmt.Errorf("address %v on %s: %w", a, h.addrDev, err)
		}
	}
	if err := nh.LinkSetUp(dev); err != nil {
		return fmt.Errorf("%s up: %w", h.addrDev, err)
	}
	return nil
}

// destroy closes h's handles and removes its namespace, which takes every
// device, address, route and qdisc in it along.
func (h *host) destroy() error {
	if h.nl != nil {
		h.nl.Close()
		h.nl = nil
	}
	if h.fd.IsOpen() {
		h.fd.Close()
	}
	h.fd = netns.None()
	var err error
	if _, statErr := os.Lstat(filepath.Join(netnsDir, h.ns)); statErr == nil {
		err = deleteNamed(h.ns)
	}
	releaseNamespace(h.ns)
	return err
}

// ipNet converts a prefix (address with its prefix length) to a *net.IPNet
// that keeps the host bits, as netlink.Addr wants.
func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// hostRoute is the /32 (or /128) prefix of a.
func hostRoute(a netip.Addr) *net.IPNet {
	return &net.IPNet{IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(a.BitLen(), a.BitLen())}
}

// firstAddr is h's first address of a's family, or nil.
func (h *host) firstAddr(a netip.Addr) net.IP {
	for _, p := range h.addrs {
		if p.Addr().Is4() == a.Is4() {
			return net.IP(p.Addr().AsSlice())
		}
	}
	return nil
}

// lookup finds a link by its two hosts in either order.
func (t *Town) lookup(a, b string) *link {
	if l, ok := t.links[[2]string{a, b}]; ok {
		return l
	}
	return t.links[[2]string{b, a}]
}

// validate checks link properties before anything is made.
func (p LinkProps) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"loss", p.Loss}, {"dup", p.Dup}, {"reorder", p.Reorder}, {"corrupt", p.Corrupt}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("netem refused %s=%s: a probability must be in [0%%,100%%]", f.name, pct(f.v))
		}
	}
	if p.Delay < 0 || p.Delay > maxDelay() {
		return fmt.Errorf("netem refused delay=%v: it must be in [0,%v]", p.Delay, maxDelay().Truncate(time.Second))
	}
	if p.Rate < 0 {
		return fmt.Errorf("netem refused rate=%d: it must be >= 0", p.Rate)
	}
	if p.MTU < 0 {
		return fmt.Errorf("bad mtu=%d", p.MTU)
	}
	return nil
}

// maxDelay is the largest delay netem's 32-bit tick latency holds.
func maxDelay() time.Duration {
	return time.Duration(float64(math.MaxUint32)/netlink.TickInUsec()) * time.Microsecond
}

// AddLink joins hosts a and b by a veth pair: "v-<b>" in a's namespace and
// "v-<a>" in b's, both up with p's MTU, netem on each end's egress when p
// asks for any impairment, and in each host a /32 route to each of the other
// host's addresses through its end (scope link, source its own first
// address). Hosts added later do not change the link. On error nothing of the
// link is left.
func (t *Town) AddLink(a, b string, p LinkProps) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	lname := a + "-" + b
	if t.closed {
		return fmt.Errorf("link %s: town is closed", lname)
	}
	ha, ok := t.hosts[a]
	if !ok {
		return fmt.Errorf("link %s: unknown host %s", lname, a)
	}
	hb, ok := t.hosts[b]
	if !ok {
		return fmt.Errorf("link %s: unknown host %s", lname, b)
	}
	if a == b {
		return fmt.Errorf("link %s: a host cannot link to itself", lname)
	}
	if t.lookup(a, b) != nil {
		return fmt.Errorf("link %s: the hosts are already linked", lname)
	}
	if err := p.validate(); err != nil {
		return fmt.Errorf("link %s: %w", lname, err)
	}
	l := &link{
		a: a, b: b, props: p, aHost: ha, bHost: hb,
		aDev: uniqueName("v-"+sanitize(b, 13), 15, func(s string) bool { return ha.devs[s] }),
		bDev: uniqueName("v-"+sanitize(a, 13), 15, func(s string) bool { return hb.devs[s] }),
	}
	if err := t.makeLink(l); err != nil {
		// Deleting one end of a veth pair deletes the other, and with them
		// their routes and qdiscs.
		if dev, lerr := ha.nl.LinkByName(l.aDev); lerr == nil {
			ha.nl.LinkDel(dev)
		}
		if dev, lerr := hb.nl.LinkByName(l.bDev); lerr == nil {
			hb.nl.LinkDel(dev)
		}
		return fmt.Errorf("link %s: %w", lname, err)
	}
	ha.devs[l.aDev] = true
	hb.devs[l.bDev] = true
	ha.ifaces = append(ha.ifaces, Iface{Name: l.aDev, Index: l.aIdx, Link: lname, Peer: b})
	hb.ifaces = append(hb.ifaces, Iface{Name: l.bDev, Index: l.bIdx, Link: lname, Peer: a})
	t.links[[2]string{a, b}] = l
	return nil
}

func (t *Town) makeLink(l *link) error {
	ha, hb := l.aHost, l.bHost
	mtu := l.props.MTU
	if mtu == 0 {
		mtu = defaultMTU
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = l.aDev
	attrs.MTU = mtu
	veth := &netlink.Veth{
		LinkAttrs:     attrs,
		PeerName:      l.bDev,
		PeerMTU:       uint32(mtu),
		PeerTxQLen:    -1,
		PeerNamespace: netlink.NsFd(int(hb.fd)),
	}
	// Made through a's netlink socket, the pair is born in a's namespace with
	// its peer in b's: the root namespace never sees it.
	if err := ha.nl.LinkAdd(veth); err != nil {
		return fmt.Errorf("veth %s/%s (mtu %d): %w", l.aDev, l.bDev, mtu, err)
	}
	aEnd, err := ha.nl.LinkByName(l.aDev)
	if err != nil {
		return fmt.Errorf("finding %s in %s: %w", l.aDev, l.a, err)
	}
	bEnd, err := hb.nl.LinkByName(l.bDev)
	if err != nil {
		return fmt.Errorf("finding %s in %s: %w", l.bDev, l.b, err)
	}
	l.aIdx, l.bIdx = aEnd.Attrs().Index, bEnd.Attrs().Index
	if err := setQdisc(ha.nl, l.aIdx, l.props); err != nil {
		return fmt.Errorf("%s in %s: %w", l.aDev, l.a, err)
	}
	if err := setQdisc(hb.nl, l.bIdx, l.props); err != nil {
		return fmt.Errorf("%s in %s: %w", l.bDev, l.b, err)
	}
	if err := ha.nl.LinkSetUp(aEnd); err != nil {
		return fmt.Errorf("%s up in %s: %w", l.aDev, l.a, err)
	}
	if err := hb.nl.LinkSetUp(bEnd); err != nil {
		return fmt.Errorf("%s up in %s: %w", l.bDev, l.b, err)
	}
	if err := linkRoutes(ha, hb, l.aIdx); err != nil {
		return err
	}
	return linkRoutes(hb, ha, l.bIdx)
}

// linkRoutes adds in from a /32 route to each of to's addresses via from's
// veth end with index idx.
func linkRoutes(from, to *host, idx int) error {
	for _, p := range to.addrs {
		r := &netlink.Route{
			LinkIndex: idx,
			Dst:       hostRoute(p.Addr()),
			Src:       from.firstAddr(p.Addr()),
			Scope:     netlink.SCOPE_LINK,
		}
		if err := from.nl.RouteAdd(r); err != nil {
			return fmt.Errorf("route in %s to %v: %w", from.name, p.Addr(), err)
		}
	}
	return nil
}

// prob maps a probability in [0,1] to netem's 32-bit fraction, where
// math.MaxUint32 means always. (The library's Percentage2u32 takes a float32
// percentage and overflows just below 100%; this does it in float64.)
func prob(p float64) uint32 {
	if p >= 1 {
		return math.MaxUint32
	}
	if p <= 0 {
		return 0
	}
	return uint32(math.Round(p * math.MaxUint32))
}

// needsNetem reports whether p asks for something only netem does.
func (p LinkProps) needsNetem() bool {
	return p.Delay > 0 || p.Loss > 0 || p.Dup > 0 || p.Reorder > 0 || p.Corrupt > 0
}

// rootQdisc is the root qdisc device idx needs for p: netem (with its own
// rate field when p has a rate too), a plain tbf for a link that only has a
// rate, or nil for a link with no impairment at all.
func rootQdisc(idx int, p LinkProps) netlink.Qdisc {
	attrs := netlink.QdiscAttrs{
		LinkIndex: idx,
		Handle:    netlink.MakeHandle(1, 0),
		Parent:    netlink.HANDLE_ROOT,
	}
	switch {
	case p.needsNetem():
		return netemFor(attrs, p)
	case p.Rate > 0:
		return tbfFor(attrs, p)
	}
	return nil
}

// netemFor builds the netem qdisc for p.
func netemFor(attrs netlink.QdiscAttrs, p LinkProps) *netlink.Netem {
	delay := p.Delay
	if p.Reorder > 0 && delay == 0 {
		// netem reorders by sending some packets at once while the rest
		// wait out the delay; with no delay nothing waits, so nothing can
		// be overtaken and the kernel ignores the reorder. Give such a link
		// a small delay so the reordering asked for happens.
		delay = reorderDelay
	}
	q := netlink.NewNetem(attrs, netlink.NetemQdiscAttrs{
		Latency:     uint32(delay / time.Microsecond), // NewNetem converts µs to ticks
		Limit:       netemLimit,
		Loss:        float32(p.Loss * 100), // NewNetem wants percents; overridden below
		Duplicate:   float32(p.Dup * 100),
		ReorderProb: float32(p.Reorder * 100), // also sets gap 1, as tc does
		CorruptProb: float32(p.Corrupt * 100),
		// netem's rate is in bytes per second (tc prints it as bits).
		Rate64: uint64(p.Rate / 8),
	})
	q.Loss, q.Duplicate, q.ReorderProb, q.CorruptProb = prob(p.Loss), prob(p.Dup), prob(p.Reorder), prob(p.Corrupt)
	return q
}

// tbfFor builds a token bucket for a link that has a rate and nothing else.
// The bucket holds 10 ms of traffic but at least two full frames; the queue
// holds netemLimit full frames, as netem's would.
func tbfFor(attrs netlink.QdiscAttrs, p LinkProps) *netlink.Tbf {
	mtu := p.MTU
	if mtu == 0 {
		mtu = defaultMTU
	}
	rate := max(uint64(p.Rate/8), 1) // bytes per second
	burst := max(rate/100, uint64(2*(mtu+14)))
	// tbf takes its bucket as the time the burst takes at the rate, in ticks.
	ticks := float64(burst) / float64(rate) * 1e6 * netlink.TickInUsec()
	return &netlink.Tbf{
		QdiscAttrs: attrs,
		Rate:       rate,
		Limit:      uint32(min(uint64(netemLimit*(mtu+14)), math.MaxUint32)),
		Buffer:     uint32(min(ticks, math.MaxUint32)),
	}
}

// setQdisc makes device idx's root qdisc the one p needs, changing netem or
// tbf in place when the kind stays and swapping it otherwise.
func setQdisc(nh *netlink.Handle, idx int, p LinkProps) error {
	dev, err := nh.LinkByIndex(idx)
	if err != nil {
		return fmt.Errorf("finding device %d: %w", idx, err)
	}
	cur, err := ourRoot(nh, dev)
	if err != nil {
		return err
	}
	want := rootQdisc(idx, p)
	if cur != nil && (want == nil || cur.Type() != want.Type()) {
		if err := nh.QdiscDel(cur); err != nil {
			return fmt.Errorf("removing %s: %w", cur.Type(), err)
		}
		cur = nil
	}
	if want == nil {
		return nil
	}
	if cur != nil {
		err = nh.QdiscReplace(want)
	} else {
		err = nh.QdiscAdd(want)
	}
	if err != nil {
		if errors.Is(err, unix.ENOENT) && want.Type() == "netem" {
			err = fmt.Errorf("this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM is not set): %w", err)
		}
		return fmt.Errorf("%s refused %s: %w", want.Type(), p.describe(), err)
	}
	return nil
}

// ourRoot returns dev's root qdisc if it is one this package makes (netem
// or tbf), else nil.
func ourRoot(nh *netlink.Handle, dev netlink.Link) (netlink.Qdisc, error) {
	qs, err := nh.QdiscList(dev)
	if err != nil {
		return nil, fmt.Errorf("listing qdiscs: %w", err)
	}
	for _, q := range qs {
		if q.Attrs().Parent == netlink.HANDLE_ROOT && (q.Type() == "netem" || q.Type() == "tbf") {
			return q, nil
		}
	}
	return nil, nil
}

// SetLink changes an existing link's qdiscs and MTU on both ends to p. On
// error it tries to put the old properties back.
func (t *Town) SetLink(a, b string, p LinkProps) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	lname := a + "-" + b
	if t.closed {
		return fmt.Errorf("link %s: town is closed", lname)
	}
	l := t.lookup(a, b)
	if l == nil {
		return fmt.Errorf("link %s: no such link", lname)
	}
	if err := p.validate(); err != nil {
		return fmt.Errorf("link %s: %w", l.name(), err)
	}
	old := l.props
	if err := l.apply(p); err != nil {
		l.apply(old) // best effort: the error already says what failed
		return fmt.Errorf("link %s: %w", l.name(), err)
	}
	l.props = p
	return nil
}

// apply sets both ends' MTU and netem to p.
func (l *link) apply(p LinkProps) error {
	mtu := p.MTU
	if mtu == 0 {
		mtu = defaultMTU
	}
	ends := []struct {
		h   *host
		dev string
		idx int
	}{{l.aHost, l.aDev, l.aIdx}, {l.bHost, l.bDev, l.bIdx}}
	for _, e := range ends {
		dev, err := e.h.nl.LinkByIndex(e.idx)
		if err != nil {
			return fmt.Errorf("finding %s in %s: %w", e.dev, e.h.name, err)
		}
		if dev.Attrs().MTU != mtu {
			if err := e.h.nl.LinkSetMTU(dev, mtu); err != nil {
				return fmt.Errorf("mtu %d on %s in %s: %w", mtu, e.dev, e.h.name, err)
			}
		}
		if err := setQdisc(e.h.nl, e.idx, p); err != nil {
			return fmt.Errorf("%s in %s: %w", e.dev, e.h.name, err)
		}
	}
	return nil
}

// AddRoute adds a route in host's namespace to dst (which may be 0.0.0.0/0)
// via gateway gw, like `ip route add DST via GW`. The gateway must be
// reachable through one of the host's links.
func (t *Town) AddRoute(hostName string, dst netip.Prefix, gw netip.Addr) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("host %s: town is closed", hostName)
	}
	h, ok := t.hosts[hostName]
	if !ok {
		return fmt.Errorf("host %s: unknown host", hostName)
	}
	if !dst.IsValid() || !gw.IsValid() || dst.Addr().Is4() != gw.Is4() {
		return fmt.Errorf("host %s: route %v via %v: bad destination or gateway", hostName, dst, gw)
	}
	dst = dst.Masked()
	r := &netlink.Route{
		Dst: &net.IPNet{IP: net.IP(dst.Addr().AsSlice()), Mask: net.CIDRMask(dst.Bits(), dst.Addr().BitLen())},
		Gw:  net.IP(gw.AsSlice()),
	}
	if err := h.nl.RouteAdd(r); err != nil {
		return fmt.Errorf("host %s: route %v via %v: %w", hostName, dst, gw, err)
	}
	return nil
}

// Namespace returns host's namespace name, for `ip netns exec`, or "" if the
// town has no such host.
func (t *Town) Namespace(hostName string) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if h, ok := t.hosts[hostName]; ok {
		return h.ns
	}
	return ""
}

// Do runs fn on an OS thread inside host's namespace and returns its error.
// Sockets fn creates belong to that namespace and keep working after Do
// returns. The thread is locked for fn and never handed back to the runtime
// in the namespace: it ends with fn (see onOwnThread), so no other goroutine
// ever runs there. fn must
// not start goroutines that expect to be in the namespace (they are not).
func (t *Town) Do(hostName string, fn func() error) error {
	t.mu.RLock()
	h, ok := t.hosts[hostName]
	if !ok || t.closed {
		t.mu.RUnlock()
		return fmt.Errorf("host %s: unknown host", hostName)
	}
	errc := make(chan error, 1)
	setc := make(chan struct{})
	onOwnThread(func() {
		err := netns.Set(h.fd)
		close(setc)
		if err != nil {
			errc <- fmt.Errorf("host %s: entering namespace %s: %w", h.name, h.ns, err)
			return
		}
		errc <- fn()
	})
	<-setc // the handle is only needed until setns is done
	t.mu.RUnlock()
	return <-errc
}

// Interfaces returns host's veth ends in the order their links were added.
func (t *Town) Interfaces(hostName string) []Iface {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if h, ok := t.hosts[hostName]; ok {
		return append([]Iface(nil), h.ifaces...)
	}
	return nil
}

// Close removes every namespace the town made; deleting a namespace removes
// its veths, routes and qdiscs. Sockets still open in a namespace keep it
// alive in the kernel until they close, but its name is gone at once. Close is
// idempotent.
func (t *Town) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	for _, name := range t.order {
		if err := t.hosts[name].destroy(); err != nil {
			errs = append(errs, fmt.Errorf("host %s: removing namespace: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
