package town

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/town/play"
)

// consoleLineH is a console line's height in CSS pixels.
const consoleLineH = 16

// consoleRows is how many lines the console's log shows.
func (g *Game) consoleRows() int {
	area := g.w.logArea.GetWidget().Rect
	return max(int(float64(area.Dy()-g.px(4))/(consoleLineH*g.scale)), 1)
}

// drawConsole draws the newest console lines that fit above the input,
// each wrapped to the console's width rather than cut at its edge.
// Scrolled back, the top row says how many newer lines wait below. The
// line the code panel shows is lit.
func (g *Game) drawConsole(dst *ebiten.Image) {
	box := g.w.consoleBox.GetWidget().Rect
	fillRect(dst, float64(box.Min.X), float64(box.Min.Y), float64(box.Dx()), float64(box.Dy()), color.RGBA{0x12, 0x14, 0x18, 0xff})
	area := g.w.logArea.GetWidget().Rect
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return
	}
	sub, ok := dst.SubImage(area).(*ebiten.Image)
	if !ok {
		return
	}
	cv := g.consoleView()
	if cv.newer > 0 {
		g.text(sub, plural(cv.newer, "newer line", "newer lines")+" below: scroll down or PageDown", float64(area.Max.X-g.px(8)), cv.y0-cv.lineH, 12*g.scale, colSelect, false, alignRight)
	}
	lit := -1
	if p, ok := g.shown().(codePanel); ok {
		lit = p.consoleLine(g)
	}
	for i, r := range cv.rows {
		y := cv.y0 + float64(i)*cv.lineH
		if r.line == lit && lit >= 0 {
			fillRect(sub, float64(area.Min.X), y, float64(area.Dx()), cv.lineH, colLitLine)
		}
		g.text(sub, r.text, float64(area.Min.X+g.px(4)), y, cv.size, consoleColor(r.kind), true, alignLeft)
	}
}

// colLitLine is the ground of the console line the code panel shows.
var colLitLine = color.RGBA{0x2a, 0x34, 0x48, 0xff}

// consoleShown is where the console's rows are drawn: the rows (of the
// lines not scrolled past), the top of the first, the rows' height and
// the text's size, and how many newer lines wait below a scrolled-back
// console (their note takes the top row).
type consoleShown struct {
	rows            []consoleRow
	y0, lineH, size float64
	newer           int
}

// consoleView lays the console's rows out as drawConsole draws them and
// a click finds them.
func (g *Game) consoleView() consoleShown {
	area := g.w.logArea.GetWidget().Rect
	cv := consoleShown{lineH: consoleLineH * g.scale, size: 12.5 * g.scale, y0: float64(area.Min.Y + g.px(2))}
	lines := g.player.Console().Lines
	n := g.consoleRows()
	// Scrolled back, the view stays on the same lines as new ones come.
	end := len(lines) - min(g.scroll.console, max(len(lines)-n, 0))
	if end < len(lines) && n > 1 {
		cv.newer = len(lines) - end
		cv.y0 += cv.lineH
		n--
	}
	cols := int(float64(area.Dx()-g.px(8)) / text.Advance("m", g.fonts.face(cv.size, true)))
	cv.rows = consoleRows(lines[:end], n, cols)
	return cv
}

// consoleLineAt is the console line (its index in the scrollback) drawn
// at the screen point pt, or -1 for none.
func (g *Game) consoleLineAt(pt image.Point) int {
	if !pt.In(g.w.logArea.GetWidget().Rect) {
		return -1
	}
	cv := g.consoleView()
	i := int(math.Floor((float64(pt.Y) - cv.y0) / cv.lineH))
	if i < 0 || i >= len(cv.rows) {
		return -1
	}
	return cv.rows[i].line
}

// consoleRow is one row of the console as drawn: a line, or part of one.
type consoleRow struct {
	text string
	kind play.LineKind
	line int // the line's index in the scrollback
}

