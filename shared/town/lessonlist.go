package town

import (
	"fmt"
	"image"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// lessonListPanel lists the lessons, one button each with its number and
// title, those whose goal was met saying so; a button starts its lesson.
// Buttons, not drawn rows, so that the keyboard's Tab reaches them as it
// reaches every button, and a screen's state lists them. A list longer
// than the panel shows a window of it from first (a class folder of thirty
// lessons does not fit): the wheel, PageUp/PageDown/Home/End with the ring
// on a row, and Tab onto a row out of view move the window. Rows out of
// it are not in the widget tree at all, so nothing draws or clicks them.
type lessonListPanel struct {
	first int // the first lesson shown; clamped where it is used
	// rows is how many rows from first fit, as measured on the list
	// laid out (update, scrolled); 0 for a first guess.
	rows int
}

func (lessonListPanel) title(*Game) string { return "Lessons: one for each idea" }

// build offers the lesson open, if there is one, to go back to, and a
// column of the lessons that fit, from p.first: a class folder's heading
// over its first lesson, and over the window's top row when that is one
// of the folder's, so the rows shown always say whose they are.
func (p lessonListPanel) build(g *Game, tabs, actions *widget.Container) {
	b := g.book
	if r := b.run; r != nil {
		key := r.lesson.key()
		tabs.AddChild(g.button("Back to "+r.lesson.named(), func() { g.open(lessonPanel{key: key}) }))
	}
	first, n := p.first, p.rows
	if n == 0 {
		first, n = g.lessonMeasure(len(tabs.Children()) > 0).window(b.all, p.first)
	}
	col := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewRowLayout(
		widget.RowLayoutOpts.Direction(widget.DirectionVertical),
		widget.RowLayoutOpts.Spacing(g.px(lessonGap)),
	)))
	b.listButtons = b.listButtons[:0]
	for i, l := range b.all {
		btn := g.button(g.listLabel(l), func() { g.openLesson(l) })
		b.listButtons = append(b.listButtons, btn)
		if i < first || i >= first+n {
			continue // out of the window: kept for the state's labels, never drawn
		}
		if headed(b.all, first, i) {
			col.AddChild(g.folderHeading(l.folder))
		}
		col.AddChild(btn)
	}
	actions.AddChild(col)
}

// folderHeading is the line over a class folder's lessons.
func (g *Game) folderHeading(folder string) *widget.Text {
	return widget.NewText(widget.TextOpts.Text("Class folder: "+folder, g.fonts.faceRef(13*g.scale), colSelect))
}

// headed reports a heading over row i of a window from first: where its
// folder's group starts, or at the window's top inside a folder's group.
func headed(all []bookLesson, first, i int) bool {
	if all[i].folder == "" {
		return false
	}
	return i == first || all[i-1].folder != all[i].folder
}

// lessonGap is the room between the list's rows, in panel pixels.
const lessonGap = 4

// lessonMeasure is what the list's window is worked out from, in device
// pixels: where its first row goes, how low its last may reach, and how
// tall a row, a heading and the gap between them are.
type lessonMeasure struct {
	top, bottom    int
	row, head, gap int
}

// lessonMeasure measures the list as it was last laid out, or guesses
// before it ever was (update measures again and builds once more if the
// guess was wrong); tabbed says the row of tabs over it has buttons.
func (g *Game) lessonMeasure(tabbed bool) lessonMeasure {
	m := lessonMeasure{row: int(25 * g.scale), head: int(16 * g.scale), gap: g.px(lessonGap)}
	for _, btn := range g.book.listButtons {
		if h := btn.GetWidget().Rect.Dy(); h > 0 {
			m.row = h
			break
		}
	}
	col := g.w.panelCol.GetWidget().Rect
	m.top = g.w.title.GetWidget().Rect.Max.Y
	if m.top == 0 {
		m.top = col.Min.Y + int(27*g.scale)
	}
	m.top += g.px(6) * 2 // the tabs row's padding, over and under its buttons
	if tabbed {
		m.top += m.row
	}
	m.top += g.px(6) // the actions row's, over the list
	m.bottom = col.Max.Y - g.px(6) - g.lessonFooter()
	return m
}

// measured is the list as it is laid out now, for update to check the
// window against; ok false before it is.
func (g *Game) measured() (lessonMeasure, bool) {
	acts := g.w.actions.Children()
	if len(acts) != 1 {
		return lessonMeasure{}, false
	}
	col, ok := acts[0].(*widget.Container)
	if !ok || len(col.Children()) == 0 {
		return lessonMeasure{}, false
	}
	m := g.lessonMeasure(false)
	m.top = col.Children()[0].GetWidget().Rect.Min.Y
	for _, c := range col.Children() {
		h := c.GetWidget().Rect.Dy()
		switch c.(type) {
		case *widget.Button:
			m.row = h
		case *widget.Text:
			m.head = h
		}
	}
	return m, m.row > 0
}

