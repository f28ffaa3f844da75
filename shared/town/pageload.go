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

// Share makes the town a shared one (see play.Player.JoinPeers), first
// loading the shared town's own scenario: the pause button and the speed
// control give way to words saying why there are none. Call it between
// frames.
//
// A shared lesson open (lesson 11) stays open, its goal judged on the
// shared town from its start: the lesson is why the town is shared.
func (g *Game) Share(name, src string, peers play.Peers, why string) error {
	r := g.book.run
	if err := g.Load(name, src); err != nil {
		return err
	}
	if err := g.player.JoinPeers(peers, why); err != nil {
		return err
	}
	if r != nil && r.lesson.Shared {
		g.keepSharedLesson(r)
	}
	g.rebuildUI()
	return nil
}

// Unshare ends sharing: the town can pause and go back again.
func (g *Game) Unshare(why string) {
	g.player.LeavePeers(why)
	g.rebuildUI()
}

// rebuildUI builds the widgets again for a town whose controls changed,
// keeping what was typed; before the first frame fitUI builds them.
func (g *Game) rebuildUI() {
	if g.w == nil {
		return
	}
	typed := g.w.input.GetText()
	g.buildUI()
	g.w.input.SetText(typed)
}

// afterOutsideLoad shows a story loaded past the town's own widgets as the
// picker's own load does.
func (g *Game) afterOutsideLoad() {
	g.selectNothing()
	g.scroll.console = 0
	g.repick()
}
