package lessons

import (
	"fmt"
	"net/netip"
	"slices"

	"socketville/shared/sock"
	"socketville/shared/wire"
)

// The checks that read the events: what happened on the way, which the
// snapshot at the end no longer shows. Each keeps a few facts, never the
// events.

// accepted: listening sockets of the place on the port handed out new
// sockets for at least clients different clients.
type acceptedW struct {
	at      place
	port    uint16
	clients int
	peers   []netip.AddrPort
	other   []uint16 // ports it accepted on instead
}

func (w *acceptedW) event(e sock.Event) {
	if e.Kind != sock.KindAccept || !w.at.has(e.Host, e.Proc) {
		return
	}
	if e.Local.Port() != w.port {
		if !slices.Contains(w.other, e.Local.Port()) {
			w.other = append(w.other, e.Local.Port())
		}
		return
	}
	if !slices.Contains(w.peers, e.Remote) {
		w.peers = append(w.peers, e.Remote)
	}
}

func (w *acceptedW) result(sock.Snapshot) (bool, string) {
	if len(w.peers) >= w.clients {
		return true, ""
	}
	missing := fmt.Sprintf("%v accepted %s on port %d; the goal wants %d", w.at, plural(len(w.peers), "client", "different clients"), w.port, w.clients)
	if len(w.peers) == 0 {
		missing = fmt.Sprintf("%v accepted no client on port %d (accept takes a waiting connection from the listening socket)", w.at, w.port)
	}
	if len(w.other) > 0 {
		missing += fmt.Sprintf("; it accepted on port %s instead", list(portWords(w.other)))
	}
	return false, missing
}

// connects: a socket of the place that connected to the address reached
// ESTABLISHED.
type connectsW struct {
	at       place
	to       netip.AddrPort
	done     bool
	attempts []attempt // the place's first TCP connects, for the missing sentence
	// last is where each fd of the place last connected to.
	last map[hostFD]netip.AddrPort
}

// hostFD names one fd of one host.
type hostFD struct {
	host string
	fd   int
}

// attempt is one connect: where to, on which fd, and how it failed.
type attempt struct {
	host string
	fd   int
	to   netip.AddrPort
	err  string
}

func (w *connectsW) event(e sock.Event) {
	if !w.at.has(e.Host, e.Proc) {
		return
	}
	switch e.Kind {
	case sock.KindState:
		// A kernel that samples its states (Linux's, through TCP_INFO)
		// may see CLOSED -> ESTABLISHED, without the SYN-SENT between;
		// the connect before it says which side started.
		if e.To == sock.StateEstablished && (e.Remote == w.to || w.started(e.Host, e.FD)) {
			w.done = true
		}
	case sock.KindConnect:
		if e.Sock != sock.SockTCP {
			return
		}
		if w.last == nil {
			w.last = map[hostFD]netip.AddrPort{}
		}
		w.last[hostFD{e.Host, e.FD}] = e.Remote
		if len(w.attempts) < 8 {
			w.attempts = append(w.attempts, attempt{host: e.Host, fd: e.FD, to: e.Remote})
		}
	case sock.KindError:
		en := sock.ErrnoOf(e.Err)
		// A refused or timed-out handshake is the socket's error ("tcp"),
		// a connect that fails at once the call's.
		if (e.Op != "connect" && e.Op != "tcp") || en == nil {
			return
		}
		for i := len(w.attempts) - 1; i >= 0; i-- {
			if a := &w.attempts[i]; a.host == e.Host && a.fd == e.FD && a.err == "" {
				a.err = en.Name() + ": " + en.Text()
				break
			}
		}
	}
}

// started reports whether the last connect on host's fd was to the
// address.
func (w *connectsW) started(host string, fd int) bool {
	to, ok := w.last[hostFD{host, fd}]
	return ok && fd != 0 && to == w.to
}

func (w *connectsW) result(sock.Snapshot) (bool, string) {
	if w.done {
		return true, ""
	}
	missing := fmt.Sprintf("no TCP socket on %v finished connecting to %v", w.at, w.to)
	var elsewhere []string
	for _, a := range w.attempts {
		switch {
		case a.to == w.to && a.err != "":
			return false, missing + fmt.Sprintf(" (its connect failed: %s)", a.err)
		case a.to == w.to:
			return false, missing + " (a connect started and its handshake did not finish)"
		case a.err != "":
			elsewhere = append(elsewhere, fmt.Sprintf("%v, which failed with %s", a.to, a.err))
		default:
			elsewhere = append(elsewhere, a.to.String())
		}
	}
	if len(elsewhere) > 0 {
		missing += fmt.Sprintf(" (it connected to %s instead)", list(elsewhere))
	}
	return false, missing
}

