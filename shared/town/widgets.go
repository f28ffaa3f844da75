package town

import (
	"fmt"
	"image"
	"math"
	"strings"

	"socketville/shared/sock"

	"github.com/ebitenui/ebitenui"
	eimage "github.com/ebitenui/ebitenui/image"
	"github.com/ebitenui/ebitenui/themes"
	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/examples"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// widgets are the ebitenui parts of the screen. The town, the panel's
// pictures and the console's scrollback are drawn into the rectangles the
// placeholders get from the layout.
type widgets struct {
	pause, fastest *widget.Button
	speed          *widget.Slider
	speedLabel     *widget.Text
	combo          *widget.ListComboButton
	title          *widget.Text
	tabs           *widget.Container
	actions        *widget.Container
	input          *widget.TextInput

	townArea, panelArea, logArea *widget.Container
	// The panel and the console are painted by the town (under the
	// widgets, so that a combo box's list opens over them).
	panelCol, consoleBox *widget.Container

	lastPaused, lastFastest bool
	// speedShown is the step the speed slider's thumb was last put at,
	// by the learner or to show the speed in force.
	speedShown int
	lastSpeed  float64
	// panelFor is the panel the panel's widgets were built for.
	panelFor panel
	// roadCfg is the link the road panel's sliders were set from: a
	// change from elsewhere (the console) resets them.
	roadCfg sock.LinkConfig
	// scrub is the timeline's slider, and scrubShown the event it was
	// last put at (by the learner, or to show where the town is).
	scrub      *widget.Slider
	scrubShown int
	// back is the top bar's Back button, disabled where there is no
	// going back.
	back *widget.Button
	// doorStyle is the selected door's look the panel's calls were
	// chosen for.
	doorStyle layout.Style
	// sliderNames say what each slider sets, for the state hook.
	sliderNames map[*widget.Slider]string
	// pickerAt is where the scenario picker was when its list's entries
	// were fitted to the room between it and the window's right edge,
	// pickerRoom (device pixels; 0 until the first layout: no limit).
	pickerAt   image.Rectangle
	pickerRoom float64
	// why is what the door panel's greyed calls say (build_door.go).
	why callWhy
}

// callWhy is the line under a door's call buttons that says why a greyed
// call is refused: the call's with the focus ring, else the hovered
// one's, else the one last clicked.
type callWhy struct {
	of      map[*widget.Button]string // each greyed button's refusal
	hovered *widget.Button
	clicked string
	// shown is what the line says now, "" for nothing: drawn over the
	// top of the door's page (doorpanel.go), so that a reason coming
	// and going moves no widget.
	shown string
}

// text is what the line says now, "" for nothing.
func (c callWhy) text(focused widget.PreferredSizeLocateableWidget) string {
	if b, ok := focused.(*widget.Button); ok && c.of[b] != "" {
		return c.of[b]
	}
	if c.hovered != nil {
		return c.of[c.hovered]
	}
	return c.clicked
}

// refreshWhy puts the refusal of the greyed call in hand under the calls.
func (g *Game) refreshWhy() {
	if g.w != nil {
		g.w.why.shown = g.w.why.text(g.focus.w)
	}
}

// greyedButton is a call the socket's state refuses: drawn dim, and on
// hover, focus or click it says why. It stays enabled so that Tab lands on
// it and a keyboard learner can read the reason too.
func (g *Game) greyedButton(label, why string) *widget.Button {
	var b *widget.Button
	b = widget.NewButton(
		widget.ButtonOpts.TextLabel(label),
		widget.ButtonOpts.TextColor(&widget.ButtonTextColor{Idle: colGreyed, Hover: colGreyed, Pressed: colGreyed, Disabled: colGreyed}),
		widget.ButtonOpts.DisableDefaultKeys(),
		widget.ButtonOpts.ClickedHandler(func(*widget.ButtonClickedEventArgs) {
			g.w.why.clicked = why
			g.refreshWhy()
		}),
		widget.ButtonOpts.CursorEnteredHandler(func(*widget.ButtonHoverEventArgs) {
			g.w.why.hovered = b
			g.refreshWhy()
		}),
		widget.ButtonOpts.CursorExitedHandler(func(*widget.ButtonHoverEventArgs) {
			if g.w.why.hovered == b {
				g.w.why.hovered = nil
			}
			g.refreshWhy()
		}),
	)
	g.w.why.of[b] = why
	return b
}

// speedSteps map the slider to 0.1x..100x in tenths of a decade.
const speedSteps = 30

func speedOf(step int) float64 { return play.MinSpeed * math.Pow(10, float64(step)/10) }

func stepOf(speed float64) int {
	return int(math.Round(math.Log10(speed/play.MinSpeed) * 10))
}

// theme is ebitenui's dark theme with our fonts at the device's scale.
func (g *Game) theme() *widget.Theme {
	t := themes.GetBasicDarkTheme()
	var face text.Face = g.fonts.face(14*g.scale, false)
	t.DefaultFace = &face
	t.ButtonTheme.TextFace = &face
	t.ButtonTheme.TextPadding = &widget.Insets{Left: int(10 * g.scale), Right: int(10 * g.scale), Top: int(4 * g.scale), Bottom: int(4 * g.scale)}
	t.LabelTheme.Face = &face
	t.TextTheme.Face = &face
	t.TextInputTheme.Face = &face
	t.ListTheme.EntryFace = &face
	t.ListComboButtonTheme.List.EntryFace = &face
	t.ListComboButtonTheme.Button.TextFace = &face
	t.ListComboButtonTheme.Button.TextPadding = t.ButtonTheme.TextPadding
	t.ListComboButtonTheme.Button.MinSize = nil
	t.ListComboButtonTheme.MaxContentHeight = ptr(int(320 * g.scale))
	t.CheckboxTheme.Label.Face = &face
	t.SliderTheme.FixedHandleSize = ptr(int(10 * g.scale))
	return t
}

func ptr[T any](v T) *T { return &v }

func (g *Game) px(v float64) int { return int(math.Round(v * g.scale)) }

// pick is roomy in a large window and compact in a small one.
func (g *Game) pick(roomy, compact float64) float64 {
	if g.compact {
		return compact
	}
	return roomy
}

// panelWidth is the side panel's width in CSS pixels: narrower in a small
// window, but never so narrow that the byte inspector's 16 columns fit
// nowhere; as a drawer, no wider than the window.
func (g *Game) panelWidth() float64 {
	if g.drawer {
		return math.Min(float64(g.width)/g.scale, 470)
	}
	if !g.compact {
		return 470
	}
	return math.Max(math.Min(float64(g.width)/g.scale*0.45, 470), 330)
}

func (g *Game) fastestLabel() string {
	if g.compact {
		return "Fastest"
	}
	return "As fast as possible"
}

// buildUI makes the widget tree: a top bar, the town beside the panel,
// the console below.
func (g *Game) buildUI() {
	w := &widgets{sliderNames: map[*widget.Slider]string{}}
	g.w = w
	theme := g.theme()
	root := widget.NewContainer(widget.ContainerOpts.Layout(widget.NewGridLayout(
		widget.GridLayoutOpts.Columns(1),
		widget.GridLayoutOpts.Stretch([]bool{true}, []bool{false, true, false}),
	)))
	bar := g.topBar()
	rows := g.barRows(bar)
	root.AddChild(rows)
	root.AddChild(g.middle())
	root.AddChild(g.consoleBox())
	// The town moves the keyboard's focus itself (keyboard.go): through
	// its plots, doors and letters as well as the widgets.
	g.ui = &ebitenui.UI{Container: root, PrimaryTheme: theme, DisableDefaultFocus: true}
	g.fitBar(root, rows, bar)
	g.rebuildPanel()
}

func (g *Game) button(label string, onClick func()) *widget.Button {
	return widget.NewButton(
		widget.ButtonOpts.TextLabel(label),
		widget.ButtonOpts.DisableDefaultKeys(),
		widget.ButtonOpts.ClickedHandler(func(*widget.ButtonClickedEventArgs) { onClick() }),
	)
}

func (g *Game) row(spacing float64, opts ...widget.ContainerOpt) *widget.Container {
	return widget.NewContainer(append(opts, widget.ContainerOpts.Layout(widget.NewRowLayout(
		widget.RowLayoutOpts.Direction(widget.DirectionHorizontal),
		widget.RowLayoutOpts.Spacing(g.px(spacing)),
		widget.RowLayoutOpts.Padding(&widget.Insets{Left: g.px(8), Right: g.px(8), Top: g.px(6), Bottom: g.px(6)}),
	)))...)
}

func centered() widget.WidgetOpt {
	return widget.WidgetOpts.LayoutData(widget.RowLayoutData{Position: widget.RowLayoutPositionCenter})
}

func (g *Game) topBar() *widget.Container {
	w := g.w
	bar := g.row(8, widget.ContainerOpts.BackgroundImage(eimage.NewNineSliceColor(colPanel)))
	w.pause = g.fixedButton([]string{"Pause", "Play"}, g.togglePause)
	bar.AddChild(w.pause)
	if g.player.Watching() {
		// No story here: nothing to step, restart or pick. The picker
		// is made (the keys and the state ask after it) but not shown.
		bar.AddChild(g.backButton()) // disabled: the help says why
		bar.AddChild(widget.NewText(widget.TextOpts.Text(g.pickText("live: the machine's own sockets · no scenario to step, restart or pick", "live · no scenario"),
			g.fonts.faceRef(13*g.scale), colDim), widget.TextOpts.WidgetOpts(centered())))
		g.pickerInto(widget.NewContainer())
		return bar
	}
	bar.AddChild(g.backButton())
	bar.AddChild(g.button("Step", g.step))
	bar.AddChild(g.button("Timeline", g.openTimeline))
	bar.AddChild(g.button("Code", g.openCode))
	bar.AddChild(g.button("Build", g.openBuild))
	if !g.player.Live() { // a lesson's goal is judged on the simulator's run
		bar.AddChild(g.button("Lessons", g.openLessons))
	}
	bar.AddChild(g.button("Restart", func() { g.load(g.player.Name(), g.player.Source()) }))
	if g.player.Shared() {
		// Peers' TCP would time out on a town that ran ahead or stopped.
		w.pause.GetWidget().Disabled = true
		bar.AddChild(widget.NewText(widget.TextOpts.Text(g.pickText("speed: real time, as your friends' pages run (no pause while shared)", "real time · shared"),
			g.fonts.faceRef(13*g.scale), colDim), widget.TextOpts.WidgetOpts(centered())))
		g.pickerInto(bar)
		return bar
	}
	if g.player.Live() {
		// The kernel keeps its own time (the wall's): no speed to set.
		bar.AddChild(widget.NewText(widget.TextOpts.Text(g.pickText("speed: real time, the kernel's own clock", "real time"),
			g.fonts.faceRef(13*g.scale), colDim), widget.TextOpts.WidgetOpts(centered())))
		g.pickerInto(bar)
		return bar
	}
	if !g.compact {
		bar.AddChild(widget.NewText(widget.TextOpts.Text("speed", g.fonts.faceRef(13*g.scale), colDim), widget.TextOpts.WidgetOpts(centered())))
	}
	speed, _ := g.player.Speed()
	w.speed = widget.NewSlider(
		widget.SliderOpts.Direction(widget.DirectionHorizontal),
		widget.SliderOpts.MinMax(0, speedSteps),
		widget.SliderOpts.InitialCurrent(stepOf(speed)),
		widget.SliderOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(g.pick(150, 90)), g.px(22)), centered()),
		widget.SliderOpts.ChangedHandler(func(a *widget.SliderChangedEventArgs) {
			if a.Current == w.speedShown {
				return // the thumb moved to the speed in force (refreshWidgets)
			}
			w.speedShown = a.Current
			g.usedControls = true
			g.player.SetSpeed(speedOf(a.Current))
		}),
	)
	w.sliderNames[w.speed] = "speed"
	bar.AddChild(w.speed)
	w.speedLabel = widget.NewText(widget.TextOpts.Text("1x", g.fonts.faceRef(13*g.scale), colText),
		widget.TextOpts.WidgetOpts(centered(), widget.WidgetOpts.MinSize(g.px(g.pick(56, 40)), 0)))
	bar.AddChild(w.speedLabel)
	w.speedShown = stepOf(speed)
	w.fastest = g.fixedButton([]string{g.fastestLabel(), "Back to 0.125x"}, g.toggleFastest)
	bar.AddChild(w.fastest)
	g.pickerInto(bar)
	return bar
}

