package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"socketville/shared/lessons"
	"socketville/shared/script"
)

const lessonUsage = `socketville lesson [--dir DIR]
socketville lesson [--dir DIR] N [--show | --check FILE|-]
socketville lesson N --check FILE|- --os [--hosts MODE] [--max-run D]
socketville lesson --goals

Lessons teach one idea each, in order: the layers, client and server, the
socket, addresses and ports, bind and listen, a socket per client, poll,
closing, the link layer, real sockets, and you and a friend. With no N,
lists them, one a line with its number. With N, prints the lesson: its
text, its goal, its hints and its starting town (shell lines).

A shared lesson (11, you and a friend) is played with a friend in a shared
town, on the page (serve, then Lessons and Share > Invite a friend): its
goal says YOU for your host and FRIEND for your friend's. Here --show prints
both parts, the friend's as comments, and --check only reads your lines
(YOU's calls) and exits 1: the goal is judged only in the shared town.

  --show        print the start followed by "show me", the lines that meet
                the goal: a whole scenario (socketville lesson 5 --show |
                socketville run -)
  --check FILE  run FILE (the lesson's start with your lines after it; -
                for standard input) headless on the simulator and say, check
                by check, whether it meets the lesson's goal, and what is
                missing when it does not
  --os          with --check, run FILE on Linux's own sockets instead, as
                socketville run --os does (--hosts MODE and --max-run D as
                there), and judge the goal on what Linux did
  --dir DIR     a teacher's folder of lessons (NN-name.lesson files) instead
                of the built-in ones
  --goals       list the checks a lesson file's goal: lines may name

Exit status: 0 when the goal is met (or for a listing), 1 when it is not
or FILE cannot run, 2 for bad usage.`

// lessonFlags are what lesson was asked to do.
type lessonFlags struct {
	dir, check      string
	show, goals, os bool
	hosts           string
	maxRun          time.Duration
	osSet           bool // --os, --hosts or --max-run was given
}

// misuse says what is wrong with the flags and positional arguments
// together, or "" when nothing is.
func (f lessonFlags) misuse(pos []string) string {
	switch {
	case f.goals && (len(pos) > 0 || f.show || f.check != "" || f.dir != "" || f.osSet):
		return "--goals goes alone"
	case f.goals:
		return ""
	case len(pos) > 1:
		return fmt.Sprintf("want one lesson number, not %q", strings.Join(pos, " "))
	case f.osSet && f.check == "":
		return "--os, --hosts and --max-run go with --check FILE"
	case f.show && f.check != "":
		return "--show prints the solution and --check judges yours; ask for one"
	case len(pos) == 0 && (f.show || f.check != ""):
		return "--show and --check need a lesson number (socketville lesson lists them)"
	}
	return ""
}

// lessonCmd is socketville lesson: list, print, show or check a lesson.
func lessonCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lesson", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, lessonUsage) }
	var f lessonFlags
	fs.StringVar(&f.dir, "dir", "", "a folder of lesson files")
	fs.StringVar(&f.check, "check", "", "a scenario to check against the lesson's goal")
	fs.BoolVar(&f.show, "show", false, "print the start and the show-me lines")
	fs.BoolVar(&f.goals, "goals", false, "list the checks a goal may name")
	fs.BoolVar(&f.os, "os", false, "with --check, run on the operating system's sockets")
	fs.StringVar(&f.hosts, "hosts", "auto", "with --os: auto, namespaces or loopback")
	fs.DurationVar(&f.maxRun, "max-run", 0, "with --os: cap every run line at this")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	fs.Visit(func(fl *flag.Flag) {
		f.osSet = f.osSet || fl.Name == "os" || fl.Name == "hosts" || fl.Name == "max-run"
	})
	if problem := f.misuse(pos); problem != "" {
		fmt.Fprintf(stderr, "socketville lesson: %s\n", problem)
		return exitUsage
	}
	if f.goals {
		printGoals(stdout)
		return exitOK
	}
	ls, err := loadLessons(f.dir)
	if err != nil {
		fmt.Fprintf(stderr, "socketville lesson: %s\n", indentErrors(err))
		return exitFail
	}
	if len(pos) == 0 {
		listLessons(stdout, ls)
		return exitOK
	}
	n, err := strconv.Atoi(pos[0])
	l, ok := lessons.FindIn(ls, n)
	if err != nil || !ok {
		fmt.Fprintf(stderr, "socketville lesson: there is no lesson %q (%s; socketville lesson lists them)\n", pos[0], lessonRange(ls))
		return exitUsage
	}
	switch {
	case f.show && l.Shared:
		printSharedShow(stdout, l)
		return exitOK
	case f.show:
		fmt.Fprint(stdout, l.Solution())
		return exitOK
	case f.check != "" && l.Shared:
		return readShared(l, f, stdin, stdout, stderr)
	case f.check != "":
		return checkLesson(l, f, stdin, stdout, stderr)
	}
	printLesson(stdout, l)
	return exitOK
}

