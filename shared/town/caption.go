package town

import (
	"image"
	"image/color"
	"strings"
)

// The caption band runs along the bottom of the town: the scenario's own
// words for the steps being carried out (play's Caption), wrapped to the
// town's width, and under them a line that says how to pause, step and
// slow down. Its height is set by the scenario's longest caption, so the
// town does not move as captions come and go; the town is fitted above it.

var colCaptionBand = color.RGBA{0x10, 0x14, 0x1a, 0xe8}

// The keys, said to a newcomer until they use a control, and then kept
// as a dim reminder. At the head of the story → carries out the next
// happening, with every event it makes at that instant, while ← goes
// back exactly one event: the words say so rather than "one event".
const (
	hintStart = "Press Play or Space to start the story · → steps to what happens next · the speed slider slows it down"
	hintFirst = "Space pauses · → steps to what happens next, ← back one event · the speed slider slows down to 0.1x"
	hintKept  = "Space: pause/play · →: next happening · ←: back one event · speed slider: 0.1x to 100x · wheel: zoom"
)

// The hint on the empty town, where there is nothing to play yet: what
// to do instead.
const hintEmpty = "An empty town: press B (Build) to add a host"

// Shorter hints for a narrow town (a phone, where the buttons are what a
// finger has): still how to start or pause, step and slow down.
var hintShort = map[string]string{
	hintStart: "Play or Space: start · Step: what happens next · slider: slower",
	hintFirst: "Pause or Space · Step: what happens next · slider: slower",
	hintKept:  "Pause · Step · slider: 0.1x to 100x",
	hintEmpty: "Empty town: Build adds a host",
}

// The hints on a kernel whose clock is the wall's: no speed to set.
const (
	hintStartLive = "Press Play or Space to start the story · → starts the next line · real time: no speed to set"
	hintFirstLive = "Space pauses the story (the kernel goes on) · → starts the next line · real time"
	hintKeptLive  = "Space: pause/play · →: next line · real time · wheel: zoom"
)

// The hint on a town that shows the machine's own sockets.
const hintWatch = "Space freezes the picture and goes live again · click a door: its queues, cwnd and RTT · wheel: zoom, drag: move"

// emptyTown reports the empty town with nothing built yet: no story to
// play or step, so the words say to build instead.
func (g *Game) emptyTown() bool {
	return g.player.Name() == EmptyTown && len(g.player.Snapshot().Hosts) == 0
}

// captionFit is what the band's height was worked out for.
type captionFit struct {
	src   string
	width int
	scale float64
	lines int // the most lines a caption of the scenario wraps to
}

func (g *Game) captionSize() float64 { return g.pick(14, 12) * g.scale }

func (g *Game) captionLineH() float64 { return g.captionSize() * 1.3 }

// captionPad is the band's margin, in device pixels.
func (g *Game) captionPad() float64 { return 6 * g.scale }

// captionWidth is the width captions wrap to.
func (g *Game) captionWidth(area image.Rectangle) float64 {
	return float64(area.Dx()) - 2*g.captionPad() - 8*g.scale
}

// captionLines is how many lines the scenario's longest caption takes at
// this width; it is worked out again only when the scenario or the width
// changes.
func (g *Game) captionLines(area image.Rectangle) int {
	fit := captionFit{src: g.player.Source(), width: area.Dx(), scale: g.scale}
	if c := g.capFit; c.src == fit.src && c.width == fit.width && c.scale == fit.scale {
		return c.lines
	}
	for _, c := range g.player.Captions() {
		fit.lines = max(fit.lines, len(g.wrap(c, g.captionSize(), g.captionWidth(area))))
	}
	g.capFit = fit
	return fit.lines
}

