package play_test

import (
	"strings"
	"testing"
	"time"

	"socketville/shared/town/play"
)

// frame is the made-up wall time of one frame at 60 frames a second.
const frame = time.Second / 60

// story is what a scenario's run looked like on the wall clock.
type story struct {
	firstSYN time.Duration // the first SYN letter on a road; -1 if none
	done     time.Duration // the scenario's lines all carried out; -1 if not
	// lines holds the wall time each console line was added at.
	lines []timedLine
}

type timedLine struct {
	wall time.Duration
	line play.ConsoleLine
}

// at is the wall time of the first console line starting with prefix, or -1.
func (s story) at(prefix string) time.Duration {
	for _, l := range s.lines {
		if strings.HasPrefix(l.line.Text, prefix) {
			return l.wall
		}
	}
	return -1
}

// watch ticks p frame by frame for at most limit of wall time, or until
// its scenario is done, and notes when things showed.
func watch(p *play.Player, limit time.Duration) story {
	s := story{firstSYN: -1, done: -1}
	c := p.Console()
	seen := c.Added()
	start := p.Wall()
	for p.Wall()-start < limit {
		p.Tick(frame)
		w := p.Wall() - start
		if s.firstSYN < 0 {
			for _, l := range p.Animation().Letters {
				if l.Kind == play.LetterSYN {
					s.firstSYN = w
				}
			}
		}
		if n := c.Added() - seen; n > 0 {
			for _, l := range c.Lines[max(len(c.Lines)-n, 0):] {
				s.lines = append(s.lines, timedLine{wall: w, line: l})
			}
			seen = c.Added()
		}
		if !p.Busy() {
			s.done = w
			break
		}
	}
	return s
}

// BenchmarkPace measures the wall time the examples take at 1x, with the
// made-up 60 frames a second the town's Update runs at: from hello-tcp's
// first SYN to the server's close of fd 4, and each scenario's whole
// story. Before the pace was set by lines and letters these were 3.5 s;
// and 1.6 s, 0.13 s and 1.4 s for hello-udp, errors and poll-udp.
func BenchmarkPace(b *testing.B) {
	for range b.N {
		for _, name := range []string{"hello-tcp", "hello-udp", "errors", "poll-udp"} {
			s := watch(example(b, name), 10*time.Minute)
			if name == "hello-tcp" {
				b.ReportMetric(synToClose(s).Seconds(), "hello-tcp-syn-to-close-s")
			}
			b.ReportMetric(s.done.Seconds(), name+"-story-s")
		}
	}
}

// synToClose is the wall time from hello-tcp's first SYN on the road to
// the server's close of its connection's fd 4.
func synToClose(s story) time.Duration { return s.at("$ b/web: close 4") - s.firstSYN }

// TestPaceAtOneX plays hello-tcp at 1x: its first connection, from the
// SYN to the server's close, takes 10 to 25 s of wall time (19 s today:
// eleven lines of a second each, the letters' trips beside them, and the
// captions' reading time),
// while its closing run 2m, quiet but for TIME-WAIT's end, is over in a
// few seconds.
func TestPaceAtOneX(t *testing.T) {
	s := watch(helloTCP(t), 10*time.Minute)
	if d := synToClose(s); s.firstSYN < 0 || d < 10*time.Second || d > 25*time.Second {
		t.Fatalf("SYN at %v, fd 4 closed %v later; want 10 to 25 s", s.firstSYN, d)
	}
	if d := s.done - s.at("$ run 2m"); s.done < 0 || d > 10*time.Second {
		t.Fatalf("the quiet run 2m took %v of wall time", d)
	}
}

