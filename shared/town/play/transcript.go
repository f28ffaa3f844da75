package play

import (
	"strings"

	"socketville/shared/script"
)

// Transcript is the scenario as a .sv file a person can save and open
// again: its text with each line typed at the console (up to the moment
// shown) placed after the scenario line it came after, and a comment at
// its end saying when it ran. It is exact for a line typed between two
// lines of the story (paused, or before the next one's turn) that returns
// at once. A line typed while a line of the story was still under way
// (a transfer, a run) ran beside it; in the file it waits for it, and its
// comment says so. Time carried on by Step or Play between lines is not
// in the file: only run lines say how far time goes.
func (p *Player) Transcript() string {
	if !p.recording() {
		return p.src
	}
	// typed[k] are the lines typed once k of the scenario's lines had
	// been let through.
	typed := map[int][]string{}
	opened := 0
	h := &p.hist
	end := h.here()
	for i, o := range h.ops {
		if int32(i) >= end.op && !(int32(i) == end.op && end.sub > 0) {
			break
		}
		switch o.kind {
		case opOpen:
			opened++
		case opInterject:
			note := "typed at " + script.Stamp(o.limit) + "s"
			if !o.gate && opened > 0 { // a town of no lines has nothing under way
				note += ", while the line above was under way: here it waits for it to return (approximate)"
			}
			typed[opened] = append(typed[opened], h.lines[o.n].Text+"   # "+note)
		}
	}
	// after[n] are the typed lines to write after source line n; those
	// typed before the first line let through go above it.
	after := map[int][]string{}
	for k, ls := range typed {
		n := 0
		if k > 0 {
			n = p.lineList[k-1].No
		}
		after[n] = append(after[n], ls...)
	}
	first := 0
	if len(p.lineList) > 0 {
		first = p.lineList[0].No
	}
	src, nl := strings.CutSuffix(p.src, "\n")
	var out []string
	for i, l := range strings.Split(src, "\n") {
		if i+1 == first {
			out = append(out, after[0]...)
		}
		out = append(out, l)
		out = append(out, after[i+1]...)
	}
	if first == 0 {
		out = append(out, after[0]...)
	}
	text := strings.Join(out, "\n")
	if nl {
		text += "\n"
	}
	return text
}
