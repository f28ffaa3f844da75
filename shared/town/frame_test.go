package town

import (
	"fmt"
	"strings"
	"testing"

	"socketville/examples"
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
