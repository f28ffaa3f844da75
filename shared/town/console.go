package town

import (
	"fmt"
	"image/color"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/town/play"
)

// drawConsole draws the newest console lines that fit above the input.
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
	lineH := 16 * g.scale
	lines := g.player.Console().Lines
	n := max(int(float64(area.Dy()-g.px(4))/lineH), 1)
	// Scrolled back, the view stays on the same lines as new ones come.
	end := len(lines) - min(g.scroll.console, max(len(lines)-n, 0))
	start := max(end-n, 0)
	y := float64(area.Min.Y + g.px(2))
	for _, l := range lines[start:end] {
		g.text(sub, l.Text, float64(area.Min.X+g.px(4)), y, 12.5*g.scale, consoleColor(l.Kind), true, alignLeft)
		y += lineH
	}
	if end < len(lines) {
		g.text(sub, fmt.Sprintf("%d newer lines below: scroll down", len(lines)-end), float64(area.Max.X-g.px(8)), float64(area.Min.Y+g.px(2)), 12*g.scale, colSelect, false, alignRight)
	}
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

// drawStatus writes the virtual clock and what is going on over the
// town's top-right corner.
func (g *Game) drawStatus(dst *ebiten.Image) {
	area := g.townRect()
	if area.Dx() <= 0 || area.Dy() <= 0 {
		return
	}
	state, hint := "", ""
	switch speed, fastest := g.player.Speed(); {
	case g.player.Paused():
		state, hint = "paused", " (space plays, right arrow steps)"
	case fastest:
		state = "as fast as possible"
	default:
		state = fmt.Sprintf("playing at %.3gx", speed)
	}
	busy := ""
	if !g.player.Busy() {
		busy = "  scenario done"
	}
	clock := "t = " + formatVirtual(g.player.Now())
	letters := fmt.Sprintf("   %d letters on the road", len(g.player.Animation().Letters))
	// The longest line that fits the town's width.
	size := 13 * g.scale
	for _, s := range []string{
		g.player.Name() + "   " + clock + "   " + state + hint + letters + busy,
		g.player.Name() + "   " + clock + "   " + state + letters + busy,
		clock + "   " + state + busy,
		clock,
	} {
		if w := text.Advance(s, g.fonts.face(size, false)); w <= float64(area.Dx()-g.px(20)) || s == clock {
			// On a dim strip, so it reads over a zoomed-in plot.
			fillRect(dst, float64(area.Max.X)-w-20*g.scale, float64(area.Min.Y), w+20*g.scale, 26*g.scale, colStatusStrip)
			g.text(dst, s, float64(area.Max.X-g.px(10)), float64(area.Min.Y+g.px(6)), size, colText, false, alignRight)
			return
		}
	}
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
