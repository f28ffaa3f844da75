package town

import (
	"image"
	"strings"
	"testing"

	"github.com/ebitenui/ebitenui/event"
	"github.com/ebitenui/ebitenui/widget"

	"socketville/shared/script"
)

// newTown builds a town's widgets for a 1280x800 window, as the first
// frame does, playing the example named.
func newTown(t *testing.T, name string) *Game {
	t.Helper()
	g, err := New(Options{Scenario: name})
	if err != nil {
		t.Fatal(err)
	}
	g.width, g.height = 1280, 800
	g.fitUI(1)
	g.layOut()
	return g
}

// TestCodePanel opens the code panel on hello-tcp once its server has
// listened: it shows the newest call, in Go first; the C and Python tabs
// show it in theirs, and the choice holds for a line clicked in the
// console next, whose code the panel then shows, its row lit.
func TestCodePanel(t *testing.T) {
	g := newTown(t, "hello-tcp")
	for i := 0; i < 200 && !strings.Contains(consoleText(g), ": listen "); i++ {
		g.step()
	}
	g.refreshWidgets()
	g.openCode()
	s := g.State()
	if s.Selected != "code" || s.Code == nil {
		t.Fatalf("the panel shows %q, code %+v", s.Selected, s.Code)
	}
	if !strings.Contains(s.Code.Line, ": listen ") || s.Code.Lang != "Go" || len(s.Code.Lines) == 0 || s.Code.Error != "" {
		t.Fatalf("code panel %+v: want the newest call (the listen) in Go", s.Code)
	}
	if len(s.Code.Before) != 2 || !strings.Contains(s.Code.Before[0], "socket") {
		t.Errorf("before b/web's listen, the code of %q; want its socket and bind calls'", s.Code.Before)
	}
	if !strings.HasSuffix(s.Panel, s.Code.Line) {
		t.Errorf("the title %q does not name the line %q", s.Panel, s.Code.Line)
	}
	want := map[script.Lang]string{script.Go: "net.", script.C: "listen(", script.Python: ".listen("}
	for _, lang := range script.Langs() {
		g.open(codePanel{at: -1, lang: lang})
		c := g.State().Code
		if c.Lang != lang.String() || !strings.Contains(strings.Join(c.Lines, "\n"), want[lang]) || c.Caption == "" {
			t.Errorf("%v: %+v; want %q in its code, and a caption", lang, c, want[lang])
		}
	}
	// The C tab, chosen, is kept for the next line clicked.
	g.open(codePanel{at: -1, lang: script.Go})
	pressButton(t, g, "C")
	pt, ok := consoleRowOf(g, ": socket tcp")
	if !ok {
		t.Fatal("no socket line in the console to click")
	}
	if !g.clickConsole(pt) {
		t.Fatal("a click on the socket line shows no code")
	}
	c := g.State().Code
	if len(c.Before) != 0 {
		t.Errorf("the socket call, b/web's first, has code before it: %q", c.Before)
	}
	if !strings.HasSuffix(c.Line, ": socket tcp") || c.Lang != "C" || !strings.Contains(strings.Join(c.Lines, "\n"), "socket(AF_INET, SOCK_STREAM") {
		t.Errorf("after clicking the socket line: %+v; want its code in C", c)
	}
	if p, _ := g.shown().(codePanel); p.consoleLine(g) < 0 || !strings.HasSuffix(g.player.Console().Lines[p.consoleLine(g)].Text, ": socket tcp") {
		t.Errorf("the console row lit is not the line clicked")
	}
}