// sent: a packet of the protocol left a host of the place onto a link.
type sentW struct {
	at    place
	proto string
	seen  bool
}

func (w *sentW) event(e sock.Event) {
	if e.Kind == sock.KindSent && e.Host == w.at.host && (w.at.proc == "" || e.Proc == w.at.proc) && packetProto(e.Packet) == w.proto {
		w.seen = true
	}
}

func (w *sentW) result(sock.Snapshot) (bool, string) {
	if w.seen {
		return true, ""
	}
	return false, fmt.Sprintf("no %s went out of %v onto a link", protoThing(w.proto), w.at)
}

// delivered: a packet of the protocol came up to a socket of the place
// (to the port, if one is given).
type deliveredW struct {
	at    place
	proto string
	port  uint16
	seen  bool
	ports []uint16 // ports its packets of the protocol came up to instead
	drops []string // why such packets to the host were dropped
}

func (w *deliveredW) event(e sock.Event) {
	if e.Host != w.at.host || packetProto(e.Packet) != w.proto {
		return
	}
	port := packetDstPort(e.Packet)
	switch e.Kind {
	case sock.KindDelivered:
		if e.Proc == "" || !w.at.has(e.Host, e.Proc) {
			return
		}
		if w.port == 0 || port == w.port {
			w.seen = true
		} else if !slices.Contains(w.ports, port) {
			w.ports = append(w.ports, port)
		}
	case sock.KindDropped:
		if e.Reason != "" && len(w.drops) < 3 && !slices.Contains(w.drops, e.Reason) {
			w.drops = append(w.drops, e.Reason)
		}
	}
}

func (w *deliveredW) result(sock.Snapshot) (bool, string) {
	if w.seen {
		return true, ""
	}
	missing := fmt.Sprintf("no %s came up to a socket on %v", protoThing(w.proto), w.at)
	if w.port != 0 {
		missing = fmt.Sprintf("no %s came up to a socket on %v port %d", protoThing(w.proto), w.at, w.port)
	}
	switch {
	case len(w.ports) > 0:
		missing += fmt.Sprintf(" (they came to port %s)", list(portWords(w.ports)))
	case len(w.drops) > 0:
		missing += fmt.Sprintf(" (host %s dropped them: %s)", w.at.host, list(w.drops))
	}
	return false, missing
}

// data: the place's processes read (or wrote) at least bytes bytes.
type dataW struct {
	at    place
	op    string // "read" or "write"
	bytes int
	total int
}

func (w *dataW) event(e sock.Event) {
	if e.Kind == sock.KindData && e.Op == w.op && w.at.has(e.Host, e.Proc) {
		w.total += e.Len
	}
}

func (w *dataW) result(sock.Snapshot) (bool, string) {
	if w.total >= w.bytes && w.total > 0 {
		return true, ""
	}
	verb := map[string]string{"read": "read from", "write": "wrote to"}[w.op]
	if w.total == 0 {
		return false, fmt.Sprintf("nothing on %v %s a socket", w.at, verb)
	}
	return false, fmt.Sprintf("%v %s its sockets %s; the goal wants %d", w.at, verb, plural(w.total, "byte", "bytes"), w.bytes)
}

// polled: polls on the place reported at least readable different fds
// readable, one of them a poll that watched at least among fds.
type polledW struct {
	at       place
	readable int
	among    int
	fds      []int
	widest   int // the most fds a poll watched that reported one readable
	polls    int
}

func (w *polledW) event(e sock.Event) {
	if e.Kind != sock.KindPoll || !w.at.has(e.Host, e.Proc) {
		return
	}
	w.polls++
	any := false
	for _, p := range e.Ready {
		if p.Revents&sock.PollIn != 0 {
			any = true
			if !slices.Contains(w.fds, p.FD) {
				w.fds = append(w.fds, p.FD)
			}
		}
	}
	if any {
		w.widest = max(w.widest, len(e.Ready))
	}
}

func (w *polledW) result(sock.Snapshot) (bool, string) {
	if len(w.fds) >= w.readable && w.widest >= w.among {
		return true, ""
	}
	switch {
	case w.polls == 0:
		return false, fmt.Sprintf("nothing on %v called poll (poll FD,FD in asks which sockets have something to read)", w.at)
	case len(w.fds) == 0:
		return false, fmt.Sprintf("%v polled and was never told a socket is readable (send it something first)", w.at)
	case len(w.fds) < w.readable:
		return false, fmt.Sprintf("polls on %v said %s readable; the goal wants %d different ones", w.at, plural(len(w.fds), "fd was", "fds were"), w.readable)
	}
	return false, fmt.Sprintf("no poll on %v watched %d or more sockets at once and found one readable (it watched %d at most)", w.at, w.among, w.widest)
}

