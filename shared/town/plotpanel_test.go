package town

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
)

// TestPlotPanels: after a sends b a datagram across switch sw, the
// switch's panel lists its ports with their cables and its MAC table
// (both MACs, on their ports, with their age); a's lists its interfaces
// (name, MAC, address/prefix, MTU, cable) and its ARP cache as `ip neigh`
// prints it; router r's starts with its routing table.
func TestPlotPanels(t *testing.T) {
	w := netsim.New(netsim.Options{})
	k := w.Kernel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(k.AddSwitch("sw", 0))
	for i, h := range []string{"a", "b"} {
		must(k.AddHost(h, []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("10.0.0.%d/24", i+1))}, sock.HostOptions{}))
		must(k.AddLink(h, "sw", sock.LinkConfig{Delay: 2 * time.Millisecond}))
	}
	must(k.AddHost("r", []netip.Prefix{netip.MustParsePrefix("10.0.0.254/24"), netip.MustParsePrefix("10.0.1.254/24")}, sock.HostOptions{Forward: true}))
	must(k.AddLink("r", "sw", sock.LinkConfig{}))
	must(k.AddHost("far", []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24")}, sock.HostOptions{}))
	must(k.AddLink("r", "far", sock.LinkConfig{}))
	must(k.AddRoute("a", netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("10.0.0.254")))
	p, err := k.AddProcess("a", "app", false)
	must(err)
	fd, err := p.Socket(sock.SockUDP)
	must(err)
	_, err = p.SendTo(fd, []byte("hi"), netip.MustParseAddrPort("10.0.0.2:7"))
	must(err)
	w.RunFor(50 * time.Millisecond)
	s := w.Snapshot()

	has := func(who string, lines []string, want ...string) {
		t.Helper()
		all := strings.Join(lines, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s's panel does not say %q:\n%s", who, w, all)
			}
		}
	}
	has("sw", plotPanelLines(s, "sw"),
		"port 1  a-sw (to a)", "port 2  b-sw (to b)", "port 3  r-sw (to r)", "5 ports free",
		"MAC table", "02:00:00:00:00:01     1  0.0", "02:00:00:00:00:02     2  0.0")
	has("a", plotPanelLines(s, "a"),
		"Interfaces", "eth0  02:00:00:00:00:01  mtu 1500  cable a-sw to sw", "inet 10.0.0.1/24",
		"ARP cache (ip neigh):", "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE",
		"Routing table", "10.0.0.0/24 dev eth0 scope link src 10.0.0.1", "default via 10.0.0.254 dev eth0")
	r := plotPanelLines(s, "r")
	if len(r) == 0 || !strings.HasPrefix(r[0], "A router") {
		t.Errorf("r's panel does not start by saying it is a router: %q", r)
	}
	// r's eth1 is a point-to-point cable: a route to the far end's address, no subnet route.
	has("r", r, "Routing table (ip route):", "10.0.0.0/24 dev eth0", "10.0.1.1 dev eth1 scope link", "(empty: no neighbour asked for yet)")
	if got := plotPanelLines(s, "nowhere"); got != nil {
		t.Errorf("a panel for nothing: %q", got)
	}
}
