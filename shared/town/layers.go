package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// The five floors of the cut-away, top to bottom.
var floors = []string{"application", "transport", "network", "link", "physical"}

// socketWords say what the yellow line between the application floor
// and the transport floor is, longest first: the first that fits the
// panel is drawn over the cut-away, where no block passes.
var socketWords = []string{
	"the yellow line is the socket: where the program hands its data to TCP or UDP",
	"the socket (yellow): the program hands its data to TCP or UDP",
	"the socket (yellow line)",
	"the socket",
}

// socketMark is the name written on the line itself, in the gap between
// the two houses, where the moving block never is.
const socketMark = "socket"

// cutaway is where the cut-away's floors are: a line saying what the
// socket is, then the application floor, the socket's band, and the four
// floors below.
type cutaway struct {
	x, y, w, h    float64
	floorH, bandH float64
	colW          float64
	captionY      float64
	wordsY        float64 // the socket's words, above the floors
}

// floorY is the top of floor f, which may be fractional while the
// message moves between floors: the band lies between floors 0 and 1.
func (c cutaway) floorY(f float64) float64 {
	return c.y + f*c.floorH + c.bandH*math.Min(math.Max(f, 0), 1)
}

func (g *Game) cutawayGeometry(area image.Rectangle) cutaway {
	top := float64(area.Min.Y) + 6*g.scale
	// Above the floors, a line of their own for the socket's words.
	c := cutaway{x: float64(area.Min.X) + 10*g.scale, y: top + 18*g.scale, wordsY: top}
	c.w = float64(area.Dx()) - 20*g.scale
	// Below the floors: the addresses, then up to three lines of caption.
	c.h = math.Min(float64(area.Dy())-102*g.scale, 350*g.scale)
	c.bandH = 20 * g.scale
	c.floorH = (c.h - c.bandH) / 5
	c.colW = c.w * 0.42
	c.captionY = c.y + c.h + 24*g.scale
	return c
}

// drawCutaway shows the message going down the sender's five floors as
// headers are added, across the road, and up the receiver's as they are
// taken off, again and again.
func (g *Game) drawCutaway(dst *ebiten.Image, area image.Rectangle, pkt, frame []byte) {
	c := g.cutawayGeometry(area)
	units := layerUnits(pkt, frame)
	src, dst2, srcTop, dstTop := g.cutawayEnds(pkt)
	for i, name := range floors {
		fy := c.floorY(float64(i))
		shade := color.RGBA{0x26 + uint8(i*6), 0x2c + uint8(i*6), 0x36 + uint8(i*6), 0xff}
		fillRect(dst, c.x, fy, c.colW, c.floorH-2, shade)
		fillRect(dst, c.x+c.w-c.colW, fy, c.colW, c.floorH-2, shade)
		g.text(dst, name, c.x+c.w/2, fy+c.floorH/2-7*g.scale, 11*g.scale, colDim, false, alignCenter)
	}
	g.text(dst, src, c.x+c.colW/2, c.y+c.h+4*g.scale, 12*g.scale, colText, true, alignCenter)
	g.text(dst, dst2, c.x+c.w-c.colW/2, c.y+c.h+4*g.scale, 12*g.scale, colText, true, alignCenter)
	// The moving block: 0..0.4 down the sender, 0.4..0.6 across, 0.6..1 up.
	ph := g.cutawayPhase()
	var floor, bx float64
	switch {
	case ph < 0.4:
		floor, bx = srcTop+ph/0.4*(4-srcTop), c.x
	case ph < 0.6:
		floor, bx = 4, c.x+(ph-0.4)/0.2*(c.w-c.colW)
	default:
		floor, bx = 4-(ph-0.6)/0.4*(4-dstTop), c.x+c.w-c.colW
	}
	level := int(math.Round(floor))
	// The socket's line first, under the message as it passes through:
	// its words are where the message never is, so both stay readable.
	g.drawSocketBand(dst, c)
	g.drawUnit(dst, bx+4*g.scale, c.floorY(floor)+4*g.scale, c.colW-8*g.scale, c.floorH-10*g.scale, units[level])
	caption := units[level].caption
	routing := false // the end shown is a router passing the packet on
	if level == 2 && (ph < 0.4 && srcTop == 2 && strings.HasPrefix(src, "router ") || ph >= 0.6 && dstTop == 2 && strings.HasPrefix(dst2, "router ")) {
		routing = true
	}
	if ip, err := wire.ParseIPv4(pkt); err == nil && routing {
		ttl := fmt.Sprintf("%d as it leaves", ip.TTL())
		if ph >= 0.6 {
			ttl = fmt.Sprintf("%d as it arrives", ip.TTL())
		}
		caption = fmt.Sprintf("at the router: it opens the frame up to the IP header and no further, takes one off the TTL (%s) and looks %v up in its routing table to choose the road it goes on by, in a new frame", ttl, ip.Dst())
	}
	if eth, err := wire.ParseEthernet(frame); err == nil && level == 3 && (ph < 0.4 && srcTop == 3 || ph >= 0.6 && dstTop == 3) {
		out := "out of the port where " + eth.Dst().String() + " was last seen (every other port while it is unknown)"
		if eth.Dst().IsBroadcast() {
			out = "out of every other port: it is a broadcast"
		}
		caption = fmt.Sprintf("at the switch: it reads the frame and never opens what it carries; it learns that %v is behind the port the frame came in by, and sends it %s", eth.Src(), out)
	}
	for i, l := range g.wrap(caption, 12*g.scale, c.w) {
		g.text(dst, l, c.x, c.captionY+float64(i)*16*g.scale, 12*g.scale, colText, false, alignLeft)
	}
}

