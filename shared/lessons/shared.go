package lessons

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// A shared lesson ("shared: yes") is played with a friend in a shared
// town, where each page has one host: which one depends on who invited
// whom (ann at 10.99.0.1 for the first page of a room, bob at 10.99.0.2
// for the next, ...). So its goal, text, hints and lines say YOU for the
// learner's host and FRIEND for the friend's: as HOST or HOST/PROCESS,
// and FRIEND:PORT (or YOU:PORT) as an ADDR:PORT. The town binds them
// (Bind) once it is shared and a friend's road is open.
//
// A friend's events stay on the friend's page; this page sees their host
// only in the state their page sends. So a check about FRIEND must be one
// that reads the snapshot (listening, bound, connected, option); one that
// reads events (accepted, data, went, ...) is refused when the file is
// read. A check about YOU may be any: YOU's events are this page's.

// The words a shared lesson says for the two hosts.
const (
	You    = "YOU"
	Friend = "FRIEND"
)

// Pair is who a shared lesson's YOU and FRIEND are.
type Pair struct {
	You, Friend         string     // the hosts' names: "ann", "bob"
	YouAddr, FriendAddr netip.Addr // their addresses: 10.99.0.1, 10.99.0.2
}

// IsZero reports whether the pair names no one: the lesson is unbound.
func (p Pair) IsZero() bool { return p == Pair{} }

// unbound is the pair a shared lesson's goal is read with until Bind: the
// hosts are called YOU and FRIEND, which no town has, so no check holds,
// and the addresses are documentation ones (RFC 5737) that the sentences
// then say as YOU and FRIEND again.
var unbound = Pair{You: You, Friend: Friend,
	YouAddr: netip.MustParseAddr("192.0.2.1"), FriendAddr: netip.MustParseAddr("192.0.2.2")}

// rehearsal is the pair a shared lesson's lines are read with when the
// file is loaded: two hosts of a shared town.
var rehearsal = Pair{You: "you", Friend: "friend",
	YouAddr: netip.MustParseAddr("10.99.0.1"), FriendAddr: netip.MustParseAddr("10.99.0.2")}

// sharedWord is YOU or FRIEND as a word, with the :PORT of an ADDR:PORT.
var sharedWord = regexp.MustCompile(`\b(YOU|FRIEND)\b(:[0-9]+)?`)

// bindWords says YOU and FRIEND in s as p's hosts, and YOU:PORT and
// FRIEND:PORT as their addresses.
func bindWords(s string, p Pair) string {
	return sharedWord.ReplaceAllStringFunc(s, func(w string) string {
		name, port, hasPort := strings.Cut(w, ":")
		host, addr := p.You, p.YouAddr
		if name == Friend {
			host, addr = p.Friend, p.FriendAddr
		}
		if hasPort {
			return addr.String() + ":" + port
		}
		return host
	})
}

// namesFriend reports whether a goal line says FRIEND.
func namesFriend(line string) bool {
	for _, m := range sharedWord.FindAllStringSubmatch(line, -1) {
		if m[1] == Friend {
			return true
		}
	}
	return false
}

// Bind names a shared lesson's YOU and FRIEND: its goal's checks look at
// p's hosts from then on, and its text, hints, friend's lines and show-me
// lines say them. Binding a lesson that is not shared, or with a pair
// that names no one, is an error; a bound lesson may be bound again.
func (l Lesson) Bind(p Pair) (Lesson, error) {
	switch {
	case !l.Shared:
		return Lesson{}, fmt.Errorf("lesson %d is not a shared one: it has no YOU and FRIEND to name", l.Number)
	case p.You == "" || p.Friend == "" || p.You == p.Friend || !p.YouAddr.Is4() || !p.FriendAddr.Is4():
		return Lesson{}, fmt.Errorf("lesson %d: YOU and FRIEND want two hosts with IPv4 addresses, not %q at %v and %q at %v", l.Number, p.You, p.YouAddr, p.Friend, p.FriendAddr)
	}
	goal := make([]Check, len(l.Goal))
	for i, c := range l.Goal {
		b, err := ParseCheck(bindWords(c.raw, p))
		if err != nil {
			return Lesson{}, fmt.Errorf("lesson %d: goal %q for %s and %s: %w", l.Number, c.raw, p.You, p.Friend, err)
		}
		b.raw = c.raw
		goal[i] = b
	}
	out := l
	out.Goal = goal
	out.Text = bindWords(l.Text, p)
	out.Hints = make([]string, len(l.Hints))
	for i, h := range l.Hints {
		out.Hints[i] = bindWords(h, p)
	}
	out.Friend = bindWords(l.Friend, p)
	out.Show = bindWords(l.Show, p)
	out.Bound = p
	return out, nil
}

// sharedCheck reads a shared lesson's goal line as the unbound pair: its
// sentence says YOU and FRIEND, and it holds in no town. A check that
// reads FRIEND's events is refused.
func sharedCheck(line string) (Check, error) {
	c, err := ParseCheck(bindWords(line, unbound))
	if err != nil {
		return Check{}, err
	}
	if c.events && slices.Contains(c.hosts, Friend) {
		return Check{}, fmt.Errorf("%q looks at FRIEND's events, which stay on the friend's page: a check about FRIEND reads what their page sends, the snapshot (%s); say it of YOU, or check FRIEND's sockets", line, strings.Join(snapshotTerms(), ", "))
	}
	c.Line = strings.Join(strings.Fields(line), " ")
	c.raw = c.Line
	c.Name = sayUnbound.Replace(c.Name)
	inner := c.watch
	c.watch = func() watcher { return unboundW{inner()} }
	return c, nil
}

