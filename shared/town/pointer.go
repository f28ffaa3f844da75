package town

import (
	uiinput "github.com/ebitenui/ebitenui/input"
	"github.com/hajimehoshi/ebiten/v2"
)

// The town is clicked and dragged with the mouse, or on a phone with a
// finger: a mobile browser sends touches and no mouse events at all.
// Ebitengine UI already reads the first touch as the left button for the
// widgets; the town asks it too, so a tap on a door opens its drawer and
// a finger drags the town, as the mouse does.

// pointerPosition is where the mouse or the first finger is.
func pointerPosition() (int, int) { return uiinput.CursorPosition() }

// pointerDown reports the left button, or a finger, held down.
func pointerDown() bool { return uiinput.MouseButtonPressed(ebiten.MouseButtonLeft) }

// pointerJustDown reports a click or a tap that started this frame.
func pointerJustDown() bool { return uiinput.MouseButtonJustPressed(ebiten.MouseButtonLeft) }
