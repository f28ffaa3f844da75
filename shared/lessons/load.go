package lessons

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"socketville/shared/script"
)

// MaxFileSize is the largest lesson file Load reads (256 KiB): a lesson is
// a page of text and two short scenarios.
const MaxFileSize = 256 << 10

// FileError is a mistake in a lesson file, tied to its line.
type FileError struct {
	File string
	Line int // 0 when the mistake is the whole file's
	Err  error
}

// Error reads "03-socket.lesson:7: goal: unknown check "listen" (...)".
func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the mistake.
func (e *FileError) Unwrap() error { return e.Err }

// fileName is NN-name.lesson.
var fileName = regexp.MustCompile(`^([0-9]{1,3})-([a-z0-9][a-z0-9-]*)\.lesson$`)

// Load reads a folder of lessons: every NN-name.lesson file at its top,
// in order of number; other files are left alone, so a teacher's folder may
// hold scenarios too. It returns the lessons that read well and every
// mistake, each a *FileError, joined; two files with one number are a
// mistake.
func Load(fsys fs.FS) ([]Lesson, error) { return loadDir(fsys, ".") }

func loadDir(fsys fs.FS, dir string) ([]Lesson, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading the lessons: %w", err)
	}
	var ls []Lesson
	var errs []error
	byNumber := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".lesson") {
			continue
		}
		info, err := e.Info()
		if err == nil && info.Size() > MaxFileSize {
			err = fmt.Errorf("%d bytes is more than a lesson file may be (%d)", info.Size(), MaxFileSize)
		}
		var src []byte
		if err == nil {
			src, err = fs.ReadFile(fsys, path.Join(dir, e.Name()))
		}
		if err != nil {
			errs = append(errs, &FileError{File: e.Name(), Err: err})
			continue
		}
		l, err := Parse(e.Name(), src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := byNumber[l.Number]; dup {
			errs = append(errs, &FileError{File: e.Name(), Err: fmt.Errorf("lesson %d is %s already; give this one another number", l.Number, other)})
			continue
		}
		byNumber[l.Number] = e.Name()
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Number < ls[j].Number })
	return ls, errors.Join(errs...)
}

// Parse reads one lesson file; file is its name, NN-name.lesson, which
// gives the lesson its number. It reports every mistake, each a
// *FileError, joined.
func Parse(file string, src []byte) (Lesson, error) {
	p := parser{file: file, l: Lesson{File: file}}
	m := fileName.FindStringSubmatch(path.Base(file))
	if m == nil {
		p.fail(0, fmt.Errorf("a lesson file is named NN-name.lesson (such as 05-bind-listen.lesson), with its number first"))
	} else {
		p.l.Number, _ = strconv.Atoi(m[1])
		p.l.Name = m[2]
	}
	if len(src) > MaxFileSize {
		p.fail(0, fmt.Errorf("%d bytes is more than a lesson file may be (%d)", len(src), MaxFileSize))
		return Lesson{}, errors.Join(p.errs...)
	}
	p.read(strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n"))
	if len(p.errs) > 0 {
		return Lesson{}, errors.Join(p.errs...)
	}
	return p.l, nil
}

// parser reads one lesson file.
type parser struct {
	file string
	l    Lesson
	errs []error
	// where the blocks start (the line of their opening fence) and their
	// lines, to name a scenario's mistakes by the file's line numbers.
	startAt, showAt, friendAt       int
	startSeen, showSeen, friendSeen bool
	goals                           []string // the goal lines, read once the header is (shared: may come after them)
	goalAt                          []int
	sharedAt                        int  // the shared: line, 0 for none
	badGoal                         bool // a goal line did not read, and said so
}

func (p *parser) fail(line int, err error) {
	p.errs = append(p.errs, &FileError{File: p.file, Line: line, Err: err})
}

// read reads the lines: the header, then the body.
func (p *parser) read(lines []string) {
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1] // the newline that ends the last line
	}
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		p.fail(1, errors.New(`a lesson opens with a header between two "---" lines (title:, goal:, hint:)`))
		return
	}
	end := -1
	for i := 1; i < len(lines) && end < 0; i++ {
		if strings.TrimSpace(lines[i]) == "---" {
			end = i
		}
	}
	if end < 0 {
		p.fail(1, errors.New(`the header has no closing "---" line`))
		return
	}
	for i := 1; i < end; i++ {
		p.headerLine(i+1, lines[i])
	}
	p.readGoals()
	p.body(end+2, lines[end+1:])
	p.complete(max(len(lines), 1))
}

// headerLine reads one "key: value" line of the header.
func (p *parser) headerLine(no int, line string) {
	t := strings.TrimSpace(line)
	if t == "" || strings.HasPrefix(t, "#") {
		return
	}
	key, value, ok := strings.Cut(t, ":")
	value = strings.TrimSpace(value)
	if !ok {
		p.fail(no, fmt.Errorf("%q is not a key: value line (%s)", t, theKeys))
		return
	}
	switch strings.TrimSpace(key) {
	case "title":
		switch {
		case p.l.Title != "":
			p.fail(no, errors.New("a second title; a lesson has one"))
		case value == "":
			p.fail(no, errors.New("title: is empty"))
		}
		p.l.Title = value
	case "hint":
		if value == "" {
			p.fail(no, errors.New("hint: is empty"))
			return
		}
		p.l.Hints = append(p.l.Hints, value)
	case "goal":
		p.goals = append(p.goals, value)
		p.goalAt = append(p.goalAt, no)
	case "shared":
		switch {
		case p.sharedAt != 0:
			p.fail(no, errors.New("a second shared: line; a lesson has one"))
		case value == "yes":
			p.l.Shared = true
		case value != "no":
			p.fail(no, fmt.Errorf("shared: %q: want yes (a lesson played with a friend, in a shared town) or no", value))
		}
		p.sharedAt = no
	default:
		p.fail(no, fmt.Errorf("unknown key %q (%s)", strings.TrimSpace(key), theKeys))
	}
}

