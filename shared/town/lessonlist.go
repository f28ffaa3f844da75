package town

import (
	"fmt"
	"image"
	"image/color"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
)

// lessonListPanel lists the lessons, one a row with its number and title
// and a mark for those whose goal was met; a click on a row starts that
// lesson.
type lessonListPanel struct{}

func (lessonListPanel) title(*Game) string { return "Lessons: one for each idea" }

// build offers the lesson open, if there is one, to go back to.
func (lessonListPanel) build(g *Game, tabs, _ *widget.Container) {
	if r := g.book.run; r != nil {
		n := r.lesson.Number
		tabs.AddChild(g.button(fmt.Sprintf("Back to lesson %d", n), func() { g.open(lessonPanel{n: n}) }))
	}
}

// lessonRows are the rows of the list in area, one for each lesson.
func (g *Game) lessonRows(area image.Rectangle) []image.Rectangle {
	rows := make([]image.Rectangle, 0, len(g.book.all))
	y := area.Min.Y + g.px(30)
	h := g.px(30)
	for range g.book.all {
		rows = append(rows, image.Rect(area.Min.X+g.px(8), y, area.Max.X-g.px(8), y+h))
		y += h + g.px(4)
	}
	return rows
}

func (lessonListPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	b := g.book
	size := 13 * g.scale
	x := float64(area.Min.X + g.px(12))
	g.text(dst, fmt.Sprintf("%d of %d met. Click a lesson to start it.", len(b.progress.Met), len(b.all)),
		x, float64(area.Min.Y+g.px(6)), size, colDim, false, alignLeft)
	for i, row := range g.lessonRows(area) {
		l := b.all[i]
		met := b.progress.HasMet(l.Number)
		ground := color.RGBA{0x24, 0x2a, 0x33, 0xff}
		if r := b.run; r != nil && r.lesson.Number == l.Number {
			ground = color.RGBA{0x2e, 0x38, 0x48, 0xff} // the lesson open
		}
		fillRect(dst, float64(row.Min.X), float64(row.Min.Y), float64(row.Dx()), float64(row.Dy()), ground)
		mx, my := float64(row.Min.X+g.px(14)), float64(row.Min.Y+row.Dy()/2)
		if met {
			g.drawTick(dst, mx, my, 7*g.scale, colReady)
		} else {
			strokeCircle(dst, mx, my, 6*g.scale, 1.5*g.scale, colDim) // an open ring: not yet
		}
		label := fmt.Sprintf("%d. %s", l.Number, l.Title)
		if met {
			label += "  (met)"
		}
		w := float64(row.Dx() - g.px(36))
		lines := g.wrap(label, size, w)
		if len(lines) > 1 {
			label = lines[0] + "…"
		}
		g.text(dst, label, float64(row.Min.X+g.px(28)), float64(row.Min.Y+g.px(7)), size, colText, false, alignLeft)
	}
}

// click starts the lesson whose row is under pt.
func (lessonListPanel) click(g *Game, pt image.Point) {
	for i, row := range g.lessonRows(g.w.panelArea.GetWidget().Rect) {
		if pt.In(row) {
			g.startLesson(g.book.all[i].Number)
			return
		}
	}
}

func (p lessonListPanel) update(*Game) (panel, bool) { return p, false }

// look: the list changes with the progress and the lesson open.
func (lessonListPanel) look(g *Game) panelLook {
	n := 0
	if r := g.book.run; r != nil {
		n = r.lesson.Number
	}
	return panelLook{of: [2]int{len(g.book.progress.Met), n}}
}

func (lessonListPanel) state(_ *Game, s *State) { s.Selected = "lessons" }
