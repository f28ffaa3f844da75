package peerstate_test

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"socketville/shared/netsim"
	"socketville/shared/p2p/peerstate"
	"socketville/shared/sock"
)

// roomAddr is each peer's host's address on the room's subnet.
var roomAddr = map[string]string{"ann": "10.99.0.1", "bob": "10.99.0.2", "carol": "10.99.0.3"}

// peerTown is the town of a peer whose one host, me, runs a web server
// and has a road to each of friends' hosts, as a shared town's peer
// lines make them.
func peerTown(t testing.TB, me string, friends ...string) sock.Snapshot {
	t.Helper()
	lines := fmt.Sprintf("host %s %s/24\nprocess %s web root\n%s/web: socket tcp\n%s/web: bind 3 0.0.0.0:80\n%s/web: listen 3 4",
		me, roomAddr[me], me, me, me, me)
	for _, f := range friends {
		lines += fmt.Sprintf("\npeer %s %s %s", me, f, roomAddr[f])
	}
	return town(t, lines)
}

// peerPart is what that peer sends.
func peerPart(t testing.TB, me string, friends ...string) peerstate.Part {
	t.Helper()
	s := peerTown(t, me, friends...)
	return peerstate.Part{Seq: 1, Now: s.Now, Hosts: s.Hosts}
}

