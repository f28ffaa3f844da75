package town

import (
	"image"
	"image/color"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/script"
	"socketville/shared/town/play"
)

// The code panel: next to a console line, the code a program writes for
// it in Go (package net), C (BSD sockets) or Python (module socket), the
// learner's pick, which the town keeps for the session. A click on a
// console line shows that line's code (a click on a result, its call's);
// opened otherwise, the panel follows the newest call as the story goes.

// codePanel shows the code of one console line in one language.
type codePanel struct {
	// at is the line's number among all the console's lines ever added
	// (play.Console.Added counts them), so that it stays the same line
	// as old ones scroll out of the console; -1 follows the newest call.
	at   int
	lang script.Lang
}

// codeCaptions are the panel's one-line caption, by language.
var codeCaptions = map[script.Lang]string{
	script.Go:     "What a Go program writes for this line, with package net (bright), after its earlier calls (dim):",
	script.C:      "What a C program writes for this line, with BSD sockets (bright), after its earlier calls (dim):",
	script.Python: "What a Python program writes for this line, with module socket (bright), after its earlier calls (dim):",
}

// maxBefore is how many of the process's earlier calls the panel keeps
// to show above the line's own code.
const maxBefore = 16

// codeMemo is the code the panel shows, worked out once for its line,
// language and the console as it was (a Coder reads every call before
// the line, to know each fd's kind).
type codeMemo struct {
	key  codeKey
	line string
	code string
	err  error
	// before is the code of the same process's calls before the line,
	// oldest first (the last maxBefore), and skipped how many older ones
	// there were.
	before  []string
	skipped int
	// langs is the line's code and its earlier calls' in every language,
	// so that the panel can show the same calls in each (see beforeFits).
	langs []langCode
}

// langCode is a line's code in one language, and its earlier calls'.
type langCode struct {
	code   string
	before []string
}

type codeKey struct {
	p     codePanel
	added int // play.Console.Added when it was worked out
	gen   int // play.Console.Gen: a scenario loaded since empties it
}

// openCode shows the code of the newest call in the language last chosen.
func (g *Game) openCode() { g.open(codePanel{at: -1, lang: g.codeLang}) }

// clickConsole shows the code of the console line under pt; a click on a
// result or an error shows its call's. It reports whether there was one.
func (g *Game) clickConsole(pt image.Point) bool {
	i := g.consoleLineAt(pt)
	lines := g.player.Console().Lines
	for ; i >= 0; i-- {
		if _, ok := shellLine(lines[i]); ok {
			break
		}
	}
	if i < 0 {
		return false
	}
	c := g.player.Console()
	g.open(codePanel{at: c.Added() - len(c.Lines) + i, lang: g.codeLang})
	return true
}

// shellLine is the shell line a console line echoes ("$ b/web: bind 3
// 0.0.0.0:80" is b/web: bind 3 0.0.0.0:80), if it echoes one as it runs.
func shellLine(l play.ConsoleLine) (string, bool) {
	if l.Kind != play.LineInput || !strings.HasPrefix(l.Text, "$ ") {
		return "", false
	}
	return strings.TrimPrefix(l.Text, "$ "), true
}

// consoleLine is the index in the console of the line the panel shows,
// or -1 when it has scrolled out (or there is no call yet).
func (p codePanel) consoleLine(g *Game) int {
	c := g.player.Console()
	if p.at < 0 {
		for i := len(c.Lines) - 1; i >= 0; i-- {
			if _, ok := shellLine(c.Lines[i]); ok {
				return i
			}
		}
		return -1
	}
	i := p.at - (c.Added() - len(c.Lines))
	if i < 0 || i >= len(c.Lines) {
		return -1
	}
	return i
}

