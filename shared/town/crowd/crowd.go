// Package crowd writes a crowded town's scenario, for stress tests,
// benchmarks and the curious (socketville desktop --crowd 50x10): pairs of
// hosts, each pair a server and a client with TCP connections and UDP
// sockets, and bulk transfers that keep letters on every road.
package crowd

import (
	"fmt"
	"strings"
)

// Scenario returns a scenario of pairs*2 hosts with perHost sockets on
// each (perHost at least 3): the client opens (perHost-1)/2 connections to
// its server and binds the rest as UDP sockets; the server listens,
// accepts them all and binds the rest. Every client then sends bulk on
// its first connection in the background.
func Scenario(pairs, perHost int) string {
	conns := max((perHost-1)/2, 1)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	for i := 0; i < pairs; i++ {
		c, s := fmt.Sprintf("c%d", i), fmt.Sprintf("s%d", i)
		w("host %s 10.%d.%d.1/24", c, i/256, i%256)
		w("host %s 10.%d.%d.2/24", s, i/256, i%256)
		w("link %s %s delay=20ms rate=100Mbit", c, s)
		w("process %s app", c)
		w("process %s web root", s)
		w("%s/web: socket tcp", s)
		w("%s/web: bind 3 0.0.0.0:80", s)
		w("%s/web: listen 3 64", s)
		for k := 0; k < conns; k++ {
			w("%s/app: socket tcp", c)
			w("%s/app: connect %d 10.%d.%d.2:80 &", c, 3+k, i/256, i%256)
		}
		for k := 0; k < perHost-conns; k++ {
			w("%s/app: socket udp", c)
			w("%s/app: bind %d 0.0.0.0:%d", c, 3+conns+k, 5000+k)
		}
		for k := 0; k < perHost-1-conns; k++ {
			w("%s/web: socket udp", s)
			w("%s/web: bind %d 0.0.0.0:%d", s, 4+k, 5000+k) // fds 4.. before the accepts
		}
	}
	w("run 100ms")
	for i := 0; i < pairs; i++ {
		s := fmt.Sprintf("s%d", i)
		for k := 0; k < conns; k++ {
			w("%s/web: accept 3 &", s)
		}
	}
	for i := 0; i < pairs; i++ {
		w("c%d/app: send 3 size=300000 &", i)
	}
	return b.String()
}
