//go:build linux

package watch

import (
	"bytes"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// makeSockets opens n sockets in the namespace from this process: one
// listener and (n-1)/2 connections to it, both ends (see pairs), closed
// when the benchmark ends.
func makeSockets(b *testing.B, ns string, n int) {
	b.Helper()
	raiseNoFile(b, n+256) // and room for the rest of the process
	pairs(b, ns, (n-1)/2)
}

// raiseNoFile raises the soft limit on open files to at least want, up to
// the hard limit (skipping the benchmark when that is lower), and puts it
// back when the benchmark ends.
func raiseNoFile(b *testing.B, want int) {
	b.Helper()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur >= uint64(want) {
		return
	}
	if lim.Max < uint64(want) {
		b.Skipf("%d sockets need %d open files, and the hard limit is %d (ulimit -Hn)", want-256, want, lim.Max)
	}
	old := lim
	lim.Cur = uint64(want)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatalf("raising the open files limit to %d: %v", want, err)
	}
	b.Cleanup(func() { _ = unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
}

// BenchmarkRefresh is one dump, diff and snapshot of 1,000 and 10,000
// sockets in a namespace of the benchmark's own (one process owns them
// all, so /proc is not read again), and of none: what walking the
// kernel's (machine-wide) hash tables costs by itself. Over the same
// sockets, in the same run, it times ss -tanp as a user runs it (a
// process each time, which reads every /proc/PID/fd for -p too) and
// reports ss-ms and ss/refresh, how many refreshes one ss costs.
func BenchmarkRefresh(b *testing.B) {
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) { benchRefresh(b, n) })
	}
}

func benchRefresh(b *testing.B, n int) {
	needTools(b, "ss")
	ns := newNetns(b)
	if n > 0 {
		makeSockets(b, ns, n+1)
	}
	w, err := New(Options{Netns: ns})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if got := countSockets(b, w); got < n {
		b.Fatalf("the watch sees %d sockets, want at least %d", got, n)
	}
	scans := w.Scans()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := w.Refresh(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(w.Scans()-scans), "proc-scans")
	b.ReportMetric(float64(per.Microseconds())/1000, "refresh-ms")
	ss := timeSS(b, ns, n)
	b.ReportMetric(float64(ss.Microseconds())/1000, "ss-ms")
	b.ReportMetric(float64(ss)/float64(per), "ss/refresh")
}

// countSockets is how many sockets a refresh of w finds.
func countSockets(b *testing.B, w *Watch) int {
	b.Helper()
	snap, _, err := w.Refresh()
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, h := range snap.Hosts {
		n += len(h.Orphans)
		for _, p := range h.Processes {
			n += len(p.Sockets)
		}
	}
	return n
}

// timeSS is the median time of a few runs of ss -tanp in ns, each
// checked to list the n sockets.
func timeSS(b *testing.B, ns string, n int) time.Duration {
	b.Helper()
	var times []time.Duration
	for range 5 {
		start := time.Now()
		out, err := exec.Command("ip", "netns", "exec", ns, "ss", "-tanp").Output()
		if err != nil {
			b.Fatalf("ss: %v", err)
		}
		times = append(times, time.Since(start))
		if lines := bytes.Count(out, []byte("\n")) - 1; lines < n {
			b.Fatalf("ss lists %d sockets, want at least %d", lines, n)
		}
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// BenchmarkRefreshCPU is what a watch costs the machine as a user runs
// it: looking every D (a ticker) for 5 s, with the loopback capture on
// where it may be, it reports the process's CPU time (user and system,
// from getrusage) as a per cent of one core, and how long a look took at
// most. The case is 10,000 sockets at 10 looks a second; beside
// it, 1,000 at 10 and 10,000 at the town's default of 2. A measurement,
// never a pass or fail.
func BenchmarkRefreshCPU(b *testing.B) {
	for _, c := range []struct {
		n     int
		every time.Duration
	}{{10000, 100 * time.Millisecond}, {1000, 100 * time.Millisecond}, {10000, 500 * time.Millisecond}} {
		b.Run(fmt.Sprintf("sockets=%d/every=%v", c.n, c.every), func(b *testing.B) { benchCPU(b, c.n, c.every) })
	}
}

func benchCPU(b *testing.B, n int, every time.Duration) {
	const span = 5 * time.Second
	needTools(b)
	ns := newNetns(b)
	makeSockets(b, ns, n+1)
	w, err := New(Options{Netns: ns, Packets: true})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if got := countSockets(b, w); got < n {
		b.Fatalf("the watch sees %d sockets, want at least %d", got, n)
	}
	runtime.GC()
	for b.Loop() {
		var before, after unix.Rusage
		if err := unix.Getrusage(unix.RUSAGE_SELF, &before); err != nil {
			b.Fatal(err)
		}
		tick := time.NewTicker(every)
		start, looks, slowest := time.Now(), 0, time.Duration(0)
		for time.Since(start) < span {
			<-tick.C
			t := time.Now()
			if _, _, err := w.Refresh(); err != nil {
				b.Fatal(err)
			}
			slowest = max(slowest, time.Since(t))
			looks++
		}
		tick.Stop()
		wall := time.Since(start)
		if err := unix.Getrusage(unix.RUSAGE_SELF, &after); err != nil {
			b.Fatal(err)
		}
		cpu := time.Duration(unix.TimevalToNsec(after.Utime) - unix.TimevalToNsec(before.Utime) +
			unix.TimevalToNsec(after.Stime) - unix.TimevalToNsec(before.Stime))
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%-of-core")
		b.ReportMetric(float64(looks)/wall.Seconds(), "looks/s")
		b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-look-ms")
	}
}
