package play

import (
	"fmt"
	"strings"
	"time"

	"socketville/shared/sock"

	"socketville/shared/wire"
)

// How long the wall-time animations last.
const (
	FallTime       = 1200 * time.Millisecond // a lost letter falling off the road
	PollWalkTime   = 1500 * time.Millisecond // the poll loop walking past its doors
	TransitionTime = 1500 * time.Millisecond // a state diagram's arrow lit
	FlashTime      = 2 * time.Second         // a message at a plot: a drop at the host
	maxLetters     = 5000                    // beyond this the oldest are not drawn
)

// LetterKind is what a letter carries, which decides how it is drawn.
type LetterKind uint8

// The kinds of letters.
const (
	LetterSYN LetterKind = iota
	LetterSYNACK
	LetterACK
	LetterData
	LetterFIN
	LetterRST
	LetterUDP
	LetterICMP
	LetterOther
)

// Letter is a packet on a road.
type Letter struct {
	ID       int
	Link     string // the road: "a-b"
	From, To string // hosts: the letter goes from From's end of the road to To's
	Packet   []byte
	Kind     LetterKind
	Label    string // "SYN", "data 18 B", ...
	Note     string // "retransmission", "duplicate", ...
	Sent     time.Duration
	Dur      time.Duration // expected time on the road: delay plus serialization
	Lost     bool
	Reason   string        // why it was lost
	LostWall time.Duration // wall time it started falling
}

// Progress is how far along the road the letter is at virtual time now, in
// [0, 1]. A lost letter stops halfway and falls.
func (l *Letter) Progress(now time.Duration) float64 {
	f := 1.0
	if l.Dur > 0 {
		f = float64(now-l.Sent) / float64(l.Dur)
	}
	limit := 0.97 // it stays at the door until the arrival is seen
	if l.Lost {
		limit = 0.5
	}
	return min(max(f, 0), limit)
}

// Fall is how far a lost letter has fallen, 0..1, at wall time wall.
func (l *Letter) Fall(wall time.Duration) float64 {
	if !l.Lost || l.LostWall == 0 {
		return 0
	}
	return min(float64(wall-l.LostWall)/float64(FallTime), 1)
}

// PollWalk is a poll call's answer: the process's loop walks past the
// polled doors and lights the ready ones.
type PollWalk struct {
	Host, Proc string
	FDs        []sock.PollFD
	Wall       time.Duration // when it started
}

// Progress is 0..1 along the walk at wall time wall.
func (w PollWalk) Progress(wall time.Duration) float64 {
	return min(float64(wall-w.Wall)/float64(PollWalkTime), 1)
}

// Transition is one TCP state change of a connection.
type Transition struct {
	Host          string
	Local, Remote string
	From, To      sock.State
	Wall          time.Duration
}

// Flash is a short message at a host: a packet dropped on arrival.
type Flash struct {
	Host, Text string
	Wall       time.Duration
}

// Animation is the state the town animates, separate from the model: the
// core knows nothing of it and it never changes the core.
type Animation struct {
	Letters     []*Letter
	Polls       []PollWalk
	Transitions []Transition
	Flashes     []Flash
	// LastPacket holds the last packet each connection sent or received,
	// by "host local remote", and each listening port's by "host local".
	LastPacket map[string][]byte
	events     int // how many events so far: Step stops after one
	nextID     int
}

func (a *Animation) reset() { *a = Animation{LastPacket: map[string][]byte{}} }

// Events is how many events the animation has seen.
func (a *Animation) Events() int { return a.events }

// PacketKey names where LastPacket keeps a connection's last packet.
func PacketKey(host string, local, remote fmt.Stringer) string {
	return host + " " + local.String() + " " + remote.String()
}

// onRoad counts the letters still moving or falling.
func (a *Animation) onRoad(wall time.Duration) int {
	n := 0
	for _, l := range a.Letters {
		if !l.Lost || l.Fall(wall) < 1 {
			n++
		}
	}
	return n
}

// event turns one core event into animation.
func (a *Animation) event(e sock.Event, lookup linkLookup, wall time.Duration) {
	a.events++
	switch e.Kind {
	case sock.KindSent:
		a.send(e, lookup)
		a.remember(e)
	case sock.KindDropped:
		if e.Link != "" {
			a.lose(e, wall)
			return
		}
		a.land(e)
		a.Flashes = append(a.Flashes, Flash{Host: e.Host, Text: "dropped: " + e.Reason, Wall: wall})
	case sock.KindDelivered, sock.KindForwarded:
		a.land(e)
		a.remember(e)
	case sock.KindPoll:
		a.Polls = append(a.Polls, PollWalk{Host: e.Host, Proc: e.Proc, FDs: e.Ready, Wall: wall})
	case sock.KindState:
		a.Transitions = append(a.Transitions, Transition{
			Host: e.Host, Local: e.Local.String(), Remote: e.Remote.String(), From: e.From, To: e.To, Wall: wall,
		})
	}
}

func (a *Animation) remember(e sock.Event) {
	if a.LastPacket == nil {
		a.LastPacket = map[string][]byte{}
	}
	if e.Local.IsValid() {
		a.LastPacket[PacketKey(e.Host, e.Local, e.Remote)] = e.Packet
		a.LastPacket[e.Host+" "+e.Local.String()] = e.Packet
	}
}

// linkLookup finds a link's ends and properties by name.
type linkLookup func(name string) (sock.LinkState, bool)

