package script

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"socketville/shared/sock"
)

// MaxSize is the largest size=N a send may ask for (64 MiB).
const MaxSize = 64 << 20

// LineError is an error tied to a line of a scenario.
type LineError struct {
	Line int
	Err  error
}

// Error reads "line 7: bind: EADDRINUSE: address already in use".
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// Script is a parsed scenario.
type Script struct {
	Name  string
	Lines []Line
}

// Line is one command of a scenario with its line number and text.
type Line struct {
	No   int
	Text string
	Cmd  Command
}

// Command is one of HostCmd, SwitchCmd, LinkCmd, RouteCmd, ProcessCmd,
// PeerCmd, ArpCmd, SeedCmd, RunCmd, StepCmd, HelpCmd or CallCmd.
type Command interface{ command() }

// HostCmd is "host NAME ADDR/PREFIX [ADDR/PREFIX...] [forward]".
type HostCmd struct {
	Name    string
	Addrs   []netip.Prefix
	Forward bool
}

// SwitchCmd is "switch NAME [PORTS]": a learning switch with PORTS ports
// (DefaultSwitchPorts unless told).
type SwitchCmd struct {
	Name  string
	Ports int
}

// ArpCmd is "arp HOST": print HOST's neighbour (ARP) cache.
type ArpCmd struct{ Host string }

// The ports a switch line may ask for: DefaultSwitchPorts unless told, from
// MinSwitchPorts to MaxSwitchPorts.
const (
	DefaultSwitchPorts = 8
	MinSwitchPorts     = 2
	MaxSwitchPorts     = 64
)

// LinkCmd is "link A B [delay=..] [rate=..] [loss=..] [dup=..] [reorder=..]
// [corrupt=..] [mtu=..] [queue=..]". On a link that exists it changes only the
// properties given.
type LinkCmd struct {
	A, B  string
	Props []LinkProp
}

// LinkProp is one key=value of a link line, already checked.
type LinkProp struct {
	Key   string
	apply func(*sock.LinkConfig)
}

// RouteCmd is "route HOST PREFIX|default via GATEWAY".
type RouteCmd struct {
	Host    string
	Dst     netip.Prefix
	Gateway netip.Addr
}

// ProcessCmd is "process HOST NAME [root]".
type ProcessCmd struct {
	Host, Name string
	Root       bool
}

// PeerCmd is "peer HOST FAR ADDR", a road from HOST to FAR, a host of a
// peer's town at ADDR, over a data channel; or "peer HOST FAR gone", the
// road taken away because FAR's peer left. A shared town types them as
// peers come and go, so its trace replays.
type PeerCmd struct {
	Host, Far string
	Addr      netip.Addr // invalid for gone
	Gone      bool
}

// SeedCmd is "seed N".
type SeedCmd struct{ Seed uint64 }

// RunCmd is "run DURATION": let virtual time pass.
type RunCmd struct{ D time.Duration }

// StepCmd is "step [N]": run the next N happenings of the town.
type StepCmd struct{ N int }

// CallCmd is "HOST/PROC: CALL ARGS [&] [=> RESULT]", a system call made by a process.
type CallCmd struct {
	Host, Proc string
	Call       Call
	Background bool
	Expect     string
	HasExpect  bool
}

func (HostCmd) command()    {}
func (SwitchCmd) command()  {}
func (ArpCmd) command()     {}
func (LinkCmd) command()    {}
func (RouteCmd) command()   {}
func (ProcessCmd) command() {}
func (SeedCmd) command()    {}
func (PeerCmd) command()    {}
func (RunCmd) command()     {}
func (StepCmd) command()    {}
func (CallCmd) command()    {}

