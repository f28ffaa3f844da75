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

// Scenario is one example: its name (the file name without .sv) and text.
type Scenario struct {
	Name   string
	Source string
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
		out = append(out, Scenario{Name: strings.TrimSuffix(n, ".sv"), Source: string(b)})
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
