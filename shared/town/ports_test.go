package town

import (
	"net/netip"
	"strings"
	"testing"

	"socketville/shared/sock"
	"socketville/shared/town/layout"
)

// TestPortWords: the panel says what kind of port a door has, and for a
// well-known port what its service is in words, not the label's one word.
func TestPortWords(t *testing.T) {
	for _, tc := range []struct {
		port uint16
		want string
	}{
		{port: 0, want: ""},
		{port: 80, want: "port 80: the well-known port for the web (HTTP); below 1024, only root may bind"},
		{port: 25, want: "well-known port for mail between servers (SMTP)"},
		{port: 53, want: "well-known port for names to addresses (DNS)"},
		{port: 22, want: "well-known port for remote logins (SSH)"},
		{port: 443, want: "well-known port for the web over TLS (HTTPS)"},
		{port: 999, want: "well-known (privileged) port"},
		{port: 8080, want: "registered port"},
		{port: 49152, want: "ephemeral port (49152-65535"},
		{port: 42422, want: "registered port"},
	} {
		got := portWords(tc.port, sock.EphemeralDefault)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("portWords(%d) = %q, want it to say %q", tc.port, got, tc.want)
		}
	}
}

// TestWellKnownWords: every well-known port has a short word for the door's
// label and longer words for the panel that name the same service, so the
// label ("80 web") and the panel agree.
func TestWellKnownWords(t *testing.T) {
	for port := range uint16(1024) {
		service, ok := wellKnown(port)
		about, aboutOK := aboutWellKnown(port)
		if ok != aboutOK {
			t.Errorf("port %d: the label knows it (%v) but the panel does not (%v), or the other way", port, ok, aboutOK)
		}
		if !ok {
			if service != "" || about != "" {
				t.Errorf("port %d is not well-known but has words %q, %q", port, service, about)
			}
			continue
		}
		if service == "" || len(about) <= len(service) || strings.Contains(service, " ") {
			t.Errorf("port %d: label word %q, panel words %q: want one short word and more words", port, service, about)
		}
	}
	if service, _ := wellKnown(80); service != "web" {
		t.Errorf("port 80's label word is %q, want web (the door reads 80 web)", service)
	}
}

// TestEphemeralRangeOfTheHost: on a watched Linux machine, whose kernel
// picks client ports from 32768-60999, a door on 42422 is an ephemeral
// port and its house a client, not a server on a registered port.
func TestEphemeralRangeOfTheHost(t *testing.T) {
	linux := sock.PortRange{First: 32768, Last: 60999}
	if got := portWords(42422, linux); !strings.Contains(got, "ephemeral port (32768-60999") {
		t.Errorf("portWords(42422) on Linux = %q", got)
	}
	snap := sock.Snapshot{Hosts: []sock.HostState{{
		Name: "vm", Ephemeral: linux,
		Processes: []sock.ProcessState{
			{Name: "curl", Sockets: []sock.SocketState{{ID: 1, FD: 5, Type: sock.SockTCP, State: sock.StateEstablished,
				Local: netip.MustParseAddrPort("127.0.0.1:42422"), Remote: netip.MustParseAddrPort("127.0.0.1:8000"), TCP: &sock.TCPState{}}}},
			{Name: "python3", Sockets: []sock.SocketState{
				{ID: 2, FD: 3, Type: sock.SockTCP, State: sock.StateListen, Local: netip.MustParseAddrPort("127.0.0.1:8000"), TCP: &sock.TCPState{}},
				{ID: 3, FD: 4, Type: sock.SockTCP, State: sock.StateEstablished,
					Local: netip.MustParseAddrPort("127.0.0.1:8000"), Remote: netip.MustParseAddrPort("127.0.0.1:42422"), TCP: &sock.TCPState{}}}},
		},
	}}}
	roles := rolesOf(layout.Of(snap))
	if got := roles[[2]string{"vm", "curl"}]; got != "client" {
		t.Errorf("curl on 42422 of a Linux host is a %q, want client", got)
	}
	if got := roles[[2]string{"vm", "python3"}]; got != "server" {
		t.Errorf("python3 is a %q, want server", got)
	}
}
