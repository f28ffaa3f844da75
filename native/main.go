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
	"strings"
)

// exit codes: 0 fine, 1 the scenario reported errors, 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one subcommand: its name, a summary for the list, its usage
// for help COMMAND, and what runs it.
type command struct {
	name    string
	summary string
	usage   string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// helpUsage is "socketville help"'s own usage.
const helpUsage = `socketville help [COMMAND]

With no COMMAND, lists the commands; with one, says what it does and what
flags it takes. socketville COMMAND -h says the same.`

// commandOrder is the order the usage lists the commands in: the first
// thing to try first, help last.
func commandOrder() []string {
	return []string{"run", "desktop", "serve", "join", "watch", "lesson", "export", "help"}
}

// commands are the subcommands by name.
func commands() map[string]command {
	cmds := []command{
		{name: "run", summary: "run a scenario headless and print its event trace",
			usage: runUsage, run: runCmd},
		{name: "desktop", summary: "open the town in a window",
			usage: desktopUsage, run: desktopCmd},
		{name: "serve", summary: "serve the town's browser build on localhost",
			usage: serveUsage, run: serveCmd},
		{name: "join", summary: "join a shared town from an invite link, with a host of this machine's",
			usage: joinUsage, run: joinCmd},
		{name: "watch", summary: "show this machine's own sockets and who owns them",
			usage: watchUsage, run: watchCmd},
		{name: "lesson", summary: "list the lessons, show one, or check a scenario against its goal",
			usage: lessonUsage, run: lessonCmd},
		{name: "export", summary: "write a scenario as a Go program on this machine's loopback",
			usage: exportUsage, run: exportCmd},
		{name: "help", summary: "list the commands, or explain one", usage: helpUsage},
	}
	m := map[string]command{}
	for _, c := range cmds {
		m[c.name] = c
	}
	return m
}

// main runs the command line and exits with its status.
func main() {
	os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// realMain is the command line without the process: arguments and streams
// in, the exit status out, so tests can run it.
func realMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 {
		// Asking for nothing is asking what there is: the usage, as
		// help gives it, and no failure.
		printHelp(stdout, cmds)
		return exitOK
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 2 {
			fmt.Fprintln(stderr, "socketville help: want at most one COMMAND")
			return exitUsage
		}
		if len(args) == 2 {
			return commandHelp(cmds, args[1], stdout, stderr)
		}
		printHelp(stdout, cmds)
		return exitOK
	}
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "socketville: unknown command %q (try socketville help)\n", name)
		return exitUsage
	}
	if askedForHelp(args[1:]) {
		// "run -h" is a question, not a mistake: answer it on stdout.
		return commandHelp(cmds, name, stdout, stderr)
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

// commandHelp prints one command's summary and usage.
func commandHelp(cmds map[string]command, name string, stdout, stderr io.Writer) int {
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "socketville help: no command %q (the commands are %s)\n", name, strings.Join(commandNames(cmds), ", "))
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s\n\n%s\n", c.summary, c.usage)
	return exitOK
}

// askedForHelp reports whether a command's flags ask for its help (-h,
// -help or --help before any "--").
func askedForHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// commandNames lists the commands in alphabetical order, for errors.
func commandNames(cmds map[string]command) []string {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// printHelp prints the usage: what there is to run, one command a line,
// the summaries in one column however long the longest name is.
func printHelp(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Socketville makes sockets visible.\n\nUsage: socketville COMMAND [ARGS]\n\nCommands:")
	width := 0
	for n := range cmds {
		width = max(width, len(n))
	}
	listed := map[string]bool{}
	row := func(n string) {
		if c, ok := cmds[n]; ok && !listed[n] {
			listed[n] = true
			fmt.Fprintf(w, "  %-*s  %s\n", width, n, c.summary)
		}
	}
	for _, n := range commandOrder() {
		row(n)
	}
	// A command missing from the order is still listed, after the others.
	for _, n := range commandNames(cmds) {
		row(n)
	}
	fmt.Fprintln(w, "\nRun socketville help COMMAND for what it does and its flags.")
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
