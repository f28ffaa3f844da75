package play_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// tickKernel is a simulator whose clock is the test's wall clock, as an
// OS kernel's is the machine's: it runs up to *clock whenever asked the
// time, so a test's Ticks are real time passing.
type tickKernel struct {
	sock.Kernel
	clock *time.Duration
}

func (k *tickKernel) Now() time.Duration {
	k.Kernel.RunUntil(max(*k.clock, k.Kernel.Now()))
	return k.Kernel.Now()
}
func (k *tickKernel) RunUntil(t time.Duration) { k.Kernel.RunUntil(max(t, k.Kernel.Now())) }

// liveTown is two hosts on a 5 ms link (with the link options opts) on a
// live kernel whose clock the returned tick moves on with the player's.
func liveTown(t *testing.T, opts string) (p *play.Player, tick func()) {
	t.Helper()
	src := fmt.Sprintf("host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=5ms%s\nprocess a app\nprocess b echo\n", opts)
	clock := new(time.Duration)
	p, err := play.New(play.Options{Name: "slowed", Source: src, Kernel: func(io.Writer) (sock.Kernel, error) {
		return &tickKernel{Kernel: netsim.New(netsim.Options{}).Kernel(), clock: clock}, nil
	}})
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

// warmARP has a send one letter to b and waits until every letter of it
// (the ARP question, its answer, the letter itself) has left the road,
// so that a and b know each other's MAC addresses and what a sends next
// goes at once, without an ARP round trip first.
func warmARP(t *testing.T, p *play.Player, tick func()) {
	t.Helper()
	if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "warm"`); err != nil {
		t.Fatal(err)
	}
	if l := p.Animation().Letters; len(l) != 1 || l[0].Kind != play.LetterARP {
		t.Fatalf("a's first letter to b: %+v, want an ARP question", l)
	}
	for range 10 * play.TripTime / frame {
		if len(p.Animation().Letters) == 0 {
			return
		}
		tick()
	}
	t.Fatalf("letters still on the road: %+v", p.Animation().Letters)
}

// letterByID is the letter with this ID on a road, or nil.
func letterByID(p *play.Player, id int) *play.Letter {
	for _, l := range p.Animation().Letters {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// TestSlowedLetter: on a live kernel a letter on a 5 ms link is seen
// going from its door (0) to the far door (1) over about TripTime of
// wall time, although the kernel delivered it after 5 ms, and the
// kernel's own clock stays real.
func TestSlowedLetter(t *testing.T) {
	p, tick := liveTown(t, "")
	if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "hi"`); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Animation().Letters); n != 1 {
		t.Fatalf("%d letters after a sendto, want 1", n)
	}
	l := p.Animation().Letters[0]
	if !l.Slowed() || l.Trip != play.TripTime || l.Leave != p.Wall() || !l.Departed(p.Wall()) {
		t.Fatalf("letter: slowed %v, trip %v, leaves at %v (now %v)", l.Slowed(), l.Trip, l.Leave, p.Wall())
	}
	start, last := p.Wall(), -1.0
	if f := l.Progress(p.Now(), p.Wall()); f != 0 {
		t.Errorf("progress %v as it is sent, want 0", f)
	}
	for range 3 * play.TripTime / frame {
		if letterByID(p, l.ID) == nil {
			break
		}
		f := l.Progress(p.Now(), p.Wall())
		if f < last {
			t.Fatalf("progress went back from %v to %v", last, f)
		}
		last = f
		tick()
	}
	took := p.Wall() - start
	if letterByID(p, l.ID) != nil || took < play.TripTime || took > play.TripTime+2*frame {
		t.Errorf("letter on the road for %v of wall time, want about %v", took, play.TripTime)
	}
	if last < 0.98 || !l.Arrived {
		t.Errorf("the letter's last progress %v (arrived %v): it never reached the far door", last, l.Arrived)
	}
	if now := p.Now(); now != took {
		t.Errorf("the kernel's clock says %v after %v of wall time: it was slowed too", now, took)
	}
	if got := p.Snapshot().Now; got < took-time.Second/5 {
		t.Errorf("snapshot at %v after %v: the town's state lags the kernel", got, took)
	}
}

