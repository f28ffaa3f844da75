package lessons

import (
	"embed"
	"strings"
)

// Lesson is one lesson: what a learner reads, the town they start from,
// what they are to make happen, and a way to see it done.
type Lesson struct {
	Number int    // its place in the list, from its file name (01-layers.lesson is 1)
	Name   string // its file name without the number and extension: "layers"
	File   string // the file it came from
	Title  string // a short title: "Messages go down and up the layers"
	// Text is what the learner reads, a few paragraphs of Markdown: what
	// to notice and what to try. It is page text, for a screen reader too.
	Text string
	// Start is the starting town, shell lines; an empty or partial town
	// the learner completes.
	Start string
	// Show is "show me": the lines that, added after Start, meet the goal.
	Show string
	// Hints are given one at a time, in order.
	Hints []string
	// Goal is the checks that must all hold.
	Goal []Check
	// Shared says the lesson is played with a friend, in a shared town
	// ("shared: yes" in its header): its goal, text, hints and lines
	// may say YOU for this page's host and FRIEND for the friend's,
	// until Bind names them. See Pair.
	Shared bool
	// Friend is a shared lesson's ```friend block: the lines the friend
	// types on their own page, their host being FRIEND.
	Friend string
	// Bound is who YOU and FRIEND are, once Bind named them; the zero
	// Pair before.
	Bound Pair
}

// Solution is the start followed by the show-me lines: a whole scenario
// that meets the goal, to run or to play. A shared lesson's is the
// learner's part alone, saying YOU and FRIEND: it is played in a shared
// town, beside the friend's part (Friend).
func (l Lesson) Solution() string {
	return joinLines(l.Start, l.Show)
}

// joinLines puts two blocks of lines one after the other.
func joinLines(a, b string) string {
	if a != "" && !strings.HasSuffix(a, "\n") {
		a += "\n"
	}
	return a + b
}

//go:embed files/*.lesson
var builtin embed.FS

// All returns the built-in lessons, in order. They are read afresh each
// time (parsed and their towns tried: 1.4 ms for the ten), so a caller may
// change what it gets, and should keep them rather than call All again.
func All() []Lesson {
	ls, _ := loadDir(builtin, "files")
	// The tests load every built-in file without an error; were one
	// broken, the others would still be offered.
	return ls
}

// Find returns the built-in lesson with this number.
func Find(n int) (Lesson, bool) { return FindIn(All(), n) }

// FindIn returns the lesson with this number among ls (a teacher's, from
// Load).
func FindIn(ls []Lesson, n int) (Lesson, bool) {
	for _, l := range ls {
		if l.Number == n {
			return l, true
		}
	}
	return Lesson{}, false
}
