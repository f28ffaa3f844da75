package play

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"socketville/shared/script"
)

// A session is everything needed to play a town again elsewhere: the
// scenario, its seed, and the calls the player made to its runner (the
// lines let through, how far time was carried, the lines typed), so a
// shared link or a saved file replays to the same events. The pace a town
// was watched at is not in it: it changes no event.

// InputKind says what an Input does.
type InputKind uint8

// The kinds of inputs.
const (
	InputOpen    InputKind = iota + 1 // the scenario's line at the gate starts
	InputAdvance                      // virtual time runs on to Limit
	InputStep                         // the smallest next thing happens, N times
	InputLine                         // a line typed at the console: Line
	InputArrive                       // a frame came from a peer: Data on Host's road from Far
)

// Input is one thing done to a town's run, as plain values.
type Input struct {
	Kind  InputKind
	Limit time.Duration // InputAdvance
	N     int           // InputStep
	Line  string        // InputLine
	// Host, Far and Data are an InputArrive's frame: on Host's road
	// from Far (see script's peer line).
	Host, Far string
	Data      []byte
}

// Session is a scenario and what was done to it.
type Session struct {
	Name, Source string
	Seed         uint64
	Inputs       []Input
}

// Limits on a session read from outside (a link, a file): past them it
// is refused as a whole, and LoadSession stops a run past MaxSessionEvents.
const (
	MaxSessionBytes  = 8 << 20
	MaxSessionLines  = 100_000   // of the scenario's source
	MaxSessionInputs = 1_000_000 // inputs
	MaxSessionSteps  = 10_000_000
	// MaxSessionEvents bounds the events (and the instants) a session's
	// run may take: some five seconds natively, a minute in a browser.
	MaxSessionEvents = 1_000_000
)

// sessionHeader starts a session's text; its number is the version.
const sessionHeader = "socketville session 1"

// Session is what was done to the town since its scenario was loaded, up
// to the moment shown (the recorded future is left out). A town that
// plays no scenario of its own (a live kernel, a remote run, a feed) has
// only its scenario, with no inputs.
func (p *Player) Session() Session {
	s := Session{Name: p.name, Source: p.src, Seed: p.seed}
	if !p.recording() {
		return s
	}
	h := &p.hist
	end := h.here()
	for i, o := range h.ops {
		if int32(i) > end.op || int32(i) == end.op && end.sub == 0 {
			break
		}
		in := Input{Kind: InputKind(o.kind)}
		switch o.kind {
		case opAdvance:
			in.Limit = o.limit
			if int32(i) == end.op {
				in.Limit = p.r.Now() // an advance under way ends here
			}
		case opStep:
			in.N = int(o.n)
			if int32(i) == end.op {
				in.N = int(end.sub)
			}
		case opInterject:
			in.Line = h.lines[o.n].Text
		case opArrive:
			a := h.frames[o.n]
			in.Host, in.Far, in.Data = a.host, a.far, a.b
		}
		s.Inputs = append(s.Inputs, in)
	}
	s.Inputs = compact(s.Inputs)
	return s
}

// compact joins what can be one input: advances one after another are
// the last of them (time runs on the same way, cut at the same instants
// or not), steps one after another one count.
func compact(in []Input) []Input {
	out := in[:0]
	for _, x := range in {
		if n := len(out); n > 0 && out[n-1].Kind == x.Kind {
			switch last := &out[n-1]; x.Kind {
			case InputAdvance:
				last.Limit = max(last.Limit, x.Limit)
				continue
			case InputStep:
				last.N += x.N
				continue
			}
		}
		out = append(out, x)
	}
	return out
}

// MarshalText writes the session as versioned, line-based text:
//
//	socketville session 1
//	name hello-tcp
//	seed 0
//	source 3
//	host a 10.0.0.1/24
//	...
//	inputs 2
//	o
//	a 1.5s
//	l a/client: send 3 "hi"
//	s 20
//
// A name or a typed line with a line break cannot be written.
func (s Session) MarshalText() ([]byte, error) {
	if strings.ContainsAny(s.Name, "\r\n") {
		return nil, errors.New("session: the name has a line break")
	}
	var b bytes.Buffer
	src := strings.Split(s.Source, "\n")
	fmt.Fprintf(&b, "%s\nname %s\nseed %d\nsource %d\n", sessionHeader, s.Name, s.Seed, len(src))
	for _, l := range src {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "inputs %d\n", len(s.Inputs))
	for i, in := range s.Inputs {
		switch in.Kind {
		case InputOpen:
			b.WriteString("o\n")
		case InputAdvance:
			fmt.Fprintf(&b, "a %s\n", in.Limit)
		case InputStep:
			fmt.Fprintf(&b, "s %d\n", in.N)
		case InputLine:
			if strings.ContainsAny(in.Line, "\r\n") {
				return nil, fmt.Errorf("session: input %d: the typed line has a line break", i+1)
			}
			fmt.Fprintf(&b, "l %s\n", in.Line)
		case InputArrive:
			if !validRoadName(in.Host) || !validRoadName(in.Far) {
				return nil, fmt.Errorf("session: input %d: a frame's road %q to %q is not two names", i+1, in.Host, in.Far)
			}
			fmt.Fprintf(&b, "f %s %s %s\n", in.Host, in.Far, base64.StdEncoding.EncodeToString(in.Data))
		default:
			return nil, fmt.Errorf("session: input %d: no such kind of input (%d)", i+1, in.Kind)
		}
	}
	return b.Bytes(), nil
}