// loadLessons reads the lessons of dir, or the built-in ones.
func loadLessons(dir string) ([]lessons.Lesson, error) {
	if dir == "" {
		return lessons.All(), nil
	}
	ls, err := lessons.Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("%s has no lesson files (NN-name.lesson)", dir)
	}
	return ls, nil
}

// lessonRange says which numbers there are: "the lessons are 1 to 10".
func lessonRange(ls []lessons.Lesson) string {
	if len(ls) == 0 {
		return "there are no lessons"
	}
	nums := make([]string, len(ls))
	for i, l := range ls {
		nums[i] = strconv.Itoa(l.Number)
	}
	if ls[len(ls)-1].Number-ls[0].Number == len(ls)-1 {
		return fmt.Sprintf("the lessons are %d to %d", ls[0].Number, ls[len(ls)-1].Number)
	}
	return "the lessons are " + strings.Join(nums, ", ")
}

// listLessons prints one lesson a line: its number, then its title.
func listLessons(w io.Writer, ls []lessons.Lesson) {
	width := len(strconv.Itoa(ls[len(ls)-1].Number))
	for _, l := range ls {
		fmt.Fprintf(w, "%*d  %s\n", width, l.Number, l.Title)
	}
}

// printLesson prints what a learner reads: the text, the goal, the hints,
// and the start to copy.
func printLesson(w io.Writer, l lessons.Lesson) {
	fmt.Fprintf(w, "Lesson %d: %s\n\n%s\n\nThe goal:\n", l.Number, l.Title, l.Text)
	for _, c := range l.Goal {
		fmt.Fprintf(w, "  - %s\n", c.Name)
	}
	fmt.Fprintln(w, "\nHints, one at a time:")
	for i, h := range l.Hints {
		fmt.Fprintf(w, "  %d. %s\n", i+1, h)
	}
	if l.Shared {
		fmt.Fprintf(w, "\n%s\n\nYour friend types, on their page:\n\n%s", sharedNote(l), l.Friend)
		return
	}
	fmt.Fprintf(w, "\nThe start: save it in a file, add your lines after it, and run\nsocketville lesson %d --check FILE (socketville lesson %d --show shows one way).\n\n%s", l.Number, l.Number, l.Start)
}

// sharedNote says where a shared lesson is played, and what YOU and
// FRIEND are.
func sharedNote(l lessons.Lesson) string {
	return fmt.Sprintf(`This lesson is played with a friend, in a shared town: socketville serve, then
Lessons and lesson %d in the page, and Share > Invite a friend (or open the link
in a second tab to play both parts). YOU is your host and FRIEND your friend's
(ann and bob, or bob and ann: it depends on who invited); the page says their
names once the friend's road is open, and judges the goal there, live.`, l.Number)
}

// printSharedShow prints a shared lesson's two parts: the friend's as
// comments (they are typed on the friend's page), then the learner's.
func printSharedShow(w io.Writer, l lessons.Lesson) {
	fmt.Fprintf(w, "# Lesson %d is played with a friend in a shared town; YOU is your host, FRIEND your friend's.\n# Your friend types, on their page:\n", l.Number)
	for _, line := range strings.SplitAfter(l.Friend, "\n") {
		if line != "" {
			fmt.Fprint(w, "#   "+line)
		}
	}
	fmt.Fprint(w, "# You type, on yours:\n"+l.Show)
}

