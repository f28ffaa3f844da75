//go:build js

// Command emptygame is the browser benchmark's baseline: an Ebitengine
// game that only clears the screen, served like the town, so the town's
// frames per second can be read against what this browser manages at all.
package main

import (
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

type game struct{ frames int }

func (g *game) Update() error {
	g.frames++
	if g.frames%6 == 1 {
		js.Global().Set("emptyFPS", ebiten.ActualFPS())
	}
	return nil
}

func (g *game) Draw(screen *ebiten.Image) { screen.Fill(colorBackground) }

func (g *game) Layout(w, h int) (int, int) { return w, h }

func main() { _ = ebiten.RunGame(&game{}) }