// toggleFastest is the "As fast as possible" button: it plays as fast as
// possible (a paused town starts playing: a learner who asks for speed
// wants to see the story go), or goes back to the speed set before and
// keeps playing.
func (g *Game) toggleFastest() {
	g.usedControls = true
	_, on := g.player.Speed()
	g.player.SetFastest(!on)
	if !on && g.player.Paused() {
		g.player.SetPaused(false)
	}
}

// speedThumb is where the speed slider's thumb stands: at the speed set,
// or at its far end while the town plays as fast as possible.
func speedThumb(speed float64, fastest bool) int {
	if fastest {
		return speedSteps
	}
	return min(max(stepOf(speed), 0), speedSteps)
}

// pickText is long in a roomy window and short in a compact one.
func (g *Game) pickText(long, short string) string {
	if g.compact {
		return short
	}
	return long
}

// pickerInto adds the scenario picker to the top bar.
func (g *Game) pickerInto(bar *widget.Container) {
	w := g.w
	entries := make([]any, 0, len(g.scenarios)+1)
	var initial any
	for _, s := range g.scenarios {
		entries = append(entries, s)
		if s.Name == g.player.Name() && s.Source == g.player.Source() {
			initial = s
		}
	}
	if initial == nil {
		// A scenario from a file: offer it first, to come back to.
		initial = examples.Scenario{Name: g.player.Name(), Source: g.player.Source()}
		entries = append([]any{initial}, entries...)
	}
	prefix := "scenario: "
	if g.compact {
		prefix = ""
	}
	label := func(e any) string { return prefix + e.(examples.Scenario).Name }
	opts := []widget.ListComboButtonOpt{
		widget.ListComboButtonOpts.Entries(entries),
		// The list says what each story is about, in its first comment.
		widget.ListComboButtonOpts.EntryLabelFunc(label, g.pickerEntry),
		widget.ListComboButtonOpts.EntrySelectedHandler(func(a *widget.ListComboButtonEntrySelectedEventArgs) {
			s := a.Entry.(examples.Scenario)
			if a.PreviousEntry != nil && (s.Name != g.player.Name() || s.Source != g.player.Source()) {
				g.load(s.Name, s.Source)
			}
		}),
	}
	opts = append(opts, widget.ListComboButtonOpts.InitialEntry(initial))
	w.combo = widget.NewListComboButton(opts...)
	bar.AddChild(w.combo)
}

