package play_test

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// wallKernel is a simulator whose clock is the wall's, as an OS
// kernel's is: time passes whether or not anyone runs it.
type wallKernel struct {
	sock.Kernel
	start  time.Time
	closed *int
}

func (k *wallKernel) Now() time.Duration {
	k.Kernel.RunUntil(time.Since(k.start))
	return k.Kernel.Now()
}
func (k *wallKernel) RunUntil(t time.Duration) { k.Kernel.RunUntil(max(t, k.Kernel.Now())) }
func (k *wallKernel) Close() error             { *k.closed++; return nil }
func (k *wallKernel) Label() string            { return "Wall 1.0 · test" }

// TestLiveKernel: a kernel of its own is made at each load and closed
// before the next, its notes go to the console, the speed controls do
// nothing, a frame never waits on the kernel, and the lines still come
// one LineTime apart.
func TestLiveKernel(t *testing.T) {
	src, err := os.ReadFile("../../../examples/hello-udp.sv")
	if err != nil {
		t.Fatal(err)
	}
	made, closed := 0, 0
	p, err := play.New(play.Options{Name: "hello-udp", Source: string(src), Kernel: func(notes io.Writer) (sock.Kernel, error) {
		made++
		fmt.Fprintf(notes, "# kernel number %d\n", made)
		return &wallKernel{Kernel: netsim.New(netsim.Options{}).Kernel(), start: time.Now(), closed: &closed}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Live() || p.KernelLabel() != "Wall 1.0 · test" || p.KernelName() != "simulator" {
		t.Fatalf("live %v, label %q, name %q", p.Live(), p.KernelLabel(), p.KernelName())
	}
	p.SetSpeed(50)
	p.SetFastest(true)
	if s, f := p.Speed(); s != 1 || f {
		t.Errorf("speed %v fastest %v on a live kernel, want 1x", s, f)
	}
	start := time.Now()
	for range 150 { // 2.5 s of frames, as fast as they go
		p.Tick(time.Second / 60)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("150 frames took %v: a frame waited on the kernel", d)
	}
	if n := p.CurrentLine(); n == 0 {
		t.Errorf("no scenario line started in 2.5 s of frames")
	}
	first := p.CurrentLine()
	p.Tick(time.Second / 60)
	if p.CurrentLine() != first {
		t.Errorf("a line started one frame after the last")
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if made != 2 || closed != 1 {
		t.Errorf("after a restart: %d kernels made, %d closed; want 2 and 1", made, closed)
	}
	var notes []string
	for _, l := range p.Console().Lines {
		if strings.HasPrefix(l.Text, "# kernel number") {
			notes = append(notes, l.Text)
		}
	}
	if len(notes) != 2 {
		t.Errorf("kernel notes in the console: %q", notes)
	}
	p.SetPaused(true)
	at := p.CurrentLine()
	for range 120 {
		p.Tick(time.Second / 60)
	}
	if p.CurrentLine() != at {
		t.Errorf("paused, the story went on from line %d to %d", at, p.CurrentLine())
	}
	p.Step()
	if p.CurrentLine() == at {
		t.Errorf("Step started no line")
	}
	if err := p.Exec("run 10s"); err != nil {
		t.Fatal(err)
	}
	if last := p.Console().Lines[len(p.Console().Lines)-1].Text; !strings.Contains(last, "wall") {
		t.Errorf("run on a live kernel: the console says %q", last)
	}
	if err := p.Close(); err != nil || closed != 2 {
		t.Errorf("Close: %v, %d closed", err, closed)
	}
}
