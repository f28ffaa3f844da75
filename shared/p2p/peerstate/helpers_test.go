package peerstate_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"socketville/shared/p2p/peerstate"
	"socketville/shared/script"
	"socketville/shared/sock"
)

// quiet takes a runner's output and keeps none of it.
type quiet struct{}

func (quiet) Event(sock.Event)       {}
func (quiet) Line(script.LineRecord) {}

// town runs shell lines on a fresh simulator and returns its snapshot.
func town(t testing.TB, lines string) sock.Snapshot {
	t.Helper()
	r := script.NewRunner(script.Options{Interactive: true, Sink: quiet{}, Roads: func(string, string, []byte) {}})
	for i, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		if err := r.Exec(i+1, strings.TrimSpace(l)); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return r.Kernel().Snapshot()
}

// busyTown has a listener, an accepted connection with data waiting, a
// bound UDP socket with options, a connection closed into TIME-WAIT (an
// orphan), ARP entries, routes and NICs: every part of a host.
const busyTown = `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a browser
process b web root
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 16
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80
b/web: accept 3
a/browser: send 3 "GET / HTTP/1.0"
a/browser: socket tcp
a/browser: connect 4 10.0.0.2:80
b/web: accept 3
a/browser: close 4
run 20ms
b/web: close 5
run 20ms
b/web: socket udp
b/web: setsockopt 5 SO_RCVBUF 4096
b/web: bind 5 0.0.0.0:53
run 10ms
`

// busyPart is the part a peer owning busyTown's hosts would send.
func busyPart(t testing.TB) peerstate.Part {
	t.Helper()
	s := town(t, busyTown)
	return peerstate.Part{Seq: 7, Now: s.Now, Hosts: s.Hosts}
}

// manySockets is a host with n TCP sockets in a process, each with TCP
// details and options, as a busy server's would be.
func manySockets(n int) peerstate.Part {
	h := sock.HostState{
		Name: "web", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")},
		NICs: []sock.NICState{{Name: "lo", Addrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")}, MTU: 65536 - 1},
			{Name: "eth0", MAC: []byte{2, 0, 0, 0, 0, 2}, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}, MTU: 1500, Link: 1}},
	}
	p := sock.ProcessState{Name: "web", Root: true}
	for i := range n {
		p.Sockets = append(p.Sockets, sock.SocketState{
			ID: uint64(i + 1), FD: i + 3, Proc: "web", Type: sock.SockTCP, State: sock.StateEstablished,
			Local:  netip.MustParseAddrPort("10.0.0.2:80"),
			Remote: netip.MustParseAddrPort(fmt.Sprintf("10.0.0.1:%d", 49152+i)),
			Ready:  sock.PollOut,
			TCP: &sock.TCPState{SndBuf: 16384, RcvBuf: 131072, RcvQueued: 14, SndWnd: 65535, RcvWnd: 65521,
				Cwnd: 14600, Ssthresh: 1 << 30, MSS: 1460, RTO: 1e9, SRTT: 10e6},
			Options: []sock.OptionValue{{Opt: sock.OptTTL, Value: 64}, {Opt: sock.OptRcvBuf, Value: 131072}},
		})
	}
	h.Processes = []sock.ProcessState{p}
	return peerstate.Part{Seq: 1, Now: 3e9, Hosts: []sock.HostState{h}}
}

// bareSockets are n listening TCP sockets without details or options:
// the fewest bytes a socket takes.
func bareSockets(n int) []sock.SocketState {
	ss := make([]sock.SocketState, n)
	for i := range ss {
		ss[i] = sock.SocketState{ID: uint64(i + 1), FD: i + 3, Proc: "web", Type: sock.SockTCP, State: sock.StateListen,
			Local: netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(1024+i))}
	}
	return ss
}
