package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// lanTown is three hosts on one switch: a pings b, then sends it a
// datagram. It travels in the page's link (?src=), as a shared town does.
const lanTown = `# Three hosts on one switch.
switch sw
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
link a sw delay=2ms
link b sw delay=2ms
link c sw delay=2ms
process a app
process b echo
b/echo: socket udp
b/echo: bind 3 0.0.0.0:7000
a/app: ping 10.0.0.2 2
a/app: socket udp
a/app: sendto 3 10.0.0.2:7000 "hello"
b/echo: recvfrom 3 512
run 50ms
`

// plotBox is where the page draws the plot of host (or switch) name.
func (s state) plotBox(name string) (box, bool) {
	for _, p := range s.Plots {
		if p.Host == name {
			return p.Box, true
		}
	}
	return box{}, false
}

// clickPlot clicks the middle of a plot once it is on screen, and waits
// for its panel.
func clickPlot(t *testing.T, ctx context.Context, name string) state {
	t.Helper()
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 10*time.Second, "the plot of "+name, get, func(s state) bool {
		b, ok := s.plotBox(name)
		return ok && b.W > 0
	})
	b, _ := st.plotBox(name)
	// The middle of a switch's yard is its junction box; a host's plot
	// is clicked on its land, under its sign, left of its houses.
	x, y := b.center()
	if !strings.HasPrefix(name, "sw") {
		x, y = b.X+6, b.Y+b.H/2
	}
	if err := click(ctx, x, y); err != nil {
		t.Fatal(err)
	}
	return waitFor(t, 5*time.Second, "the panel of "+name, get, func(s state) bool {
		return s.Selected == "plot" && len(s.PanelLines) > 0
	})
}

// TestBrowserSwitchTown opens a LAN on a switch in the browser: the
// switch stands in the town with its road to each host, a's ARP question
// is seen flooded (two who-has letters at once, one on each of the
// switch's other roads), and a click on the switch's yard opens its
// panel, whose MAC table, read through the page, fills with a's and b's
// MAC addresses on their ports as the story plays.
func TestBrowserSwitchTown(t *testing.T) {
	base := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, base+"?play=1&scenario=lan&src="+url.QueryEscape(lanTown))
	get := func() (state, error) { return pageState(ctx) }
	st := waitFor(t, 10*time.Second, "the switch and its three roads", get, func(s state) bool {
		_, ok := s.plotBox("sw")
		return ok && len(s.Roads) == 3
	})
	if st.Scenario != "lan" {
		t.Errorf("playing %q, want the link's town", st.Scenario)
	}
	st = waitFor(t, 30*time.Second, "the who-has flooded out of two ports", get, func(s state) bool {
		n := 0
		for _, l := range s.LetterBoxes {
			if l.Label == "who-has 10.0.0.2?" {
				n++
			}
		}
		return n >= 2
	})
	shot(t, ctx, "lan-flood.png")
	st = clickPlot(t, ctx, "sw")
	if !strings.HasPrefix(st.Panel, "Switch sw: 8 ports") {
		t.Errorf("the switch's panel is titled %q", st.Panel)
	}
	st = waitFor(t, 30*time.Second, "a's and b's MACs in the switch's MAC table", get, func(s state) bool {
		all := strings.Join(s.PanelLines, "\n")
		return strings.Contains(all, "02:00:00:00:00:01     1") && strings.Contains(all, "02:00:00:00:00:02     2")
	})
	all := strings.Join(st.PanelLines, "\n")
	for _, want := range []string{"MAC table (bridge fdb):", "port 1  a-sw (to a)", "port 2  b-sw (to b)", "port 3  c-sw (to c)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the switch's panel does not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "02:00:00:00:00:03") {
		t.Errorf("the switch learned c's MAC, though c sent nothing:\n%s", all)
	}
	shot(t, ctx, "lan-switch-panel.png")
	st = clickPlot(t, ctx, "a")
	st = waitFor(t, 10*time.Second, "b in a's ARP cache", get, func(s state) bool {
		return strings.Contains(strings.Join(s.PanelLines, "\n"), "10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02")
	})
	if all := strings.Join(st.PanelLines, "\n"); !strings.Contains(all, "eth0  02:00:00:00:00:01  mtu 1500") || !strings.Contains(all, "inet 10.0.0.1/24") {
		t.Errorf("a's panel does not show its interface:\n%s", all)
	}
	shot(t, ctx, "lan-host-panel.png")
}

// TestBrowserRouterPanel opens router.sv and clicks the router's plot,
// a crossroads: its panel starts with its routing table, a route to the
// far end of each of its two point-to-point cables.
func TestBrowserRouterPanel(t *testing.T) {
	base := serve(t)
	ctx := browser(t, 1280, 800)
	openTown(t, ctx, base+"?play=1&scenario=router")
	st := clickPlot(t, ctx, "router")
	all := strings.Join(st.PanelLines, "\n")
	for _, want := range []string{"Routing table (ip route):", "192.168.1.10 dev eth0", "203.0.113.80 dev eth1"} {
		if !strings.Contains(all, want) {
			t.Errorf("the router's panel does not say %q:\n%s", want, all)
		}
	}
	if !strings.HasPrefix(st.Panel, "Router router:") {
		t.Errorf("the router's panel is titled %q", st.Panel)
	}
	get := func() (state, error) { return pageState(ctx) }
	waitFor(t, 30*time.Second, "a letter on the road", get, func(s state) bool { return len(s.LetterBoxes) > 0 })
	shot(t, ctx, "router-panel.png")
}
