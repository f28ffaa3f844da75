//go:build linux

package watch

import (
	"fmt"
	"io"
	"net/netip"
	"testing"

	"socketville/shared/sock"
)

// tcpFlags reads a TCP packet's flags byte (0 for anything else).
func tcpFlags(pkt []byte) byte {
	if len(pkt) < 20 || pkt[9] != 6 {
		return 0
	}
	ihl := int(pkt[0]&0x0f) * 4
	if len(pkt) < ihl+14 {
		return 0
	}
	return pkt[ihl+13]
}

// TestPackets: with the capture, a curl to python3's http.server in a
// namespace is letters: the SYN from curl's door to the listener, once
// (loopback carries it out and in, and the watch keeps one copy), the
// SYN|ACK back from python3's side, and the request's data from curl's
// door delivered to python3's accepted door.
func TestPackets(t *testing.T) {
	needTools(t, "python3", "curl")
	ns := newNetns(t)
	w, err := New(Options{Netns: ns, Packets: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if on, why := w.Packets(); !on {
		t.Fatalf("no capture as root: %s", why)
	}
	py := start(t, ns, nil, "python3", "-m", "http.server", "8000", "--bind", "127.0.0.1")
	pyName := fmt.Sprintf("python3[%d]", py.Process.Pid)
	until(t, w, "the listener", func(h sock.HostState) bool {
		_, _, ok := find(h, func(p sock.ProcessState, s sock.SocketState) bool { return s.State == sock.StateListen })
		return ok
	})

	in, req := io.Pipe()
	t.Cleanup(func() { req.Close() })
	curl := start(t, ns, in, "curl", "-s", "telnet://127.0.0.1:8000")
	curlName := fmt.Sprintf("curl[%d]", curl.Process.Pid)
	var client sock.SocketState
	var all []sock.Event
	_, events := until(t, w, "the connected pair", func(h sock.HostState) bool {
		var ok bool
		_, client, ok = find(h, func(p sock.ProcessState, s sock.SocketState) bool {
			return p.PID == curl.Process.Pid && s.Remote == server && s.State == sock.StateEstablished
		})
		return ok
	})
	all = append(all, events...)
	io.WriteString(req, "GET / HTTP/1.0\r\n\r\n")
	req.Close()
	_, events = until(t, w, "TIME-WAIT", func(h sock.HostState) bool {
		for _, s := range h.Orphans {
			if s.Local == server && s.Remote == client.Local && s.State == sock.StateTimeWait {
				return true
			}
		}
		return false
	})
	all = append(all, events...)

	const syn, ack, psh = 0x02, 0x10, 0x08
	count := func(k sock.Kind, proc string, local, remote netip.AddrPort, flags byte) int {
		n := 0
		for _, e := range all {
			if e.Kind == k && (proc == "" || e.Proc == proc) && e.Local == local && e.Remote == remote &&
				tcpFlags(e.Packet)&(syn|ack|psh) == flags && e.Link.Loopback() && e.Link.From == ns {
				n++
			}
		}
		return n
	}
	if n := count(sock.KindSent, curlName, client.Local, server, syn); n != 1 {
		t.Errorf("%d SYNs sent from %s's door %v to %v, want 1; events:\n%v", n, curlName, client.Local, server, all)
	}
	if n := count(sock.KindDelivered, pyName, server, client.Local, syn); n != 1 {
		t.Errorf("%d SYNs delivered at %s's listener, want 1", n, pyName)
	}
	if n := count(sock.KindSent, pyName, server, client.Local, syn|ack); n != 1 {
		t.Errorf("%d SYN|ACKs sent from %s, want 1", n, pyName)
	}
	if n := count(sock.KindDelivered, pyName, server, client.Local, psh|ack); n == 0 {
		t.Errorf("the request's data was not delivered at %s's door", pyName)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time < all[i-1].Time && all[i].Kind == sock.KindSent && all[i-1].Kind == sock.KindSent {
			t.Errorf("letters out of order: %v before %v", all[i-1], all[i])
		}
	}
}