// TestEachLineHasItsTime checks that at 1x the examples' lines show up in
// the console at least LineTime apart (BackgroundTime after a line run
// in the background), and that each letter is on its road for at least
// TripTime (less a frame for when in a frame it left).
func TestEachLineHasItsTime(t *testing.T) {
	for _, name := range []string{"hello-tcp", "hello-udp", "errors", "poll-udp", "two-clients"} {
		t.Run(name, func(t *testing.T) {
			p := example(t, name)
			var last time.Duration = -1
			least := play.LineTime // before the next line may show
			var lines int
			c := p.Console()
			seen := c.Added()
			type trip struct{ from, to time.Duration }
			trips := map[int]*trip{}
			for p.Busy() && p.Wall() < 10*time.Minute {
				p.Tick(frame)
				for _, l := range p.Animation().Letters {
					if l.Lost {
						delete(trips, l.ID)
						continue
					}
					if trips[l.ID] == nil {
						trips[l.ID] = &trip{from: p.Wall()}
					}
					trips[l.ID].to = p.Wall()
				}
				for _, l := range c.Lines[len(c.Lines)-(c.Added()-seen):] {
					if l.Kind != play.LineInput {
						continue
					}
					if last >= 0 && p.Wall()-last < least {
						t.Errorf("%q came %v after the line before", l.Text, p.Wall()-last)
					}
					last = p.Wall()
					least = play.LineTime
					if strings.HasSuffix(l.Text, " &") {
						least = play.BackgroundTime
					}
					lines++
				}
				seen = c.Added()
			}
			if lines < 5 {
				t.Fatalf("only %d lines shown", lines)
			}
			for id, tr := range trips {
				// A letter is seen on the road from the frame it
				// left in to the frame before it landed.
				if d := tr.to - tr.from + frame; d < play.TripTime-frame && tr.to < p.Wall() {
					t.Errorf("letter %d was on the road for %v", id, d)
				}
			}
		})
	}
}

// TestTenTimesFaster plays hello-tcp at 10x: its first connection is over
// in about a tenth of the time it takes at 1x (frames of 1/60 s round
// each wait up, so not exactly).
func TestTenTimesFaster(t *testing.T) {
	one := synToClose(watch(helloTCP(t), 10*time.Minute))
	p := helloTCP(t)
	p.SetSpeed(10)
	ten := synToClose(watch(p, 10*time.Minute))
	ratio := float64(one) / float64(ten)
	t.Logf("1x: %v; 10x: %v; %.2f times faster", one, ten, ratio)
	if ratio < 8 || ratio > 12 {
		t.Fatalf("1x takes %v, 10x %v: %.1f times faster, want about 10", one, ten, ratio)
	}
}

// TestStepCarriesOutOneThing steps hello-tcp from its start: each step
// starts one line, or lets one thing happen, whatever the gate.
func TestStepCarriesOutOneThing(t *testing.T) {
	p := helloTCP(t)
	c := p.Console()
	for _, want := range []string{"$ b/web: socket tcp", "$ b/web: bind 3 0.0.0.0:80", "$ b/web: listen 3 16", "$ a/browser: socket tcp", "$ a/browser: connect 3 10.0.0.2:80"} {
		before := c.Added()
		p.Step()
		var input []string
		for _, l := range c.Lines[len(c.Lines)-(c.Added()-before):] {
			if l.Kind == play.LineInput {
				input = append(input, l.Text)
			}
		}
		if len(input) != 1 || input[0] != want {
			t.Fatalf("a step showed %q, want %q alone", input, want)
		}
		if !p.Paused() || p.Now() != 0 {
			t.Fatalf("after a step: paused %v at %v", p.Paused(), p.Now())
		}
	}
	// The SYN is on the road: the next step lands it.
	events := p.Animation().Events()
	p.Step()
	if p.Animation().Events() == events || p.Now() != 5*time.Millisecond {
		t.Fatalf("the step after connect left the clock at %v", p.Now())
	}
}

// TestSpeedChangeTakesEffectAtOnce slows hello-tcp to 0.1x, where a line
// waits ten seconds for the next, then speeds it to 10x: the next line
// comes within a tenth of a second, not ten seconds later.
func TestSpeedChangeTakesEffectAtOnce(t *testing.T) {
	p := helloTCP(t)
	p.SetSpeed(play.MinSpeed)
	p.Tick(frame) // b/web: socket tcp
	p.SetSpeed(10)
	s := watch(p, 10*time.Second)
	if at := s.at("$ b/web: bind"); at < 0 || at > 150*time.Millisecond {
		t.Fatalf("bind came %v after the switch to 10x", at)
	}
}

