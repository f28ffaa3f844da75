package interop_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
)

// BenchmarkGVisorBulk is the baseline for netsim's BenchmarkTCPBulk: two
// gVisor stacks in one process joined by channel endpoints, a goroutine
// pumping packets each way, moving 1 MiB per op over TCP.
func BenchmarkGVisorBulk(b *testing.B) {
	for _, mtu := range []uint32{1500, 9000} {
		b.Run(fmt.Sprintf("mtu=%d", mtu), func(b *testing.B) {
			left, right := newGVisor(b, "10.0.0.1", mtu), newGVisor(b, "10.0.0.2", mtu)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go left.pumpOut(ctx, right.inject)
			go right.pumpOut(ctx, left.inject)
			ln, err := gonet.ListenTCP(right.s, right.full(80), ipv4.ProtocolNumber)
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			accepted := make(chan net.Conn, 1)
			go func() {
				c, _ := ln.Accept()
				accepted <- c
			}()
			c, err := gonet.DialContextTCP(ctx, left.s, right.full(80), ipv4.ProtocolNumber)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			s := <-accepted
			defer s.Close()
			const perOp = 1 << 20
			b.SetBytes(perOp)
			chunk := make([]byte, 64<<10)
			b.ResetTimer()
			start := time.Now()
			done := make(chan error, 1)
			go func() {
				_, err := io.CopyN(io.Discard, s, int64(b.N)*perOp)
				done <- err
			}()
			for i := 0; i < b.N*perOp/len(chunk); i++ {
				if _, err := c.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)*perOp*8/time.Since(start).Seconds()/1e9, "Gbit/s")
			b.StopTimer()
			left.s.Close()
			right.s.Close()
		})
	}
}