// Call is a system call and its arguments; only the fields its Op uses are set.
type Call struct {
	Op       string // socket, bind, listen, connect, accept, send, recv, sendto, recvfrom, ...
	Text     string // the call as written, without the HOST/PROC: prefix
	FD       int
	FDs      []int
	Type     sock.SockType
	Addr     netip.AddrPort
	Data     []byte // the quoted text to send
	Size     int    // size=N: send N bytes of Pattern, made when the call runs
	N        int
	All      bool
	Opt      sock.SockOpt
	Value    int
	How      sock.ShutdownHow
	Events   sock.PollEvents
	Timeout  time.Duration
	Infinite bool       // poll without a timeout
	Count    int        // ping's requests, traceroute's most hops
	PingAddr netip.Addr // whom ping or traceroute asks
	DF       bool       // ping's df: IP_MTU_DISCOVER do (ping -M do)
}

// Parse reads a whole scenario. It returns every syntax error, each a
// *LineError, joined; a script with errors runs no line.
func Parse(name string, r io.Reader) (*Script, error) {
	s := &Script{Name: name}
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	no := 0
	for sc.Scan() {
		no++
		cmd, err := ParseLine(sc.Text())
		if err != nil {
			errs = append(errs, &LineError{Line: no, Err: err})
			continue
		}
		if cmd != nil {
			s.Lines = append(s.Lines, Line{No: no, Text: strings.TrimSpace(sc.Text()), Cmd: cmd})
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &LineError{Line: no + 1, Err: fmt.Errorf("reading %s: %w", name, err)})
	}
	return s, errors.Join(errs...)
}

// ParseLine reads one line; a blank or comment line gives a nil Command.
func ParseLine(line string) (Command, error) {
	toks, expect, hasExpect, err := lexLine(line)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		if hasExpect {
			return nil, errors.New("\"=>\" needs a call before it")
		}
		return nil, nil
	}
	head := toks[0]
	if head.quoted {
		return nil, fmt.Errorf("a line cannot start with a string (%q)", head.text)
	}
	if !head.quoted && strings.HasSuffix(head.text, ":") && strings.Contains(head.text, "/") {
		return parseCall(toks, expect, hasExpect)
	}
	if hasExpect {
		return nil, fmt.Errorf("\"=>\" states the result of a call; %q is not a call", head.text)
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		if t.quoted {
			return nil, fmt.Errorf("%s: unexpected string %q", head.text, t.text)
		}
		words[i] = t.text
	}
	switch words[0] {
	case "host":
		return parseHost(words)
	case "switch":
		return parseSwitch(words)
	case "arp":
		if len(words) != 2 {
			return nil, errors.New("arp: want arp HOST")
		}
		return ArpCmd{Host: words[1]}, nil
	case "link":
		return parseLink(words)
	case "route":
		return parseRoute(words)
	case "process":
		return parseProcess(words)
	case "peer":
		return parsePeer(words)
	case "help":
		return parseHelp(words)
	case "seed":
		if len(words) != 2 {
			return nil, errors.New("seed: want seed N")
		}
		n, err := strconv.ParseUint(words[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seed %q: want a whole number", words[1])
		}
		return SeedCmd{Seed: n}, nil
	case "run":
		if len(words) != 2 {
			return nil, errors.New("run: want run DURATION, like run 100ms")
		}
		d, err := parseDuration(words[1])
		if err != nil {
			return nil, fmt.Errorf("run: %w", err)
		}
		return RunCmd{D: d}, nil
	case "step":
		if len(words) > 2 {
			return nil, errors.New("step: want step [N]")
		}
		n := 1
		if len(words) == 2 {
			if n, err = parseCount("step", words[1], 1<<30); err != nil {
				return nil, err
			}
		}
		return StepCmd{N: n}, nil
	}
	return nil, unknownCommand(words[0])
}

