package wire

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
)

// Layer is a floor of the network stack, as the town's cut-away draws it.
type Layer uint8

// The layers a packet's bytes belong to.
const (
	LayerNetwork     Layer = iota // IPv4
	LayerTransport                // TCP, UDP, ICMP
	LayerApplication              // the payload
	// The link and physical floors come last so that the three above keep
	// the numbers they had before frames had Ethernet around them.
	LayerLink     // Ethernet, ARP
	LayerPhysical // preamble, inter-frame gap: bytes no capture holds
)

// String names the layer.
func (l Layer) String() string {
	switch l {
	case LayerNetwork:
		return "network"
	case LayerTransport:
		return "transport"
	case LayerApplication:
		return "application"
	case LayerLink:
		return "link"
	case LayerPhysical:
		return "physical"
	}
	return "layer-" + strconv.Itoa(int(l))
}

// Field is one decoded header field of a packet: which bytes it occupies
// and what they say. Fields that share bytes (version and IHL, the flags
// and the fragment offset) name the same range.
type Field struct {
	Layer  Layer
	Header string // "Ethernet", "ARP", "IPv4", "TCP", "UDP", "ICMP", "payload"
	Name   string
	Off    int // first byte, from the start of the packet (or frame)
	Len    int // bytes
	Value  string
}

// Dissect decodes an IPv4 packet into its header fields, in wire order,
// the way a packet inspector lists them. What cannot be decoded (a packet
// cut short, a header that lies about its length) ends the list with a
// field named "undecodable" holding the rest of the bytes: Dissect never
// fails, so a broken packet can still be shown.
func Dissect(pkt []byte) []Field {
	var d dissector
	d.pkt = pkt
	ip, err := ParseIPv4(pkt)
	if err != nil {
		d.rest(0, LayerNetwork, err)
		return d.fields
	}
	d.ipv4(ip)
	body := ip.HeaderLen()
	switch ip.Protocol() {
	case ProtocolTCP:
		d.tcp(body)
	case ProtocolUDP:
		d.udp(body)
	case ProtocolICMP:
		d.icmp(body)
	default:
		d.payload(body) // a protocol we do not decode: its bytes as data, if any
	}
	return d.fields
}

// DissectFrame decodes an Ethernet II frame the way Dissect decodes a
// packet: the Ethernet header, then for IPv4 exactly Dissect's fields for
// the packet (offsets counted from the frame's start), for ARP the message's
// fields, then any padding after the payload's own end. With withFCS the
// last four bytes are the frame check sequence and the list ends with it,
// saying whether it is correct ("0x07ba6b94 (correct)", or "(WRONG,
// should be 0x...)"). It never fails; what cannot be decoded is an
// "undecodable" field.
func DissectFrame(b []byte, withFCS bool) []Field {
	frame := b
	if withFCS && len(b) >= EthernetFCSLen {
		frame = b[:len(b)-EthernetFCSLen]
	}
	d := dissector{pkt: frame}
	d.ethernet()
	if len(frame) < len(b) {
		d.fcs(b)
	}
	return d.fields
}

type dissector struct {
	pkt    []byte
	fields []Field
}

func (d *dissector) add(l Layer, header, name string, off, n int, value string) {
	d.fields = append(d.fields, Field{Layer: l, Header: header, Name: name, Off: off, Len: n, Value: value})
}

func (d *dissector) rest(off int, l Layer, err error) {
	if off < len(d.pkt) {
		d.add(l, "?", "undecodable", off, len(d.pkt)-off, err.Error())
	}
}

func (d *dissector) u16(off int) uint16 { return binary.BigEndian.Uint16(d.pkt[off:]) }

func (d *dissector) ipv4(ip IPv4) {
	const h = "IPv4"
	n := LayerNetwork
	d.add(n, h, "version", 0, 1, fmt.Sprint(ip[0]>>4))
	d.add(n, h, "header length", 0, 1, fmt.Sprintf("%d bytes", ip.HeaderLen()))
	d.add(n, h, "TOS", 1, 1, fmt.Sprintf("0x%02x", ip.TOS()))
	d.add(n, h, "total length", 2, 2, fmt.Sprintf("%d bytes", ip.TotalLen()))
	d.add(n, h, "identification", 4, 2, fmt.Sprintf("0x%04x", ip.ID()))
	d.add(n, h, "flags", 6, 2, ip.Flags().String())
	d.add(n, h, "fragment offset", 6, 2, fmt.Sprint(ip.FragOffset()))
	d.add(n, h, "TTL", 8, 1, fmt.Sprint(ip.TTL()))
	d.add(n, h, "protocol", 9, 1, fmt.Sprintf("%d (%s)", uint8(ip.Protocol()), ip.Protocol()))
	valid := "correct"
	if !ip.ChecksumValid() {
		valid = "WRONG"
	}
	d.add(n, h, "header checksum", 10, 2, fmt.Sprintf("0x%04x (%s)", ip.Checksum(), valid))
	d.add(n, h, "source", 12, 4, ip.Src().String())
	d.add(n, h, "destination", 16, 4, ip.Dst().String())
	if opts := ip.Options(); len(opts) > 0 {
		d.add(n, h, "options", IPv4MinHeaderLen, len(opts), fmt.Sprintf("%d bytes", len(opts)))
	}
}

