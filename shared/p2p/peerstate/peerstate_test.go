package peerstate_test

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"socketville/shared/p2p/peerstate"
	"socketville/shared/p2p/road"
	"socketville/shared/sock"
)

func TestMaxSizeIsTheStateChannels(t *testing.T) {
	if peerstate.MaxSize != road.MaxState {
		t.Fatalf("MaxSize = %d, road.MaxState = %d: they must be one", peerstate.MaxSize, road.MaxState)
	}
}

// normal makes empty lists and maps nil, as Decode returns them, so that
// a snapshot compares with its round trip.
func normal(p peerstate.Part) peerstate.Part {
	if len(p.Hosts) == 0 {
		p.Hosts = nil
	}
	for i := range p.Hosts {
		h := &p.Hosts[i]
		h.Addrs, h.Routes, h.Processes = nilIfEmpty(h.Addrs), nilIfEmpty(h.Routes), nilIfEmpty(h.Processes)
		h.Orphans, h.NICs, h.Neigh = normalSockets(h.Orphans), nilIfEmpty(h.NICs), nilIfEmpty(h.Neigh)
		if len(h.Drops) == 0 {
			h.Drops = nil
		}
		for j := range h.Processes {
			h.Processes[j].Sockets = normalSockets(h.Processes[j].Sockets)
		}
		for j := range h.NICs {
			h.NICs[j].Addrs, h.NICs[j].Peers = nilIfEmpty(h.NICs[j].Addrs), nilIfEmpty(h.NICs[j].Peers)
		}
	}
	return p
}

func normalSockets(ss []sock.SocketState) []sock.SocketState {
	for i := range ss {
		ss[i].Options = nilIfEmpty(ss[i].Options)
	}
	return nilIfEmpty(ss)
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	busy := busyPart(t)
	if h := busy.Hosts[1]; len(h.Orphans) == 0 && len(busy.Hosts[0].Orphans) == 0 || len(h.Neigh) == 0 || len(h.NICs) < 2 {
		t.Fatalf("the busy town lacks what the test means to carry: %+v", busy.Hosts)
	}
	for _, tc := range []struct {
		name string
		part peerstate.Part
	}{
		{name: "no hosts", part: peerstate.Part{Seq: 1}},
		{name: "a busy town", part: busy},
		{name: "50 sockets", part: manySockets(50)},
		{name: "a road's host", part: peerPart(t, "bob", "ann")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := peerstate.Encode(tc.part)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := peerstate.Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if want := normal(tc.part); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
			}
			again, err := peerstate.Encode(got)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("encoding the decoded part gives other bytes (%v)", err)
			}
		})
	}
}

// TestEncodeSize: a host with 50 sockets fits the state channel many
// times over; the same host as JSON would not.
func TestEncodeSize(t *testing.T) {
	b, err := peerstate.Encode(manySockets(50))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > peerstate.MaxSize/4 {
		t.Errorf("50 sockets encode to %d bytes, want at most a quarter of %d", len(b), peerstate.MaxSize)
	}
	t.Logf("a host with 50 TCP sockets: %d bytes", len(b))
}

// valid is a small part every refusal case spoils in one place.
func valid() peerstate.Part {
	p := manySockets(2)
	p.Hosts[0].Orphans = []sock.SocketState{{ID: 9, Proc: "web", Type: sock.SockTCP, State: sock.StateTimeWait,
		Local: netip.MustParseAddrPort("10.0.0.2:80"), Remote: netip.MustParseAddrPort("10.0.0.1:49000")}}
	p.Hosts[0].Neigh = []sock.NeighState{{Addr: netip.MustParseAddr("10.0.0.1"), MAC: []byte{2, 0, 0, 0, 0, 1}, Dev: "eth0", State: sock.NeighReachable}}
	p.Hosts[0].Drops = map[string]int{"no answer to ARP": 2}
	p.Hosts[0].Routes = []sock.RouteState{{Dst: netip.MustParsePrefix("0.0.0.0/0"), Gateway: netip.MustParseAddr("10.0.0.254")}}
	return p
}

