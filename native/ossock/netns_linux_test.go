//go:build linux

package ossock

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"socketville/shared/sock"
)

// needNetAdmin skips the test unless the process may make namespaces.
func needNetAdmin(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root (CAP_NET_ADMIN) to make network namespaces")
	}
	if err := probeNetns(); err != nil {
		tb.Skipf("cannot make network namespaces: %v", err)
	}
}

// newTown makes a town that is closed when the test ends.
func newTown(tb testing.TB) *Town {
	tb.Helper()
	needNetAdmin(tb)
	town, err := NewTown()
	if err != nil {
		tb.Fatalf("NewTown: %v", err)
	}
	tb.Cleanup(func() {
		if err := town.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return town
}

func prefixes(tb testing.TB, ss ...string) []netip.Prefix {
	tb.Helper()
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func addHost(tb testing.TB, town *Town, name string, forward bool, addrs ...string) {
	tb.Helper()
	if err := town.AddHost(name, prefixes(tb, addrs...), forward); err != nil {
		tb.Fatalf("AddHost %s: %v", name, err)
	}
}

func addLink(tb testing.TB, town *Town, a, b string, p LinkProps) {
	tb.Helper()
	if err := town.AddLink(a, b, p); err != nil {
		tb.Fatalf("AddLink %s-%s: %v", a, b, err)
	}
}

// command runs a tool nobody here wrote and returns its output.
func command(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func needTool(tb testing.TB, name string) {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		tb.Skipf("%s not installed", name)
	}
}

// TestTCPAcrossDelayedLink: a listener made in b and a dial made in a talk over
// a 5 ms link; connect and an echo each take one 10 ms round trip.
func TestTCPAcrossDelayedLink(t *testing.T) {
	town := newTown(t)
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	addLink(t, town, "a", "b", LinkProps{Delay: 5 * time.Millisecond})

	var ln net.Listener
	if err := town.Do("b", func() (err error) {
		ln, err = net.Listen("tcp4", "10.0.0.2:7")
		return err
	}); err != nil {
		t.Fatalf("listen in b: %v", err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = io.Copy(c, c)
		served <- err
	}()

	var conn net.Conn
	var connectTime time.Duration
	if err := town.Do("a", func() (err error) {
		start := time.Now()
		conn, err = net.DialTimeout("tcp4", "10.0.0.2:7", 10*time.Second)
		connectTime = time.Since(start)
		return err
	}); err != nil {
		t.Fatalf("dial from a: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if got := conn.LocalAddr().String(); !strings.HasPrefix(got, "10.0.0.1:") {
		t.Errorf("local address %s, want 10.0.0.1:*", got)
	}

	msg := []byte("hello through the kernel")
	start := time.Now()
	if _, err := conn.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatalf("read: %v", err)
	}
	rtt := time.Since(start)
	if !bytes.Equal(buf, msg) {
		t.Errorf("echo %q, want %q", buf, msg)
	}
	t.Logf("connect %v, echo RTT %v", connectTime, rtt)
	conn.Close()
	if err := <-served; err != nil {
		t.Errorf("echo server: %v", err)
	}
	for what, d := range map[string]time.Duration{"connect": connectTime, "echo RTT": rtt} {
		if d < 9*time.Millisecond || d > 2*time.Second {
			t.Errorf("%s %v, want about 10ms (>= 9ms)", what, d)
		}
	}
}

// udpExchange sends one datagram from host from to to's addr:port, where a
// server answers it, and returns the answer and the source the server saw.
func udpExchange(t *testing.T, town *Town, from, to string, addr string) (string, string) {
	t.Helper()
	var srv net.PacketConn
	if err := town.Do(to, func() (err error) {
		srv, err = net.ListenPacket("udp4", addr)
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", to, err)
	}
	defer srv.Close()
	srv.SetDeadline(time.Now().Add(10 * time.Second))
	seen := make(chan string, 1)
	go func() {
		buf := make([]byte, 512)
		n, src, err := srv.ReadFrom(buf)
		if err != nil {
			seen <- "error: " + err.Error()
			return
		}
		srv.WriteTo(append([]byte("answer to "), buf[:n]...), src)
		seen <- src.String()
	}()
	var c net.Conn
	if err := town.Do(from, func() (err error) {
		c, err = net.Dial("udp4", addr)
		return err
	}); err != nil {
		t.Fatalf("dial from %s: %v", from, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(from)); err != nil {
		t.Fatalf("send from %s: %v", from, err)
	}
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("%s: no answer from %s: %v", from, to, err)
	}
	return string(buf[:n]), <-seen
}

// TestRouterUDP builds examples/router.sv: home reaches server only through
// the forwarding router and the two routes.
func TestRouterUDP(t *testing.T) {
	town := newTown(t)
	addHost(t, town, "home", false, "192.168.1.10/24")
	addHost(t, town, "router", true, "192.168.1.1/24", "203.0.113.1/24")
	addHost(t, town, "server", false, "203.0.113.80/24")
	addLink(t, town, "home", "router", LinkProps{Delay: 2 * time.Millisecond})
	addLink(t, town, "router", "server", LinkProps{Delay: 20 * time.Millisecond})
	if err := town.AddRoute("home", netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("192.168.1.1")); err != nil {
		t.Fatal(err)
	}
	if err := town.AddRoute("server", netip.MustParsePrefix("192.168.1.0/24"), netip.MustParseAddr("203.0.113.1")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	answer, src := udpExchange(t, town, "home", "server", "203.0.113.80:17")
	rtt := time.Since(start)
	if answer != "answer to home" {
		t.Errorf("answer %q", answer)
	}
	if !strings.HasPrefix(src, "192.168.1.10:") {
		t.Errorf("server saw source %s, want 192.168.1.10:*", src)
	}
	if rtt < 44*time.Millisecond {
		t.Errorf("round trip %v, want >= 44ms (2+20 ms each way)", rtt)
	}
	if err := town.AddRoute("nowhere", netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("192.168.1.1")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("route on unknown host: %v, want an error naming it", err)
	}
	err := town.AddRoute("home", netip.MustParsePrefix("10.9.0.0/16"), netip.MustParseAddr("10.1.1.1"))
	if err == nil || !strings.Contains(err.Error(), "host home") {
		t.Errorf("route via unreachable gateway: %v, want an error naming host home", err)
	}
}

// TestServerTwoClients builds examples/poll-udp.sv: one address, two links.
func TestServerTwoClients(t *testing.T) {
	town := newTown(t)
	addHost(t, town, "client1", false, "10.0.0.1/24")
	addHost(t, town, "client2", false, "10.0.0.2/24")
	addHost(t, town, "server", false, "10.0.0.10/24")
	addLink(t, town, "client1", "server", LinkProps{Delay: 3 * time.Millisecond})
	addLink(t, town, "client2", "server", LinkProps{Delay: 7 * time.Millisecond})
	for i, c := range []string{"client1", "client2"} {
		answer, src := udpExchange(t, town, c, "server", fmt.Sprintf("10.0.0.10:%d", 7+i))
		if answer != "answer to "+c {
			t.Errorf("%s: answer %q", c, answer)
		}
		if want := fmt.Sprintf("10.0.0.%d:", i+1); !strings.HasPrefix(src, want) {
			t.Errorf("%s: server saw %s, want %s*", c, src, want)
		}
	}
	got := town.Interfaces("server")
	server := prefixes(t, "10.0.0.10/24")
	want := []Iface{
		{Name: "eth0", Index: got[0].Index, Link: "client1-server", Peer: "client1", MAC: mac(t, "02:00:00:00:00:02"), Addrs: server, LinkID: 1},
		{Name: "eth1", Index: got[1].Index, Link: "client2-server", Peer: "client2", MAC: mac(t, "02:00:00:00:00:04"), Addrs: server, LinkID: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Interfaces(server) = %+v, want %+v", got, want)
	}
}

// mac parses a MAC address.
func mac(tb testing.TB, s string) net.HardwareAddr {
	tb.Helper()
	m, err := net.ParseMAC(s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestToolsCrossCheck reads the town back with iproute2: the links' devices
// are TAP devices with the simulator's MACs, the MTU asked for, the NIC's
// address without a prefix route and only the /32 routes, SetLink
// changes the MTU, ip netns lists the names (gone after Close), ss works
// inside, and the root namespace is the same before and after.
func TestToolsCrossCheck(t *testing.T) {
	needNetAdmin(t)
	needTool(t, "ip")
	rootBefore := command(t, "ip", "-o", "link") + command(t, "ip", "route")

	town, err := NewTown()
	if err != nil {
		t.Fatal(err)
	}
	defer town.Close()
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", true, "10.0.0.2/24")
	addHost(t, town, "c", false, "10.0.0.3/24")
	addLink(t, town, "a", "b", LinkProps{Delay: 5 * time.Millisecond, Loss: 0.1})
	addLink(t, town, "b", "c", LinkProps{MTU: 1400})

	nsA := town.Namespace("a")
	if want := fmt.Sprintf("sv-%d-a", os.Getpid()); nsA != want {
		t.Errorf("Namespace(a) = %q, want %q", nsA, want)
	}
	if town.Namespace("zz") != "" {
		t.Errorf("Namespace of an unknown host is not empty")
	}
	if l := command(t, "ip", "netns", "exec", nsA, "ip", "-d", "-o", "link", "show", "eth0"); !strings.Contains(l, "tun type tap pi off") || !strings.Contains(l, "mtu 1500") || !strings.Contains(l, "UP") ||
		!strings.Contains(l, "link/ether 02:00:00:00:00:01 ") {
		t.Errorf("a's end: %q, want a TAP device without packet info, MAC 02:00:00:00:00:01, mtu 1500, up", l)
	}
	if l := command(t, "ip", "netns", "exec", town.Namespace("c"), "ip", "-o", "link", "show", "eth0"); !strings.Contains(l, "mtu 1400") || !strings.Contains(l, "UP") {
		t.Errorf("c's end: %q, want mtu 1400 and up", l)
	}
	if l := command(t, "ip", "netns", "exec", nsA, "ip", "-o", "addr", "show", "dev", "eth0"); !strings.Contains(l, "inet 10.0.0.1/24") ||
		!strings.Contains(l, "noprefixroute") || strings.Count(strings.TrimSpace(l), "\n") != 0 || strings.Contains(l, "inet6") {
		t.Errorf("a's end has addresses %q, want only 10.0.0.1/24 noprefixroute (no IPv6 link-local)", l)
	}
	addrs := command(t, "ip", "netns", "exec", nsA, "ip", "-o", "addr", "show", "dev", town.hosts["a"].addrDev)
	if !strings.Contains(addrs, "10.0.0.1/24") || !strings.Contains(addrs, "noprefixroute") {
		t.Errorf("address device in a: %q, want 10.0.0.1/24 noprefixroute", addrs)
	}
	routes := command(t, "ip", "netns", "exec", nsA, "ip", "route")
	if strings.TrimSpace(routes) != "10.0.0.2 dev eth0 scope link src 10.0.0.1" {
		t.Errorf("routes in a: %q, want only the /32 to b", routes)
	}
	fwd := command(t, "ip", "netns", "exec", town.Namespace("b"), "cat", "/proc/sys/net/ipv4/ip_forward")
	if strings.TrimSpace(fwd) != "1" {
		t.Errorf("ip_forward in b = %q, want 1", fwd)
	}
	if fwd := command(t, "ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv4/ip_forward"); strings.TrimSpace(fwd) != "0" {
		t.Errorf("ip_forward in a = %q, want 0", fwd)
	}
	if pg := command(t, "ip", "netns", "exec", nsA, "cat", "/proc/sys/net/ipv4/ping_group_range"); strings.Join(strings.Fields(pg), " ") != "0 2147483647" {
		t.Errorf("ping_group_range in a = %q", pg)
	}

	// SetLink changes the wire in place and both devices' MTU.
	want := LinkProps{Delay: 8 * time.Millisecond, Rate: 1_000_000, Reorder: 0.25, MTU: 1300}
	if err := town.SetLink("b", "a", want); err != nil {
		t.Fatalf("SetLink: %v", err)
	}
	for h, dev := range map[string]string{"a": "eth0", "b": "eth0"} {
		if l := command(t, "ip", "netns", "exec", town.Namespace(h), "ip", "-o", "link", "show", dev); !strings.Contains(l, "mtu 1300") {
			t.Errorf("after SetLink %s's end: %q, want mtu 1300", h, l)
		}
	}
	if got := *town.lookup("a", "b").wire.props.Load(); got != want {
		t.Errorf("after SetLink the wire has %+v, want %+v", got, want)
	}
	if err := town.SetLink("a", "b", LinkProps{}); err != nil {
		t.Fatalf("SetLink to nothing: %v", err)
	}
	if l := command(t, "ip", "netns", "exec", nsA, "ip", "-o", "link", "show", "eth0"); !strings.Contains(l, "mtu 1500") {
		t.Errorf("after SetLink to nothing: %q, want mtu 1500", l)
	}
	if err := town.SetLink("a", "b", LinkProps{MTU: 10}); err == nil || !strings.Contains(err.Error(), "link a-b: mtu 10 on eth0 in a") {
		t.Errorf("SetLink mtu=10: %v", err)
	}

	// ss inside a namespace sees a listener made there.
	if _, err := exec.LookPath("ss"); err == nil {
		var ln net.Listener
		if err := town.Do("c", func() (err error) { ln, err = net.Listen("tcp4", "10.0.0.3:4242"); return err }); err != nil {
			t.Fatal(err)
		}
		ss := command(t, "ip", "netns", "exec", town.Namespace("c"), "ss", "-tln")
		ln.Close()
		if !strings.Contains(ss, "10.0.0.3:4242") {
			t.Errorf("ss in c: %q, want the listener on 10.0.0.3:4242", ss)
		}
		if ss := command(t, "ss", "-tln"); strings.Contains(ss, "10.0.0.3:4242") {
			t.Errorf("the root namespace sees c's listener: %q", ss)
		}
	}

	list := command(t, "ip", "netns", "list")
	for _, h := range []string{"a", "b", "c"} {
		if !strings.Contains(list, town.Namespace(h)) {
			t.Errorf("ip netns list %q lacks %s", list, town.Namespace(h))
		}
	}
	names := []string{town.Namespace("a"), town.Namespace("b"), town.Namespace("c")}
	if err := town.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := town.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	list = command(t, "ip", "netns", "list")
	for _, n := range names {
		if regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(n) + `\b`).MatchString(list) {
			t.Errorf("after Close ip netns list still has %s: %q", n, list)
		}
	}
	rootAfter := command(t, "ip", "-o", "link") + command(t, "ip", "route")
	if rootAfter != rootBefore {
		t.Errorf("root namespace changed:\nbefore:\n%s\nafter:\n%s", rootBefore, rootAfter)
	}
}

// TestCleanStale: a namespace of a dead pid goes, others stay.
func TestCleanStale(t *testing.T) {
	needNetAdmin(t)
	needTool(t, "ip")
	const dead = "sv-999999-x"
	if _, err := os.Stat("/proc/999999"); err == nil {
		t.Skip("pid 999999 is alive")
	}
	other := "other-ns"
	mine := fmt.Sprintf("sv-%d-handmade", os.Getpid())
	for _, n := range []string{dead, other, mine} {
		if _, err := os.Lstat(filepath.Join(netnsDir, n)); err == nil {
			t.Skipf("namespace %s already exists", n)
		}
		command(t, "ip", "netns", "add", n)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", n).Run() })
	}
	town := newTown(t)
	if got := town.Cleaned(); !slices.Contains(got, dead) || slices.Contains(got, other) || slices.Contains(got, mine) {
		t.Errorf("Cleaned() = %v, want %s and neither %s nor %s", got, dead, other, mine)
	}
	list := command(t, "ip", "netns", "list")
	if strings.Contains(list, dead) {
		t.Errorf("ip netns list still has %s: %q", dead, list)
	}
	for _, n := range []string{other, mine} {
		if !strings.Contains(list, n) {
			t.Errorf("ip netns list lost %s: %q", n, list)
		}
	}
}

// TestBadInput: unknown hosts, duplicates, self-links and impossible
// properties are refused with an error naming the culprit, and change nothing.
func TestBadInput(t *testing.T) {
	town := newTown(t)
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	nsA := town.Namespace("a")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{name: "duplicate host", err: town.AddHost("a", nil, false), want: "host a: the name is taken"},
		{name: "unknown host", err: town.AddLink("a", "zz", LinkProps{}), want: "link a-zz: unknown host zz"},
		{name: "self link", err: town.AddLink("a", "a", LinkProps{}), want: "link a-a: a host cannot link to itself"},
		{name: "loss too big", err: town.AddLink("a", "b", LinkProps{Loss: 1.5}), want: "link a-b: bad loss=150%"},
		{name: "negative dup", err: town.AddLink("a", "b", LinkProps{Dup: -0.1}), want: "link a-b: bad dup=-10%"},
		{name: "negative delay", err: town.AddLink("a", "b", LinkProps{Delay: -1}), want: "link a-b: bad delay=-1ns"},
		{name: "kernel refuses mtu", err: town.AddLink("a", "b", LinkProps{MTU: 10}), want: "link a-b: tap eth0 in a: mtu 10: "},
		{name: "no such link", err: town.SetLink("a", "b", LinkProps{}), want: "link a-b: no such link"},
		{name: "do unknown", err: town.Do("zz", func() error { return nil }), want: "host zz: unknown host"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
	if town.Namespace("a") != nsA || len(town.Interfaces("a")) != 0 || len(town.Interfaces("b")) != 0 {
		t.Errorf("refused calls changed the town: %s %v %v", town.Namespace("a"), town.Interfaces("a"), town.Interfaces("b"))
	}
	// Nothing half-made: after the refusals the link can be made normally.
	addLink(t, town, "a", "b", LinkProps{Delay: time.Millisecond})
	if err := town.AddLink("b", "a", LinkProps{}); err == nil || !strings.Contains(err.Error(), "already linked") {
		t.Errorf("second link b-a: %v, want already linked", err)
	}
	if got := town.Interfaces("a"); len(got) != 1 || got[0].Name != "eth0" || got[0].Peer != "b" || got[0].Link != "a-b" {
		t.Errorf("Interfaces(a) = %+v", got)
	}
	if err := town.SetLink("a", "b", LinkProps{Corrupt: 2}); err == nil || !strings.Contains(err.Error(), "link a-b: bad corrupt=200%") {
		t.Errorf("SetLink corrupt=2: %v", err)
	}
	if err := town.Do("a", func() error { return errors.New("from fn") }); err == nil || err.Error() != "from fn" {
		t.Errorf("Do's error = %v, want fn's", err)
	}
}

// TestLongNames: names that are too long or odd still make valid, unique
// namespace and device names.
func TestLongNames(t *testing.T) {
	town := newTown(t)
	long1 := "a-very-long-host-name-number-one"
	long2 := "a-very-long-host-name-number-two"
	addHost(t, town, "hub", false, "10.0.0.1/24")
	addHost(t, town, long1, false, "10.0.0.2/24")
	addHost(t, town, long2, false, "10.0.0.3/24")
	addHost(t, town, "we ird/name", false, "10.0.0.4/24")
	addLink(t, town, "hub", long1, LinkProps{})
	addLink(t, town, "hub", long2, LinkProps{})
	addLink(t, town, "hub", "we ird/name", LinkProps{})
	var names []string
	for _, i := range town.Interfaces("hub") {
		if len(i.Name) > 15 || slices.Contains(names, i.Name) || strings.ContainsAny(i.Name, " /") {
			t.Errorf("bad device name %q in %v", i.Name, names)
		}
		names = append(names, i.Name)
	}
	if ns := town.Namespace("we ird/name"); strings.ContainsAny(ns, " /") {
		t.Errorf("namespace name %q", ns)
	}
	for i, peer := range []string{long1, long2, "we ird/name"} {
		answer, _ := udpExchange(t, town, peer, "hub", fmt.Sprintf("10.0.0.1:%d", 100+i))
		if answer != "answer to "+peer {
			t.Errorf("%s: answer %q", peer, answer)
		}
	}
}

// TestThreadsStayHome: after building a town and running Do, every thread of
// the process is back in (or never left) the root namespace.
func TestThreadsStayHome(t *testing.T) {
	needNetAdmin(t)
	runtime.LockOSThread()
	root, err := os.Readlink("/proc/thread-self/ns/net")
	runtime.UnlockOSThread()
	if err != nil {
		t.Fatal(err)
	}
	town := newTown(t)
	addHost(t, town, "a", true, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	addLink(t, town, "a", "b", LinkProps{Delay: time.Millisecond})
	for range 20 {
		town.Do("a", func() error { return nil })
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var strays []string
		tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
		for _, p := range tasks {
			if ns, err := os.Readlink(p); err == nil && ns != root {
				strays = append(strays, p+" -> "+ns)
			}
		}
		if len(strays) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("threads outside the root namespace %s: %v", root, strays)
		}
		time.Sleep(10 * time.Millisecond) // threads exit just after Do returns
	}
}

// TestSwitchIsABridge: two hosts and a router on a switch, a second switch
// behind the first: the switch is a namespace with a bridge (no STP, 300 s
// ageing) whose ports are the links' TAP devices; a UDP exchange across it
// fills the bridge's FDB with the hosts' MACs behind their ports and each
// host's ARP cache with the other; a host on a LAN routes its subnet
// through its device; a second way between the switches is refused as a
// loop, and a switch's ports run out. The namespaces' announcements come
// as reports: the bridge learned a's MAC on port 1, a's cache got b.
func TestSwitchIsABridge(t *testing.T) {
	needTool(t, "ip")
	town := newTown(t)
	var mu sync.Mutex
	var reports []NeighReport
	town.OnNeigh(func(r NeighReport) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	})
	addHost(t, town, "a", false, "10.0.0.1/24")
	addHost(t, town, "b", false, "10.0.0.2/24")
	if err := town.AddSwitch("sw", 3); err != nil {
		t.Fatal(err)
	}
	if err := town.AddSwitch("sw2", 8); err != nil {
		t.Fatal(err)
	}
	addLink(t, town, "a", "sw", LinkProps{Delay: time.Millisecond})
	addLink(t, town, "b", "sw", LinkProps{})
	addLink(t, town, "sw", "sw2", LinkProps{})
	if err := town.AddLink("sw2", "sw", LinkProps{}); err == nil {
		t.Errorf("a second cable between sw and sw2 was taken")
	}
	addHost(t, town, "c", false, "10.0.0.3/24")
	if err := town.AddLink("c", "sw", LinkProps{}); err == nil || !strings.Contains(err.Error(), "all 3 ports of switch sw are in use") {
		t.Errorf("a fourth cable into a 3-port switch: %v", err)
	}
	if err := town.AddSwitch("a", 8); err == nil {
		t.Errorf("a switch took host a's name")
	}

	ns := town.Namespace("sw")
	if l := command(t, "ip", "netns", "exec", ns, "ip", "-d", "-o", "link", "show", "br0"); !strings.Contains(l, "stp_state 0") || !strings.Contains(l, "ageing_time 30000") {
		t.Errorf("the bridge: %q, want stp_state 0 and ageing_time 30000", l)
	}
	if l := command(t, "ip", "netns", "exec", ns, "ip", "-o", "link", "show", "master", "br0"); strings.Count(l, "\n") != 3 {
		t.Errorf("the bridge's ports: %q, want three", l)
	}
	if r := command(t, "ip", "netns", "exec", town.Namespace("a"), "ip", "route"); !strings.Contains(r, "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1") {
		t.Errorf("routes in a: %q, want the LAN's subnet through eth0", r)
	}

	if answer, _ := udpExchange(t, town, "a", "b", "10.0.0.2:9"); answer != "answer to a" {
		t.Errorf("answer %q", answer)
	}
	st, ok := town.Switch("sw")
	if !ok || st.Ports != 3 || !slices.Equal(st.Used, []sock.LinkID{1, 2, 3}) {
		t.Errorf("Switch(sw) = %+v, want 3 ports holding links 1, 2, 3", st)
	}
	learned := map[string]int{}
	for _, e := range st.FDB {
		learned[e.MAC.String()] = e.Port
	}
	if learned["02:00:00:00:00:01"] != 1 || learned["02:00:00:00:00:02"] != 2 || len(learned) != 2 {
		t.Errorf("sw's FDB %v, want a's MAC on port 1 and b's on port 2", st.FDB)
	}
	neigh := town.Neigh("a")
	if len(neigh) != 1 || neigh[0].Addr != netip.MustParseAddr("10.0.0.2") || neigh[0].MAC.String() != "02:00:00:00:00:02" || neigh[0].Dev != "eth0" {
		t.Errorf("a's ARP cache %v, want b on eth0", neigh)
	}
	waitFor(t, "the neighbour reports", 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		learned, resolved := false, false
		for _, r := range reports {
			if r.Host == "sw" && r.FDB != nil && r.FDB.MAC.String() == "02:00:00:00:00:01" && r.FDB.Port == 1 && r.Reason == "learned" {
				learned = true
			}
			if r.Host == "a" && r.Neigh != nil && r.Neigh.Addr == netip.MustParseAddr("10.0.0.2") && r.Neigh.State == sock.NeighReachable && r.Neigh.Dev == "eth0" {
				resolved = true
			}
		}
		return learned && resolved
	})
	nics := town.NICs("a")
	if len(nics) != 2 || nics[1].Name != "eth0" || nics[1].MAC.String() != "02:00:00:00:00:01" || len(nics[1].Addrs) != 1 || nics[1].Addrs[0].String() != "10.0.0.1/24" || nics[1].Link != 1 {
		t.Errorf("a's NICs %+v", nics)
	}
}
