package netsim

import (
	"fmt"

	"socketville/shared/wire"
)

// frame is an Ethernet frame on its way (header, payload, padding; no
// FCS), with the packet it carries.
type frame struct {
	b  []byte
	l3 []byte // the IPv4 packet or ARP message in b, without padding
	// bad marks a frame a bit of which flipped on the way: its FCS no
	// longer matches, and the receiving NIC discards it. (CRC-32 catches
	// every single-bit error, so the flag stands for computing it.)
	bad bool
}

// frameArena hands out frame buffers carved from larger blocks, so that
// a packet crossing many hops (a copy at each router) costs the garbage
// collector one object per block rather than one per frame. A block stays
// alive while any frame carved from it does; frames are short-lived, and
// a block is 64 KiB.
type frameArena struct{ block []byte }

const arenaBlock = 64 << 10

// alloc returns n zeroed bytes, whose capacity ends at n so that an append
// cannot run into the next frame.
func (a *frameArena) alloc(n int) []byte {
	if n > arenaBlock/8 {
		return make([]byte, n)
	}
	if len(a.block) < n {
		a.block = make([]byte, arenaBlock)
	}
	b := a.block[:n:n]
	a.block = a.block[n:]
	return b
}

// arp reports whether the frame carries an ARP message.
func (f frame) arp() bool {
	return len(f.b) >= wire.EthernetHeaderLen && wire.EtherType(uint16(f.b[12])<<8|uint16(f.b[13])) == wire.EtherTypeARP
}

// newFrame wraps a packet in an Ethernet II frame, padded to the
// minimum size as a NIC pads it.
func newFrame(dst, src wire.MAC, typ wire.EtherType, l3 []byte) frame {
	b := wire.NewFrame(wire.EthernetHeader{Dst: dst, Src: src, Type: typ}, l3)
	return frame{b: b, l3: b[wire.EthernetHeaderLen : wire.EthernetHeaderLen+len(l3)]}
}

// loopbackFrame wraps a packet as Linux's loopback does: an Ethernet
// header with zero addresses and no padding.
func loopbackFrame(l3 []byte) frame {
	b := make([]byte, wire.EthernetHeaderLen+len(l3))
	_ = (wire.EthernetHeader{Type: wire.EtherTypeIPv4}).Encode(b)
	copy(b[wire.EthernetHeaderLen:], l3)
	return frame{b: b, l3: b[wire.EthernetHeaderLen:]}
}

// damaged is the frame as it arrives with bit flip of its packet flipped,
// or the frame itself when flip is negative; the sender's bytes are never
// changed.
func (f frame) damaged(flip int) frame {
	if flip < 0 {
		return f
	}
	b := append([]byte(nil), f.b...)
	off := wire.EthernetHeaderLen + flip/8
	b[off] ^= 1 << (flip % 8)
	return frame{b: b, l3: b[wire.EthernetHeaderLen : wire.EthernetHeaderLen+len(f.l3)], bad: true}
}

// parseFrame reads an Ethernet frame from untrusted bytes (a fuzzer, a
// peer): the packet it carries is cut to its own length where the
// EtherType says how.
func parseFrame(b []byte) (frame, wire.Ethernet, error) {
	eth, err := wire.ParseEthernet(b)
	if err != nil {
		return frame{}, nil, fmt.Errorf("malformed Ethernet frame: %w", err)
	}
	l3 := eth.Payload()
	switch eth.Type() {
	case wire.EtherTypeIPv4:
		if ip, err := wire.ParseIPv4(l3); err == nil {
			l3 = ip
		}
	case wire.EtherTypeARP:
		if a, err := wire.ParseARP(l3); err == nil {
			l3 = a
		}
	}
	return frame{b: b, l3: l3}, eth, nil
}

// InjectFrame hands the host's first Ethernet interface a frame from
// outside the town (a peer's medium, a fuzzer), as if it had just come off
// the cable. The bytes are untrusted: what does not parse is dropped with a
// counted reason. The world keeps b.
func (h *Host) InjectFrame(b []byte) {
	if len(h.nics) < 2 {
		h.countDrop("a frame for a host with no Ethernet interface")
		return
	}
	h.nics[1].arrive(untrusted(b), nil)
}

// InjectFrame hands switch port port (1-based) a frame from outside the
// town, as if it had just come in; untrusted bytes, as Host.InjectFrame.
func (s *Switch) InjectFrame(port int, b []byte) {
	if port < 1 || port > len(s.ports) {
		s.drops["a frame on a port the switch does not have"]++
		return
	}
	s.receive(s.ports[port-1], untrusted(b))
}

// untrusted makes a frame of bytes from outside: the packet it carries is
// cut to its own length where that parses, else left whole for the
// receiver to refuse.
func untrusted(b []byte) frame {
	if f, _, err := parseFrame(b); err == nil {
		return f
	}
	if len(b) > wire.EthernetHeaderLen {
		return frame{b: b, l3: b[wire.EthernetHeaderLen:]}
	}
	return frame{b: b}
}
