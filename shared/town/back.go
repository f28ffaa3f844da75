package town

import (
	"fmt"

	"github.com/ebitenui/ebitenui/widget"

	"socketville/shared/town/play"
)

// The way back: the top bar's Back button (and the left arrow) takes the
// town back one event, the timeline (timelinepanel.go) to any. This is
// the town's navigation, not a shell line: the player replays the story
// it recorded up to the chosen event, and the console says where the
// town went as a comment ("# back to event 1234 at 1.204 s"); a new shell
// line typed there makes another story from that event on.

// backButton is the top bar's Back button, kept to be enabled as the
// player can go back or not.
func (g *Game) backButton() *widget.Button {
	b := g.button("Back", g.back)
	b.GetWidget().Disabled = !g.player.CanBack()
	g.w.back = b
	return b
}

// back goes back one event (the Back button, the left arrow), or says in
// the console why it cannot.
func (g *Game) back() {
	g.usedControls = true
	if err := g.player.Back(); err != nil {
		g.player.Console().Add(play.LineInfo, "# no going back: "+err.Error())
		return
	}
	g.noteWhere("back to")
}

// jumpTo takes the town to just after the first n events of the timeline
// (0: the start), and says where it went.
func (g *Game) jumpTo(n int) {
	g.usedControls = true
	if err := g.player.JumpTo(n); err != nil {
		g.player.Console().Add(play.LineInfo, "# no jump: "+err.Error())
		return
	}
	g.noteWhere("at")
}

// noteWhere says in the console where the town now is on the timeline.
func (g *Game) noteWhere(verb string) {
	g.scroll.console = 0 // show it
	g.player.Console().Add(play.LineInfo, fmt.Sprintf("# %s event %d of %d, at %s (the town's navigation, not a shell line)",
		verb, g.player.EventIndex(), g.player.EventCount(), formatSeconds(g.player.Now().Seconds())))
}

// formatSeconds is a virtual time in seconds to the millisecond: 1.204 s.
func formatSeconds(s float64) string { return fmt.Sprintf("%.3f s", s) }

// backRefusal is why this town cannot go back at all, or "" when it can
// once something has happened: the help and the timeline say it, where
// the Back button stays disabled.
func backRefusal(p *play.Player) string {
	switch {
	case p.Watching():
		return "Back is off: these are the machine's own sockets, which cannot be played again."
	case p.Live():
		return "Back is off: this town runs on a real kernel's clock (the wall's), so what happened cannot be played again."
	case p.Shared():
		return "Back is off while friends share this town: it runs in real time, as their pages do. Once they have left, Back goes over everything, their letters too."
	}
	return ""
}

// refreshBack enables the Back button when there is an event to go back to.
func (g *Game) refreshBack() {
	if b := g.w.back; b != nil {
		b.GetWidget().Disabled = !g.player.CanBack()
	}
}
