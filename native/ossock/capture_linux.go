//go:build linux

package ossock

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// loopCapture watches the loopback device for a loopback run, where no
// wire carries the packets: every packet between the town's 127.N.x.y
// addresses, once as it leaves (sent) and once as it comes in (delivered).
// It needs CAP_NET_RAW.
type loopCapture struct {
	fd      int
	stopped atomic.Bool
	done    sync.WaitGroup
}

// townFilter keeps IPv4 packets from 127.N.x.y with N from 77 up: the
// addresses a loopback run gives its hosts (see addrMap). The socket is
// SOCK_DGRAM, so offset 0 is the network header; it takes every protocol
// (ETH_P_ALL), since only such sockets see outgoing packets too.
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
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return nil, err
	}
	proto := int(htons(unix.ETH_P_ALL))
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(townFilter)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	tv := unix.NsecToTimeval(int64(50 * time.Millisecond))
	if err := errors.Join(
		unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog),
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv),
		unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: lo.Index}),
	); err != nil {
		unix.Close(fd)
		return nil, err
	}
	c := &loopCapture{fd: fd}
	c.done.Add(1)
	go c.run(report, names)
	return c, nil
}

func (c *loopCapture) run(report func(Packet), names func(netip.Addr) string) {
	defer c.done.Done()
	buf := make([]byte, 1<<16)
	for !c.stopped.Load() {
		n, from, err := unix.Recvfrom(c.fd, buf, 0)
		if err != nil || n < 20 {
			continue // the read timeout: look at stopped again
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok {
			continue
		}
		src, _ := netip.AddrFromSlice(buf[12:16])
		dst, _ := netip.AddrFromSlice(buf[16:20])
		p := Packet{Time: time.Now(), From: names(src), To: names(dst), Data: append([]byte(nil), buf[:n]...)}
		p.Link = p.From + "->" + p.To
		switch ll.Pkttype {
		case unix.PACKET_OUTGOING:
			p.Kind = PacketSent
		case unix.PACKET_HOST:
			p.Kind = PacketDelivered
		default:
			continue
		}
		if p.From != "" && p.To != "" {
			report(p)
		}
	}
}

// stop ends the capture and waits for its goroutine.
func (c *loopCapture) stop() {
	c.stopped.Store(true)
	c.done.Wait()
	unix.Close(c.fd)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
