package script

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"socketville/shared/netsim"
)

// callUsage is each call's syntax, for error messages and help.
var callUsage = map[string]string{
	"socket":     "socket tcp|udp|icmp",
	"bind":       "bind FD ADDR:PORT",
	"listen":     "listen FD BACKLOG",
	"connect":    "connect FD ADDR:PORT",
	"accept":     "accept FD",
	"send":       `send FD "text"|size=N`,
	"recv":       "recv FD N|all",
	"sendto":     `sendto FD ADDR:PORT "text"|size=N`,
	"recvfrom":   "recvfrom FD N",
	"setsockopt": "setsockopt FD NAME VALUE",
	"getsockopt": "getsockopt FD NAME",
	"shutdown":   "shutdown FD rd|wr|rdwr",
	"close":      "close FD",
	"poll":       "poll FD[,FD...] [in|out|inout] [TIMEOUT]",
	"nonblock":   "nonblock FD [on|off]",
	"ping":       "ping ADDR [COUNT]",
}

// CallNames lists the calls the shell knows, in a stable order.
func CallNames() []string {
	return []string{"socket", "bind", "listen", "connect", "accept", "send", "recv", "sendto", "recvfrom",
		"setsockopt", "getsockopt", "shutdown", "close", "poll", "nonblock", "ping"}
}

func parseCall(toks []token, expect string, hasExpect bool) (Command, error) {
	who := strings.TrimSuffix(toks[0].text, ":")
	host, proc, _ := strings.Cut(who, "/")
	if host == "" || proc == "" || strings.Contains(proc, "/") {
		return nil, fmt.Errorf("%q: a call starts with HOST/PROC:, like b/echo:", toks[0].text)
	}
	if hasExpect && looksLikeErrno(expect) && netsim.ErrnoByName(expect) == nil {
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
	if c.Background && call.Op == "ping" {
		return nil, errors.New("ping: cannot run in the background")
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

func parseCallArgs(args []token) (Call, error) {
	op := args[0].text
	usage, known := callUsage[op]
	if !known {
		return Call{}, fmt.Errorf("unknown call %q (want %s)", op, strings.Join(CallNames(), ", "))
	}
	c := Call{Op: op, Text: callText(args)}
	a := args[1:]
	bad := func(err error) (Call, error) {
		if err == nil {
			return Call{}, fmt.Errorf("%s: want %s", op, usage)
		}
		return Call{}, fmt.Errorf("%s: %w", op, err)
	}
	for i, t := range a {
		if t.quoted && !(op == "send" && i == 1) && !(op == "sendto" && i == 2) {
			return bad(fmt.Errorf("unexpected string %q; want %s", t.text, usage))
		}
	}
	var err error
	switch op {
	case "socket":
		if len(a) != 1 {
			return bad(nil)
		}
		c.Type, err = netsim.ParseSockType(a[0].text)
	case "bind", "connect":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			c.Addr, err = parseAddrPort(a[1].text)
		}
	case "listen":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			c.N, err = parseCount("backlog", a[1].text, 65535)
		}
	case "accept", "close":
		if len(a) != 1 {
			return bad(nil)
		}
		c.FD, err = parseFD(a[0].text)
	case "send":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			c.Data, c.Size, err = parsePayload(a[1])
		}
	case "sendto":
		if len(a) != 3 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			if c.Addr, err = parseAddrPort(a[1].text); err == nil {
				c.Data, c.Size, err = parsePayload(a[2])
			}
		}
	case "recv", "recvfrom":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			if op == "recv" && a[1].text == "all" {
				c.All = true
			} else {
				c.N, err = parseCount("length", a[1].text, MaxSize)
			}
		}
	case "setsockopt":
		if len(a) != 3 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			if c.Opt, err = netsim.ParseSockOpt(a[1].text); err == nil {
				c.Value, err = parseOptValue(c.Opt, a[2].text)
			}
		}
	case "getsockopt":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			c.Opt, err = netsim.ParseSockOpt(a[1].text)
		}
	case "shutdown":
		if len(a) != 2 {
			return bad(nil)
		}
		if c.FD, err = parseFD(a[0].text); err == nil {
			c.How, err = parseHow(a[1].text)
		}
	case "poll":
		err = parsePoll(&c, a)
	case "nonblock":
		if len(a) < 1 || len(a) > 2 {
			return bad(nil)
		}
		c.Value = 1
		if c.FD, err = parseFD(a[0].text); err == nil && len(a) == 2 {
			c.Value, err = parseOnOff(a[1].text)
		}
	case "ping":
		if len(a) < 1 || len(a) > 2 {
			return bad(nil)
		}
		c.Count = 1
		if c.PingAddr, err = parseAddr(a[0].text); err == nil && len(a) == 2 {
			c.Count, err = parseCount("count", a[1].text, 1000)
		}
	}
	if err != nil {
		return bad(err)
	}
	return c, nil
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
	return nil, 0, fmt.Errorf("data %q: write \"text\" in quotes or size=N", t.text)
}

// payload is the data a send call carries.
func (c Call) payload() []byte {
	if c.Data == nil {
		return Pattern(c.Size)
	}
	return c.Data
}

func parseHow(s string) (netsim.ShutdownHow, error) {
	switch s {
	case "rd":
		return netsim.ShutRd, nil
	case "wr":
		return netsim.ShutWr, nil
	case "rdwr":
		return netsim.ShutRdWr, nil
	}
	return 0, fmt.Errorf("%q: want rd, wr or rdwr", s)
}

func parseOnOff(s string) (int, error) {
	switch strings.ToLower(s) {
	case "1", "on", "true", "yes":
		return 1, nil
	case "0", "off", "false", "no":
		return 0, nil
	}
	return 0, fmt.Errorf("%q: want on or off", s)
}

// parseOptValue reads an option's value: on/off, a number, or for
// SO_RCVTIMEO a duration (stored in milliseconds).
func parseOptValue(opt netsim.SockOpt, s string) (int, error) {
	if opt == netsim.OptRcvTimeo {
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
	if len(a) < 1 || len(a) > 3 {
		return errors.New("want " + callUsage["poll"])
	}
	for _, f := range strings.Split(a[0].text, ",") {
		fd, err := parseFD(f)
		if err != nil {
			return err
		}
		c.FDs = append(c.FDs, fd)
	}
	c.Events = netsim.PollIn
	c.Infinite = true
	for _, t := range a[1:] {
		switch t.text {
		case "in":
			c.Events = netsim.PollIn
		case "out":
			c.Events = netsim.PollOut
		case "inout":
			c.Events = netsim.PollIn | netsim.PollOut
		case "-1":
			c.Infinite = true
		default:
			d, err := parseDuration(t.text)
			if err != nil {
				return fmt.Errorf("%q: want in, out, inout or a timeout like 500ms", t.text)
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
