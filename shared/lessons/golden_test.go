package lessons_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socketville/shared/lessons"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata/")

// TestGoldenReports: what a learner is told, lesson by lesson: each goal
// line and its sentence, then how the goal stands on the start alone, on
// the wrong attempt and on the solution. A change to a sentence shows here
// as a diff; go test -update rewrites the files.
func TestGoldenReports(t *testing.T) {
	for _, l := range lessons.All() {
		t.Run(l.Name, func(t *testing.T) {
			var b bytes.Buffer
			fmt.Fprintf(&b, "lesson %d: %s\n\ngoal:\n", l.Number, l.Title)
			for _, c := range l.Goal {
				fmt.Fprintf(&b, "  %-36s %s\n", c.Line, c.Name)
			}
			w := wrongAttempts[l.Number]
			for _, part := range []struct{ what, src string }{
				{"the start alone", l.Start},
				{"a wrong attempt:\n" + indent(w.lines), l.Start + w.lines},
				{"start + show me", l.Solution()},
			} {
				o := run(t, l, part.src)
				fmt.Fprintf(&b, "\n%s\n  met: %v\n", part.what, o.Met)
				for _, m := range o.Missing() {
					fmt.Fprintf(&b, "  missing: %s\n", m)
				}
				for _, e := range o.Failures {
					fmt.Fprintf(&b, "  failed: %v\n", e)
				}
			}
			golden := filepath.Join("testdata", fmt.Sprintf("%02d-%s.golden", l.Number, l.Name))
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./shared/lessons -update writes it)", err)
			}
			if !bytes.Equal(want, b.Bytes()) {
				t.Errorf("the report differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", golden, b.String(), want)
			}
		})
	}
}

func indent(lines string) string {
	return "  > " + strings.ReplaceAll(strings.TrimSuffix(lines, "\n"), "\n", "\n  > ")
}
