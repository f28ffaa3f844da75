package lessons

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"socketville/shared/sock"
)

// Term is one check of the goal vocabulary, as a teacher writes it in a
// goal line.
type Term struct {
	Name  string // "listening"
	Usage string // "listening HOST PORT"
	Doc   string // what it checks, in a sentence
}

// term is a Term and how a goal line becomes a Check.
type term struct {
	Term
	npos int      // how many positional words it takes
	keys []string // the key=value words it takes
	// build reads the words and gives the check's name, its watcher and the
	// hosts and switches it names.
	build func(a args) (built, error)
}

// built is what a term makes of its words.
type built struct {
	name     string
	watch    func() watcher
	hosts    []string
	switches []string
}

// terms is the vocabulary, one row a check. HOST may be HOST/PROCESS
// wherever a check looks at sockets or calls, to narrow it to one process.
func terms() []term {
	return []term{
		{Term: Term{"listening", "listening HOST PORT", "a TCP socket on HOST is in LISTEN on PORT (snapshot)"},
			npos: 2, build: func(a args) (built, error) {
				at, port, err := placePort(a)
				return built{name: fmt.Sprintf("a socket on %v is listening on port %d", at, port),
					watch: snap(listening(at, port)), hosts: []string{at.host}}, err
			}},
		{Term: Term{"bound", "bound HOST tcp|udp PORT", "a socket of that protocol on HOST has PORT as its local port (snapshot)"},
			npos: 3, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				typ, err := sock.ParseSockType(a.pos[1])
				if err != nil || typ == sock.SockICMP {
					return built{}, fmt.Errorf("%q: want tcp or udp", a.pos[1])
				}
				port, err := a.port(2)
				return built{name: fmt.Sprintf("a %s socket on %v is bound to port %d", upper(typ), at, port),
					watch: snap(bound(at, typ, port)), hosts: []string{at.host}}, err
			}},
		{Term: Term{"connected", "connected HOST PORT [peers=N]", "HOST has N (1 unless told) ESTABLISHED TCP sockets on local PORT, each with a different peer (snapshot)"},
			npos: 2, keys: []string{"peers"}, build: func(a args) (built, error) {
				at, port, err := placePort(a)
				if err != nil {
					return built{}, err
				}
				peers, err := a.count("peers", 1)
				name := fmt.Sprintf("%v has a connected socket on port %d", at, port)
				if peers > 1 {
					name = fmt.Sprintf("%v has %d connected sockets on port %d with different peers", at, peers, port)
				}
				return built{name: name, watch: snap(connected(at, port, peers)), hosts: []string{at.host}}, err
			}},
		{Term: Term{"accepted", "accepted HOST PORT [clients=N]", "HOST's listening socket on PORT handed out a new socket for N (1 unless told) different clients (events)"},
			npos: 2, keys: []string{"clients"}, build: func(a args) (built, error) {
				at, port, err := placePort(a)
				if err != nil {
					return built{}, err
				}
				n, err := a.count("clients", 1)
				name := fmt.Sprintf("a listening socket on %v port %d handed out a new socket for a client", at, port)
				if n > 1 {
					name = fmt.Sprintf("a listening socket on %v port %d handed out a new socket for each of %d clients, each its own peer address and port", at, port, n)
				}
				return built{name: name, watch: func() watcher { return &acceptedW{at: at, port: port, clients: n} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"connects", "connects HOST ADDR:PORT", "a TCP socket on HOST connected to ADDR:PORT: its handshake finished, ESTABLISHED (events)"},
			npos: 2, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				to, err := parseAddrPort(a.pos[1])
				return built{name: fmt.Sprintf("a socket on %v connected to %v", at, to),
					watch: func() watcher { return &connectsW{at: at, to: to} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"sent", "sent HOST tcp|udp|icmp|arp", "a packet of that protocol went down HOST's layers and out onto a link (events)"},
			npos: 2, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				proto, err := parseProto(a.pos[1], "tcp", "udp", "icmp", "arp")
				return built{name: fmt.Sprintf("%s went down through %v's layers onto the link", aThing(proto), at),
					watch: func() watcher { return &sentW{at: at, proto: proto} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"delivered", "delivered HOST tcp|udp [port=N]", "a packet of that protocol came up HOST's layers to a socket (on port N, if given) (events)"},
			npos: 2, keys: []string{"port"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				proto, err := parseProto(a.pos[1], "tcp", "udp")
				if err != nil {
					return built{}, err
				}
				port, err := a.optPort("port")
				name := fmt.Sprintf("%s came up through %v's layers to a socket", aThing(proto), at)
				if port != 0 {
					name = fmt.Sprintf("%s came up through %v's layers to its socket on port %d", aThing(proto), at, port)
				}
				return built{name: name, watch: func() watcher { return &deliveredW{at: at, proto: proto, port: port} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"data", "data HOST read|write [bytes=N]", "processes on HOST read (or wrote) N bytes (1 unless told) through their sockets (events)"},
			npos: 2, keys: []string{"bytes"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				op := a.pos[1]
				if op != "read" && op != "write" {
					return built{}, fmt.Errorf("%q: want read or write", op)
				}
				n, err := a.count("bytes", 1)
				verb := map[string]string{"read": "read", "write": "wrote"}[op]
				name := fmt.Sprintf("%v %s a message through a socket", at, verb)
				if n > 1 {
					name = fmt.Sprintf("%v %s %d bytes through its sockets", at, verb, n)
				}
				return built{name: name, watch: func() watcher { return &dataW{at: at, op: op, bytes: n} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"polled", "polled HOST [readable=N] [among=M]", "polls on HOST told it N (1 unless told) different fds were readable, one of them a poll that watched M fds or more (events)"},
			npos: 1, keys: []string{"readable", "among"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				n, err := a.count("readable", 1)
				if err != nil {
					return built{}, err
				}
				among, err := a.count("among", 1)
				name := fmt.Sprintf("%v polled and was told which socket is readable", at)
				if n > 1 {
					name = fmt.Sprintf("%v polled and was told of %d different readable sockets", at, n)
				}
				if among > 1 {
					name += fmt.Sprintf(", watching %d or more at once", among)
				}
				return built{name: name, watch: func() watcher { return &polledW{at: at, readable: n, among: among} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"went", "went HOST FROM TO [port=N]", "a TCP connection on HOST changed from state FROM to state TO, as RFC 9293 spells them (events)"},
			npos: 3, keys: []string{"port"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				from, err := tcpState(a.pos[1])
				if err != nil {
					return built{}, err
				}
				to, err := tcpState(a.pos[2])
				if err != nil {
					return built{}, err
				}
				port, err := a.optPort("port")
				name := fmt.Sprintf("a connection on %v went from %v to %v", at, from, to)
				if port != 0 {
					name = fmt.Sprintf("a connection on %v port %d went from %v to %v", at, port, from, to)
				}
				return built{name: name, watch: func() watcher { return &wentW{at: at, from: from, to: to, port: port} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"reached", "reached HOST STATE [port=N]", "a TCP connection on HOST entered STATE, from whichever state (events): a kernel that samples its states may skip a short one"},
			npos: 2, keys: []string{"port"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				to, err := tcpState(a.pos[1])
				if err != nil {
					return built{}, err
				}
				port, err := a.optPort("port")
				name := fmt.Sprintf("a connection on %v reached %v", at, to)
				if port != 0 {
					name = fmt.Sprintf("a connection on %v port %d reached %v", at, port, to)
				}
				return built{name: name, watch: func() watcher { return &wentW{at: at, anyFrom: true, to: to, port: port} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"arp", "arp HOST ADDR", "HOST's ARP cache knows ADDR's MAC address (snapshot)"},
			npos: 2, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				if at.proc != "" {
					return built{}, fmt.Errorf("%q: an ARP cache belongs to a host, not a process", a.pos[0])
				}
				addr, err := netip.ParseAddr(a.pos[1])
				if err != nil || !addr.Is4() {
					return built{}, fmt.Errorf("%q is not an IPv4 address", a.pos[1])
				}
				return built{name: fmt.Sprintf("host %s has an ARP entry for %v", at.host, addr),
					watch: snap(arpEntry(at, addr)), hosts: []string{at.host}}, nil
			}},
		{Term: Term{"learned", "learned SWITCH [macs=N]", "the switch's MAC table holds N addresses (1 unless told) (snapshot)"},
			npos: 1, keys: []string{"macs"}, build: func(a args) (built, error) {
				name := a.pos[0]
				n, err := a.count("macs", 1)
				return built{name: fmt.Sprintf("switch %s has learned which port %s behind", name, plural(n, "MAC address is", "MAC addresses are")),
					watch: snap(learned(name, n)), switches: []string{name}}, err
			}},
		{Term: Term{"forwarded", "forwarded HOST", "HOST, a router, passed a packet on from one network to another (events)"},
			npos: 1, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				return built{name: fmt.Sprintf("router %s passed a packet on", at.host),
					watch: func() watcher { return &forwardedW{at: at} }, hosts: []string{at.host}}, err
			}},
		{Term: Term{"failed", "failed HOST ERRNO [call=NAME]", "a call on HOST (the named one, if given) failed with ERRNO, such as EACCES (events)"},
			npos: 2, keys: []string{"call"}, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				e := sock.ErrnoByName(strings.ToUpper(a.pos[1]))
				if e == nil {
					return built{}, fmt.Errorf("%q is not an errno the kernels give (such as EACCES, EADDRINUSE, ECONNREFUSED)", a.pos[1])
				}
				op := a.kv["call"]
				call := "a call"
				if op != "" {
					call = op
				}
				return built{name: fmt.Sprintf("%s on %v failed with %s (%s)", call, at, e.Name(), e.Text()),
					watch: func() watcher { return &failedW{at: at, errno: e, op: op} }, hosts: []string{at.host}}, nil
			}},
		{Term: Term{"option", "option HOST NAME VALUE", "a socket on HOST has option NAME (SO_RCVBUF, TCP_NODELAY, ...) at VALUE, as getsockopt reads it (snapshot)"},
			npos: 3, build: func(a args) (built, error) {
				at, err := parsePlace(a.pos[0])
				if err != nil {
					return built{}, err
				}
				opt, err := sock.ParseSockOpt(a.pos[1])
				if err != nil {
					return built{}, fmt.Errorf("%q is not a socket option (such as SO_RCVBUF or TCP_NODELAY)", a.pos[1])
				}
				var v int
				if _, err := fmt.Sscan(a.pos[2], &v); err != nil {
					return built{}, fmt.Errorf("%q is not a number", a.pos[2])
				}
				return built{name: fmt.Sprintf("a socket on %v has %v set to %d", at, opt, v),
					watch: snap(option(at, opt, v)), hosts: []string{at.host}}, nil
			}},
	}
}

// Vocabulary lists the checks a goal line may name, with their usage, in
// the order a lesson meets them; "not CHECK ..." turns any of them round.
func Vocabulary() []Term {
	ts := terms()
	out := make([]Term, len(ts))
	for i, t := range ts {
		out[i] = t.Term
	}
	return out
}

// maxNot is how many "not"s a goal line may stack.
const maxNot = 2

// ParseCheck reads one goal line ("connected b 80 peers=2", "not went b
// LISTEN CLOSED") into a Check.
func ParseCheck(line string) (Check, error) {
	c, err := parseCheck(strings.Fields(line), 0)
	if err != nil {
		return Check{}, err
	}
	c.Line = strings.Join(strings.Fields(line), " ")
	c.raw = c.Line
	return c, nil
}

func parseCheck(words []string, nots int) (Check, error) {
	if len(words) == 0 {
		return Check{}, errors.New("a goal needs a check (such as listening b 80)")
	}
	if words[0] == "not" {
		if nots >= maxNot {
			return Check{}, errors.New("too many nots")
		}
		inner, err := parseCheck(words[1:], nots+1)
		if err != nil {
			return Check{}, err
		}
		return negate(inner), nil
	}
	for _, t := range terms() {
		if t.Name != words[0] {
			continue
		}
		a, err := splitArgs(words[1:], t.keys)
		if err != nil {
			return Check{}, fmt.Errorf("%s: %w (usage: %s)", t.Name, err, t.Usage)
		}
		if len(a.pos) != t.npos {
			return Check{}, fmt.Errorf("%s takes %s, not %d (usage: %s)", t.Name, plural(t.npos, "word", "words"), len(a.pos), t.Usage)
		}
		b, err := t.build(a)
		if err != nil {
			return Check{}, fmt.Errorf("%s: %w (usage: %s)", t.Name, err, t.Usage)
		}
		_, snapOnly := b.watch().(snapshotOnly)
		return Check{Name: b.name, watch: b.watch, hosts: b.hosts, switches: b.switches, events: !snapOnly}, nil
	}
	return Check{}, fmt.Errorf("unknown check %q (the checks are %s, and not before any of them)", words[0], strings.Join(termNames(), ", "))
}

// negate turns a check round: it holds when the inner one does not.
func negate(c Check) Check {
	inner := c.watch
	return Check{
		Name:     "it is not so that " + c.Name,
		watch:    func() watcher { return notW{inner: inner(), name: c.Name} },
		hosts:    c.hosts,
		switches: c.switches,
		events:   c.events,
	}
}

// notW holds when its inner watcher does not.
type notW struct {
	inner watcher
	name  string
}

func (w notW) event(e sock.Event) { w.inner.event(e) }

func (w notW) result(s sock.Snapshot) (bool, string) {
	met, _ := w.inner.result(s)
	if met {
		return false, "the goal wants this not to happen, and it did: " + w.name
	}
	return true, ""
}

func termNames() []string {
	var names []string
	for _, t := range terms() {
		names = append(names, t.Name)
	}
	return names
}

// snap wraps a snapshot predicate as a watcher factory.
func snap(f snapshotOnly) func() watcher { return func() watcher { return f } }

// placePort reads "HOST PORT".
func placePort(a args) (place, uint16, error) {
	at, err := parsePlace(a.pos[0])
	if err != nil {
		return place{}, 0, err
	}
	port, err := a.port(1)
	return at, port, err
}

// tcpState reads a TCP state as RFC 9293 spells it ("TIME-WAIT").
func tcpState(s string) (sock.State, error) {
	st, ok := sock.ParseState(strings.ToUpper(s))
	if !ok || !st.TCP() {
		return 0, fmt.Errorf("%q is not a TCP state (LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, CLOSED)", s)
	}
	return st, nil
}
