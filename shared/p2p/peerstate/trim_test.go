package peerstate_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"socketville/shared/p2p/peerstate"
	"socketville/shared/sock"
)

// fullHost is a host at the bounds: every socket with TCP details and
// options, and the neighbours, drops and routes the part may carry.
func fullHost(name string) sock.HostState {
	h := valid().Hosts[0]
	h.Name = name
	h.Processes[0].Sockets = manySockets(peerstate.MaxSockets - 1).Hosts[0].Processes[0].Sockets
	return h
}

func TestTrim(t *testing.T) {
	two := func() peerstate.Part {
		return peerstate.Part{Seq: 3, Hosts: []sock.HostState{fullHost("web"), fullHost("db")}}
	}
	five := func() peerstate.Part {
		p := peerstate.Part{Seq: 4}
		for _, n := range []string{"h1", "h2", "h3", "h4", "h5"} {
			p.Hosts = append(p.Hosts, fullHost(n))
		}
		return p
	}
	one := func() peerstate.Part { return peerstate.Part{Hosts: []sock.HostState{fullHost("web")}} }
	fifty := func() peerstate.Part { return manySockets(50) }
	for _, tc := range []struct {
		name    string
		part    func() peerstate.Part
		max     int
		dropped []string
		hosts   int
	}{
		{name: "fits already", part: fifty, max: peerstate.MaxSize, hosts: 1},
		{name: "neighbours first", part: valid, max: peerstate.Size(valid()) - 1, dropped: []string{"neighbour caches"}, hosts: 1},
		{name: "a full host loses its options", part: one, max: peerstate.MaxSize,
			dropped: []string{"neighbour caches", "drop counts", "routes", "socket options"}, hosts: 1},
		{name: "two full hosts lose their TCP details", part: two, max: peerstate.MaxSize,
			dropped: []string{"neighbour caches", "drop counts", "routes", "socket options", "orphaned connections", "TCP details (buffers, windows, timers)"}, hosts: 2},
		{name: "five full hosts keep the first ones", part: five, max: peerstate.MaxSize,
			dropped: []string{"neighbour caches", "drop counts", "routes", "socket options", "orphaned connections", "TCP details (buffers, windows, timers)", "host h5", "host h4", "host h3"}, hosts: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			part := tc.part()
			got, dropped := peerstate.Trim(part, tc.max)
			if !slices.Equal(dropped, tc.dropped) {
				t.Errorf("dropped %q, want %q", dropped, tc.dropped)
			}
			if len(got.Hosts) != tc.hosts {
				t.Errorf("%d hosts left, want %d", len(got.Hosts), tc.hosts)
			}
			if n := peerstate.Size(got); n > tc.max {
				t.Errorf("trimmed to %d bytes, over %d", n, tc.max)
			}
			if _, err := peerstate.Encode(got); err != nil {
				t.Errorf("the trimmed part does not encode: %v", err)
			}
			if !reflect.DeepEqual(part, tc.part()) {
				t.Error("Trim changed the part it was given")
			}
		})
	}
}

func TestEncodeTooBig(t *testing.T) {
	p := peerstate.Part{Hosts: []sock.HostState{fullHost("web")}}
	_, err := peerstate.Encode(p)
	if !errors.Is(err, sock.ErrMsgSize) {
		t.Fatalf("Encode of %d bytes = %v, want EMSGSIZE", peerstate.Size(p), err)
	}
	checkRefusal(t, "Encode", err, sock.ErrMsgSize, "send less (Trim)")
}

// TestTrimAlwaysFits: a part at every bound Decode enforces (hosts,
// processes with the longest names, sockets) still trims to one host
// that fits the state channel.
func TestTrimAlwaysFits(t *testing.T) {
	var p peerstate.Part
	for i := range peerstate.MaxHosts {
		h := fullHost(fmt.Sprintf("h%031d", i))
		h.Processes[0].Name = fmt.Sprintf("p%031d", 0)
		for j := 1; j < peerstate.MaxProcesses; j++ {
			h.Processes = append(h.Processes, sock.ProcessState{Name: fmt.Sprintf("p%031d", j), PID: peerstate.MaxPID, User: strings.Repeat("u", 32)})
		}
		p.Hosts = append(p.Hosts, h)
	}
	got, dropped := peerstate.Trim(p, peerstate.MaxSize)
	b, err := peerstate.Encode(got)
	if err != nil || len(got.Hosts) == 0 {
		t.Fatalf("after dropping %q: %d hosts, %v", dropped, len(got.Hosts), err)
	}
	t.Logf("%d bytes at the bounds trim to %d (%d of %d hosts)", peerstate.Size(p), len(b), len(got.Hosts), len(p.Hosts))
}