func TestDecodeRefusesBadParts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(p *peerstate.Part)
		words string
		// decodeWords are Decode's words where the form says it
		// otherwise (a negative number is a huge one on the wire);
		// "-" where the form cannot carry the fault at all.
		decodeWords string
	}{
		{name: "negative clock", spoil: func(p *peerstate.Part) { p.Now = -1 }, words: "clock -1ns", decodeWords: "clock 18446744073709551615: at most"},
		{name: "too many hosts", spoil: func(p *peerstate.Part) {
			for i := range peerstate.MaxHosts {
				h := p.Hosts[0]
				h.Name = "h" + string(rune('a'+i))
				p.Hosts = append(p.Hosts, h)
			}
		}, words: "host count 17: at most 16"},
		{name: "a host twice", spoil: func(p *peerstate.Part) { p.Hosts = append(p.Hosts, p.Hosts[0]) }, words: "host web comes twice"},
		{name: "host name with a space", spoil: func(p *peerstate.Part) { p.Hosts[0].Name = "my host" }, words: `host name "my host": use a letter`},
		{name: "host name from a digit", spoil: func(p *peerstate.Part) { p.Hosts[0].Name = "1st" }, words: `host name "1st"`},
		{name: "host without address", spoil: func(p *peerstate.Part) { p.Hosts[0].Addrs = nil }, words: "peerstate: host web: a host needs an address"},
		{name: "loopback host address", spoil: func(p *peerstate.Part) { p.Hosts[0].Addrs[0] = netip.MustParsePrefix("127.0.0.2/8") }, words: "cannot name a host"},
		{name: "IPv6 host address", spoil: func(p *peerstate.Part) { p.Hosts[0].Addrs[0] = netip.MustParsePrefix("fe80::1/64") }, words: "want IPv4 with a prefix length", decodeWords: "prefix length 64: at most 32"},
		{name: "prefix length 0", spoil: func(p *peerstate.Part) { p.Hosts[0].Addrs[0] = netip.MustParsePrefix("10.0.0.2/0") }, words: "prefix length 0 is not a subnet"},
		{name: "backwards ephemeral range", spoil: func(p *peerstate.Part) { p.Hosts[0].Ephemeral = sock.PortRange{First: 9, Last: 8} }, words: "ephemeral ports 9-8"},
		{name: "IPv6 gateway", spoil: func(p *peerstate.Part) { p.Hosts[0].Routes[0].Gateway = netip.MustParseAddr("::1") }, words: "want an IPv4 gateway", decodeWords: "address kind 6: want 0 (none) or 4 (IPv4)"},
		{name: "bad process name", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Name = "w/eb" }, words: `process name "w/eb"`},
		{name: "a process twice", spoil: func(p *peerstate.Part) {
			p.Hosts[0].Processes = append(p.Hosts[0].Processes, sock.ProcessState{Name: "web"})
		}, words: "process web comes twice"},
		{name: "pid out of range", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].PID = peerstate.MaxPID + 1 }, words: "pid 4194305"},
		{name: "user with a newline", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].User = "a\nb" }, words: "unprintable character"},
		{name: "too many sockets", spoil: func(p *peerstate.Part) {
			p.Hosts[0].Processes[0].Sockets = bareSockets(peerstate.MaxSockets + 1)
		}, words: "socket count 257: at most 256"},
		{name: "sockets and orphans over the bound", spoil: func(p *peerstate.Part) {
			p.Hosts[0].Processes[0].Sockets = bareSockets(peerstate.MaxSockets)
		}, words: "257 sockets with the orphans: at most 256"},
		{name: "fd out of range", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].FD = peerstate.MaxFD + 1 }, words: "fd 1048577"},
		{name: "socket of a badly named process", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].Proc = "-x" }, words: `process name "-x"`},
		{name: "unknown socket type", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].Type = 9 }, words: "socket type 9"},
		{name: "unknown state", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].State = 99 }, words: "state 99: unknown"},
		{name: "TCP socket in a datagram state", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].State = sock.StateBound }, words: "a tcp socket cannot be bound"},
		{name: "UDP socket with TCP details", spoil: func(p *peerstate.Part) {
			s := &p.Hosts[0].Processes[0].Sockets[0]
			s.Type, s.State = sock.SockUDP, sock.StateBound
		}, words: "a udp socket has TCP details"},
		{name: "IPv6 socket address", spoil: func(p *peerstate.Part) {
			p.Hosts[0].Processes[0].Sockets[0].Remote = netip.MustParseAddrPort("[::1]:80")
		}, words: "want IPv4, or none", decodeWords: "address kind 6"},
		{name: "unknown poll bits", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].Ready = 0x400 }, words: "poll bits 0x400"},
		{name: "negative window", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].TCP.SndWnd = -1 }, words: "tcp snd wnd -1", decodeWords: "tcp snd wnd 18446744073709551615: at most 2147483647"},
		{name: "RTO of a year", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].TCP.RTO = 365 * 24 * 3600e9 }, words: "tcp rto"},
		{name: "unknown option", spoil: func(p *peerstate.Part) { p.Hosts[0].Processes[0].Sockets[0].Options[0].Opt = 200 }, words: "socket option 200: unknown"},
		{name: "orphan in a bad state", spoil: func(p *peerstate.Part) { p.Hosts[0].Orphans[0].State = sock.StateConnected }, words: "orphan 0: socket fd 0"},
		{name: "empty drop reason", spoil: func(p *peerstate.Part) { p.Hosts[0].Drops[""] = 1 }, words: "drop reason is empty"},
		{name: "long drop reason", spoil: func(p *peerstate.Part) { p.Hosts[0].Drops[strings.Repeat("x", 129)] = 1 }, words: "drop reason of 129 bytes", decodeWords: "drop reason length 129: at most 128"},
		{name: "interface name too long", spoil: func(p *peerstate.Part) { p.Hosts[0].NICs[1].Name = "a-very-long-name0" }, words: "interface name of 17 bytes", decodeWords: "interface name length 17: at most 15"},
		{name: "short MAC", spoil: func(p *peerstate.Part) { p.Hosts[0].NICs[1].MAC = []byte{1, 2} }, words: "MAC of 2 bytes"},
		{name: "IPv6 peer", spoil: func(p *peerstate.Part) { p.Hosts[0].NICs[1].Peers = []netip.Addr{netip.MustParseAddr("::2")} }, words: "peer ::2", decodeWords: "-"},
		{name: "mtu too big", spoil: func(p *peerstate.Part) { p.Hosts[0].NICs[1].MTU = 70000 }, words: "mtu 70000"},
		{name: "unknown neighbour state", spoil: func(p *peerstate.Part) { p.Hosts[0].Neigh[0].State = 0 }, words: "state 0: unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.spoil(&p)
			_, err := peerstate.Encode(p)
			checkRefusal(t, "Encode", err, sock.ErrInval, tc.words)
			words := tc.words
			switch tc.decodeWords {
			case "-":
				return
			case "":
			default:
				words = tc.decodeWords
			}
			_, err = peerstate.Decode(peerstate.EncodeUnchecked(p))
			checkRefusal(t, "Decode", err, sock.ErrInval, words)
		})
	}
}

