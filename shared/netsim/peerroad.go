package netsim

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// RoadMTU is the largest IP packet a road to a peer's town carries: a
// data channel message of 1160 bytes (what Chrome's SCTP puts in one
// chunk) holds one Ethernet frame, whose header takes 14 of them.
const RoadMTU = 1160 - 14

// roadKey names a road: the host it starts at and the far host it leads to.
type roadKey struct{ host, far string }

// AddRoad gives host a road to far, a host of a peer's town at addr: a
// point-to-point outside port whose frames go to the world's Roads
// (Options), named after far in the trace. Its MAC is made from the two
// names, so that the two ends of a road, made in two worlds, differ and
// a replay of either gets the same one. A road that exists already
// comes back up (a peer that joins again) and keeps its address.
func (w *World) AddRoad(host, far string, addr netip.Addr) error {
	k := roadKey{host, far}
	if p, ok := w.roads[k]; ok {
		p.SetDown("")
		return nil
	}
	switch {
	case far == "" || far == host:
		return fmt.Errorf("road from %s: to %q: want another host's name: %w", host, far, sock.ErrInval)
	case w.Host(far) != nil:
		return fmt.Errorf("road from %s to %s: %s is a host of this town, not a peer's: %w", host, far, far, sock.ErrInval)
	case !addr.Is4():
		return fmt.Errorf("road from %s to %s: address %v: want an IPv4 address: %w", host, far, addr, sock.ErrInval)
	}
	p, err := w.AddOutside(host, PortOptions{
		Far: []netip.Addr{addr}, PointToPoint: true, To: far, MAC: roadMAC(host, far), MTU: RoadMTU,
	}, w.roadSender(host, far))
	if err != nil {
		return fmt.Errorf("road from %s to %s: %w", host, far, err)
	}
	if w.roads == nil {
		w.roads = map[roadKey]*OutsidePort{}
	}
	w.roads[k] = p
	return nil
}

// roadSender is what host's road to far hands its frames to.
func (w *World) roadSender(host, far string) func([]byte) {
	out := w.roadsOut
	if out == nil {
		return func([]byte) {}
	}
	return func(f []byte) { out(host, far, f) }
}

// roadMAC is a locally administered unicast address made from the road's
// two names: 02:50 and 32 bits of their hash. The world's own addresses
// are 02:00:…, so the two never meet.
func roadMAC(host, far string) wire.MAC {
	h := fnv.New32a()
	h.Write([]byte(host))
	h.Write([]byte{0})
	h.Write([]byte(far))
	m := wire.MAC{0x02, 0x50}
	sum := h.Sum32()
	m[2], m[3], m[4], m[5] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	return m
}

// DeliverRoad hands host a frame that came along its road from far, as
// if it had just come off the cable. The bytes are untrusted; the world
// keeps them.
func (w *World) DeliverRoad(host, far string, frame []byte) error {
	p, ok := w.roads[roadKey{host, far}]
	if !ok {
		return fmt.Errorf("a frame from %s for %s: no such road: %w", far, host, sock.ErrNetUnreach)
	}
	p.Deliver(frame)
	return nil
}

// RoadDown takes host's road to far away, why saying why ("bob left
// the room"): what is sent on it is dropped with those words.
func (w *World) RoadDown(host, far, why string) error {
	p, ok := w.roads[roadKey{host, far}]
	if !ok {
		return fmt.Errorf("road from %s to %s: no such road: %w", host, far, sock.ErrInval)
	}
	if why == "" {
		why = "the road is gone"
	}
	p.SetDown(why)
	return nil
}

// Roads lists the roads: for each, the host it starts at, the far host,
// and why it is down ("" while it is up).
func (w *World) Roads() []RoadState {
	var out []RoadState
	for _, h := range w.hosts {
		for _, n := range h.nics {
			if p, ok := n.med.(*OutsidePort); ok {
				if r, ok := w.roads[roadKey{h.name, p.way.To}]; ok && r == p {
					out = append(out, RoadState{Host: h.name, Far: p.way.To, Addrs: slices.Clone(n.peers), Down: p.down})
				}
			}
		}
	}
	return out
}

// RoadState is one road to a peer's town, as Roads lists it.
type RoadState struct {
	Host, Far string
	Addrs     []netip.Addr
	Down      string
}
