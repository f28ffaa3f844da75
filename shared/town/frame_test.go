package town

import (
	"fmt"
	"strings"
	"testing"

	"socketville/examples"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// TestLayersBuildTheFrame: the link floor is the event's real frame (its
// Ethernet header, what it carries, the padding, and the FCS that
// wire.AppendFCS computes), and the physical floor its bits in the order
// they go on the wire, preamble and SFD first; a kernel that gives no
// frame gets the floors it had before, which say what Ethernet would add.
func TestLayersBuildTheFrame(t *testing.T) {
	ex, _ := examples.Find("hello-udp")
	var arp, udp *sentPacket
	pkts := examplePackets(t, ex, 50)
	for i, p := range pkts {
		if eth, err := wire.ParseEthernet(p.frame); err == nil && eth.Type() == wire.EtherTypeARP && arp == nil {
			arp = &pkts[i]
		}
		if ip, err := wire.ParseIPv4(p.pkt); err == nil && ip.Protocol() == wire.ProtocolUDP && udp == nil {
			udp = &pkts[i]
		}
	}
	if arp == nil || udp == nil {
		t.Fatalf("hello-udp sent no ARP frame or no UDP packet")
	}
	names := func(u unit) string {
		var s []string
		for _, p := range u.parts {
			s = append(s, fmt.Sprintf("%s %d", p.name, p.n))
		}
		return strings.Join(s, ", ")
	}
	u := layerUnits(arp.pkt, arp.frame)
	if got := names(u[3]); got != "Eth hdr 14, ARP msg 28, padding 18, FCS 4" {
		t.Errorf("an ARP frame's link floor: %s", got)
	}
	fcs := wire.AppendFCS(append([]byte(nil), arp.frame...))[len(arp.frame):]
	if want := fmt.Sprintf("the FCS %x", fcs); !strings.Contains(u[3].caption, want) || !strings.Contains(u[3].caption, "ff:ff:ff:ff:ff:ff (broadcast") {
		t.Errorf("the link floor says %q, want %q and the broadcast", u[3].caption, want)
	}
	if got := names(u[2]); got != "ARP msg 28" || !strings.Contains(u[2].caption, "no IP packet") {
		t.Errorf("an ARP frame's network floor: %s: %q", got, u[2].caption)
	}
	const preamble = "10101010 10101010 10101010 10101010 10101010 10101010 10101010 10101011 "
	if !strings.HasPrefix(u[4].bits, preamble) || !strings.Contains(u[4].caption, fmt.Sprintf("%d bits", (8+64)*8)) {
		t.Errorf("the physical floor: %q, bits %q", u[4].caption, u[4].bits[:min(len(u[4].bits), 90)])
	}
	// The destination, broadcast, goes first: all ones.
	if got := u[4].bits[len(preamble):][:9]; got != "11111111 " {
		t.Errorf("the frame's first bits %q, want the broadcast's ones", got)
	}
	v := layerUnits(udp.pkt, udp.frame)
	if got := names(v[3]); !strings.HasPrefix(got, "Eth hdr 14, IP hdr 20, UDP hdr 8, ") || !strings.HasSuffix(got, "FCS 4") {
		t.Errorf("a UDP frame's link floor: %s", got)
	}
	old := layerUnits(udp.pkt, nil)
	if !strings.Contains(old[3].caption, "Ethernet would add 14 + 4 bytes") || old[4].bits != "" {
		t.Errorf("without a frame the link floor says %q", old[3].caption)
	}
	if got := wireBits([]byte{0x01, 0x80}); got != "10000000 00000001" {
		t.Errorf("wireBits(01 80) = %q: each byte goes lowest bit first", got)
	}
}

// TestCutawayEnds: the Layers page takes a letter to a switch up to the
// switch's link floor only, an ARP message no higher than the network
// floor, and a packet a router passes on up to the router's network
// floor; a host's own packet to the top.
func TestCutawayEnds(t *testing.T) {
	for _, tc := range []struct {
		example, label, from, to string
		src, dst                 string
		srcTop, dstTop           float64
	}{
		{"lan", "who-has 10.0.0.2?", "a", "sw", "10.0.0.1", "switch sw", 2, 3},
		{"lan", "who-has 10.0.0.2?", "sw", "b", "switch sw", "every host on the link", 3, 2},
		{"router", "ICMP echo request", "router", "server", "router router", "203.0.113.80", 2, 0},
		{"router", "ICMP echo request", "home", "router", "192.168.1.10", "router router", 0, 2},
	} {
		ex, ok := examples.Find(tc.example)
		if !ok {
			t.Fatalf("no example %s", tc.example)
		}
		p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
		if err != nil {
			t.Fatal(err)
		}
		g := &Game{player: p}
		var found *play.Letter
		for step := 0; step < 3000 && found == nil && p.Busy(); step++ {
			p.Step()
			for _, l := range p.Animation().Letters {
				if l.Label == tc.label && l.From == tc.from && l.To == tc.to {
					found = l
				}
			}
		}
		if found == nil {
			t.Fatalf("%s: no letter %q %s->%s", tc.example, tc.label, tc.from, tc.to)
		}
		g.panel = newLetterPanel(found)
		src, dst, st, dt := g.cutawayEnds(found.Packet)
		if src != tc.src || dst != tc.dst || st != tc.srcTop || dt != tc.dstTop {
			t.Errorf("%s %q %s->%s: ends %q (from floor %v) and %q (to floor %v), want %q (%v) and %q (%v)",
				tc.example, tc.label, tc.from, tc.to, src, st, dst, dt, tc.src, tc.srcTop, tc.dst, tc.dstTop)
		}
	}
}