// cutawayPhase is where the cut-away's message is, 0..1: down the
// sender's floors (0..0.4), across the road (0.4..0.6), up the
// receiver's (0.6..1). A selected letter sets it from how far along its
// road it is, so the page shows it where the town does (at the sender's
// door, at the sender's top floor; arrived, at the receiver's; lost,
// where it fell, on the wire); a letter that has left the road stays
// where it was last seen (arrived: at the receiver's top). A door's last
// packet, which is on no road, goes round every five seconds.
func (g *Game) cutawayPhase() float64 {
	if lp, ok := g.letterShown(); ok {
		if l := g.selectedLetter(); l != nil {
			return l.Progress(g.player.Now(), g.player.Wall())
		}
		if lp.seen.lost {
			return lp.seen.ph
		}
		return 1 // landed: at the receiver's application floor
	}
	const cycle = 5 * time.Second
	return float64(g.player.Wall()%cycle) / float64(cycle)
}

// drawSocketBand draws the socket as a line across both houses between
// the application floor and the transport floor: this is where the
// program stops and the kernel's TCP or UDP begins. Its name is written
// on it in the gap between the houses, and what it is on a line over the
// floors: the moving block crosses the line in the houses, never there.
func (g *Game) drawSocketBand(dst *ebiten.Image, c cutaway) {
	top := c.floorY(1) - c.bandH
	mid := top + c.bandH/2 - 1
	line(dst, c.x, mid, c.x+c.w, mid, 2*g.scale, colSelect)
	size := 11 * g.scale
	face := g.fonts.face(size, false)
	if words := g.fitting(c.w, size, false, socketWords...); words != "" {
		g.text(dst, words, c.x+c.w/2, c.wordsY, size, colSelect, false, alignCenter)
	}
	gap := c.w - 2*c.colW
	if tw := text.Advance(socketMark, face); tw+8*g.scale <= gap {
		fillRect(dst, c.x+(c.w-tw)/2-4*g.scale, top+1*g.scale, tw+8*g.scale, c.bandH-2*g.scale, colPanel)
		g.text(dst, socketMark, c.x+c.w/2, top+3*g.scale, size, colSelect, false, alignCenter)
	}
}

// unit is what a message is on one floor: its parts and their sizes.
type unit struct {
	parts   []unitPart
	caption string
	// bits, on the physical floor of a frame the town knows, are the
	// bits on the wire (preamble first), drawn over the floor's blocks.
	bits string
}

