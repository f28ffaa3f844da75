package play_test

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// toEnd plays p as fast as possible until its story is over.
func toEnd(t testing.TB, p *play.Player) {
	t.Helper()
	p.SetFastest(true)
	p.SetPaused(false)
	for i := 0; p.Busy() || !p.Idle(); i++ {
		if i > 100_000 {
			t.Fatalf("the story does not end: busy %v idle %v at %v, %d events", p.Busy(), p.Idle(), p.Now(), p.EventCount())
		}
		p.Tick(time.Second / 60)
	}
	p.SetFastest(false)
}

func TestBackAThousandEventsAndForwardAgain(t *testing.T) {
	p := example(t, "lossy-bulk")
	toEnd(t, p)
	n, snap, trace := p.EventCount(), p.SnapshotDigest(), p.TraceDigest()
	if n < 3000 || p.EventIndex() != n || p.BackInTime() {
		t.Fatalf("%d events, at %d, back in time %v", n, p.EventIndex(), p.BackInTime())
	}
	at := n
	for i := range 1000 {
		if err := p.Back(); err != nil {
			t.Fatalf("back %d: %v", i, err)
		}
		if p.EventIndex() >= at {
			t.Fatalf("back %d went from event %d to %d", i, at, p.EventIndex())
		}
		at = p.EventIndex()
	}
	if !p.BackInTime() || !p.Paused() || n-at < 1000 {
		t.Fatalf("after 1000 backs: at %d of %d, back in time %v, paused %v", at, n, p.BackInTime(), p.Paused())
	}
	all := entries(p, play.AllEvents())
	if next := all[at].At; p.Now() > next || next >= all[n-1].At && p.Now() >= all[n-1].At {
		t.Errorf("the clock (%v) did not go back before event %d's %v", p.Now(), at, next)
	}
	for i := 0; p.BackInTime(); i++ {
		if i > 1000 {
			t.Fatal("1000 steps did not come back to the head")
		}
		p.Step()
	}
	if p.EventIndex() != n || p.EventCount() != n {
		t.Fatalf("forward again: at %d of %d, want %d", p.EventIndex(), p.EventCount(), n)
	}
	if got := p.SnapshotDigest(); got != snap {
		t.Errorf("snapshot digest forward again %s, want %s", got, snap)
	}
	if got := p.TraceDigest(); got != trace {
		t.Errorf("trace digest forward again %s, want %s", got, trace)
	}
}

// entries are the whole timeline of p.
func entries(p *play.Player, f play.TimelineFilter) []play.TimelineEntry {
	es, _ := p.Timeline(f, 0, 1<<30)
	return es
}

func TestJumpToAndPlayOn(t *testing.T) {
	p := helloTCP(t)
	toEnd(t, p)
	n, snap := p.EventCount(), p.SnapshotDigest()
	lines := slices.Clone(p.Console().Lines)
	if err := p.JumpTo(0); err != nil {
		t.Fatal(err)
	}
	if p.EventIndex() != 0 || p.Now() != 0 {
		t.Fatalf("jumped to the start: at event %d, %v", p.EventIndex(), p.Now())
	}
	if s := p.Snapshot(); len(s.Hosts) != 2 {
		t.Errorf("the start shows %d hosts, want the town built", len(s.Hosts))
	}
	for _, l := range p.Console().Lines {
		if strings.HasPrefix(l.Text, "=> ") {
			t.Errorf("the start's console has a result: %q", l.Text)
		}
	}
	// Playing on replays the story at its pace, to the same end.
	p.SetPaused(false)
	for i := 0; p.BackInTime(); i++ {
		if i > 60*120 {
			t.Fatal("two minutes of frames did not play the story again")
		}
		p.Tick(time.Second / 60)
		if i == 60 && p.EventIndex() == n {
			t.Fatal("the story played again in a second: not at its pace")
		}
	}
	if p.SnapshotDigest() != snap {
		t.Error("played on, the town is not as it was")
	}
	if got := p.Console().Lines; !slices.Equal(got, lines) {
		t.Errorf("played on, the console has %d lines, want the %d it had", len(got), len(lines))
	}
	if err := p.JumpTo(n + 1); err == nil {
		t.Error("a jump past the end is no error")
	}
	if err := p.JumpTo(-1); err == nil {
		t.Error("a jump before the start is no error")
	}
}

func TestTypingBackInTimeCutsTheFuture(t *testing.T) {
	p := helloTCP(t)
	toEnd(t, p)
	n := p.EventCount()
	if err := p.JumpTo(n / 2); err != nil {
		t.Fatal(err)
	}
	at := p.EventIndex()
	onA := play.TimelineFilter{Host: "a", FD: -1}
	entries(p, onA) // a view keeps asking for the same filter
	// Help changes nothing: the future stays.
	if err := p.Exec("help bind"); err != nil || p.EventCount() != n || !p.BackInTime() {
		t.Fatalf("help back in time: %v, %d events of %d, back %v", err, p.EventCount(), n, p.BackInTime())
	}
	if err := p.Exec("a/client: socket udp"); err != nil {
		t.Fatal(err)
	}
	if p.BackInTime() || p.EventCount() <= at || p.EventCount() >= n {
		t.Fatalf("typed back in time: %d events (cut at %d of %d), back in time %v", p.EventCount(), at, n, p.BackInTime())
	}
	said := 0
	for _, l := range p.Console().Lines {
		if strings.Contains(l.Text, "Back in time") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the console said the future was cut %d times, want once", said)
	}
	var want []play.TimelineEntry
	for _, e := range entries(p, play.AllEvents()) {
		if e.Host == "a" {
			want = append(want, e)
		}
	}
	if got := entries(p, onA); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("after the cut, a's events are %d entries, want %d", len(got), len(want))
	}
	// The new story is recorded like the old: back one and forward.
	d := p.SnapshotDigest()
	if err := p.Back(); err != nil {
		t.Fatal(err)
	}
	p.Step()
	if p.BackInTime() || p.SnapshotDigest() != d {
		t.Error("back and forward in the new story is not where it was")
	}
}

