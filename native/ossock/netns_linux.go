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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"socketville/shared/sock"
	wireformat "socketville/shared/wire"
)

// LinkProps are the properties of a link as the scenario gives them. The
// same properties apply in both directions: each direction of the link's wire
// applies them on its own (see wire), so a round trip pays Delay twice.
type LinkProps struct {
	Delay   time.Duration // one-way delay; 0 = none
	Rate    int64         // bits per second; 0 = unlimited
	MTU     int           // 0 = 1500
	Loss    float64       // probability in [0,1] that a packet is dropped
	Dup     float64       // probability in [0,1] that a packet is sent twice
	Reorder float64       // probability in [0,1] that a packet is held back for later ones to pass
	Corrupt float64       // probability in [0,1] that a packet gets a flipped bit
}

// describe prints the properties the way a scenario writes them.
func (p LinkProps) describe() string {
	var parts []string
	if p.Delay > 0 {
		parts = append(parts, "delay="+p.Delay.String())
	}
	if p.Rate > 0 {
		parts = append(parts, "rate="+rateText(p.Rate))
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

// rateText prints bits per second the way a scenario writes them: 1Mbit.
func rateText(bps int64) string {
	switch {
	case bps%1_000_000_000 == 0:
		return strconv.FormatInt(bps/1_000_000_000, 10) + "Gbit"
	case bps%1_000_000 == 0:
		return strconv.FormatInt(bps/1_000_000, 10) + "Mbit"
	case bps%1000 == 0:
		return strconv.FormatInt(bps/1000, 10) + "kbit"
	}
	return strconv.FormatInt(bps, 10) + "bit"
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
	// defaultMTU is a link's MTU when the scenario gives none.
	defaultMTU = 1500
	// maxHostPart is how much of a host's name goes into its namespace name.
	maxHostPart = 48
)

// Iface is one end of a link inside a host's (or switch's) namespace: a
// TAP device whose frames the link's wire carries.
type Iface struct {
	Name  string // the device's name in the namespace: "eth0", ... in a host, "v-<peer>" in a switch
	Index int    // the device's ifindex in the namespace
	Link  string // the link it belongs to, "a-b" as the scenario named it
	Peer  string // the host or switch at the other end
	// MAC is the device's address: the simulator's for the same
	// interface (wire.LocalMAC, counting host ends in the order links
	// were made), or a switch port's own.
	MAC net.HardwareAddr
	// Addrs are the host's addresses on this interface, chosen as the
	// simulator chooses them; none on a switch's port.
	Addrs []netip.Prefix
	// LAN: the interface is on a switch, its addresses' subnets routed
	// through it; otherwise it is point-to-point, with a /32 route to
	// each of the peer's addresses.
	LAN bool
	// LinkID is the link's number, counting from 1 in the order links
	// were made, as events name it.
	LinkID int
}

// Town is the namespaces of one run: one network namespace per host and per
// switch (a bridge), each link a TAP device at both ends with a wire between
// them that carries Ethernet frames, applies the link's properties in
// userspace (this kernel has no netem) and reports every frame's fate. Its methods are safe for concurrent use.
type Town struct {
	mu       sync.RWMutex
	hosts    map[string]*host
	order    []string // host names in the order they were added
	links    map[[2]string]*link
	linkList []*link // in the order they were added
	seed     uint64
	macs     uint32 // host interfaces made so far: the next gets wire.LocalMAC(macs+1)
	ports    uint32 // switch ports made so far, for their own MACs
	cleaned  []string
	closed   bool
	onPacket atomic.Pointer[func(Packet)]
	onNeigh  atomic.Pointer[func(NeighReport)]
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
	// A switch is a namespace with a bridge and no addresses: isSwitch,
	// the bridge's ifindex, and how many ports it has.
	isSwitch bool
	bridge   int
	nports   int
	watch    *neighWatch // its ARP cache's or FDB's announcements; nil if none
}

// link is two TAP devices and the wire between them.
type link struct {
	a, b         string // hosts, as given to AddLink
	aDev, bDev   string // device names: aDev is in a, bDev in b
	aIdx, bIdx   int
	props        LinkProps
	aHost, bHost *host
	wire         *wire
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
	if err := t.checkNewName("host", name); err != nil {
		return err
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
	t.watchNeigh(h)
	t.hosts[name] = h
	t.order = append(t.order, name)
	return nil
}

// checkNewName refuses a host or switch (what) called name when the town
// is closed, the name is empty, or a host or switch has it. t.mu is held.
func (t *Town) checkNewName(what, name string) error {
	switch {
	case t.closed:
		return fmt.Errorf("%s %s: town is closed", what, name)
	case name == "":
		return fmt.Errorf("%s: empty name", what)
	}
	if _, ok := t.hosts[name]; ok {
		return fmt.Errorf("%s %s: the name is taken", what, name)
	}
	return nil
}

// bridgeName is the bridge inside each switch's namespace.
const bridgeName = "br0"

// switchAgeing is how long a bridge keeps a MAC it no longer hears from,
// in the kernel's clock ticks (USER_HZ, 100 a second): 300 s, as the
// simulator's switches and IEEE 802.1D's default age them.
const switchAgeing = 300 * 100

// AddSwitch makes switch name: a namespace of its own with a bridge br0
// (no spanning tree, 300 s ageing, no multicast snooping, no addresses and
// no IPv6, so it sends nothing of its own), with room for ports cables
// (AddLink). On error nothing is left behind.
func (t *Town) AddSwitch(name string, ports int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.checkNewName("switch", name); err != nil {
		return err
	}
	if ports <= 0 {
		return fmt.Errorf("switch %s: %d ports", name, ports)
	}
	h := &host{
		name:     name,
		ns:       reserveNamespace(name),
		fd:       netns.None(),
		devs:     map[string]bool{"lo": true, bridgeName: true},
		isSwitch: true,
		nports:   ports,
	}
	if err := h.create(); err != nil {
		h.destroy()
		return fmt.Errorf("switch %s: %w", name, err)
	}
	t.watchNeigh(h)
	t.hosts[name] = h
	t.order = append(t.order, name)
	return nil
}

// setupSwitch runs on a thread inside a switch's namespace.
func (h *host) setupSwitch(nh *netlink.Handle) error {
	for _, path := range []string{"net/ipv6/conf/all/disable_ipv6", "net/ipv6/conf/default/disable_ipv6"} {
		err := os.WriteFile("/proc/sys/"+path, []byte("1"), 0o644)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sysctl %s=1: %w", strings.ReplaceAll(path, "/", "."), err)
		}
	}
	lo, err := nh.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("finding lo: %w", err)
	}
	if err := nh.LinkSetUp(lo); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = bridgeName
	ageing, snoop := uint32(switchAgeing), false
	if err := nh.LinkAdd(&netlink.Bridge{LinkAttrs: attrs, AgeingTime: &ageing, MulticastSnooping: &snoop}); err != nil {
		return fmt.Errorf("adding bridge %s: %w", bridgeName, err)
	}
	if err := noIPv6(bridgeName); err != nil {
		return err
	}
	br, err := nh.LinkByName(bridgeName)
	if err != nil {
		return fmt.Errorf("finding %s: %w", bridgeName, err)
	}
	if err := nh.LinkSetUp(br); err != nil {
		return fmt.Errorf("%s up: %w", bridgeName, err)
	}
	h.bridge = br.Attrs().Index
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
		if h.isSwitch {
			r.err = h.setupSwitch(r.nl)
		} else {
			r.err = h.setup(r.nl)
		}
		resc <- r
	})
	r := <-resc
	h.fd, h.nl = r.fd, r.nl
	return r.err
}

