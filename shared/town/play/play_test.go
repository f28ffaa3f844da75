package play_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"

	"socketville/shared/town/play"
)

func helloTCP(t *testing.T) *play.Player { return example(t, "hello-tcp") }

// example plays examples/NAME.sv.
func example(t testing.TB, name string) *play.Player {
	t.Helper()
	src, err := os.ReadFile("../../../examples/" + name + ".sv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := play.New(play.Options{Name: name, Source: string(src)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// frames ticks the player at 60 frames a second for d of wall time and
// returns the most letters seen on the roads at once.
func frames(p *play.Player, d time.Duration) int {
	most := 0
	for w := time.Duration(0); w < d; w += time.Second / 60 {
		p.Tick(time.Second / 60)
		most = max(most, len(p.Animation().Letters))
	}
	return most
}

func TestPaceShowsLettersOnTheRoad(t *testing.T) {
	p := helloTCP(t)
	if most := frames(p, 6*time.Second); most == 0 {
		t.Fatal("no letter was on a road in 6 s at 1x")
	}
	// At 1x four lines take four seconds (and a caption its reading
	// time), and a letter a second on the road: after 6 s the handshake
	// is under way but the 60 s TIME-WAIT has not begun.
	if now := p.Now(); now == 0 || now > 60*time.Second {
		t.Fatalf("virtual time after 6 s at 1x is %v", now)
	}
}

func TestSnapshotShowsAcceptedDoorOnSamePort(t *testing.T) {
	p := helloTCP(t)
	for i := 0; i < 100000 && !hasState(p.Snapshot(), "b", "ESTABLISHED"); i++ {
		p.Step()
	}
	var ports []string
	for _, s := range socketsOf(p.Snapshot(), "b", "web") {
		ports = append(ports, s.State.String()+":"+s.Local.String())
	}
	got := strings.Join(ports, " ")
	if got != "LISTEN:0.0.0.0:80 ESTABLISHED:10.0.0.2:80" {
		t.Fatalf("b/web's doors: %s", got)
	}
}

func hasState(s sock.Snapshot, host, state string) bool {
	for _, h := range s.Hosts {
		for _, p := range h.Processes {
			for _, so := range p.Sockets {
				if h.Name == host && so.State.String() == state {
					return true
				}
			}
		}
	}
	return false
}

func socketsOf(s sock.Snapshot, host, proc string) []sock.SocketState {
	for _, h := range s.Hosts {
		for _, p := range h.Processes {
			if h.Name == host && p.Name == proc {
				return p.Sockets
			}
		}
	}
	return nil
}

func TestPauseStopsVirtualTime(t *testing.T) {
	p := helloTCP(t)
	frames(p, time.Second)
	p.SetPaused(true)
	before := p.Now()
	frames(p, time.Second)
	if p.Now() != before {
		t.Fatalf("paused, yet time went from %v to %v", before, p.Now())
	}
}

func TestSpeedScalesPace(t *testing.T) {
	slow, fast := helloTCP(t), helloTCP(t)
	fast.SetSpeed(10)
	frames(slow, time.Second)
	frames(fast, time.Second)
	if fast.Now() <= slow.Now() {
		t.Fatalf("10x reached %v, 1x %v", fast.Now(), slow.Now())
	}
	fast.SetSpeed(1e6)
	if s, _ := fast.Speed(); s != play.MaxSpeed {
		t.Fatalf("speed 1e6 gave %v, want the %v cap", s, play.MaxSpeed)
	}
}

func TestFastestFinishesTheScenario(t *testing.T) {
	p := helloTCP(t)
	p.SetFastest(true)
	frames(p, time.Second)
	if p.Busy() {
		t.Fatal("as fast as possible, hello-tcp is not done after a second of frames")
	}
	if p.Now() < 2*time.Minute {
		t.Fatalf("virtual time %v, want past the scenario's run 2m", p.Now())
	}
}

func TestConsole(t *testing.T) {
	p := helloTCP(t)
	p.SetFastest(true)
	frames(p, time.Second)
	if err := p.Exec("b/web: bind 3 0.0.0.0:80"); err != nil {
		t.Fatal(err)
	}
	frames(p, 100*time.Millisecond)
	if err := p.Exec("b/web: bnd 3"); err == nil {
		t.Fatal("a typo was accepted")
	}
	p.Exec("a/browser: socket tcp")
	frames(p, 100*time.Millisecond)
	lines := p.Console().Lines
	var text []string
	for _, l := range lines[max(len(lines)-8, 0):] {
		text = append(text, l.Text)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"$ b/web: bind 3 0.0.0.0:80", "=> bind: EINVAL: invalid argument", "bnd", "$ a/browser: socket tcp", "=> 3"} {
		if !strings.Contains(all, want) {
			t.Errorf("console lacks %q:\n%s", want, all)
		}
	}
	c := p.Console()
	if got := c.Prev(); got != "a/browser: socket tcp" {
		t.Errorf("up: %q", got)
	}
	if got := c.Prev(); got != "b/web: bnd 3" {
		t.Errorf("up twice: %q", got)
	}
	if got := c.Next(); got != "a/browser: socket tcp" {
		t.Errorf("down: %q", got)
	}
	if got := c.Next(); got != "" {
		t.Errorf("down past the newest: %q", got)
	}
}

func TestBadScenarioKeepsTheOldOne(t *testing.T) {
	p := helloTCP(t)
	frames(p, time.Second)
	if err := p.Load("broken", "host a 10.0.0.1/24\nlink a nowhere\nfrobnicate\n"); err == nil {
		t.Fatal("a broken scenario loaded")
	}
	if p.Name() != "hello-tcp" {
		t.Fatalf("playing %q after a failed load", p.Name())
	}
	last := p.Console().Lines[len(p.Console().Lines)-1]
	if last.Kind != play.LineError {
		t.Fatalf("the console's last line is %+v, want the error", last)
	}
	frames(p, time.Second) // still runs
}

func TestLostLetterFalls(t *testing.T) {
	src := "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=10ms loss=100%\nprocess a p\n" +
		"a/p: socket udp\na/p: sendto 3 10.0.0.2:9 \"x\"\n"
	p, err := play.New(play.Options{Name: "lost", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5*60 && len(p.Animation().Letters) == 0; i++ {
		p.Tick(time.Second / 60) // the socket line's time on screen first
	}
	// On a link that loses everything the first letter is a's ARP
	// question for b's MAC address: the UDP letter waits for an answer
	// that never comes.
	ls := p.Animation().Letters
	if len(ls) != 1 || !ls[0].Lost || ls[0].Reason != "lost on the link" || ls[0].Kind != play.LetterARP || ls[0].Label != "who-has 10.0.0.2?" {
		t.Fatalf("letters: %+v", ls)
	}
	lost := ls[0].ID
	frames(p, 2*play.FallTime)
	// a asks again meanwhile (Linux retries an unanswered ARP request),
	// so later letters may be on the road: the fallen one must not be.
	for _, l := range p.Animation().Letters {
		if l.ID == lost {
			t.Fatalf("the lost letter is still there after the fall: %+v", l)
		}
	}
}

// TestConsoleKeepsItsLastLines fills the console past what it keeps: the
// newest lines stay, and Added still counts every line, so a view
// scrolled back can keep its place.
func TestConsoleKeepsItsLastLines(t *testing.T) {
	p := helloTCP(t)
	for i := 0; i < 400; i++ {
		p.Exec("b/web: bnd 3") // a typo: two lines each, the line and why
	}
	c := p.Console()
	if len(c.Lines) != 500 {
		t.Fatalf("the console keeps %d lines, want its 500", len(c.Lines))
	}
	if c.Added() < 800 {
		t.Fatalf("Added = %d after 400 typos of two lines", c.Added())
	}
	if last := c.Lines[len(c.Lines)-2].Text; last != "$ b/web: bnd 3" {
		t.Fatalf("the newest lines are gone: %q", last)
	}
}

// TestPollWalksPastTheDoors plays two-clients until its third poll: the
// walk names the polled fds in order and marks the one with data ready,
// as the poll call answered, and it is over after PollWalkTime.
func TestPollWalksPastTheDoors(t *testing.T) {
	p := example(t, "two-clients")
	var walk play.PollWalk
	for i := 0; i < 100000 && walk.Host == ""; i++ {
		p.Step()
		for _, w := range p.Animation().Polls {
			if len(w.FDs) == 3 {
				walk = w
			}
		}
	}
	var got []string
	for _, fd := range walk.FDs {
		got = append(got, fmt.Sprintf("%d:%s", fd.FD, fd.Revents))
	}
	if walk.Host != "s" || walk.Proc != "server" || strings.Join(got, " ") != "3:- 4:IN 5:-" {
		t.Fatalf("the poll of three doors: %s/%s %v", walk.Host, walk.Proc, got)
	}
	if walk.Progress(walk.Wall) != 0 || walk.Progress(walk.Wall+play.PollWalkTime) != 1 {
		t.Fatalf("the walk's progress runs from 0 to 1 over PollWalkTime")
	}
	p.SetPaused(false)
	frames(p, play.PollWalkTime+time.Second/10)
	for _, w := range p.Animation().Polls {
		if w.Wall == walk.Wall && len(w.FDs) == 3 {
			t.Fatal("the walk is still there after PollWalkTime")
		}
	}
}

// TestPickedWhilePausedShowsItsTown loads a scenario while paused: its
// plots and houses are there at once, and its story waits for Play.
func TestPickedWhilePausedShowsItsTown(t *testing.T) {
	p := helloTCP(t)
	p.SetPaused(true)
	src, err := os.ReadFile("../../../examples/poll-udp.sv")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Load("poll-udp", string(src)); err != nil {
		t.Fatal(err)
	}
	frames(p, time.Second)
	var town []string
	for _, h := range p.Snapshot().Hosts {
		for _, pr := range h.Processes {
			town = append(town, h.Name+"/"+pr.Name+fmt.Sprintf(":%d", len(pr.Sockets)))
		}
	}
	if got := strings.Join(town, " "); got != "client1/echo:0 client2/daytime:0 server/inetd:0" {
		t.Fatalf("the town while paused: %q", got)
	}
	if len(p.Snapshot().Links) != 2 {
		t.Fatalf("roads while paused: %+v", p.Snapshot().Links)
	}
	if p.Now() != 0 || !p.Busy() {
		t.Fatalf("the story moved while paused: t = %v, busy %v", p.Now(), p.Busy())
	}
	if err := p.Restart(); err != nil || len(p.Snapshot().Hosts) != 3 {
		t.Fatalf("after Restart, %d plots (%v)", len(p.Snapshot().Hosts), err)
	}
}

// TestCurrentLineFollowsTheStory checks CurrentLine: after Load it is the
// last line that built the town, each step moves it to the line started,
// and a typed line leaves it alone.
func TestCurrentLineFollowsTheStory(t *testing.T) {
	p := helloTCP(t)
	// The lines up to "process b web root" build the town; the story
	// starts with the server's socket call, then its bind.
	built, first, second := sourceLine(t, p, "process b web root"), sourceLine(t, p, "b/web: socket tcp"), sourceLine(t, p, "b/web: bind 3")
	if got := p.CurrentLine(); got != built {
		t.Fatalf("after Load, line %d, want %d", got, built)
	}
	p.Step()
	if got := p.CurrentLine(); got != first {
		t.Fatalf("after a step, line %d, want %d", got, first)
	}
	p.Exec("a/browser: socket udp")
	p.Step()
	if got := p.CurrentLine(); got != second {
		t.Fatalf("after a typed line and a step, line %d, want %d", got, second)
	}
}

// sourceLine is the number of the scenario's first line that starts with
// prefix.
func sourceLine(t *testing.T, p *play.Player, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(p.Source(), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line %q in the scenario", prefix)
	return 0
}

// TestStartedOnlyOnceTheStoryBegins checks Started: false after Load (the
// town is built, the story waits), true once its first line has started,
// false again after Restart.
func TestStartedOnlyOnceTheStoryBegins(t *testing.T) {
	p := helloTCP(t)
	p.SetPaused(true)
	if p.Started() || len(p.Snapshot().Hosts) == 0 {
		t.Fatalf("after Load: started %v with %d plots", p.Started(), len(p.Snapshot().Hosts))
	}
	p.Step()
	if !p.Started() {
		t.Fatal("a step started the story, and Started says no")
	}
	if err := p.Restart(); err != nil || p.Started() {
		t.Fatalf("after Restart: started %v (%v)", p.Started(), err)
	}
}
