package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"socketville/shared/sock"

	"socketville/shared/script"
	"socketville/shared/wire"
)

const runUsage = `socketville run [--json] [--pcap FILE] [--seed N] SCENARIO|-

Runs a scenario of socket-shell lines (a file, or - for standard input) on
the simulated network and prints every event: the calls each process makes,
and every packet sent, delivered or dropped. The first column is the virtual
time in milliseconds (5.000000 is 5 ms after the start); with --json it is
t_ns, in nanoseconds.

  --json       one JSON object a line instead of text
  --pcap FILE  also write every packet sent to FILE (pcap, raw IPv4)
  --seed N     seed the link faults with N (wins over the scenario's seed line)

Exit status: 0 when every call gave what the scenario expected, 1 when a
call failed unexpectedly or the scenario has errors, 2 for bad usage.`

type tracer interface {
	script.Sink
	Err() error
}

func runCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, runUsage) }
	asJSON := fs.Bool("json", false, "print one JSON object a line")
	pcapPath := fs.String("pcap", "", "write packets to this pcap file")
	seed := fs.Uint64("seed", 0, "seed for link faults")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "socketville run: want exactly one SCENARIO (a file, or - for standard input)")
		return exitUsage
	}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })

	name := pos[0]
	src := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
		defer f.Close()
		src = f
	}
	s, err := script.Parse(name, src)
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", name, indentErrors(err))
		return exitFail
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	var sink tracer = script.NewTextPrinter(out)
	if *asJSON {
		sink = script.NewJSONPrinter(out)
	}
	r := script.NewRunner(script.Options{Seed: *seed, SeedFixed: seedSet, Sink: sink})
	var pcap *pcapFile
	if *pcapPath != "" {
		if pcap, err = newPcapFile(*pcapPath, r.Kernel()); err != nil {
			fmt.Fprintf(stderr, "socketville run: %v\n", err)
			return exitFail
		}
	}
	runErr := r.Run(s)
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

// pcapFile records every packet a world sends, at the moment it leaves a host.
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
	if p.w, err = wire.NewPcapWriter(p.buf, wire.LinkTypeRaw); err != nil {
		f.Close()
		return nil, err
	}
	k.Observe(func(e sock.Event) {
		if e.Kind == sock.KindSent && p.err == nil {
			p.err = p.w.WritePacket(e.Time, e.Packet)
		}
	})
	return p, nil
}

func (p *pcapFile) Close() error {
	return errors.Join(p.err, p.buf.Flush(), p.f.Close())
}
