package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"socketville/shared/script/export"
)

const exportUsage = `socketville export [-o OUT.go] SCENARIO|-

Writes a scenario (a file, or - for standard input) as one runnable Go
program: each line a statement of main, in order, made with Go's net package
on this machine's loopback, printing its result as the shell does
(b/web: listen 3 16 => 0). Hosts are loopback addresses, as run --os has
them without namespaces (10.0.0.1 is 127.N.0.1); links have no delay, rate
or faults. Only TCP and UDP calls have a program: a scenario with ping,
traceroute, an ICMP socket, a switch, arp or step is refused, each such line
named.

  -o OUT.go   write the program to OUT.go instead of standard output

Run the program with go run OUT.go (-max-run D caps its run lines).

Exit status: 0 when the program was written, 1 when the scenario has a line
with no program or cannot be read, 2 for bad usage.`

func exportCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, exportUsage) }
	out := fs.String("o", "", "write the program to this file")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "socketville export: want exactly one SCENARIO (a file, or - for standard input)")
		return exitUsage
	}
	name := pos[0]
	var src []byte
	if name == "-" {
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "socketville export: %v\n", err)
		return exitFail
	}
	prog, err := export.Program(name, string(src))
	if err != nil {
		fmt.Fprintf(stderr, "%s\n", indentErrors(err))
		return exitFail
	}
	if *out == "" {
		if _, err := stdout.Write(prog); err != nil {
			fmt.Fprintf(stderr, "socketville export: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if err := os.WriteFile(*out, prog, 0o644); err != nil {
		fmt.Fprintf(stderr, "socketville export: %v\n", err)
		return exitFail
	}
	return exitOK
}