// lessonFooter is how tall the words under the list are: which rows it
// shows, then how many lessons are met.
func (g *Game) lessonFooter() int {
	w := float64(g.px(g.panelWidth()) - g.px(24))
	all := len(g.book.all)
	widest := listNote(all-1, all-1, all) // its numbers as wide as they come
	lines := len(g.wrap(widest, 13*g.scale, w)) + len(g.wrap(g.metLine(), 13*g.scale, w))
	return g.px(8) + int(float64(lines)*19*g.scale) + g.px(8)
}

// fits is how many rows from first fit between m.top and m.bottom, their
// headings counted; at least one, so a tiny window still shows a row.
func (m lessonMeasure) fits(all []bookLesson, first int) int {
	y, n := m.top, 0
	for i := first; i < len(all); i++ {
		h := m.row
		if headed(all, first, i) {
			h += m.head + m.gap
		}
		if y+h > m.bottom {
			break
		}
		y += h + m.gap
		n++
	}
	return max(n, 1)
}

// window is the rows shown for a wish to start at first: first moved
// back so the list's end fills the panel rather than leaving it half
// empty, and how many rows from there fit.
func (m lessonMeasure) window(all []bookLesson, first int) (int, int) {
	if len(all) == 0 {
		return 0, 0
	}
	first = min(max(first, 0), len(all)-1)
	for first > 0 && m.fits(all, first-1) >= len(all)-(first-1) {
		first--
	}
	return first, min(m.fits(all, first), len(all)-first)
}

