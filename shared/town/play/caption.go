package play

import (
	"strings"
	"time"

	"socketville/shared/script"
)

// A scenario explains itself in "#" comments: each comment block explains
// the lines after it, up to the next comment. The town shows the block in
// force as a caption beside the steps it explains, so a learner reads the
// author's words while the town acts them out.

// caption is one comment block and the source line it starts on.
type caption struct {
	line  int
	text  string   // the block as one paragraph
	lines []string // as written, for the console
}

// captions follow a scenario's comment blocks as its lines are carried
// out.
type captions struct {
	blocks []caption
	src    []string // the scenario's lines, to tell its own lines from typed ones
	at     int      // the block in force, -1 before the first
	shown  int      // the block last printed in the console, -1 for none
}

// newCaptions reads the comment blocks of a scenario's text. The first
// block is in force from the start: it says what the whole story is.
func newCaptions(src string) captions {
	c := captions{src: strings.Split(src, "\n"), at: -1, shown: -1}
	var block []string
	start := 0
	flush := func() {
		if len(block) > 0 {
			c.blocks = append(c.blocks, caption{line: start, text: strings.Join(block, " "), lines: block})
		}
		block = nil
	}
	for i, l := range c.src {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "#") {
			flush()
			continue
		}
		if len(block) == 0 {
			start = i + 1
		}
		block = append(block, strings.TrimSpace(strings.TrimLeft(t, "#")))
	}
	flush()
	if len(c.blocks) > 0 {
		c.at = 0
	}
	return c
}

// blockOf is the block in force while the scenario's line number line is
// carried out: the last that starts above it, -1 for none.
func (c *captions) blockOf(line int) int {
	at := -1
	for i, b := range c.blocks {
		if b.line < line {
			at = i
		}
	}
	return at
}

// changesAt reports whether carrying out the scenario's line number line
// puts a new caption in force.
func (c *captions) changesAt(line int) bool {
	at := c.blockOf(line)
	return at >= 0 && at != c.at
}

// readingTime is how long, at 1x, a caption stays before the next one may
// replace it: half a second and 150 ms a word (400 words a minute: the
// learner reads it while the town acts it out), so a short block of
// lines does not take its words away before they are read.
func readingTime(text string) time.Duration {
	return 500*time.Millisecond + time.Duration(len(strings.Fields(text)))*150*time.Millisecond
}

// text is the caption in force, "" when the scenario has no comments.
func (c *captions) text() string {
	if c.at < 0 {
		return ""
	}
	return c.blocks[c.at].text
}

// all are every caption of the scenario, in order.
func (c *captions) all() []string {
	out := make([]string, len(c.blocks))
	for i, b := range c.blocks {
		out[i] = b.text
	}
	return out
}

// record moves the caption on as a scenario line is carried out, and
// reports the comment lines, as written, of a caption that came into
// force and is not yet in the console (the opening one comes with the
// first line). Typed lines and results leave it where it is.
func (c *captions) record(r script.LineRecord) ([]string, bool) {
	if r.Phase != script.PhaseWorld && r.Phase != script.PhaseIssued {
		return nil, false
	}
	if r.Line < 1 || r.Line > len(c.src) || !strings.Contains(c.src[r.Line-1], r.Text) {
		return nil, false // a typed line: it is not the story's
	}
	at := c.blockOf(r.Line)
	if at < 0 || at == c.shown {
		return nil, false
	}
	c.at, c.shown = at, at
	return c.blocks[at].lines, true
}

// Caption is the scenario's comment in force: the block of "#" lines
// written above the line being carried out (before the first line, the
// scenario's opening comment). It is "" for a scenario without comments.
func (p *Player) Caption() string { return p.caption.text() }

// Captions are all the scenario's comment blocks, in order, so a view
// can make room for the longest before it is shown.
func (p *Player) Captions() []string { return p.caption.all() }