func (d *dissector) tcp(off int) {
	ip := IPv4(d.pkt)
	seg, err := ParseTCP(d.pkt[off:])
	if err != nil {
		d.rest(off, LayerTransport, err)
		return
	}
	const h = "TCP"
	t := LayerTransport
	d.add(t, h, "source port", off, 2, fmt.Sprint(seg.SrcPort()))
	d.add(t, h, "destination port", off+2, 2, fmt.Sprint(seg.DstPort()))
	d.add(t, h, "sequence number", off+4, 4, fmt.Sprint(uint32(seg.Seq())))
	d.add(t, h, "acknowledgment number", off+8, 4, fmt.Sprint(uint32(seg.Ack())))
	d.add(t, h, "data offset", off+12, 1, fmt.Sprintf("%d bytes", seg.HeaderLen()))
	d.add(t, h, "flags", off+13, 1, seg.Flags().String())
	d.add(t, h, "window", off+14, 2, fmt.Sprint(seg.Window()))
	valid := "correct"
	if !seg.ChecksumValid(ip.Src(), ip.Dst()) {
		valid = "WRONG"
	}
	d.add(t, h, "checksum", off+16, 2, fmt.Sprintf("0x%04x (%s)", seg.Checksum(), valid))
	d.add(t, h, "urgent pointer", off+18, 2, fmt.Sprint(seg.Urgent()))
	if opts := seg.Options(); len(opts) > 0 {
		d.add(t, h, "options", off+TCPMinHeaderLen, len(opts), describeTCPOptions(opts))
	}
	d.payload(off + seg.HeaderLen())
}

func (d *dissector) udp(off int) {
	ip := IPv4(d.pkt)
	u, err := ParseUDP(d.pkt[off:])
	if err != nil {
		d.rest(off, LayerTransport, err)
		return
	}
	const h = "UDP"
	t := LayerTransport
	d.add(t, h, "source port", off, 2, fmt.Sprint(u.SrcPort()))
	d.add(t, h, "destination port", off+2, 2, fmt.Sprint(u.DstPort()))
	d.add(t, h, "length", off+4, 2, fmt.Sprintf("%d bytes", u.Length()))
	valid := "correct"
	if !u.ChecksumValid(ip.Src(), ip.Dst()) {
		valid = "WRONG"
	}
	d.add(t, h, "checksum", off+6, 2, fmt.Sprintf("0x%04x (%s)", u.Checksum(), valid))
	d.payload(off + UDPHeaderLen)
}

func (d *dissector) icmp(off int) {
	m, err := ParseICMPv4(d.pkt[off:])
	if err != nil {
		d.rest(off, LayerTransport, err)
		return
	}
	const h = "ICMP"
	t := LayerTransport
	d.add(t, h, "type", off, 1, fmt.Sprintf("%d (%s)", uint8(m.Type()), m.Type()))
	d.add(t, h, "code", off+1, 1, fmt.Sprint(m.Code()))
	valid := "correct"
	if !m.ChecksumValid() {
		valid = "WRONG"
	}
	d.add(t, h, "checksum", off+2, 2, fmt.Sprintf("0x%04x (%s)", m.Checksum(), valid))
	d.add(t, h, "rest of header", off+4, 4, fmt.Sprintf("0x%04x 0x%04x", d.u16(off+4), d.u16(off+6)))
	d.payload(off + ICMPv4HeaderLen)
}

func (d *dissector) payload(off int) {
	if n := len(d.pkt) - off; n > 0 {
		d.add(LayerApplication, "payload", "data", off, n, previewText(d.pkt[off:]))
	}
}

// previewText shows a payload's start as text when it reads as text.
func previewText(b []byte) string {
	const max = 40
	s := b
	if len(s) > max {
		s = s[:max]
	}
	for _, c := range s {
		if (c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t' {
			return fmt.Sprintf("%d bytes", len(b))
		}
	}
	q := fmt.Sprintf("%q", s)
	if len(b) > max {
		q += "..."
	}
	return fmt.Sprintf("%d bytes %s", len(b), q)
}

// describeTCPOptions names the options in a TCP header, as tcpdump does.
func describeTCPOptions(opts []byte) string {
	var out []byte
	for i := 0; i < len(opts); {
		kind := opts[i]
		if kind == 0 {
			break
		}
		if kind == 1 {
			out = append(out, "nop,"...)
			i++
			continue
		}
		if i+1 >= len(opts) || int(opts[i+1]) < 2 || i+int(opts[i+1]) > len(opts) {
			out = append(out, "malformed,"...)
			break
		}
		n := int(opts[i+1])
		body := opts[i+2 : i+n]
		switch {
		case kind == 2 && n == 4:
			out = fmt.Appendf(out, "mss %d,", binary.BigEndian.Uint16(body))
		case kind == 3 && n == 3:
			out = fmt.Appendf(out, "wscale %d,", body[0])
		case kind == 4:
			out = append(out, "sackOK,"...)
		case kind == 5:
			out = fmt.Appendf(out, "sack %d blocks,", len(body)/8)
		case kind == 8 && n == 10:
			out = fmt.Appendf(out, "TS val %d ecr %d,", binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:]))
		default:
			out = fmt.Appendf(out, "option %d,", kind)
		}
		i += n
	}
	if len(out) == 0 {
		return "padding"
	}
	return string(out[:len(out)-1])
}