// setup runs on a thread inside h's namespace.
func (h *host) setup(nh *netlink.Handle) error {
	sysctls := []struct{ path, value string }{
		// Forwarded packets arrive on one link's device and leave on
		// another, with sources that strict reverse-path filtering would
		// drop. The default must be 0 before any device exists, as
		// devices copy it.
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
	// links' devices: a host with several links still has one address.
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
// device, address and route in it along. Close stops the wires first.
func (h *host) destroy() error {
	h.watch.stop()
	h.watch = nil
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
			return fmt.Errorf("bad %s=%s: a probability must be in [0%%,100%%]", f.name, pct(f.v))
		}
	}
	if p.Delay < 0 || p.Delay > maxDelay() {
		return fmt.Errorf("bad delay=%v: it must be in [0,%v]", p.Delay, maxDelay().Truncate(time.Second))
	}
	if p.Rate < 0 {
		return fmt.Errorf("bad rate=%d: it must be >= 0", p.Rate)
	}
	if p.MTU < 0 {
		return fmt.Errorf("bad mtu=%d", p.MTU)
	}
	return nil
}

// maxDelay is the largest delay a link takes: what netem's 32-bit tick
// latency holds, so that a scenario that runs here also runs with netem.
func maxDelay() time.Duration {
	return time.Duration(float64(math.MaxUint32)/netlink.TickInUsec()) * time.Microsecond
}

