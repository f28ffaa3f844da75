package play

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// Words for what happens without a call: events a learner would
// otherwise miss in the console, and the flashes over a plot.

// noteEvent says in the console, as a "# " comment, what event e did
// that no call's result shows: a host answering a datagram to a port
// nothing listens on with an ICMP port unreachable, as Linux does (the
// sender's connected socket then gets ECONNREFUSED from its next call).
// The line is logged with the event, so going back and forward shows it
// with it.
func (p *Player) noteEvent(e sock.Event) {
	if e.Kind != sock.KindSent {
		return
	}
	port, to, ok := portUnreachable(e.Packet)
	if !ok {
		return
	}
	p.console.add(LineInfo, fmt.Sprintf("# %s: nothing listens on UDP %d: ICMP port unreachable back to %s", e.Host, port, p.hostName(to)))
}

// portUnreachable reads an ICMP port unreachable message: the UDP port
// the datagram it quotes was sent to, and the address it goes back to.
// Any other packet, or bytes too short to say, is not one.
func portUnreachable(pkt []byte) (port uint16, to netip.Addr, ok bool) {
	ip, err := wire.ParseIPv4(pkt)
	if err != nil || ip.Protocol() != wire.ProtocolICMP {
		return 0, netip.Addr{}, false
	}
	m, err := wire.ParseICMPv4(ip.Payload())
	if err != nil || m.Type() != wire.ICMPv4DestUnreach || m.Code() != wire.ICMPv4PortUnreach {
		return 0, netip.Addr{}, false
	}
	q, err := wire.ParseIPv4Quote(m.Body())
	if err != nil || q.Protocol() != wire.ProtocolUDP || len(q.Payload()) < 4 {
		return 0, netip.Addr{}, false
	}
	return binary.BigEndian.Uint16(q.Payload()[2:]), ip.Dst(), true
}

// hostName is the name of the host with address a in the town shown, or
// the address when no host has it.
func (p *Player) hostName(a netip.Addr) string {
	for _, h := range p.snap.Hosts {
		for _, pfx := range h.Addrs {
			if pfx.Addr() == a {
				return h.Name
			}
		}
	}
	return a.String()
}

// flashText is the words that rise over host's plot when it drops a
// packet that arrived for reason: damaged bits in plain words (the
// frame's or a header's checksum did not match), else the kernel's
// reason.
func flashText(host, reason string) string {
	for _, d := range []struct{ prefix, what string }{
		{"bad FCS", "its frame's checksum failed"},
		{"bad IPv4 header checksum", "its IP header's checksum failed"},
		{"bad TCP checksum", "its TCP checksum failed"},
		{"bad UDP checksum", "its UDP checksum failed"},
		{"bad ICMP checksum", "its ICMP checksum failed"},
	} {
		if strings.HasPrefix(reason, d.prefix) {
			return fmt.Sprintf("a damaged letter: %s, %s dropped it", d.what, host)
		}
	}
	return "dropped: " + reason
}