// UnmarshalText reads a session MarshalText wrote. Anything else (another
// version, a session past the limits, an input that does not read, a
// typed line that does not parse) is an error that names the line, and s
// is left as it was.
func (s *Session) UnmarshalText(text []byte) error {
	if len(text) > MaxSessionBytes {
		return fmt.Errorf("session: %d bytes, more than the %d a session may have", len(text), MaxSessionBytes)
	}
	r := sessionReader{sc: bufio.NewScanner(bytes.NewReader(text))}
	r.sc.Buffer(nil, MaxSessionBytes)
	var out Session
	if l, err := r.line(); err != nil {
		return err
	} else if l != sessionHeader {
		if strings.HasPrefix(l, "socketville session ") {
			return fmt.Errorf("session: version %q: this Socketville reads version 1", strings.TrimPrefix(l, "socketville session "))
		}
		return errors.New("session: this is not a Socketville session (it does not start with \"" + sessionHeader + "\")")
	}
	var err error
	if out.Name, err = r.field("name"); err != nil {
		return err
	}
	seed, err := r.field("seed")
	if err != nil {
		return err
	}
	if out.Seed, err = strconv.ParseUint(seed, 10, 64); err != nil {
		return r.errorf("the seed %q is not a number", seed)
	}
	n, err := r.count("source", MaxSessionLines)
	if err != nil {
		return err
	}
	src := make([]string, 0, min(n, 1024))
	for range n {
		l, err := r.line()
		if err != nil {
			return err
		}
		src = append(src, l)
	}
	out.Source = strings.Join(src, "\n")
	if n, err = r.count("inputs", MaxSessionInputs); err != nil {
		return err
	}
	steps := 0
	for range n {
		in, err := r.input()
		if err != nil {
			return err
		}
		if steps += in.N; steps > MaxSessionSteps {
			return r.errorf("more than %d steps in all", MaxSessionSteps)
		}
		out.Inputs = append(out.Inputs, in)
	}
	if r.sc.Scan() {
		return fmt.Errorf("session: line %d: more after the last input", r.no+1)
	}
	if err := r.sc.Err(); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	*s = out
	return nil
}

// sessionReader reads a session's lines, counting them for errors.
type sessionReader struct {
	sc *bufio.Scanner
	no int
}

func (r *sessionReader) errorf(format string, args ...any) error {
	return fmt.Errorf("session: line %d: %s", r.no, fmt.Sprintf(format, args...))
}

func (r *sessionReader) line() (string, error) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return "", fmt.Errorf("session: line %d: %w", r.no+1, err)
		}
		if r.no == 0 {
			return "", errors.New("session: this is not a Socketville session: it is empty")
		}
		return "", fmt.Errorf("session: it ends at line %d, before its last input", r.no)
	}
	r.no++
	return r.sc.Text(), nil
}

// field reads "key value".
func (r *sessionReader) field(key string) (string, error) {
	l, err := r.line()
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(l, key+" ")
	if !ok && l != key {
		return "", r.errorf("want %q, got %q", key+" ...", short(l))
	}
	return v, nil
}

// count reads "key N", N at most limit.
func (r *sessionReader) count(key string, limit int) (int, error) {
	v, err := r.field(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 0:
		return 0, r.errorf("%s %q is not a count", key, short(v))
	case n > limit:
		return 0, r.errorf("%d %s, more than the %d a session may have", n, key, limit)
	}
	return n, nil
}

// input reads one input line.
func (r *sessionReader) input() (Input, error) {
	l, err := r.line()
	if err != nil {
		return Input{}, err
	}
	kind, arg, _ := strings.Cut(l, " ")
	switch kind {
	case "o":
		if arg != "" {
			return Input{}, r.errorf("an open (o) takes nothing, got %q", short(arg))
		}
		return Input{Kind: InputOpen}, nil
	case "a":
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 {
			return Input{}, r.errorf("an advance (a) takes a virtual time such as 1.5s, got %q", short(arg))
		}
		return Input{Kind: InputAdvance, Limit: d}, nil
	case "s":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > MaxSessionSteps {
			return Input{}, r.errorf("a step (s) takes a count from 1 to %d, got %q", MaxSessionSteps, short(arg))
		}
		return Input{Kind: InputStep, N: n}, nil
	case "l":
		cmd, err := script.ParseLine(arg)
		if err != nil {
			return Input{}, r.errorf("the typed line %q: %v", short(arg), err)
		}
		if cmd == nil {
			return Input{}, r.errorf("the typed line %q is empty", short(arg))
		}
		switch cmd.(type) {
		case script.RunCmd, script.StepCmd:
			return Input{}, r.errorf("the typed line %q moves the clock, which a session says with a and s", short(arg))
		}
		return Input{Kind: InputLine, Line: arg}, nil
	case "f":
		return r.arrival(arg)
	}
	return Input{}, r.errorf("no such input %q (o, a, s, l or f)", short(kind))
}

