package town

import "socketville/shared/town/play"

// Load plays a scenario that something outside the town opened (the
// page's Open .sv, its class folder), as the picker plays one: nothing
// selected, the console from the story's start, and the picker naming it
// from the next frame. A scenario that does not parse keeps the town that
// was playing, and the console says why. Call it between frames.
func (g *Game) Load(name, src string) error {
	err := g.player.Load(name, src)
	g.afterOutsideLoad()
	return err
}

// LoadSession replays a session (a shared link's, or one saved as a
// file) as Load plays a scenario.
func (g *Game) LoadSession(s play.Session) error {
	err := g.player.LoadSession(s)
	g.afterOutsideLoad()
	return err
}

// afterOutsideLoad shows a story loaded past the town's own widgets as the
// picker's own load does.
func (g *Game) afterOutsideLoad() {
	g.selectNothing()
	g.scroll.console = 0
	g.repick()
}
