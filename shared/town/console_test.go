package town

import (
	"image"
	"strings"
	"testing"
	"time"

	"github.com/ebitenui/ebitenui/event"

	"socketville/examples"
	"socketville/shared/town/play"
)

// TestConsoleWrapsLongLines wraps a console line too long for its width:
// every row fits, no character is lost, and the rows shown are whole
// lines, newest last.
func TestConsoleWrapsLongLines(t *testing.T) {
	long := `=> 1000 from 10.0.0.1:49152 "abcdefghijklmnopqrstuvwxyz0123456789bcdefghijklm"...   (b/receiver: recvfrom 3 2000 &)`
	lines := []play.ConsoleLine{{Text: "$ old line"}, {Text: long}, {Text: "$ b/web: close 4"}}
	n := len(wrapMono(long, 40)) + 1 // room for the two newest lines, not the third
	rows := consoleRows(lines, n, 40)
	var got []string
	for _, r := range rows {
		if len([]rune(r.text)) > 40 {
			t.Errorf("row %q is wider than 40 columns", r.text)
		}
		got = append(got, strings.TrimSpace(r.text))
	}
	if n < 3 || len(rows) != n || got[n-1] != "$ b/web: close 4" {
		t.Fatalf("%d rows %q", n, got)
	}
	if strings.ReplaceAll(strings.Join(got[:n-1], ""), " ", "") != strings.ReplaceAll(long, " ", "") {
		t.Errorf("the long line lost characters: %q", got[:n-1])
	}
}

// TestStatusSaysWhenThePaceDoesNotHold plays tcp-errors at 1x until a
// quiet stretch of SYN retries is skipped: the status line says so, in a
// shorter form in a narrow town; once the story is over and its clock
// stands still, it says the story is done.
func TestStatusSaysWhenThePaceDoesNotHold(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := examples.Find("tcp-errors")
	p, err := play.New(play.Options{Name: ex.Name, Source: ex.Source})
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{fonts: f, scale: 1, player: p, hover: -1}
	wide, narrow := image.Rect(0, 40, 1100, 630), image.Rect(0, 40, 420, 480)
	for i := 0; i < 60*120 && !p.Skipping(); i++ {
		p.Tick(time.Second / 60)
	}
	if !p.Skipping() {
		t.Fatal("tcp-errors skipped no quiet stretch in two minutes at 1x")
	}
	if got := g.statusLabel(wide).text; !strings.Contains(got, "playing at 1x · skipping ahead: no letter on the roads") {
		t.Errorf("skipping, the wide status says %q", got)
	}
	if got := g.statusLabel(narrow).text; !strings.HasSuffix(got, "playing at 1x · skipping ahead") {
		t.Errorf("skipping, the narrow status says %q", got)
	}
	for i := 0; i < 60*600 && !p.Idle(); i++ {
		p.Tick(time.Second / 60)
	}
	if got := g.statusLabel(wide).text; !p.Idle() || !strings.Contains(got, "story done · type a line or pick another") || strings.Contains(got, "playing") {
		t.Errorf("the story over (idle %v), the status says %q", p.Idle(), got)
	}
	if got := g.statusLabel(image.Rect(0, 40, 300, 480)).text; !strings.HasSuffix(got, "story done") {
		t.Errorf("the story over, the narrow status says %q", got)
	}
}

// TestALineTypedTwiceRunsTwice types the same line into the console's
// input twice, as lesson 6's hint asks (accept 3, twice): each Enter runs
// it, and the server gets fd 4 and then fd 5.
func TestALineTypedTwiceRunsTwice(t *testing.T) {
	g := lessonTown(t, 6, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	for _, l := range []string{"c1/app: socket tcp", "c1/app: connect 3 10.0.0.1:80", "c2/app: socket tcp", "c2/app: connect 3 10.0.0.1:80"} {
		g.exec(l)
		frames(g, 600, func(State) bool { return !g.player.Busy() })
	}
	for range 2 {
		g.w.input.Focus(true)
		g.w.input.SetText("s/server: accept 3")
		g.w.input.Submit()
		event.ExecuteDeferred() // as the UI's update does
		frames(g, 600, func(State) bool { return !g.player.Busy() })
	}
	var echoes int
	console := g.State().Console
	for _, l := range console {
		if l == "$ s/server: accept 3" {
			echoes++
		}
	}
	joined := strings.Join(console, "\n")
	if echoes != 2 || !strings.Contains(joined, "=> 4 from") || !strings.Contains(joined, "=> 5 from") {
		t.Errorf("accept 3 typed twice: echoed %d times; console:\n%s", echoes, strings.Join(lastN(console, 12), "\n"))
	}
}

func lastN(l []string, n int) []string { return l[max(len(l)-n, 0):] }