type unitPart struct {
	name string
	n    int
	c    color.RGBA
	// short is the name where the whole does not fit: a word that still
	// says it ("TCP" for "TCP hdr", "none" for "no data": its first
	// word, "no", would read as a word cut).
	short string
}

// shortNames are the parts' names in a narrow block.
var shortNames = map[string]string{
	"no data": "none", "ping data": "ping", "quoted packet": "quoted", "ICMP data": "ICMP",
	"IP hdr": "IP", "frame hdr": "frame", "bits on the wire": "bits",
	"Eth hdr": "Eth", "ARP msg": "ARP", "padding": "pad",
}

func part(name string, n int, c color.RGBA) unitPart {
	short, ok := shortNames[name]
	if !ok {
		short = strings.Fields(name)[0] // "TCP hdr": "TCP"
	}
	return unitPart{name: name, n: n, c: c, short: short}
}

var (
	colApp   = color.RGBA{0xff, 0xa8, 0x40, 0xff}
	colTrans = color.RGBA{0x50, 0xc8, 0x70, 0xff}
	colNet   = color.RGBA{0x50, 0x90, 0xf0, 0xff}
	colLink  = color.RGBA{0xb0, 0x70, 0xe0, 0xff}
)

// carried is what a packet holds above IP, read from its bytes: the
// transport's name and header length, the bytes after that header, and
// what the application floor and the transport floor say of them.
type carried struct {
	trName       string
	trHdr, body  int
	payloadName  string
	app, details string
}

// carriedBy reads a packet's transport header and payload.
func carriedBy(pkt []byte) (carried, int) {
	c := carried{trName: "transport", payloadName: "data", details: "ports"}
	ip, err := wire.ParseIPv4(pkt)
	if err != nil {
		c.app = "application: the bytes do not parse as IPv4"
		return c, len(pkt)
	}
	body := ip.Payload()
	switch ip.Protocol() {
	case wire.ProtocolTCP:
		c.trName = "TCP"
		if t, err := wire.ParseTCP(body); err == nil {
			c.trHdr = t.HeaderLen()
			c.body = len(body) - c.trHdr
			c.details = "ports, seq, ack, flags " + t.Flags().String()
			c.app = tcpAppCaption(t.Flags(), c.body)
		}
	case wire.ProtocolUDP:
		c.trName, c.trHdr, c.details = "UDP", min(wire.UDPHeaderLen, len(body)), "ports, length, checksum"
		c.body = len(body) - c.trHdr
		c.app = fmt.Sprintf("application: a datagram of %d bytes, written with send() or sendto()", c.body)
	case wire.ProtocolICMP:
		c.trName, c.details = "ICMP", "type, code, checksum; no ports"
		if m, err := wire.ParseICMPv4(body); err == nil {
			c.trHdr = wire.ICMPv4HeaderLen
			c.body = len(body) - c.trHdr
			c.payloadName, c.app = icmpAppCaption(m, c.body)
		}
	}
	if c.app == "" {
		c.body = len(body) - c.trHdr
		c.app = fmt.Sprintf("application: %d bytes the town cannot read", c.body)
	}
	return c, ip.HeaderLen()
}

// tcpAppCaption says what the application floor holds for a TCP segment.
// A segment without data is TCP's own: the program wrote nothing.
func tcpAppCaption(f wire.TCPFlags, n int) string {
	if n > 0 {
		return fmt.Sprintf("application: a message of %d bytes, written with send()", n)
	}
	switch {
	case f&wire.TCPRst != 0:
		return "no application data: this RST is TCP's own, a reset that ends the connection; the program wrote nothing"
	case f&wire.TCPSyn != 0 && f&wire.TCPAck != 0:
		return "no application data: this SYN|ACK is TCP's own, the listening socket's answer to a SYN; the program wrote nothing"
	case f&wire.TCPSyn != 0:
		return "no application data: this SYN is TCP's own, opening the connection connect() asked for; the program wrote nothing"
	case f&wire.TCPFin != 0:
		return "no application data: this FIN is TCP's own, sent because the program called close() or shutdown(); it wrote nothing"
	}
	return "no application data: this ACK is TCP's own, the program wrote nothing"
}

