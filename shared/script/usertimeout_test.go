package script_test

import (
	"strings"
	"testing"

	"socketville/shared/script"
)

// TestUserTimeoutScript: TCP_USER_TIMEOUT through the shell, as Linux
// answers: set and read back, negative EINVAL, a UDP socket ENOPROTOOPT.
func TestUserTimeoutScript(t *testing.T) {
	src := `host a 10.0.0.1/24
process a app
a/app: socket tcp => 3
a/app: setsockopt 3 TCP_USER_TIMEOUT 5000 => 0
a/app: getsockopt 3 TCP_USER_TIMEOUT => 5000
a/app: setsockopt 3 TCP_USER_TIMEOUT -1 => EINVAL
a/app: getsockopt 3 TCP_USER_TIMEOUT => 5000
a/app: setsockopt 3 TCP_USER_TIMEOUT 0 => 0
a/app: getsockopt 3 TCP_USER_TIMEOUT => 0
a/app: socket udp => 4
a/app: setsockopt 4 TCP_USER_TIMEOUT 5000 => ENOPROTOOPT
a/app: getsockopt 4 TCP_USER_TIMEOUT => ENOPROTOOPT
`
	s, err := script.Parse("uto.sv", strings.NewReader(src))
	if err == nil {
		err = script.Check(s)
	}
	if err == nil {
		err = script.NewRunner(script.Options{}).Run(s)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestUserTimeoutCode: the code panel names the option as each language
// does.
func TestUserTimeoutCode(t *testing.T) {
	for _, c := range []struct {
		lang script.Lang
		has  string
	}{
		{lang: script.C, has: "IPPROTO_TCP, TCP_USER_TIMEOUT"},
		{lang: script.Python, has: "socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT"},
		{lang: script.Go, has: "syscall.IPPROTO_TCP, 18 /* unix.TCP_USER_TIMEOUT */"},
	} {
		cd := script.NewCoder(c.lang)
		for _, line := range []string{"a/app: socket tcp", "a/app: setsockopt 3 TCP_USER_TIMEOUT 5000"} {
			code, err := cd.Line(line)
			if err != nil {
				t.Fatalf("%v: %q: %v", c.lang, line, err)
			}
			if strings.Contains(line, "TCP_USER") && !strings.Contains(code, c.has) {
				t.Errorf("%v: %q gives\n%s\nwant it to have %q", c.lang, line, code, c.has)
			}
		}
	}
}