// sayUnbound says the unbound pair's addresses as YOU and FRIEND again.
var sayUnbound = strings.NewReplacer(unbound.YouAddr.String()+":", You+":", unbound.FriendAddr.String()+":", Friend+":")

// unboundW is an unbound shared check: its missing sentence says YOU and
// FRIEND, not the addresses it was read with.
type unboundW struct{ inner watcher }

func (w unboundW) event(e sock.Event) { w.inner.event(e) }

func (w unboundW) result(s sock.Snapshot) (bool, string) {
	met, missing := w.inner.result(s)
	return met, sayUnbound.Replace(missing)
}

// snapshotTerms are the checks that read the snapshot alone.
func snapshotTerms() []string {
	var out []string
	for _, t := range terms() {
		if strings.HasSuffix(t.Doc, "(snapshot)") {
			out = append(out, t.Name)
		}
	}
	return out
}

// checkSharedTown checks a shared lesson's parts: no start of its own
// (the shared town is the start), a goal that says FRIEND and names no
// other host, and friend's and show-me lines that parse as calls of
// FRIEND's and of YOU's processes in a town of the two.
func (p *parser) checkSharedTown() {
	if lines := callLines(p.l.Start); len(lines) > 0 {
		p.fail(p.startAt+1, errors.New("a shared lesson starts from the shared town itself (YOU with a house app, a road to each friend): its ```start block holds no lines, only comments"))
	}
	friend := false
	for i, c := range p.l.Goal {
		friend = friend || namesFriend(c.Line)
		for _, h := range c.hosts {
			if h != You && h != Friend {
				p.fail(p.goalAt[i], fmt.Errorf("goal: a shared lesson's town has the hosts YOU and FRIEND, not %s", h))
			}
		}
		if len(c.switches) > 0 {
			p.fail(p.goalAt[i], errors.New("goal: a shared town has no switches, only the roads between the friends' hosts"))
		}
	}
	if !friend && len(p.l.Goal) > 0 {
		p.fail(p.goalAt[0], errors.New("goal: a shared lesson's goal says FRIEND somewhere (FRIEND's sockets, or FRIEND:PORT): it is what makes the lesson a shared one"))
	}
	if !p.friendSeen || strings.TrimSpace(p.l.Friend) == "" {
		p.fail(1, errors.New("a shared lesson has a ```friend block: the lines the friend types on their page, as FRIEND/PROCESS: CALL"))
	}
	if len(p.errs) > 0 {
		return
	}
	town := rehearsalTown()
	p.checkLines("the ```friend block's lines", p.friendAt, rehearsal.Friend, town, p.l.Friend)
	p.checkLines("the ```show block's lines", p.showAt, rehearsal.You, town, p.l.Show)
}

// checkLines checks lines of a shared lesson (what, for sentences): with
// YOU and FRIEND named, they parse after town, and every one is a call of
// host's processes (the page that types them).
func (p *parser) checkLines(what string, at int, host, town, lines string) {
	bound := bindWords(lines, rehearsal)
	prefix := strings.Count(town, "\n")
	s, err := script.Parse(p.file, strings.NewReader(town+bound))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		for _, e := range unjoin(err) {
			var le *script.LineError
			if errors.As(e, &le) && le.Line > prefix {
				p.fail(at+le.Line-prefix, fmt.Errorf("%s (YOU read as %s, FRIEND as %s)", le.Err, rehearsal.You, rehearsal.Friend))
			} else {
				p.fail(at, e)
			}
		}
		return
	}
	word := map[string]string{rehearsal.You: You, rehearsal.Friend: Friend}[host]
	for _, l := range s.Lines {
		if l.No <= prefix {
			continue
		}
		switch c := l.Cmd.(type) {
		case script.CallCmd:
			if c.Host != host {
				p.fail(at+l.No-prefix, fmt.Errorf("%s are typed on %s's page, so they call %s's processes (%s/app: ...), not another host's", what, word, word, word))
			}
		default:
			p.fail(at+l.No-prefix, fmt.Errorf("%s are socket calls only: a shared town's world is its pages' hosts and roads", what))
		}
	}
}

// callLines are a block's lines that are not blank or comments.
func callLines(block string) []string {
	var out []string
	for _, l := range strings.Split(block, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			out = append(out, t)
		}
	}
	return out
}

// ReadShared reads a learner's lines for a shared lesson as its page
// would type them, YOU's calls, with YOU and FRIEND as the hosts of a
// town of two; it returns
// how many calls there are. It judges nothing: a shared lesson's goal is
// met only in a shared town, with a friend (see Lesson.Shared). name
// names the lines in errors, each a *FileError.
func (l Lesson) ReadShared(name string, src io.Reader) (int, error) {
	if !l.Shared {
		return 0, fmt.Errorf("lesson %d is not a shared one: run it instead", l.Number)
	}
	b, err := io.ReadAll(io.LimitReader(src, MaxFileSize+1))
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return 0, fmt.Errorf("%s: more than %d bytes", name, MaxFileSize)
	}
	p := parser{file: name}
	text := string(b)
	p.checkLines("your lines", 0, rehearsal.You, rehearsalTown(), text)
	if len(p.errs) > 0 {
		return 0, errors.Join(p.errs...)
	}
	return len(callLines(text)), nil
}

// rehearsalTown is a town of the two hosts, for a shared lesson's lines
// to be read in.
func rehearsalTown() string {
	return fmt.Sprintf("host %s %v/16\nhost %s %v/16\nprocess %s app\nprocess %s app\n",
		rehearsal.You, rehearsal.YouAddr, rehearsal.Friend, rehearsal.FriendAddr, rehearsal.You, rehearsal.Friend)
}