// SetSeed sets the seed of the links' faults: link number i (counting from 0
// in the order of AddLink) draws direction a->b from stream 2i and b->a from
// 2i+1, so the same seed gives packet number N of a direction the same fate.
// Links added before SetSeed keep the seed they were made with (0 by default).
func (t *Town) SetSeed(seed uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seed = seed
}

// OnPacket sets the function that hears of every packet on every wire: sent
// (read from the sender's device), dropped (with the reason) and delivered
// (written into the receiver's). fn is called from the wires' goroutines,
// several at once, and holds up its wire while it runs: it must be quick and
// safe for concurrent use (queue the packet, do not process it there). nil
// stops the reports.
func (t *Town) OnPacket(fn func(Packet)) {
	if fn == nil {
		t.onPacket.Store(nil)
		return
	}
	t.onPacket.Store(&fn)
}

// AddLink joins a and b, hosts or switches: a TAP device in each one's
// namespace (a host's next ethN, a switch's "v-<peer>"), both up with p's MTU, and a wire between
// the two devices that applies p. A host's device has the simulator's MAC
// for that interface and the host's addresses the simulator puts on it;
// between two hosts, each has a /32 route to each of the other's addresses
// through its device (scope link, source its own first address), as
// "ip addr add LOCAL peer REMOTE" makes them; on a switch the device's
// addresses route their subnets. A switch's device is a port of its
// bridge. A second way between two switches is refused, as the simulator
// refuses it. Hosts added later do not change the link. On error nothing
// of the link is left.
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
	for _, h := range []*host{ha, hb} {
		if h.isSwitch && len(h.ifaces) >= h.nports {
			return fmt.Errorf("link %s: all %d ports of switch %s are in use", lname, h.nports, h.name)
		}
	}
	if joined := t.segment(ha); ha.isSwitch && hb.isSwitch && slices.Contains(joined, hb) {
		names := make([]string, len(joined))
		for i, s := range joined {
			names[i] = s.name
		}
		return fmt.Errorf("link %s %s: %s and %s are already joined through the other switches of their LAN (%s), and a second way "+
			"between them would make a loop where a broadcast circles forever (Socketville's switches run no spanning tree): %w",
			a, b, a, b, strings.Join(names, ", "), sock.ErrInval)
	}
	l := &link{
		a: a, b: b, props: p, aHost: ha, bHost: hb,
		aDev: devName(ha, b), bDev: devName(hb, a),
	}
	index := uint64(len(t.linkList))
	ia := Iface{Name: l.aDev, Link: lname, Peer: b, LinkID: int(index + 1), LAN: hb.isSwitch}
	ib := Iface{Name: l.bDev, Link: lname, Peer: a, LinkID: int(index + 1), LAN: ha.isSwitch}
	macs, ports := t.macs, t.ports
	for _, e := range []struct {
		h, far *host
		i      *Iface
	}{{ha, hb, &ia}, {hb, ha, &ib}} {
		if e.h.isSwitch {
			ports++
			e.i.MAC = macOf(wireformat.LocalMAC(0xff000000 | ports))
			continue
		}
		macs++
		e.i.MAC = macOf(wireformat.LocalMAC(macs))
		e.i.Addrs = t.nicAddrs(e.h, e.far)
	}
	if err := t.makeLink(l, index, &ia, &ib); err != nil {
		return fmt.Errorf("link %s: %w", lname, err)
	}
	t.macs, t.ports = macs, ports
	ha.devs[l.aDev] = true
	hb.devs[l.bDev] = true
	ha.ifaces = append(ha.ifaces, ia)
	hb.ifaces = append(hb.ifaces, ib)
	ha.watch.plug(ia.Index, ia.Name, len(ha.ifaces))
	hb.watch.plug(ib.Index, ib.Name, len(hb.ifaces))
	t.links[[2]string{a, b}] = l
	t.linkList = append(t.linkList, l)
	return nil
}

