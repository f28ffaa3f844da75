package town

import (
	"fmt"
	"image"
	"testing"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/lessons"
)

// longListTown is a w x h town handed a class folder of n lessons (11 to
// 10+n), its Lessons list on show and laid out.
func longListTown(t *testing.T, w, h, n int) *Game { return scaledListTown(t, w, h, 1, n) }

// scaledListTown is longListTown at a device scale.
func scaledListTown(t *testing.T, w, h int, scale float64, n int) *Game {
	t.Helper()
	text := builtinFile(t, "05-bind-listen.lesson")
	var files []FolderFile
	for i := range n {
		files = append(files, FolderFile{Name: fmt.Sprintf("%02d-lesson.lesson", 11+i), Text: text})
	}
	g, err := New(Options{Progress: &memProgress{}})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = w, h
	if err := g.AddFolder("class", files); err != nil {
		t.Fatal(err)
	}
	g.fitUI(scale)
	g.layOut()
	listNow(g)
	g.fitUI(scale)
	g.relayOut() // a drawer shown since the last layout is laid out now, as a frame's drawing does
	return g
}

// listSettled lets the list measure itself a frame or two, and returns the
// state.
func listSettled(g *Game) State {
	s, _ := frames(g, 2, func(State) bool { return false })
	return s
}

// checkList fails unless every row shown is inside the panel, under its
// tabs and over the words under the list, the rows shown are one run with
// those out of it given no box, and a class folder's heading is over its
// first row shown and over the window's top when that is a folder's. It
// returns the rows shown.
func checkList(t *testing.T, g *Game, s State) []int {
	t.Helper()
	p := s.PanelBox
	tabs := g.cssRect(g.w.tabs.GetWidget().Rect)
	foot := g.cssRect(g.w.panelArea.GetWidget().Rect)
	var shown []int
	for i, e := range s.Lesson.List {
		b := e.Box
		if b.W == 0 {
			if b != (Box{}) {
				t.Errorf("row %d out of view has a box %+v", i, b)
			}
			continue
		}
		if b.X < p.X || b.X+b.W > p.X+p.W || b.Y < tabs.Y+tabs.H || b.Y+b.H > foot.Y || foot.Y > p.Y+p.H {
			t.Errorf("row %d %+v is not in the panel %+v between its tabs %+v and the words under the list %+v", i, b, p, tabs, foot)
		}
		if len(shown) > 0 && shown[len(shown)-1] != i-1 {
			t.Errorf("the rows shown skip from %d to %d", shown[len(shown)-1], i)
		}
		shown = append(shown, i)
	}
	if len(shown) == 0 {
		t.Fatalf("no row shown: %+v", s.Lesson.List)
	}
	if _, again := g.shown().update(g); again {
		t.Errorf("rows %v shown, laid out: the list would be built again", shown)
	}
	all := g.book.all
	for _, i := range shown {
		want := all[i].folder != "" && (i == shown[0] || all[i-1].folder != all[i].folder)
		if got := headingOver(g, i); got != want {
			t.Errorf("rows %d-%d shown: a heading over row %d is %v, want %v", shown[0], shown[len(shown)-1], i, got, want)
		}
	}
	return shown
}

// headingOver reports the list's heading "Class folder: class" just over
// row i's button.
func headingOver(g *Game, i int) bool {
	col := g.w.actions.Children()[0].(*widget.Container).Children()
	for k, c := range col {
		if c == widget.PreferredSizeLocateableWidget(g.book.listButtons[i]) && k > 0 {
			h, ok := col[k-1].(*widget.Text)
			return ok && h.Label == "Class folder: class"
		}
	}
	return false
}

