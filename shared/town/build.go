package town

import (
	"fmt"
	"net/netip"
	"slices"

	"socketville/examples"
	"socketville/shared/sock"
)

// Building by hand: a learner starts from an empty town and adds hosts,
// switches, links, processes and sockets with buttons, then calls on the
// sockets from the door panel. Each button runs exactly one shell line
// through the player, so the console echoes it and a scenario can replay
// it; the town adds nothing a script cannot say.

// EmptyTown is the name of the town with nothing in it, offered first in
// the scenario picker and by the build panel.
const EmptyTown = "empty-town"

// emptyTown is the scenario of the empty town: a comment, which the
// caption shows, that says where to start.
var emptyTown = examples.Scenario{
	Name:        EmptyTown,
	Description: "nothing yet: build a town by hand (Build, or the B key)",
	Source: "# An empty town: build it by hand.\n" +
		"# Build (or the B key) adds hosts, switches and links; a host's plot adds\n" +
		"# processes, a house sockets, and a door makes every call on its socket.\n" +
		"# No mouse? Tab goes through the town and the buttons, Enter opens or\n" +
		"# presses, Esc backs out.\n",
}

// townScenarios are the scenarios the picker offers: the empty town
// first, then the examples.
func townScenarios() []examples.Scenario {
	return append([]examples.Scenario{emptyTown}, examples.All()...)
}

// findScenario is the scenario the town offers under name (the empty town
// or an example), with or without ".sv".
func findScenario(name string) (examples.Scenario, bool) {
	if name == EmptyTown || name == EmptyTown+".sv" {
		return emptyTown, true
	}
	return examples.Find(name)
}

// nextHostName is the first of a, b, c, ... (then h1, h2, ...) that no host
// or switch in the snapshot is called.
func nextHostName(s sock.Snapshot) string {
	taken := map[string]bool{}
	for _, h := range s.Hosts {
		taken[h.Name] = true
	}
	for _, sw := range s.Switches {
		taken[sw.Name] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		if n := string(c); !taken[n] {
			return n
		}
	}
	for i := 1; ; i++ {
		if n := fmt.Sprintf("h%d", i); !taken[n] {
			return n
		}
	}
}

// nextSwitchName is sw, sw2, sw3, ...: the first no host or switch has.
func nextSwitchName(s sock.Snapshot) string {
	taken := map[string]bool{}
	for _, h := range s.Hosts {
		taken[h.Name] = true
	}
	for _, sw := range s.Switches {
		taken[sw.Name] = true
	}
	if !taken["sw"] {
		return "sw"
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("sw%d", i); !taken[n] {
			return n
		}
	}
}

// nextHostAddr is an address for a new host: the next free one on the
// subnet of the newest host (10.0.0.3/24 after 10.0.0.1 and 10.0.0.2), or
// 10.0.0.1/24 in an empty town.
func nextHostAddr(s sock.Snapshot) netip.Prefix {
	used := map[netip.Addr]bool{}
	var last netip.Prefix
	for _, h := range s.Hosts {
		for _, a := range h.Addrs {
			used[a.Addr()] = true
			if a.Addr().Is4() && !a.Addr().IsLoopback() {
				last = a
			}
		}
	}
	if !last.IsValid() {
		return netip.MustParsePrefix("10.0.0.1/24")
	}
	for a := last.Masked().Addr().Next(); last.Contains(a); a = a.Next() {
		if !used[a] && a != lastOf(last) {
			return netip.PrefixFrom(a, last.Bits())
		}
	}
	return last // a full subnet: the learner picks one
}

// lastOf is a subnet's broadcast address, which no host may take.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// nextProcName is a name for a new process on host: app, then app2, app3, ...
func nextProcName(s sock.Snapshot, host string) string {
	var taken []string
	for _, h := range s.Hosts {
		if h.Name == host {
			for _, p := range h.Processes {
				taken = append(taken, p.Name)
			}
		}
	}
	if !slices.Contains(taken, "app") {
		return "app"
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("app%d", i); !slices.Contains(taken, n) {
			return n
		}
	}
}

// nodeNames are the hosts' and switches' names, in the snapshot's order:
// the ends a link may join.
func nodeNames(s sock.Snapshot) []string {
	var out []string
	for _, h := range s.Hosts {
		out = append(out, h.Name)
	}
	for _, sw := range s.Switches {
		out = append(out, sw.Name)
	}
	return out
}