// code is the panel's line and its code, worked out again only when the
// console changed.
func (p codePanel) code(g *Game) *codeMemo {
	c := g.player.Console()
	key := codeKey{p: p, added: c.Added(), gen: c.Gen()}
	if g.codeMemo != nil && g.codeMemo.key == key {
		return g.codeMemo
	}
	m := &codeMemo{key: key}
	g.codeMemo = m
	i := p.consoleLine(g)
	if i < 0 {
		return m
	}
	m.line, _ = shellLine(c.Lines[i])
	earlier := c.Lines[storyStart(c.Lines[:i]):i]
	for _, l := range script.Langs() {
		code, before, err := codeOf(earlier, m.line, l)
		skipped := max(len(before)-maxBefore, 0)
		before = before[skipped:]
		m.langs = append(m.langs, langCode{code: code, before: before})
		if l == p.lang {
			m.code, m.err, m.before, m.skipped = code, err, before, skipped
		}
	}
	return m
}

// storyStart is where the newest scenario's lines begin among lines:
// after the console's last "# scenario" line (a load, Restart, Start
// again), since the calls before it were another story's program.
func storyStart(lines []play.ConsoleLine) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i].Text, "# scenario ") {
			return i + 1
		}
	}
	return 0
}

// codeOf is the code of line in lang, after the console lines before it,
// and the code of the same process's calls among them, oldest first. The
// calls before the line tell the Coder which fds are TCP or UDP sockets,
// bound or listening, and what each process has declared; what the other
// processes' calls say of themselves is not shown, and a line the Coder
// cannot read is passed over.
func codeOf(earlier []play.ConsoleLine, line string, lang script.Lang) (code string, before []string, err error) {
	who, _, isCall := strings.Cut(line, ": ")
	isCall = isCall && strings.Contains(who, "/")
	cd := script.NewCoder(lang)
	for _, l := range earlier {
		s, ok := shellLine(l)
		if !ok {
			continue
		}
		code, err := cd.Line(s)
		if isCall && err == nil && code != "" && strings.HasPrefix(s, who+": ") {
			before = append(before, untab(code))
		}
	}
	code, err = cd.Line(line)
	return untab(code), before, err
}

// untab indents with spaces: the panel's face has no tab.
func untab(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

func (p codePanel) title(g *Game) string {
	if m := p.code(g); m.line != "" {
		return "Code: " + m.line
	}
	return "Code: no call yet"
}

// build offers the three languages as tabs, and a way back to the newest
// call when the panel shows an older one.
func (p codePanel) build(g *Game, tabs, actions *widget.Container) {
	for _, l := range script.Langs() {
		label := l.String()
		if l == p.lang {
			label = "[" + label + "]"
		}
		to := p
		to.lang = l
		tabs.AddChild(g.button(label, func() {
			g.codeLang = to.lang // kept for the session
			g.open(to)
		}))
	}
	if p.at >= 0 {
		to := p
		to.at = -1
		actions.AddChild(g.button("Follow the newest call", func() { g.open(to) }))
	}
}

func (p codePanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(10)), float64(area.Min.Y+g.px(8))
	width := float64(area.Dx() - g.px(20))
	m := p.code(g)
	size := 12 * g.scale
	if m.line == "" {
		for _, l := range g.wrap("No call in the console yet: the code shows here once a line runs. A click on a console line shows its code.", size, width) {
			g.text(dst, l, x, y, size, colDim, false, alignLeft)
			y += 17 * g.scale
		}
		return
	}
	for _, l := range g.wrap(codeCaptions[p.lang], size, width) {
		g.text(dst, l, x, y, size, colDim, false, alignLeft)
		y += 17 * g.scale
	}
	y += 6 * g.scale
	if m.err != nil {
		for _, l := range g.wrap(m.err.Error(), size, width) {
			g.text(dst, l, x, y, size, colError, false, alignLeft)
			y += 17 * g.scale
		}
		return
	}
	cols, _ := g.codeRows(area)
	rowH := 16 * g.scale
	// The line's own code always shows; above it, as many of the
	// earlier calls as fit, the newest nearest.
	first := len(m.before) - p.earlierShown(g, area)
	if n := m.skipped + first; n > 0 {
		g.text(dst, "... "+plural(n, "earlier call", "earlier calls")+" of this process", x, y, size, colDim, false, alignLeft)
		y += rowH
	}
	draw := func(code string, ink color.Color) {
		for _, l := range strings.Split(code, "\n") {
			for _, r := range wrapMono(l, cols) {
				if y > float64(area.Max.Y) {
					return
				}
				g.text(dst, r, x, y, size, ink, true, alignLeft)
				y += rowH
			}
		}
	}
	for _, b := range m.before[first:] {
		draw(b, colFaint)
		y += rowH / 2
	}
	y += rowH / 2
	draw(m.code, colText)
}