// captionBand is where the band is: the bottom of the town's area.
func (g *Game) captionBand(area image.Rectangle) image.Rectangle {
	n := g.captionLines(area) + 1 // and the keys
	h := int(float64(n)*g.captionLineH() + 2*g.captionPad())
	if h > area.Dy()/2 {
		return image.Rectangle{} // no room: the town first
	}
	return image.Rect(area.Min.X, area.Max.Y-h, area.Max.X, area.Max.Y)
}

// fitRect is the part of the town area the whole town is fitted into:
// below the status line, above the caption band.
func (g *Game) fitRect() image.Rectangle { return g.fitIn(g.townRect()) }

func (g *Game) fitIn(area image.Rectangle) image.Rectangle {
	r := area
	r.Min.Y = min(r.Min.Y+g.px(statusH), r.Max.Y)
	if band := g.captionBand(area); band.Dy() > 0 {
		r.Max.Y = max(band.Min.Y, r.Min.Y)
	}
	return r
}

// captionLabels are the band's lines: the caption in force, wrapped, and
// the keys.
func (g *Game) captionLabels(area image.Rectangle) []label {
	band := g.captionBand(area)
	if band.Dy() == 0 {
		return nil
	}
	x := float64(band.Min.X) + g.captionPad() + 4*g.scale
	y := float64(band.Min.Y) + g.captionPad()
	var out []label
	if c := strings.TrimSpace(g.player.Caption()); c != "" {
		for _, s := range g.wrap(c, g.captionSize(), g.captionWidth(band)) {
			out = append(out, label{kind: "caption", text: s, x: x, y: y, size: g.captionSize(), c: colText, prio: prioFixed})
			y += g.captionLineH()
		}
	}
	first, kept, start := hintFirst, hintKept, hintStart
	if g.player.Live() {
		first, kept, start = hintFirstLive, hintKeptLive, hintStartLive
	}
	if g.player.Watching() {
		first, kept, start = hintWatch, hintWatch, hintWatch
	}
	hint, c := first, color.Color(colSelect)
	switch {
	case g.usedControls:
		hint, c = kept, colDim
	case g.player.Paused() && !g.player.Started():
		hint = start // the town opens paused: say how to begin
	}
	if g.emptyTown() {
		hint, kept, c = hintEmpty, hintEmpty, colSelect // no story to play: say how to begin
	}
	tries := []string{hint, hintShort[hint], kept, hintShort[kept], "Space: pause · →: step"}
	if host := g.yourHost(); g.player.Shared() && host != "" {
		// No story to be over: friends come and go, time runs on.
		tries = []string{
			"shared: your plot is " + host + "; type its calls in the console (" + host + "/app: socket tcp), a friend's plot is theirs",
			"your plot is " + host + ": type " + host + "/app: ... in the console",
			"your plot: " + host,
		}
		c = colSelect
	} else if told, ok := g.player.CaptionPast(); ok {
		// A closing "run 2m" ran the clock past what the words say
		// (a TIME-WAIT they speak of is over): say they are of then.
		at, now := formatVirtual(told), formatVirtual(g.player.Now())
		tries = []string{
			"story over · the words above tell of t = " + at + "; the clock then ran on to " + now,
			"the words above are of t = " + at + "; now t = " + now,
			"words of t = " + at,
		}
		c = colSelect
	}
	y = float64(band.Max.Y) - g.captionPad() - g.captionLineH()
	size := max(g.captionSize()*0.9, 11*g.scale) // no text under 11 CSS px
	for _, s := range tries {
		if s == "" {
			continue
		}
		if w := g.measure(s, x, y, size, false, alignLeft, 0).w; w <= g.captionWidth(band) {
			out = append(out, label{kind: "hint", text: s, x: x, y: y, size: size, c: c, prio: prioFixed})
			break
		}
	}
	return out
}

// yourHost is, in a shared town, the name of this page's own plot ("" in
// a town that is not shared).
func (g *Game) yourHost() string {
	_, plots := g.player.PeerSigns()
	for h, whose := range plots {
		if whose == "yours" {
			return h
		}
	}
	return ""
}
