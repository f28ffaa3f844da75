package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	p2psignal "socketville/shared/p2p/signal"
	"socketville/shared/town"
	"socketville/shared/town/peertown"
	"socketville/shared/town/play"
)

const joinUsage = `socketville join [--name NAME] [--headless [--lines FILE] [--for D]] LINK

Joins the shared town of an invite link (a page's Share menu, Invite a
friend) from this machine: a host of its own, whose roads to the room's
other hosts are WebRTC data channels (pion, natively). The town runs in
real time while peers are there. In a window by default.

  --name NAME        the host's name (default: after its place in the room)
  --headless         no window: print the console as it goes
  --lines FILE       with --headless, type FILE's lines (calls of this host's
                     processes, such as an echo server) once the roads to
                     --peers peers are open; - reads them from standard input
  --peers N          how many peers' roads --lines waits for (default 1)
  --for D            with --headless, leave the room after D (default: until
                     interrupted)
  --size WxH         the window's size in logical pixels (default 1280x800)
  --loopback         keep the data channels on this machine's loopback (two
                     peers on one machine, and tests)
  --relay-only       use only the TURN relays the hub hands out (serve
                     --turn): roads that open go through the relay, which
                     shows it works, from a pupil's machine or this one`

// joinCmd is socketville join.
func joinCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("join", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, joinUsage) }
	name := fs.String("name", "", "the host's name")
	headless := fs.Bool("headless", false, "no window")
	linesFile := fs.String("lines", "", "lines to type once a road is open")
	stay := fs.Duration("for", 0, "leave after this long")
	waitPeers := fs.Int("peers", 1, "roads --lines waits for")
	size := fs.String("size", "1280x800", "window size")
	loopback := fs.Bool("loopback", false, "data channels on loopback")
	relayOnly := fs.Bool("relay-only", false, "use only the hub's TURN relays")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "socketville join: want one LINK, the invite link a page's Share menu gives")
		return exitUsage
	}
	if !*headless && (*linesFile != "" || *stay != 0) {
		fmt.Fprintln(stderr, "socketville join: --lines and --for go with --headless")
		return exitUsage
	}
	if *waitPeers < 1 {
		fmt.Fprintf(stderr, "socketville join: --peers %d: want at least 1\n", *waitPeers)
		return exitUsage
	}
	base, id, err := p2psignal.ParseInvite(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitUsage
	}
	hub, err := p2psignal.SignalURL(base)
	if err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitUsage
	}
	var lines []string
	if *linesFile != "" {
		if lines, err = readLines(*linesFile, stdin); err != nil {
			fmt.Fprintf(stderr, "socketville join: %v\n", err)
			return exitUsage
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t, err := peertown.Join(ctx, peertown.Options{Mesh: mesh.Options{URL: hub, Name: *name, Room: id, Road: road.Options{Loopback: *loopback, RelayOnly: *relayOnly}}})
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitFail
	}
	defer t.Close()
	why := fmt.Sprintf("shared town: you are %s at %v; the town runs in real time while peers are here", t.Host(), t.Addr())
	if *headless {
		return joinHeadless(t, why, lines, *waitPeers, *stay, stdout, stderr)
	}
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 1 || h < 1 {
		fmt.Fprintf(stderr, "socketville join: --size %q: want WIDTHxHEIGHT, such as 1280x800\n", *size)
		return exitUsage
	}
	g, err := town.New(town.Options{Scenario: "shared", Source: t.Scenario(), Play: true})
	if err == nil {
		err = g.Share("shared", t.Scenario(), t, why)
	}
	if err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitFail
	}
	ebiten.SetWindowTitle("Socketville: shared town, " + t.Host())
	ebiten.SetWindowSize(w, h)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetTPS(town.TPS)
	defer stopOnInterrupt(g)()
	if err := ebiten.RunGame(sharedGame{g, t}); err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitFail
	}
	return exitOK
}

// sharedGame is the town in a window, driven by its room each frame.
type sharedGame struct {
	*town.Game
	t *peertown.Town
}

// Update lets the room have its say, then the town its frame.
func (s sharedGame) Update() error {
	s.t.Drive(s.Player(), time.Now())
	return s.Game.Update()
}

// readLines reads a file of shell lines (- is stdin), leaving out blank
// lines and comments.
func readLines(path string, stdin io.Reader) ([]string, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--lines: %w", err)
		}
		defer f.Close()
		r = f
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--lines: %w", err)
	}
	return out, nil
}

// joinHeadless runs the shared town with no window at the town's frame
// rate, printing the console's lines as they come: the lines given are
// typed once roads to peers peers are open.
func joinHeadless(t *peertown.Town, why string, lines []string, peers int, stay time.Duration, stdout, stderr io.Writer) int {
	p, err := play.New(play.Options{Name: "shared", Source: t.Scenario()})
	if err == nil {
		err = p.JoinPeers(t, why)
	}
	if err != nil {
		fmt.Fprintf(stderr, "socketville join: %v\n", err)
		return exitFail
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)
	var deadline <-chan time.Time
	if stay > 0 {
		deadline = time.After(stay)
	}
	tick := time.NewTicker(time.Second / town.TPS)
	defer tick.Stop()
	printed, last := 0, time.Now()
	for {
		select {
		case <-interrupt:
			fmt.Fprintln(stdout, "# interrupted: leaving the room")
			return exitOK
		case <-deadline:
			fmt.Fprintln(stdout, "# leaving the room")
			return exitOK
		case now := <-tick.C:
			t.Drive(p, now)
			if len(lines) > 0 && roadsOpen(t) >= peers {
				for _, l := range lines {
					_ = p.Exec(l) // its error is in the console, printed below
				}
				lines = nil
			}
			p.Tick(now.Sub(last))
			last = now
			printed = printConsole(stdout, p, printed)
		}
	}
}

// roadsOpen counts the peers' hosts there are roads to.
func roadsOpen(t *peertown.Town) int {
	n := 0
	for _, p := range t.Peers() {
		if p.Host != "" && !p.Gone {
			n++
		}
	}
	return n
}

// printConsole prints the console's lines added since the count printed.
func printConsole(w io.Writer, p *play.Player, printed int) int {
	c := p.Console()
	added := c.Added()
	lines := c.Lines
	from := len(lines) - (added - printed)
	for _, l := range lines[max(0, from):] {
		fmt.Fprintln(w, l.Text)
	}
	return added
}
