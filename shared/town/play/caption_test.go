package play_test

import (
	"strings"
	"testing"

	"socketville/shared/town/play"
)

// TestCaptionFollowsTheStory steps hello-tcp: before its first line the
// caption is the opening comment, and once the second connection starts
// it is the comment written above it; each caption is printed in the
// console, as written, once, before the line it explains.
func TestCaptionFollowsTheStory(t *testing.T) {
	p := helloTCP(t)
	if c := p.Caption(); !strings.HasPrefix(c, "TCP: a browser fetches a page") {
		t.Fatalf("first caption %q", c)
	}
	for i := 0; i < 100000 && p.Busy() && !strings.Contains(p.Caption(), "second connection"); i++ {
		p.Step()
	}
	if c := p.Caption(); !strings.HasPrefix(c, "The listening door never moved") {
		t.Fatalf("caption at the second connection %q", c)
	}
	var console []string
	for _, l := range p.Console().Lines {
		console = append(console, l.Text)
	}
	all := strings.Join(console, "\n")
	if n := strings.Count(all, "# TCP: a browser"); n != 1 {
		t.Errorf("the opening comment is in the console %d times:\n%s", n, all)
	}
	open := strings.Index(all, "# TCP: a browser")
	host := strings.Index(all, "$ host a 10.0.0.1/24")
	second := strings.Index(all, "# The listening door never moved")
	if open < 0 || host < open || second < host {
		t.Errorf("captions not before the lines they explain:\n%s", all)
	}
	if got := len(p.Captions()); got != 8 {
		t.Errorf("hello-tcp has %d captions, want its 8 comment blocks: %q", got, p.Captions())
	}
}

// TestCaptionIgnoresTypedLines types a line numbered like one of the
// story's: the caption stays the story's, and the next comment is not
// printed before its time.
func TestCaptionIgnoresTypedLines(t *testing.T) {
	src := "# one\n# more of one\nhost a 10.0.0.1/24\nrun 1s\n# two\nprocess a p\n"
	p, err := play.New(play.Options{Name: "t", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	p.SetPaused(true)
	_ = p.Exec("host b 10.0.0.2/24") // the console's line 3, while the story waits in "run 1s"
	if p.Caption() != "one more of one" {
		t.Errorf("caption %q after a typed line", p.Caption())
	}
	for _, l := range p.Console().Lines {
		if l.Text == "# two" {
			t.Errorf("the second comment came with a typed line")
		}
	}
}
