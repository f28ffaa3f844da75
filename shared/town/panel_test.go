package town

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/examples"
	"socketville/shared/sock"

	"socketville/shared/script"
	"socketville/shared/town/layout"
)

// town runs shell lines and returns the runner, to look at its snapshot
// and to run more lines.
func town(t *testing.T, src string) *script.Runner {
	t.Helper()
	r := script.NewRunner(script.Options{})
	run(t, r, src)
	return r
}

// run runs lines on r, failing on any error they give.
func run(t *testing.T, r *script.Runner, src string) {
	t.Helper()
	s, err := script.Parse("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(s.Lines...)
	r.Advance(r.Now() + 2*time.Second)
	if errs := r.Errors(); len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
}

// door finds a door in the runner's town by host, process and state.
func door(t *testing.T, r *script.Runner, host, proc, state string) layout.Door {
	t.Helper()
	lay := layout.Of(r.Kernel().Snapshot())
	for _, p := range lay.Plots {
		for _, h := range p.Houses {
			for _, d := range h.Doors {
				if p.Host == host && d.Proc == proc && d.State.String() == state {
					return d
				}
			}
		}
		for _, d := range p.Orphans {
			if p.Host == host && proc == "" && d.State.String() == state {
				return d
			}
		}
	}
	t.Fatalf("no %s door of %s/%s", state, host, proc)
	return layout.Door{}
}

// connectButton is the listening door's "connect from" button.
func connectButton(t *testing.T, r *script.Runner, host, proc string) action {
	t.Helper()
	d := door(t, r, host, proc, "LISTEN")
	for _, a := range doorActions(d, r.Kernel().Snapshot()) {
		if strings.HasPrefix(a.label, "connect from") || strings.HasPrefix(a.label, "no process") {
			return a
		}
	}
	t.Fatalf("no connect button on %s/%s's listening door", host, proc)
	return action{}
}

const listen = `
%s: socket tcp
%s: bind 3 0.0.0.0:80
%s: listen 3 4
`

func listenOn(who string) string { return strings.ReplaceAll(listen, "%s", who) }

// TestConnectButtonOffersOnlyClientsThatReach builds towns where the
// first process on another plot has no route to the server: the button
// offers one that has, and pressing it connects without an error.
func TestConnectButtonOffersOnlyClientsThatReach(t *testing.T) {
	for _, tc := range []struct {
		name, town, server, want string
	}{
		{name: "neighbours", server: "b/web", want: "connect from a/browser", town: `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a browser
process b web root`},
		{name: "a plot two roads away, past a host that does not forward, is passed over", server: "c/web", want: "connect from b/shell", town: `
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
link a b
link b c
process a browser
process b shell
process c web root`},
		{name: "through a router both ways", server: "server/web", want: "connect from home/app", town: `
host home 192.168.1.10/24
host router 192.168.1.1/24 203.0.113.1/24 forward
host server 203.0.113.80/24
link home router
link router server
route home default via 192.168.1.1
route server 192.168.1.0/24 via 203.0.113.1
process router shell
process home app
process server web root`},
		{name: "no way back: the server lacks a route, so its own host connects over loopback", server: "server/web", want: "connect from server/web", town: `
host home 192.168.1.10/24
host router 192.168.1.1/24 203.0.113.1/24
host server 203.0.113.80/24
link home router
link router server
route home default via 192.168.1.1
process home app
process server web root`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := town(t, tc.town+listenOn(tc.server))
			host, proc, _ := strings.Cut(tc.server, "/")
			a := connectButton(t, r, host, proc)
			if a.label != tc.want || len(a.lines) != 2 {
				t.Fatalf("button %q %q, want %q", a.label, a.lines, tc.want)
			}
			run(t, r, strings.Join(a.lines, "\n")+"\nrun 1s\n")
			client, _, _ := strings.Cut(strings.TrimPrefix(tc.want, "connect from "), "/")
			door(t, r, client, strings.TrimPrefix(tc.want, "connect from "+client+"/"), "ESTABLISHED")
		})
	}
}

