//go:build linux

package ossock

import (
	"net/netip"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"socketville/native/capture"
	"socketville/shared/sock"
)

// loopCapture watches the loopback device for a loopback run, where no
// wire carries the packets: every packet between the town's 127.N.x.y
// addresses, once as it leaves (sent) and once as it comes in (delivered).
// It needs CAP_NET_RAW.
type loopCapture struct{ c *capture.Capture }

// townFilter keeps IPv4 packets from 127.N.x.y with N from 77 up: the
// addresses a loopback run gives its hosts (see addrMap). Offset 0 is the
// network header (see package capture).
var townFilter = []bpf.Instruction{
	bpf.LoadAbsolute{Off: 0, Size: 1},
	bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40, SkipFalse: 5},
	bpf.LoadAbsolute{Off: 12, Size: 1},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: 127, SkipFalse: 3},
	bpf.LoadAbsolute{Off: 13, Size: 1},
	bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 77, SkipFalse: 1},
	bpf.RetConstant{Val: 1 << 16},
	bpf.RetConstant{Val: 0},
}

// startLoopCapture opens the capture and reports each packet to report,
// from its own goroutine, until stop.
func startLoopCapture(report func(Packet), names func(netip.Addr) string) (*loopCapture, error) {
	c, err := capture.Start(capture.Options{Device: "lo", Filter: townFilter}, func(cp capture.Packet) {
		buf := cp.Data
		if len(buf) < 20 {
			return
		}
		src, _ := netip.AddrFromSlice(buf[12:16])
		dst, _ := netip.AddrFromSlice(buf[16:20])
		p := Packet{Time: cp.Time, From: names(src), To: names(dst), Data: buf}
		p.Link = sock.Hop{From: p.From, To: p.To}
		switch cp.Type {
		case unix.PACKET_OUTGOING:
			p.Kind = PacketSent
		case unix.PACKET_HOST:
			p.Kind = PacketDelivered
		default:
			return
		}
		if p.From != "" && p.To != "" {
			report(p)
		}
	})
	if err != nil {
		return nil, err
	}
	return &loopCapture{c: c}, nil
}

// stop ends the capture and waits for its goroutine.
func (c *loopCapture) stop() { c.c.Stop() }