// TestSlowedDrop: a letter lost on a live kernel's link goes halfway on
// wall time, then falls, and is gone once fallen.
func TestSlowedDrop(t *testing.T) {
	p, tick := liveTown(t, " loss=100%")
	if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "hi"`); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Animation().Letters); n != 1 {
		t.Fatalf("%d letters after a sendto, want 1", n)
	}
	l := p.Animation().Letters[0]
	if !l.Lost || l.Fall(p.Wall()) != 0 {
		t.Fatalf("lost %v, fall %v as it is sent", l.Lost, l.Fall(p.Wall()))
	}
	start := p.Wall()
	fell := time.Duration(-1)
	for range 4 * play.TripTime / frame {
		if letterByID(p, l.ID) == nil {
			break
		}
		f, fall := l.Progress(p.Now(), p.Wall()), l.Fall(p.Wall())
		if fall > 0 && fell < 0 {
			fell = p.Wall() - start
		}
		if fall == 0 && f > 0.5 || fall > 0 && f != 0.5 {
			t.Fatalf("at %v: progress %v, fall %v", p.Wall()-start, f, fall)
		}
		tick()
	}
	gone := p.Wall() - start
	if fell < play.TripTime/2 || fell > play.TripTime/2+2*frame {
		t.Errorf("the letter began to fall after %v, want about %v (halfway)", fell, play.TripTime/2)
	}
	if want := play.TripTime/2 + play.FallTime; letterByID(p, l.ID) != nil || gone < want || gone > want+2*frame {
		t.Errorf("the lost letter was gone after %v, want about %v", gone, want)
	}
}

// TestSlowedQueue: letters sent at once along one road leave LetterGap
// apart, so that none hides another; an answer leaves once the letter it
// answers has arrived on screen; and none waits longer than MaxLag.
func TestSlowedQueue(t *testing.T) {
	p, tick := liveTown(t, "")
	warmARP(t, p, tick)
	for range 3 {
		if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "hi"`); err != nil {
			t.Fatal(err)
		}
	}
	ls := p.Animation().Letters
	if len(ls) != 3 {
		t.Fatalf("%d letters, want 3", len(ls))
	}
	for i, l := range ls[1:] {
		if gap := l.Leave - ls[i].Leave; gap != play.LetterGap {
			t.Errorf("letter %d leaves %v after the one before, want %v", i+2, gap, play.LetterGap)
		}
	}
	if ls[1].Departed(p.Wall()) {
		t.Errorf("the second letter left at once, on top of the first")
	}
	tick() // the kernel delivers them all: 5 ms have passed
	if err := p.Exec(`b/echo: sendto 3 10.0.0.1:9000 "back"`); err != nil {
		t.Fatal(err)
	}
	ls = p.Animation().Letters
	back := ls[len(ls)-1]
	if back.From != "b" || back.Leave != ls[0].Leave+play.TripTime+2*play.LetterGap {
		t.Errorf("b's letter leaves at %v, want when a's last arrives (%v)", back.Leave, ls[0].Leave+play.TripTime+2*play.LetterGap)
	}
	for range 40 {
		if err := p.Exec(`a/app: sendto 3 10.0.0.2:7000 "hi"`); err != nil {
			t.Fatal(err)
		}
	}
	ls = p.Animation().Letters
	if last := ls[len(ls)-1]; last.Leave != p.Wall()+play.MaxLag {
		t.Errorf("the 43rd letter leaves %v from now, want at most %v", last.Leave-p.Wall(), play.MaxLag)
	}
}

// TestSimulatorLettersUnslowed: the simulator's letters move on virtual
// time as before; the wall clock does not move them.
func TestSimulatorLettersUnslowed(t *testing.T) {
	p, err := play.New(play.Options{Name: "sim", Source: "host a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b delay=5ms\nprocess a app\n"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"a/app: socket udp", `a/app: sendto 3 10.0.0.2:7000 "hi"`} {
		if err := p.Exec(l); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.Animation().Letters) != 1 {
		t.Fatalf("%d letters, want 1", len(p.Animation().Letters))
	}
	l := p.Animation().Letters[0]
	if l.Slowed() || l.Trip != 0 || !l.Departed(0) {
		t.Errorf("a simulator's letter is slowed: trip %v", l.Trip)
	}
	now := p.Now()
	for _, wall := range []time.Duration{0, time.Second, time.Hour} {
		if f := l.Progress(now+l.Dur/2, wall); f != 0.5 {
			t.Errorf("progress %v halfway in virtual time at wall %v, want 0.5", f, wall)
		}
	}
}