// readShared reads a learner's lines for a shared lesson: they are
// judged only in a shared town, so here they are read, never run, and
// the exit status says the goal is not met.
func readShared(l lessons.Lesson, f lessonFlags, stdin io.Reader, stdout, stderr io.Writer) int {
	if f.osSet {
		fmt.Fprintf(stderr, "socketville lesson: lesson %d is played in a shared town, on the page's simulator: --os does not apply\n", l.Number)
		return exitUsage
	}
	name, src, err := openCheck(f.check, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "socketville lesson: %v\n", err)
		return exitFail
	}
	defer src.Close()
	n, err := l.ReadShared(name, src)
	if err != nil {
		fmt.Fprintf(stderr, "socketville lesson: %s\n", indentErrors(err))
		return exitFail
	}
	fmt.Fprintf(stdout, "Lesson %d: %s\nNot judged here: the goal is about a friend's host, so it is met only in a shared town.\n", l.Number, l.Title)
	fmt.Fprintf(stdout, "%s reads: %s of YOU's, with YOU and FRIEND as two hosts of a shared town.\n\n%s\n", name, plural(n, "call"), sharedNote(l))
	return exitFail
}

// openCheck opens what --check names: a file, or "-" for stdin; the name
// is what errors call it.
func openCheck(check string, stdin io.Reader) (string, io.ReadCloser, error) {
	if check == "-" {
		return "standard input", io.NopCloser(stdin), nil
	}
	file, err := os.Open(check)
	if err != nil {
		return "", nil, err
	}
	return check, file, nil
}

// plural is "1 call" or "4 calls".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// checkLesson runs a scenario and reports how the lesson's goal stands.
func checkLesson(l lessons.Lesson, f lessonFlags, stdin io.Reader, stdout, stderr io.Writer) int {
	name, src, err := openCheck(f.check, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "socketville lesson: %v\n", err)
		return exitFail
	}
	defer src.Close()
	var opts script.Options
	if f.os {
		if err := checkOSMode(f.hosts); err != nil {
			fmt.Fprintf(stderr, "socketville lesson: %v\n", err)
			return exitUsage
		}
		// Linux's notes (how the town is built, how long it waited) go
		// to stderr: stdout is the report.
		k, err := startOSKernel(runFlags{hosts: f.hosts, maxRun: f.maxRun}, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "socketville lesson --os: %v\n", err)
			return exitFail
		}
		defer k.Close()
		opts = script.Options{Kernel: k, MaxRun: f.maxRun}
	}
	o, err := l.RunWith(name, src, opts)
	if err != nil {
		fmt.Fprintf(stderr, "socketville lesson: %s\n", indentErrors(err))
		return exitFail
	}
	met := 0
	for _, c := range o.Checks {
		if c.Met {
			met++
		}
	}
	on := ""
	if f.os {
		on = " (on Linux's sockets)"
	}
	fmt.Fprintf(stdout, "Lesson %d: %s%s\n", l.Number, l.Title, on)
	if o.Met {
		fmt.Fprintln(stdout, "The goal is met.")
	} else {
		fmt.Fprintf(stdout, "The goal is not met yet: %d of %d checks hold.\n", met, len(o.Checks))
	}
	for _, c := range o.Checks {
		if c.Met {
			fmt.Fprintf(stdout, "  done     %s\n", c.Name)
		} else {
			fmt.Fprintf(stdout, "  missing  %s\n", c.Missing)
		}
	}
	if len(o.Failures) > 0 {
		fmt.Fprintln(stdout, "Calls that failed on the way:")
		for _, e := range o.Failures {
			fmt.Fprintf(stdout, "  %v\n", e)
		}
	}
	if !o.Met {
		return exitFail
	}
	return exitOK
}

// printGoals lists the goal vocabulary, for a teacher writing a lesson.
func printGoals(w io.Writer) {
	fmt.Fprintln(w, "A lesson's goal: lines name these checks (HOST may be HOST/PROCESS where it\nlooks at sockets or calls); \"not\" before one turns it round.")
	for _, t := range lessons.Vocabulary() {
		fmt.Fprintf(w, "\n  %s\n      %s\n", t.Usage, t.Doc)
	}
}