// consoleText is the console's lines, one a line.
func consoleText(g *Game) string {
	var b strings.Builder
	for _, l := range g.player.Console().Lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// consoleRowOf is a point on the console row of the newest line ending
// in suffix, found as a click would find it.
func consoleRowOf(g *Game, suffix string) (image.Point, bool) {
	area := g.w.logArea.GetWidget().Rect
	lines := g.player.Console().Lines
	for y := area.Max.Y - 1; y >= area.Min.Y; y-- {
		pt := image.Point{X: area.Min.X + 20, Y: y}
		if i := g.consoleLineAt(pt); i >= 0 && strings.HasSuffix(lines[i].Text, suffix) {
			return pt, true
		}
	}
	return image.Point{}, false
}

// pressButton clicks the panel's tab labelled label.
func pressButton(t *testing.T, g *Game, label string) {
	t.Helper()
	for _, k := range g.w.tabs.Children() {
		if b, ok := k.(*widget.Button); ok && b.Text().Label == label {
			b.Click()
			event.ExecuteDeferred() // as the UI's next update does
			return
		}
	}
	t.Fatalf("no %q tab", label)
}

// TestCodePanelSameEarlierCalls checks that the panel shows the same
// earlier calls of a line whichever language it shows them in, in
// panels of many heights: the limit is in calls, though the languages'
// code for them takes different rows (so that, by rows alone, some
// heights fit more calls in one language than in another).
func TestCodePanelSameEarlierCalls(t *testing.T) {
	g := newTown(t, "two-clients")
	for i := 0; i < 3000 && g.player.Busy(); i++ {
		g.step()
	}
	c := g.player.Console()
	at := -1
	for i, l := range c.Lines {
		if s, ok := shellLine(l); ok && strings.HasPrefix(s, "s/server: ") {
			at = c.Added() - len(c.Lines) + i
		}
	}
	if at < 0 {
		t.Fatal("no call of s/server in the console")
	}
	differ := false
	for h := 100; h <= 900; h += 20 {
		area := image.Rect(0, 0, 420, h)
		shown := map[script.Lang]int{}
		said := map[script.Lang]int{}
		byRows := map[int]bool{}
		for _, lang := range script.Langs() {
			p := codePanel{at: at, lang: lang}
			m := p.code(g)
			if m.err != nil || len(m.before) == 0 {
				t.Fatalf("%v: %q has code %q, %v and %d earlier calls; want code and earlier calls", lang, m.line, m.code, m.err, len(m.before))
			}
			shown[lang] = p.earlierShown(g, area)
			said[lang] = m.skipped + len(m.before) - shown[lang]
			cols, height := g.codeRows(area)
			lc := m.langs[lang]
			byRows[beforeFits([]langCode{lc}, height, func(s string) int { return monoRows(s, cols) })] = true
		}
		differ = differ || len(byRows) > 1
		if shown[script.Go] != shown[script.C] || shown[script.C] != shown[script.Python] {
			t.Errorf("%d px high: earlier calls shown by language %v; want the same", h, shown)
		}
		if said[script.Go] != said[script.C] || said[script.C] != said[script.Python] {
			t.Errorf("%d px high: \"N earlier calls\" by language %v; want the same", h, said)
		}
	}
	if !differ {
		t.Error("at no height do the languages' rows fit different numbers of calls: the test tests nothing")
	}
}

// TestCodePanelAfterStartAgain: the calls of a lesson's run before Start
// again are another program's, so the code of the new run's first call
// neither counts them as earlier calls nor takes their fds as its own.
func TestCodePanelAfterStartAgain(t *testing.T) {
	g := lessonTown(t, 6, nil)
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	for _, l := range []string{"c1/app: socket tcp", "c1/app: socket tcp"} { // fd 3, then 4
		g.exec(l)
		frames(g, 60, func(State) bool { return !g.player.Busy() })
	}
	g.startAgain()
	frames(g, 600, func(State) bool { return !g.player.Busy() })
	g.exec("c1/app: socket tcp") // fd 3 again
	frames(g, 60, func(State) bool { return !g.player.Busy() })
	g.refreshWidgets()
	for _, lang := range script.Langs() {
		g.open(codePanel{at: -1, lang: lang})
		c := g.State().Code
		code := strings.Join(c.Lines, "\n")
		if len(c.Before) != 0 || c.Line != "c1/app: socket tcp" || strings.Contains(code, "4") || strings.Contains(code, "5") {
			t.Errorf("%v after Start again: line %q, %d earlier calls %q, code:\n%s", lang, c.Line, len(c.Before), c.Before, code)
		}
	}
}