// theKeys says which keys a header has.
const theKeys = "the keys are title, goal, hint and shared"

// readGoals reads the goal lines, as a shared lesson's when the header
// said shared: yes.
func (p *parser) readGoals() {
	at := p.goalAt
	p.goalAt = nil
	for i, value := range p.goals {
		read := ParseCheck
		if p.l.Shared {
			read = sharedCheck
		}
		c, err := read(value)
		if err != nil {
			p.fail(at[i], fmt.Errorf("goal: %w", err))
			p.badGoal = true
			continue
		}
		p.l.Goal = append(p.l.Goal, c)
		p.goalAt = append(p.goalAt, at[i])
	}
}

// body reads the text and the two fenced blocks, start and show; first is
// the file's line number of body[0].
func (p *parser) body(first int, body []string) {
	var text, start, show, friend []string
	var into *[]string // the block being read, nil in the text
	fenced := false    // inside a fence of the text (```sh ...)
	opened := 0        // the line of the fence being read
	for i, line := range body {
		no := first + i
		t := strings.TrimSpace(line)
		switch {
		case into != nil && t == "```":
			into = nil
		case into != nil:
			*into = append(*into, line)
		case fenced:
			fenced = t != "```"
			text = append(text, line)
		case t == "```start" || t == "```show" || t == "```friend":
			seen, at, block := &p.startSeen, &p.startAt, &start
			switch t {
			case "```show":
				seen, at, block = &p.showSeen, &p.showAt, &show
			case "```friend":
				seen, at, block = &p.friendSeen, &p.friendAt, &friend
			}
			if *seen {
				p.fail(no, fmt.Errorf("a second %s block; a lesson has one", strings.TrimPrefix(t, "```")))
			}
			*seen, *at, into, opened = true, no, block, no
			*block = nil
		case strings.HasPrefix(t, "```"):
			fenced, opened = true, no
			text = append(text, line)
		default:
			text = append(text, line)
		}
	}
	if into != nil || fenced {
		p.fail(opened, errors.New("this ``` block is not closed (a line of ``` ends it)"))
	}
	p.l.Text = strings.TrimSpace(strings.Join(text, "\n"))
	p.l.Start = blockText(start)
	p.l.Show = blockText(show)
	p.l.Friend = blockText(friend)
}

// blockText is a block's lines as a scenario: one a line, ending in a
// newline; empty for none.
func blockText(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// complete checks that the lesson has every part, that its scenarios read
// and that its goal looks at hosts its town has; last is the file's last
// line.
func (p *parser) complete(last int) {
	if p.l.Title == "" {
		p.fail(1, errors.New("the header has no title: line"))
	}
	if len(p.l.Goal) == 0 && !p.badGoal {
		p.fail(1, errors.New("the header has no goal: line; a lesson asks for something"))
	}
	if len(p.l.Hints) == 0 {
		p.fail(1, errors.New("the header has no hint: line; a learner alone needs one"))
	}
	if p.l.Text == "" {
		p.fail(last, errors.New("the lesson has no text after its header"))
	}
	if !p.startSeen {
		p.fail(last, errors.New("no ```start block (the starting town; it may be empty)"))
	}
	if !p.showSeen || strings.TrimSpace(p.l.Show) == "" {
		p.fail(last, errors.New("no ```show block, or an empty one (the lines that meet the goal)"))
	}
	if p.friendSeen && !p.l.Shared {
		p.fail(p.friendAt, errors.New("a ```friend block is for a shared lesson (shared: yes): the lines a friend types on their page"))
	}
	if len(p.errs) > 0 {
		return
	}
	if p.l.Shared {
		p.checkSharedTown()
		return
	}
	p.checkTown()
}

// checkTown parses the start and show-me lines as one scenario, tries its
// world lines, and checks that the goal names only hosts and switches the
// town has.
func (p *parser) checkTown() {
	startLines := strings.Count(p.l.Start, "\n")
	fileLine := func(n int) int {
		if n <= startLines {
			return p.startAt + n
		}
		return p.showAt + n - startLines
	}
	s, err := script.Parse(p.file, strings.NewReader(p.l.Solution()))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		for _, e := range unjoin(err) {
			var le *script.LineError
			if errors.As(e, &le) {
				p.fail(fileLine(le.Line), le.Err)
			} else {
				p.fail(0, e)
			}
		}
		return
	}
	var hosts, switches []string
	for _, l := range s.Lines {
		switch c := l.Cmd.(type) {
		case script.HostCmd:
			hosts = append(hosts, c.Name)
		case script.SwitchCmd:
			switches = append(switches, c.Name)
		}
	}
	for i, c := range p.l.Goal {
		for _, h := range c.hosts {
			if !slices.Contains(hosts, h) {
				also := ""
				if h == You || h == Friend {
					also = " (YOU and FRIEND are a shared lesson's words: shared: yes)"
				}
				p.fail(p.goalAt[i], fmt.Errorf("goal: there is no host %s in the lesson's town (its hosts are %s)%s", h, orNone(hosts), also))
			}
		}
		for _, sw := range c.switches {
			if !slices.Contains(switches, sw) {
				p.fail(p.goalAt[i], fmt.Errorf("goal: there is no switch %s in the lesson's town (its switches are %s)", sw, orNone(switches)))
			}
		}
	}
}

// unjoin lists the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return list(names)
}
