// Command socketville is Socketville's native binary: the town in a desktop
// window, the web server for its browser build, and scenarios run headless
// with their event trace.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// exit codes: 0 fine, 1 the scenario reported errors, 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	name    string
	summary string
	usage   string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	cmds := []command{
		{name: "run", summary: "run a scenario headless and print its event trace",
			usage: runUsage, run: runCmd},
		{name: "desktop", summary: "open the town in a window",
			usage: desktopUsage, run: desktopCmd},
		{name: "serve", summary: "serve the town's browser build on localhost",
			usage: serveUsage, run: serveCmd},
		{name: "help", summary: "explain a command", usage: "socketville help [COMMAND]"},
	}
	m := map[string]command{}
	for _, c := range cmds {
		m[c.name] = c
	}
	return m
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func realMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 {
		printHelp(stderr, cmds)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := cmds[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "socketville help: no command %q\n", args[1])
				return exitUsage
			}
			fmt.Fprintf(stdout, "%s\n\n%s\n", c.summary, c.usage)
			return exitOK
		}
		printHelp(stdout, cmds)
		return exitOK
	}
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "socketville: unknown command %q (try socketville help)\n", name)
		return exitUsage
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func printHelp(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Socketville makes sockets visible.\n\nUsage: socketville COMMAND [ARGS]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-6s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun socketville help COMMAND for its flags.")
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("run x.sv --json" as well as "run --json x.sv").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		// Parse stopped at a positional argument (it consumes flags and
		// "--"); keep it and parse what follows it.
		pos = append(pos, args[0])
		args = args[1:]
	}
}