// sent is a part as it comes off the road: encoded and decoded.
func sent(t testing.TB, p peerstate.Part) peerstate.Part {
	t.Helper()
	b, err := peerstate.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := peerstate.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func hostNames(s sock.Snapshot) []string {
	var out []string
	for _, h := range s.Hosts {
		out = append(out, h.Name)
	}
	return out
}

func linkNames(s sock.Snapshot) []string {
	var out []string
	for _, l := range s.Links {
		out = append(out, fmt.Sprintf("%d %s %s-%s", l.ID, l.Name, l.A, l.B))
	}
	return out
}

func TestMerge(t *testing.T) {
	road := func(local, remote string) peerstate.Road {
		return peerstate.Road{Local: local, Remote: remote, Label: "WebRTC · RTT 4 ms · loss 0%", RTT: 4e6}
	}
	for _, tc := range []struct {
		name    string
		local   sock.Snapshot
		remotes func(t *testing.T) []peerstate.Remote
		hosts   []string
		links   []string
		leftOut []string
	}{
		{
			name:    "alone",
			local:   peerTown(t, "ann"),
			remotes: func(*testing.T) []peerstate.Remote { return nil },
			hosts:   []string{"ann"},
		},
		{
			name:  "a friend and a road",
			local: peerTown(t, "ann", "bob"),
			remotes: func(t *testing.T) []peerstate.Remote {
				return []peerstate.Remote{{Peer: "p2", Name: "Bob", Part: sent(t, peerPart(t, "bob", "ann")), Roads: []peerstate.Road{road("ann", "bob")}}}
			},
			hosts: []string{"ann", "bob"},
			links: []string{"1 ann-bob ann-bob"},
		},
		{
			name:  "after the town's own links",
			local: town(t, "host ann 10.99.0.1/24\nhost lab 10.0.0.2/24\nlink ann lab\npeer ann bob 10.99.0.2"),
			remotes: func(t *testing.T) []peerstate.Remote {
				return []peerstate.Remote{{Peer: "p2", Name: "Bob", Part: sent(t, peerPart(t, "bob", "ann")), Roads: []peerstate.Road{road("ann", "bob")}}}
			},
			hosts: []string{"ann", "lab", "bob"},
			links: []string{"1 ann-lab ann-lab", "2 ann-bob ann-bob"},
		},
		{
			name:  "a friend may not take my plot",
			local: peerTown(t, "ann", "bob"),
			remotes: func(t *testing.T) []peerstate.Remote {
				p := sent(t, peerPart(t, "bob", "ann"))
				evil := p.Hosts[0]
				evil.Name, evil.Addrs = "ann", []netip.Prefix{netip.MustParsePrefix("10.99.0.9/24")}
				p.Hosts = append(p.Hosts, evil)
				return []peerstate.Remote{{Peer: "p2", Name: "Bob", Part: p, Roads: []peerstate.Road{road("ann", "bob"), road("bob", "ann")}}}
			},
			hosts:   []string{"ann", "bob"},
			links:   []string{"1 ann-bob ann-bob"},
			leftOut: []string{"Bob's host ann is left out: ann is already a plot of this town", "the road from bob to Bob's ann is left out: bob is not a host of this town"},
		},
		{
			name:  "nor another friend's",
			local: peerTown(t, "ann", "bob", "carol"),
			remotes: func(t *testing.T) []peerstate.Remote {
				carol := sent(t, peerPart(t, "carol", "ann"))
				carol.Hosts[0].Name = "bob" // Carol calls her host bob too
				return []peerstate.Remote{
					{Peer: "p2", Name: "Bob", Part: sent(t, peerPart(t, "bob", "ann")), Roads: []peerstate.Road{road("ann", "bob")}},
					{Peer: "p3", Name: "Carol", Part: carol, Roads: []peerstate.Road{road("ann", "bob")}},
				}
			},
			hosts:   []string{"ann", "bob"},
			links:   []string{"1 ann-bob ann-bob"},
			leftOut: []string{"Carol's host bob is left out: bob is already Bob's", "the road from ann to Carol's bob is left out: Carol has no such host in the town"},
		},
		{
			name:  "nor an address another plot has",
			local: peerTown(t, "ann", "bob"),
			remotes: func(t *testing.T) []peerstate.Remote {
				p := sent(t, peerPart(t, "bob", "ann"))
				p.Hosts[0].Addrs = []netip.Prefix{netip.MustParsePrefix("10.99.0.1/24")}
				return []peerstate.Remote{{Peer: "p2", Part: p}}
			},
			hosts:   []string{"ann"},
			leftOut: []string{"peer p2's host bob is left out: its address 10.99.0.1 is already ann's"},
		},
		{
			name:  "a road twice",
			local: peerTown(t, "ann", "bob"),
			remotes: func(t *testing.T) []peerstate.Remote {
				return []peerstate.Remote{{Peer: "p2", Name: "Bob", Part: sent(t, peerPart(t, "bob", "ann")), Roads: []peerstate.Road{road("ann", "bob"), road("ann", "bob")}}}
			},
			hosts:   []string{"ann", "bob"},
			links:   []string{"1 ann-bob ann-bob"},
			leftOut: []string{"the road from ann to Bob's bob comes twice: the second is left out"},
		},
		{
			name:  "two friends",
			local: peerTown(t, "ann", "bob", "carol"),
			remotes: func(t *testing.T) []peerstate.Remote {
				return []peerstate.Remote{
					{Peer: "p2", Name: "Bob", Part: sent(t, peerPart(t, "bob", "ann", "carol")), Roads: []peerstate.Road{road("ann", "bob")}},
					{Peer: "p3", Name: "Carol", Part: sent(t, peerPart(t, "carol", "ann", "bob")), Roads: []peerstate.Road{road("ann", "carol")}},
				}
			},
			hosts: []string{"ann", "bob", "carol"},
			links: []string{"1 ann-bob ann-bob", "2 ann-carol ann-carol"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := peerstate.Merge(tc.local, tc.remotes(t))
			if got := hostNames(m.Snapshot); !slices.Equal(got, tc.hosts) {
				t.Errorf("hosts %q, want %q", got, tc.hosts)
			}
			if got := linkNames(m.Snapshot); !slices.Equal(got, tc.links) {
				t.Errorf("links %q, want %q", got, tc.links)
			}
			if !slices.Equal(m.LeftOut, tc.leftOut) {
				t.Errorf("left out:\n%s\nwant:\n%s", strings.Join(m.LeftOut, "\n"), strings.Join(tc.leftOut, "\n"))
			}
			for i, l := range m.Snapshot.Links {
				if l.ID != sock.LinkID(i+1) {
					t.Errorf("link %s has id %d at place %d", l.Name, l.ID, i)
				}
			}
		})
	}
}

// TestMergeRoad: the road is drawn as a point-to-point link of the
// road's MTU and half its RTT, with its label beside it; the NICs at its
// ends are plugged into it and the friend's other NICs into nothing.
func TestMergeRoad(t *testing.T) {
	bob := sent(t, peerPart(t, "bob", "ann"))
	m := peerstate.Merge(peerTown(t, "ann", "bob"), []peerstate.Remote{{Peer: "p2", Name: "Bob", Part: bob,
		Roads: []peerstate.Road{{Local: "ann", Remote: "bob", Label: "relayed", RTT: 30e6}}}})
	l := m.Snapshot.Links[0]
	if l.Config.MTU != netsim.RoadMTU || l.Config.Delay != 15e6 {
		t.Errorf("road config %+v, want MTU %d and delay 15ms", l.Config, netsim.RoadMTU)
	}
	if m.Labels[l.Name] != "relayed" || m.Owners["bob"] != "Bob" || m.Owners["ann"] != "" {
		t.Errorf("labels %q owners %q", m.Labels, m.Owners)
	}
	for _, h := range m.Snapshot.Hosts {
		var plugged []string
		for _, n := range h.NICs {
			if n.Link != 0 {
				plugged = append(plugged, fmt.Sprintf("%s:%d", n.Name, n.Link))
			}
		}
		if len(plugged) != 1 || !strings.HasSuffix(plugged[0], ":1") {
			t.Errorf("%s's NICs plugged in: %q, want the road's end only, into link 1", h.Name, plugged)
		}
	}
}

// TestMergeAliasesNothing: changing the merged snapshot changes neither
// the town's own snapshot nor the friend's part, and the other way round.
func TestMergeAliasesNothing(t *testing.T) {
	local := town(t, busyTown+"\nhost ann 10.99.0.1/24\npeer ann bob 10.99.0.2")
	bob := sent(t, peerPart(t, "bob", "ann"))
	localCopy, bobCopy := town(t, busyTown+"\nhost ann 10.99.0.1/24\npeer ann bob 10.99.0.2"), sent(t, peerPart(t, "bob", "ann"))
	m := peerstate.Merge(local, []peerstate.Remote{{Peer: "p2", Part: bob, Roads: []peerstate.Road{{Local: "ann", Remote: "bob"}}}})
	scribble(&m.Snapshot)
	if !reflect.DeepEqual(local, localCopy) {
		t.Error("changing the merged snapshot changed the town's own")
	}
	if !reflect.DeepEqual(bob, bobCopy) {
		t.Error("changing the merged snapshot changed the friend's part")
	}
	before := peerstate.Merge(localCopy, []peerstate.Remote{{Peer: "p2", Part: bobCopy, Roads: []peerstate.Road{{Local: "ann", Remote: "bob"}}}})
	want := peerstate.Merge(town(t, busyTown+"\nhost ann 10.99.0.1/24\npeer ann bob 10.99.0.2"), []peerstate.Remote{{Peer: "p2", Part: sent(t, peerPart(t, "bob", "ann")), Roads: []peerstate.Road{{Local: "ann", Remote: "bob"}}}})
	scribble(&localCopy)
	for i := range bobCopy.Hosts {
		scribbleHost(&bobCopy.Hosts[i])
	}
	if !reflect.DeepEqual(before, want) {
		t.Error("changing the inputs changed a merged snapshot made of them")
	}
}

// scribble changes everything that a shared slice, map or pointer would
// carry across.
func scribble(s *sock.Snapshot) {
	for i := range s.Hosts {
		scribbleHost(&s.Hosts[i])
	}
	for i := range s.Links {
		s.Links[i].Name = "x"
	}
	for i := range s.Switches {
		s.Switches[i].Drops["x"]++
	}
}

func scribbleHost(h *sock.HostState) {
	h.Addrs[0] = netip.MustParsePrefix("1.2.3.4/8")
	if h.Drops != nil {
		h.Drops["scribbled"] = 1
	}
	for j := range h.Routes {
		h.Routes[j].Gateway = netip.MustParseAddr("1.1.1.1")
	}
	for j := range h.Processes {
		for k := range h.Processes[j].Sockets {
			s := &h.Processes[j].Sockets[k]
			s.FD = -1
			if s.TCP != nil {
				s.TCP.Cwnd = -1
			}
			for o := range s.Options {
				s.Options[o].Value = -1
			}
		}
	}
	for j := range h.Orphans {
		h.Orphans[j].FD = -1
	}
	for j := range h.NICs {
		if h.NICs[j].MAC != nil {
			h.NICs[j].MAC[0] = 0xff
		}
		for k := range h.NICs[j].Addrs {
			h.NICs[j].Addrs[k] = netip.MustParsePrefix("1.2.3.4/8")
		}
		for k := range h.NICs[j].Peers {
			h.NICs[j].Peers[k] = netip.MustParseAddr("1.2.3.4")
		}
	}
	for j := range h.Neigh {
		if h.Neigh[j].MAC != nil {
			h.Neigh[j].MAC[0] = 0xff
		}
	}
}
