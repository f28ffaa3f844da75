package town

import (
	"math"
	"net/netip"

	"socketville/shared/town/layout"
	"socketville/shared/town/play"
	"socketville/shared/wire"
)

// A packet a host sends to itself (a watched machine's loopback) takes no
// road: its letter goes from the sending door to the receiving one on the
// same plot, along a low arc over the houses. The doors are found by the
// packet's addresses: the socket with this local and remote address, or
// else the one bound to the port without a peer (a listener, a UDP
// socket), or a connection the kernel holds on it. An end whose socket
// the town never saw (a connection that came and went between two looks)
// is the plot's kernel yard, or its top edge when it has none: the letter
// still goes between the right plot and the door that is there.

// doorArc is how high a door-to-door letter rises at its middle, in town
// units.
const doorArc = 40.0

// doorIndex finds a plot's doors by address, for one layout.
type doorIndex struct {
	gen    int // the layout's snapshot generation
	pair   map[doorAddr]layout.Point
	port   map[doorAddr]layout.Point // Remote unset: by host and local port
	yard   map[string]layout.Point   // by host: where an unseen socket's letters start and end
	inited bool
}

// doorAddr is a door's host and its socket's ends.
type doorAddr struct {
	host          string
	local, remote netip.AddrPort
}

// index makes the index for the layout of generation gen, once.
func (x *doorIndex) index(lay *layout.Layout, gen int) {
	if x.inited && x.gen == gen {
		return
	}
	x.gen, x.inited = gen, true
	x.pair, x.port, x.yard = map[doorAddr]layout.Point{}, map[doorAddr]layout.Point{}, map[string]layout.Point{}
	add := func(host string, d layout.Door, kernel bool) {
		c := layout.Point{X: (d.Rect.Min.X + d.Rect.Max.X) / 2, Y: (d.Rect.Min.Y + d.Rect.Max.Y) / 2}
		s := d.Socket
		x.pair[doorAddr{host, s.Local, s.Remote}] = c
		byPort := doorAddr{host: host, local: netip.AddrPortFrom(netip.Addr{}, s.Local.Port())}
		if _, taken := x.port[byPort]; !taken || !s.Remote.IsValid() && !kernel {
			x.port[byPort] = c // a listener wins over what else has the port
		}
	}
	for _, p := range lay.Plots {
		x.yard[p.Host] = layout.Point{X: (p.Rect.Min.X + p.Rect.Max.X) / 2, Y: p.Rect.Min.Y}
		if k := p.Kernel; k.W() > 0 {
			x.yard[p.Host] = layout.Point{X: (k.Min.X + k.Max.X) / 2, Y: (k.Min.Y + k.Max.Y) / 2}
		}
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				add(p.Host, d, false)
			}
		}
		for _, d := range p.Orphans {
			add(p.Host, d, true)
		}
	}
}

// door finds the door of the socket with these ends on host.
func (x *doorIndex) door(host string, local, remote netip.AddrPort) (layout.Point, bool) {
	if c, ok := x.pair[doorAddr{host, local, remote}]; ok {
		return c, true
	}
	c, ok := x.port[doorAddr{host: host, local: netip.AddrPortFrom(netip.Addr{}, local.Port())}]
	return c, ok
}

// packetEnds reads the addresses and ports a letter's packet goes between.
func packetEnds(pkt []byte) (src, dst netip.AddrPort, ok bool) {
	ip, err := wire.ParseIPv4(pkt)
	if err != nil {
		return src, dst, false
	}
	var sp, dp uint16
	switch ip.Protocol() {
	case wire.ProtocolTCP:
		if seg, err := wire.ParseTCP(ip.Payload()); err == nil {
			sp, dp = seg.SrcPort(), seg.DstPort()
		}
	case wire.ProtocolUDP:
		if d, err := wire.ParseUDP(ip.Payload()); err == nil {
			sp, dp = d.SrcPort(), d.DstPort()
		}
	}
	return netip.AddrPortFrom(ip.Src(), sp), netip.AddrPortFrom(ip.Dst(), dp), true
}

// doorLetterPoint is where a letter between two doors of one plot is, and
// whether both doors are on the map.
func (g *Game) doorLetterPoint(l *play.Letter) (layout.Point, bool) {
	if l.From != l.To || !l.Departed(g.player.Wall()) {
		return layout.Point{}, false
	}
	src, dst, ok := packetEnds(l.Packet)
	if !ok {
		return layout.Point{}, false
	}
	g.doors.index(&g.lay, g.layGen)
	a, ok1 := g.doors.door(l.From, src, dst)
	b, ok2 := g.doors.door(l.To, dst, src)
	if !ok1 && !ok2 {
		return layout.Point{}, false // neither end is on the map
	}
	if !ok1 {
		a = g.doors.yard[l.From]
	}
	if !ok2 {
		b = g.doors.yard[l.To]
	}
	t := l.Progress(g.player.Now(), g.player.Wall())
	p := layout.Lerp(a, b, t)
	p.Y -= doorArc * math.Sin(math.Pi*t)
	return p, true
}
