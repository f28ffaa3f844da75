package play_test

import (
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// pipe is two shared towns' data channel, carried by the test between
// frames as the road carries it between pages.
type pipe struct {
	in  [][3]string // frames that came to this end: host, far, bytes
	far *pipe
}

func (p *pipe) Take(f func(host, far string, frame []byte)) {
	in := p.in
	p.in = nil
	for _, x := range in {
		f(x[0], x[1], []byte(x[2]))
	}
}

// Send hands the frame to the far town, on its road back to host.
func (p *pipe) Send(host, far string, frame []byte) {
	p.far.in = append(p.far.in, [3]string{far, host, string(frame)})
}

func (p *pipe) Show(own sock.Snapshot) sock.Snapshot { return own }

func (p *pipe) Signs() (roads, plots map[string]string) { return nil, nil }

func consoleHas(p *play.Player, text string) bool {
	for _, l := range p.Console().Lines {
		if strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// TestSharedTowns: two players, each a page with its own host, joined
// by peer lines over a pipe: they run in real time (virtual time is the
// wall's and the speed controls do nothing), a TCP connection crosses
// the road, and once the peers have left the town's session, saved and
// loaded with no peer there, replays to the same events.
func TestSharedTowns(t *testing.T) {
	mk := func(host, addr, far, farAddr string) *play.Player {
		p, err := play.New(play.Options{Name: "shared", Source: "host " + host + " " + addr + "/24\nprocess " + host + " app\n"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ann, bob := mk("ann", "10.99.0.1", "bob", "10.99.0.2"), mk("bob", "10.99.0.2", "ann", "10.99.0.1")
	annEnd, bobEnd := &pipe{}, &pipe{}
	annEnd.far, bobEnd.far = bobEnd, annEnd
	for _, j := range []struct {
		p    *play.Player
		end  *pipe
		line string
	}{{ann, annEnd, "peer ann bob 10.99.0.2"}, {bob, bobEnd, "peer bob ann 10.99.0.1"}} {
		if err := j.p.JoinPeers(j.end, "shared with a friend: the town runs in real time"); err != nil {
			t.Fatal(err)
		}
		if err := j.p.Exec(j.line); err != nil {
			t.Fatal(err)
		}
	}
	ann.SetSpeed(10)
	ann.SetPaused(true)
	if s, _ := ann.Speed(); s != 1 || ann.Paused() || ann.CanBack() || ann.Back() == nil {
		t.Fatalf("a shared town: speed %v, paused %v, can go back %v; want 1x, running, no way back", s, ann.Paused(), ann.CanBack())
	}
	tick := func(d time.Duration) {
		for end := ann.Wall() + d; ann.Wall() < end; {
			ann.Tick(10 * time.Millisecond)
			bob.Tick(10 * time.Millisecond)
		}
	}
	for _, l := range []string{"bob/app: socket tcp", "bob/app: bind 3 0.0.0.0:7000", "bob/app: listen 3 5", "bob/app: accept 3 &"} {
		if err := bob.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7000"} {
		if err := ann.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	tick(time.Second)
	if err := ann.Exec(`ann/app: send 3 "across the road"`); err != nil {
		t.Fatal(err)
	}
	tick(time.Second)
	if err := bob.Exec("bob/app: recv 4 100"); err != nil {
		t.Fatal(err)
	}
	tick(time.Second)
	if !consoleHas(bob, `"across the road"`) {
		t.Fatalf("bob's recv did not return what ann sent; bob's console: %v", bob.Console().Lines)
	}
	if d := ann.Now() - ann.Wall(); d < -20*time.Millisecond || d > 20*time.Millisecond {
		t.Errorf("a shared town's virtual time %v is not the wall's %v", ann.Now(), ann.Wall())
	}
	bob.LeavePeers("the friend left")
	ann.LeavePeers("the friend left")
	if !ann.CanBack() {
		t.Error("after the peers left, the town cannot go back")
	}
	s := bob.Session()
	text, err := s.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "\nf bob ann ") {
		t.Fatalf("bob's session keeps no frame from ann:\n%s", text)
	}
	var back play.Session
	if err := back.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	again, err := play.New(play.Options{Name: "replay", Source: "host x 10.0.0.1/24\n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.LoadSession(back); err != nil {
		t.Fatal(err)
	}
	if again.TraceDigest() != bob.TraceDigest() || !consoleHas(again, `"across the road"`) {
		t.Errorf("bob's session replayed with no peer: trace %s, want %s", again.TraceDigest(), bob.TraceDigest())
	}
}
