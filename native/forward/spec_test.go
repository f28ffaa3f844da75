package forward

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		err  string
	}{
		{in: "127.0.0.1:8080=b:80", want: Spec{Dir: Inbound, Real: netip.MustParseAddrPort("127.0.0.1:8080"), Host: "b", Port: 80}},
		{in: "localhost:8080=web:80", want: Spec{Dir: Inbound, Real: netip.MustParseAddrPort("127.0.0.1:8080"), Host: "web", Port: 80}},
		{in: "b:9000=127.0.0.1:9000", want: Spec{Dir: Outbound, Real: netip.MustParseAddrPort("127.0.0.1:9000"), Host: "b", Port: 9000}},
		{in: "b:80", err: "write REAL=HOST:PORT"},
		{in: "127.0.0.1:80=127.0.0.1:81", err: "both sides are real"},
		{in: "a:80=b:80", err: "both sides are town hosts"},
		{in: "127.0.0.1:0=b:80", err: "port must be a number from 1 to 65535"},
		{in: "127.0.0.1:8080=b:http", err: "port must be a number"},
		{in: "[::1]:8080=b:80", err: "the town speaks IPv4"},
		{in: "b:9000=0.0.0.0:9000", err: "no address to connect to"},
		{in: "127.0.0.1:8080=:80", err: "names no host"},
		{in: "a=b=c", err: "write REAL=HOST:PORT"},
	} {
		got, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(%q.String() = %q) = %+v, %v", tc.in, got.String(), again, err)
		}
	}
}
