package netsim

import (
	"fmt"
	"net/netip"
	"time"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// Fragmentation and reassembly (RFC 791 section 3.2, RFC 815), and the
// path-MTU cache (RFC 1191), with Linux's limits.
const (
	reassemblyTimeout = 30 * time.Second // net.ipv4.ipfrag_time
	reassemblyMax     = 4 << 20          // ipfrag_high_thresh: bytes held waiting for the rest
	pmtuExpires       = 10 * time.Minute // net.ipv4.route.mtu_expires
	minPMTU           = 552              // net.ipv4.route.min_pmtu: below it, DF is no longer set
)

// fragment cuts a packet into pieces that fit mtu, each a whole IPv4
// packet with the original's header, its offset, and More Fragments on all
// but the last (a piece of a fragment keeps the fragment's own MF). False
// when the header leaves no room for 8 bytes of data.
func fragment(ip wire.IPv4, mtu int) ([][]byte, bool) {
	hl := ip.HeaderLen()
	room := (mtu - hl) &^ 7
	payload := ip.Payload()
	if room < 8 {
		return nil, false
	}
	var out [][]byte
	for off := 0; off < len(payload); off += room {
		n := min(room, len(payload)-off)
		flags := ip.Flags() &^ wire.IPv4DontFragment
		if off+n < len(payload) {
			flags |= wire.IPv4MoreFragments
		}
		hdr := wire.IPv4Header{
			TOS: ip.TOS(), ID: ip.ID(), Flags: flags, FragOffset: ip.FragOffset() + off, TTL: ip.TTL(),
			Protocol: ip.Protocol(), Src: ip.Src(), Dst: ip.Dst(), PayloadLen: n,
		}
		if off == 0 {
			hdr.Options = ip.Options() // options travel in the first piece only: none the core sends is copied
		}
		b := make([]byte, hdr.Len()+n)
		if err := hdr.Encode(b); err != nil {
			return nil, false
		}
		copy(b[hdr.Len():], payload[off:off+n])
		out = append(out, b)
	}
	return out, true
}

// fragKey names the datagram a fragment belongs to (RFC 791: source,
// destination, protocol and identification).
type fragKey struct {
	src, dst netip.Addr
	proto    wire.Protocol
	id       uint16
}

// fragQueue gathers one datagram's fragments.
type fragQueue struct {
	key    fragKey
	pieces []fragPiece // in offset order, never overlapping
	total  int         // the datagram's payload length, once the last piece came; -1 before
	first  wire.IPv4   // the piece at offset 0, whose header the datagram takes
	bytes  int
	gen    uint32
	done   bool
}

type fragPiece struct {
	off  int
	data []byte
}

// reassembler is a host's set of datagrams in pieces, and the scheduler
// handler of their timeouts.
type reassembler struct {
	h      *Host
	queues []*fragQueue // slots; a finished one is reused
	bytes  int
}

// reassemble takes one fragment addressed to this host and returns the
// whole datagram when it is complete.
func (r *reassembler) reassemble(ip wire.IPv4) (wire.IPv4, bool) {
	h := r.h
	key := fragKey{src: ip.Src(), dst: ip.Dst(), proto: ip.Protocol(), id: ip.ID()}
	i, q := r.queue(key)
	off, data := ip.FragOffset(), ip.Payload()
	last := ip.Flags()&wire.IPv4MoreFragments == 0
	switch {
	case last && q.total >= 0 && off+len(data) != q.total,
		last && q.pieces != nil && q.pieces[len(q.pieces)-1].off+len(q.pieces[len(q.pieces)-1].data) > off+len(data):
		r.discard(i, q, "fragments disagree on where the datagram ends")
		h.dropped(ip, "IPv4 fragment: its datagram's pieces disagree on its length")
		return nil, false
	case !last && len(data)%8 != 0:
		h.dropped(ip, "IPv4 fragment: a piece before the last must carry a multiple of 8 bytes")
		return nil, false
	case r.bytes+len(data) > reassemblyMax:
		h.dropped(ip, fmt.Sprintf("IPv4 fragment: %d bytes already wait for reassembly (ipfrag_high_thresh)", r.bytes))
		return nil, false
	}
	at := 0
	for at < len(q.pieces) && q.pieces[at].off < off {
		at++
	}
	overlaps := at > 0 && q.pieces[at-1].off+len(q.pieces[at-1].data) > off ||
		at < len(q.pieces) && off+len(data) > q.pieces[at].off
	if overlaps {
		// Linux drops the whole datagram on an overlap (CVE-2018-5391
		// and RFC 5722's advice for IPv6): overlapping pieces are a
		// known attack on what the reassembled bytes say.
		r.discard(i, q, "")
		h.dropped(ip, "IPv4 fragment overlaps another piece of its datagram: the datagram is discarded")
		return nil, false
	}
	q.pieces = append(q.pieces[:at], append([]fragPiece{{off: off, data: append([]byte(nil), data...)}}, q.pieces[at:]...)...)
	q.bytes += len(data)
	r.bytes += len(data)
	if off == 0 {
		q.first = append(wire.IPv4(nil), ip...)
	}
	if last {
		q.total = off + len(data)
	}
	h.delivered(ip, fmt.Sprintf("fragment %d-%d of datagram id %d, kept for reassembly", off, off+len(data), ip.ID()))
	whole, ok := r.complete(q)
	if !ok {
		return nil, false
	}
	r.free(i, q)
	return whole, true
}

// queue finds the datagram's queue, or starts one with its timeout.
func (r *reassembler) queue(key fragKey) (int, *fragQueue) {
	free := -1
	for i, q := range r.queues {
		switch {
		case !q.done && q.key == key:
			return i, q
		case q.done && free < 0:
			free = i
		}
	}
	q := &fragQueue{key: key, total: -1}
	if free >= 0 {
		q.gen = r.queues[free].gen + 1
		r.queues[free] = q
	} else {
		free = len(r.queues)
		r.queues = append(r.queues, q)
	}
	r.h.w.sched.Schedule(r.h.w.sched.Now()+reassemblyTimeout, r, uint64(free)<<32|uint64(q.gen))
	return free, q
}

// complete joins the pieces when they cover the datagram without a gap.
func (r *reassembler) complete(q *fragQueue) (wire.IPv4, bool) {
	if q.total < 0 || q.first == nil {
		return nil, false
	}
	end := 0
	for _, p := range q.pieces {
		if p.off != end {
			return nil, false
		}
		end += len(p.data)
	}
	if end != q.total {
		return nil, false
	}
	f := q.first
	hdr := wire.IPv4Header{
		TOS: f.TOS(), ID: f.ID(), Flags: f.Flags() &^ wire.IPv4MoreFragments, TTL: f.TTL(),
		Protocol: f.Protocol(), Src: f.Src(), Dst: f.Dst(), Options: f.Options(), PayloadLen: q.total,
	}
	b := make([]byte, hdr.Len()+q.total)
	if err := hdr.Encode(b); err != nil {
		return nil, false
	}
	for _, p := range q.pieces {
		copy(b[hdr.Len()+p.off:], p.data)
	}
	return wire.IPv4(b), true
}

func (r *reassembler) free(i int, q *fragQueue) {
	r.bytes -= q.bytes
	q.done, q.pieces, q.first = true, nil, nil
}

func (r *reassembler) discard(i int, q *fragQueue, _ string) { r.free(i, q) }

// Fire ends a datagram whose pieces did not all come within
// reassemblyTimeout: its pieces are dropped and, if the first one came, the
// sender hears "fragment reassembly time exceeded" (RFC 792; Linux's
// ip_expire).
func (r *reassembler) Fire(arg uint64) {
	i, gen := int(arg>>32), uint32(arg)
	if i >= len(r.queues) {
		return
	}
	q := r.queues[i]
	if q.done || q.gen != gen {
		return
	}
	h := r.h
	first := q.first
	h.countDrop("IPv4 fragments: reassembly timed out")
	h.w.emit(sock.Event{Kind: sock.KindDropped, Host: h.name, Packet: first, Reason: fmt.Sprintf(
		"reassembly timed out: of datagram id %d only %d bytes came within %v; its pieces are discarded", q.key.id, q.bytes, reassemblyTimeout)})
	r.free(i, q)
	if first != nil {
		h.sendICMPError(first, wire.ICMPv4TimeExceeded, wire.ICMPv4ReassemblyExceeded, 0)
	}
}

// pmtuEntry is what the host learned about the path to one destination.
type pmtuEntry struct {
	dst     netip.Addr
	mtu     int
	locked  bool // the reported MTU was below minPMTU: send without DF
	expires time.Duration
}

// learnPMTU records a "fragmentation needed" for dst with the next hop's
// MTU, as Linux's ip_rt_update_pmtu does; it returns the path MTU now.
func (h *Host) learnPMTU(dst netip.Addr, mtu int) int {
	locked := false
	if mtu < minPMTU {
		mtu, locked = minPMTU, true
	}
	now := h.w.sched.Now()
	for i := range h.pmtu {
		if h.pmtu[i].dst == dst {
			if mtu < h.pmtu[i].mtu || now >= h.pmtu[i].expires {
				h.pmtu[i] = pmtuEntry{dst: dst, mtu: mtu, locked: locked, expires: now + pmtuExpires}
			}
			return h.pmtu[i].mtu
		}
	}
	h.pmtu = append(h.pmtu, pmtuEntry{dst: dst, mtu: mtu, locked: locked, expires: now + pmtuExpires})
	return mtu
}

// cachedPMTU is the learned path MTU towards dst, if one is fresh.
func (h *Host) cachedPMTU(dst netip.Addr) (pmtuEntry, bool) {
	now := h.w.sched.Now()
	for _, e := range h.pmtu {
		if e.dst == dst && now < e.expires {
			return e, true
		}
	}
	return pmtuEntry{}, false
}
