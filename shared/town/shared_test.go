package town

import (
	"image"
	"strings"
	"testing"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// noPeers is a room with nobody else in it yet.
type noPeers struct{}

func (noPeers) Take(func(host, far string, frame []byte)) {}
func (noPeers) Send(host, far string, frame []byte)       {}
func (noPeers) Show(own sock.Snapshot) sock.Snapshot      { return own }
func (noPeers) Signs() (roads, plots map[string]string) {
	return nil, map[string]string{"ann": "yours"}
}

// TestSharedTownSaysWhy: a shared town's status, badge and Back say that
// it runs in real time and why, and its speed stays 1x.
func TestSharedTownSaysWhy(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	p, err := play.New(play.Options{Name: "shared", Source: "host ann 10.99.0.1/16\nprocess ann app\n"})
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{fonts: f, scale: 1, player: p, hover: -1}
	if err := p.JoinPeers(noPeers{}, "shared"); err != nil {
		t.Fatal(err)
	}
	p.SetSpeed(4)
	if s, _ := p.Speed(); s != 1 {
		t.Errorf("a shared town plays at %vx", s)
	}
	if got := g.statusLabel(image.Rect(0, 40, 1100, 630)).text; !strings.Contains(got, "shared · real time") {
		t.Errorf("the status says %q", got)
	}
	if got := g.statusLabel(image.Rect(0, 40, 1100, 630)).text; strings.Contains(got, "done") {
		t.Errorf("a shared town's status says it is done: %q", got)
	}
	if g.yourHost() != "ann" {
		t.Errorf("your plot is %q, want ann", g.yourHost())
	}
	if got := g.badgeText(); !strings.Contains(got, "shared with peers") {
		t.Errorf("the badge says %q", got)
	}
	if got := backRefusal(p); !strings.Contains(got, "real time") {
		t.Errorf("Back's refusal says %q", got)
	}
	p.LeavePeers("left")
	if backRefusal(p) != "" || p.Shared() {
		t.Error("after the peers left, the town is still shared")
	}
}
