package script_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

func run(t *testing.T, src string) (string, error) {
	t.Helper()
	s, err := script.Parse("t.sv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := script.Check(s); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out)}).Run(s)
	return out.String(), err
}

const twoHosts = `host a 10.0.0.1/24
host b 10.0.0.2/24
link a b delay=5ms
process a c
process b s
b/s: socket udp
b/s: bind 3 0.0.0.0:7007
a/c: socket udp
`

// neighbours makes a and b of twoHosts learn each other's MAC address
// and lets the ARP timers run out, for tests that want a town where
// nothing is scheduled and a datagram takes just the link's delay.
const neighbours = `a/c: sendto 3 10.0.0.2:7007 "arp"
b/s: recvfrom 3 10
run 1m
`

func TestBlockingForeverIsReported(t *testing.T) {
	out, err := run(t, twoHosts+"b/s: recvfrom 3 10\nb/s: close 3\n")
	if err == nil || !strings.Contains(err.Error(), "line 9: recvfrom: would block forever") {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(out, "close") {
		t.Fatal("the run should go on after a call that would block forever")
	}
}

// TestBackgroundCallCompletesLater: the datagram is a's first packet to b,
// so it waits for one ARP round trip (10 ms) and then travels 5 ms.
func TestBackgroundCallCompletesLater(t *testing.T) {
	out, err := run(t, twoHosts+`b/s: recvfrom 3 10 &
a/c: sendto 3 10.0.0.2:7007 "late" => 4
run 20ms
`)
	if err != nil {
		t.Fatal(err)
	}
	want := `     15.000000  b/s                  => 4 from 10.0.0.1:49152 "late"  (recvfrom 3 10 &)`
	if !strings.Contains(out, want) {
		t.Fatalf("no background result line %q in:\n%s", want, out)
	}
}

func TestExpectationMismatch(t *testing.T) {
	out, err := run(t, twoHosts+"b/s: bind 3 0.0.0.0:8 => 0\nb/s: socket udp => 5\n")
	msg := err.Error()
	if !strings.Contains(msg, "line 9: bind: got EINVAL: invalid argument, want 0") ||
		!strings.Contains(msg, "line 10: socket: got 4, want 5") {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(out, "=> ! EINVAL") {
		t.Fatal("the trace should mark the unexpected result")
	}
}

func TestUnexpectedErrorNamesLine(t *testing.T) {
	_, err := run(t, twoHosts+"b/s: socket udp\nb/s: bind 4 0.0.0.0:7007\n")
	if err == nil || err.Error() != "line 10: bind: EADDRINUSE: address already in use (0.0.0.0:7007 is held by b/s fd 3)" {
		t.Fatalf("got %v", err)
	}
}

func TestReceiveTimeout(t *testing.T) {
	out, err := run(t, twoHosts+"b/s: setsockopt 3 SO_RCVTIMEO 30ms\nb/s: recvfrom 3 10 => EAGAIN\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "     30.000000  b/s                  => EAGAIN") {
		t.Fatalf("the timeout should end the wait at 30 ms:\n%s", out)
	}
}

func TestRecvAllRefusesDatagrams(t *testing.T) {
	_, err := run(t, twoHosts+"b/s: recv 3 all => EOPNOTSUPP\n")
	if err != nil {
		t.Fatal(err)
	}
}

func TestConsoleExec(t *testing.T) {
	var out bytes.Buffer
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out)})
	for i, l := range strings.Split(strings.TrimSpace(twoHosts), "\n") {
		if err := r.Exec(i+1, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Exec(20, "b/s: recvfrom 3 100 &"); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 1 {
		t.Fatal("the background call should wait")
	}
	if err := r.Exec(21, `a/c: sendto 3 10.0.0.2:7007 "hi"`); err != nil {
		t.Fatal(err)
	}
	// One ARP round trip (10 ms), then the datagram's 5 ms.
	if err := r.Exec(22, "run 15ms"); err != nil {
		t.Fatal(err)
	}
	if r.Pending() != 0 {
		t.Fatal("the background call should have completed")
	}
	if err := r.Exec(23, "b/s: bnd 3"); err == nil || !strings.HasPrefix(err.Error(), "line 23: ") {
		t.Fatalf("a console typo: %v", err)
	}
	if err := r.Exec(24, "b/s: bind 3 0.0.0.0:9"); err == nil || !strings.Contains(err.Error(), "EINVAL") {
		t.Fatalf("a failing call from the console: %v", err)
	}
	if err := r.Exec(25, "b/s: close 3"); err != nil {
		t.Fatalf("errors do not stick to later lines: %v", err)
	}
}

func TestPingThroughShell(t *testing.T) {
	// The first echo request waits for a's ARP request to be answered
	// (10 ms), the second finds b's address in the cache.
	out, err := run(t, twoHosts+"a/c: ping 10.0.0.2 2 => 2 transmitted, 2 received, 0% packet loss, rtt min/avg/max 10.000/15.000/20.000 ms\na/c: ping 10.0.0.9 => EHOSTUNREACH\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_ = out
}

func TestRunToTheEndOfTime(t *testing.T) {
	r := script.NewRunner(script.Options{})
	for i, l := range []string{"host a 10.0.0.1/24", "run 2562047h", "run 2562047h"} {
		before := r.Kernel().Now()
		if err := r.Exec(i+1, l); err != nil {
			t.Fatal(err)
		}
		if r.Kernel().Now() < before {
			t.Fatalf("after %q the clock went back from %v to %v", l, before, r.Kernel().Now())
		}
	}
	if r.Kernel().Now() != math.MaxInt64 {
		t.Fatalf("the clock stopped at %v, want the end of virtual time", r.Kernel().Now())
	}
}

func TestBackgroundDeadlineFiresOnTime(t *testing.T) {
	out, err := run(t, twoHosts+"b/s: poll 3 in 30ms &\nrun 100ms\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "     30.000000  b/s                  => 0 [3:-]  (poll 3 in 30ms &)"
	if !strings.Contains(out, want) {
		t.Fatalf("want %q in:\n%s", want, out)
	}
}

func TestStepCountsOnlyHappenings(t *testing.T) {
	// A timed wait that ends early must leave nothing behind in the clock:
	// with nothing else scheduled, step does nothing and time stays put.
	// The datagram goes over the loopback, which asks no ARP, so no
	// neighbour timer is pending either.
	out, err := run(t, `host a 10.0.0.1/24
process a c
a/c: socket udp
a/c: bind 3 127.0.0.1:7007
a/c: socket udp
a/c: sendto 4 127.0.0.1:7007 "x"
a/c: poll 3 in 1s
step 1
a/c: close 3
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "      0.000000  a/c:3                close") {
		t.Fatalf("step moved the clock although nothing was scheduled:\n%s", out)
	}
}

// TestInterjectRunsBesideABlockedScenario types a line while the
// scenario waits in recv: it runs at once, and the scenario goes on when
// its data comes.
func TestInterjectRunsBesideABlockedScenario(t *testing.T) {
	src := "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=1ms\nprocess a c\nprocess b s\n" +
		"b/s: socket udp\nb/s: bind 3 0.0.0.0:7007\nb/s: recvfrom 3 100\n"
	s, err := script.Parse("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out), Interactive: true})
	r.Enqueue(s.Lines...)
	r.Advance(time.Second)
	if !r.Busy() {
		t.Fatal("the scenario is not blocked in recvfrom")
	}
	for i, l := range []string{"a/c: socket udp", `a/c: sendto 3 10.0.0.2:7007 "hi"`} {
		cmd, err := script.ParseLine(l)
		if err != nil {
			t.Fatal(err)
		}
		r.Interject(script.Line{No: 100 + i, Text: l, Cmd: cmd})
	}
	r.Advance(r.Now()) // no time passes: the typed lines still run
	if !strings.Contains(out.String(), "a/c                  => 2\n") {
		t.Fatalf("the typed sendto did not run at once:\n%s", out.String())
	}
	r.Advance(r.Now() + 10*time.Millisecond)
	if r.Busy() || !strings.Contains(out.String(), `=> 2 from 10.0.0.1:49152 "hi"`) {
		t.Fatalf("the scenario's recvfrom did not complete:\n%s", out.String())
	}
}

// TestGateHoldsEachScenarioLine gates a scenario: each line waits at the
// gate until Open, virtual time stands still meanwhile, a typed line still
// runs, and lines let through one by one print the trace a run does.
func TestGateHoldsEachScenarioLine(t *testing.T) {
	src := twoHosts + `a/c: sendto 3 10.0.0.2:7007 "hi"` + "\nb/s: recvfrom 3 100\nrun 10ms\n"
	s, err := script.Parse("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var gated, whole strings.Builder
	if err := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&whole)}).Run(s); err != nil {
		t.Fatal(err)
	}
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&gated), Interactive: true})
	r.SetGated(true)
	r.Enqueue(s.Lines...)
	r.Advance(time.Second)
	if l, ok := r.AtGate(); !ok || l.No != 1 || r.Now() != 0 {
		t.Fatalf("at %v, the gate holds line %d (%v), want line 1 at 0", r.Now(), l.No, ok)
	}
	cmd, err := script.ParseLine("host c 10.0.0.3/24")
	if err != nil {
		t.Fatal(err)
	}
	r.Interject(script.Line{No: 100, Text: "host c 10.0.0.3/24", Cmd: cmd})
	r.Advance(time.Second)
	if _, ok := r.Kernel().Processes("c"); !ok {
		t.Fatal("a typed line waited at the scenario's gate")
	}
	for i := 0; i < 100 && r.Busy(); i++ {
		if l, ok := r.AtGate(); ok {
			before := r.Now()
			r.Advance(before + time.Second)
			if r.Now() != before {
				t.Fatalf("line %d waits at the gate, yet time went from %v to %v", l.No, before, r.Now())
			}
			r.Open()
		}
		r.Advance(r.Now() + time.Millisecond)
	}
	if _, ok := r.AtGate(); ok || r.Busy() {
		t.Fatal("the scenario did not finish")
	}
	var got []string
	for _, l := range strings.SplitAfter(gated.String(), "\n") {
		if !strings.HasSuffix(l, "$ host c 10.0.0.3/24\n") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "") != whole.String() {
		t.Fatalf("gated, one line at a time:\n%s\nrun whole:\n%s", gated.String(), whole.String())
	}
}

// TestInterjectWaitsOnlyForItsOwnProcess types a blocking recvfrom for
// b/s, then a close for b/s and calls for a/c: b/s's close waits behind
// its recvfrom, a/c's calls do not, and the close runs once the datagram
// a/c sent has been read.
func TestInterjectWaitsOnlyForItsOwnProcess(t *testing.T) {
	var out strings.Builder
	r := script.NewRunner(script.Options{Sink: script.NewTextPrinter(&out), Interactive: true})
	typed := func(no int, text string) script.Line {
		t.Helper()
		cmd, err := script.ParseLine(text)
		if err != nil {
			t.Fatal(err)
		}
		return script.Line{No: no, Text: text, Cmd: cmd}
	}
	for i, l := range strings.Split(strings.TrimSpace(twoHosts), "\n") {
		r.Interject(typed(i+1, l))
	}
	r.Interject(typed(20, "b/s: recvfrom 3 100"))
	r.Advance(r.Now())
	if _, ok := r.Behind(typed(0, "a/c: close 3")); ok {
		t.Fatal("a/c's line would wait behind b/s's")
	}
	close3 := typed(21, "b/s: close 3")
	if l, ok := r.Behind(close3); !ok || l.No != 20 {
		t.Fatalf("b/s's close would wait behind line %d (%v), want its recvfrom", l.No, ok)
	}
	r.Interject(close3, typed(22, `a/c: sendto 3 10.0.0.2:7007 "hi"`))
	r.Advance(r.Now())
	if got := out.String(); !strings.Contains(got, "a/c                  => 2\n") || strings.Contains(got, "$ close 3") {
		t.Fatalf("a/c's sendto should run at once, b/s's close wait:\n%s", got)
	}
	r.Advance(r.Now() + 20*time.Millisecond) // an ARP round trip (10 ms), then 5 ms on the road
	if got := out.String(); !strings.Contains(got, `=> 2 from 10.0.0.1:49152 "hi"`) || !strings.Contains(got, "$ close 3") || r.Busy() {
		t.Fatalf("the recvfrom and then the close should have run:\n%s", got)
	}
}

// TestIdle checks Idle: a background call waiting with a deadline, or a
// letter on its way, keeps the town from idling; a background read with
// no deadline waits on the town and does not.
func TestIdle(t *testing.T) {
	r := script.NewRunner(script.Options{})
	// With the neighbours known, the letter below is all that is scheduled.
	for i, l := range strings.Split(strings.TrimSpace(twoHosts+neighbours), "\n") {
		if err := r.Exec(i+1, l); err != nil {
			t.Fatal(err)
		}
	}
	if !r.Idle() {
		t.Fatal("a town with nothing scheduled is not idle")
	}
	for i, c := range []struct {
		line string
		idle bool
	}{
		{line: "b/s: poll 3 in 30ms &", idle: false},
		{line: "run 50ms", idle: true},
		{line: "b/s: recvfrom 3 100 &", idle: true},
		{line: `a/c: sendto 3 10.0.0.2:7007 "hi"`, idle: false},
		// The letter lands in 5 ms; a's stale ARP entry, used again,
		// waits 5 s for a sign of life, probes, and is fresh for 30 s.
		{line: "run 10ms", idle: false},
		{line: "run 1m", idle: true},
	} {
		if err := r.Exec(20+i, c.line); err != nil {
			t.Fatal(err)
		}
		if got := r.Idle(); got != c.idle {
			t.Fatalf("after %q: Idle() = %v, want %v", c.line, got, c.idle)
		}
	}
	if r.Pending() != 0 {
		t.Fatal("the background read did not get its datagram")
	}
}

// result is the whole result of the call on line no, its continuation
// lines joined back under its first.
func result(t *testing.T, out string, who string, no int) string {
	t.Helper()
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		if len(l) < 38 {
			in = false
			continue
		}
		rest := l[16:]
		switch {
		case strings.HasPrefix(rest, fmt.Sprintf("%-20s => ", who)):
			if no--; no == 0 {
				lines, in = append(lines, strings.TrimPrefix(rest, fmt.Sprintf("%-20s => ", who))), true
				continue
			}
			in = false
		case in && strings.HasPrefix(rest, fmt.Sprintf("%-20s    ", who)):
			lines = append(lines, strings.TrimPrefix(rest, fmt.Sprintf("%-20s    ", who)))
			continue
		}
		in = false
	}
	return strings.Join(lines, "\n")
}

const lan = `switch sw
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
link a sw delay=1ms
link b sw delay=1ms
link c sw delay=1ms
process a p
`

// TestArpLine: arp HOST prints the neighbour cache as ip neigh does: empty
// at first, then what a ping taught both ends (the asker's REACHABLE, the
// asked's STALE, learned from the request), and a neighbour that never
// answered as FAILED.
func TestArpLine(t *testing.T) {
	out, err := run(t, lan+`arp a
a/p: ping 10.0.0.2
arp a
arp b
a/p: ping 10.0.0.9 => 1 transmitted, 0 received, +1 errors, 100% packet loss
arp a
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, want := range []string{
		"(empty)",
		"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE",
		"10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 DELAY",
		"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE\n10.0.0.9 dev eth0 FAILED",
	} {
		if got := result(t, out, "", i+1); got != want {
			t.Errorf("arp %d printed\n%s\nwant\n%s\nin:\n%s", i+1, got, want, out)
		}
	}
}

// TestPingReportsErrors: ping prints each ICMP error its error queue
// holds as iputils ping does, and counts them in its last line.
func TestPingReportsErrors(t *testing.T) {
	out, err := run(t, `host a 10.0.1.2/24
host r1 10.0.1.1/24 10.0.2.1/24 forward
host r2 10.0.2.2/24 10.0.3.1/24 forward
host b 10.0.3.2/24
switch sw
link a sw delay=1ms
link r1 sw delay=1ms
link r1 r2 delay=2ms mtu=1400
link r2 b delay=3ms
route a default via 10.0.1.1
route r1 default via 10.0.2.2
route r2 10.0.1.0/24 via 10.0.2.1
route r2 10.7.0.0/16 via 10.0.2.1
route r1 10.7.0.0/16 via 10.0.2.2
route b default via 10.0.3.1
process a p
a/p: ping 10.0.3.2 size=1400 df
a/p: ping 10.0.3.2 size=1372 df => 1 transmitted, 1 received, 0% packet loss, rtt min/avg/max 24.000/24.000/24.000 ms
a/p: ping 10.7.0.1 2
a/p: ping 10.0.1.9
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i, want := range []string{
		"From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n1 transmitted, 0 received, +1 errors, 100% packet loss",
		// 1372 bytes of data fit the 1400 road: 14 ms there and back,
		// and 10 for the ARP of r1 and r2, who meet their next hops.
		"1 transmitted, 1 received, 0% packet loss, rtt min/avg/max 24.000/24.000/24.000 ms",
		"From 10.0.2.2 icmp_seq=1 Time to live exceeded\nFrom 10.0.2.2 icmp_seq=2 Time to live exceeded\n2 transmitted, 0 received, +2 errors, 100% packet loss",
		"From 10.0.1.2 icmp_seq=1 Destination Host Unreachable\n1 transmitted, 0 received, +1 errors, 100% packet loss",
	} {
		if got := result(t, out, "a/p", i+1); got != want {
			t.Errorf("ping %d printed\n%s\nwant\n%s\nin:\n%s", i+1, got, want, out)
		}
	}
}

// TestTraceroute: three routers in a chain. traceroute names each router
// with its three round trips (a hop's first probe waits for that router's
// ARP for its next hop) and stops at the destination's port unreachable;
// it prints !H for a router that cannot reach its next hop (no answer to
// its ARP requests, 3 s), and stars for hops nobody answers (a host that
// does not forward drops what is not for it without a word); it closes its
// socket.
func TestTraceroute(t *testing.T) {
	chain := `host a 10.0.1.2/24
host r1 10.0.1.1/24 10.0.2.1/24 forward
host r2 10.0.2.2/24 10.0.3.1/24 forward
host r3 10.0.3.2/24 10.0.4.1/24 forward
host b 10.0.4.2/24
link a r1 delay=1ms
link r1 r2 delay=1ms
link r2 r3 delay=1ms
link r3 b delay=1ms
route a default via 10.0.1.1
route r1 default via 10.0.2.2
route r2 10.0.1.0/24 via 10.0.2.1
route r2 default via 10.0.3.2
route r3 default via 10.0.3.1
route r3 10.9.9.0/24 via 10.0.4.2
route b default via 10.0.4.1
process a p
`
	for _, c := range []struct{ name, lines, want string }{
		{name: "to the end", lines: "a/p: traceroute 10.0.4.2\n", want: `traceroute to 10.0.4.2 (10.0.4.2), 30 hops max, 60 byte packets
 1  10.0.1.1  4.000 ms  2.000 ms  2.000 ms
 2  10.0.2.2  6.000 ms  4.000 ms  4.000 ms
 3  10.0.3.2  8.000 ms  6.000 ms  6.000 ms
 4  10.0.4.2  10.000 ms  8.000 ms  8.000 ms`},
		{name: "next hop silent", lines: "link r3 b loss=100%\na/p: traceroute 10.0.4.2\n", want: `traceroute to 10.0.4.2 (10.0.4.2), 30 hops max, 60 byte packets
 1  10.0.1.1  4.000 ms  2.000 ms  2.000 ms
 2  10.0.2.2  6.000 ms  4.000 ms  4.000 ms
 3  10.0.3.2  8.000 ms  6.000 ms  6.000 ms
 4  10.0.3.2  3006.000 ms !H  3006.000 ms !H  3006.000 ms !H`},
		{name: "black hole", lines: "a/p: traceroute 10.9.9.9 5\n", want: `traceroute to 10.9.9.9 (10.9.9.9), 5 hops max, 60 byte packets
 1  10.0.1.1  4.000 ms  2.000 ms  2.000 ms
 2  10.0.2.2  6.000 ms  4.000 ms  4.000 ms
 3  10.0.3.2  8.000 ms  6.000 ms  6.000 ms
 4  * * *
 5  * * *`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, chain+c.lines)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got := result(t, out, "a/p", 1); got != c.want {
				t.Errorf("traceroute printed\n%s\nwant\n%s\nin:\n%s", got, c.want, out)
			}
			if !strings.Contains(out, "a/p:3                close") {
				t.Errorf("traceroute left its socket open:\n%s", out)
			}
		})
	}
}