// icmpAppCaption names what follows an ICMP header and what the
// application floor holds: ICMP is the kernel's own, never a program's
// send().
func icmpAppCaption(m wire.ICMPv4, n int) (name, caption string) {
	switch {
	case m.Type() == wire.ICMPv4EchoRequest || m.Type() == wire.ICMPv4EchoReply:
		return "ping data", fmt.Sprintf("no application data: this %s is ICMP's own (ping asks the kernel for it); its %d bytes are ping's pattern", m.Type(), n)
	case m.IsError():
		return "quoted packet", fmt.Sprintf("no application data: this %s is ICMP's own, the kernel's report; it quotes %d bytes of the packet that failed", m.Type(), n)
	}
	return "ICMP data", fmt.Sprintf("no application data: this %s is ICMP's own", m.Type())
}

// layerUnits says what the packet is on each floor, from the bytes: the
// packet the frame carries and, when the kernel shows it, the Ethernet
// frame around it (nil: the link floor says what a frame would add).
func layerUnits(pkt, frame []byte) [5]unit {
	eth, err := wire.ParseEthernet(frame)
	if err != nil {
		eth = nil
	}
	if eth != nil && eth.Type() == wire.EtherTypeARP {
		return arpUnits(eth)
	}
	c, ipHdr := carriedBy(pkt)
	appName := c.payloadName
	if c.body == 0 {
		appName = "no data"
	}
	app := part(appName, c.body, colApp)
	tr := part(c.trName+" hdr", c.trHdr, colTrans)
	nw := part("IP hdr", ipHdr, colNet)
	total := len(pkt)
	kind := "segment"
	if c.trName != "TCP" {
		kind = "message"
		if c.trName == "UDP" {
			kind = "datagram"
		}
	}
	units := [5]unit{
		{parts: []unitPart{app}, caption: c.app},
		{parts: []unitPart{tr, app}, caption: fmt.Sprintf("transport: a %s %s, %d-byte header + %d bytes (%s)", c.trName, kind, c.trHdr, c.body, c.details)},
		{parts: []unitPart{nw, tr, app}, caption: fmt.Sprintf("network: an IP packet of %d bytes, %d-byte header (addresses, TTL)", total, ipHdr)},
	}
	if eth == nil {
		units[3] = unit{parts: []unitPart{part("frame hdr", 14, colLink), nw, tr, app, part("FCS", 4, colLink)},
			caption: fmt.Sprintf("link: a frame; Ethernet would add 14 + 4 bytes (this kernel shows the %d-byte packet, not its frame)", total)}
		units[4] = unit{parts: []unitPart{part("bits on the wire", total+18, colDim)}, caption: fmt.Sprintf("physical: %d bits, as signals on the wire", (total+18)*8)}
		return units
	}
	units[3], units[4] = frameUnits(eth, []unitPart{nw, tr, app}, min(total, len(eth.Payload())))
	return units
}

// arpUnits is what an ARP frame is on each floor: nothing above the link
// layer, whose own message it is.
func arpUnits(eth wire.Ethernet) [5]unit {
	m, err := wire.ParseARP(eth.Payload())
	if err != nil {
		none := unit{parts: []unitPart{part("no data", 0, colApp)}, caption: "an ARP frame whose message does not parse"}
		return [5]unit{none, none, none, none, none}
	}
	_, label := play.Classify(m)
	msg := part("ARP msg", wire.ARPLen, colLink)
	units := [5]unit{
		{parts: []unitPart{part("no data", 0, colApp)}, caption: "no application data: ARP is the kernel's own (" + label + "); no program wrote it, and no socket will read it"},
		{parts: []unitPart{part("no data", 0, colTrans)}, caption: "transport: none: ARP has no ports, it is for the host's network card, not for a process"},
		{parts: []unitPart{msg}, caption: fmt.Sprintf("network: no IP packet: a %d-byte ARP %v that ties an IP address to a MAC address (%s), carried straight in the frame", wire.ARPLen, m.Op(), label)},
	}
	units[3], units[4] = frameUnits(eth, []unitPart{msg}, wire.ARPLen)
	return units
}

