package town

import (
	"strings"
	"testing"

	"socketville/shared/town/play"
)

// TestConsoleWrapsLongLines wraps a console line too long for its width:
// every row fits, no character is lost, and the rows shown are whole
// lines, newest last.
func TestConsoleWrapsLongLines(t *testing.T) {
	long := `=> 1000 from 10.0.0.1:49152 "abcdefghijklmnopqrstuvwxyz0123456789bcdefghijklm"...   (b/receiver: recvfrom 3 2000 &)`
	lines := []play.ConsoleLine{{Text: "$ old line"}, {Text: long}, {Text: "$ b/web: close 4"}}
	n := len(wrapMono(long, 40)) + 1 // room for the two newest lines, not the third
	rows := consoleRows(lines, n, 40)
	var got []string
	for _, r := range rows {
		if len([]rune(r.text)) > 40 {
			t.Errorf("row %q is wider than 40 columns", r.text)
		}
		got = append(got, strings.TrimSpace(r.text))
	}
	if n < 3 || len(rows) != n || got[n-1] != "$ b/web: close 4" {
		t.Fatalf("%d rows %q", n, got)
	}
	if strings.ReplaceAll(strings.Join(got[:n-1], ""), " ", "") != strings.ReplaceAll(long, " ", "") {
		t.Errorf("the long line lost characters: %q", got[:n-1])
	}
}