// consoleRows are the last n rows of lines wrapped to cols characters:
// whole lines only, unless the newest alone is taller than n rows.
func consoleRows(lines []play.ConsoleLine, n, cols int) []consoleRow {
	var rows []consoleRow
	for i := len(lines) - 1; i >= 0; i-- {
		var these []consoleRow
		for _, t := range wrapMono(lines[i].Text, cols) {
			these = append(these, consoleRow{text: t, kind: lines[i].Kind, line: i})
		}
		if len(rows)+len(these) > n {
			if len(rows) == 0 {
				rows = these[len(these)-n:]
			}
			break
		}
		rows = append(these, rows...)
	}
	return rows
}

// wrapMono breaks s into rows of at most cols characters, at a space
// where there is one late enough in the row; rows after the first are
// indented, so a wrapped line reads as one.
func wrapMono(s string, cols int) []string {
	r := []rune(s)
	if cols < 8 || len(r) <= cols {
		return []string{s}
	}
	var out []string
	for indent := ""; len(r) > 0; indent = "  " {
		room := cols - len(indent)
		if len(r) <= room {
			out = append(out, indent+string(r))
			break
		}
		cut := room
		for k := room; k > room/2; k-- {
			if r[k] == ' ' {
				cut = k
				break
			}
		}
		out = append(out, indent+strings.TrimRight(string(r[:cut]), " "))
		r = []rune(strings.TrimLeft(string(r[cut:]), " "))
	}
	return out
}

func consoleColor(k play.LineKind) color.Color {
	switch k {
	case play.LineInput:
		return colText
	case play.LineResult:
		return color.RGBA{0x9c, 0xe0, 0x9c, 0xff}
	case play.LineError:
		return colError
	}
	return colDim
}

// drawStatus paints the status line's strip at the town's top-right
// corner and the caption band along its bottom, then their words (placed
// with the town's other labels, see labels.go).
func (g *Game) drawStatus(dst *ebiten.Image) {
	area := g.townRect()
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return
	}
	var fixed []label
	for _, l := range g.labels {
		if l.prio != prioFixed {
			continue
		}
		fixed = append(fixed, l)
		if l.kind == "status" {
			// On a dim strip, so it reads over a zoomed-in plot.
			fillRect(dst, l.box.x-10*g.scale, float64(area.Min.Y), l.box.w+20*g.scale, statusH*g.scale, colStatusStrip)
		}
	}
	if band := g.captionBand(area); band.Dy() > 0 {
		fillRect(dst, float64(band.Min.X), float64(band.Min.Y), float64(band.Dx()), float64(band.Dy()), colCaptionBand)
	}
	g.drawLabels(dst, fixed)
}

// statusH is the status strip's height in CSS pixels.
const statusH = 26

