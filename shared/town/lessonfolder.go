package town

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"socketville/examples"
	"socketville/shared/lessons"
	"socketville/shared/script"
	"socketville/shared/town/play"
)

// A teacher's class folder in the town (serve --scenarios DIR): its
// lessons join the Lessons list after the built-in ones, under a heading
// of their own, each a full lesson (goal, hints, Show me, progress); its
// scenarios join the scenario picker after the examples, each saying it
// is the class folder's.

// ClassFolderTag opens the picker's description of a class folder's
// scenario: the picker's list is flat, so the tag makes the group.
const ClassFolderTag = "class folder"

// FolderFile is one file of a class folder, as the page fetched it: its
// name (NAME.sv or NN-name.lesson) and its text.
type FolderFile struct {
	Name string
	Text string
}

// AddFolder hands the town a class folder's files: the .lesson files
// that read well join the Lessons list (AddLessons), the .sv files whose
// lines read join the picker (AddScenarios); other files are let be. A
// file left out is said in the console, by its name and line, and is in
// the error returned (each mistake one of the joined errors), so the page
// can say it too. folder is the folder's name, which keys its progress.
func (g *Game) AddFolder(folder string, files []FolderFile) error {
	var ls []lessons.Lesson
	var ss []examples.Scenario
	var errs []error
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Name, ".lesson"):
			l, err := lessons.Parse(f.Name, []byte(f.Text))
			if err != nil {
				// Each mistake a *lessons.FileError: file:line: what.
				errs = append(errs, unjoin(err)...)
				continue
			}
			ls = append(ls, l)
		case strings.HasSuffix(f.Name, ".sv"):
			s, err := script.Parse(f.Name, strings.NewReader(f.Text))
			if err == nil {
				err = script.Check(s)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: left out: %w", f.Name, err))
				continue
			}
			ss = append(ss, examples.Scenario{Name: strings.TrimSuffix(f.Name, ".sv"), Source: f.Text})
		}
	}
	for _, err := range errs {
		for _, line := range strings.Split(err.Error(), "\n") {
			g.player.Console().Add(play.LineError, "# class folder, left out: "+line)
		}
	}
	g.AddLessons(folder, ls)
	g.AddScenarios(ss)
	return errors.Join(errs...)
}

// AddLessons puts a class folder's lessons in the Lessons list, after the
// built-in ones, in order of number, in place of any the folder gave
// before (the page hands the list again when it reads the folder again).
// Their progress is kept by the folder's name and each file's name, not
// by number (see bookLesson.key): a folder's 03-x.lesson neither takes
// the place of built-in lesson 3 nor shares its mark. A lesson whose file
// name another of the list already has is left out, and so is one whose
// file has no name. The lesson open, if it is one of these, stays open.
func (g *Game) AddLessons(folder string, ls []lessons.Lesson) {
	if folder == "" {
		folder = "class"
	}
	b := g.book
	all := g.lessonsAll()
	kept := all[:0:0]
	for _, l := range all {
		if l.folder != folder {
			kept = append(kept, l)
		}
	}
	seen := map[string]bool{}
	var added []bookLesson
	for _, l := range ls {
		if l.File == "" || seen[l.File] {
			continue
		}
		seen[l.File] = true
		added = append(added, bookLesson{Lesson: l, folder: folder})
	}
	// By number, then file name: a stable order for two files with
	// one number.
	slices.SortFunc(added, func(a, b bookLesson) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.File, b.File))
	})
	b.all = append(kept, added...)
	g.built = uiFit{} // the list, if on show, is built again
}

// AddScenarios puts a class folder's scenarios in the scenario picker,
// after the examples, each described as the class folder's (ClassFolderTag
// and its opening comment), in place of any given before. A scenario with
// no name is left out.
func (g *Game) AddScenarios(ss []examples.Scenario) {
	kept := g.scenarios[:0:0]
	for _, s := range g.scenarios {
		if !isClassScenario(s) {
			kept = append(kept, s)
		}
	}
	for _, s := range ss {
		if s.Name == "" {
			continue
		}
		desc := s.Description
		if desc == "" {
			desc = examples.Description(s.Source)
		}
		s.Description = ClassFolderTag
		if desc != "" {
			s.Description += ": " + desc
		}
		kept = append(kept, s)
	}
	g.scenarios = kept
	g.repick()
}

// unjoin lists the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// isClassScenario reports a class folder's scenario in the picker.
func isClassScenario(s examples.Scenario) bool {
	return s.Description == ClassFolderTag || strings.HasPrefix(s.Description, ClassFolderTag+": ")
}

// OpenFolderLesson opens the class folder's lesson from file as a full
// lesson (the page's Class folder list). One the list does not have yet
// (the folder changed since the page read it) is read from text and
// joins the list first.
func (g *Game) OpenFolderLesson(folder, file, text string) (lessons.Lesson, error) {
	if folder == "" {
		folder = "class"
	}
	for _, l := range g.lessonsAll() {
		if l.folder == folder && l.File == file {
			g.openLesson(l)
			return l.Lesson, g.openedAs(l)
		}
	}
	l, err := lessons.Parse(file, []byte(text))
	if err != nil {
		return lessons.Lesson{}, err
	}
	var ls []lessons.Lesson
	for _, x := range g.lessonsAll() {
		if x.folder == folder {
			ls = append(ls, x.Lesson)
		}
	}
	g.AddLessons(folder, append(ls, l))
	bl := bookLesson{Lesson: l, folder: folder}
	g.openLesson(bl)
	return l, g.openedAs(bl)
}

// openedAs says whether l is the lesson open now: it is not when the town
// could not play it (a town of real sockets), which the console says.
func (g *Game) openedAs(l bookLesson) error {
	if r := g.book.run; r == nil || r.lesson.key() != l.key() {
		return fmt.Errorf("%s was not opened: the console says why", l.File)
	}
	return nil
}