// devName names h's end of a cable to peer: a host's interfaces are
// eth0, eth1, ... in the order its links were made, as the simulator names
// them; a switch's ports are "v-<peer>".
func devName(h *host, peer string) string {
	base := "v-" + sanitize(peer, 13)
	if !h.isSwitch {
		base = "eth" + strconv.Itoa(len(h.ifaces))
	}
	return uniqueName(base, 15, func(s string) bool { return h.devs[s] })
}

// macOf is m as the net package holds a MAC.
func macOf(m wireformat.MAC) net.HardwareAddr { return net.HardwareAddr(m[:]) }

// segment is switch s and every switch joined to it, through cables
// between switches.
func (t *Town) segment(s *host) []*host {
	seen := []*host{s}
	for i := 0; i < len(seen); i++ {
		for _, l := range t.linkList {
			var far *host
			switch seen[i] {
			case l.aHost:
				far = l.bHost
			case l.bHost:
				far = l.aHost
			default:
				continue
			}
			if far.isSwitch && !slices.Contains(seen, far) {
				seen = append(seen, far)
			}
		}
	}
	return seen
}

// nicAddrs chooses the addresses of h's next interface, a cable to far, as
// the simulator's addNIC does: h's addresses that share a subnet with an
// address beyond the cable (far's own, or those of the hosts already on
// far's LAN); when none does, the first address no other interface of h
// has yet, or else the first.
func (t *Town) nicAddrs(h, far *host) []netip.Prefix {
	var beyond []netip.Addr
	if !far.isSwitch {
		for _, p := range far.addrs {
			beyond = append(beyond, p.Addr())
		}
	} else {
		for _, sw := range t.segment(far) {
			for _, l := range t.linkList {
				for _, e := range []struct {
					sw, h *host
					dev   string
				}{{l.aHost, l.bHost, l.bDev}, {l.bHost, l.aHost, l.aDev}} {
					if e.sw != sw || e.h.isSwitch {
						continue
					}
					for _, i := range e.h.ifaces {
						if i.Name == e.dev {
							for _, p := range i.Addrs {
								beyond = append(beyond, p.Addr())
							}
						}
					}
				}
			}
		}
	}
	var out []netip.Prefix
	for _, p := range h.addrs {
		if slices.ContainsFunc(beyond, p.Contains) {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, p := range h.addrs {
		if !slices.ContainsFunc(h.ifaces, func(i Iface) bool { return slices.Contains(i.Addrs, p) }) {
			return []netip.Prefix{p}
		}
	}
	return h.addrs[:1]
}

// makeLink makes l's two devices, their addresses and routes, and the
// wire. On error it closes what it opened: a TAP device that is not
// persistent goes with its last fd, and its addresses and routes with it.
func (t *Town) makeLink(l *link, index uint64, ia, ib *Iface) error {
	ha, hb := l.aHost, l.bHost
	mtu := l.props.mtu()
	fdA, idxA, err := makeDev(ha, l.aDev, mtu, ia.MAC)
	if err != nil {
		return err
	}
	fdB, idxB, err := makeDev(hb, l.bDev, mtu, ib.MAC)
	if err != nil {
		unix.Close(fdA)
		return err
	}
	l.aIdx, l.bIdx = idxA, idxB
	ia.Index, ib.Index = idxA, idxB
	err = endSetup(ha, hb, ia)
	if err == nil {
		err = endSetup(hb, ha, ib)
	}
	if err == nil {
		l.wire, err = newWire(l.a, l.b, fdA, fdB, l.props, t.seed, index, &t.onPacket)
	}
	if err != nil {
		unix.Close(fdA)
		unix.Close(fdB)
		return err
	}
	return nil
}

// endSetup finishes one end of a link in h, whose far end is far: a
// switch's port joins the bridge; a host's device gets its addresses
// (with their subnet routes on a LAN, without on a point-to-point cable,
// which has a /32 route to each of the peer's addresses instead).
func endSetup(h, far *host, i *Iface) error {
	dev, err := h.nl.LinkByIndex(i.Index)
	if err != nil {
		return fmt.Errorf("finding %s in %s: %w", i.Name, h.name, err)
	}
	if h.isSwitch {
		if err := h.nl.LinkSetMasterByIndex(dev, h.bridge); err != nil {
			return fmt.Errorf("%s in %s: joining the bridge: %w", i.Name, h.name, err)
		}
		return nil
	}
	for _, a := range i.Addrs {
		addr := &netlink.Addr{IPNet: ipNet(a)}
		if !i.LAN {
			addr.Flags = unix.IFA_F_NOPREFIXROUTE
		}
		if err := h.nl.AddrAdd(dev, addr); err != nil {
			return fmt.Errorf("address %v on %s in %s: %w", a, i.Name, h.name, err)
		}
	}
	if far.isSwitch {
		return nil
	}
	return linkRoutes(h, far, i.Index)
}

// makeDev makes TAP device name in h's namespace (IFF_TAP|IFF_NO_PI: bare
// Ethernet frames) with mac, up with mtu, and returns its non-blocking fd
// and ifindex.
func makeDev(h *host, name string, mtu int, mac net.HardwareAddr) (int, int, error) {
	return makeTunTap(h, name, mtu, unix.IFF_TAP, mac)
}

// makeTun makes TUN device name in h's namespace (IFF_TUN|IFF_NO_PI: bare IP
// packets), with mtu, up, and returns its non-blocking fd and ifindex.
func makeTun(h *host, name string, mtu int) (int, int, error) {
	return makeTunTap(h, name, mtu, unix.IFF_TUN, nil)
}

// makeTunTap makes a TUN or TAP device (kind) in h's namespace. The
// device belongs to the namespace of the thread that opens /dev/net/tun, so
// that happens on a thread inside h's; the fd works from any thread after.
func makeTunTap(h *host, name string, mtu int, kind uint16, mac net.HardwareAddr) (int, int, error) {
	what := "tun"
	if kind == unix.IFF_TAP {
		what = "tap"
	}
	type result struct {
		fd  int
		err error
	}
	resc := make(chan result, 1)
	onOwnThread(func() {
		if err := netns.Set(h.fd); err != nil {
			resc <- result{-1, fmt.Errorf("entering namespace %s: %w", h.ns, err)}
			return
		}
		fd, err := openTun(name, kind)
		resc <- result{fd, err}
	})
	r := <-resc
	if r.err != nil {
		return -1, 0, fmt.Errorf("%s %s in %s: %w", what, name, h.name, r.err)
	}
	fail := func(step string, err error) (int, int, error) {
		unix.Close(r.fd)
		return -1, 0, fmt.Errorf("%s %s in %s: %s: %w", what, name, h.name, step, err)
	}
	dev, err := h.nl.LinkByName(name)
	if err != nil {
		return fail("finding it", err)
	}
	if mac != nil {
		if err := h.nl.LinkSetHardwareAddr(dev, mac); err != nil {
			return fail("mac "+mac.String(), err)
		}
	}
	if err := h.nl.LinkSetMTU(dev, mtu); err != nil {
		return fail(fmt.Sprintf("mtu %d", mtu), err)
	}
	if err := h.nl.LinkSetUp(dev); err != nil {
		return fail("up", err)
	}
	return r.fd, dev.Attrs().Index, nil
}

// openTun runs on a thread inside the namespace: it opens /dev/net/tun, makes
// device name (kind IFF_TUN or IFF_TAP), and keeps IPv6 from giving it a
// link-local address, which would make the kernel send router solicitations
// and MLD reports down every link (the hosts' own addresses, IPv6 ones too,
// are on their address device and routed by /128s, which need no
// link-local).
func openTun(name string, kind uint16) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("opening /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	ifr.SetUint16(kind | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("TUNSETIFF: %w", err)
	}
	if err := noIPv6(name); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// noIPv6 keeps device name from making an IPv6 link-local address (1 =
// IN6_ADDR_GEN_MODE_NONE), on a thread in its namespace. Missing when IPv6
// is off: nothing to do.
func noIPv6(name string) error {
	err := os.WriteFile("/proc/sys/net/ipv6/conf/"+name+"/addr_gen_mode", []byte("1"), 0o644)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sysctl net.ipv6.conf.%s.addr_gen_mode=1: %w", name, err)
	}
	return nil
}

// linkRoutes adds in from a /32 route to each of to's addresses via from's
// device with index idx.
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

// SetLink changes an existing link's properties to p: the wire applies them
// from the next packet on (packets already on it keep their fate), and both
// devices get p's MTU. On error it tries to put the old MTU back.
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
	if err := l.setMTU(p.mtu()); err != nil {
		l.setMTU(l.props.mtu()) // best effort: the error already says what failed
		return fmt.Errorf("link %s: %w", l.name(), err)
	}
	l.props = p
	l.wire.set(p)
	return nil
}

