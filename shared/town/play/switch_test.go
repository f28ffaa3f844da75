package play_test

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// cabled is a kernel whose hosts are each cabled to switch sw as they
// are made (5 ms cables), so a scenario of host lines builds a LAN
// whichever shell lines there are for switches.
type cabled struct{ sock.Kernel }

func (k cabled) AddHost(name string, addrs []netip.Prefix, opts sock.HostOptions) error {
	if err := k.Kernel.AddHost(name, addrs, opts); err != nil {
		return err
	}
	return k.Kernel.AddLink(name, "sw", sock.LinkConfig{Delay: 5 * time.Millisecond})
}

// switchTown is hosts a, b and c on switch sw on a live kernel whose
// clock the returned tick moves on with the player's.
func switchTown(t *testing.T) (p *play.Player, tick func()) {
	t.Helper()
	clock := new(time.Duration)
	build := func(io.Writer) (sock.Kernel, error) {
		k := netsim.New(netsim.Options{}).Kernel()
		if err := k.AddSwitch("sw", 0); err != nil {
			return nil, err
		}
		return &tickKernel{Kernel: cabled{k}, clock: clock}, nil
	}
	src := "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nhost c 10.0.0.3/24\nprocess a app\nprocess b echo\n"
	p, err := play.New(play.Options{Name: "switch", Source: src, Kernel: build})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"b/echo: socket udp", "b/echo: bind 3 0.0.0.0:7000", "a/app: socket udp"} {
		if err := p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	return p, func() {
		*clock += frame
		p.Tick(frame)
	}
}

// hops lists the letters on the roads as "kind from->to".
func hops(p *play.Player) []string {
	var out []string
	for _, l := range p.Animation().Letters {
		out = append(out, fmt.Sprintf("%s %s->%s", l.Label, l.From, l.To))
	}
	return out
}

// TestLettersCrossTheSwitch: a letter from a to b goes a->sw, lands at
// the junction box, and the switch's copies leave it: a broadcast (ARP's
// who-has) out of every other port, to b and to c; once the switch has
// learned where b is, a's UDP letter goes out of b's port alone.
func TestLettersCrossTheSwitch(t *testing.T) {
	p, tick := switchTown(t)
	if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "hi"`); err != nil {
		t.Fatal(err)
	}
	if got := hops(p); !slices.Equal(got, []string{"who-has 10.0.0.2? a->sw"}) {
		t.Fatalf("letters as a sends: %q", got)
	}
	first := p.Animation().Letters[0]
	if first.Link != "a-sw" || first.Kind != play.LetterARP || len(first.Frame) == 0 {
		t.Fatalf("a's letter: road %q, kind %v, frame %d bytes", first.Link, first.Kind, len(first.Frame))
	}
	seen := map[string]bool{}
	for range 20 * play.TripTime / frame {
		for _, h := range hops(p) {
			seen[h] = true
		}
		if seen["UDP 2 B sw->b"] {
			break
		}
		tick()
	}
	for _, want := range []string{
		"who-has 10.0.0.2? sw->b", "who-has 10.0.0.2? sw->c", // flooded out of every other port
		"10.0.0.2 is-at 02:00:00:00:00:02 b->sw", "10.0.0.2 is-at 02:00:00:00:00:02 sw->a", // the answer, to a alone
		"UDP 2 B a->sw", "UDP 2 B sw->b",
	} {
		if !seen[want] {
			t.Errorf("no letter %q; seen %v", want, seen)
		}
	}
	for _, never := range []string{"10.0.0.2 is-at 02:00:00:00:00:02 sw->c", "UDP 2 B sw->c", "who-has 10.0.0.2? sw->a"} {
		if seen[never] {
			t.Errorf("letter %q: the switch sent it where it knew not to", never)
		}
	}
}