// pickerEntry is a scenario's line in the picker's list: its name and
// what it is about, shortened at a word to the room the list has.
func (g *Game) pickerEntry(e any) string {
	s := e.(examples.Scenario)
	return fitEntry(s.Name, s.Description, g.w.pickerRoom, func(t string) float64 {
		return text.Advance(t, g.fonts.face(14*g.scale, false))
	})
}

// fitEntry is "name — description" as wide as room at most (0: no
// limit): the description is cut after a whole word and ends in "…",
// and when not even two of its words fit the name stands alone. A list
// entry is never cut mid-word, or mid-glyph, at the window's edge.
func fitEntry(name, desc string, room float64, width func(string) float64) string {
	full := name + " — " + desc
	if desc == "" {
		return name
	}
	if room <= 0 || width(full) <= room {
		return full
	}
	words := strings.Fields(desc)
	for n := len(words) - 1; n >= 2; n-- {
		s := name + " — " + strings.TrimRight(strings.Join(words[:n], " "), ",.;:") + "…"
		if width(s) <= room {
			return s
		}
	}
	return name
}

// pickerOverhead is what the picker's list adds round an entry's text,
// in CSS pixels: the entry's padding, the scroll area's, the scroll bar
// and a margin to the window's edge.
const pickerOverhead = 48