// shownRows is the window as built: its first row and how many; 0, 0
// when the list is not on show.
func (g *Game) shownRows() (first, n int) {
	first = -1
	for i, btn := range g.book.listButtons {
		if btn.GetWidget().Parent() != nil {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	return max(first, 0), n
}

// listLabel is lesson l's button label in the list, shown or not.
func (g *Game) listLabel(l bookLesson) string {
	room := (g.panelWidth() - 60) * g.scale // the panel less its padding and the button's
	return g.lessonLabel(l.Number, l.Title, g.book.progress.hasMetLesson(l), room)
}

// listBox is where a row's button is drawn, for the state; nothing (W 0)
// for a row out of the window, which no click can reach.
func (g *Game) listBox(btn *widget.Button) Box {
	if btn.GetWidget().Parent() == nil {
		return Box{}
	}
	return g.cssRect(btn.GetWidget().Rect)
}

// lessonLabel is a lesson's button label, "7. Poll tells ... · met", cut
// at a word with "…" to room (device pixels).
func (g *Game) lessonLabel(n int, title string, met bool, room float64) string {
	suffix := ""
	if met {
		suffix = " · met"
	}
	return cutWords(fmt.Sprintf("%d. %s", n, title), room-g.labelWidth(suffix), g.labelWidth) + suffix
}

// cutWords is s, or as many of its first words as fit room with "…"
// after them; at least its first word.
func cutWords(s string, room float64, width func(string) float64) string {
	if width(s) <= room {
		return s
	}
	words := strings.Fields(s)
	for n := len(words) - 1; n > 1; n-- {
		if c := strings.TrimRight(strings.Join(words[:n], " "), ",.;:") + "…"; width(c) <= room {
			return c
		}
	}
	return words[0] + "…"
}

// labelWidth is how wide a button's label is drawn.
func (g *Game) labelWidth(s string) float64 { return g.textWidth(s, 14*g.scale) }

// draw says which rows are shown, with a bar for where they are in the
// whole list, and how many lessons are met.
func (lessonListPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(8))
	w := float64(area.Dx() - g.px(24))
	all := len(g.book.all)
	first, n := g.shownRows()
	note := listNote(first, n, all)
	if n < all {
		// The bar: the whole list as a track, the rows shown on it.
		track := float64(area.Min.Y + g.px(3))
		fillRect(dst, x, track, w, 3*g.scale, colPanelEdge)
		fillRect(dst, x+w*float64(first)/float64(all), track, w*float64(n)/float64(all), 3*g.scale, colSelect)
	}
	for _, l := range append(g.wrap(note, 13*g.scale, w), g.wrap(g.metLine(), 13*g.scale, w)...) {
		g.text(dst, l, x, y, 13*g.scale, colDim, false, alignLeft)
		y += 19 * g.scale
	}
}

// listNote says which of all the lessons the rows shown, n from first,
// are, and how to scroll to the others.
func listNote(first, n, all int) string {
	if n >= all {
		return fmt.Sprintf("All %d lessons shown.", all)
	}
	return fmt.Sprintf("Lessons %d–%d of %d · the wheel, PageUp/PageDown, Home/End scroll", first+1, first+n, all)
}

// metLine says how many lessons are met.
func (g *Game) metLine() string {
	b := g.book
	met := 0
	for _, l := range b.all {
		if b.progress.hasMetLesson(l) {
			met++
		}
	}
	return fmt.Sprintf("%d of %d met. A lesson's button starts it; what is met is kept for next time.", met, len(b.all))
}

// update builds the list again when the rows that fit are not the rows
// shown: the first build's guess was off, or the window changed size.
func (p lessonListPanel) update(g *Game) (panel, bool) {
	m, ok := g.measured()
	if !ok {
		return p, false
	}
	first, n := m.window(g.book.all, p.first)
	if f, k := g.shownRows(); f != first || k != n {
		return lessonListPanel{first: first, rows: n}, true
	}
	return p, false
}

// scrolled is the list with its window moved to start at first (clamped
// as the build clamps it), built again; the ring, if it was on a row,
// goes to row ring (-1: left where the ring's place in the panel puts it).
func (p lessonListPanel) scrolled(g *Game, first, ring int) {
	m, _ := g.measured()
	if m.row == 0 {
		m = g.lessonMeasure(len(g.w.tabs.Children()) > 0)
	}
	first, n := m.window(g.book.all, first)
	if f, k := g.shownRows(); f != first || k != n {
		g.open(lessonListPanel{first: first, rows: n})
		g.layOutNow()
	}
	if ring >= 0 {
		g.ringOnRow(ring)
	}
}

// ringOnRow puts the ring on lesson row i, when it is shown.
func (g *Game) ringOnRow(i int) {
	if i < 0 || i >= len(g.book.listButtons) {
		return
	}
	for _, t := range g.widgetTargets() {
		if t.w == widget.PreferredSizeLocateableWidget(g.book.listButtons[i]) {
			g.focusOn(t)
			return
		}
	}
}

// ringRow is the lesson row the ring is on, -1 for none.
func (g *Game) ringRow() int {
	for i, btn := range g.book.listButtons {
		if g.focus.w == widget.PreferredSizeLocateableWidget(btn) {
			return i
		}
	}
	return -1
}

// wheel scrolls the list three rows a notch.
func (p lessonListPanel) wheel(g *Game, steps int, _ image.Point) {
	first, _ := g.shownRows()
	p.scrolled(g, first-3*steps, -1)
}

// keys takes the list's scrolling keys, with the ring on a row.
func (p lessonListPanel) keys(g *Game) bool {
	for _, k := range []ebiten.Key{ebiten.KeyPageDown, ebiten.KeyPageUp, ebiten.KeyHome, ebiten.KeyEnd} {
		if inpututil.IsKeyJustPressed(k) {
			return p.key(g, k)
		}
	}
	return false
}

// key, with the ring on a row: PageUp and PageDown scroll a window less
// a row, the ring going as far; Home and End go to the list's ends, the
// ring onto the first or the last lesson. It reports whether it took k.
func (p lessonListPanel) key(g *Game, k ebiten.Key) bool {
	at := g.ringRow()
	if at < 0 {
		return false // the console's PageUp and PageDown, as ever
	}
	first, n := g.shownRows()
	page := max(n-1, 1)
	last := len(g.book.all) - 1
	to, ring := 0, 0
	switch k {
	case ebiten.KeyPageDown:
		to, ring = first+page, min(at+page, last)
	case ebiten.KeyPageUp:
		to, ring = first-page, max(at-page, 0)
	case ebiten.KeyHome:
		to, ring = 0, 0
	case ebiten.KeyEnd:
		to, ring = last, last
	default:
		return false
	}
	p.scrolled(g, to, ring)
	return true
}

// A tabScroller is a panel whose buttons are not all in view: Tab and
// Shift-Tab (step 1, -1) onto one out of view scroll it in, and put the
// ring on it; tabScroll reports whether it did.
type tabScroller interface {
	tabScroll(g *Game, step int) bool
}

// tabScroll: Tab past the window's last row onto the next lesson, or
// Shift-Tab before its first, scrolls by one row and rings it.
func (p lessonListPanel) tabScroll(g *Game, step int) bool {
	at := g.ringRow()
	next := at + step
	if at < 0 || next < 0 || next >= len(g.book.listButtons) || g.book.listButtons[next].GetWidget().Parent() != nil {
		return false // not on a row, or the next is in view: Tab as ever
	}
	to := next // Shift-Tab: that row at the window's top
	if m, ok := g.measured(); step > 0 && ok {
		// Tab: the window moved on just far enough to take it in.
		to, _ = g.shownRows()
		for next >= to+m.fits(g.book.all, to) {
			to++
		}
	}
	p.scrolled(g, to, next)
	return true
}

// look: the list changes with the progress and the lesson open.
func (p lessonListPanel) look(g *Game) panelLook {
	key := ""
	if r := g.book.run; r != nil {
		key = r.lesson.key()
	}
	pr := g.book.progress
	return panelLook{of: struct {
		met, class int
		open       string
		all        int
		window     lessonListPanel
	}{len(pr.Met), len(pr.Class), key, len(g.book.all), p}}
}

func (lessonListPanel) state(_ *Game, s *State) { s.Selected = "lessons" }
