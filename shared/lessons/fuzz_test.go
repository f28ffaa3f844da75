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
	f.Add("01-x.lesson", []byte("---\n---\n```start\n```show\n"))
	f.Fuzz(func(t *testing.T, name string, src []byte) {
		l, err := lessons.Parse(name, src)
		if err != nil {
			return
		}
		if l.Title == "" || l.Text == "" || len(l.Goal) == 0 || len(l.Hints) == 0 || strings.TrimSpace(l.Show) == "" {
			t.Fatalf("parsed a lesson with a part missing: %+v", l)
		}
		if _, err := script.Parse(name, strings.NewReader(l.Solution())); err != nil {
			t.Fatalf("parsed a lesson whose solution does not parse: %v", err)
		}
	})
}
