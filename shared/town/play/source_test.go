package play_test

import (
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// fakeMachine is a Refresh that counts its looks and says what it is told.
type fakeMachine struct {
	mu     sync.Mutex
	looks  int
	fail   error
	closed int
}

func (m *fakeMachine) refresh() (sock.Snapshot, []sock.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.looks++
	if m.fail != nil {
		return sock.Snapshot{}, nil, m.fail
	}
	now := time.Duration(m.looks) * time.Millisecond
	s := sock.SocketState{ID: 7, FD: 3, Type: sock.SockTCP, State: sock.StateListen,
		Local: netip.MustParseAddrPort("127.0.0.1:8765"), TCP: &sock.TCPState{}}
	snap := sock.Snapshot{Now: now, Hosts: []sock.HostState{{Name: "ns", Processes: []sock.ProcessState{
		{Name: "python3 (42) root", PID: 42, User: "root", Sockets: []sock.SocketState{s}},
	}}}}
	ev := []sock.Event{{Time: now, Kind: sock.KindState, Host: "ns", Proc: "python3[42]", FD: 3, Local: s.Local,
		From: sock.StateClosed, To: sock.StateListen}}
	return snap, ev, nil
}

func (m *fakeMachine) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.looks
}

// tickUntil ticks p a frame at a time until ok, for at most 5 s of wall
// time; each Tick must return at once.
func tickUntil(t *testing.T, p *play.Player, what string, ok func() bool) {
	t.Helper()
	end := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within 5 s", what)
		}
		start := time.Now()
		p.Tick(time.Second / 60)
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Fatalf("a frame took %v: Tick waited on the source", d)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRefreshingSource: a town that shows a source takes its snapshots
// and events off the frame loop, says what it is, refuses to load or
// type (with a word), freezes while paused without piling looks up, says
// a failing look once and keeps looking, and Close stops the goroutine
// and closes what it looked at.
func TestRefreshingSource(t *testing.T) {
	m := &fakeMachine{}
	src := play.NewRefreshing(play.RefreshOptions{Refresh: m.refresh, Every: 5 * time.Millisecond,
		Kernel: "Linux", Label: "watching ns · sockets refreshed every 5 ms",
		Close: func() error { m.closed++; return nil }})
	p, err := play.New(play.Options{Name: "ns", Feed: src})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Watching() || !p.Live() || p.KernelName() != "Linux" || p.KernelLabel() != "watching ns · sockets refreshed every 5 ms" {
		t.Fatalf("watching %v live %v kernel %q label %q", p.Watching(), p.Live(), p.KernelName(), p.KernelLabel())
	}
	tickUntil(t, p, "a snapshot", func() bool { return len(p.Snapshot().Hosts) == 1 })
	if h := p.Snapshot().Hosts[0]; h.Processes[0].Sockets[0].State != sock.StateListen {
		t.Errorf("snapshot %+v", h)
	}
	if p.Animation().Events() == 0 || len(p.Animation().Transitions) == 0 {
		t.Errorf("the source's events were not animated: %d events", p.Animation().Events())
	}
	if p.Now() <= 0 || !p.Busy() || p.Idle() {
		t.Errorf("now %v busy %v idle %v: a watch goes on", p.Now(), p.Busy(), p.Idle())
	}
	if err := p.Exec("a/x: socket tcp"); err == nil || !strings.Contains(err.Error(), "real programs") {
		t.Errorf("a typed line: %v", err)
	}
	if err := p.Restart(); err == nil {
		t.Error("Restart of a watch did not refuse")
	}

	// Paused: the picture holds, and the goroutine waits rather than
	// looking again and again for nobody.
	p.SetPaused(true)
	gen, before := p.SnapshotGen(), m.count()
	for range 20 {
		p.Tick(time.Second / 60)
		time.Sleep(5 * time.Millisecond)
	}
	if p.SnapshotGen() != gen {
		t.Error("a paused watch took a new snapshot")
	}
	if n := m.count() - before; n > 2 { // one handed over, one waiting
		t.Errorf("paused, the source looked %d more times", n)
	}
	p.Step()
	if p.SnapshotGen() == gen || !p.Paused() {
		t.Errorf("Step took no look (gen %d), or left the town playing", p.SnapshotGen())
	}
	p.SetPaused(false)

	m.mu.Lock()
	m.fail = errors.New("watch: netlink went away")
	m.mu.Unlock()
	said := func() int {
		n := 0
		for _, l := range p.Console().Lines {
			if strings.Contains(l.Text, "netlink went away") {
				n++
			}
		}
		return n
	}
	tickUntil(t, p, "the failure said", func() bool { return said() > 0 })
	looks := m.count()
	tickUntil(t, p, "more looks", func() bool { return m.count() > looks+3 })
	if n := said(); n != 1 {
		t.Errorf("the failure said %d times, want once", n)
	}

	if err := p.Close(); err != nil || m.closed != 1 {
		t.Fatalf("close: %v, closed %d", err, m.closed)
	}
	looks = m.count()
	time.Sleep(30 * time.Millisecond)
	if m.count() != looks {
		t.Error("the source kept looking after Close")
	}
	if err := src.Close(); err != nil || m.closed != 1 {
		t.Errorf("a second Close: %v, closed %d", err, m.closed)
	}
}
