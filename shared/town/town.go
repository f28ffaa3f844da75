// Package town is Socketville's Ebitengine frontend: it draws the town of
// a play.Player (plots, houses, doors, roads, letters), its panels (door,
// cut-away, byte inspector, state diagram, buffers, console) and turns
// every click and key into a shell line or a control of the player. The
// same code runs in a desktop window and in a web page.
package town

import (
	"fmt"
	"image"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/ebitenui/ebitenui"
	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"socketville/examples"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town/crowd"
	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TPS is how often Update runs: each one advances the player by 1/TPS of
// wall time, scaled by the speed control.
const TPS = 60

// Options configure a town.
type Options struct {
	// Scenario is the example to start with; "" is hello-tcp, and so is
	// a name no example has, with a line in the console that says so.
	Scenario string
	// Source, when set, is a scenario to play instead of an example.
	Source string
	Seed   uint64
	// Speed is the pace to start at, a multiple of 1x (0 is 1x).
	Speed float64
	// Play starts the story at once. By default the town opens paused
	// at the story's start, its plots built and its opening caption
	// shown, so a learner who is still reading misses no letter.
	Play bool
	// Crowd, when Pairs > 0, plays a generated crowded town instead.
	Crowd CrowdSize
	// StateFile, when set, is where the desktop build writes what it
	// shows as JSON a few times a second (the browser build offers it as
	// window.socketville.state() instead).
	StateFile string
	// Kernel, when set, makes the kernel each scenario plays on (an OS
	// kernel, whose clock is the wall's) instead of the simulator; see
	// play.Options.Kernel. KernelLabel is what the town's badge says of
	// it, and MaxRun caps the scenarios' run lines on it.
	Kernel      func(notes io.Writer) (sock.Kernel, error)
	KernelLabel string
	MaxRun      time.Duration
	// Remote, when set, plays a run carried out elsewhere (the serving
	// machine's kernel) instead of a local simulator: see play.Options.
	Remote *play.Remote
	// Feed, when set, shows a stream of snapshots and events that is
	// not a scenario (the machine's own sockets): Scenario names it, and
	// the picker, Restart, Step and the console's input give way to a
	// word that says why. See play.Options.Feed.
	Feed play.Source
	// Lesson, when set, opens that lesson at once (?lesson=N, --lesson
	// N); Progress keeps what the learner met between sessions (nil
	// keeps nothing); OnLesson is told what the lesson panel shows, for
	// a page's text beside the canvas (lessons.go).
	Lesson   int
	Progress ProgressStore
	OnLesson func(LessonView)
}

// CrowdSize is a crowded town's size: Pairs*2 hosts, PerHost sockets each.
type CrowdSize struct{ Pairs, PerHost int }

// Game is the town as an ebiten.Game.
type Game struct {
	player    *play.Player
	lastTick  time.Time // when the last shared tick began (see tickLength)
	scenarios []examples.Scenario
	fonts     *fonts
	ui        *ebitenui.UI
	w         *widgets
	scale     float64 // device pixels per CSS/logical pixel
	compact   bool    // a small window: see compactWidth
	drawer    bool    // a narrow window: the panel is a drawer over the town (drawer.go)
	helpOpen  bool    // the drawer shows the help, asked for with its button
	built     uiFit   // what the widgets were built for
	// laidOut is the screen and the widget tree last laid out by
	// layOut, which lays them out into scratch.
	laidOut struct {
		rect image.Rectangle
		root widget.Containerer
	}
	scratch *ebiten.Image
	width   int // the screen in device pixels
	height  int

	// layouter lays out each snapshot remembering the last, so plots
	// keep their places as doors come and go.
	layouter layout.Layouter

	lay    layout.Layout
	layGen int       // the snapshot lay was made from
	doors  doorIndex // lay's doors by address, for letters between them (doorletters.go)
	cam    camera
	// panel is what the panel shows (panel.go); nil is the help.
	panel     panel
	hover     int // the inspector field under the mouse, -1 for none
	scroll    scrolling
	view      viewport
	dissected dissected
	// codeLang is the language the code panel shows, the learner's pick
	// for the session; codeMemo the code it last worked out.
	codeLang script.Lang
	codeMemo *codeMemo
	// timeline is the timeline panel's filter and scroll, kept while
	// other panels are on show.
	timeline      timelineView
	timelineSocks socketsSeen
	// book is the lessons and the one open (lessons.go).
	book *lessonBook
	// forms is the build form open in the panel and what was typed in
	// it, focus the keyboard's focus ring (build_form.go, focus.go).
	forms  formState
	focus  focusState
	digest digestMemo
	// What this frame draws, and what the screen showed when it last
	// drew (see redraw.go).
	redraw     redraw
	lastTown   townLook
	lastScreen screenLook
	lastCursor image.Point
	lastFull   time.Duration // the player's wall time of the last full redraw
	drawnSize  image.Point   // the screen's size when last drawn
	redraws    Redraws
	frames     int
	stats      frameStats
	hook       hook
	// labels are the words on the town, placed this frame (labels.go).
	labels []label
	capFit captionFit // the caption band's height, worked out (caption.go)
	// usedControls is set once the learner has paused, stepped or
	// changed the speed: the keys' hint then goes dim.
	usedControls bool
	stop         atomic.Bool
	stopAfter    int
	warmUp       int
}

// Stop ends the game loop at its next update; safe from any goroutine
// (a signal handler).
func (g *Game) Stop() { g.stop.Store(true) }

// StopAfter ends the game loop after n frames; Stats then count only the
// last four fifths, past the warm-up (a scenario's first lines, fonts
// filling their caches).
func (g *Game) StopAfter(n int) { g.stopAfter, g.warmUp = n, n/5 }

// Stats are the CPU time Update and Draw took, and over how many frames.
func (g *Game) Stats() (update, draw time.Duration, frames int) {
	return g.stats.update, g.stats.draw, g.frames - g.warmUp
}

// New makes a town playing the chosen scenario.
func New(opts Options) (*Game, error) {
	f, err := newFonts()
	if err != nil {
		return nil, fmt.Errorf("town: fonts: %w", err)
	}
	g := &Game{scenarios: townScenarios(), fonts: f, scale: 1, hover: -1, hook: newHook(opts), book: newLessonBook(opts)}
	name, src := opts.Scenario, opts.Source
	if opts.Crowd.Pairs > 0 {
		name = fmt.Sprintf("crowd-%dx%d", opts.Crowd.Pairs, opts.Crowd.PerHost)
		src = crowd.Scenario(opts.Crowd.Pairs, max(opts.Crowd.PerHost, 3))
	}
	var unknown string
	if src == "" && opts.Feed == nil {
		ex, ok := findScenario(name)
		if !ok {
			// A link with a mistyped name still opens a town, and says so.
			unknown = name
			ex, _ = examples.Find("hello-tcp")
		}
		name, src = ex.Name, ex.Source
	}
	g.player, err = play.New(play.Options{Name: name, Source: src, Seed: opts.Seed,
		Kernel: opts.Kernel, KernelLabel: opts.KernelLabel, MaxRun: opts.MaxRun, Remote: opts.Remote, Feed: opts.Feed})
	if err != nil {
		return nil, err
	}
	g.layouter.Wide = g.player.Watching() // a machine's many processes in columns
	if opts.Speed > 0 {
		g.player.SetSpeed(opts.Speed)
	}
	g.player.SetPaused(!opts.Play)
	if opts.Lesson > 0 {
		g.startLesson(opts.Lesson)
	}
	if unknown != "" {
		g.player.Console().Add(play.LineError, fmt.Sprintf("no example called %q: playing hello-tcp (the picker above lists them all)", unknown))
	}
	// The widgets are built by the first Update, which knows the
	// screen's size and scale.
	// The game draws only what changed (redraw.go): the screen keeps
	// what the last frame drew.
	ebiten.SetScreenClearedEveryFrame(false)
	return g, nil
}

// Player is the town's player, for the wiring around it.
func (g *Game) Player() *play.Player { return g.player }

// tickLength is how much wall time this tick moves the town on: a tick's
// worth, or while the town is shared the wall time since the last tick
// (at most maxSharedTick), so that a page drawing too slowly to get its
// TPS ticks a second still keeps real time with its friends, whose TCP
// would see a town whose clock lagged as one with a slow road.
func (g *Game) tickLength(now time.Time) time.Duration {
	dt := time.Second / TPS
	if !g.player.Shared() {
		g.lastTick = time.Time{}
		return dt
	}
	if !g.lastTick.IsZero() {
		dt = min(max(now.Sub(g.lastTick), 0), maxSharedTick)
	}
	g.lastTick = now
	return dt
}

// maxSharedTick bounds one shared tick, so that a page the browser
// stopped (a hidden tab, a laptop asleep) does not run minutes in one.
const maxSharedTick = time.Second

// Update runs one frame of input and simulation.
func (g *Game) Update() error {
	if g.stop.Load() || g.stopAfter > 0 && g.frames >= g.stopAfter {
		return ebiten.Termination
	}
	if g.warmUp > 0 && g.frames == g.warmUp {
		g.stats = frameStats{}
	}
	start := time.Now()
	g.syncScale()
	g.ui.Update()
	g.layOut()
	g.keys()
	g.pageKeys()
	g.mouse()
	g.wheel()
	g.player.Tick(g.tickLength(start))
	g.updateLesson()
	g.followLetter()
	g.scroll.follow(g.player.Console())
	if gen := g.player.SnapshotGen(); gen != g.layGen {
		g.lay, g.layGen = g.layouter.Of(g.player.Snapshot()), gen
	}
	g.view.minZoom = g.readableZoom()
	g.followAction()
	g.cam = g.view.camera(g.lay.Bounds, g.fitRect(), g.scale)
	g.refreshWidgets()
	g.hover = g.hoveredField()
	g.planRedraw()
	if g.redraw != redrawNone || g.labels == nil {
		g.planLabels()
	}
	g.frames++
	g.stats.update += time.Since(start)
	g.hook.publish(g)
	return nil
}

// Draw draws the frame. It only reads.
func (g *Game) Draw(screen *ebiten.Image) {
	start := time.Now()
	if size := screen.Bounds().Size(); size != g.drawnSize {
		g.redraw, g.drawnSize = redrawAll, size // a new screen: it is blank
	}
	// No full-screen fill: the town, the panel, the console and the top
	// bar each paint their own ground, and a software-rendered browser
	// pays for every pixel filled twice.
	switch g.redraw {
	case redrawNone:
		g.redraws.None++
	case redrawAll:
		g.redraws.All++
		g.drawTown(screen)
		g.drawStatus(screen)
		g.drawPanel(screen)
		g.drawConsole(screen)
		g.ui.Draw(screen)
		g.drawFocus(screen, false)
	case redrawTown:
		g.redraws.Town++
		g.drawTown(screen)
		g.drawStatus(screen)
	}
	g.redraw = redrawNone
	g.stats.draw += time.Since(start)
	g.hook.drew()
}

// Layout is not used: LayoutF is.
func (g *Game) Layout(w, h int) (int, int) { return w, h }

// LayoutF renders at the device's own resolution, so text stays crisp on
// high-DPI screens and in zoomed browsers.
func (g *Game) LayoutF(w, h float64) (float64, float64) {
	s := ebiten.Monitor().DeviceScaleFactor()
	if s <= 0 || math.IsNaN(s) {
		s = 1
	}
	g.width, g.height = max(int(math.Ceil(w*s)), 1), max(int(math.Ceil(h*s)), 1)
	return float64(g.width), float64(g.height)
}

// syncScale rebuilds the widgets when the device scale changes (a window
// dragged to another monitor) or the window crosses the size below which
// the screen is laid out compactly.
func (g *Game) syncScale() {
	s := ebiten.Monitor().DeviceScaleFactor()
	if s <= 0 || math.IsNaN(s) {
		s = 1
	}
	g.fitUI(s)
}

// fitUI builds the widgets again if the scale or the window's size class
// changed (what syncScale does, with the scale given: for tests too).
func (g *Game) fitUI(s float64) {
	g.scale, g.compact = s, float64(g.width) < compactWidth*s || float64(g.height) < compactHeight*s
	g.drawer = isDrawer(g.width, s)
	if want := (uiFit{scale: s, compact: g.compact, drawer: g.drawer, panelW: g.panelWidth(), placeholder: g.inputPlaceholder()}); want != g.built {
		g.built = want
		typed := ""
		if g.w != nil {
			typed = g.w.input.GetText()
		}
		g.buildUI()
		g.w.input.SetText(typed)
	}
}

// layOut lays the widgets out for the screen's size now, before anything
// is worked out from where they are: Ebitengine UI itself lays them out
// only as it draws, so the first frame, and the first after a resize,
// would draw the town, the panel and the console where the last layout
// put them and the widgets where the new one does, and then jump.
// Rendering the tree into a 1x1 image lays it out (its rectangles come
// from SetLocation, not from the image) at the cost of nothing seen.
func (g *Game) layOut() {
	r := image.Rect(0, 0, g.width, g.height)
	if g.laidOut.rect == r && g.laidOut.root == g.ui.Container {
		return
	}
	g.laidOut.rect, g.laidOut.root = r, g.ui.Container
	if g.scratch == nil {
		g.scratch = ebiten.NewImage(1, 1)
	}
	g.ui.Container.GetWidget().SetTheme(g.ui.PrimaryTheme)
	g.ui.Container.SetLocation(r)
	g.ui.Container.Render(g.scratch)
}

// uiFit is what the widgets are built for: a change rebuilds them.
type uiFit struct {
	scale   float64
	compact bool
	drawer  bool
	panelW  float64
	// placeholder is the console input's, which has no setter: the
	// longest that fits the width (inputPlaceholder).
	placeholder string
}

// Below this many CSS pixels the panel narrows, labels shorten and the
// console shrinks, so a small window or a phone still shows the town.
const (
	compactWidth  = 1000
	compactHeight = 600
)

func (g *Game) keys() {
	if g.keyboard() {
		return // the focus ring's keys, or a form's field typed in (keyboard.go)
	}
	if g.w.input.IsFocused() {
		switch {
		case inpututil.IsKeyJustPressed(ebiten.KeyUp):
			g.w.input.SetText(g.player.Console().Prev())
			g.w.input.CursorMoveEnd()
		case inpututil.IsKeyJustPressed(ebiten.KeyDown):
			g.w.input.SetText(g.player.Console().Next())
			g.w.input.CursorMoveEnd()
		case inpututil.IsKeyJustPressed(ebiten.KeyEscape):
			// Esc gives the keys back to the town (Space, arrows),
			// keeping what was typed.
			g.w.input.Focus(false)
		}
		return
	}
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeySpace):
		g.togglePause()
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowRight):
		g.step()
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowLeft):
		g.back()
	case inpututil.IsKeyJustPressed(ebiten.KeyT):
		g.openTimeline()
	case inpututil.IsKeyJustPressed(ebiten.KeyEscape) && g.w.combo.ContentVisible():
		g.w.combo.SetContentVisible(false) // Esc closes the open list first
	case inpututil.IsKeyJustPressed(ebiten.KeyEscape):
		g.selectNothing()
	case inpututil.IsKeyJustPressed(ebiten.KeyEnter):
		g.w.input.Focus(true)
	case inpututil.IsKeyJustPressed(ebiten.KeyC):
		g.openCode()
	case inpututil.IsKeyJustPressed(ebiten.KeyF), inpututil.IsKeyJustPressed(ebiten.KeyDigit0):
		g.view = viewport{} // the whole town again
	case inpututil.IsKeyJustPressed(ebiten.KeyEqual), inpututil.IsKeyJustPressed(ebiten.KeyNumpadAdd):
		g.zoomKeys(1)
	case inpututil.IsKeyJustPressed(ebiten.KeyMinus), inpututil.IsKeyJustPressed(ebiten.KeyNumpadSubtract):
		g.zoomKeys(-1)
	}
}

// zoomKeys zooms the town about its middle.
func (g *Game) zoomKeys(steps int) {
	r := g.fitRect()
	g.view.zoomAt(g.cam, g.lay.Bounds, r, float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2, steps)
}

func (g *Game) togglePause() {
	g.usedControls = true
	g.player.SetPaused(!g.player.Paused())
}

// step carries out the next event (the Step button, the right arrow).
func (g *Game) step() {
	g.usedControls = true
	g.player.Step()
}

// load starts a scenario (the picker) or the same one again (Restart):
// nothing selected, and the console shows the new story from its start.
func (g *Game) load(name, src string) {
	_ = g.player.Load(name, src)
	g.selectNothing()
	g.scroll.console = 0
}

// exec runs a shell line from a click, echoed in the console like a typed one.
func (g *Game) exec(line string) {
	g.scroll.console = 0 // show what it does
	_ = g.player.Exec(line)
}

// frameStats sums the CPU time of Update and Draw, for the benchmarks.
type frameStats struct{ update, draw time.Duration }