// setMTU sets both devices' MTU.
func (l *link) setMTU(mtu int) error {
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

// Interfaces returns host's TAP devices in the order their links were added.
func (t *Town) Interfaces(hostName string) []Iface {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if h, ok := t.hosts[hostName]; ok {
		return append([]Iface(nil), h.ifaces...)
	}
	return nil
}

// Close stops every wire (its goroutines end and its devices go), then
// removes every namespace the town made, which takes the rest of what is in
// them along. Sockets still open in a namespace keep it alive in the kernel
// until they close, but its name is gone at once. Close is idempotent.
func (t *Town) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	for _, l := range t.linkList {
		if err := l.wire.Close(); err != nil {
			errs = append(errs, fmt.Errorf("link %s: stopping the wire: %w", l.name(), err))
		}
	}
	for _, name := range t.order {
		if err := t.hosts[name].destroy(); err != nil {
			errs = append(errs, fmt.Errorf("host %s: removing namespace: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Tun makes a TUN device named dev in host's namespace, with a route to
// each of dsts through it (from the host's own address; 0.0.0.0/0 makes it
// the default route), and returns the device's file descriptor
// (non-blocking, one IPv4 packet per read and write): a town's packets for
// the kernel of that namespace, and the kernel's for the town, go through
// it. The device goes with the town.
func (t *Town) Tun(hostName, dev string, mtu int, dsts []netip.Prefix) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.hosts[hostName]
	if !ok || t.closed {
		return -1, fmt.Errorf("host %s: unknown host", hostName)
	}
	if h.devs[dev] {
		return -1, fmt.Errorf("host %s: a device %s exists already", hostName, dev)
	}
	fd, idx, err := makeTun(h, dev, mtu)
	if err != nil {
		return -1, err
	}
	h.devs[dev] = true
	for _, a := range dsts {
		r := &netlink.Route{LinkIndex: idx, Dst: ipNet(a.Masked()), Src: h.firstAddr(a.Addr()), Scope: netlink.SCOPE_LINK}
		if err := h.nl.RouteAdd(r); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("route in %s to %v via %s: %w", h.name, a, dev, err)
		}
	}
	return fd, nil
}
