package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"socketville/examples"
	"socketville/shared/sock"
	"socketville/shared/town"
	"socketville/shared/town/play"
)

const desktopUsage = `socketville desktop [--play] [--seed N] [--speed X] [--size WxH] [SCENARIO]
       socketville desktop --forward SPEC [--forward SPEC ...] [...] [SCENARIO]
       socketville desktop --os [--hosts MODE] [--max-run D] [--play] [SCENARIO]

Opens the town in a window. SCENARIO is a file of shell lines or the name of
an example (hello-tcp, two-clients, lossy-bulk, ...); the default is
hello-tcp. The town opens paused at the story's start: Space plays and
pauses, the right arrow steps to what happens next and the left arrow back
one event, Enter types in the console; click a door, a letter or a road.

  --play             start playing at once instead of paused
  --seed N           seed the link faults with N
  --speed X          start at X times the learner's pace (0.1 to 100, default 1)
  --size WxH         the window's size in logical pixels (default 1280x800)

Real programs can talk to the town (it then runs in real time, as they do):

` + forwardUsage + `
                     Try: desktop --forward 127.0.0.1:8080=b:80 --play
                     examples/forward/web.sv, then curl 127.0.0.1:8080.

On Linux, the town can show the machine's real sockets instead:

  --os               play the scenario on the operating system's sockets, as
                     run --os does: as root each host is a network namespace
                     (sv-PID-HOST), otherwise addresses on loopback. Time is
                     the wall clock: there is no speed to set (--speed and the
                     speed controls do not apply), Pause holds the next line
                     while the kernel goes on. Restart and the picker build a
                     fresh town; closing the window or Ctrl-C removes it.
  --hosts MODE       how --os builds hosts: auto (default), namespaces, loopback
  --max-run D        with --os, cap every "run D" line at D

For measuring the town itself:

  --crowd PxS        a crowded town instead: P pairs of hosts, S sockets on each
  --frames N         quit after N frames and print the frame times
  --cpuprofile FILE  write a CPU profile of the session to FILE`

