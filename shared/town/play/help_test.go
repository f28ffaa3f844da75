package play_test

import (
	"strings"
	"testing"
)

// TestConsoleHelpAndDidYouMean types in the town's console what issue 8's
// playtest typed: help and help CALL explain, and each mistyped command,
// call, flag, process and option is echoed with "did you mean ...?".
func TestConsoleHelpAndDidYouMean(t *testing.T) {
	p := newPlayer(t, "host c 10.0.0.3/24\nhost r 10.0.0.1/24\nlink c r\nprocess c mail\n")
	for _, c := range []struct{ line, want string }{
		{"help", "socket"},
		{"help connect", "connect FD ADDR:PORT"},
		{"hots d 10.0.0.4/24", "did you mean host?"},
		{"c/mail: sockt tcp", "did you mean socket?"},
		{"host r2 10.0.0.9/24 forwrd", "did you mean forward?"},
		{"c/mial: socket tcp", "did you mean c/mail?"},
		{"c/mail: socket tcp", "=> 3"},
		{"c/mail: setsockopt 3 SO_REUSADDR 1", "did you mean SO_REUSEADDR?"},
	} {
		start := p.Console().Added()
		_ = p.Exec(c.line) // the town shows what the console says, not the error
		got := strings.Join(consoleSince(p, start), "\n")
		if !strings.Contains(got, "$ "+c.line) {
			t.Errorf("%q is not echoed:\n%s", c.line, got)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%q: the console says\n%s\nwant it to say %q", c.line, got, c.want)
		}
	}
}