// unknownCommand says that a line starts with no word the shell knows, and
// what was probably meant: a world line one typo away, a call missing its
// HOST/PROC: prefix, or a HOST/PROC missing its colon.
func unknownCommand(word string) error {
	if hint := didYouMean(word, worldNames()); hint != "" {
		return fmt.Errorf("unknown command %q; %s", word, hint)
	}
	if host, proc, ok := strings.Cut(word, "/"); ok && host != "" && proc != "" {
		return fmt.Errorf("unknown command %q; did you mean %s: (a call starts with HOST/PROC: and its colon)?", word, word)
	}
	if _, ok := callDoc(word); ok {
		return fmt.Errorf("unknown command %q: %s is a call, made by a process: write HOST/PROC: %s ...", word, word, word)
	}
	return fmt.Errorf("unknown command %q (want %s, or HOST/PROC: CALL)", word, strings.Join(worldNames(), ", "))
}

func parseHost(w []string) (Command, error) {
	if len(w) < 3 {
		return nil, errors.New("host: want host NAME ADDR/PREFIX [ADDR/PREFIX...] [forward]")
	}
	c := HostCmd{Name: w[1]}
	for _, a := range w[2:] {
		if a == "forward" {
			c.Forward = true
			continue
		}
		p, err := parsePrefix(a)
		if err != nil {
			if hint := didYouMean(a, []string{"forward"}); hint != "" {
				return nil, fmt.Errorf("host %s: %q is neither an address nor a flag; %s", w[1], a, hint)
			}
			return nil, fmt.Errorf("host %s: %w", w[1], err)
		}
		c.Addrs = append(c.Addrs, p)
	}
	if len(c.Addrs) == 0 {
		return nil, fmt.Errorf("host %s: needs an address like 10.0.0.1/24", w[1])
	}
	return c, nil
}

func parsePeer(w []string) (Command, error) {
	if len(w) != 4 {
		return nil, errors.New("peer: want peer HOST FAR ADDR (a road to a peer's host) or peer HOST FAR gone")
	}
	c := PeerCmd{Host: w[1], Far: w[2]}
	if w[3] == "gone" {
		c.Gone = true
		return c, nil
	}
	a, err := netip.ParseAddr(w[3])
	if err != nil || !a.Is4() {
		return nil, fmt.Errorf("peer %s %s: %q: want the far host's IPv4 address, like 10.99.0.2, or gone", w[1], w[2], w[3])
	}
	c.Addr = a
	return c, nil
}

func parseSwitch(w []string) (Command, error) {
	if len(w) < 2 || len(w) > 3 {
		return nil, fmt.Errorf("switch: want switch NAME [PORTS], like switch sw or switch sw 16")
	}
	c := SwitchCmd{Name: w[1], Ports: DefaultSwitchPorts}
	if len(w) == 3 {
		n, err := strconv.Atoi(w[2])
		if err != nil || n < MinSwitchPorts || n > MaxSwitchPorts {
			return nil, fmt.Errorf("switch %s: ports %q: want a number from %d to %d", w[1], w[2], MinSwitchPorts, MaxSwitchPorts)
		}
		c.Ports = n
	}
	return c, nil
}

func parseLink(w []string) (Command, error) {
	if len(w) < 3 {
		return nil, errors.New("link: want link A B [delay=2ms] [rate=10Mbit] [loss=1%] [dup=..] [reorder=..] [corrupt=..] [mtu=1500] [queue=1000]")
	}
	c := LinkCmd{A: w[1], B: w[2]}
	for _, kv := range w[3:] {
		p, err := parseLinkProp(kv)
		if err != nil {
			return nil, fmt.Errorf("link %s %s: %w", w[1], w[2], err)
		}
		c.Props = append(c.Props, p)
	}
	return c, nil
}

// linkProps are the properties a link line sets.
var linkProps = []string{"delay", "rate", "loss", "dup", "reorder", "corrupt", "mtu", "queue"}

