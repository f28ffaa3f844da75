package watch

import (
	"fmt"
	"os"
	"runtime"

	"github.com/vishvananda/netns"

	"socketville/shared/sock"
)

// portRange reads where the namespace's kernel picks a connecting
// socket's port (net.ipv4.ip_local_port_range), so the town tells a
// client's door from a server's by the machine's own range. /proc/sys/net
// belongs to the opening thread's namespace: the read runs on a thread of
// its own that joins ns and then dies with it (None: this one's). Zero
// when it cannot be read.
func portRange(ns netns.NsHandle) sock.PortRange {
	done := make(chan sock.PortRange, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes with the goroutine
		var r sock.PortRange
		if ns.IsOpen() && netns.Set(ns) != nil {
			done <- r
			return
		}
		b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
		if err == nil {
			fmt.Sscanf(string(b), "%d %d", &r.First, &r.Last)
		}
		if r.First == 0 || r.Last < r.First {
			r = sock.PortRange{}
		}
		done <- r
	}()
	return <-done
}
