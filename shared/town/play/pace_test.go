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

// TestPaceMeasured logs the wall time the examples take at 1x: from
// hello-tcp's first SYN to the server's close of fd 4, and each
// scenario's whole story.
func TestPaceMeasured(t *testing.T) {
	for _, name := range []string{"hello-tcp", "hello-udp", "errors", "poll-udp"} {
		s := watch(example(t, name), 10*time.Minute)
		if name == "hello-tcp" {
			t.Logf("hello-tcp: first SYN at %.2f s, b/web closes fd 4 at %.2f s: %.2f s apart",
				s.firstSYN.Seconds(), s.at("$ b/web: close 4").Seconds(), (s.at("$ b/web: close 4") - s.firstSYN).Seconds())
		}
		t.Logf("%s: the whole story in %.2f s", name, s.done.Seconds())
	}
}
