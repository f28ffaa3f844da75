package script

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"socketville/shared/sock"
)

func parseCall(toks []token, expect string, hasExpect bool) (Command, error) {
	who := strings.TrimSuffix(toks[0].text, ":")
	host, proc, _ := strings.Cut(who, "/")
	if host == "" || proc == "" || strings.Contains(proc, "/") {
		return nil, fmt.Errorf("%q: a call starts with HOST/PROC:, like b/echo:", toks[0].text)
	}
	if hasExpect && looksLikeErrno(expect) && sock.ErrnoByName(expect) == nil {
		var names []string
		for _, e := range sock.Errnos() {
			names = append(names, e.Name())
		}
		if hint := didYouMean(expect, names); hint != "" {
			return nil, fmt.Errorf("=> %s: no such errno; %s", expect, hint)
		}
		return nil, fmt.Errorf("=> %s: no such errno (want one like EADDRINUSE, ECONNREFUSED or EAGAIN)", expect)
	}
	c := CallCmd{Host: host, Proc: proc, Expect: expect, HasExpect: hasExpect}
	args := toks[1:]
	if n := len(args); n > 0 && !args[n-1].quoted && args[n-1].text == "&" {
		c.Background = true
		args = args[:n-1]
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("%s/%s: which call? (%s)", host, proc, strings.Join(CallNames(), ", "))
	}
	if args[0].quoted {
		return nil, fmt.Errorf("%s/%s: a call name cannot be a string", host, proc)
	}
	call, err := parseCallArgs(args)
	if err != nil {
		return nil, err
	}
	c.Call = call
	if i, _ := callRowOf(call.Op); c.Background && callTable[i].program != nil {
		return nil, fmt.Errorf("%s: cannot run in the background", call.Op)
	}
	return c, nil
}

func callText(args []token) string {
	parts := make([]string, len(args))
	for i, t := range args {
		if t.quoted {
			parts[i] = strconv.Quote(t.text)
		} else {
			parts[i] = t.text
		}
	}
	return strings.Join(parts, " ")
}

// errUsage is what a row's parse returns when the number of arguments is
// wrong: the call's error then quotes its usage.
var errUsage = errors.New("want the call's usage")

func parseCallArgs(args []token) (Call, error) {
	op := args[0].text
	i, known := callRowOf(op)
	if !known {
		if hint := didYouMean(op, CallNames()); hint != "" {
			return Call{}, fmt.Errorf("unknown call %q; %s", op, hint)
		}
		return Call{}, fmt.Errorf("unknown call %q (want %s)", op, strings.Join(CallNames(), ", "))
	}
	row := &callTable[i]
	c := Call{Op: op, Text: callText(args)}
	a := args[1:]
	for i, t := range a {
		if t.quoted && i+1 != row.textArg {
			return Call{}, fmt.Errorf("%s: unexpected string %q; want %s", op, t.text, row.usage)
		}
	}
	if err := row.parse(&c, a); err != nil {
		if errors.Is(err, errUsage) {
			return Call{}, fmt.Errorf("%s: want %s", op, row.usage)
		}
		return Call{}, fmt.Errorf("%s: %w", op, err)
	}
	return c, nil
}

// nArgs checks that a call has from min to max arguments.
func nArgs(a []token, min, max int) error {
	if len(a) < min || len(a) > max {
		return errUsage
	}
	return nil
}

// parseSocketArgs reads socket's tcp|udp|icmp.
func parseSocketArgs(c *Call, a []token) error {
	if err := nArgs(a, 1, 1); err != nil {
		return err
	}
	var err error
	if c.Type, err = sock.ParseSockType(a[0].text); err != nil {
		return withHint(err, a[0].text, []string{"tcp", "udp", "icmp"})
	}
	return nil
}

// parseFDArg reads a lone FD (accept, close).
func parseFDArg(c *Call, a []token) error {
	if err := nArgs(a, 1, 1); err != nil {
		return err
	}
	var err error
	c.FD, err = parseFD(a[0].text)
	return err
}

// parseFDAddrArgs reads FD ADDR:PORT (bind, connect).
func parseFDAddrArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	c.Addr, err = parseAddrPort(a[1].text)
	return err
}

// parseListenArgs reads listen's FD BACKLOG.
func parseListenArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	c.N, err = parseCount("backlog", a[1].text, 65535)
	return err
}

