package town

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ebitenui/ebitenui/event"

	"socketville/examples"
	"socketville/shared/lessons"
)

// builtinFile is a built-in lesson's file, for a teacher's folder to hold
// under another name.
func builtinFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../lessons/files/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// folderTown is a 1280x800 town handed a class folder called class.
func folderTown(t *testing.T, store ProgressStore, files ...FolderFile) (*Game, error) {
	t.Helper()
	g, err := New(Options{Progress: store})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = 1280, 800
	err = g.AddFolder("class", files)
	g.fitUI(1)
	g.layOut()
	return g, err
}

// listNow shows the Lessons list, laid out, and returns the town's state.
func listNow(g *Game) State {
	g.openLessons()
	g.fitUI(1)
	g.laidOut.root = nil // lay the new panel's widgets out now, as a frame's drawing does
	g.layOut()
	return g.State()
}

// TestClassLessonMetAndKept: a class folder's lesson opens as a full
// lesson: its checks, a wrong attempt left red, its show-me lines typed
// meet it; the progress keeps it by the folder's and the file's name, and
// a town opened afresh with that progress marks it met in the list.
func TestClassLessonMetAndKept(t *testing.T) {
	file := FolderFile{Name: "21-my-lesson.lesson", Text: builtinFile(t, "05-bind-listen.lesson")}
	store := &memProgress{}
	g, err := folderTown(t, store, file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := g.OpenFolderLesson("class", file.Name, file.Text)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := frames(g, 600, func(State) bool { return !g.player.Busy() })
	if s.Lesson == nil || s.Lesson.Key != "class/21-my-lesson.lesson" || s.Lesson.Class != "class" || s.Lesson.Number != 21 ||
		len(s.Lesson.Checks) != len(l.Goal) || s.Scenario != "class-21-my-lesson" || !strings.HasPrefix(s.Panel, "Class lesson 21:") {
		t.Fatalf("the class lesson: %+v, scenario %q, panel %q", s.Lesson, s.Scenario, s.Panel)
	}
	for _, want := range []string{fmt.Sprintf("Hint 1 of %d", len(l.Hints)), "Show me", "Start again"} {
		if _, ok := s.button(want); !ok {
			t.Errorf("no %s button: %v", want, s.Buttons)
		}
	}
	s = wrongThenSolved(t, g, wrongAttempts[5], l.Show)
	if !strings.Contains(strings.Join(s.Console, "\n"), "# Goal met: class lesson 21,") {
		t.Errorf("the console does not say the goal is met:\n%s", strings.Join(lastLines(s.Console, 5), "\n"))
	}
	if !store.p.HasMetClass("class/21-my-lesson.lesson") || len(store.p.Met) != 0 || store.p.LastClass != "class/21-my-lesson.lesson" || store.p.Last != 0 {
		t.Errorf("progress kept %+v; want the class lesson met and last, no built-in one", store.p)
	}

	again, _ := folderTown(t, &memProgress{p: store.p}, file)
	s = listNow(again)
	entries := s.Lesson.List
	if n := len(lessons.All()); len(entries) != n+1 || entries[n].Class != "class" || entries[n].Number != 21 || !entries[n].Met {
		t.Fatalf("the list afresh: %+v; want the built-in %d then the class lesson, met", entries, n)
	}
	if slices.ContainsFunc(entries[:len(entries)-1], func(e LessonEntry) bool { return e.Met }) {
		t.Errorf("a built-in lesson is marked met: %+v", entries)
	}
	if !strings.HasSuffix(entries[len(entries)-1].Label, "· met") {
		t.Errorf("the class lesson's label %q does not say met", entries[len(entries)-1].Label)
	}
	for _, e := range entries {
		if e.Box.W <= 0 || e.Box.Y+e.Box.H > s.PanelBox.Y+s.PanelBox.H {
			t.Errorf("lesson %d's button %+v is not inside the panel %+v", e.Number, e.Box, s.PanelBox)
		}
	}
	again.book.listButtons[len(entries)-1].Click()
	event.ExecuteDeferred()
	if s := again.State(); s.Lesson.Key != "class/21-my-lesson.lesson" || s.Selected != "lesson" {
		t.Errorf("a click on the class lesson's button: lesson %+v, panel %q", s.Lesson, s.Selected)
	}
}

func lastLines(l []string, n int) []string { return l[max(len(l)-n, 0):] }

// TestClassLessonNumberClash: a folder's 03-x.lesson is not built-in
// lesson 3: ?lesson=3 opens the built-in one, the list holds both, and
// each keeps its own mark.
func TestClassLessonNumberClash(t *testing.T) {
	clash := FolderFile{Name: "03-x.lesson", Text: builtinFile(t, "05-bind-listen.lesson")}
	for _, c := range []struct {
		name      string
		kept      Progress
		builtinOK bool // built-in lesson 3 is marked met
		classOK   bool // the folder's 03-x is marked met
	}{
		{name: "built-in 3 met", kept: Progress{Met: []int{3}}, builtinOK: true},
		{name: "class 03 met", kept: Progress{Class: []string{"class/03-x.lesson"}}, classOK: true},
		{name: "another folder's 03 met", kept: Progress{Class: []string{"other/03-x.lesson"}}},
		{name: "both", kept: Progress{Met: []int{3}, Class: []string{"class/03-x.lesson"}}, builtinOK: true, classOK: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := folderTown(t, &memProgress{p: c.kept}, clash)
			if err != nil {
				t.Fatal(err)
			}
			var three []LessonEntry
			for _, e := range listNow(g).Lesson.List {
				if e.Number == 3 {
					three = append(three, e)
				}
			}
			if len(three) != 2 || three[0].Class != "" || three[1].Class != "class" || three[0].Title == three[1].Title {
				t.Fatalf("the lessons numbered 3: %+v; want built-in 3 and the folder's", three)
			}
			if three[0].Met != c.builtinOK || three[1].Met != c.classOK {
				t.Errorf("met marks: built-in %v, class %v; want %v, %v", three[0].Met, three[1].Met, c.builtinOK, c.classOK)
			}
			g.startLesson(3)
			if s := g.State(); s.Lesson.Key != "3" || s.Scenario != "lesson-3" || s.Lesson.Title != lessonOf(t, 3).Title {
				t.Errorf("lesson 3 opens %+v (%q); want the built-in one", s.Lesson, s.Scenario)
			}
		})
	}
}