// maxArrival is the most bytes a frame from a peer may have in a session:
// a road's MTU and its Ethernet header, with room to spare.
const maxArrival = 2048

// arrival reads "HOST FAR BASE64", a frame that came from a peer.
func (r *sessionReader) arrival(arg string) (Input, error) {
	f := strings.Fields(arg)
	if len(f) != 3 || !validRoadName(f[0]) || !validRoadName(f[1]) {
		return Input{}, r.errorf("a frame (f) takes HOST FAR BASE64, got %q", short(arg))
	}
	b, err := base64.StdEncoding.DecodeString(f[2])
	switch {
	case err != nil:
		return Input{}, r.errorf("a frame's bytes: %v", err)
	case len(b) > maxArrival:
		return Input{}, r.errorf("a frame of %d bytes, more than the %d one may have", len(b), maxArrival)
	}
	return Input{Kind: InputArrive, Host: f[0], Far: f[1], Data: b}, nil
}

// validRoadName reports whether s can be a road's end in a session's
// line: a word with no space in it.
func validRoadName(s string) bool { return s != "" && !strings.ContainsAny(s, " \t\r\n") }

// short is s cut for an error message.
func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// LoadSession loads the session's scenario with its seed and does to it
// what the session did, at once, so that the town shows the same events
// and comes to the same state (the same TraceDigest and SnapshotDigest);
// the timeline then goes back over it. A scenario that does not load, a
// typed line that does not parse, or a town that plays no scenario of its
// own is an error and the town stays as it was. A run past
// MaxSessionEvents stops there, with an error, showing what it made.
func (p *Player) LoadSession(s Session) error {
	if p.newKernel != nil || p.remote != nil || p.source != nil {
		return errors.New("session: this town does not play on the simulator (a live kernel, a run on the server, or real programs' sockets), so a session cannot be played in it")
	}
	lines := make([]script.Line, 0, len(s.Inputs))
	for i, in := range s.Inputs {
		if in.Kind != InputLine {
			continue
		}
		cmd, err := script.ParseLine(in.Line)
		if err != nil || cmd == nil {
			return fmt.Errorf("session: input %d: the typed line %q does not parse", i+1, short(in.Line))
		}
		lines = append(lines, script.Line{Text: in.Line, Cmd: cmd})
	}
	seed := p.seed
	p.seed = s.Seed
	if err := p.load(s.Name, s.Source); err != nil {
		p.seed = seed
		return err
	}
	var err error
	typed := 0
	p.maxEvents = MaxSessionEvents
	defer func() { p.maxEvents = 0 }()
	for i, in := range s.Inputs {
		if err = p.apply(in, lines, &typed); err != nil {
			err = fmt.Errorf("session: input %d: %w", i+1, err)
			break
		}
		p.checkpointHead()
	}
	p.after()
	p.console.add(LineInfo, fmt.Sprintf("# session: %d inputs played, %d events", len(s.Inputs), p.events))
	return err
}

// errTooLong stops a session's run past MaxSessionEvents.
var errTooLong = fmt.Errorf("the session makes more than %d events: it stops here", MaxSessionEvents)

// apply does one input of a session at the head.
func (p *Player) apply(in Input, lines []script.Line, typed *int) error {
	switch in.Kind {
	case InputOpen:
		if l, ok := p.r.AtGate(); ok {
			switch l.Cmd.(type) {
			case script.CallCmd, script.RunCmd, script.StepCmd:
				p.started = true
			}
		}
		// Each line gets its time on screen when the session is
		// played on again from its start.
		p.paced += LineTime
		p.open()
	case InputAdvance:
		if p.advance(in.Limit) {
			return errTooLong
		}
	case InputStep:
		for range in.N {
			if p.events > MaxSessionEvents {
				return errTooLong
			}
			p.stepOne()
		}
	case InputArrive:
		_ = p.arrive(in.Host, in.Far, in.Data) // refused (no such road) as it was when recorded
	case InputLine:
		l := lines[*typed]
		*typed++
		p.lines++
		l.No = p.lines
		p.interject(l)
	default:
		return fmt.Errorf("no such kind of input (%d)", in.Kind)
	}
	if p.events > MaxSessionEvents {
		return errTooLong
	}
	return nil
}
