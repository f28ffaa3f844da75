package town

import (
	"image"
	"strings"
	"testing"
	"time"

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