// parseSendArgs reads send's FD "text"|size=N.
func parseSendArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	c.Data, c.Size, err = parsePayload(a[1])
	return err
}

// parseSendToArgs reads sendto's FD ADDR:PORT "text"|size=N.
func parseSendToArgs(c *Call, a []token) error {
	if err := nArgs(a, 3, 3); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	if c.Addr, err = parseAddrPort(a[1].text); err != nil {
		return err
	}
	c.Data, c.Size, err = parsePayload(a[2])
	return err
}

// parseRecvArgs reads recv's FD N|all and recvfrom's FD N.
func parseRecvArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	if c.Op == "recv" && a[1].text == "all" {
		c.All = true
		return nil
	}
	if c.N, err = parseCount("length", a[1].text, MaxSize); err != nil && c.Op == "recv" {
		return withHint(err, a[1].text, []string{"all"})
	}
	return err
}

// parseSetsockoptArgs reads setsockopt's FD NAME VALUE.
func parseSetsockoptArgs(c *Call, a []token) error {
	if err := nArgs(a, 3, 3); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	if c.Opt, err = parseSockOpt(a[1].text); err != nil {
		return err
	}
	c.Value, err = parseOptValue(c.Opt, a[2].text)
	return err
}

// parseGetsockoptArgs reads getsockopt's FD NAME.
func parseGetsockoptArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	c.Opt, err = parseSockOpt(a[1].text)
	return err
}

// parseShutdownArgs reads shutdown's FD rd|wr|rdwr.
func parseShutdownArgs(c *Call, a []token) error {
	if err := nArgs(a, 2, 2); err != nil {
		return err
	}
	var err error
	if c.FD, err = parseFD(a[0].text); err != nil {
		return err
	}
	c.How, err = parseHow(a[1].text)
	return err
}

// parseNonblockArgs reads nonblock's FD [on|off].
func parseNonblockArgs(c *Call, a []token) error {
	if err := nArgs(a, 1, 2); err != nil {
		return err
	}
	c.Value = 1
	var err error
	if c.FD, err = parseFD(a[0].text); err == nil && len(a) == 2 {
		c.Value, err = parseOnOff(a[1].text)
	}
	return err
}

// parseTracerouteArgs reads traceroute's ADDR [MAXHOPS].
func parseTracerouteArgs(c *Call, a []token) error {
	if err := nArgs(a, 1, 2); err != nil {
		return err
	}
	c.Count = TracerouteHops
	var err error
	if c.PingAddr, err = parseAddr(a[0].text); err == nil && len(a) == 2 {
		if c.Count, err = parseCount("max hops", a[1].text, 255); err == nil && c.Count == 0 {
			err = fmt.Errorf("max hops %q: want a whole number from 1 to 255", a[1].text)
		}
	}
	return err
}

// parsePing reads ping's ADDR [COUNT] [size=N] [df], the three after the
// address in any order.
func parsePing(c *Call, a []token) error {
	if err := nArgs(a, 1, 4); err != nil {
		return err
	}
	var err error
	if c.PingAddr, err = parseAddr(a[0].text); err != nil {
		return err
	}
	c.Count, c.Size = 1, PingSize
	seen := map[string]bool{}
	for _, t := range a[1:] {
		key := t.text
		switch n, isSize := strings.CutPrefix(t.text, "size="); {
		case isSize:
			key = "size"
			if c.Size, err = parseCount("size", n, maxProbeDatagram); err != nil {
				return err
			}
		case t.text == "df":
			c.DF = true
		case t.text != "" && t.text[0] >= '0' && t.text[0] <= '9':
			key = "count"
			if c.Count, err = parseCount("count", t.text, 1000); err != nil {
				return err
			}
			if c.Count == 0 {
				return fmt.Errorf("count %q: want a whole number from 1 to 1000", t.text)
			}
		default:
			if k, _, ok := strings.Cut(t.text, "="); ok {
				if hint := didYouMean(k, []string{"size"}); hint != "" {
					return fmt.Errorf("%q: %s", t.text, hint)
				}
			}
			return withHint(fmt.Errorf("%q: want a count, size=N or df (%s)", t.text, pingUsage), t.text, []string{"df"})
		}
		if seen[key] {
			return fmt.Errorf("%q: %s is given twice", t.text, key)
		}
		seen[key] = true
	}
	return nil
}

