package town

import (
	"fmt"
	"image"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
)

// lessonListPanel lists the lessons, one button each with its number and
// title, those whose goal was met saying so; a button starts its lesson.
// Buttons, not drawn rows, so that the keyboard's Tab reaches them as it
// reaches every button, and a screen's state lists them.
type lessonListPanel struct{}

func (lessonListPanel) title(*Game) string { return "Lessons: one for each idea" }

// build offers the lesson open, if there is one, to go back to, and a
// column of the lessons.
func (lessonListPanel) build(g *Game, tabs, actions *widget.Container) {
	b := g.book
	if r := b.run; r != nil {
		key := r.lesson.key()
		tabs.AddChild(g.button("Back to "+r.lesson.named(), func() { g.open(lessonPanel{key: key}) }))
	}
	col := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewRowLayout(
		widget.RowLayoutOpts.Direction(widget.DirectionVertical),
		widget.RowLayoutOpts.Spacing(g.px(4)),
	)))
	b.listButtons = b.listButtons[:0]
	room := (g.panelWidth() - 60) * g.scale // the panel less its padding and the button's
	folder := ""
	for _, l := range b.all {
		if l.folder != folder {
			// The class folder's lessons under a heading of their
			// own, after the built-in ones.
			folder = l.folder
			col.AddChild(widget.NewText(widget.TextOpts.Text("Class folder: "+folder, g.fonts.faceRef(13*g.scale), colSelect)))
		}
		btn := g.button(g.lessonLabel(l.Number, l.Title, b.progress.hasMetLesson(l), room), func() { g.openLesson(l) })
		col.AddChild(btn)
		b.listButtons = append(b.listButtons, btn)
	}
	actions.AddChild(col)
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

// draw says how many lessons are met.
func (lessonListPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	b := g.book
	met := 0
	for _, l := range b.all {
		if b.progress.hasMetLesson(l) {
			met++
		}
	}
	msg := fmt.Sprintf("%d of %d met. A lesson's button starts it; what is met is kept for next time.", met, len(b.all))
	y := float64(area.Min.Y + g.px(8))
	for _, l := range g.wrap(msg, 13*g.scale, float64(area.Dx()-g.px(24))) {
		g.text(dst, l, float64(area.Min.X+g.px(12)), y, 13*g.scale, colDim, false, alignLeft)
		y += 19 * g.scale
	}
}

func (p lessonListPanel) update(*Game) (panel, bool) { return p, false }

// look: the list changes with the progress and the lesson open.
func (lessonListPanel) look(g *Game) panelLook {
	key := ""
	if r := g.book.run; r != nil {
		key = r.lesson.key()
	}
	p := g.book.progress
	return panelLook{of: struct {
		met, class int
		open       string
		all        int
	}{len(p.Met), len(p.Class), key, len(g.book.all)}}
}

func (lessonListPanel) state(_ *Game, s *State) { s.Selected = "lessons" }
