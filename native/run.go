package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"socketville/shared/netsim"
	"socketville/shared/sock"

	"socketville/shared/script"
	"socketville/shared/wire"
)

const runUsage = `socketville run [--json] [--pcap FILE] [--seed N] SCENARIO|-
socketville run --forward SPEC [--forward SPEC ...] [...] SCENARIO|-
socketville run --os|--compare [--hosts MODE] [--max-run D] [...] SCENARIO|-

Runs a scenario of socket-shell lines (a file, or - for standard input) on
the simulated network and prints every event: the calls each process makes,
and every packet sent, delivered or dropped. The first column is the virtual
time in milliseconds (5.000000 is 5 ms after the start; with --os, real time
since the first call); with --json it is t_ns, in nanoseconds. File
descriptors are the scenario's own (3 upward), on both kernels.

  --json       one JSON object a line instead of text
  --pcap FILE  also write every frame sent to FILE (pcap, Ethernet)
  --seed N     seed the link faults with N (wins over the scenario's seed line)

Real programs can talk to the town while it runs (in real time then):

` + forwardUsage + `

On Linux, the same scenario runs on the machine's real sockets:

  --os           make the calls on the operating system's sockets: as root
                 each host is a network namespace (sv-PID-HOST), each switch
                 a namespace with a Linux bridge, and each link a wire
                 between two TAP devices with the link's delay, rate and
                 faults (Linux ARPs itself); without CAP_NET_ADMIN hosts
                 are addresses on loopback (127.N.x.y), links have no
                 properties and there are no switches. Time is the wall
                 clock.
  --compare      run on the simulator and on Linux and print where they
                 differ; differences the simulator makes on purpose are
                 marked documented
  --hosts MODE   how --os builds hosts: auto (default), namespaces, loopback
  --max-run D    cap every "run D" line at D (a closing "run 2m" waits two
                 real minutes on Linux)

Exit status: 0 when every call gave what the scenario expected (with
--compare: when every difference is documented), 1 when a call failed
unexpectedly or the scenario has errors, 2 for bad usage.`

type tracer interface {
	script.Sink
	Err() error
}

// runFlags are what run was asked to do.
type runFlags struct {
	asJSON, onOS, compare bool
	pcapPath, hosts       string
	seed                  uint64
	seedSet               bool
	maxRun                time.Duration
	forwards              forwardFlags
	forwardMode           forwardModeFlag
}

func runCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, runUsage) }
	var f runFlags
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object a line")
	fs.StringVar(&f.pcapPath, "pcap", "", "write packets to this pcap file")
	fs.Uint64Var(&f.seed, "seed", 0, "seed for link faults")
	fs.BoolVar(&f.onOS, "os", false, "run on the operating system's sockets")
	fs.BoolVar(&f.compare, "compare", false, "run on the simulator and on Linux and print the differences")
	fs.StringVar(&f.hosts, "hosts", "auto", "auto, namespaces or loopback")
	fs.DurationVar(&f.maxRun, "max-run", 0, "cap every run line at this")
	fs.Var(&f.forwards, "forward", "carry real connections into or out of the town")
	fs.Var(&f.forwardMode, "forward-mode", "splice or tun")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "socketville run: want exactly one SCENARIO (a file, or - for standard input)")
		return exitUsage
	}
	if f.onOS && f.compare {
		fmt.Fprintln(stderr, "socketville run: --os and --compare do not go together (--compare runs on Linux too)")
		return exitUsage
	}
	if f.compare && (f.asJSON || f.pcapPath != "") {
		fmt.Fprintln(stderr, "socketville run: --compare prints a report, not a trace: run --os --json or --os --pcap FILE for Linux's trace")
		return exitUsage
	}
	if len(f.forwards) > 0 && (f.onOS || f.compare) {
		fmt.Fprintln(stderr, "socketville run: --forward joins real programs to the simulated town; it does not go with --os or --compare")
		return exitUsage
	}
	fs.Visit(func(fl *flag.Flag) { f.seedSet = f.seedSet || fl.Name == "seed" })

	name := pos[0]
	src := stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
		defer file.Close()
		src = file
	}
	s, err := script.Parse(name, src)
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, indentErrors(err))
		return exitFail
	}
	if f.compare {
		return compareRun(s, f, stdout, stderr)
	}
	if err := checkForwardHosts(s, f.forwards); err != nil {
		fmt.Fprintf(stderr, "socketville run: %v\n", err)
		return exitUsage
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	trace := io.Writer(out)
	if len(f.forwards) > 0 {
		trace = stdout // real time: each line as it happens
	}
	var sink tracer = script.NewTextPrinter(trace)
	notes := trace
	if f.asJSON {
		sink = script.NewJSONPrinter(trace)
		notes = stderr
	}
	opts := script.Options{Seed: f.seed, SeedFixed: f.seedSet, Sink: sink, MaxRun: f.maxRun}
	if f.onOS {
		k, err := startOSKernel(f, notes)
		if err != nil {
			fmt.Fprintf(stderr, "socketville run --os: %v\n", err)
			return exitFail
		}
		defer k.Close()
		opts.Kernel = k
		noteLongRuns(notes, s, f.maxRun)
		start := time.Now()
		defer func() { fmt.Fprintf(notes, "# done after %.1f s of real time\n", time.Since(start).Seconds()) }()
	}
	if len(f.forwards) > 0 {
		k, err := forwardKernel(f.forwards, f.forwardMode.m, f.seed)(notes)
		if err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
		defer k.(io.Closer).Close()
		opts.Kernel = k
		defer exitOnInterrupt(stderr)()
	}
	r := script.NewRunner(opts)
	var pcap *pcapFile
	if f.pcapPath != "" {
		if pcap, err = newPcapFile(f.pcapPath, r.Kernel()); err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
	}
	runErr := r.Run(s)
	if k, ok := opts.Kernel.(interface{ Settle(time.Duration) bool }); ok {
		k.Settle(forwardSettle) // the last reply to a real client is on its way
	}
	if pcap != nil {
		if err := pcap.Close(); err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
	}
	if err := errors.Join(sink.Err(), out.Flush()); err != nil {
		fmt.Fprintf(stderr, "socketville run: writing the trace: %v\n", err)
		return exitFail
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, indentErrors(runErr))
		return exitFail
	}
	return exitOK
}