// fitPicker fits the picker's entries to the room right of the picker
// once the layout has placed it, and again when it moves (the list opens
// under the picker, from its left edge, and cannot move left). Building
// the list again keeps the selected entry.
func (g *Game) fitPicker() {
	w := g.w
	r := w.combo.GetWidget().Rect
	if r.Empty() || r == w.pickerAt || w.combo.ContentVisible() {
		return
	}
	w.pickerAt = r
	room := float64(g.width-r.Min.X) - pickerOverhead*g.scale
	if room == w.pickerRoom {
		return
	}
	w.pickerRoom = room
	w.combo.Validate()
	w.combo.SetLocation(r) // the new button takes the old one's place
}

// fixedButton is a button as wide as the widest of its labels, so the
// bar does not shift when its label changes (Pause and Play).
func (g *Game) fixedButton(labels []string, onClick func()) *widget.Button {
	w := 0.0
	for _, l := range labels {
		w = math.Max(w, text.Advance(l, g.fonts.face(14*g.scale, false)))
	}
	return widget.NewButton(
		widget.ButtonOpts.TextLabel(labels[0]),
		widget.ButtonOpts.DisableDefaultKeys(),
		widget.ButtonOpts.WidgetOpts(widget.WidgetOpts.MinSize(int(math.Ceil(w))+g.px(20), 0)),
		widget.ButtonOpts.ClickedHandler(func(*widget.ButtonClickedEventArgs) { onClick() }),
	)
}

