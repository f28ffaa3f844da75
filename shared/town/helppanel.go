package town

import (
	"fmt"
	"image"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
)

// helpPanel is what the panel shows while nothing is open: what the
// town's pictures mean and what a click, a key or the wheel does. In a
// narrow window it is the drawer the top bar's Help button opens.
type helpPanel struct{}

func (helpPanel) title(*Game) string { return "Click a door, a letter, a road or a plot." }

func (helpPanel) build(*Game, *widget.Container, *widget.Container) {}

func (helpPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) { g.drawHelp(dst, area) }

func (p helpPanel) update(*Game) (panel, bool) { return p, false }

func (helpPanel) look(*Game) panelLook { return panelLook{} }

func (helpPanel) state(*Game, *State) {}

// kernelHelp says which kernel the town shows and what that means for time.
func (g *Game) kernelHelp() []string {
	if g.player.Live() && g.player.KernelName() == "simulator" {
		return []string{
			"Kernel: " + g.player.KernelLabel() + " (the badge, top left).",
			"  The town is simulated, and runs on the wall clock so",
			"  that real programs can talk to it (--forward): there",
			"  is no speed to set; Pause holds the next line while",
			"  the town goes on, Step starts it. Letters are slowed",
			"  so you can follow them: a door may change first.",
		}
	}
	if g.player.Live() {
		return []string{
			"Kernel: " + g.player.KernelLabel() + " (the badge, top left).",
			"  These are the machine's real sockets: time is the",
			"  wall clock, so there is no speed to set; Pause holds",
			"  the next line while the kernel goes on, Step starts it.",
			"  Letters are slowed so you can follow them; the",
			"  kernel's times are real: a door may change first.",
		}
	}
	return []string{
		"Kernel: the simulator (the badge, top left): time is",
		"  virtual, so it can pause, step, slow down and hurry.",
	}
}

// helpLines are what the help says, for the town on show.
func (g *Game) helpLines() []string {
	lines := []string{
		"Plots are hosts, with their address on the sign; a",
		"  crossroads is a router, a grey box in a yard a switch.",
		"Houses are processes; a purple roof runs as root;",
		"  the roof says client (it connects) or server (it listens).",
		"Doors are sockets, with the port over the lintel:",
		"  green archway: listening (LISTEN)",
		"  blue: a connection (ESTABLISHED), peer under it",
		"  yellow: opening; orange: closing; grey: TIME-WAIT",
		"  purple: UDP; brown: a fresh socket",
		"Letters on the roads are packets, each marked with",
		"  its kind: S SYN yellow, SA SYN|ACK orange, A ACK",
		"  white, D data sky blue, F FIN purple, R RST",
		"  vermilion, U UDP green, I ICMP blue; ARP's light",
		"  green postcards ask a link who has an address.",
		"",
	}
	if g.player.Watching() {
		// A watched machine has no roads to change, no story to step
		// and no shell to type to.
		lines = append(lines,
			"Click a door: its state, queues, cwnd and RTT.",
			"The wheel zooms the town, a drag moves it,",
			"F shows all of it again (in a small window: its start).",
			"",
			"This is the machine itself: a house is a process",
			"  (command, pid, user), a door one of its sockets.",
			"  No scenario: Pause freezes the picture, Play goes on.",
			"  "+backRefusal(g.player))
	} else {
		lines = append(lines,
			"Click a door: its state, buffers and last packet.",
			"Click a letter: its layers and bytes.",
			"Click a road: change its delay, rate, loss, ...",
			"Click a plot: its interfaces, ARP cache and routes;",
			"  a switch's yard: its ports and MAC table.",
			"Space plays and pauses, right arrow steps to the next",
			"  thing that happens (its events at one instant), left",
			"  arrow (Back) goes back one event; T: the timeline of",
			"  every event, to filter and to click to go back to.",
			"Click a console line (or C): the code a program writes",
			"  for it, in Go, C or Python.",
			"Enter types in the console below, Esc leaves it;",
			"  help lists every line, PageUp scrolls back.",
			"Tab moves the ring; in a browser, on to the Share menu.",
			"The wheel zooms the town, a drag moves it,",
			"F shows all of it again (in a small window: its start).",
			"")
		lines = append(lines, g.kernelHelp()...)
		if why := backRefusal(g.player); why != "" {
			lines = append(lines, "  "+why)
		}
	}
	return lines
}

// drawHelp draws the help's rows that fit, from the one scrolled to.
func (g *Game) drawHelp(dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(12)), float64(area.Min.Y+g.px(10))
	size := 13 * g.scale
	rows, fit := g.helpRows(g.helpLines(), area)
	// A short window shows part of it: the wheel scrolls the rest in,
	// and the last row says so.
	first := min(max(g.scroll.help, 0), max(len(rows)-fit, 0))
	end := min(first+fit, len(rows))
	more := end < len(rows)
	if more {
		end--
	}
	for _, r := range rows[first:end] {
		g.text(dst, r, x, y, size, colText, false, alignLeft)
		y += helpRowH * g.scale
	}
	if more {
		note := fmt.Sprintf("lines %d-%d of %d: the wheel scrolls", first+1, end, len(rows))
		g.text(dst, note, float64(area.Max.X-g.px(12)), y, 12*g.scale, colSelect, false, alignRight)
	}
}

// helpRowH is a help row's height in CSS pixels.
const helpRowH = 19

// helpRows are the help's lines wrapped to the panel's width, and how
// many rows the panel's area holds.
func (g *Game) helpRows(lines []string, area image.Rectangle) (rows []string, fit int) {
	size, width := 13*g.scale, float64(area.Dx()-g.px(24))
	for _, l := range lines {
		// A narrow drawer wraps a line; its indent carries on.
		body := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(body)]
		for _, w := range g.wrap(body, size, width-g.textWidth(indent, size)) {
			rows = append(rows, indent+w)
		}
	}
	return rows, max(int(float64(area.Dy()-g.px(10))/(helpRowH*g.scale)), 1)
}

// wheel scrolls a help too long for the panel, three rows a notch.
func (helpPanel) wheel(g *Game, steps int, _ image.Point) {
	rows, fit := g.helpRows(g.helpLines(), g.w.panelArea.GetWidget().Rect)
	g.scroll.help = min(max(g.scroll.help-3*steps, 0), max(len(rows)-fit, 0))
}

// textWidth is how wide s is drawn at size, in device pixels.
func (g *Game) textWidth(s string, size float64) float64 {
	return text.Advance(s, g.fonts.face(size, false))
}
