package wire

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Summary describes a packet in one line, the way tcpdump would:
// "UDP 10.0.0.1:49152 > 10.0.0.2:7007 len=11". It never fails: bytes that do
// not parse are described as such.
func Summary(pkt []byte) string {
	ip, err := ParseIPv4(pkt)
	if err != nil {
		if ip, err = ParseIPv4Quote(pkt); err != nil {
			return fmt.Sprintf("%d bytes, not IPv4", len(pkt))
		}
	}
	var b strings.Builder
	summarize(&b, ip)
	return b.String()
}

func summarize(b *strings.Builder, ip IPv4) {
	if ip.IsFragment() {
		fmt.Fprintf(b, "IPv4 %v > %v fragment off=%d id=%d %v", ip.Src(), ip.Dst(), ip.FragOffset(), ip.ID(), ip.Protocol())
		return
	}
	switch ip.Protocol() {
	case ProtocolUDP:
		u, err := ParseUDP(ip.Payload())
		if err != nil {
			fmt.Fprintf(b, "UDP %v > %v malformed", ip.Src(), ip.Dst())
			return
		}
		fmt.Fprintf(b, "UDP %v:%d > %v:%d len=%d", ip.Src(), u.SrcPort(), ip.Dst(), u.DstPort(), len(u.Payload()))
	case ProtocolICMP:
		m, err := ParseICMPv4(ip.Payload())
		if err != nil {
			fmt.Fprintf(b, "ICMP %v > %v malformed", ip.Src(), ip.Dst())
			return
		}
		fmt.Fprintf(b, "ICMP %v > %v %v", ip.Src(), ip.Dst(), m.Type())
		switch {
		case m.Type() == ICMPv4EchoRequest || m.Type() == ICMPv4EchoReply:
			fmt.Fprintf(b, " id=%d seq=%d len=%d", m.Ident(), m.Seq(), len(m.Body()))
		case m.IsError():
			fmt.Fprintf(b, " (%s)", icmpCodeName(m))
			if q, err := ParseIPv4Quote(m.Body()); err == nil {
				b.WriteString(" for ")
				summarizeQuote(b, q)
			}
		}
	case ProtocolTCP:
		summarizeTCP(b, ip)
	default:
		fmt.Fprintf(b, "%v %v > %v len=%d", ip.Protocol(), ip.Src(), ip.Dst(), len(ip.Payload()))
	}
	if ip.TTL() != 64 {
		fmt.Fprintf(b, " ttl=%d", ip.TTL())
	}
}

// summarizeQuote describes the quoted start of a packet inside an ICMP error,
// where only the first 8 bytes of the transport header may be present.
func summarizeQuote(b *strings.Builder, q IPv4) {
	p := q.Payload()
	if (q.Protocol() == ProtocolUDP || q.Protocol() == ProtocolTCP) && len(p) >= 4 {
		fmt.Fprintf(b, "%v %v:%d > %v:%d", q.Protocol(), q.Src(), uint16(p[0])<<8|uint16(p[1]), q.Dst(), uint16(p[2])<<8|uint16(p[3]))
		return
	}
	fmt.Fprintf(b, "%v %v > %v", q.Protocol(), q.Src(), q.Dst())
}

func icmpCodeName(m ICMPv4) string {
	if m.Type() == ICMPv4TimeExceeded {
		if m.Code() == ICMPv4TTLExceeded {
			return "TTL exceeded in transit"
		}
		return "fragment reassembly time exceeded"
	}
	if m.Type() != ICMPv4DestUnreach {
		return fmt.Sprintf("code %d", m.Code())
	}
	switch m.Code() {
	case ICMPv4NetUnreach:
		return "net unreachable"
	case ICMPv4HostUnreach:
		return "host unreachable"
	case ICMPv4ProtoUnreach:
		return "protocol unreachable"
	case ICMPv4PortUnreach:
		return "port unreachable"
	case ICMPv4FragNeeded:
		return fmt.Sprintf("fragmentation needed, mtu %d", m.NextHopMTU())
	case ICMPv4AdminProhib:
		return "administratively prohibited"
	}
	return fmt.Sprintf("code %d", m.Code())
}

// summarizeTCP writes "TCP a:p > b:q SYN|ACK seq=1 ack=2 win=3 len=0 <mss 1460>".
func summarizeTCP(b *strings.Builder, ip IPv4) {
	t, err := ParseTCP(ip.Payload())
	if err != nil {
		fmt.Fprintf(b, "TCP %v > %v malformed", ip.Src(), ip.Dst())
		return
	}
	fmt.Fprintf(b, "TCP %v:%d > %v:%d %v seq=%d", ip.Src(), t.SrcPort(), ip.Dst(), t.DstPort(), t.Flags(), t.Seq())
	if t.Flags()&TCPAck != 0 {
		fmt.Fprintf(b, " ack=%d", t.Ack())
	}
	fmt.Fprintf(b, " win=%d len=%d", t.Window(), len(t.Payload()))
	if len(t.Options()) == 0 {
		return
	}
	o, err := ParseTCPOptions(t.Options())
	if err != nil {
		b.WriteString(" <bad options>")
		return
	}
	var parts []string
	if o.HasMSS {
		parts = append(parts, fmt.Sprintf("mss %d", o.MSS))
	}
	if o.SACKPermitted {
		parts = append(parts, "sack-ok")
	}
	if o.HasTimestamps {
		parts = append(parts, fmt.Sprintf("ts %d/%d", o.TSVal, o.TSEcr))
	}
	if o.HasWindowScale {
		parts = append(parts, fmt.Sprintf("wscale %d", o.WindowScale))
	}
	for _, s := range o.SACK {
		parts = append(parts, fmt.Sprintf("sack %d-%d", s.Left, s.Right))
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, " <%s>", strings.Join(parts, ","))
	}
}

// FrameSummary describes an Ethernet frame (without FCS) in one line. An
// IPv4 frame reads exactly as Summary reads its packet, so a trace does not
// change when a link gains Ethernet; an ARP frame reads as ARPSummary; any
// other says its size and EtherType. Like Summary it never fails.
func FrameSummary(frame []byte) string {
	if len(frame) < EthernetHeaderLen {
		return fmt.Sprintf("%d bytes, not an Ethernet frame", len(frame))
	}
	e, err := ParseEthernet(frame)
	if err != nil {
		return fmt.Sprintf("%d bytes, not an Ethernet II frame (802.3 length %d)", len(frame), binary.BigEndian.Uint16(frame[ethType:]))
	}
	switch e.Type() {
	case EtherTypeIPv4:
		return Summary(e.Payload())
	case EtherTypeARP:
		return ARPSummary(e.Payload())
	}
	return fmt.Sprintf("%d bytes, EtherType %v", len(frame), e.Type())
}

// ARPSummary describes an ARP message the way tcpdump does: "ARP who-has
// 10.0.0.2 tell 10.0.0.1", "ARP 10.0.0.2 is-at 02:00:00:00:00:02". A
// request for the sender's own address is an announcement and says so:
// "ARP announce 10.0.0.1".
func ARPSummary(b []byte) string {
	a, err := ParseARP(b)
	if err != nil {
		return fmt.Sprintf("ARP malformed (%d bytes)", len(b))
	}
	switch {
	case a.Op() == ARPRequest && a.IsAnnouncement():
		return fmt.Sprintf("ARP announce %v", a.SenderIP())
	case a.Op() == ARPRequest:
		return fmt.Sprintf("ARP who-has %v tell %v", a.TargetIP(), a.SenderIP())
	}
	return fmt.Sprintf("ARP %v is-at %v", a.SenderIP(), a.SenderMAC())
}