func (g *Game) panelColumn() *widget.Container {
	w := g.w
	w.panelCol = widget.NewContainer(
		widget.ContainerOpts.Layout(widget.NewGridLayout(
			widget.GridLayoutOpts.Columns(1),
			widget.GridLayoutOpts.Stretch([]bool{true}, []bool{false, false, false, true}),
		)),
		widget.ContainerOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(g.panelWidth()), 0)),
	)
	w.title = widget.NewText(widget.TextOpts.Text("", g.fonts.faceRef(16*g.scale), colText),
		widget.TextOpts.Padding(&widget.Insets{Left: g.px(10), Top: g.px(8), Right: g.px(10)}),
		widget.TextOpts.MaxWidth(float64(g.px(g.panelWidth()-20))))
	w.panelCol.AddChild(w.title)
	w.tabs = g.row(4)
	w.panelCol.AddChild(w.tabs)
	w.actions = g.row(4)
	w.panelCol.AddChild(w.actions)
	w.panelArea = widget.NewContainer()
	w.panelCol.AddChild(w.panelArea)
	return w.panelCol
}

func (g *Game) consoleBox() *widget.Container {
	w := g.w
	w.consoleBox = widget.NewContainer(
		widget.ContainerOpts.Layout(widget.NewGridLayout(
			widget.GridLayoutOpts.Columns(1),
			widget.GridLayoutOpts.Stretch([]bool{true}, []bool{true, false}),
			widget.GridLayoutOpts.Padding(&widget.Insets{Left: g.px(6), Right: g.px(6), Bottom: g.px(6)}),
		)),
	)
	w.logArea = widget.NewContainer(widget.ContainerOpts.WidgetOpts(widget.WidgetOpts.MinSize(0, g.px(g.pick(150, 70)))))
	w.consoleBox.AddChild(w.logArea)
	w.input = widget.NewTextInput(
		widget.TextInputOpts.Placeholder(g.inputPlaceholder()),
		widget.TextInputOpts.Padding(widget.NewInsetsSimple(g.px(6))),
		// A line typed again runs again: accept twice is two accepts
		// (ebitenui drops a submit equal to the last by default).
		widget.TextInputOpts.AllowDuplicateSubmit(true),
		widget.TextInputOpts.SubmitHandler(func(a *widget.TextInputChangedEventArgs) {
			if a.InputText != "" {
				g.exec(a.InputText)
			}
			a.TextInput.SetText("")
		}),
	)
	if g.player.Watching() {
		w.input.SetText("")
		w.input.GetWidget().Disabled = true
	}
	w.consoleBox.AddChild(w.input)
	return w.consoleBox
}

// inputPlaceholder is what the console's input says while empty.
func (g *Game) inputPlaceholder() string {
	if g.player.Watching() {
		return "nothing to type here: these are real programs' sockets (socketville desktop --os plays a scenario on real sockets)"
	}
	// The longest that reads whole in the input at the window's width:
	// a cut placeholder ("(Er") reads as a fault.
	room := float64(g.width) - float64(4*g.px(6)) - 4*g.scale
	face := g.fonts.face(14*g.scale, false)
	for _, s := range inputPlaceholders {
		if text.Advance(s, face) <= room {
			return s
		}
	}
	return inputPlaceholders[len(inputPlaceholders)-1]
}

// inputPlaceholders are what the empty console input says, longest first.
var inputPlaceholders = []string{
	"type a shell line, such as  HOST/PROCESS: socket tcp   (Enter runs it, up/down: history)",
	"type a shell line, such as  HOST/PROCESS: socket tcp   (Enter runs it)",
	"a shell line, such as  HOST/PROCESS: socket tcp",
	"a shell line (help lists them)",
	"a shell line",
}

// refreshWidgets brings labels, and the view, in line with the player.
func (g *Game) refreshWidgets() {
	w := g.w
	g.followLoad()
	g.fitPicker()
	speed, fastest := g.player.Speed()
	if p := g.player.Paused(); p != w.lastPaused || w.pause.Text().Label == "" {
		w.lastPaused = p
		if p {
			w.pause.SetText("Play")
		} else {
			w.pause.SetText("Pause")
		}
	}
	if w.speedLabel != nil && (speed != w.lastSpeed || fastest != w.lastFastest) {
		w.lastSpeed, w.lastFastest = speed, fastest
		w.speedLabel.Label = fmt.Sprintf("%.3gx", speed)
		if fastest {
			w.speedLabel.Label = "max"
			w.fastest.SetText("Back to " + fmt.Sprintf("%.3gx", speed))
		} else {
			w.fastest.SetText(g.fastestLabel())
		}
		if w.speed != nil {
			// The thumb says the pace too: at the far end as fast as
			// possible, back at the speed set after. Its change event
			// sees speedShown and sets nothing.
			w.speedShown = speedThumb(speed, fastest)
			w.speed.Current = w.speedShown
		}
	}
	g.refreshBack()
	g.refreshPanel()
	g.refreshWhy()
}
