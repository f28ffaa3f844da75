//go:build linux

package watch

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"socketville/native/capture"
	"socketville/shared/sock"
)

// NoPackets is what Packets says when this process may not capture.
const NoPackets = "no packets: needs CAP_NET_RAW"

// maxPending bounds the packets kept between two refreshes; past it they
// are counted (PacketsDropped) and not shown (a bulk transfer on
// loopback).
const maxPending = 10000

// loopFilter keeps IPv4 packets as they leave: loopback carries each
// packet twice, once outgoing and once incoming, and one copy is a letter.
var loopFilter = []bpf.Instruction{
	bpf.LoadExtension{Num: bpf.ExtType},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipFalse: 4},
	bpf.LoadAbsolute{Off: 0, Size: 1},
	bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40, SkipFalse: 1},
	bpf.RetConstant{Val: 1 << 16},
	bpf.RetConstant{Val: 0},
}

// packets is the loopback capture of a watch: the capture's goroutine
// adds, Refresh takes.
type packets struct {
	c       *capture.Capture
	mu      sync.Mutex
	pending []capture.Packet
	dropped int
}

// startPackets opens the capture on the namespace's loopback; the error
// says why there are no packets.
func startPackets(netns string) (*packets, error) {
	p := &packets{}
	c, err := capture.Start(capture.Options{Device: "lo", Netns: netns, Filter: loopFilter}, func(cp capture.Packet) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.pending) >= maxPending {
			p.dropped++
			return
		}
		p.pending = append(p.pending, cp)
	})
	if errors.Is(err, capture.ErrNoPermission) {
		return nil, errors.New(NoPackets)
	}
	if err != nil {
		return nil, fmt.Errorf("no packets: %w", err)
	}
	p.c = c
	return p, nil
}

// take returns the packets since the last take, and how many were
// dropped.
func (p *packets) take() ([]capture.Packet, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	got, dropped := p.pending, p.dropped
	p.pending, p.dropped = nil, 0
	return got, dropped
}

func (p *packets) stop() { p.c.Stop() }

// ends reads a packet's addresses and ports (0 for a protocol without
// ports, or a fragment after the first).
func ends(pkt []byte) (src, dst netip.AddrPort, ok bool) {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return src, dst, false
	}
	ihl := int(pkt[0]&0x0f) * 4
	s, _ := netip.AddrFromSlice(pkt[12:16])
	d, _ := netip.AddrFromSlice(pkt[16:20])
	var sp, dp uint16
	first := pkt[6]&0x1f == 0 && pkt[7] == 0
	if proto := pkt[9]; first && (proto == unix.IPPROTO_TCP || proto == unix.IPPROTO_UDP) && len(pkt) >= ihl+4 {
		sp, dp = uint16(pkt[ihl])<<8|uint16(pkt[ihl+1]), uint16(pkt[ihl+2])<<8|uint16(pkt[ihl+3])
	}
	return netip.AddrPortFrom(s, sp), netip.AddrPortFrom(d, dp), true
}

// takePackets takes the packets captured since the last take, and how
// many were dropped; none without a capture.
func (w *Watch) takePackets() ([]capture.Packet, int) {
	if w.pk == nil {
		return nil, 0
	}
	return w.pk.take()
}

// packetEvents are the letters of the packets got, kept by the filters:
// for each, a KindSent from the sending socket and a KindDelivered at the
// receiving one (loopback delivers at once), in time order. The sockets'
// owners are those of cur when known, else those of prev (a socket that
// closed after its last packet).
func (w *Watch) packetEvents(got []capture.Packet, dropped int, cur, prev *seenSet) []sock.Event {
	if len(got) == 0 && dropped == 0 {
		return nil
	}
	type end struct {
		proc string
		fd   int
		pid  int
	}
	byPair := make(map[[2]netip.AddrPort]end, len(cur.list))
	byPort := make(map[uint16]end)
	for _, set := range []*seenSet{prev, cur} { // cur's entries win
		for i := range set.list {
			c := &set.list[i]
			e := end{proc: c.proc, fd: c.s.FD, pid: c.pid}
			if c.inode == 0 {
				e.fd = 0
			}
			byPair[[2]netip.AddrPort{c.s.Local, c.s.Remote}] = e
			if c.s.State == sock.StateListen || c.s.Type == sock.SockUDP && !c.s.Remote.IsValid() || c.s.Remote.Port() == 0 {
				byPort[c.s.Local.Port()] = e
			}
		}
	}
	owner := func(local, remote netip.AddrPort) end {
		if e, ok := byPair[[2]netip.AddrPort{local, remote}]; ok {
			return e
		}
		return byPort[local.Port()]
	}
	link := sock.Hop{From: w.host, To: w.host}
	events := make([]sock.Event, 0, 2*len(got)+1)
	for _, p := range got {
		src, dst, ok := ends(p.Data)
		if !ok {
			continue
		}
		if w.opts.Port != 0 && int(src.Port()) != w.opts.Port && int(dst.Port()) != w.opts.Port {
			continue
		}
		from, to := owner(src, dst), owner(dst, src)
		if w.opts.PID != 0 && from.pid != w.opts.PID && to.pid != w.opts.PID {
			continue
		}
		t := max(p.Time.Sub(w.start), 0)
		events = append(events,
			sock.Event{Time: t, Kind: sock.KindSent, Host: w.host, Proc: from.proc, FD: from.fd, Local: src, Remote: dst, Link: link, Packet: p.Data},
			sock.Event{Time: t, Kind: sock.KindDelivered, Host: w.host, Proc: to.proc, FD: to.fd, Local: dst, Remote: src, Link: link, Packet: p.Data})
	}
	slices.SortStableFunc(events, func(a, b sock.Event) int { return cmp.Compare(a.Time, b.Time) })
	w.pkDropped += dropped
	return events
}

// Packets reports whether the watch shows packets, and when it was asked
// to and does not, why (NoPackets without CAP_NET_RAW).
func (w *Watch) Packets() (bool, string) { return w.pk != nil, w.noPk }

// PacketsDropped is how many captured packets were not shown because more
// than maxPending came between two refreshes.
func (w *Watch) PacketsDropped() int { return w.pkDropped }