// went: a connection of the place changed from one state (or, with
// anyFrom, from any) to another, with the port at either end if one is
// given.
type wentW struct {
	at       place
	anyFrom  bool
	from, to sock.State
	port     uint16
	done     bool
	reached  []sock.State // the states its connections reached, for the missing sentence
}

func (w *wentW) event(e sock.Event) {
	if e.Kind != sock.KindState || !w.at.has(e.Host, e.Proc) {
		return
	}
	if w.port != 0 && e.Local.Port() != w.port && e.Remote.Port() != w.port {
		return
	}
	if (w.anyFrom || e.From == w.from) && e.To == w.to {
		w.done = true
	}
	if !slices.Contains(w.reached, e.To) {
		w.reached = append(w.reached, e.To)
	}
}

func (w *wentW) result(sock.Snapshot) (bool, string) {
	if w.done {
		return true, ""
	}
	on := w.at.String()
	if w.port != 0 {
		on += fmt.Sprintf(" port %d", w.port)
	}
	missing := fmt.Sprintf("no connection on %s went from %v to %v", on, w.from, w.to)
	if w.anyFrom {
		missing = fmt.Sprintf("no connection on %s reached %v", on, w.to)
	}
	if len(w.reached) > 0 {
		names := make([]string, len(w.reached))
		for i, s := range w.reached {
			names[i] = s.String()
		}
		missing += fmt.Sprintf(" (its connections went through %s)", list(names))
	}
	return false, missing
}

// forwarded: the router passed a packet on.
type forwardedW struct {
	at   place
	seen bool
}

func (w *forwardedW) event(e sock.Event) {
	if e.Kind == sock.KindForwarded && e.Host == w.at.host {
		w.seen = true
	}
}

func (w *forwardedW) result(sock.Snapshot) (bool, string) {
	if w.seen {
		return true, ""
	}
	return false, fmt.Sprintf("host %s passed no packet on from one network to the other", w.at.host)
}

// failed: a call on the place failed with the errno.
type failedW struct {
	at     place
	errno  *sock.Errno
	op     string
	seen   bool
	others []string
}

func (w *failedW) event(e sock.Event) {
	if e.Kind != sock.KindError || !w.at.has(e.Host, e.Proc) || (w.op != "" && e.Op != w.op) {
		return
	}
	got := sock.ErrnoOf(e.Err)
	if got == w.errno {
		w.seen = true
	} else if got != nil && !slices.Contains(w.others, got.Name()) {
		w.others = append(w.others, got.Name())
	}
}

func (w *failedW) result(sock.Snapshot) (bool, string) {
	if w.seen {
		return true, ""
	}
	call := "call"
	if w.op != "" {
		call = w.op
	}
	missing := fmt.Sprintf("no %s on %v failed with %s", call, w.at, w.errno.Name())
	if len(w.others) > 0 {
		missing += fmt.Sprintf(" (it got %s)", list(w.others))
	}
	return false, missing
}

// packetProto names what a packet of an event carries: "tcp", "udp",
// "icmp", "arp", or "" for anything else.
func packetProto(b []byte) string {
	if ip, err := wire.ParseIPv4(b); err == nil {
		switch ip.Protocol() {
		case wire.ProtocolTCP:
			return "tcp"
		case wire.ProtocolUDP:
			return "udp"
		case wire.ProtocolICMP:
			return "icmp"
		}
		return ""
	}
	if _, err := wire.ParseARP(b); err == nil {
		return "arp"
	}
	return ""
}

// packetDstPort is a TCP segment's or UDP datagram's destination port, 0
// when it has none (or is a fragment past the first).
func packetDstPort(b []byte) uint16 {
	ip, err := wire.ParseIPv4(b)
	if err != nil {
		return 0
	}
	switch ip.Protocol() {
	case wire.ProtocolTCP:
		if t, err := wire.ParseTCP(ip.Payload()); err == nil {
			return t.DstPort()
		}
	case wire.ProtocolUDP:
		if u, err := wire.ParseUDP(ip.Payload()); err == nil {
			return u.DstPort()
		}
	}
	return 0
}

// protoThing is what a protocol's packets are called: "TCP segment".
func protoThing(proto string) string {
	switch proto {
	case "tcp":
		return "TCP segment"
	case "udp":
		return "UDP datagram"
	case "icmp":
		return "ICMP message"
	case "arp":
		return "ARP message"
	}
	return proto + " packet"
}

// aThing is protoThing with its article: "a TCP segment", "an ARP message".
func aThing(proto string) string {
	if proto == "arp" || proto == "icmp" {
		return "an " + protoThing(proto)
	}
	return "a " + protoThing(proto)
}

func portWords(ports []uint16) []string {
	out := make([]string, len(ports))
	for i, p := range ports {
		out[i] = fmt.Sprint(p)
	}
	return out
}