// TestLessonListScrolls: a folder of 25 lessons overflows the panel at
// 1280x800 and at 900x600; the rows shown are in the panel and those out
// of view have no box; the wheel down brings every row into view, the
// last one included, and back up the first.
func TestLessonListScrolls(t *testing.T) {
	for _, c := range []struct {
		name  string
		w, h  int
		scale float64
		open  bool // a lesson is open: the list has a Back button over it
	}{
		{name: "1280x800", w: 1280, h: 800, scale: 1},
		{name: "900x600", w: 900, h: 600, scale: 1},
		{name: "1280x800 from a lesson", w: 1280, h: 800, scale: 1, open: true},
		{name: "1280x800 at 2x", w: 2560, h: 1600, scale: 2},
		{name: "900x600 at 1.5x", w: 1350, h: 900, scale: 1.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := scaledListTown(t, c.w, c.h, c.scale, 25)
			if c.open {
				g.startLesson(3)
				g.openLessons()
				g.relayOut()
			}
			s := listSettled(g)
			if _, ok := s.button("Back to lesson 3"); ok != c.open {
				t.Fatalf("a Back button is %v, want %v: %v", ok, c.open, s.Buttons)
			}
			shown := checkList(t, g, s)
			n := len(s.Lesson.List)
			if n != len(lessons.All())+25 || len(shown) >= n || shown[0] != 0 {
				t.Fatalf("%d rows, %v shown: want the built-in lessons and 25, those at the top, not all", n, shown)
			}
			seen := map[int]bool{}
			pt := g.w.panelArea.GetWidget().Rect.Min
			for step := 0; step < n && !seen[n-1]; step++ {
				g.shown().(wheeler).wheel(g, -1, pt)
				for _, i := range checkList(t, g, listSettled(g)) {
					seen[i] = true
				}
			}
			for _, i := range shown {
				seen[i] = true
			}
			if len(seen) != n {
				t.Errorf("the wheel showed rows %v of %d", seen, n)
			}
			for range n {
				g.shown().(wheeler).wheel(g, 1, pt)
			}
			if shown := checkList(t, g, listSettled(g)); shown[0] != 0 {
				t.Errorf("the wheel up stops at row %d, want the first", shown[0])
			}
		})
	}
}

// TestLessonListKeys: with the ring on a row, End shows the last lesson
// and rings it, Home the first, PageDown a window further less a row and
// PageUp back; with the ring elsewhere the keys are not the list's.
func TestLessonListKeys(t *testing.T) {
	g := longListTown(t, 1280, 800, 25)
	last := len(g.book.all) - 1
	p := func() lessonListPanel { return g.shown().(lessonListPanel) }
	if p().key(g, ebiten.KeyEnd) {
		t.Fatalf("End with no ring on the list is taken by it")
	}
	g.ringOnRow(0)
	ringed := func(want int) {
		t.Helper()
		s := listSettled(g)
		checkList(t, g, s)
		e := s.Lesson.List[want]
		if s.Focus.Label != e.Label || e.Box.W == 0 || s.Focus.Box != e.Box {
			t.Errorf("the ring %+v, want on row %d %+v", s.Focus, want, e)
		}
	}
	_, n := g.shownRows()
	for _, c := range []struct {
		key  ebiten.Key
		ring int
	}{
		{key: ebiten.KeyEnd, ring: last},
		{key: ebiten.KeyHome, ring: 0},
		{key: ebiten.KeyPageDown, ring: n - 1},
		{key: ebiten.KeyPageDown, ring: 2 * (n - 1)},
		{key: ebiten.KeyPageUp, ring: n - 1},
		{key: ebiten.KeyPageUp, ring: 0},
	} {
		if !p().key(g, c.key) {
			t.Fatalf("%v with the ring on a row is not taken", c.key)
		}
		ringed(c.ring)
	}
}

// TestLessonListTab: Tab from the first row walks the ring down every
// lesson, each scrolled into view as the ring reaches it, and Shift-Tab
// walks it back up to the first.
func TestLessonListTab(t *testing.T) {
	for _, size := range []image.Point{{X: 1280, Y: 800}, {X: 900, Y: 600}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			g := longListTown(t, size.X, size.Y, 25)
			listSettled(g)
			g.ringOnRow(0)
			n := len(g.book.all)
			walk := func(from, to, step int) {
				t.Helper()
				for i := from + step; i != to+step; i += step {
					g.moveFocus(step)
					s := listSettled(g)
					checkList(t, g, s)
					if e := s.Lesson.List[i]; s.Focus.Label != e.Label || e.Box.W == 0 || s.Focus.Box != e.Box {
						t.Fatalf("Tab %d: the ring %+v, want on row %d %+v", step, s.Focus, i, e)
					}
				}
			}
			walk(0, n-1, 1)
			walk(n-1, 0, -1)
			g.moveFocus(-1) // off the list's top: on to what is before it, as ever
			if s := g.State(); s.Focus.Label == s.Lesson.List[0].Label {
				t.Errorf("Shift-Tab from the first row stays on it")
			}
		})
	}
}

// TestLessonListResized: the window grown after the list was shown shows
// more rows, shrunk fewer, each time all in the panel.
func TestLessonListResized(t *testing.T) {
	g := longListTown(t, 1280, 800, 25)
	big := len(checkList(t, g, listSettled(g)))
	for _, c := range []struct {
		w, h int
		less bool
	}{{w: 900, h: 600, less: true}, {w: 1280, h: 800}} {
		g.width, g.height = c.w, c.h
		g.fitUI(1)
		g.relayOut()
		n := len(checkList(t, g, listSettled(g)))
		if (n < big) != c.less {
			t.Errorf("at %dx%d %d rows, at 1280x800 %d", c.w, c.h, n, big)
		}
	}
}