func desktopCmd(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("desktop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, desktopUsage) }
	seed := fs.Uint64("seed", 0, "seed for link faults")
	speed := fs.Float64("speed", 1, "the pace to start at, 0.1 to 100")
	playNow := fs.Bool("play", false, "start playing at once")
	size := fs.String("size", "1280x800", "window size")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	crowdSize := fs.String("crowd", "", "play a crowded town of PAIRSxSOCKETS instead")
	frames := fs.Int("frames", 0, "quit after this many frames and print the frame times")
	onOS := fs.Bool("os", false, "play on the operating system's sockets")
	hosts := fs.String("hosts", "auto", "auto, namespaces or loopback")
	maxRun := fs.Duration("max-run", 0, "with --os, cap every run line at this")
	var forwards forwardFlags
	fs.Var(&forwards, "forward", "carry real connections into or out of the town")
	var forwardMode forwardModeFlag
	fs.Var(&forwardMode, "forward-mode", "splice or tun")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) > 1 {
		fmt.Fprintln(stderr, "socketville desktop: want at most one SCENARIO")
		return exitUsage
	}
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 1 || h < 1 {
		fmt.Fprintf(stderr, "socketville desktop: --size %q: want WIDTHxHEIGHT, such as 1280x800\n", *size)
		return exitUsage
	}
	if *speed < play.MinSpeed || *speed > play.MaxSpeed {
		fmt.Fprintf(stderr, "socketville desktop: --speed %g: want a pace from %g to %d\n", *speed, play.MinSpeed, play.MaxSpeed)
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if !*onOS && (set["hosts"] || set["max-run"]) {
		fmt.Fprintln(stderr, "socketville desktop: --hosts and --max-run go with --os")
		return exitUsage
	}
	if *onOS && set["speed"] {
		fmt.Fprintln(stderr, "socketville desktop: --speed does not go with --os: the OS kernel's clock is the wall's")
		return exitUsage
	}
	if len(forwards) > 0 && (*onOS || *crowdSize != "" || set["speed"]) {
		fmt.Fprintln(stderr, "socketville desktop: --forward joins real programs to the simulated town, which then keeps real time: it does not go with --os, --crowd or --speed")
		return exitUsage
	}
	if *onOS && *crowdSize != "" {
		fmt.Fprintln(stderr, "socketville desktop: --crowd does not go with --os")
		return exitUsage
	}
	// SOCKETVILLE_STATE names a file for the town's state as JSON, which
	// the desktop tests read.
	opts := town.Options{Seed: *seed, Speed: *speed, Play: *playNow, StateFile: os.Getenv("SOCKETVILLE_STATE")}
	if path, err := town.DefaultProgressFile(); err == nil {
		// The lessons met, kept under the user's configuration folder;
		// without one (no $HOME) a session keeps none.
		opts.Progress = town.FileProgress{Path: path}
	}
	if *crowdSize != "" {
		if _, err := fmt.Sscanf(*crowdSize, "%dx%d", &opts.Crowd.Pairs, &opts.Crowd.PerHost); err != nil || opts.Crowd.Pairs < 1 || opts.Crowd.PerHost < 3 {
			fmt.Fprintf(stderr, "socketville desktop: --crowd %q: want PAIRSxSOCKETS, such as 50x10 (at least 3 sockets)\n", *crowdSize)
			return exitUsage
		}
	}
	if *onOS {
		if err := checkOSMode(*hosts); err != nil {
			fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
			return exitUsage
		}
		f := runFlags{hosts: *hosts, maxRun: *maxRun, seed: *seed, seedSet: set["seed"]}
		opts.Kernel = func(notes io.Writer) (sock.Kernel, error) {
			k, err := startOSKernel(f, notes)
			if err != nil {
				return nil, err
			}
			return labeled{k, osLabel(k)}, nil
		}
		opts.MaxRun = *maxRun
	}
	if len(forwards) > 0 {
		opts.Kernel = forwardKernel(forwards, forwardMode.m, *seed)
	}
	if len(pos) == 1 {
		if opts, err = scenarioOptions(pos[0], opts); err != nil {
			fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
			return exitFail
		}
	}
	if len(forwards) > 0 {
		src := opts.Source
		if src == "" {
			ex, _ := examples.Find(cmp.Or(opts.Scenario, "hello-tcp"))
			src = ex.Source
		}
		if err := checkForwardSource(opts.Scenario, src, forwards); err != nil {
			fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
			return exitUsage
		}
	}
	g, err := town.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
		return exitFail
	}
	defer g.Player().Close() // the OS kernel's namespaces go with the window
	ebiten.SetWindowTitle("Socketville: " + g.Player().Name())
	ebiten.SetWindowSize(w, h)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	ebiten.SetTPS(town.TPS)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
			return exitFail
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
			return exitFail
		}
		defer pprof.StopCPUProfile()
	}
	defer stopOnInterrupt(g)()
	if *frames > 0 {
		g.StopAfter(*frames)
	}
	if err := ebiten.RunGame(g); err != nil {
		fmt.Fprintf(stderr, "socketville desktop: %v\n", err)
		return exitFail
	}
	if *frames > 0 {
		printFrameStats(stdout, g)
	}
	return exitOK
}

// labeled is an OS kernel with what the town's badge says of it.
type labeled struct {
	osKernel
	label string
}

// Label is the badge's text: "Linux 6.18.0 · namespaces".
func (k labeled) Label() string { return k.label }

// scenarioOptions picks an example by name, or reads a scenario file.
func scenarioOptions(arg string, opts town.Options) (town.Options, error) {
	if ex, ok := examples.Find(arg); ok && !strings.ContainsRune(arg, os.PathSeparator) {
		if _, err := os.Stat(arg); err != nil {
			opts.Scenario = ex.Name
			return opts, nil
		}
	}
	src, err := os.ReadFile(arg)
	if err != nil {
		return opts, fmt.Errorf("%w (nor is it an example: %s)", err, exampleNames())
	}
	opts.Scenario = strings.TrimSuffix(filepath.Base(arg), ".sv")
	opts.Source = string(src)
	return opts, nil
}

func exampleNames() string {
	var names []string
	for _, s := range examples.All() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// printFrameStats prints the CPU time per frame of Update and Draw, and
// what the town held, as one line the benchmarks parse.
func printFrameStats(w io.Writer, g *town.Game) {
	upd, draw, n := g.Stats()
	if n == 0 {
		return
	}
	st := g.State()
	per := func(d time.Duration) float64 { return float64(d) / float64(n) / 1e6 }
	fmt.Fprintf(w, "frames %d update_ms %.3f draw_ms %.3f frame_ms %.3f doors %d letters %d fps %.1f\n",
		n, per(upd), per(draw), per(upd+draw), len(st.Doors), st.Letters, st.FPS)
}

// stopOnInterrupt closes the window when Ctrl-C or SIGTERM arrives, so that
// the game's clean-up runs; call what it returns when the game is over.
func stopOnInterrupt(g *town.Game) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-signals; ok {
			g.Stop()
		}
	}()
	return func() { signal.Stop(signals) }
}
