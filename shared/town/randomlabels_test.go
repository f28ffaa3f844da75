package town

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"testing"

	"socketville/shared/town/layout"
	"socketville/shared/town/play"
)

// TestLabelsNeverOverlapInRandomScenarios holds the rule "no text
// overlaps other text or is cut" for scenarios a user might write, not
// only the examples: random towns of a server and clients with long and
// short names, well-known and other ports, lossy roads, TCP connections
// with data, UDP letters and captions of any length, played step by step
// in a large and a small town, whole and zoomed in.
func TestLabelsNeverOverlapInRandomScenarios(t *testing.T) {
	f, err := newFonts()
	if err != nil {
		t.Fatal(err)
	}
	seeds := uint64(40)
	if testing.Short() {
		seeds = 8
	}
	checked := 0
	for seed := range seeds {
		src := randomScenario(rand.New(rand.NewPCG(seed, 8)))
		name := fmt.Sprintf("random scenario %d", seed)
		for _, area := range []image.Rectangle{image.Rect(0, 40, 810, 630), image.Rect(0, 40, 560, 480)} {
			p, err := play.New(play.Options{Name: name, Source: src})
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, src)
			}
			g := &Game{fonts: f, scale: 1, player: p, hover: -1}
			for step := 0; step < 300 && p.Busy(); step++ {
				p.Step()
				g.lay = layout.Of(p.Snapshot())
				g.cam = fitCamera(g.lay.Bounds, g.fitIn(area), g.scale)
				checkLabels(t, g, area, name, step, false)
				g.cam = viewport{free: true, zoom: 3, center: g.lay.Bounds.Center()}.camera(g.lay.Bounds, g.fitIn(area), g.scale)
				checkLabels(t, g, area, name, step, false)
				checked++
			}
			if t.Failed() {
				t.Fatalf("the scenario:\n%s", src)
			}
		}
	}
	t.Logf("%d moments checked", checked)
}

// randomScenario writes a town of one server host and one to four
// clients, each linked to the server (now and then lossy or slow), the
// server listening on TCP and bound on UDP, the clients connecting,
// sending and closing, with comments of random length between the steps.
func randomScenario(rng *rand.Rand) string {
	names := []string{"a", "b", "mail", "web-frontend-eu", "x1", "laptop", "printer-second-floor", "db"}
	procs := []string{"app", "curl", "postfix", "a-very-long-process-name", "nc", "browser"}
	ports := []int{25, 53, 80, 443, 5000, 8080, 7, 13}
	words := strings.Fields("the client connects and the server listens on its well-known port while letters travel down the road and back up through the layers")
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	comment := func() {
		if rng.IntN(2) == 0 {
			return
		}
		n := 1 + rng.IntN(len(words))
		w("# %s", strings.Join(words[:n], " "))
	}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	clients := 1 + rng.IntN(4)
	server := names[0]
	w("# a random town")
	w("host %s 10.0.0.100/24", server)
	for i := 1; i <= clients; i++ {
		w("host %s 10.0.0.%d/24", names[i], i)
		opts := ""
		if rng.IntN(3) == 0 {
			opts += fmt.Sprintf(" loss=%d%%", 5+rng.IntN(30))
		}
		if rng.IntN(3) == 0 {
			opts += " rate=1Mbit"
		}
		w("link %s %s delay=%dms%s", names[i], server, 1+rng.IntN(9), opts)
	}
	sp := procs[rng.IntN(len(procs))]
	w("process %s %s root", server, sp)
	tcpPort, udpPort := ports[rng.IntN(len(ports))], ports[rng.IntN(len(ports))]
	comment()
	w("%s/%s: socket tcp", server, sp)
	w("%s/%s: bind 3 0.0.0.0:%d", server, sp, tcpPort)
	w("%s/%s: listen 3 8", server, sp)
	w("%s/%s: socket udp", server, sp)
	w("%s/%s: bind 4 0.0.0.0:%d", server, sp, udpPort)
	for i := 1; i <= clients; i++ {
		cp := procs[rng.IntN(len(procs))]
		w("process %s %s", names[i], cp)
		comment()
		if rng.IntN(2) == 0 {
			w("%s/%s: socket tcp", names[i], cp)
			w("%s/%s: connect 3 10.0.0.100:%d &", names[i], cp, tcpPort)
			w("run 30ms")
			w("%s/%s: accept 3 &", server, sp)
			w("%s/%s: send 3 size=%d &", names[i], cp, 1+rng.IntN(3000))
			comment()
			w("run 50ms")
			w("%s/%s: close 3", names[i], cp)
		} else {
			w("%s/%s: socket udp", names[i], cp)
			for range 1 + rng.IntN(4) {
				w("%s/%s: sendto 3 10.0.0.100:%d \"hello\"", names[i], cp, udpPort)
			}
			comment()
			w("run 20ms")
		}
	}
	w("run 1s")
	return b.String()
}