// TestTimeStandsStillWhenTheStoryIsDone plays hello-tcp at 100x to its
// end: with no line waiting, no letter on a road and nothing scheduled,
// a minute of frames leaves the clock where it is (it used to run on to
// t = 229m). A typed line that sends a letter sets it going again, and it
// stops once more when the letter has landed.
func TestTimeStandsStillWhenTheStoryIsDone(t *testing.T) {
	p := helloTCP(t)
	p.SetSpeed(play.MaxSpeed)
	if s := watch(p, 10*time.Minute); s.done < 0 {
		t.Fatal("hello-tcp is not done after ten minutes of frames")
	}
	frames(p, 5*time.Second) // the last letters land, TIME-WAIT ends
	if !p.Idle() {
		t.Fatalf("hello-tcp done at t = %v, and not idle", p.Now())
	}
	done := p.Now()
	t.Logf("hello-tcp at 100x: done and idle at t = %v", done)
	frames(p, time.Minute)
	if p.Now() != done || !p.Idle() {
		t.Fatalf("a minute at 100x after the story ended took the clock from %v to %v", done, p.Now())
	}
	execAll(t, p, "process a p2", "a/p2: socket udp", `a/p2: sendto 3 10.0.0.2:9 "x"`)
	if p.Idle() {
		t.Fatal("idle with a letter just sent")
	}
	frames(p, 5*time.Second)
	moved := p.Now()
	if moved <= done || !p.Idle() {
		t.Fatalf("after a typed sendto: t = %v (was %v), idle %v", moved, done, p.Idle())
	}
	p.SetSpeed(1)
	frames(p, 10*time.Second)
	if p.Now() != moved {
		t.Fatalf("idle at 1x, the clock went from %v to %v", moved, p.Now())
	}
}

// TestSkippingIsSaid plays hello-tcp at 1x: its quiet run 2m is skipped
// through in a few seconds, and Skipping says so for those frames, while
// the handshake's lines and letters are not skipped; paused, nothing is.
func TestSkippingIsSaid(t *testing.T) {
	p := helloTCP(t)
	var skipped, beforeRun time.Duration
	ran := false
	c := p.Console()
	for i := 0; i < 60*600 && p.Busy(); i++ {
		p.Tick(frame)
		if c.Lines[len(c.Lines)-1].Text == "$ run 2m" {
			ran = true
		}
		if p.Skipping() {
			skipped += frame
			if !ran {
				beforeRun += frame
			}
		}
	}
	t.Logf("skipping for %v of wall time, %v of it before run 2m", skipped, beforeRun)
	if skipped < 2*time.Second || skipped > 10*time.Second || beforeRun > time.Second {
		t.Fatalf("skipping for %v of wall time, %v of it before run 2m", skipped, beforeRun)
	}
	p.Restart()
	frames(p, 3*time.Second)
	p.SetPaused(true)
	p.Tick(frame)
	if p.Skipping() {
		t.Fatal("paused, and skipping")
	}
}

// TestBackgroundLinesGoQuickly plays lossy-udp at 1x: its fourteen
// recvfrom ... & lines return at once and take BackgroundTime each, so
// its first letter is on the road some 8 s in (socket, bind, the reads,
// socket, connect, send, and the captions' reading time), not after the
// 18 s a full LineTime each took.
func TestBackgroundLinesGoQuickly(t *testing.T) {
	p := example(t, "lossy-udp")
	for p.Wall() < 30*time.Second && len(p.Animation().Letters) == 0 {
		p.Tick(frame)
	}
	t.Logf("the first letter on the road after %v", p.Wall())
	if len(p.Animation().Letters) == 0 || p.Wall() > 10*time.Second {
		t.Fatalf("lossy-udp's first letter on the road after %v, want within 10 s", p.Wall())
	}
	reads := 0
	for _, l := range p.Console().Lines {
		if l.Text == "$ b/receiver: recvfrom 3 2000 &" {
			reads++
		}
	}
	if reads != 14 {
		t.Fatalf("%d background reads shown before the first letter, want all 14", reads)
	}
}

// TestCaptionsStayToBeRead plays examples at 1x and times each caption:
// once the story has started, none gives way to the next before a
// learner reading 400 words a minute has read it.
func TestCaptionsStayToBeRead(t *testing.T) {
	for _, name := range []string{"hello-tcp", "two-clients", "tcp-errors", "lossy-udp"} {
		p := example(t, name)
		p.Step() // the story has started: the opening words were read paused
		p.SetPaused(false)
		last, since, opening := p.Caption(), p.Wall(), true
		for p.Wall() < 5*time.Minute && p.Busy() {
			p.Tick(frame)
			if c := p.Caption(); c != last {
				words := len(strings.Fields(last))
				want := 500*time.Millisecond + time.Duration(words)*150*time.Millisecond
				if shown := p.Wall() - since; !opening && shown+frame < want {
					t.Errorf("%s: %q (%d words) was shown %v, want at least %v", name, last, words, shown, want)
				}
				last, since, opening = c, p.Wall(), false
			}
		}
	}
}
