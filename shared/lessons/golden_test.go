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
			if l.Shared {
				sharedReport(t, &b, l)
			}
			w := wrongAttempts[l.Number]
			for _, part := range []struct{ what, src string }{
				{"the start alone", l.Start},
				{"a wrong attempt:\n" + indent(w.lines), l.Start + w.lines},
				{"start + show me", l.Solution()},
			} {
				if l.Shared {
					break
				}
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

// sharedReport is a shared lesson's part of its report: its goal bound
// for each of two pages, and how it stands on its lines rehearsed in one
// town, and on a wrong attempt.
func sharedReport(t *testing.T, b *bytes.Buffer, l lessons.Lesson) {
	t.Helper()
	for _, p := range []lessons.Pair{ann, bob} {
		bound, err := l.Bind(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "\nbound: YOU %s at %v, FRIEND %s at %v\n", p.You, p.YouAddr, p.Friend, p.FriendAddr)
		for _, c := range bound.Goal {
			fmt.Fprintf(b, "  %-36s %s\n", c.Line, c.Name)
		}
	}
	bound, _ := l.Bind(ann)
	for _, part := range []struct {
		what    string
		attempt []string
	}{
		{"rehearsed in one town, ann and bob", nil},
		{"a wrong attempt, rehearsed: connect to port 7001", []string{"ann/app: socket tcp", "ann/app: connect 3 10.99.0.2:7001", `ann/app: send 3 "hi"`, "ann/app: recv 3 100"}},
	} {
		o := run(t, bound, rehearse(t, bound, part.attempt))
		fmt.Fprintf(b, "\n%s\n  met: %v\n", part.what, o.Met)
		for _, m := range o.Missing() {
			fmt.Fprintf(b, "  missing: %s\n", m)
		}
		for _, e := range o.Failures {
			fmt.Fprintf(b, "  failed: %v\n", e)
		}
	}
}

func indent(lines string) string {
	return "  > " + strings.ReplaceAll(strings.TrimSuffix(lines, "\n"), "\n", "\n  > ")
}
