package town

import (
	"testing"
	"time"

	"socketville/examples"
	"socketville/shared/town/play"
)

// TestLayerBlockNamesReadWhole: a block too narrow for its part's name
// shows a short form that still says it ("TCP" for "TCP hdr") or none,
// never a first word that reads as cut ("no" for "no data").
func TestLayerBlockNamesReadWhole(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples.All() {
		pkts := examplePackets(t, ex, 50)
		g := &Game{fonts: f, scale: 1}
		for _, p := range pkts {
			for _, u := range layerUnits(p.pkt, p.frame) {
				for w := 40.0; w <= 260; w += 10 {
					for i, b := range g.unitBlocks(w, u) {
						part := u.parts[i]
						if b.name != "" && b.name != part.name && b.name != part.short || b.name == "no" {
							t.Fatalf("%s: the block for %q, %.0f px wide, says %q", ex.Name, part.name, b.w, b.name)
						}
					}
				}
			}
		}
	}
}

// TestLayersFollowTheLetter selects hello-tcp's first letter as it
// leaves the client's door: the Layers page shows it on the sender's
// floors while it is at the sender's end of the road, on the receiver's
// once it nears the far end, and at the receiver's top once it landed,
// never on the receiver's floors while the town shows it at the sender.
func TestLayersFollowTheLetter(t *testing.T) {
	hello, _ := examples.Find("hello-tcp")
	p, err := play.New(play.Options{Name: hello.Name, Source: hello.Source})
	if err != nil {
		t.Fatal(err)
	}
	g := &Game{player: p}
	for step := 0; step < 200 && len(p.Animation().Letters) == 0; step++ {
		p.Step()
	}
	if len(p.Animation().Letters) == 0 {
		t.Fatal("no letter left a door")
	}
	l := p.Animation().Letters[0]
	g.panel = newLetterPanel(l)
	sawFar := false
	p.SetPaused(false)
	for i := 0; i < 2000 && g.selectedLetter() != nil; i++ {
		g.followLetter()
		prog, ph := l.Progress(p.Now(), p.Wall()), g.cutawayPhase()
		if prog < 0.4 && ph >= 0.6 || prog > 0.6 && ph <= 0.4 {
			t.Fatalf("the letter %.2f of the way along its road, the Layers page at %.2f of its trip", prog, ph)
		}
		if ph > 0.6 {
			sawFar = true
		}
		p.Tick(time.Second / 60)
	}
	if !sawFar {
		t.Error("the Layers page never showed the letter at the receiver's floors")
	}
	if g.selectedLetter() == nil && g.cutawayPhase() != 1 {
		t.Errorf("landed, the letter is shown at %.2f of its trip, want 1 (the receiver's top floor)", g.cutawayPhase())
	}
}