// TestDoorTitles: a bound TCP socket says it is bound, and a connection
// the kernel holds after close says whose it was, with no fd.
func TestDoorTitles(t *testing.T) {
	r := town(t, `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a browser
process b server root
a/browser: socket tcp
a/browser: socket tcp
a/browser: bind 4 0.0.0.0:5000
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 4
a/browser: socket tcp
a/browser: connect 5 10.0.0.2:80
b/server: accept 3 => 4 from 10.0.0.1:49152
b/server: close 4
a/browser: close 5
run 100ms`)
	for _, tc := range []struct {
		d    layout.Door
		want string
	}{
		{d: door(t, r, "a", "browser", "CLOSED"), want: "a/browser fd 3: tcp unbound (CLOSED)"},
		{d: door(t, r, "b", "", "TIME-WAIT"), want: "a TIME-WAIT connection of b/server, held by the kernel (no fd): 10.0.0.2:80 <-> 10.0.0.1:49152"},
	} {
		if got := doorTitle(tc.d); !strings.HasPrefix(got, tc.want) {
			t.Errorf("title %q, want %q", got, tc.want)
		}
	}
	lay := layout.Of(r.Kernel().Snapshot())
	found := false
	for _, d := range lay.Plots[0].Houses[0].Doors {
		if d.FD == 4 {
			found = true
			if got := doorTitle(d); got != "a/browser fd 4: tcp bound (CLOSED) 0.0.0.0:5000" {
				t.Errorf("bound socket's title %q", got)
			}
			if !strings.Contains(optionsText(d.Socket), "SO_REUSEADDR off") {
				t.Errorf("options %q", optionsText(d.Socket))
			}
		}
	}
	if !found {
		t.Fatal("no fd 4 on a/browser")
	}
}

// TestLayersSayWhoWroteIt: the handshake's segments carry no data, and
// the application floor says they are TCP's own; a data segment says
// the program wrote it; a ping is ICMP's own.
func TestLayersSayWhoWroteIt(t *testing.T) {
	r := script.NewRunner(script.Options{})
	var pkts []sentPacket
	r.Kernel().Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent {
			pkts = append(pkts, sentPacket{e.Packet, e.Frame})
		}
	})
	run(t, r, `
host a 10.0.0.1/24
host b 10.0.0.2/24
link a b
process a browser
process b web root
a/browser: ping 10.0.0.2 1
b/web: socket tcp
b/web: bind 3 0.0.0.0:80
b/web: listen 3 4
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:80
a/browser: send 3 "hi"
run 100ms`)
	var got []string
	for _, p := range pkts {
		got = append(got, layerUnits(p.pkt, p.frame)[0].caption)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"this echo request is ICMP's own",
		"this SYN is TCP's own",
		"this SYN|ACK is TCP's own",
		"this ACK is TCP's own, the program wrote nothing",
		"application: a message of 2 bytes, written with send()",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no caption says %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "0 bytes, written with send()") {
		t.Errorf("a segment without data is said to be written by the program:\n%s", all)
	}
}

// TestDoorNumbersMeanSomething: a door's panel shows a peer's window, MSS
// and congestion window only where there is a peer. A fresh or bound
// socket shows none; a connecting one says they come with the SYN's
// answer (its RTO is the SYN's timer); a connection that was refused is
// over and says so, instead of zeros and a SYN's leftovers.
func TestDoorNumbersMeanSomething(t *testing.T) {
	r := town(t, `
host a 10.0.0.1/24
host b 10.0.0.2/24
host c 10.0.0.3/24
link a b
link a c loss=100%
process a browser
process b server root
a/browser: socket tcp
a/browser: connect 3 10.0.0.2:81 => ECONNREFUSED
a/browser: socket tcp
a/browser: connect 4 10.0.0.3:80 &
a/browser: socket tcp
a/browser: bind 5 0.0.0.0:5000
b/server: socket tcp
b/server: bind 3 0.0.0.0:80
b/server: listen 3 4
a/browser: socket tcp
a/browser: connect 6 10.0.0.2:80
run 100ms`)
	lay := layout.Of(r.Kernel().Snapshot())
	byFD := map[int]layout.Door{}
	for _, d := range lay.Plots[0].Houses[0].Doors {
		byFD[d.FD] = d
	}
	if d := byFD[3]; connecting(d.Socket) || !strings.Contains(overWords(d.Socket), "10.0.0.2:81 is over") {
		t.Errorf("refused fd 3 (%v): connecting %v, words %q", d.State, connecting(d.Socket), overWords(d.Socket))
	}
	if d := byFD[5]; connecting(d.Socket) || overWords(d.Socket) != "" {
		t.Errorf("bound fd 5 (%v): connecting %v, words %q", d.State, connecting(d.Socket), overWords(d.Socket))
	}
	syn := strings.Join(connectionLines(byFD[4].Socket), "\n")
	if byFD[4].State != sock.StateSynSent || strings.Contains(syn, "0 B") || !strings.Contains(syn, "RTO 1s, doubled each time the SYN goes again") {
		t.Errorf("connecting fd 4 (%v) says:\n%s", byFD[4].State, syn)
	}
	est := strings.Join(connectionLines(byFD[6].Socket), "\n")
	if byFD[6].State != sock.StateEstablished || !strings.Contains(est, "MSS 1460 B") || strings.Contains(est, "congestion window 0 B") {
		t.Errorf("connected fd 6 (%v) says:\n%s", byFD[6].State, est)
	}
}

