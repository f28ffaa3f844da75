package town

import (
	"fmt"
	"image"
	"image/color"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
)

// lessonPanel shows the lesson open: its goal's checks as they stand,
// each marked with a shape as well as a colour (a tick for met, a cross
// for not yet), the hints asked for, and the lesson's text. Its buttons
// give the next hint, play show me, start the lesson again and, once the
// goal is met, open the next lesson.
type lessonPanel struct{ key string } // the lesson's bookLesson.key

func (p lessonPanel) title(g *Game) string {
	r := g.book.run
	if r == nil || r.lesson.key() != p.key {
		return "Lessons"
	}
	return fmt.Sprintf("%s: %s", capital(r.lesson.named()), r.lesson.Title)
}

func (p lessonPanel) build(g *Game, tabs, actions *widget.Container) {
	tabs.AddChild(g.button("All lessons", g.openLessons))
	r := g.book.run
	if r == nil {
		return
	}
	if len(r.lesson.Hints) > 0 {
		actions.AddChild(g.hintButton(r))
	}
	if len(r.show) == 0 {
		actions.AddChild(g.button("Show me", g.showMe))
	}
	actions.AddChild(g.button("Start again", g.startAgain))
	if _, ok := g.lessonAfter(r.lesson); ok && r.met {
		actions.AddChild(g.button("Next lesson", g.nextLesson))
	}
}

// hintButton gives the next hint and says which it gives ("Hint 2 of
// 3"); with every hint shown it stays, greyed, as "No more hints", so
// the row of buttons does not jump and the learner sees why.
func (g *Game) hintButton(r *lessonRun) *widget.Button {
	if r.hints >= len(r.lesson.Hints) {
		b := g.button("No more hints", func() {})
		b.GetWidget().Disabled = true
		return b
	}
	return g.button(fmt.Sprintf("Hint %d of %d", r.hints+1, len(r.lesson.Hints)), g.hint)
}

// lessonLine is a line the panel draws: its text, size, ink and indent,
// and a mark before it (0 none, 1 a tick, 2 a cross).
type lessonLine struct {
	text   string
	size   float64
	ink    color.Color
	indent float64
	mark   int
	gap    float64 // space above it, in CSS pixels
}

// lines are what the panel draws, wrapped to width: the goal first, so
// the learner sees it turn as they work, then the hints shown, then the
// text.
func (p lessonPanel) lines(g *Game, width float64) []lessonLine {
	r := g.book.run
	if r == nil || r.lesson.key() != p.key {
		return nil
	}
	var out []lessonLine
	add := func(s string, size float64, ink color.Color, indent float64, mark int, gap float64) {
		for i, w := range g.wrap(s, size*g.scale, width-indent*g.scale) {
			l := lessonLine{text: w, size: size, ink: ink, indent: indent, gap: gap}
			if i == 0 {
				l.mark = mark
			} else {
				l.gap = 0
			}
			out = append(out, l)
		}
	}
	if r.goalMet(g.player) {
		add("Goal met!", 16, colReady, 24, 1, 0)
	} else {
		add("Goal: not yet met", 16, colText, 24, 2, 0)
	}
	for _, c := range r.result.Checks {
		if c.Met {
			add(c.Name, 13, colReady, 24, 1, 4)
		} else {
			add(c.Name, 13, colText, 24, 2, 4)
		}
	}
	if r.lesson.Shared {
		add(g.sharedNote(r), 13, colSelect, 0, 0, 8)
	}
	for i, h := range r.lesson.Hints[:r.hints] {
		add(fmt.Sprintf("Hint %d: %s", i+1, h), 13, colSelect, 0, 0, 8)
	}
	if len(r.show) > 0 {
		add(fmt.Sprintf("Show me is typing its lines in the console (%d to go).", len(r.show)), 13, colDim, 0, 0, 8)
	}
	gap := 12.0
	for _, para := range plainText(r.lesson.Text) {
		if para == "" {
			gap = 8
			continue
		}
		add(para, 13, colText, 0, 0, gap)
		gap = 0
	}
	return out
}

func (p lessonPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(8))
	width := float64(area.Dx() - g.px(24))
	lines := p.lines(g, width)
	from := min(max(g.book.scroll, 0), max(len(lines)-1, 0))
	for i, l := range lines[from:] {
		h := (l.size + 6) * g.scale
		if i > 0 {
			y += l.gap * g.scale
		}
		if y+h > float64(area.Max.Y) {
			g.text(dst, "(the wheel scrolls on)", x, float64(area.Max.Y)-16*g.scale, 11*g.scale, colDim, false, alignLeft)
			return
		}
		cy := y + h/2 - 1*g.scale
		switch l.mark {
		case 1:
			g.drawTick(dst, x+8*g.scale, cy, 6*g.scale, colReady)
		case 2:
			g.drawCross(dst, x+8*g.scale, cy, 5*g.scale, colError)
		}
		g.text(dst, l.text, x+l.indent*g.scale, y, l.size*g.scale, l.ink, false, alignLeft)
		y += h
	}
}

// wheel scrolls the panel's lines.
func (p lessonPanel) wheel(g *Game, steps int, _ image.Point) {
	g.book.scroll = max(g.book.scroll-steps*3, 0)
}

// update builds the buttons again when the goal is met (Next lesson),
// and shows the list when the lesson was left.
func (p lessonPanel) update(g *Game) (panel, bool) {
	r := g.book.run
	if r == nil || r.lesson.key() != p.key {
		return lessonListPanel{}, true
	}
	return p, p.title(g) != g.w.title.Label
}

// look: the panel changes with the goal, the hints and show me.
func (p lessonPanel) look(g *Game) panelLook {
	r := g.book.run
	if r == nil {
		return panelLook{}
	}
	met := 0
	for _, c := range r.result.Checks {
		if c.Met {
			met++
		}
	}
	return panelLook{of: [5]int{met, r.hints, len(r.show), g.book.scroll, r.judged.events}}
}

func (lessonPanel) state(_ *Game, s *State) { s.Selected = "lesson" }

// drawTick draws a tick centred on x, y, r across: met.
func (g *Game) drawTick(dst *ebiten.Image, x, y, r float64, c color.Color) {
	w := 2.2 * g.scale
	line(dst, x-r, y, x-r/3, y+r*0.7, w, c)
	line(dst, x-r/3, y+r*0.7, x+r, y-r*0.8, w, c)
}

// drawCross draws a cross centred on x, y: not yet.
func (g *Game) drawCross(dst *ebiten.Image, x, y, r float64, c color.Color) {
	w := 2.2 * g.scale
	line(dst, x-r, y-r, x+r, y+r, w, c)
	line(dst, x-r, y+r, x+r, y-r, w, c)
}
