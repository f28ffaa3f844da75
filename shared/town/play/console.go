package play

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"socketville/shared/script"
)

// LineKind says what a console line is, for its colour.
type LineKind uint8

// The kinds of console lines.
const (
	LineInfo   LineKind = iota // a comment: the scenario started
	LineInput                  // a shell line as issued: "$ b/web: listen 3 16"
	LineResult                 // a call's result: "=> 4 from 10.0.0.1:49152"
	LineError                  // an error with its errno and sentence
	// LineQueued is a typed line waiting behind its process's blocked
	// line: "$ b/web: close 3   (queued behind b/web: accept 3)". It is
	// echoed again as a LineInput when it runs, then its result.
	LineQueued
)

// ConsoleLine is one line of the console.
type ConsoleLine struct {
	Kind LineKind
	Text string
}

// maxConsole is how many lines the console keeps.
const maxConsole = 500

// Console is the console's scrollback and its history of typed lines.
type Console struct {
	Lines   []ConsoleLine
	history []string
	added   int     // lines ever added, kept or not
	cursor  int     // in history; len(history) means "a new line"
	shown   []error // call errors echoed since the runner's errors were collected
	gen     int     // scenarios loaded
	// echoedNo is the typed line being started, already echoed by Exec:
	// the runner's echo of it is not shown twice.
	echoedNo int
	// issuedNo is the line whose call was echoed last, and issuedAt
	// what added was just after: a result that comes right under its
	// call needs no name, one that comes later does.
	issuedNo, issuedAt int

	// The way back (replay.go): base is what the console held when the
	// scenario was loaded, log every line since, with at, the events
	// that had happened when it came; logging says lines are logged (at
	// the head of a run that can be replayed), logShown how many of log
	// the lines show, and mute that the runner is replaying what the log
	// already has.
	base     []ConsoleLine
	log      []loggedLine
	at       int
	logging  bool
	logShown int
	mute     bool
}

// loggedLine is a console line with the events before it.
type loggedLine struct {
	at   int
	line ConsoleLine
}

// begin starts the log of a scenario just loaded; logging says whether
// its run can be replayed.
func (c *Console) begin(logging bool) {
	c.base = append([]ConsoleLine(nil), c.Lines...)
	c.log, c.logShown, c.at, c.logging = nil, 0, 0, logging
}

// show makes the lines those the console had once events events had
// happened. Going forward it adds the lines that came since; jumped, it
// lays them out again, and Gen changes so that a view forgets where it was
// scrolled to. Lines added while back in time (a note, a help line) are
// not in the log and go then.
func (c *Console) show(events int, jumped bool) {
	n := sort.Search(len(c.log), func(i int) bool { return c.log[i].at > events })
	if !jumped && n >= c.logShown {
		for _, l := range c.log[c.logShown:n] {
			c.put(l.line)
		}
		c.logShown = n
		c.trim()
		return
	}
	c.Lines = append(c.Lines[:0], c.base...)
	for _, l := range c.log[max(0, n-maxConsole):n] {
		c.Lines = append(c.Lines, l.line)
	}
	c.added = len(c.base) + n
	c.logShown = n
	c.trim()
	c.gen++
}

// cut forgets the lines logged after events events.
func (c *Console) cut(events int) {
	n := sort.Search(len(c.log), func(i int) bool { return c.log[i].at > events })
	c.log = c.log[:n]
	c.logShown = min(c.logShown, n)
}

// Added counts the lines ever added, including those the scrollback has
// since let go: a view scrolled back keeps its place by it.
func (c *Console) Added() int { return c.added }

// Gen changes whenever a scenario is loaded (Load, Restart, a scenario
// picked), and not when one fails to load: a view resets what it keeps
// about the console, such as how far it is scrolled back, when it changes.
// The lines of the scenario before stay above.
func (c *Console) Gen() int { return c.gen }

// echoed reports whether a call's error is already on the console.
func (c *Console) echoed(err error) bool {
	for _, e := range c.shown {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Add puts a line of its own in the console (each line of text is one).
func (c *Console) Add(k LineKind, text string) { c.add(k, text) }

func (c *Console) add(k LineKind, text string) {
	if c.mute {
		return
	}
	for _, l := range strings.Split(text, "\n") {
		cl := ConsoleLine{Kind: k, Text: l}
		c.put(cl)
		if c.logging {
			c.log = append(c.log, loggedLine{at: c.at, line: cl})
			c.logShown = len(c.log)
		}
	}
	c.trim()
}

// put shows one more line.
func (c *Console) put(l ConsoleLine) {
	c.Lines = append(c.Lines, l)
	c.added++
}

// trim lets the oldest lines go past maxConsole.
func (c *Console) trim() {
	if over := len(c.Lines) - maxConsole; over > 0 {
		c.Lines = append(c.Lines[:0], c.Lines[over:]...)
	}
}

// record echoes a shell line as the runner carries it out.
func (c *Console) record(r script.LineRecord) {
	if c.mute {
		return
	}
	if r.Phase != script.PhaseDone && r.Line == c.echoedNo && c.echoedNo != 0 {
		c.issuedNo, c.issuedAt = r.Line, c.added // Exec echoed it
		return
	}
	switch r.Phase {
	case script.PhaseWorld:
		c.add(LineInput, "$ "+r.Text)
	case script.PhaseIssued:
		bg := ""
		if r.Background {
			bg = " &"
		}
		c.add(LineInput, fmt.Sprintf("$ %s: %s%s", r.Who, r.Text, bg))
		c.issuedNo, c.issuedAt = r.Line, c.added
	case script.PhaseDone:
		k := LineResult
		res := r.Result
		if r.Err != nil || r.Unexpected {
			k = LineError
		}
		if r.Err != nil {
			// The whole sentence: "bind: EADDRINUSE: address already
			// in use (...)", not just the errno.
			res = r.Err.Error()
			c.shown = append(c.shown, r.Err)
		}
		// A result that does not come right under its call (a blocked
		// call returning after other lines, a background one) names
		// it, as a background result is named here and in the trace
		// ("=> 4 from ...   (b/web: accept 3)"), so that it is not
		// read as the line above's.
		via := ""
		switch {
		case r.Background:
			via = "   (" + r.Who + ": " + r.Text + " &)"
		case r.Line != c.issuedNo || c.added != c.issuedAt:
			via = "   (" + r.Who + ": " + r.Text + ")"
		}
		c.add(k, "=> "+res+via)
	}
}

// remember adds a typed line to the history and points past it.
func (c *Console) remember(text string) {
	if text != "" && (len(c.history) == 0 || c.history[len(c.history)-1] != text) {
		c.history = append(c.history, text)
	}
	c.cursor = len(c.history)
}

// Prev is the history line before the cursor (the up arrow); at the
// oldest it stays there.
func (c *Console) Prev() string {
	if len(c.history) == 0 {
		return ""
	}
	c.cursor = max(c.cursor-1, 0)
	return c.history[c.cursor]
}

// Next is the history line after the cursor (the down arrow); past the
// newest it is an empty line.
func (c *Console) Next() string {
	if c.cursor < len(c.history) {
		c.cursor++
	}
	if c.cursor == len(c.history) {
		return ""
	}
	return c.history[c.cursor]
}
