package play

import (
	"fmt"
	"slices"
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

// On a kernel whose clock is the wall's (see Player.Live) a letter on a
// 5 ms link would cross in 5 ms, too fast to be seen: there each letter's
// trip is played on wall time instead, over at least TripTime (or the
// real trip, if longer), from when its sending is seen. The kernel's
// times and state stay real; only the letters lag behind them, a little.
// So that a story still reads in order, a letter a host sends leaves once
// the letters it received before have been seen to arrive, and letters
// along one road and direction leave at least LetterGap apart; but none
// waits more than MaxLag, so a bulk transfer's letters bunch up rather
// than fall ever further behind.
const (
	LetterGap = TripTime / 4
	MaxLag    = 3 * TripTime
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
	// LetterARP is an ARP message: a host asking its link who has an
	// address ("who-has 10.0.0.2?") or the answer ("10.0.0.2 is-at
	// 02:00:00:00:00:02"), in a broadcast or unicast frame.
	LetterARP
	LetterOther
)

// Letter is a packet on a road.
type Letter struct {
	ID       int
	Link     string // the road: "a-b"
	From, To string // hosts: the letter goes from From's end of the road to To's
	Packet   []byte
	// Frame is the whole Ethernet frame the packet rode in (no FCS), as
	// the kernel sent it; nil for a kernel that shows no frames.
	Frame    []byte
	Kind     LetterKind
	Label    string // "SYN", "data 18 B", ...
	Note     string // "retransmission", "duplicate", ...
	Sent     time.Duration
	Dur      time.Duration // expected time on the road: delay plus serialization
	Lost     bool
	Reason   string        // why it was lost
	LostWall time.Duration // wall time it started falling
	// Trip, on a live kernel, is how long the letter's trip lasts on
	// screen, in wall time from Leave; 0 in the simulator, whose letters
	// move on virtual time. Arrived says its arrival has been seen: it
	// then goes on to the far door, and leaves the road once there.
	Trip, Leave time.Duration
	Arrived     bool
	// off says the letter has left Letters, so that pending skips it.
	off bool
}

// Slowed reports whether the letter moves on wall time, slowed down from
// a live kernel's real trip so it can be followed (see TripTime).
func (l *Letter) Slowed() bool { return l.Trip > 0 }

// Departed reports whether the letter has left its door at wall time
// wall: a slowed letter may wait for the letters before it.
func (l *Letter) Departed(wall time.Duration) bool { return l.Trip == 0 || wall >= l.Leave }

// Progress is how far along the road the letter is at virtual time now
// (wall time wall for a slowed letter), in [0, 1]. A lost letter stops
// halfway and falls.
func (l *Letter) Progress(now, wall time.Duration) float64 {
	f := 1.0
	switch {
	case l.Trip > 0:
		f = float64(wall-l.Leave) / float64(l.Trip)
	case l.Dur > 0:
		f = float64(now-l.Sent) / float64(l.Dur)
	}
	limit := 0.97 // it stays at the door until the arrival is seen
	switch {
	case l.Lost:
		limit = 0.5
	case l.Arrived:
		limit = 1
	}
	return min(max(f, 0), limit)
}

// Fall is how far a lost letter has fallen, 0..1, at wall time wall. A
// slowed letter falls once it is halfway, whenever its loss was seen.
func (l *Letter) Fall(wall time.Duration) float64 {
	if !l.Lost || l.LostWall == 0 && l.Trip == 0 {
		return 0
	}
	start := l.LostWall
	if l.Trip > 0 {
		start = max(start, l.Leave+l.Trip/2)
	}
	return min(max(float64(wall-start)/float64(FallTime), 0), 1)
}

// end is when a slowed letter reaches the far door, in wall time.
func (l *Letter) end() time.Duration { return l.Leave + l.Trip }

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
	// Calm says nothing went wrong: a host let go of an ARP question
	// that was for someone else on its link, as every host but one does
	// with each broadcast.
	Calm bool
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
	// LastFrame holds the frames those packets rode in, under the same
	// keys, where the kernel shows frames.
	LastFrame map[string][]byte
	events    int // how many events so far: Step stops after one
	nextID    int

	// live says letters are slowed onto wall time (see TripTime); then
	// ready holds when each host's received letters have all arrived on
	// screen, and lastLeave when the last letter along each road and
	// direction left.
	live      bool
	ready     map[string]time.Duration
	lastLeave map[sock.Hop]time.Duration

	// pending holds the letters on their way, by where they go and what
	// identifies their packet (landKey), oldest first, so that land finds
	// a packet's letter at once: a shared town's bulk transfer keeps
	// thousands of slowed letters on screen, and a walk over all of them
	// for each packet delivered took a page's ticks from its TCP. Letters
	// that were lost, arrived or left stay in it until looked at, or until
	// settle rebuilds it.
	pending map[string][]*Letter
}