// TestClassLessonMetKeepsBuiltinApart: meeting the folder's 03-x marks
// it alone, not built-in lesson 3.
func TestClassLessonMetKeepsBuiltinApart(t *testing.T) {
	text := builtinFile(t, "05-bind-listen.lesson")
	store := &memProgress{}
	g, _ := folderTown(t, store, FolderFile{Name: "03-x.lesson", Text: text})
	l, err := g.OpenFolderLesson("class", "03-x.lesson", text)
	if err != nil {
		t.Fatal(err)
	}
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	typeLines(t, g, strings.TrimSpace(l.Show))
	if _, ok := frames(g, 3000, metOf); !ok {
		t.Fatal("the folder's lesson 3 is not met")
	}
	if store.p.HasMet(3) || !store.p.HasMetClass("class/03-x.lesson") {
		t.Errorf("progress %+v: want the folder's 03-x.lesson met and built-in 3 not", store.p)
	}
}

// TestClassFolderPicker: the folder's scenarios are in the canvas picker,
// after the examples, said to be the class folder's; one played from the
// Share menu is the picker's choice.
func TestClassFolderPicker(t *testing.T) {
	src := "# a teacher's town\nhost a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\n"
	g, err := folderTown(t, nil, FolderFile{Name: "my-town.sv", Text: src}, FolderFile{Name: "notes.txt", Text: "not a scenario"})
	if err != nil {
		t.Fatal(err)
	}
	var names, entries []string
	for _, s := range g.scenarios { // the picker's entries
		names = append(names, s.Name)
		entries = append(entries, g.pickerEntry(s))
	}
	if len(names) != len(examples.All())+2 || names[len(names)-1] != "my-town" {
		t.Fatalf("the picker offers %q; want the empty town, the examples, then my-town", names)
	}
	if got := entries[len(entries)-1]; got != "my-town — class folder: a teacher's town" {
		t.Errorf("the folder's entry reads %q", got)
	}
	if slices.ContainsFunc(entries[:len(entries)-1], func(e string) bool { return strings.Contains(e, ClassFolderTag) }) {
		t.Errorf("an example is said to be the class folder's: %q", entries)
	}
	if err := g.Load("my-town", src); err != nil {
		t.Fatal(err)
	}
	g.fitUI(1)
	if e, ok := g.w.combo.SelectedEntry().(examples.Scenario); !ok || e.Name != "my-town" || !isClassScenario(e) {
		t.Errorf("the picker shows %v, want the folder's my-town", g.w.combo.SelectedEntry())
	}
	// The picker's down arrow goes round from the folder's to the first.
	g.pickNext(1)
	if g.player.Name() != EmptyTown {
		t.Errorf("the down arrow after my-town plays %q, want the first entry", g.player.Name())
	}
	g.pickNext(-1)
	if g.player.Name() != "my-town" {
		t.Errorf("the up arrow from the first plays %q, want my-town", g.player.Name())
	}
	// Handed again (the page read the folder again), it is there once.
	g.AddScenarios([]examples.Scenario{{Name: "my-town", Source: src}})
	if n := len(g.scenarios); n != len(examples.All())+2 {
		t.Errorf("handed twice: %d scenarios", n)
	}
}

