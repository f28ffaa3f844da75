package netsim

import (
	"fmt"
	"net/netip"
	"slices"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// medium is what a NIC is attached to: it carries what the NIC sends away
// (a point-to-point cable, a cable to a switch's port, the loopback). A
// peer's data channel will be one more.
type medium interface {
	// send carries a frame away; socket s (if not nil) sent it, with a
	// note for the trace ("retransmission"). The medium owns the frame
	// from here on.
	send(f frame, s *Socket, note string)
	// mtu is the largest IP packet the medium carries.
	mtu() int
	// hop names the medium's direction away from the NIC in events.
	hop() sock.Hop
}

// endpoint is what sits at one end of a cable: a host's NIC or a switch's
// port. Drops on the cable's way out are counted on the endpoint's node.
type endpoint interface {
	arrive(f frame, from *linkDir)
	nodeName() string
	countDrop(reason string)
}

// nic is one network interface of a host: its addresses, and the medium
// it is attached to.
type nic struct {
	host *Host
	name string   // "lo", "eth0", "eth1", ...
	mac  wire.MAC // zero for the loopback
	// neigh is the interface's ARP cache; nil for the loopback, which
	// needs none.
	neigh *neighTable
	// addrs are the host's addresses configured on this interface.
	addrs []netip.Prefix
	// peers are, for a point-to-point cable, the far end's addresses:
	// Linux's "ip addr add LOCAL peer REMOTE", a /32 route each and no
	// subnet route, so that a server with one cable per client on one
	// subnet knows which cable leads where.
	peers []netip.Addr
	// connected is whether the interface's prefixes are routes of their own
	// (a LAN behind a switch); a point-to-point interface has peers instead.
	connected bool
	med       medium
}

func (n *nic) nodeName() string        { return n.host.name }
func (n *nic) countDrop(reason string) { n.host.countDrop(reason) }

// arrive takes a frame off the interface's medium: an Ethernet NIC keeps
// frames for its own address and broadcasts and hands them to ARP or IP
// by EtherType.
func (n *nic) arrive(f frame, _ *linkDir) {
	h := n.host
	if f.bad {
		h.droppedFrame(f, "bad FCS: the frame was damaged on the way")
		return
	}
	eth, err := wire.ParseEthernet(f.b)
	if err != nil {
		h.droppedFrame(f, "malformed Ethernet frame: "+err.Error())
		return
	}
	if n.neigh != nil && eth.Dst() != n.mac && !eth.Dst().IsMulticast() {
		h.droppedFrameAs(f, "frame for another interface's MAC (not this interface's)", fmt.Sprintf("frame for %v, not this interface's %v (%s)", eth.Dst(), n.mac, n.name))
		return
	}
	switch eth.Type() {
	case wire.EtherTypeIPv4:
		h.receive(f.l3, n)
	case wire.EtherTypeARP:
		if n.neigh == nil {
			h.droppedFrame(f, "ARP on the loopback")
			return
		}
		n.neigh.receive(f)
	default:
		h.droppedFrameAs(f, "no protocol for EtherType", fmt.Sprintf("no protocol for EtherType %v on this host", eth.Type()))
	}
}

// addNIC makes the host's next Ethernet interface, with the host's
// addresses that share a subnet with any of far; when none does, the
// first address no other interface has yet (so "host r 10.0.1.1/24
// 10.0.2.1/24" puts one address on each of its first two interfaces), or
// else the first.
func (h *Host) addNIC(far []netip.Addr) *nic {
	h.w.macs++
	n := &nic{host: h, name: fmt.Sprintf("eth%d", len(h.nics)-1), mac: wire.LocalMAC(h.w.macs)}
	n.neigh = newNeighTable(n)
	for _, p := range h.addrs {
		if slices.ContainsFunc(far, p.Contains) {
			n.addrs = append(n.addrs, p)
		}
	}
	if len(n.addrs) == 0 {
		n.addrs = h.addrs[:1]
		for _, p := range h.addrs {
			if !slices.ContainsFunc(h.nics[1:], func(o *nic) bool { return slices.Contains(o.addrs, p) }) {
				n.addrs = []netip.Prefix{p}
				break
			}
		}
	}
	h.nics = append(h.nics, n)
	return n
}

// nextHop is where the IP layer hands a packet: out of an interface,
// towards an address on that interface's medium (the destination itself,
// or a gateway).
type nextHop struct {
	nic *nic
	via netip.Addr
}

func (nh nextHop) mtu() int { return nh.nic.med.mtu() }

// lookup finds the interface and neighbour a packet for dst leaves through:
// the loopback for the host's own addresses, then the most specific of the
// peer, subnet and static routes (a peer or subnet route before a static
// one of the same length).
func (h *Host) lookup(dst netip.Addr) (nextHop, *sock.Errno) {
	if h.hasAddr(dst) {
		return nextHop{nic: h.nics[0], via: dst}, nil
	}
	best, bits := nextHop{}, -1
	for _, n := range h.nics[1:] {
		if slices.Contains(n.peers, dst) {
			return nextHop{nic: n, via: dst}, nil
		}
		if !n.connected {
			continue
		}
		for _, p := range n.addrs {
			if p.Contains(dst) && p.Bits() > bits {
				best, bits = nextHop{nic: n, via: dst}, p.Bits()
			}
		}
	}
	for _, r := range h.routes {
		if r.dst.Bits() > bits && r.dst.Contains(dst) {
			if nh, ok := h.onLink(r.gateway); ok {
				best, bits = nextHop{nic: nh.nic, via: r.gateway}, r.dst.Bits()
			}
			break // longest first: the rest are no more specific
		}
	}
	if bits >= 0 {
		return best, nil
	}
	for _, p := range h.addrs {
		if p.Contains(dst) {
			return nextHop{}, sock.ErrHostUnreach // on our subnet, but no interface reaches it
		}
	}
	return nextHop{}, sock.ErrNetUnreach
}

// onLink finds the interface that reaches a directly: a point-to-point
// peer, or an address on a connected interface's subnet.
func (h *Host) onLink(a netip.Addr) (nextHop, bool) {
	if loopbackNet.Contains(a) {
		return nextHop{}, false
	}
	for _, n := range h.nics[1:] {
		if slices.Contains(n.peers, a) {
			return nextHop{nic: n, via: a}, true
		}
	}
	for _, n := range h.nics[1:] {
		if n.connected && slices.ContainsFunc(n.addrs, func(p netip.Prefix) bool { return p.Contains(a) && p.Addr() != a }) {
			return nextHop{nic: n, via: a}, true
		}
	}
	return nextHop{}, false
}

// sourceFor picks the source address for packets to dst leaving through
// nh: an address of the outgoing interface on dst's subnet, else the
// interface's first, as Linux picks the primary address of the device.
func (h *Host) sourceFor(dst netip.Addr, nh nextHop) netip.Addr {
	if nh.nic == h.nics[0] {
		if loopbackNet.Contains(dst) {
			return dst
		}
		return h.firstAddrFor(dst)
	}
	for _, p := range nh.nic.addrs {
		if p.Contains(dst) {
			return p.Addr()
		}
	}
	return nh.nic.addrs[0].Addr()
}

// firstAddrFor is the host's address on dst's subnet, or its first.
func (h *Host) firstAddrFor(dst netip.Addr) netip.Addr {
	for _, p := range h.addrs {
		if p.Contains(dst) {
			return p.Addr()
		}
	}
	return h.addrs[0].Addr()
}

// output hands an IP packet to the interface of its next hop; socket s
// (if not nil) sent it, with a note for the trace. An Ethernet interface
// finds the next hop's MAC address first, which may mean asking for it
// and sending later.
func (h *Host) output(pkt []byte, nh nextHop, s *Socket, note string) {
	h.outputFramed(nil, pkt, nh, s, note)
}

// outputFramed is output for a packet that lies in buf at the offset of an
// Ethernet header's length (newFramedPacket), which the link layer then
// frames in place; buf nil means the packet has no such room.
func (h *Host) outputFramed(buf, pkt []byte, nh nextHop, s *Socket, note string) {
	if mtu := nh.mtu(); len(pkt) > mtu {
		h.outputFragments(wire.IPv4(pkt), nh, s, note)
		return
	}
	n := nh.nic
	if n.neigh == nil {
		n.med.send(loopbackFrame(pkt), s, note)
		return
	}
	n.neigh.output(pending{pkt: pkt, buf: buf, s: s, note: note}, nh.via)
}

// outputFragments sends a packet too big for its interface as fragments,
// unless it says Don't Fragment.
func (h *Host) outputFragments(ip wire.IPv4, nh nextHop, s *Socket, note string) {
	mtu := nh.mtu()
	if ip.Flags()&wire.IPv4DontFragment != 0 {
		h.dropped(ip, fmt.Sprintf("%d bytes exceed the MTU of %d (%s) and DF is set", len(ip), mtu, nh.nic.name))
		return
	}
	pieces, ok := fragment(ip, mtu)
	if !ok {
		h.dropped(ip, fmt.Sprintf("an MTU of %d leaves no room for a fragment", mtu))
		return
	}
	for _, p := range pieces {
		h.output(p, nh, s, note)
	}
}

// pathMTU is the path MTU towards dst: the first hop's MTU, or less if
// "fragmentation needed" taught the host a smaller one.
func (h *Host) pathMTU(dst netip.Addr) (int, bool) {
	nh, errno := h.lookup(dst)
	if errno != nil {
		return 0, false
	}
	mtu := nh.mtu()
	if e, ok := h.cachedPMTU(dst); ok {
		mtu = min(mtu, e.mtu)
	}
	return mtu, true
}