// codeRows is the room for code in the panel's area: its width in
// columns of the monospace face, and its height in rows below the
// caption, the tallest of the languages' captions so that every language
// has the same rows.
func (g *Game) codeRows(area image.Rectangle) (cols, height int) {
	size := 12 * g.scale
	width := float64(area.Dx() - g.px(20))
	caption := 0
	for _, c := range codeCaptions {
		caption = max(caption, len(g.wrap(c, size, width)))
	}
	top := float64(area.Min.Y+g.px(8)) + float64(caption)*17*g.scale + 6*g.scale
	cols = int(width / text.Advance("m", g.fonts.face(size, true)))
	return cols, int((float64(area.Max.Y) - top) / (16 * g.scale))
}

// earlierShown is how many of the line's earlier calls the panel shows
// in area: the same number whichever language it shows them in.
func (p codePanel) earlierShown(g *Game, area image.Rectangle) int {
	cols, height := g.codeRows(area)
	return beforeFits(p.code(g).langs, height, func(code string) int { return monoRows(code, cols) })
}

// monoRows is how many rows code takes in the panel's monospace face,
// cols columns wide.
func monoRows(code string, cols int) int {
	n := 0
	for _, l := range strings.Split(code, "\n") {
		n += len(wrapMono(l, cols))
	}
	return n
}

// beforeFits is how many of the newest earlier calls the panel shows
// above the line's code, in height rows of which rows(code) the code
// takes: as many as fit in every language, so that a learner switching
// Go, C and Python for one line sees the same calls before it (the same
// "N earlier calls" too), though the languages take different room for
// them. A call takes its rows and a gap; a row is kept for the line
// that counts the calls not shown.
func beforeFits(langs []langCode, height int, rows func(string) int) int {
	n := maxBefore
	for _, lc := range langs {
		room := height - rows(lc.code) - 1
		k := 0
		for k < min(n, len(lc.before)) {
			need := rows(lc.before[len(lc.before)-1-k]) + 1
			if need > room {
				break
			}
			room -= need
			k++
		}
		n = min(n, k)
	}
	return n
}

// colFaint is the earlier calls' code: readable, but behind the line's.
var colFaint = color.RGBA{0x8a, 0x94, 0xa4, 0xff}

// update builds the panel again when its title moved on: a newer call
// to follow, or its line scrolled out of the console.
func (p codePanel) update(g *Game) (panel, bool) { return p, p.title(g) != g.w.title.Label }

// look: a panel that follows the newest call changes with the console,
// which the screen's look already holds.
func (codePanel) look(*Game) panelLook { return panelLook{} }

func (p codePanel) state(g *Game, s *State) {
	s.Selected = "code"
	m := p.code(g)
	cs := &CodeState{Line: m.line, Lang: p.lang.String(), Caption: codeCaptions[p.lang]}
	if m.err != nil {
		cs.Error = m.err.Error()
	} else if m.code != "" {
		cs.Lines = strings.Split(m.code, "\n")
	}
	cs.Before = m.before
	s.Code = cs
}

// CodeState is what the code panel shows: the shell line, the language
// and its caption, and the code's lines (or why there is none).
type CodeState struct {
	Line    string   `json:"line"`
	Lang    string   `json:"lang"` // "Go", "C" or "Python"
	Caption string   `json:"caption"`
	Lines   []string `json:"lines"`
	Error   string   `json:"error,omitempty"`
	// Before is the code of the process's earlier calls, a call a
	// string, oldest first: the panel shows as many as fit, dim, above.
	Before []string `json:"before,omitempty"`
}
