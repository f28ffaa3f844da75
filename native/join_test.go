package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"socketville/native/hub"
	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/script"
	"socketville/shared/town/peertown"
	"socketville/shared/town/play"
)

// sharedTown is one peer's town in a test: its room and its player,
// driven at the town's frame rate.
type sharedTown struct {
	t *peertown.Town
	p *play.Player
}

func joinShared(t testing.TB, url, name string, room string) *sharedTown {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := mesh.Options{URL: url, Name: name, Road: road.Options{Loopback: true}}
	o.Room = signal.RoomID(room)
	pt, err := peertown.Join(ctx, peertown.Options{Mesh: o})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pt.Close() })
	p, err := play.New(play.Options{Name: "shared", Source: pt.Scenario()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.JoinPeers(pt, "shared"); err != nil {
		t.Fatal(err)
	}
	return &sharedTown{t: pt, p: p}
}

// runShared drives the towns in real time, a frame every 60th of a
// second as a page does, until done says so or d passes.
func runShared(towns []*sharedTown, d time.Duration, done func() bool) bool {
	return runSharedEvery(towns, time.Second/60, d, done)
}

// runSharedEvery drives the towns a frame every frame.
func runSharedEvery(towns []*sharedTown, frame, d time.Duration, done func() bool) bool {
	last := time.Now()
	for end := last.Add(d); time.Now().Before(end); {
		time.Sleep(frame)
		now := time.Now()
		for _, s := range towns {
			s.t.Drive(s.p, now)
			s.p.Tick(now.Sub(last))
		}
		last = now
		if done() {
			return true
		}
	}
	return false
}

func consoleSays(p *play.Player, text string) bool {
	for _, l := range p.Console().Lines {
		if strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// TestSharedTownOverWebRTC: two peers' towns in one room of a real hub,
// their roads real data channels on loopback: each learns the other's
// host, the peer lines are typed, 256 KiB cross by TCP with the same
// sha256 at both ends, and the road's sign has a measured RTT; when one
// leaves, the other's TCP retransmits and then gives up.
func TestSharedTownOverWebRTC(t *testing.T) {
	h := hub.New(hub.Defaults())
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/signal"
	ann := joinShared(t, url, "", "")
	bob := joinShared(t, url, "", string(ann.t.Room()))
	towns := []*sharedTown{ann, bob}
	if ann.t.Host() != "ann" || bob.t.Host() != "bob" {
		t.Fatalf("hosts %q and %q, want ann and bob", ann.t.Host(), bob.t.Host())
	}
	if !runShared(towns, 15*time.Second, func() bool {
		return consoleSays(ann.p, "$ peer ann bob 10.99.0.2") && consoleSays(bob.p, "$ peer bob ann 10.99.0.1")
	}) {
		t.Fatalf("the peer lines were not typed; ann's console: %v", ann.p.Console().Lines)
	}
	for _, l := range []string{"bob/app: socket tcp", "bob/app: bind 3 0.0.0.0:7000", "bob/app: listen 3 5", "bob/app: accept 3"} {
		if err := bob.p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7000", "ann/app: send 3 size=262144", "ann/app: close 3"} {
		if err := ann.p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if err := bob.p.Exec("bob/app: recv 4 all"); err != nil {
		t.Fatal(err)
	}
	if !runShared(towns, 60*time.Second, func() bool { return consoleSays(bob.p, "sha256") }) {
		t.Fatalf("bob's recv all did not return; bob's console: %v", bob.p.Console().Lines)
	}
	var got string
	for _, l := range bob.p.Console().Lines {
		if strings.Contains(l.Text, "sha256") {
			got = l.Text
		}
	}
	// The bytes send size=N makes, and their sha256, as a simulated
	// town alone gives them.
	want := sha256Of(262144)
	if !strings.Contains(got, "262144") || !strings.Contains(got, want) {
		t.Fatalf("bob read %q; want 262144 bytes with sha256 %s", got, want)
	}
	roads, plots := ann.p.PeerSigns()
	t.Logf("ann's road signs %v, plots %v", roads, plots)
	if plots["bob"] == "" || len(roads) != 1 {
		t.Errorf("ann's town shows no plot of bob's or no road: %v %v", plots, roads)
	}
	for _, sign := range roads {
		if !strings.Contains(sign, "WebRTC · RTT") {
			t.Errorf("the road's sign %q has no RTT", sign)
		}
	}
}

// sha256Of is the sha256 recv all prints for the n bytes send size=n
// makes.
func sha256Of(n int) string {
	sum := sha256.Sum256(script.Pattern(n))
	return hex.EncodeToString(sum[:])
}

// BenchmarkSharedTownTCP: TCP goodput between two native shared towns
// over a real data channel on loopback, at a page's 60 frames a second and
// at a frame a millisecond (how fast the town takes its road's frames is
// what bounds it), against the raw rate of the same roads' frames in the
// same run (1146-byte frames sent as fast as the road takes them).
func BenchmarkSharedTownTCP(b *testing.B) {
	const size = 4 << 20
	for _, c := range []struct {
		frame time.Duration
		buf   int // SO_RCVBUF and SO_SNDBUF asked for; 0 the default
	}{{time.Second / 60, 0}, {time.Second / 60, 4 << 20}, {time.Millisecond, 0}, {time.Millisecond, 4 << 20}} {
		frame := c.frame
		b.Run(fmt.Sprintf("frame=%v/buf=%d", frame, c.buf), func(b *testing.B) {
			for range b.N {
				h := hub.New(hub.Defaults())
				srv := httptest.NewServer(h)
				url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/signal"
				ann := joinShared(b, url, "", "")
				bob := joinShared(b, url, "", string(ann.t.Room()))
				towns := []*sharedTown{ann, bob}
				runShared(towns, 15*time.Second, func() bool {
					return consoleSays(ann.p, "$ peer ann bob") && consoleSays(bob.p, "$ peer bob ann")
				})
				bufs := func(who string) []string {
					if c.buf == 0 {
						return nil
					}
					n := strconv.Itoa(c.buf)
					return []string{who + ": setsockopt 3 SO_RCVBUF " + n, who + ": setsockopt 3 SO_SNDBUF " + n}
				}
				for _, l := range append(append([]string{"bob/app: socket tcp"}, bufs("bob/app")...), "bob/app: bind 3 0.0.0.0:7000", "bob/app: listen 3 5", "bob/app: accept 3", "bob/app: recv 4 all") {
					_ = bob.p.Exec(l)
				}
				for _, l := range append(append([]string{"ann/app: socket tcp"}, bufs("ann/app")...), "ann/app: connect 3 10.99.0.2:7000") {
					_ = ann.p.Exec(l)
				}
				runSharedEvery(towns, frame, 5*time.Second, func() bool { return consoleSays(bob.p, "=> 4 from") })
				start := time.Now()
				_ = ann.p.Exec("ann/app: send 3 size=" + strconv.Itoa(size))
				_ = ann.p.Exec("ann/app: close 3")
				if !runSharedEvery(towns, frame, 120*time.Second, func() bool { return consoleSays(bob.p, "sha256=") }) {
					b.Fatal("the transfer did not finish")
				}
				b.ReportMetric(float64(size*8)/time.Since(start).Seconds()/1e6, "tcp-Mbit/s")
				ann.t.Close()
				bob.t.Close()
				srv.Close()
				h.Close()
			}
		})
	}
}
