package script_test

import (
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

// TestClonable checks when a runner may be deep-copied: a call waiting in
// the background or the foreground is plain data, but a ping under way
// waits with closures, and Clonable says so until it ends.
func TestClonable(t *testing.T) {
	s, err := script.Parse("clone", strings.NewReader(`host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a p
process b q
b/q: socket udp
b/q: bind 3 0.0.0.0:7
b/q: recvfrom 3 100 &
a/p: ping 10.0.0.2 3
`))
	if err != nil {
		t.Fatal(err)
	}
	r := script.NewRunner(script.Options{Interactive: true}) // a blocked call waits for a console line
	n := len(s.Lines)
	r.Enqueue(s.Lines[:n-1]...)
	r.Advance(0)
	if r.Pending() != 1 || !r.Clonable() {
		t.Fatalf("with recvfrom in the background: Pending() = %d, Clonable() = %v; want 1, true", r.Pending(), r.Clonable())
	}
	r.Enqueue(s.Lines[n-1])
	r.Advance(500 * time.Millisecond)
	if r.Clonable() {
		t.Error("Clonable() = true while ping waits between its requests")
	}
	r.Advance(time.Minute)
	if r.Busy() || !r.Clonable() {
		t.Errorf("after the ping: Busy() = %v, Clonable() = %v; want false, true", r.Busy(), r.Clonable())
	}
	more, err := script.Parse("more", strings.NewReader("a/p: socket udp\na/p: bind 3 0.0.0.0:9\na/p: recvfrom 3 100\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(more.Lines...)
	r.Advance(r.Now() + time.Second)
	if !r.Busy() || !r.Clonable() {
		t.Errorf("with recvfrom blocked in the foreground: Busy() = %v, Clonable() = %v; want true, true", r.Busy(), r.Clonable())
	}
}
