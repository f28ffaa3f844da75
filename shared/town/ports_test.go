package town

import (
	"strings"
	"testing"
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
		{port: 49152, want: "ephemeral port"},
	} {
		got := portWords(tc.port)
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
