package play_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// TestFedSource: a town fed a server's watch over a stream shows each
// look once its snapshot comes, with the events that led to it, says the
// stream's troubles in the console, holds the picture while paused (the
// events it did not take yet come with the next look, at most a bounded
// number of them), and Close ends the transport once.
func TestFedSource(t *testing.T) {
	closed := 0
	f := play.NewFed("Linux", "watching ns · sockets refreshed every 500 ms", func() error { closed++; return nil })
	p, err := play.New(play.Options{Name: "ns", Feed: f})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Watching() || p.KernelName() != "Linux" || p.KernelLabel() != "watching ns · sockets refreshed every 500 ms" {
		t.Fatalf("watching %v kernel %q label %q", p.Watching(), p.KernelName(), p.KernelLabel())
	}
	local := netip.MustParseAddrPort("127.0.0.1:8000")
	look := func(now time.Duration, events int) {
		for i := range events {
			f.Feed(play.Message{Type: "event", Event: play.ToWire(sock.Event{Time: now, Kind: sock.KindState, Host: "ns",
				Proc: "python3[42]", FD: 3 + i, Local: local, From: sock.StateClosed, To: sock.StateListen})})
		}
		snap := sock.Snapshot{Now: now, Hosts: []sock.HostState{{Name: "ns", Processes: []sock.ProcessState{
			{Name: "python3 (42) root", PID: 42, Sockets: []sock.SocketState{{ID: 1, FD: 3, Type: sock.SockTCP,
				State: sock.StateListen, Local: local, TCP: &sock.TCPState{}}}}}}}}
		f.Feed(play.Message{Type: "snapshot", Snapshot: &snap})
	}
	f.Feed(play.Message{Type: "event", Event: play.ToWire(sock.Event{Kind: sock.KindSocket, Host: "ns"})})
	p.Tick(time.Second / 60)
	if len(p.Snapshot().Hosts) != 0 {
		t.Fatal("a look without its snapshot was shown")
	}
	look(time.Second, 1)
	p.Tick(time.Second / 60)
	if h := p.Snapshot().Hosts; len(h) != 1 || h[0].Processes[0].Sockets[0].Local != local {
		t.Fatalf("snapshot %+v", p.Snapshot())
	}
	if n := p.Animation().Events(); n != 2 {
		t.Errorf("%d events animated, want the 2 before the snapshot", n)
	}

	p.SetPaused(true)
	gen := p.SnapshotGen()
	for i := range 5 {
		look(time.Second*time.Duration(2+i), 2000)
		p.Tick(time.Second / 60)
	}
	if p.SnapshotGen() != gen {
		t.Error("a paused town took a look")
	}
	p.SetPaused(false)
	before := p.Animation().Events()
	p.Tick(time.Second / 60)
	if n := p.Animation().Events() - before; n == 0 || n > 4096 {
		t.Errorf("after the pause %d events came with the look, want some and at most 4096", n)
	}
	if p.Snapshot().Now != 6*time.Second {
		t.Errorf("the look after the pause is of %v, want the newest (6s)", p.Snapshot().Now)
	}

	f.Feed(play.Message{Type: "error", Text: "watch: netlink went away (still watching)"})
	f.Closed("the server's watch ended: EOF")
	p.Tick(time.Second / 60)
	p.Tick(time.Second / 60)
	var said []string
	for _, l := range p.Console().Lines {
		if strings.Contains(l.Text, "netlink went away") || strings.Contains(l.Text, "watch ended") {
			said = append(said, l.Text)
		}
	}
	if len(said) != 2 {
		t.Errorf("the console says %q, want both troubles", said)
	}
	if err := p.Close(); err != nil || closed != 1 {
		t.Fatalf("close: %v, closed %d", err, closed)
	}
	if err := f.Close(); err != nil || closed != 1 {
		t.Errorf("a second close: %v, closed %d", err, closed)
	}
}
