package town

import (
	"image"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
)

// The screen is not cleared between frames, so a frame draws only what
// changed: nothing while the town stands still (paused, or a scenario
// done), the town alone while only letters move, and everything when the
// panel, the console, the widgets or the window changed. A browser
// without a GPU spends most of a frame filling pixels; this is what lets
// an idle town cost nothing and a busy one half a screen.

// Every so often a frame draws everything anyway, so that nothing a
// lost graphics context or a missed change left on screen stays long. (A
// resize needs no such help: Draw sees the new screen's size, and the
// frame after, the widgets' new rectangles.)
const fullEvery = time.Second

// redraw is what a frame must draw.
type redraw uint8

const (
	redrawNone redraw = iota
	redrawTown
	redrawAll
)

// townLook is everything the town area shows; a change redraws it.
type townLook struct {
	now             time.Duration
	snapGen, events int
	letters         int
	wall            time.Duration // set while something moves on wall time
	cam             camera
	panel           panel
	paused, fastest bool
	busy            bool
	speed           float64
}

// screenLook is everything else on screen; a change redraws it all.
type screenLook struct {
	width, height int
	// The widgets' layout, which Ebitengine UI redoes as it draws a
	// resized screen: the frame after, the parts drawn by hand follow.
	townRect, panelRect, consoleRect image.Rectangle
	scale                            float64
	consoleAdded                     int
	panel                            panel
	hover                            int
	scroll                           scrolling
	input                            string
	// look is what the panel's picture is drawn from (panel.go).
	look       panelLook
	wall       time.Duration // set while the caret blinks or a list is open
	drawerOpen bool
}

// planRedraw decides what this frame draws, from what changed since the
// last frame that drew.
func (g *Game) planRedraw() {
	t := g.townLook()
	s := g.screenLook()
	// Ebitengine may run several updates before a draw: the draw does
	// the most any of them asked for, and then starts again from none.
	switch {
	case s != g.lastScreen || g.inputActive() || g.player.Wall()-g.lastFull >= fullEvery:
		g.redraw, g.lastFull = redrawAll, g.player.Wall()
	case t != g.lastTown && g.drawerOpen():
		g.redraw = redrawAll // the town alone would be drawn over the drawer
	case t != g.lastTown:
		g.redraw = max(g.redraw, redrawTown)
	}
	g.lastTown, g.lastScreen = t, s
}

func (g *Game) townLook() townLook {
	speed, fastest := g.player.Speed()
	t := townLook{
		now: g.player.Now(), snapGen: g.player.SnapshotGen(), events: g.player.Animation().Events(),
		letters: len(g.player.Animation().Letters), cam: g.cam, panel: g.shown(),
		paused: g.player.Paused(), fastest: fastest, busy: g.player.Busy(), speed: speed,
	}
	if g.townMovesOnWallTime() {
		t.wall = g.player.Wall()
	}
	return t
}

// townMovesOnWallTime reports animations that go on while virtual time
// stands: letters falling or slowed onto wall time, poll walks, messages
// at plots.
func (g *Game) townMovesOnWallTime() bool {
	a := g.player.Animation()
	if len(a.Polls) > 0 || len(a.Flashes) > 0 {
		return true
	}
	for _, l := range a.Letters {
		if l.Lost || l.Slowed() {
			return true
		}
	}
	return false
}

func (g *Game) screenLook() screenLook {
	s := screenLook{
		width: g.width, height: g.height, scale: g.scale,
		consoleAdded: g.player.Console().Added(), panel: g.shown(), look: g.shown().look(g), hover: g.hover, scroll: g.scroll,
		input:    g.w.input.GetText(),
		townRect: g.townRect(), panelRect: g.w.panelCol.GetWidget().Rect, consoleRect: g.w.consoleBox.GetWidget().Rect,
		drawerOpen: g.drawerOpen(),
	}
	switch {
	case g.w.combo.ContentVisible():
		// The picker's list, open, lies over the town: the town alone
		// must not be drawn over it.
		s.wall = g.player.Wall()
	case g.w.input.IsFocused():
		// The console's caret blinks: drawn again only as often as it
		// can change, not every frame.
		s.wall = caretBeat(g.player.Wall())
	}
	return s
}

// caretTick is how often a frame draws again for the console's caret:
// half its blink (Ebitengine UI's caret turns every 450 ms of the wall's
// time, on its own timer, at the first frame drawn after), so a blink
// is seen at most 225 ms late, at some 4 full frames a second instead of
// every frame.
const caretTick = 225 * time.Millisecond

// caretBeat is the caret's beat at wall time w: it changes every
// caretTick, and never 0, so that a focused console differs from none.
func caretBeat(w time.Duration) time.Duration { return w/caretTick*caretTick + 1 }

// inputActive reports a frame with input the widgets may answer: the
// mouse moved or pressed, the wheel turned, a key went down or up.
func (g *Game) inputActive() bool {
	x, y := ebiten.CursorPosition()
	moved := x != g.lastCursor.X || y != g.lastCursor.Y
	g.lastCursor.X, g.lastCursor.Y = x, y
	_, dy := ebiten.Wheel()
	return moved || dy != 0 ||
		ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft) || inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) ||
		len(inpututil.AppendJustPressedKeys(nil)) > 0 || len(inpututil.AppendJustReleasedKeys(nil)) > 0 ||
		len(inpututil.AppendJustPressedTouchIDs(nil)) > 0 || len(inpututil.AppendJustReleasedTouchIDs(nil)) > 0
}