// statusLabel is the longest status line that fits the town's width:
// the scenario, the virtual clock, the pace, the letters on the road. It
// says when the pace set does not hold: a quiet stretch skipped faster,
// or a story over, its clock standing still.
func (g *Game) statusLabel(area image.Rectangle) label {
	state, hint, short := "", "", "" // short: the state for a narrow town
	idle := g.player.Idle() && !g.player.Paused()
	at := fmt.Sprintf("event %d of %d", g.player.EventIndex(), g.player.EventCount())
	switch speed, fastest := g.player.Speed(); {
	case g.emptyTown():
		// Nothing to play yet: paused or not, say what to do.
		state, short = "an empty town · B (Build) adds a host", "empty town"
	case g.player.Shared():
		// Peers cannot wait: the clock is the wall's, only letters slow.
		state, short = "shared · real time · letters slowed to be seen", "shared · real time"
	case g.player.BackInTime() && g.player.Paused():
		// Gone back: say so, or the town reads as the story's end.
		state, hint, short = "back in time at "+at+" · paused", " (left: back, right: on, T: the timeline)", "back at "+at
	case g.player.BackInTime():
		state, short = "back in time, replaying what happened · "+at, "replaying · "+at
	case g.player.Paused() && fastest:
		state, hint, short = "paused · as fast as possible once played", " (space plays, right arrow steps)", "paused · fastest"
	case g.player.Paused():
		state, hint = "paused", " (space plays, right arrow steps)"
	case idle:
		state, short = "story done · type a line or pick another", "story done"
	case fastest:
		state = "as fast as possible"
	case g.player.Watching():
		n := 0
		for _, h := range g.player.Snapshot().Hosts {
			n += len(h.Orphans)
			for _, p := range h.Processes {
				n += len(p.Sockets)
			}
		}
		state, short = "live · "+plural(n, "socket", "sockets"), "live"
	case g.player.Live():
		// The kernel's clock is the wall's; only the letters are slowed.
		state, short = "playing in real time · letters slowed to be seen", "playing in real time"
	default:
		state = fmt.Sprintf("playing at %.3gx", speed)
		if g.player.Skipping() {
			// Else a 60 s TIME-WAIT gone in two seconds reads as 1x.
			state, short = state+" · skipping ahead: no letter on the roads", state+" · skipping ahead"
		}
	}
	if short == "" {
		short = state
	}
	busy := ""
	if !g.player.Busy() && !idle && !g.emptyTown() && !g.player.Shared() {
		busy = "  scenario done"
	}
	clock := "t = " + formatVirtual(g.player.Now())
	letters := "   " + plural(len(g.player.Animation().Letters), "letter", "letters") + " on the road"
	size := 13 * g.scale
	l := label{kind: "status", size: size, c: colText, a: alignRight, prio: prioFixed,
		x: float64(area.Max.X - g.px(10)), y: float64(area.Min.Y + g.px(6))}
	for _, s := range []string{
		g.player.Name() + "   " + clock + "   " + state + hint + letters + busy,
		g.player.Name() + "   " + clock + "   " + state + letters + busy,
		clock + "   " + state + busy,
		clock + "   " + short + busy,
		clock,
	} {
		l.text = s
		if w := text.Advance(s, g.fonts.face(size, false)); w <= float64(area.Dx()-g.px(20))-g.badgeWidth(area) {
			break
		}
	}
	return l
}

// badgeText says which kernel the town shows: "simulator", or an OS
// kernel with its release and how hosts are made ("Linux 6.18.0 ·
// namespaces"), and for such a kernel that time is real.
func (g *Game) badgeText() string {
	if g.player.Watching() {
		return g.player.KernelLabel() // it says how often it looks
	}
	if g.player.Live() {
		return g.player.KernelLabel() + " · real time"
	}
	if g.player.Shared() {
		return g.player.KernelLabel() + " · shared with peers"
	}
	return g.player.KernelLabel()
}

// badgeLabel is the kernel's badge at the town's top left, on the status
// strip: on a simulator in the town's dim blue, on a real kernel in
// amber, so a learner never takes one for the other.
func (g *Game) badgeLabel(area image.Rectangle) label {
	size := 13 * g.scale
	l := label{kind: "kernel", text: "kernel: " + g.badgeText(), short: g.badgeText(), size: size, c: colText, bg: colKernel,
		pad: 4 * g.scale, a: alignLeft, prio: prioFixed,
		x: float64(area.Min.X + g.px(10)), y: float64(area.Min.Y + g.px(6))}
	if g.player.Live() {
		l.c, l.bg = colInk, colSelect
	}
	if g.compact || g.player.Watching() { // "watching this machine · ..." says it all
		l.text = l.short
	}
	return l
}

// badgeWidth is the room the badge takes from the status line.
func (g *Game) badgeWidth(area image.Rectangle) float64 {
	l := g.badgeLabel(area)
	return text.Advance(l.text, g.fonts.face(l.size, false)) + float64(g.px(24))
}

// plural says n things with the word for one or for many: "1 letter",
// "2 letters".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func formatVirtual(t time.Duration) string {
	switch {
	case t < time.Second:
		return fmt.Sprintf("%.3f ms", float64(t)/float64(time.Millisecond))
	case t < time.Minute:
		return fmt.Sprintf("%.3f s", t.Seconds())
	}
	return fmt.Sprintf("%dm%06.3fs", int(t.Minutes()), t.Seconds()-60*float64(int(t.Minutes())))
}