// frameUnits are the link floor and the physical floor of an Ethernet
// frame: its header, the parts of what it carries (inner, n bytes of its
// payload), padding up to the least frame, and the FCS; then the whole
// frame as bits behind the preamble and the start frame delimiter.
func frameUnits(eth wire.Ethernet, inner []unitPart, n int) (link, phys unit) {
	hdr := part("Eth hdr", wire.EthernetHeaderLen, colLink)
	parts := append([]unitPart{hdr}, inner...)
	if pad := len(eth.Payload()) - n; pad > 0 {
		parts = append(parts, part("padding", pad, colLink))
	}
	withFCS := wire.AppendFCS(append([]byte(nil), eth...))
	parts = append(parts, part("FCS", wire.EthernetFCSLen, colLink))
	fcs := withFCS[len(eth):]
	to := eth.Dst().String()
	if eth.Dst().IsBroadcast() {
		to += " (broadcast: every card on the link takes it)"
	}
	pad := ""
	if k := len(eth.Payload()) - n; k > 0 {
		pad = fmt.Sprintf("; %d bytes of padding make it Ethernet's least 60", k)
	}
	link = unit{parts: parts, caption: fmt.Sprintf("link: an Ethernet frame of %d bytes: to %s, from %v, type %v%s; the FCS %x is a CRC-32 of the frame, so the receiver can tell a damaged one",
		len(withFCS), to, eth.Src(), etherTypeName(eth.Type()), pad, fcs)}
	pre := wire.EthernetPreamble
	onWire := append(pre[:], withFCS...)
	phys = unit{
		parts: []unitPart{part("bits on the wire", len(onWire), colDim)},
		caption: fmt.Sprintf("physical: %d bits: 7 bytes of preamble (10101010...) and the start frame delimiter (10101011), then the frame, each byte lowest bit first as Ethernet sends it",
			len(onWire)*8),
		bits: wireBits(onWire),
	}
	return link, phys
}

// etherTypeName is an EtherType as the link floor names it.
func etherTypeName(t wire.EtherType) string {
	switch t {
	case wire.EtherTypeIPv4:
		return "IPv4"
	case wire.EtherTypeARP:
		return "ARP"
	}
	return t.String()
}

// maxBits is how many of a frame's bits the physical floor writes out:
// more than a block can show at any width.
const maxBits = 64 * 8

// wireBits writes b as bits in the order they go on the wire (each byte
// least significant bit first), a space between bytes.
func wireBits(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i*8 >= maxBits {
			break
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		for k := range 8 {
			sb.WriteByte('0' + c>>k&1)
		}
	}
	return sb.String()
}

func (g *Game) drawUnit(dst *ebiten.Image, x, y, w, h float64, u unit) {
	size := 11 * g.scale
	x0 := x
	for _, b := range g.unitBlocks(w, u) {
		fillRect(dst, x, y, b.w-2, h, b.c)
		g.text(dst, b.name, x+b.w/2, y+h/2-13*g.scale, size, colInk, false, alignCenter)
		g.text(dst, b.size, x+b.w/2, y+h/2, size, colInk, true, alignCenter)
		x += b.w
	}
	if u.bits != "" {
		// The bits run along the bottom of the floor, from the preamble
		// on, as many as fit.
		bs := 9 * g.scale
		bits := g.fittingPrefix(w-6*g.scale, bs, u.bits)
		g.text(dst, bits, x0+3*g.scale, y+h-bs-3*g.scale, bs, colInk, true, alignLeft)
	}
}

// fittingPrefix is the longest prefix of s (cut at a space) that fits
// in room at size in the mono face, followed by "..." when cut.
func (g *Game) fittingPrefix(room, size float64, s string) string {
	face := g.fonts.face(size, true)
	if text.Advance(s, face) <= room {
		return s
	}
	for n := len(s); n > 0; {
		n = strings.LastIndexByte(s[:n], ' ')
		if n <= 0 {
			return ""
		}
		if t := s[:n] + " ..."; text.Advance(t, face) <= room {
			return t
		}
	}
	return ""
}

