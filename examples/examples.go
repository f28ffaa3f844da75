// Package examples holds the scenarios under examples/, embedded so that
// both builds of the town can offer them in the scenario picker.
package examples

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.sv
var files embed.FS

// Scenario is one example: its name (the file name without .sv), its
// text, and what it is about in one line (the first line of its opening
// comment), for the scenario picker.
type Scenario struct {
	Name        string
	Source      string
	Description string
}

// All returns every example, sorted by name.
func All() []Scenario {
	names, _ := fs.Glob(files, "*.sv")
	sort.Strings(names)
	out := make([]Scenario, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			continue
		}
		out = append(out, Scenario{Name: strings.TrimSuffix(n, ".sv"), Source: string(b), Description: Description(string(b))})
	}
	return out
}

// Find returns the example with this name, with or without ".sv".
func Find(name string) (Scenario, bool) {
	name = strings.TrimSuffix(name, ".sv")
	for _, s := range All() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Description is the first line of a scenario's opening comment, "" when
// the scenario does not open with one.
func Description(src string) string {
	for _, l := range strings.Split(src, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "#"):
			return strings.TrimSpace(strings.TrimLeft(t, "#"))
		}
		return ""
	}
	return ""
}