func (a *Animation) send(e sock.Event, lookup linkLookup) {
	ls, ok := lookup(e.Link)
	if !ok {
		return
	}
	_, to, _ := strings.Cut(e.Link, "->")
	cfg := ls.Config
	dur := cfg.Delay
	if cfg.Rate > 0 {
		dur += time.Duration(int64(len(e.Packet)) * 8 * int64(time.Second) / cfg.Rate)
	}
	kind, label := Classify(e.Packet)
	a.nextID++
	a.Letters = append(a.Letters, &Letter{
		ID: a.nextID, Link: ls.Name, From: e.Host, To: to, Packet: e.Packet, Kind: kind, Label: label,
		Note: e.Reason, Sent: e.Time, Dur: dur,
	})
	if len(a.Letters) > maxLetters {
		a.Letters = a.Letters[len(a.Letters)-maxLetters:]
	}
}

// lose marks the newest letter on the link with this packet as lost.
func (a *Animation) lose(e sock.Event, wall time.Duration) {
	for i := len(a.Letters) - 1; i >= 0; i-- {
		l := a.Letters[i]
		if l.From == e.Host && !l.Lost && samePacket(l.Packet, e.Packet) {
			l.Lost, l.Reason, l.LostWall = true, e.Reason, wall
			return
		}
	}
}

// land takes off the road the oldest letter to this host that carries the
// same IP packet (a router's copy differs in TTL and checksum; a corrupted
// one somewhere else, so the header's identity is compared).
func (a *Animation) land(e sock.Event) {
	for i, l := range a.Letters {
		if l.To == e.Host && !l.Lost && samePacket(l.Packet, e.Packet) {
			a.Letters = append(a.Letters[:i], a.Letters[i+1:]...)
			return
		}
	}
}

// samePacket compares what identifies an IPv4 packet on its way: length,
// identification, fragment, protocol, addresses; and the first payload
// bytes (ports and sequence numbers).
func samePacket(x, y []byte) bool {
	if len(x) < 20 || len(y) < 20 {
		return len(x) == len(y) && string(x) == string(y)
	}
	if string(x[0:8]) != string(y[0:8]) || x[9] != y[9] || string(x[12:20]) != string(y[12:20]) {
		return false
	}
	n := min(len(x), len(y), 28)
	return string(x[20:n]) == string(y[20:n])
}

// settle ends what is over: letters long overdue (their arrival was never
// seen, as for a corrupted header), finished falls, walks and flashes.
func (a *Animation) settle(now, wall time.Duration) {
	keep := a.Letters[:0]
	for _, l := range a.Letters {
		overdue := !l.Lost && now-l.Sent > 3*l.Dur+100*time.Millisecond
		fallen := l.Lost && l.Fall(wall) >= 1
		if !overdue && !fallen {
			keep = append(keep, l)
		}
	}
	clear(a.Letters[len(keep):])
	a.Letters = keep
	a.Polls = dropOld(a.Polls, func(p PollWalk) bool { return wall-p.Wall > PollWalkTime })
	a.Transitions = dropOld(a.Transitions, func(t Transition) bool { return wall-t.Wall > TransitionTime })
	a.Flashes = dropOld(a.Flashes, func(f Flash) bool { return wall-f.Wall > FlashTime })
}

func dropOld[T any](s []T, old func(T) bool) []T {
	keep := s[:0]
	for _, x := range s {
		if !old(x) {
			keep = append(keep, x)
		}
	}
	return keep
}

// Classify says what a packet carries, for the letter's look and label.
func Classify(pkt []byte) (LetterKind, string) {
	ip, err := wire.ParseIPv4(pkt)
	if err != nil {
		return LetterOther, "?"
	}
	switch ip.Protocol() {
	case wire.ProtocolTCP:
		seg, err := wire.ParseTCP(ip.Payload())
		if err != nil {
			return LetterOther, "TCP?"
		}
		return classifyTCP(seg)
	case wire.ProtocolUDP:
		return LetterUDP, fmt.Sprintf("UDP %d B", max(len(ip.Payload())-wire.UDPHeaderLen, 0))
	case wire.ProtocolICMP:
		if m, err := wire.ParseICMPv4(ip.Payload()); err == nil {
			return LetterICMP, "ICMP " + m.Type().String()
		}
		return LetterICMP, "ICMP"
	}
	return LetterOther, ip.Protocol().String()
}

func classifyTCP(seg wire.TCP) (LetterKind, string) {
	f := seg.Flags()
	n := len(seg.Payload())
	switch {
	case f&wire.TCPRst != 0:
		return LetterRST, "RST"
	case f&wire.TCPSyn != 0 && f&wire.TCPAck != 0:
		return LetterSYNACK, "SYN|ACK"
	case f&wire.TCPSyn != 0:
		return LetterSYN, "SYN"
	case f&wire.TCPFin != 0 && n > 0:
		return LetterFIN, fmt.Sprintf("FIN+%d B", n)
	case f&wire.TCPFin != 0:
		return LetterFIN, "FIN"
	case n > 0:
		return LetterData, fmt.Sprintf("data %d B", n)
	}
	return LetterACK, "ACK"
}

// shortestTrip is the shortest time on the road of the letters still
// travelling, which sets how fast virtual time may run while they do.
func (a *Animation) shortestTrip() (time.Duration, bool) {
	var d time.Duration
	found := false
	for _, l := range a.Letters {
		if !l.Lost && l.Dur > 0 && (!found || l.Dur < d) {
			d, found = l.Dur, true
		}
	}
	return d, found
}