// TestClassFolderLeavesOutBadFiles: a lesson or scenario that does not
// read is left out, said in the console and the error by its file and
// line; the good ones are offered.
func TestClassFolderLeavesOutBadFiles(t *testing.T) {
	good := builtinFile(t, "05-bind-listen.lesson")
	broken := strings.Replace(good, "goal: listening b 80", "goal: listenin b 80", 1)
	if broken == good {
		t.Fatal("the lesson's goal line moved: change the test's typo")
	}
	g, err := folderTown(t, nil,
		FolderFile{Name: "21-good.lesson", Text: good},
		FolderFile{Name: "22-broken.lesson", Text: broken},
		FolderFile{Name: "bad-name.lesson", Text: good},
		FolderFile{Name: "typo.sv", Text: "host a 10.0.0.1/24\nfrobnicate\n"},
	)
	var fe *lessons.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("AddFolder: %v; want the lessons' mistakes", err)
	}
	console := strings.Join(g.State().Console, "\n")
	for _, want := range []string{"22-broken.lesson:4: goal:", "bad-name.lesson: a lesson file is named", "typo.sv"} {
		if !strings.Contains(err.Error(), want) || !strings.Contains(console, "# class folder, left out: ") || !strings.Contains(console, want) {
			t.Errorf("%q is not said: error %v, console:\n%s", want, err, console)
		}
	}
	var class []string
	for _, e := range listNow(g).Lesson.List {
		if e.Class != "" {
			class = append(class, e.Title)
		}
	}
	if len(class) != 1 {
		t.Errorf("the class lessons listed: %q; want the good one alone", class)
	}
	if slices.ContainsFunc(g.scenarios, func(s examples.Scenario) bool { return s.Name == "typo" }) {
		t.Error("typo.sv is offered in the picker")
	}
	if _, err := g.OpenFolderLesson("class", "22-broken.lesson", broken); err == nil || !strings.Contains(err.Error(), "22-broken.lesson:4") {
		t.Errorf("opening the broken lesson: %v", err)
	}
}

// TestDecodeClassProgress: what a store keeps of the class lessons is
// read back, sorted, each once; what is no FOLDER/FILE is left out.
func TestDecodeClassProgress(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{in: `{"met":[1]}`, want: nil},
		{in: `{"met":[],"class":["class/03-x.lesson"]}`, want: []string{"class/03-x.lesson"}},
		{in: `{"class":["b/02-y.lesson","a/01-x.lesson","b/02-y.lesson"]}`, want: []string{"a/01-x.lesson", "b/02-y.lesson"}},
		{in: `{"class":["","3","nofolder"]}`, want: nil},
	} {
		p, err := DecodeProgress([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !slices.Equal(p.Class, c.want) {
			t.Errorf("%s: class %q, want %q", c.in, p.Class, c.want)
		}
		back, err := DecodeProgress(EncodeProgress(p))
		if err != nil || !slices.Equal(back.Class, p.Class) {
			t.Errorf("%s: encoded and read back %q (%v)", c.in, back.Class, err)
		}
	}
}