// noteLongRuns says, before a run on the wall clock starts, which of its
// run lines will keep it waiting, and how to shorten them.
func noteLongRuns(notes io.Writer, s *script.Script, maxRun time.Duration) {
	var total time.Duration
	var long []string
	for _, l := range s.Lines {
		c, ok := l.Cmd.(script.RunCmd)
		if !ok {
			continue
		}
		d := c.D
		if maxRun > 0 {
			d = min(d, maxRun)
		}
		total += d
		if d >= 5*time.Second {
			long = append(long, fmt.Sprintf("line %d (%s)", l.No, l.Text))
		}
	}
	if len(long) == 0 {
		return
	}
	fmt.Fprintf(notes, "# %s: the run waits there in real time, %v in all", strings.Join(long, ", "), total)
	if maxRun == 0 {
		fmt.Fprint(notes, " (--max-run 2s shortens every run line)")
	}
	fmt.Fprintln(notes)
}

// startOSKernel builds a town on Linux, and takes it down again if the run
// is interrupted (Ctrl-C, SIGTERM), so that no namespace outlives it.
func startOSKernel(f runFlags, notes io.Writer) (osKernel, error) {
	k, err := newOSKernel(f.hosts, notes)
	if err != nil {
		return nil, err
	}
	if f.seedSet {
		k.SetSeed(f.seed)
	}
	if f.maxRun > 0 {
		fmt.Fprintf(notes, "# run lines are capped at %v (--max-run)\n", f.maxRun)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		if _, ok := <-stop; ok {
			fmt.Fprintln(os.Stderr, "socketville: interrupted; removing the town")
			k.Abort()
			os.Exit(130)
		}
	}()
	return closer{k, func() { signal.Stop(stop); close(stop) }}, nil
}

// closer is a kernel whose Close also runs done.
type closer struct {
	osKernel
	done func()
}

func (c closer) Close() error {
	c.done()
	return c.osKernel.Close()
}

// compareRun runs the scenario on the simulator and on Linux and prints
// where they differ.
func compareRun(s *script.Script, f runFlags, stdout, stderr io.Writer) int {
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	sim := &script.Recorder{Rec: script.Recording{Kernel: "simulator"}}
	// Each run's unexpected results are not errors here: they show up as
	// differences, which decide the exit status.
	_ = script.NewRunner(script.Options{Seed: f.seed, SeedFixed: f.seedSet, Sink: sim, MaxRun: f.maxRun}).Run(s)
	k, err := startOSKernel(f, out)
	if err != nil {
		fmt.Fprintf(stderr, "socketville run --compare: %v\n", err)
		return exitFail
	}
	lin := &script.Recorder{Rec: script.Recording{Kernel: "Linux"}}
	_ = script.NewRunner(script.Options{Seed: f.seed, SeedFixed: f.seedSet, Sink: lin, Kernel: k, MaxRun: f.maxRun}).Run(s)
	closeErr := k.Close()
	diffs := script.Compare(sim.Rec, lin.Rec, netsim.Deliberate())
	if err := script.WriteComparison(out, sim.Rec, lin.Rec, diffs); err != nil {
		fmt.Fprintf(stderr, "socketville run --compare: %v\n", err)
		return exitFail
	}
	if err := out.Flush(); err != nil {
		return exitFail
	}
	if closeErr != nil {
		fmt.Fprintf(stderr, "socketville run --compare: removing the town: %v\n", closeErr)
	}
	for _, d := range diffs {
		if d.Documented == "" {
			return exitFail
		}
	}
	return exitOK
}

// indentErrors puts each of several joined errors on its own line.
func indentErrors(err error) string {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && len(joined.Unwrap()) > 1 {
		s := fmt.Sprintf("%d problems:", len(joined.Unwrap()))
		for _, e := range joined.Unwrap() {
			s += "\n  " + e.Error()
		}
		return s
	}
	return err.Error()
}

// pcapFile records every frame a world sends, at the moment it leaves a
// host (or a switch), as Ethernet (LINKTYPE_ETHERNET).
type pcapFile struct {
	f   *os.File
	buf *bufio.Writer
	w   *wire.PcapWriter
	err error
}

func newPcapFile(path string, k sock.Kernel) (*pcapFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	p := &pcapFile{f: f, buf: bufio.NewWriter(f)}
	if p.w, err = wire.NewPcapWriter(p.buf, wire.LinkTypeEthernet); err != nil {
		f.Close()
		return nil, err
	}
	k.Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent && p.err == nil {
			p.err = p.w.WritePacket(e.Time, frameOf(e))
		}
	})
	return p, nil
}

// frameOf is the event's frame, or for a kernel that shows none its IP
// packet behind an Ethernet header with zero addresses (as Linux's
// loopback writes one).
func frameOf(e sock.Event) []byte {
	if e.Frame != nil {
		return e.Frame
	}
	b := make([]byte, wire.EthernetHeaderLen+len(e.Packet))
	_ = wire.EthernetHeader{Type: wire.EtherTypeIPv4}.Encode(b)
	copy(b[wire.EthernetHeaderLen:], e.Packet)
	return b
}

func (p *pcapFile) Close() error {
	return errors.Join(p.err, p.buf.Flush(), p.f.Close())
}
