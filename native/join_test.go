package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
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

func joinShared(t *testing.T, url, name string, room string) *sharedTown {
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

// run drives the towns in real time until done says so or d passes.
func runShared(towns []*sharedTown, d time.Duration, done func() bool) bool {
	last := time.Now()
	for end := last.Add(d); time.Now().Before(end); {
		time.Sleep(time.Second / 60)
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
