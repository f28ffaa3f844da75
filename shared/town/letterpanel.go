package town

import (
	"fmt"
	"image"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/town/play"
)

// letterPanel is a letter (a packet) the learner clicked on a road: its
// Layers page follows it down the sender's floors and up the receiver's
// as the town shows it on the road, its Bytes page decodes it. Both stay
// once the letter has landed or been lost.
type letterPanel struct {
	id       int // the letter's ID while it is on the road
	label    string
	from, to string
	tab      tab
	// seen is what the panel keeps of the letter: its bytes, kept after
	// it lands, and where it was last seen on its road.
	seen *letterSeen
}

// letterSeen is what a letter's panel keeps of it.
type letterSeen struct {
	pkt []byte
	// frame is the Ethernet frame it rode in, nil when the kernel shows
	// no frames.
	frame []byte
	// ph is how far along its road it was last seen, and lost whether
	// it had fallen off (cutawayPhase).
	ph   float64
	lost bool
}

// newLetterPanel is the panel of letter l, on its Layers page.
func newLetterPanel(l *play.Letter) letterPanel {
	return letterPanel{id: l.ID, label: l.Label, from: l.From, to: l.To, tab: tabLayers,
		seen: &letterSeen{pkt: l.Packet, frame: l.Frame}}
}

func (p letterPanel) title(*Game) string {
	return fmt.Sprintf("Letter %s: %s -> %s", p.label, p.from, p.to)
}

func (p letterPanel) build(g *Game, tabs, _ *widget.Container) {
	g.tabButton(tabs, "Layers", p.tab == tabLayers, p.onPage(tabLayers))
	g.tabButton(tabs, "Bytes", p.tab == tabBytes, p.onPage(tabBytes))
}

func (p letterPanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	g.drawPacketPage(dst, area, p)
}

func (p letterPanel) update(*Game) (panel, bool) { return p, false }

func (p letterPanel) look(g *Game) panelLook { return g.packetLook(p) }

func (p letterPanel) state(_ *Game, s *State) { s.Selected, s.Tab = "letter", tabNames[p.tab] }

func (p letterPanel) page() tab { return p.tab }

// onPage is the letter on page t; it has no Door page, so tabDoor only
// names the letter whatever its page (subject).
func (p letterPanel) onPage(t tab) panel { p.tab = t; return p }

func (p letterPanel) packet(*Game) (pkt, frame []byte, ok bool) {
	if p.seen == nil {
		return nil, nil, false
	}
	return p.seen.pkt, p.seen.frame, true
}

func (p letterPanel) wheel(g *Game, steps int, pt image.Point) { g.wheelInspector(steps, pt) }

// letterShown is the letter panel on show, if a letter's is.
func (g *Game) letterShown() (letterPanel, bool) {
	p, ok := g.panel.(letterPanel)
	return p, ok && p.seen != nil
}

// selectedLetter is the shown letter while it is on the road.
func (g *Game) selectedLetter() *play.Letter {
	p, ok := g.letterShown()
	if !ok {
		return nil
	}
	for _, l := range g.player.Animation().Letters {
		if l.ID == p.id {
			return l
		}
	}
	return nil
}

// followLetter notes, each update, where the shown letter is on its
// road, for the Layers page once it has left it.
func (g *Game) followLetter() {
	if l := g.selectedLetter(); l != nil {
		p, _ := g.letterShown()
		p.seen.ph, p.seen.lost = l.Progress(g.player.Now(), g.player.Wall()), l.Lost
	}
}
