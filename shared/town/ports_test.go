package town

import (
	"strings"
	"testing"
)

func TestPortWords(t *testing.T) {
	for _, tc := range []struct {
		port uint16
		want string
	}{
		{port: 0, want: ""},
		{port: 80, want: "well-known port of web"},
		{port: 25, want: "well-known port of mail"},
		{port: 443, want: "well-known port of HTTPS"},
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