func (a *Animation) reset() {
	*a = Animation{LastPacket: map[string][]byte{}, LastFrame: map[string][]byte{}, live: a.live}
}

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
		a.send(e, lookup, wall)
		a.remember(e)
	case sock.KindDropped:
		if !e.Link.IsZero() {
			a.lose(e, wall)
			return
		}
		a.land(e)
		if kind, _ := Classify(e.Packet); kind == LetterARP {
			a.Flashes = append(a.Flashes, Flash{Host: e.Host, Text: "not for me: " + e.Reason, Wall: wall, Calm: true})
			return
		}
		a.Flashes = append(a.Flashes, Flash{Host: e.Host, Text: flashText(e.Host, e.Reason), Wall: wall})
	case sock.KindDelivered, sock.KindForwarded:
		fr := a.land(e)
		if e.Frame == nil && e.Kind == sock.KindDelivered {
			// A packet handed up to a socket: the frame it came in is
			// the letter's that brought it.
			e.Frame = fr
		}
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
		a.LastPacket, a.LastFrame = map[string][]byte{}, map[string][]byte{}
	}
	if e.Local.IsValid() {
		for _, k := range []string{PacketKey(e.Host, e.Local, e.Remote), e.Host + " " + e.Local.String()} {
			a.LastPacket[k] = e.Packet
			if e.Frame != nil {
				a.LastFrame[k] = e.Frame
			} else {
				delete(a.LastFrame, k)
			}
		}
	}
}

// linkLookup finds the link a hop runs along, with its properties.
type linkLookup func(hop sock.Hop) (sock.LinkState, bool)

func (a *Animation) send(e sock.Event, lookup linkLookup, wall time.Duration) {
	ls, ok := lookup(e.Link)
	to := e.Link.To
	if !ok && e.Link.Loopback() {
		// A host's packet to itself (a watched machine's loopback)
		// takes no road: the town draws it from door to door.
		ls, ok = sock.LinkState{Name: e.Link.String(), A: to, B: to}, true
	}
	if !ok {
		return
	}
	cfg := ls.Config
	dur := cfg.Delay
	if cfg.Rate > 0 {
		// A frame holds the road for its preamble, its padded bytes,
		// its FCS and the gap after it, as the simulator counts it.
		n := len(e.Packet)
		if e.Frame != nil {
			n = wire.EthernetWireLen(len(e.Frame))
		}
		dur += time.Duration(int64(n) * 8 * int64(time.Second) / cfg.Rate)
	}
	kind, label := Classify(e.Packet)
	a.nextID++
	l := &Letter{
		ID: a.nextID, Link: ls.Name, From: e.Host, To: to, Packet: e.Packet, Frame: e.Frame, Kind: kind, Label: label,
		Note: e.Reason, Sent: e.Time, Dur: dur,
	}
	if a.live {
		a.slow(l, e.Link, wall)
	}
	a.Letters = append(a.Letters, l)
	if a.pending == nil {
		a.pending = map[string][]*Letter{}
	}
	k := landKey(l.To, l.Packet)
	a.pending[k] = append(a.pending[k], l)
	if len(a.Letters) > maxLetters {
		for _, old := range a.Letters[:len(a.Letters)-maxLetters] {
			old.off = true
		}
		a.Letters = a.Letters[len(a.Letters)-maxLetters:]
	}
}

