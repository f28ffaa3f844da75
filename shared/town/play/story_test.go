package play

import (
	"os"
	"strings"
	"testing"
	"time"

	"socketville/shared/script"
)

// TestPaceKeepsTheStory plays each example at 1x and checks that its
// events are those of a plain run, time stamps and all: the pace changes
// the wall time a story takes, never the story.
func TestPaceKeepsTheStory(t *testing.T) {
	for _, name := range []string{"hello-tcp", "hello-udp", "errors", "poll-udp", "two-clients", "router", "tcp-errors", "lossy-udp"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile("../../../examples/" + name + ".sv")
			if err != nil {
				t.Fatal(err)
			}
			s, err := script.Parse(name, strings.NewReader(string(src)))
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			pr := script.NewTextPrinter(&want)
			r := script.NewRunner(script.Options{Sink: eventsOnly{pr}})
			if err := r.Run(s); err != nil {
				t.Fatal(err)
			}

			p, err := New(Options{Name: name, Source: string(src)})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			p.r.Kernel().Observe(script.NewTextPrinter(&got).Event)
			for i := 0; i < 60*600 && p.Busy(); i++ {
				p.Tick(time.Second / 60)
			}
			if p.Busy() {
				t.Fatal("not done after ten minutes of frames")
			}
			if want.Len() == 0 || !strings.HasPrefix(got.String(), want.String()) {
				t.Fatalf("played at 1x:\n%s\nrun:\n%s", got.String(), want.String())
			}
		})
	}
}

// eventsOnly passes a sink the events and not the lines.
type eventsOnly struct{ script.Sink }

func (eventsOnly) Line(script.LineRecord) {}