func TestTimelineFiltersAndPages(t *testing.T) {
	p := helloTCP(t)
	toEnd(t, p)
	all := entries(p, play.AllEvents())
	if len(all) != p.EventCount() || len(all) == 0 {
		t.Fatalf("%d entries for %d events", len(all), p.EventCount())
	}
	for i, e := range all {
		if e.Index != i || e.Kind == sock.KindUnknown || e.Text == "" && e.Kind != sock.KindListen {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	var paged []play.TimelineEntry
	for from := 0; ; from += 7 {
		page, total := p.Timeline(play.AllEvents(), from, 7)
		if total != len(all) {
			t.Fatalf("total %d, want %d", total, len(all))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
	}
	if !slices.Equal(paged, all) {
		t.Error("the pages are not the timeline")
	}
	tests := []struct {
		name string
		f    play.TimelineFilter
		ok   func(play.TimelineEntry) bool
	}{
		{"host", play.TimelineFilter{Host: "b", FD: -1}, func(e play.TimelineEntry) bool { return e.Host == "b" }},
		{"socket", play.TimelineFilter{Host: "b", Proc: "web", FD: 4}, func(e play.TimelineEntry) bool { return e.Host == "b" && e.Proc == "web" && e.FD == 4 }},
		{"kinds", play.TimelineFilter{FD: -1, Kinds: []sock.Kind{sock.KindState, sock.KindAccept}}, func(e play.TimelineEntry) bool {
			return e.Kind == sock.KindState || e.Kind == sock.KindAccept
		}},
	}
	for _, tt := range tests {
		got, total := p.Timeline(tt.f, 0, 1<<30)
		want := 0
		for _, e := range all {
			if tt.ok(e) {
				want++
			}
		}
		if want == 0 || total != want || len(got) != want {
			t.Errorf("%s: %d entries (total %d), want %d", tt.name, len(got), total, want)
		}
		for _, e := range got {
			if !tt.ok(e) {
				t.Errorf("%s: picked %+v", tt.name, e)
			}
		}
	}
}

func TestBackIsRefusedWhereThereIsNoGoingBack(t *testing.T) {
	p := helloTCP(t)
	if p.CanBack() {
		t.Error("a town at its start can go back")
	}
	if err := p.Back(); err == nil {
		t.Error("back at the start is no error")
	}
	live, err := play.New(play.Options{Name: "hello-udp", Source: "host a 10.0.0.1/24\nprocess a p\na/p: socket udp\n", Kernel: func(io.Writer) (sock.Kernel, error) {
		return netsim.New(netsim.Options{}).Kernel(), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	feed := play.NewFed("Linux", "watching", nil)
	watched, err := play.New(play.Options{Name: "watch", Feed: feed})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := play.New(play.Options{Name: "hello-udp", Source: "host a 10.0.0.1/24\n", Remote: &play.Remote{}})
	if err != nil {
		t.Fatal(err)
	}
	feed.Feed(play.Message{Type: "event", Event: play.ToWire(sock.Event{Kind: sock.KindSocket, Host: "a", Proc: "p", FD: 3, Sock: sock.SockUDP})})
	feed.Feed(play.Message{Type: "snapshot", Snapshot: &sock.Snapshot{}})
	for name, q := range map[string]*play.Player{"live": live, "feed": watched, "remote": remote} {
		for range 30 {
			q.Step()
		}
		if q.CanBack() || q.Back() == nil || q.JumpTo(0) == nil || q.BackInTime() {
			t.Errorf("%s: can back %v", name, q.CanBack())
		}
		// Their timelines still list what they saw.
		want := map[string]int{"live": 1, "feed": 1, "remote": 0}[name]
		if es := entries(q, play.AllEvents()); len(es) != want || q.EventCount() != want || want > 0 && es[0].Kind != sock.KindSocket {
			t.Errorf("%s: timeline %+v, want %d socket events", name, es, want)
		}
	}
}

func ExamplePlayer_Timeline() {
	p, _ := play.New(play.Options{Name: "udp", Source: "host a 10.0.0.1/24\nprocess a p\na/p: socket udp\na/p: bind 3 0.0.0.0:5353\n"})
	p.SetFastest(true)
	p.Tick(time.Second / 60)
	page, total := p.Timeline(play.TimelineFilter{Host: "a", Proc: "p", FD: 3}, 0, 10)
	for _, e := range page {
		fmt.Println(e.Index, e.Kind, e.Text)
	}
	fmt.Println(total, "events")
	// Output:
	// 0 socket udp
	// 1 bind 0.0.0.0:5353
	// 2 events
}
