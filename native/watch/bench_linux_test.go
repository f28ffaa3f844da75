//go:build linux

package watch

import (
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"testing"

	"github.com/vishvananda/netns"
)

// makeSockets opens n sockets in the namespace from this process: one
// listener and (n-1)/2 connections to it, both ends. The sockets are
// made on a locked thread that joined the namespace; that thread is never
// unlocked, so it ends with its goroutine and no other code runs in the
// namespace. They are closed when the benchmark ends.
func makeSockets(b *testing.B, ns string, n int) {
	b.Helper()
	type made struct {
		conns []net.Conn
		ln    net.Listener
		err   error
	}
	done := make(chan made)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		var m made
		h, err := netns.GetFromName(ns)
		if err == nil {
			err = netns.Set(h)
			h.Close()
		}
		if err != nil {
			m.err = err
			done <- m
			return
		}
		m.ln, m.err = net.Listen("tcp", "127.0.0.1:0")
		if m.err != nil {
			done <- m
			return
		}
		accepted := make(chan net.Conn)
		go func() {
			for {
				c, err := m.ln.Accept()
				if err != nil {
					close(accepted)
					return
				}
				accepted <- c
			}
		}()
		for i := 0; i < (n-1)/2; i++ {
			c, err := net.Dial("tcp", m.ln.Addr().String())
			if err != nil {
				m.err = err
				break
			}
			m.conns = append(m.conns, c, <-accepted)
		}
		done <- m
	}()
	m := <-done
	b.Cleanup(func() {
		for _, c := range m.conns {
			c.Close()
		}
		if m.ln != nil {
			m.ln.Close()
		}
	})
	if m.err != nil {
		b.Fatal(m.err)
	}
}

// BenchmarkRefresh is one dump, diff and snapshot of 1,000 sockets (one
// process owns them all, so /proc is not read again), and of none: what
// walking the kernel's (machine-wide) hash tables costs by itself.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchRefresh(b, n) })
	}
}

func benchRefresh(b *testing.B, n int) {
	needTools(b)
	ns := newNetns(b)
	if n > 0 {
		makeSockets(b, ns, n+1)
	}
	w, err := New(Options{Netns: ns})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	scans := w.Scans()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := w.Refresh(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.Scans()-scans), "proc-scans")
}

// BenchmarkSS is the baseline: ss -tanp over the same 1,000 sockets in the
// same kind of namespace, a process started each time as a user would.
func BenchmarkSS(b *testing.B) {
	needTools(b, "ss")
	ns := newNetns(b)
	makeSockets(b, ns, 1001)
	for b.Loop() {
		if out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tanp").Output(); err != nil || len(out) < 1000 {
			b.Fatalf("ss: %v", err)
		}
	}
}