func parseLinkProp(kv string) (LinkProp, error) {
	key, val, ok := strings.Cut(kv, "=")
	if !ok {
		if hint := didYouMean(kv, linkProps); hint != "" {
			return LinkProp{}, fmt.Errorf("%q: properties are written key=value, like delay=5ms; %s", kv, hint)
		}
		return LinkProp{}, fmt.Errorf("%q: properties are written key=value, like delay=5ms", kv)
	}
	prob := func(set func(*sock.LinkConfig, float64)) (LinkProp, error) {
		p, err := parseProbability(val)
		if err != nil {
			return LinkProp{}, fmt.Errorf("%s: %w", key, err)
		}
		return LinkProp{Key: key, apply: func(c *sock.LinkConfig) { set(c, p) }}, nil
	}
	switch key {
	case "delay":
		d, err := parseDuration(val)
		if err != nil {
			return LinkProp{}, fmt.Errorf("delay: %w", err)
		}
		return LinkProp{Key: key, apply: func(c *sock.LinkConfig) { c.Delay = d }}, nil
	case "rate":
		r, err := parseRate(val)
		if err != nil {
			return LinkProp{}, err
		}
		return LinkProp{Key: key, apply: func(c *sock.LinkConfig) { c.Rate = r }}, nil
	case "mtu":
		n, err := parseCount("mtu", val, 65535)
		if err != nil {
			return LinkProp{}, err
		}
		return LinkProp{Key: key, apply: func(c *sock.LinkConfig) { c.MTU = n }}, nil
	case "queue":
		n, err := parseCount("queue", val, 1<<20)
		if err != nil {
			return LinkProp{}, err
		}
		return LinkProp{Key: key, apply: func(c *sock.LinkConfig) { c.Queue = n }}, nil
	case "loss":
		return prob(func(c *sock.LinkConfig, p float64) { c.Loss = p })
	case "dup":
		return prob(func(c *sock.LinkConfig, p float64) { c.Dup = p })
	case "reorder":
		return prob(func(c *sock.LinkConfig, p float64) { c.Reorder = p })
	case "corrupt":
		return prob(func(c *sock.LinkConfig, p float64) { c.Corrupt = p })
	}
	if hint := didYouMean(key, linkProps); hint != "" {
		return LinkProp{}, fmt.Errorf("unknown property %q; %s", key, hint)
	}
	return LinkProp{}, fmt.Errorf("unknown property %q (want delay, rate, loss, dup, reorder, corrupt, mtu or queue)", key)
}

func parseRoute(w []string) (Command, error) {
	if len(w) == 5 && w[3] != "via" {
		if hint := didYouMean(w[3], []string{"via"}); hint != "" {
			return nil, fmt.Errorf("route: %q: %s", w[3], hint)
		}
	}
	if len(w) != 5 || w[3] != "via" {
		return nil, errors.New("route: want route HOST PREFIX|default via GATEWAY")
	}
	c := RouteCmd{Host: w[1]}
	if w[2] != "default" && didYouMean(w[2], []string{"default"}) != "" {
		return nil, fmt.Errorf("route: %q: did you mean default?", w[2])
	}
	if w[2] == "default" {
		c.Dst = netip.MustParsePrefix("0.0.0.0/0")
	} else {
		p, err := parsePrefix(w[2])
		if err != nil {
			return nil, fmt.Errorf("route: %w", err)
		}
		c.Dst = p.Masked()
	}
	gw, err := parseAddr(w[4])
	if err != nil {
		return nil, fmt.Errorf("route: gateway %w", err)
	}
	c.Gateway = gw
	return c, nil
}

func parseProcess(w []string) (Command, error) {
	if len(w) == 4 && w[3] != "root" {
		if hint := didYouMean(w[3], []string{"root"}); hint != "" {
			return nil, fmt.Errorf("process %s %s: %q: %s", w[1], w[2], w[3], hint)
		}
	}
	if len(w) < 3 || len(w) > 4 || (len(w) == 4 && w[3] != "root") {
		return nil, errors.New("process: want process HOST NAME [root]")
	}
	return ProcessCmd{Host: w[1], Name: w[2], Root: len(w) == 4}, nil
}