func checkRefusal(t *testing.T, what string, err, want error, words string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s = %v, want %v", what, err, want)
	}
	if !strings.Contains(err.Error(), words) {
		t.Errorf("%s = %q, want words %q", what, err, words)
	}
}

func TestDecodeRefusesBadBytes(t *testing.T) {
	good := peerstate.EncodeUnchecked(valid())
	big := peerstate.EncodeUnchecked(manySockets(250))
	for _, tc := range []struct {
		name  string
		b     []byte
		want  error
		words string
	}{
		{name: "nothing", b: nil, want: sock.ErrInval, words: "cut short"},
		{name: "not a part", b: []byte("{\"v\":1}"), want: sock.ErrInval, words: "tag 0x7b: not a part"},
		{name: "a later version", b: []byte{'P', 2, 0, 0, 0}, want: sock.ErrInval, words: "version 2: this town reads version 1"},
		{name: "cut short", b: good[:len(good)-3], want: sock.ErrInval, words: "cut short"},
		{name: "bytes after", b: append(append([]byte(nil), good...), 0), want: sock.ErrInval, words: "1 bytes after the part"},
		{name: "a host count over the bound", b: []byte{'P', 1, 0, 0, 200, 1}, want: sock.ErrInval, words: "host count 200: at most 16"},
		{name: "a number of 11 bytes", b: []byte{'P', 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}, want: sock.ErrInval, words: "too long"},
		{name: "a name far too long", b: []byte{'P', 1, 0, 0, 1, 0xff, 0xff, 0x03}, want: sock.ErrInval, words: "host name length 65535: at most 32"},
		{name: "prefix length 33", b: []byte{'P', 1, 0, 0, 1, 1, 'a', 1, 10, 0, 0, 1, 33}, want: sock.ErrInval, words: "prefix length 33"},
		{name: "unknown host flags", b: []byte{'P', 1, 0, 0, 1, 1, 'a', 1, 10, 0, 0, 1, 24, 0x80}, want: sock.ErrInval, words: "host flags 0x80"},
		{name: "unknown address kind", b: []byte{'P', 1, 0, 0, 1, 1, 'a', 1, 10, 0, 0, 1, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 6}, want: sock.ErrInval, words: "address kind 6"},
		{name: "a number longer than it needs", b: []byte{'P', 1, 0x80, 0x00, 0, 0}, want: sock.ErrInval, words: "not in its shortest form"},
		{name: "over MaxSize", b: big, want: sock.ErrMsgSize, words: "over 16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := peerstate.Decode(tc.b)
			checkRefusal(t, "Decode", err, tc.want, tc.words)
		})
	}
}