func (d *dissector) ethernet() {
	e, err := ParseEthernet(d.pkt)
	if err != nil {
		d.rest(0, LayerLink, err)
		return
	}
	const h = "Ethernet"
	l := LayerLink
	d.add(l, h, "destination", ethDst, 6, describeMAC(e.Dst()))
	d.add(l, h, "source", ethSrc, 6, describeMAC(e.Src()))
	d.add(l, h, "type", ethType, 2, describeEtherType(e.Type()))
	end := len(d.pkt)
	switch e.Type() {
	case EtherTypeIPv4:
		end = d.ipv4Payload(e.Payload())
	case EtherTypeARP:
		end = d.arp()
	default: // a protocol we do not decode: its bytes as data, if any
		if p := e.Payload(); len(p) > 0 {
			d.add(LayerNetwork, "payload", "data", EthernetHeaderLen, len(p), previewText(p))
		}
	}
	if n := len(d.pkt) - end; n > 0 {
		d.add(l, h, "padding", end, n, describePadding(d.pkt[end:]))
	}
}

// ipv4Payload adds Dissect's fields for the packet in an Ethernet payload,
// and returns where the packet ends. Dissect sees the packet cut to its
// total length, so the padding after it is not taken for its data.
func (d *dissector) ipv4Payload(payload []byte) int {
	pkt := payload
	if ip, err := ParseIPv4(payload); err == nil {
		pkt = ip
	}
	for _, f := range Dissect(pkt) {
		f.Off += EthernetHeaderLen
		d.fields = append(d.fields, f)
	}
	return EthernetHeaderLen + len(pkt)
}

// arp adds the fields of the ARP message after the Ethernet header and
// returns where it ends.
func (d *dissector) arp() int {
	const off = EthernetHeaderLen
	a, err := ParseARP(d.pkt[off:])
	if err != nil {
		d.rest(off, LayerLink, err)
		return len(d.pkt)
	}
	const h = "ARP"
	l := LayerLink
	d.add(l, h, "hardware type", off+arpHType, 2, "1 (Ethernet)")
	d.add(l, h, "protocol type", off+arpPType, 2, describeEtherType(EtherTypeIPv4))
	d.add(l, h, "hardware size", off+arpHLen, 1, "6")
	d.add(l, h, "protocol size", off+arpPLen, 1, "4")
	d.add(l, h, "opcode", off+arpOp, 2, fmt.Sprintf("%d (%v)", uint16(a.Op()), a.Op()))
	d.add(l, h, "sender MAC", off+arpSHA, 6, describeMAC(a.SenderMAC()))
	d.add(l, h, "sender IP", off+arpSPA, 4, a.SenderIP().String())
	d.add(l, h, "target MAC", off+arpTHA, 6, describeMAC(a.TargetMAC()))
	d.add(l, h, "target IP", off+arpTPA, 4, a.TargetIP().String())
	return off + ARPLen
}

// fcs adds the frame check sequence, the last four bytes of b, which are
// past d.pkt. It prints them in wire order, as Wireshark does, so the two
// can be compared by eye; FCS's value is the same bytes reversed.
func (d *dissector) fcs(b []byte) {
	n := len(b) - EthernetFCSLen
	got, want := binary.BigEndian.Uint32(b[n:]), bits.ReverseBytes32(FCS(b[:n]))
	value := fmt.Sprintf("0x%08x (correct)", got)
	if got != want {
		value = fmt.Sprintf("0x%08x (WRONG, should be 0x%08x)", got, want)
	}
	d.add(LayerLink, "Ethernet", "FCS", n, EthernetFCSLen, value)
}

// describeMAC adds what a reader of a dissection wants to know about an
// address at a glance: whether every station gets the frame.
func describeMAC(m MAC) string {
	switch {
	case m.IsBroadcast():
		return m.String() + " (broadcast)"
	case m.IsMulticast():
		return m.String() + " (multicast)"
	}
	return m.String()
}

func describeEtherType(t EtherType) string {
	s := fmt.Sprintf("0x%04x", uint16(t))
	if n := t.String(); n != s {
		s += " (" + n + ")"
	}
	return s
}

// describePadding counts the padding and says when it is not zeros, which
// would be a sender leaking old buffer contents onto the link.
func describePadding(b []byte) string {
	for _, c := range b {
		if c != 0 {
			return fmt.Sprintf("%d bytes, not all zero", len(b))
		}
	}
	return fmt.Sprintf("%d bytes", len(b))
}