// TestLayerBlocksWordsFit draws every packet of every example on the
// Layers page's floors at widths from a phone's drawer to a wide panel,
// at one and two device pixels per CSS pixel: each block's name and size
// fit inside it whole, or are left out, never cut ("ame h"), and at the
// usual width every block of the upper three floors has a name (the link
// floor's five parts may be too narrow for theirs).
func TestLayerBlocksWordsFit(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, ex := range examples.All() {
		pkts := examplePackets(t, ex, 200)
		for _, scale := range []float64{1, 2} {
			g := &Game{fonts: f, scale: scale}
			for _, p := range pkts {
				for _, u := range layerUnits(p.pkt, p.frame) {
					for w := 60.0; w <= 260; w += 20 {
						blocks := g.unitBlocks(w*scale, u)
						sum := 0.0
						for _, b := range blocks {
							sum += b.w
						}
						if math.Abs(sum-w*scale) > 0.01 {
							t.Fatalf("%s: blocks %.1f px wide in all on a floor of %.1f", ex.Name, sum, w*scale)
						}
						for _, b := range blocks {
							room := b.w - 4*scale
							for _, words := range []struct {
								s    string
								mono bool
							}{{b.name, false}, {b.size, true}} {
								if adv := text.Advance(words.s, f.face(11*scale, words.mono)); adv > room {
									t.Fatalf("%s: %q is %.0f px wide in a block of %.0f", ex.Name, words.s, adv, b.w)
								}
							}
							if w == 180 && len(u.parts) <= 3 && b.name == "" {
								t.Errorf("%s: a block of %.0f px at the usual width has no name (%v)", ex.Name, b.w, u.caption)
							}
							seen++
						}
					}
				}
			}
		}
	}
	t.Logf("%d blocks checked", seen)
}

// TestSocketWordsOnTheLayersPage: the line between the application and
// the transport floors says, in the seed's words, what the socket is: at
// a laptop's panel and in a phone's drawer (a cut-away 320 px wide or
// more, at one and two device pixels per CSS pixel) the words that fit
// say the program hands its data to TCP or UDP there.
func TestSocketWordsOnTheLayersPage(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1, 2} {
		g := &Game{fonts: f, scale: scale}
		for _, w := range []float64{320, 340, 450} {
			words := g.fitting(w*scale, 11*scale, false, socketWords...)
			if !strings.Contains(words, "socket") || !strings.Contains(words, "the program hands its data to TCP or UDP") {
				t.Errorf("a cut-away %.0f px wide at scale %v says %q", w, scale, words)
			}
		}
	}
}

// sentPacket is a packet as a link carried it, and its Ethernet frame.
type sentPacket struct{ pkt, frame []byte }

// examplePackets plays an example on the simulator and returns the first
// max packets it sends, with their frames, for tests of what the Layers
// page draws of them.
func examplePackets(t *testing.T, ex examples.Scenario, max int) []sentPacket {
	t.Helper()
	r := script.NewRunner(script.Options{})
	var pkts []sentPacket
	r.Kernel().Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent && len(pkts) < max {
			pkts = append(pkts, sentPacket{e.Packet, e.Frame})
		}
	})
	s, err := script.Parse(ex.Name, strings.NewReader(ex.Source))
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(s.Lines...)
	r.Advance(r.Now() + 10*time.Minute)
	return pkts
}