// parsePayload reads "text", or size=N (N deterministic bytes, made only
// when the call runs so that a scenario's size does not cost memory).
func parsePayload(t token) ([]byte, int, error) {
	if t.quoted {
		return []byte(t.text), 0, nil
	}
	if n, ok := strings.CutPrefix(t.text, "size="); ok {
		size, err := parseCount("size", n, MaxSize)
		return nil, size, err
	}
	if key, _, ok := strings.Cut(t.text, "="); ok && didYouMean(key, []string{"size"}) != "" {
		return nil, 0, fmt.Errorf("data %q: did you mean size=N?", t.text)
	}
	return nil, 0, fmt.Errorf("data %q: write \"text\" in quotes or size=N", t.text)
}

// withHint adds "did you mean ...?" to err when word is close to one of
// names, keeping err (and its errno) underneath.
func withHint(err error, word string, names []string) error {
	if hint := didYouMean(word, names); hint != "" {
		return fmt.Errorf("%w; %s", err, hint)
	}
	return err
}

// parseSockOpt reads an option's C name; a misspelt one gets ENOPROTOOPT,
// as setsockopt(2) would, and the name it is closest to.
func parseSockOpt(name string) (sock.SockOpt, error) {
	opt, err := sock.ParseSockOpt(name)
	if err != nil {
		return opt, withHint(err, name, sockOptNames())
	}
	return opt, nil
}

// payload is the data a send call carries.
func (c Call) payload() []byte {
	if c.Data == nil {
		return Pattern(c.Size)
	}
	return c.Data
}

func parseHow(s string) (sock.ShutdownHow, error) {
	switch s {
	case "rd":
		return sock.ShutRd, nil
	case "wr":
		return sock.ShutWr, nil
	case "rdwr":
		return sock.ShutRdWr, nil
	}
	return 0, withHint(fmt.Errorf("%q: want rd, wr or rdwr", s), s, []string{"rd", "wr", "rdwr"})
}

func parseOnOff(s string) (int, error) {
	switch strings.ToLower(s) {
	case "1", "on", "true", "yes":
		return 1, nil
	case "0", "off", "false", "no":
		return 0, nil
	}
	return 0, withHint(fmt.Errorf("%q: want on or off", s), s, []string{"on", "off"})
}

// parseOptValue reads an option's value: on/off, a number, for
// SO_RCVTIMEO a duration (stored in milliseconds), for IP_MTU_DISCOVER
// dont, want, do or probe.
func parseOptValue(opt sock.SockOpt, s string) (int, error) {
	if opt == sock.OptMTUDiscover {
		// The names of <linux/in.h>'s IP_PMTUDISC_*, as ping -M takes them.
		for i, name := range []string{"dont", "want", "do", "probe"} {
			if strings.EqualFold(s, name) {
				return i, nil
			}
		}
	}
	if opt == sock.OptRcvTimeo {
		d, err := parseDuration(s)
		if err != nil {
			return 0, err
		}
		return int(d.Milliseconds()), nil
	}
	if v, err := parseOnOff(s); err == nil {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("value %q: want a number or on/off", s)
	}
	return n, nil
}

func parsePoll(c *Call, a []token) error {
	if err := nArgs(a, 1, 3); err != nil {
		return err
	}
	for _, f := range strings.Split(a[0].text, ",") {
		fd, err := parseFD(f)
		if err != nil {
			return err
		}
		c.FDs = append(c.FDs, fd)
	}
	c.Events = sock.PollIn
	c.Infinite = true
	for _, t := range a[1:] {
		switch t.text {
		case "in":
			c.Events = sock.PollIn
		case "out":
			c.Events = sock.PollOut
		case "inout":
			c.Events = sock.PollIn | sock.PollOut
		case "-1":
			c.Infinite = true
		default:
			d, err := parseDuration(t.text)
			if err != nil {
				return withHint(fmt.Errorf("%q: want in, out, inout or a timeout like 500ms", t.text), t.text, []string{"in", "out", "inout"})
			}
			c.Timeout, c.Infinite = d, false
		}
	}
	return nil
}

// Pattern returns n deterministic, printable bytes: the data size=N sends.
// Both ends of a transfer can rebuild it to check what arrived.
func Pattern(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i+i/len(alphabet))%len(alphabet)]
	}
	return b
}

// looksLikeErrno reports whether an expectation is meant as an errno name:
// E followed by capital letters.
func looksLikeErrno(s string) bool {
	if len(s) < 2 || s[0] != 'E' {
		return false
	}
	for _, r := range s[1:] {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
