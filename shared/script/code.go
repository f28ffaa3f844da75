package script

import (
	"fmt"
	"strconv"
	"strings"

	"socketville/shared/sock"
)

// Lang is a programming language in which Code shows a line: the code a
// program writes for it.
type Lang uint8

// The languages Code speaks: Go with its net package, C with BSD sockets,
// Python with its socket module.
const (
	Go Lang = iota
	C
	Python
)

// Langs lists the languages, in the order a chooser shows them.
func Langs() []Lang { return []Lang{Go, C, Python} }

// String returns "Go", "C" or "Python".
func (l Lang) String() string {
	switch l {
	case Go:
		return "Go"
	case C:
		return "C"
	case Python:
		return "Python"
	}
	return "Lang(" + strconv.Itoa(int(l)) + ")"
}

// ParseLang reads a language's name in any case ("go", "C", "python").
func ParseLang(s string) (Lang, error) {
	for _, l := range Langs() {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("language %q: want Go, C or Python", s)
}

// comment is the language's line comment marker.
func (l Lang) comment() string {
	if l == Python {
		return "#"
	}
	return "//"
}

// Code returns the code a program writes for one shell line, in lang: for
// a call (b/web: bind 3 0.0.0.0:80) the system call and its error check,
// for a world line (host, link, process, ...) a comment saying what it is
// on a real machine. The line alone says nothing about the fds it names, so
// a Go snippet for a send on an fd it has not seen made assumes a TCP
// socket; a Coder fed the scenario's lines in order knows better.
func Code(line string, lang Lang) (string, error) {
	return NewCoder(lang).Line(line)
}

// Coder turns a scenario's lines into code one after another, remembering
// what the earlier lines said: which of each process's fds are TCP or UDP
// sockets (Go's net has different types for them), which address a TCP
// socket was bound to (Go binds inside net.Listen or net.Dialer), and which
// fd socket and accept return next (the lowest free, from 3, as the
// kernels give them).
type Coder struct {
	lang   Lang
	procs  map[string]map[int]*codeSock // "host/proc" -> fd -> socket
	closed map[string]map[int]*codeSock // "host/proc" -> fd -> the socket it was before close
	scopes map[string]*codeScope        // "host/proc" -> what its code has declared
}

// codeScope is what a process's code has declared so far: the panel
// shows a process's calls one after another, as one function's body,
// so a name (C's buf, Go's err) is declared by the first call that needs
// it and reused by the later ones.
type codeScope struct {
	names map[string]bool
	big   int // the room of C's big, the buffer of reads larger than buf; 0 before one
}

// first reports whether name is not declared yet, and declares it.
func (sc *codeScope) first(name string) bool {
	if sc.names[name] {
		return false
	}
	sc.names[name] = true
	return true
}

// has reports whether name is declared.
func (sc *codeScope) has(name string) bool { return sc.names[name] }

// fresh is a name not declared yet, base or base2, base3, ..., declared
// now: for a C array, which cannot be assigned again.
func (sc *codeScope) fresh(base string) string {
	name := base
	for i := 2; sc.names[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	sc.names[name] = true
	return name
}

// codeSock is what a Coder knows about one fd.
type codeSock struct {
	typ       sock.SockType
	bound     string // a TCP socket's bind address, for net.Listen or net.Dialer
	listening bool
	connected bool // connect succeeded, or accept made it
	made      bool // Go's value for it exists (net makes it at bind, connect or sendto for UDP, listen, connect or accept for TCP)
}

// NewCoder starts a Coder for lang with no lines seen.
func NewCoder(lang Lang) *Coder {
	return &Coder{lang: lang, procs: map[string]map[int]*codeSock{}, closed: map[string]map[int]*codeSock{}, scopes: map[string]*codeScope{}}
}

// Line returns the code for the next line (see Code) and notes what it
// does to the process's fds. A blank or comment line gives "".
func (cd *Coder) Line(line string) (string, error) {
	if cd.lang > Python {
		return "", fmt.Errorf("code: %v: want Go, C or Python", cd.lang)
	}
	cmd, err := ParseLine(line)
	if err != nil {
		return "", err
	}
	if cmd == nil {
		return "", nil
	}
	cc, ok := cmd.(CallCmd)
	if !ok {
		return worldCode(cmd, cd.lang), nil
	}
	i, _ := callRowOf(cc.Call.Op)
	k := cd.context(cc)
	text := callTable[i].code.of(cd.lang)(k)
	cd.note(cc, k)
	if cc.Background {
		text = backgroundNote(cd.lang) + "\n" + text
	}
	return strings.TrimRight(text, "\n"), nil
}

// backgroundNote says what a trailing & is in a program: the call made
// beside the lines after it.
func backgroundNote(l Lang) string {
	switch l {
	case C:
		return "/* & (in the background): in a thread of its own (pthread_create), while main goes on */"
	case Python:
		return "# & (in the background): in a threading.Thread(target=...) of its own, while the program goes on"
	}
	return "// & (in the background): in a goroutine, go func() { ... }(), while main goes on"
}

// codeCtx is what a call's snippet needs: the call, what the lines before
// said about its socket, and the fd it makes.
type codeCtx struct {
	c      Call
	expect string     // the line's => RESULT, if any
	s      *codeSock  // c.FD's socket (type SockUnknown when never seen)
	known  bool       // s is what earlier lines said, not a guess
	newFD  int        // the fd socket or accept returns
	sc     *codeScope // what the process's code has declared before
}

// callCode is a row's snippets, one function for each language.
type callCode struct {
	Go, C, Python func(k codeCtx) string
}

func (cc callCode) of(l Lang) func(codeCtx) string {
	switch l {
	case C:
		return cc.C
	case Python:
		return cc.Python
	}
	return cc.Go
}

// context gathers what the call's snippet needs.
func (cd *Coder) context(cc CallCmd) codeCtx {
	who := cc.Host + "/" + cc.Proc
	fds := cd.procs[who]
	sc := cd.scopes[who]
	if sc == nil {
		sc = &codeScope{names: map[string]bool{}}
		cd.scopes[who] = sc
	}
	k := codeCtx{c: cc.Call, s: &codeSock{}, sc: sc}
	if cc.HasExpect {
		k.expect = cc.Expect
	}
	if s, ok := fds[cc.Call.FD]; ok {
		k.s, k.known = s, true
	} else if s, ok := cd.closed[who][cc.Call.FD]; ok {
		// A call on a closed fd is a call on the closed value (in Go,
		// net.ErrClosed; in C and Python, EBADF).
		k.s, k.known = s, true
	}
	if cc.Call.Op == "socket" || cc.Call.Op == "accept" {
		k.newFD = lowestFree(fds)
		if f, _, _ := strings.Cut(k.expect, " "); f != "" {
			if n, err := strconv.Atoi(f); err == nil {
				k.newFD = n
			}
		}
	}
	return k
}

// note keeps what a call did to its process's fds.
func (cd *Coder) note(cc CallCmd, k codeCtx) {
	who := cc.Host + "/" + cc.Proc
	fds := cd.procs[who]
	if fds == nil {
		fds = map[int]*codeSock{}
		cd.procs[who] = fds
	}
	// A connect that says EINPROGRESS goes on: the socket connects.
	failed := looksLikeErrno(k.expect) && k.expect != "EINPROGRESS"
	c := cc.Call
	switch c.Op {
	case "socket":
		if !failed {
			fds[k.newFD] = &codeSock{typ: c.Type}
		}
	case "accept":
		if !failed {
			fds[k.newFD] = &codeSock{typ: sock.SockTCP, connected: true, made: true}
		}
	case "bind":
		if s, ok := fds[c.FD]; ok && !failed {
			s.bound = c.Addr.String()
			s.made = s.made || s.typ == sock.SockUDP
		}
	case "listen":
		if s, ok := fds[c.FD]; ok && !failed {
			s.listening, s.made = true, true
		}
	case "connect":
		if s, ok := fds[c.FD]; ok && !failed {
			s.connected, s.made = true, true
		}
	case "sendto":
		if s, ok := fds[c.FD]; ok {
			s.made = true
		}
	case "close":
		if s, ok := fds[c.FD]; ok {
			if cd.closed[who] == nil {
				cd.closed[who] = map[int]*codeSock{}
			}
			cd.closed[who][c.FD] = s
		}
		delete(fds, c.FD)
	}
}

// lowestFree is the fd the kernel gives next: the lowest not open, from 3.
func lowestFree(fds map[int]*codeSock) int {
	fd := 3
	for fds[fd] != nil {
		fd++
	}
	return fd
}

// lines joins snippet lines.
func lines(ls ...string) string { return strings.Join(ls, "\n") }

// cBytes writes data as a C string literal, octal escapes for what is not
// printable (a hex escape would swallow the letters after it).
func cBytes(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\%03o`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte('"')
	return s.String()
}

// pyBytes writes data as a Python bytes literal.
func pyBytes(b []byte) string {
	var s strings.Builder
	s.WriteString(`b"`)
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte('"')
	return s.String()
}