// slow puts a live kernel's letter l, seen leaving along dir at wall
// time wall, onto wall time: a trip of TripTime or its real one, leaving
// after what its host received has arrived and LetterGap after the letter
// before it on the road, but no later than MaxLag from now.
func (a *Animation) slow(l *Letter, dir sock.Hop, wall time.Duration) {
	if a.ready == nil {
		a.ready, a.lastLeave = map[string]time.Duration{}, map[sock.Hop]time.Duration{}
	}
	leave := wall
	if r, ok := a.ready[l.From]; ok {
		leave = max(leave, r)
	}
	if last, ok := a.lastLeave[dir]; ok {
		leave = max(leave, last+LetterGap)
	}
	l.Leave, l.Trip = min(leave, wall+MaxLag), max(TripTime, l.Dur)
	a.lastLeave[dir] = l.Leave
}

// lose marks the newest letter on the link with this packet as lost.
func (a *Animation) lose(e sock.Event, wall time.Duration) {
	for i := len(a.Letters) - 1; i >= 0; i-- {
		l := a.Letters[i]
		if l.From == e.Host && !l.Lost && !l.Arrived && samePacket(l.Packet, e.Packet) {
			l.Lost, l.Reason, l.LostWall = true, e.Reason, wall
			return
		}
	}
}

// land takes off the road the oldest letter to this host (or switch) that
// carries the same IP packet (a router's copy differs in TTL and checksum;
// a corrupted one somewhere else, so the header's identity is compared),
// and returns the frame it came in.
//
// A slowed letter stays on the road until it reaches the far door on
// screen, and what its host sends next waits for it (see slow).
func (a *Animation) land(e sock.Event) (frame []byte) {
	k := landKey(e.Host, e.Packet)
	list := a.pending[k]
	for i, l := range list {
		if l.off || l.Lost || l.Arrived || !samePacket(l.Packet, e.Packet) {
			continue
		}
		if rest := append(list[:i:i], list[i+1:]...); len(rest) > 0 {
			a.pending[k] = rest
		} else {
			delete(a.pending, k)
		}
		if l.Trip > 0 {
			l.Arrived = true
			a.ready[l.To] = max(a.ready[l.To], l.end())
			return l.Frame
		}
		l.off = true
		if j := slices.Index(a.Letters, l); j >= 0 {
			a.Letters = slices.Delete(a.Letters, j, j+1)
		}
		return l.Frame
	}
	return nil
}

// landKey is where pending keeps a letter to host: what samePacket
// compares of an IPv4 packet (length, identification, fragment,
// protocol, addresses and the first payload bytes), or anything else
// whole.
func landKey(host string, p []byte) string {
	if len(p) < 20 || p[0]>>4 != 4 {
		return host + "\x00" + string(p)
	}
	return host + "\x00" + string(p[0:8]) + string(p[9:10]) + string(p[12:20]) + string(p[20:min(len(p), 28)])
}

// samePacket compares what identifies an IPv4 packet on its way: length,
// identification, fragment, protocol, addresses; and the first payload
// bytes (ports and sequence numbers). Anything else (an ARP message, which
// a switch passes on unchanged) must be the same bytes.
func samePacket(x, y []byte) bool {
	if len(x) < 20 || len(y) < 20 || x[0]>>4 != 4 || y[0]>>4 != 4 {
		return len(x) == len(y) && string(x) == string(y)
	}
	if string(x[0:8]) != string(y[0:8]) || x[9] != y[9] || string(x[12:20]) != string(y[12:20]) {
		return false
	}
	n := min(len(x), len(y), 28)
	return string(x[20:n]) == string(y[20:n])
}

