package play_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"socketville/shared/town/play"
)

// TestResultsNameTheirCall: a result printed right under its call line
// is bare, as C prints it; one that comes after other lines (a blocked
// accept returning once a client connects) names its call.
func TestResultsNameTheirCall(t *testing.T) {
	p := newPlayer(t, twoPlots)
	execAll(t, p, "b/s: socket tcp", "b/s: bind 3 0.0.0.0:8080", "b/s: listen 3 8")
	start := p.Console().Added()
	execAll(t, p, "b/s: accept 3", "a/c: socket tcp", "a/c: connect 3 10.0.0.2:8080")
	p.SetFastest(true)
	frames(p, time.Second)
	got := consoleSince(p, start)
	for _, tt := range []struct{ line, want string }{
		{"input $ a/c: socket tcp", "result => 3"},
		{"input $ a/c: connect 3 10.0.0.2:8080", "result => 0"},
	} {
		if i := slices.Index(got, tt.line); i < 0 || i+1 >= len(got) || got[i+1] != tt.want {
			t.Errorf("%q is not followed by %q, bare:\n%s", tt.line, tt.want, strings.Join(got, "\n"))
		}
	}
	if !slices.Contains(got, "result => 4 from 10.0.0.1:49152   (b/s: accept 3)") {
		t.Errorf("accept's result, lines after its call, does not name it:\n%s", strings.Join(got, "\n"))
	}
}

// TestClosedUDPPortIsSaid: a datagram to a port nothing listens on is
// answered with an ICMP port unreachable letter, which the console says
// in words, once, also after going back and forward again; the
// connected socket's next call gets ECONNREFUSED, as on Linux, and an
// unconnected one's does not.
func TestClosedUDPPortIsSaid(t *testing.T) {
	p := newPlayer(t, twoPlots+`a/c: socket udp
a/c: sendto 3 10.0.0.2:9000 "hi"
a/c: socket udp
a/c: connect 4 10.0.0.2:9001
a/c: send 4 "x"
run 1s
a/c: recv 4 10
a/c: nonblock 3
a/c: recvfrom 3 10
`)
	toEnd(t, p)
	said := func() []string {
		var out []string
		for _, l := range p.Console().Lines {
			if strings.Contains(l.Text, "nothing listens") || strings.Contains(l.Text, "ECONNREFUSED") || strings.Contains(l.Text, "EAGAIN") {
				out = append(out, l.Text)
			}
		}
		return out
	}
	want := []string{
		"# b: nothing listens on UDP 9000: ICMP port unreachable back to a",
		"# b: nothing listens on UDP 9001: ICMP port unreachable back to a",
	}
	got := said()
	if len(got) != 4 || !slices.Equal(got[:2], want) || !strings.Contains(got[2], "ECONNREFUSED") || !strings.Contains(got[3], "EAGAIN") {
		t.Fatalf("the console says:\n%s\nwant the two ICMP notes, then ECONNREFUSED for recv 4 and EAGAIN for recvfrom 3", strings.Join(got, "\n"))
	}
	icmp := 0
	for _, e := range entries(p, play.AllEvents()) {
		if e.Host == "b" && strings.Contains(e.Text, "port unreachable") {
			icmp++
		}
	}
	if icmp < 2 {
		t.Errorf("b sent %d ICMP port unreachable letters, want 2", icmp)
	}
	if err := p.JumpTo(0); err != nil {
		t.Fatal(err)
	}
	if got := said(); len(got) != 0 {
		t.Errorf("at the start the console says %q", got)
	}
	toEnd(t, p)
	if again := said(); !slices.Equal(again, got) {
		t.Errorf("played again, the console says:\n%s\nwant:\n%s", strings.Join(again, "\n"), strings.Join(got, "\n"))
	}
}

// TestDamagedLetterFlashSaysItPlainly: a frame whose bits flipped on the
// way rises over the plot that dropped it in plain words.
func TestDamagedLetterFlashSaysItPlainly(t *testing.T) {
	p := newPlayer(t, `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms corrupt=100%
process a c
a/c: socket udp
a/c: sendto 3 10.0.0.2:7 "hi"
`)
	p.SetFastest(true)
	for i := 0; i < 100; i++ {
		p.Tick(time.Second / 60)
		for _, f := range p.Animation().Flashes {
			if f.Host != "b" {
				continue
			}
			if want := "a damaged letter: its frame's checksum failed, b dropped it"; f.Text != want {
				t.Fatalf("b's flash says %q, want %q", f.Text, want)
			}
			return
		}
	}
	t.Fatal("no flash over b for the damaged letter")
}
