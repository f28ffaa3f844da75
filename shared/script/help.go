package script

import (
	"errors"
	"fmt"
	"strings"
)

// worldDocs are the lines that build the town and let time pass, one row
// each, in the order help lists them.
var worldDocs = []lineDoc{
	{name: "host", purpose: "add a computer with its addresses",
		usage: "host NAME ADDR/PREFIX [ADDR/PREFIX...] [forward]", example: "host b 10.0.0.2/24",
		what: "adds a computer to the town with one network card for each address; forward makes it a router that passes packets on"},
	{name: "switch", purpose: "add a learning switch that joins hosts in a LAN",
		usage: "switch NAME [PORTS]", example: "switch sw 8",
		what: "adds an Ethernet switch with PORTS ports (8 unless told, 2 to 64): link hosts to it and they share one LAN; it floods broadcasts and frames for addresses it has not seen, and learns which MAC address is behind which port"},
	{name: "link", purpose: "join two hosts or switches with a cable",
		usage:   "link A B [delay=2ms] [rate=10Mbit] [loss=1%] [dup=..] [reorder=..] [corrupt=..] [mtu=1500] [queue=1000]",
		example: "link a sw delay=1ms",
		what:    "joins A and B, each a host or a switch, with a cable of that delay, rate and faults (a cable between two hosts is point to point; a loop of switches is refused); what is not given is none: no delay, no rate limit, no faults, an MTU of 1500 and a queue of 1000; on a link that exists it changes only the properties given"},
	{name: "route", purpose: "send packets for a network through a router",
		usage: "route HOST PREFIX|default via GATEWAY", example: "route a default via 10.0.0.254",
		what: "tells HOST to send packets for PREFIX (or everywhere else) through the router at GATEWAY"},
	{name: "arp", purpose: "show a host's ARP cache",
		usage: "arp HOST", example: "arp a",
		what: "prints HOST's neighbour cache, one entry a line as ip neigh shows it: the address, the interface, the MAC address it learned and the entry's state (INCOMPLETE while asking, REACHABLE, STALE, DELAY, PROBE, FAILED)"},
	{name: "process", purpose: "start a program on a host",
		usage: "process HOST NAME [root]", example: "process b web root",
		what: "starts a program, a house on HOST's plot, that makes calls as HOST/NAME:; root may bind ports below 1024"},
	{name: "peer", purpose: "a road to a host in a friend's town",
		usage: "peer HOST FAR ADDR | peer HOST FAR gone", example: "peer ann bob 10.99.0.2",
		what: "gives HOST a road to FAR, a host that a friend's page or program runs, at ADDR: its letters are real packets on a WebRTC data channel (unordered, no retransmissions, an MTU of 1160); a shared town types it when a peer joins, and peer HOST FAR gone when the peer leaves, after which what HOST sends to FAR is dropped"},
	{name: "seed", purpose: "seed the links' random faults",
		usage: "seed N", example: "seed 7",
		what: "seeds the random faults of the links, so that a lossy run goes the same way every time"},
	{name: "run", purpose: "let virtual time pass",
		usage: "run DURATION", example: "run 100ms",
		what: "lets DURATION of virtual time pass: packets travel, timers fire, background calls complete"},
	{name: "step", purpose: "let the next happenings take place",
		usage: "step [N]", example: "step 3",
		what: "lets the next N happenings of the town take place (a packet sent or delivered, a timer), one at a time"},
	{name: "help", purpose: "list the lines, or explain one",
		usage: "help [LINE|OPTION|ERRNO]", example: "help bind",
		what: "lists every line, or explains one: its syntax, what it does, and an example; help SO_REUSEADDR explains a socket option and help EADDRINUSE an errno"},
}

// worldNames lists the world lines, in help's order.
func worldNames() []string {
	names := make([]string, len(worldDocs))
	for i, d := range worldDocs {
		names[i] = d.name
	}
	return names
}

// HelpCmd is "help [TOPIC]": the list of lines, or one line, socket
// option or errno explained.
type HelpCmd struct{ Topic string }

func (HelpCmd) command() {}

// parseHelp reads "help" or "help TOPIC"; a topic the shell does not know
// is an error that names the closest ones.
func parseHelp(w []string) (Command, error) {
	if len(w) > 2 {
		return nil, errors.New("help: want help or help TOPIC, like help bind, help SO_REUSEADDR or help EADDRINUSE")
	}
	if len(w) == 1 {
		return HelpCmd{}, nil
	}
	if _, err := Help(w[1]); err != nil {
		return nil, err
	}
	return HelpCmd{Topic: w[1]}, nil
}

// Help is the shell's reference. With no topic it lists every line with
// its purpose; with the name of a world line or a call ("link", "bind") it
// gives that line's syntax, what it does and an example; with a socket
// option ("SO_REUSEADDR", in any case) its level, value, what it does and
// an example; with an errno ("EADDRINUSE") what it means and when a call
// returns it; with a word of the trace ("neigh", "STALE") what it says. An
// unknown topic is an error that suggests the closest names.
func Help(topic string) (string, error) {
	if topic == "" {
		return helpIndex(), nil
	}
	topic = strings.TrimSuffix(topic, ":")
	for _, d := range worldDocs {
		if d.name == topic {
			return d.usage + "\n" + d.what + ".\nexample: " + d.example, nil
		}
	}
	if d, ok := callDoc(topic); ok {
		return d.usage + "\n" + d.what + ".\nexample: " + d.example, nil
	}
	if text, ok := helpOption(topic); ok {
		return text, nil
	}
	if text, ok := helpErrno(topic); ok {
		return text, nil
	}
	if text, ok := helpTrace(topic); ok {
		return text, nil
	}
	names := append(append(append(worldNames(), CallNames()...), optionAndErrnoNames()...), traceWords()...)
	if hint := didYouMean(topic, names); hint != "" {
		return "", fmt.Errorf("help: no line, call, option or errno %q; %s", topic, hint)
	}
	return "", fmt.Errorf("help: no line, call, option or errno %q (try help alone for the list)", topic)
}

// helpIndex lists every line with its purpose, the world lines first.
func helpIndex() string {
	var b strings.Builder
	row := func(d lineDoc) { fmt.Fprintf(&b, "\n  %-10s %s", d.name, d.purpose) }
	b.WriteString("world lines build the town and let time pass:")
	for _, d := range worldDocs {
		row(d)
	}
	b.WriteString("\ncalls are a process's system calls, written HOST/PROC: CALL ARGS [&] [=> RESULT]:")
	for i := range callTable {
		row(callTable[i].lineDoc)
	}
	b.WriteString("\nhelp LINE explains one (help SO_REUSEADDR a socket option, help EADDRINUSE an errno, help neigh or help STALE a word of the trace); & runs a call in the background; => RESULT says what it must return.")
	return b.String()
}