// prunePending rebuilds pending when most of what it holds is no longer
// on its way (lost letters, and those whose arrival was never seen).
func (a *Animation) prunePending() {
	n := 0
	for _, list := range a.pending {
		n += len(list)
	}
	if n <= 2*len(a.Letters)+64 {
		return
	}
	clear(a.pending)
	for _, l := range a.Letters {
		if !l.Lost && !l.Arrived {
			k := landKey(l.To, l.Packet)
			a.pending[k] = append(a.pending[k], l)
		}
	}
}

// settle ends what is over: letters long overdue (their arrival was never
// seen, as for a corrupted header), finished falls, walks and flashes.
func (a *Animation) settle(now, wall time.Duration) {
	keep := a.Letters[:0]
	for _, l := range a.Letters {
		overdue := !l.Lost && now-l.Sent > 3*l.Dur+100*time.Millisecond
		if l.Trip > 0 {
			// A slowed letter is on screen for its whole trip; one
			// whose arrival was seen leaves the road at the far door.
			overdue = !l.Lost && wall >= l.end() && (l.Arrived || overdue)
		}
		fallen := l.Lost && l.Fall(wall) >= 1
		if !overdue && !fallen {
			keep = append(keep, l)
		} else {
			l.off = true
		}
	}
	clear(a.Letters[len(keep):])
	a.Letters = keep
	a.prunePending()
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
		if arp, err := wire.ParseARP(pkt); err == nil {
			return classifyARP(arp)
		}
		return LetterOther, "?"
	}
	if ip.IsFragment() {
		// A piece of a datagram: only the first carries the transport
		// header, so its bytes are named by offset, not parsed.
		kind := LetterOther
		switch ip.Protocol() {
		case wire.ProtocolUDP:
			kind = LetterUDP
		case wire.ProtocolICMP:
			kind = LetterICMP
		}
		more := ""
		if ip.Flags()&wire.IPv4MoreFragments != 0 {
			more = " +"
		}
		return kind, fmt.Sprintf("fragment @%d %d B%s", ip.FragOffset(), len(ip.Payload()), more)
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

// classifyARP names an ARP message as people say it: the question a
// request asks its whole link, or the answer a reply gives.
func classifyARP(m wire.ARP) (LetterKind, string) {
	switch {
	case m.Op() == wire.ARPRequest && m.IsAnnouncement():
		return LetterARP, "ARP: " + m.SenderIP().String() + " is mine"
	case m.Op() == wire.ARPRequest:
		return LetterARP, "who-has " + m.TargetIP().String() + "?"
	}
	return LetterARP, m.SenderIP().String() + " is-at " + m.SenderMAC().String()
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

// shiftWall moves every wall time the animation keeps by d, for a player
// whose wall clock was set to another reading (see Player.retime): what
// was a second ago still is.
func (a *Animation) shiftWall(d time.Duration) {
	if d == 0 {
		return
	}
	for _, l := range a.Letters {
		if l.Lost {
			l.LostWall += d
		}
		l.Leave += d
	}
	for i := range a.Polls {
		a.Polls[i].Wall += d
	}
	for i := range a.Transitions {
		a.Transitions[i].Wall += d
	}
	for i := range a.Flashes {
		a.Flashes[i].Wall += d
	}
}

// arriving puts on the road the letter that brought frame from far to
// host: the far town sent it, so this town saw no leaving; it sets off
// now, on wall time, and the arrival the runner makes next lands it.
func (a *Animation) arriving(host, far string, frame []byte, now, wall time.Duration, lookup linkLookup) {
	if len(frame) < wire.EthernetHeaderLen {
		return
	}
	e := sock.Event{Kind: sock.KindSent, Time: now, Host: far, Link: sock.Hop{From: far, To: host},
		Packet: frame[wire.EthernetHeaderLen:], Frame: frame}
	a.send(e, lookup, wall)
}
