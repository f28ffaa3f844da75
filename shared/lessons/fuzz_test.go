package lessons_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socketville/shared/lessons"
	"socketville/shared/script"
)

// FuzzParse: no lesson file, however broken, makes Parse panic, and one
// that parses has every part a lesson needs and a solution that parses.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("files/*.lesson")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(p), b)
	}
	f.Add("03-echo.lesson", []byte(good))
	f.Add("12-echo.lesson", []byte(goodShared))
	f.Add("01-x.lesson", []byte("---\n---\n```start\n```show\n"))
	f.Fuzz(func(t *testing.T, name string, src []byte) {
		l, err := lessons.Parse(name, src)
		if err != nil {
			return
		}
		if l.Title == "" || l.Text == "" || len(l.Goal) == 0 || len(l.Hints) == 0 || strings.TrimSpace(l.Show) == "" {
			t.Fatalf("parsed a lesson with a part missing: %+v", l)
		}
		if l.Shared {
			// Its lines say YOU and FRIEND: they parse once named.
			b, err := l.Bind(ann)
			if err != nil {
				t.Fatalf("parsed a shared lesson that does not bind: %v", err)
			}
			for _, block := range []string{b.Friend, b.Show} {
				if _, err := script.Parse(name, strings.NewReader(block)); err != nil {
					t.Fatalf("parsed a shared lesson whose lines do not parse once bound: %v", err)
				}
			}
			return
		}
		if _, err := script.Parse(name, strings.NewReader(l.Solution())); err != nil {
			t.Fatalf("parsed a lesson whose solution does not parse: %v", err)
		}
	})
}