// unitBlock is one part of a layer's unit as drawn: its width and the
// words that fit in it (a name, or its short form, or none; "20 B", or
// "20", or none).
type unitBlock struct {
	w          float64
	name, size string
	c          color.RGBA
}

// unitBlocks shares w among the unit's parts by their bytes (each at
// least a fifth, as headers are small next to data) and picks the words
// that fit in each.
func (g *Game) unitBlocks(w float64, u unit) []unitBlock {
	minW := w / float64(max(len(u.parts), 5))
	out := make([]unitBlock, len(u.parts))
	// A part whose share of the bytes is below the least width gets the
	// least width; the others share what is left by their bytes, until
	// no share is below it. (Scaling all down afterwards would squeeze
	// the headers beside a large payload below the room for their names.)
	fixed := make([]bool, len(u.parts))
	for again := true; again; {
		again = false
		left, total := w, 0
		for i, p := range u.parts {
			if fixed[i] {
				left -= minW
			} else {
				total += max(p.n, 1)
			}
		}
		for i, p := range u.parts {
			if fixed[i] {
				out[i].w = minW
				continue
			}
			out[i].w = left * float64(max(p.n, 1)) / float64(total)
			if out[i].w < minW {
				fixed[i], again = true, true
			}
		}
	}
	size := 11 * g.scale
	for i, p := range u.parts {
		out[i].c = p.c
		room := out[i].w - 4*g.scale
		out[i].name = g.fitting(room, size, false, p.name, p.short)
		out[i].size = g.fitting(room, size, true, fmt.Sprintf("%d B", p.n), fmt.Sprint(p.n))
	}
	return out
}

// fitting is the first of texts no wider than room at size, or "" when
// none fits: a part too narrow for its name goes without, rather than
// have it cut or run into the next part's.
func (g *Game) fitting(room, size float64, mono bool, texts ...string) string {
	face := g.fonts.face(size, mono)
	for _, s := range texts {
		if text.Advance(s, face) <= room {
			return s
		}
	}
	return ""
}

// layersState is what the Layers page says of each floor, or nil when
// the panel does not show it.
func (g *Game) layersState() []string {
	p, ok := g.shown().(pager)
	if !ok || p.page() != tabLayers || !g.panelShown() {
		return nil
	}
	pkt, frame, _ := p.packet(g)
	if len(pkt) == 0 {
		return nil
	}
	units := layerUnits(pkt, frame)
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.caption
	}
	return out
}

// cutawayEnds names the two ends of the cut-away and the highest floor
// the message reaches at each: the top (0) for a host's own packet, the
// network floor (2) for ARP, which is the kernel's own, below any socket,
// and at a router passing a packet on, which reads no further than IP;
// the link floor (3) at a switch, which reads frames only.
func (g *Game) cutawayEnds(pkt []byte) (src, dst string, srcTop, dstTop float64) {
	src, dst = "sender", "receiver"
	if ip, err := wire.ParseIPv4(pkt); err == nil {
		src, dst = ip.Src().String(), ip.Dst().String()
	} else if m, err := wire.ParseARP(pkt); err == nil {
		src, dst = m.SenderIP().String(), m.TargetIP().String()
		if m.Op() == wire.ARPRequest {
			dst = "every host on the link"
		}
		srcTop, dstTop = 2, 2
	}
	if lp, ok := g.letterShown(); ok {
		if _, ok := g.switchState(lp.from); ok {
			src, srcTop = "switch "+lp.from, 3
		}
		if _, ok := g.switchState(lp.to); ok {
			dst, dstTop = "switch "+lp.to, 3
		}
		if ip, err := wire.ParseIPv4(pkt); err == nil {
			if g.passesOn(lp.from, ip.Src()) {
				src, srcTop = "router "+lp.from, 2
			}
			if g.passesOn(lp.to, ip.Dst()) {
				dst, dstTop = "router "+lp.to, 2
			}
		}
	}
	return src, dst, srcTop, dstTop
}
