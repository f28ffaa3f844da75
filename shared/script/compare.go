package script

import (
	"fmt"
	"io"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"socketville/shared/sock"

	"socketville/shared/netsim"
)

// Recording is what one run of a scenario produced.
type Recording struct {
	Kernel string // the run's name in a report: "simulator", "Linux"
	Lines  []LineRecord
	Events []sock.Event
}

// Recorder is a Sink that keeps a run's lines and events in Rec and passes
// them on to Next (if not nil). Events keep their packet bytes, which are
// shared and must not be modified.
type Recorder struct {
	Rec  Recording
	Next Sink
}

// Event keeps the event and passes it on.
func (r *Recorder) Event(e sock.Event) {
	r.Rec.Events = append(r.Rec.Events, e)
	if r.Next != nil {
		r.Next.Event(e)
	}
}

// Line keeps the line and passes it on.
func (r *Recorder) Line(l LineRecord) {
	r.Rec.Lines = append(r.Rec.Lines, l)
	if r.Next != nil {
		r.Next.Line(l)
	}
}

// The aspects of a Difference.
const (
	AspectResult  = "result"  // a call returned something else
	AspectErrno   = "errno"   // a call failed with another errno, or failed in one run only
	AspectStates  = "states"  // a socket went through other TCP states
	AspectMissing = "missing" // a call completed in one run only
)

// Difference is one place where two runs disagree.
type Difference struct {
	Line      int    // the scenario line (0 for none: a connection no call made or accepted)
	Who, Text string // "b/web", "accept 3"; for a connection with no line, its host and addresses
	Aspect    string // AspectResult, AspectErrno, AspectStates or AspectMissing
	// A and B are what each run gave: a result as printed after "=>", or a
	// state sequence "SYN-SENT -> ESTABLISHED"; "" for a call that did not
	// complete or a socket the run did not have. A is the first recording,
	// usually the simulator.
	A, B string
	// Documented is the name of the netsim.Deliberate entry that explains
	// the difference, "" if none does.
	Documented string
}

// Compare holds two runs of one scenario against each other and returns
// where they disagree, in scenario order (differences on no line last).
//
// Every call that completed is matched between the runs by its line number
// and, for a line completing more than once, the order of completion, so
// background calls that finish at other moments still meet; their result
// texts and errnos are compared, and a call that completed in one run only
// is AspectMissing. Each socket's TCP states (the To of its KindState
// events, from its KindSocket or KindAccept to its KindClose, with the
// states its connection goes through before accept and after close) are
// compared once, on the line that created it. Times are never compared.
//
// A difference is documented by one of deliberate's entries only when it
// is plainly that entry: "ephemeral ports" when the results are equal but
// for ports from 32768 up, and every such port of A stands for the same
// port of B throughout; "ARP timing" when an arp line's caches hold the
// same entries in other states (REACHABLE, STALE, DELAY, PROBE); "no IPv4
// fragmentation" when A failed with
// EMSGSIZE and B succeeded; "skipped states" when one state sequence is a
// subsequence of the other, ending in the same state. An entry missing
// from deliberate documents nothing.
func Compare(a, b Recording, deliberate []netsim.Departure) []Difference {
	return compare(a, b, deliberate).diffs
}

// comparison is Compare's whole answer, with the counts a report ends with.
type comparison struct {
	diffs          []Difference
	lines, sockets int
	// faulty: a link lost or copied packets in one of the runs. Both
	// kernels draw the same fates packet by packet, but their TCPs send
	// different packets, so the faults strike other segments.
	faulty bool
}

func compare(a, b Recording, deliberate []netsim.Departure) comparison {
	known := map[string]bool{}
	for _, d := range deliberate {
		known[d.Name] = true
	}
	doc := func(name string, ok bool) string {
		if ok && known[name] {
			return name
		}
		return ""
	}
	c := comparison{faulty: hadFaults(a) || hadFaults(b)}
	ports := newPortMap()
	sa, sb := socketsOf(a), socketsOf(b)

	// The kernels' own word on which port is which comes first: the
	// addresses of the sockets the same calls made.
	for _, k := range sa.order {
		if lb, ok := sb.lives[k]; ok {
			la := sa.lives[k]
			ports.learn(pairPorts(la.local, lb.local), pairPorts(la.remote, lb.remote))
		}
	}

	la, lb := doneLines(a), doneLines(b)
	keys := unionKeys(la, lb)
	c.lines = len(keys)
	for _, k := range keys {
		ra, okA := la[k]
		rb, okB := lb[k]
		d := Difference{Line: k.line}
		switch {
		case okA:
			d.Who, d.Text = ra.Who, ra.Text
		default:
			d.Who, d.Text = rb.Who, rb.Text
		}
		if !okA || !okB {
			d.Aspect = AspectMissing
			if okA {
				d.A = ra.Result
			}
			if okB {
				d.B = rb.Result
			}
			c.diffs = append(c.diffs, d)
			continue
		}
		ea, eb := errnoName(ra.Err), errnoName(rb.Err)
		pairs, sameButPorts := ports.match(ra.Result, rb.Result)
		if ea == eb && ra.Result == rb.Result {
			ports.learn(pairs)
			continue
		}
		d.A, d.B = ra.Result, rb.Result
		switch {
		case ea != eb:
			d.Aspect = AspectErrno
			d.Documented = doc("no IPv4 fragmentation", ea == "EMSGSIZE" && rb.Err == nil)
		case sameTimings(ra.Result, rb.Result):
			d.Aspect = AspectResult
			d.Documented = doc("timing", true)
		case strings.HasPrefix(ra.Text, "arp ") && sameButNeighStates(ra.Result, rb.Result):
			d.Aspect = AspectResult
			d.Documented = doc("ARP timing", true)
		default:
			d.Aspect = AspectResult
			d.Documented = doc("ephemeral ports", sameButPorts)
			if sameButPorts {
				ports.learn(pairs)
			}
		}
		c.diffs = append(c.diffs, d)
	}
	c.reordered(la, lb, doc)

	// States, socket by socket, in the order A made them, then those only
	// B made.
	made := func(k lifeKey) (LineRecord, bool) {
		if l, ok := sa.made[k]; ok {
			return l, true
		}
		l, ok := sb.made[k]
		return l, ok
	}
	var lifeKeys []lifeKey
	lifeKeys = append(lifeKeys, sa.order...)
	for _, k := range sb.order {
		if _, ok := sa.lives[k]; !ok {
			lifeKeys = append(lifeKeys, k)
		}
	}
	for _, k := range lifeKeys {
		c.sockets++
		lA, lB := sa.lives[k], sb.lives[k]
		line, ok := made(k)
		if ok && (lA == nil && !hasKey(sa.made, k) || lB == nil && !hasKey(sb.made, k)) {
			// The call that made it did not complete in one run, or
			// failed there: that is reported on its line already.
			continue
		}
		d := Difference{Who: k.host + "/" + k.proc, Text: "fd " + strconv.Itoa(k.fd), Aspect: AspectStates}
		if ok {
			d.Line, d.Text = line.Line, line.Text
		}
		if c.statesDiffer(&d, lA.statesOrNil(), lB.statesOrNil(), doc) {
			c.diffs = append(c.diffs, d)
		}
	}

	// Connections no socket of the scenario's claimed, by host and
	// addresses, A's ports read as B's.
	matched := map[addrKey]bool{}
	for _, k := range sa.looseOrder {
		c.sockets++
		kb := addrKey{k.host, ports.toB(k.local), ports.toB(k.remote)}
		matched[kb] = true
		d := Difference{Who: k.host, Text: k.String(), Aspect: AspectStates}
		if c.statesDiffer(&d, sa.loose[k], sb.loose[kb], doc) {
			c.diffs = append(c.diffs, d)
		}
	}
	for _, k := range sb.looseOrder {
		if matched[k] {
			continue
		}
		c.sockets++
		d := Difference{Who: k.host, Text: k.String(), Aspect: AspectStates}
		if c.statesDiffer(&d, nil, sb.loose[k], doc) {
			c.diffs = append(c.diffs, d)
		}
	}

	sort.SliceStable(c.diffs, func(i, j int) bool { return order(c.diffs[i].Line) < order(c.diffs[j].Line) })
	return c
}

// order sorts lines in scenario order, line 0 (none) last.
func order(line int) int {
	if line == 0 {
		return math.MaxInt
	}
	return line
}

// statesDiffer fills d with two state sequences and reports whether they
// differ.
func (c *comparison) statesDiffer(d *Difference, a, b []sock.State, doc func(string, bool) string) bool {
	if equalStates(a, b) {
		return false
	}
	d.A, d.B = joinStates(a), joinStates(b)
	d.Documented = doc("skipped states", sampled(a, b) || sampled(b, a))
	if d.Documented == "" {
		d.Documented = doc("faults on TCP", c.faulty)
	}
	return true
}

// reordered documents as timing the results of reads that only came in
// another order: where a link holds packets back, which one overtakes
// which depends on when each was sent, and the OS kernel sends them a
// little apart where the simulator sends them at one instant. The reads
// are the same call (who and text), and over all of them each run got the
// same results.
func (c *comparison) reordered(la, lb map[lineKey]LineRecord, doc func(string, bool) string) {
	if !c.faulty {
		return
	}
	type call struct{ who, text string }
	results := func(m map[lineKey]LineRecord, k call) []string {
		var out []string
		for _, l := range m {
			if l.Who == k.who && l.Text == k.text {
				out = append(out, l.Result+"|"+errnoName(l.Err))
			}
		}
		slices.Sort(out)
		return out
	}
	for i := range c.diffs {
		d := &c.diffs[i]
		if d.Documented != "" || d.Aspect != AspectResult && d.Aspect != AspectMissing {
			continue
		}
		if !strings.HasPrefix(d.Text, "recv") {
			continue
		}
		k := call{d.Who, d.Text}
		if slices.Equal(results(la, k), results(lb, k)) {
			d.Documented = doc("timing", true)
		}
	}
}

// hadFaults reports whether a link lost, copied or damaged a packet in r.
func hadFaults(r Recording) bool {
	for _, e := range r.Events {
		// "lost on the link" in the simulator and on Linux's wires, "loss"
		// in recordings of Linux's wires before they spoke the same words.
		lost := e.Reason == "lost on the link" || e.Reason == "loss"
		if e.Kind == sock.KindDropped && lost || e.Kind == sock.KindSent && e.Reason == "duplicate" {
			return true
		}
	}
	return false
}

func hasKey(m map[lifeKey]LineRecord, k lifeKey) bool {
	_, ok := m[k]
	return ok
}

func equalStates(a, b []sock.State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sampled reports whether short is what sampling long could have seen: a
// subsequence of it with the same last state.
func sampled(short, long []sock.State) bool {
	if len(short) == 0 || len(long) == 0 || short[len(short)-1] != long[len(long)-1] {
		return false
	}
	i := 0
	for _, s := range long {
		if i < len(short) && short[i] == s {
			i++
		}
	}
	return i == len(short)
}

func joinStates(ss []sock.State) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, " -> ")
}

func errnoName(err error) string {
	if e := sock.ErrnoOf(err); e != nil {
		return e.Name()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// lineKey names a completed call: its line and, for a line that completes
// more than once, which completion.
type lineKey struct{ line, occ int }

func doneLines(r Recording) map[lineKey]LineRecord {
	m := map[lineKey]LineRecord{}
	n := map[int]int{}
	for _, l := range r.Lines {
		if l.Phase != PhaseDone {
			continue
		}
		m[lineKey{l.Line, n[l.Line]}] = l
		n[l.Line]++
	}
	return m
}

func unionKeys(a, b map[lineKey]LineRecord) []lineKey {
	var keys []lineKey
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].line != keys[j].line {
			return keys[i].line < keys[j].line
		}
		return keys[i].occ < keys[j].occ
	})
	return keys
}

// firstEphemeral is where ports that a kernel may choose itself start:
// Linux's ip_local_port_range starts at 32768, the simulator counts from
// 49152.
const firstEphemeral = 32768

// portMap pairs A's ephemeral ports with B's, one to one.
type portMap struct{ ab, ba map[uint16]uint16 }

func newPortMap() *portMap {
	return &portMap{ab: map[uint16]uint16{}, ba: map[uint16]uint16{}}
}

// portPair is a port of A and the port of B in its place.
type portPair struct{ a, b uint16 }

// pairPorts pairs two addresses' ports when both may be a kernel's choice.
func pairPorts(a, b netip.AddrPort) []portPair {
	if !a.IsValid() || !b.IsValid() || a.Port() < firstEphemeral || b.Port() < firstEphemeral {
		return nil
	}
	return []portPair{{a.Port(), b.Port()}}
}

// fits reports whether the pairs agree with the map and with each other.
func (m *portMap) fits(pairs []portPair) bool {
	ab, ba := map[uint16]uint16{}, map[uint16]uint16{}
	for _, p := range pairs {
		if b, ok := m.ab[p.a]; ok && b != p.b {
			return false
		}
		if a, ok := m.ba[p.b]; ok && a != p.a {
			return false
		}
		if b, ok := ab[p.a]; ok && b != p.b {
			return false
		}
		if a, ok := ba[p.b]; ok && a != p.a {
			return false
		}
		ab[p.a], ba[p.b] = p.b, p.a
	}
	return true
}

// learn adds each group of pairs that fits the map; a group that does not
// is left out whole.
func (m *portMap) learn(groups ...[]portPair) {
	for _, pairs := range groups {
		if !m.fits(pairs) {
			continue
		}
		for _, p := range pairs {
			m.ab[p.a], m.ba[p.b] = p.b, p.a
		}
	}
}

// match compares two result texts with their ephemeral ports masked. It
// returns the ports' pairs and whether the texts are equal but for ports
// that pair consistently with the map (false for texts equal outright).
func (m *portMap) match(a, b string) ([]portPair, bool) {
	ma, pa := maskPorts(a)
	mb, pb := maskPorts(b)
	if ma != mb || len(pa) != len(pb) {
		return nil, false
	}
	pairs := make([]portPair, len(pa))
	for i := range pa {
		pairs[i] = portPair{pa[i], pb[i]}
	}
	return pairs, a != b && m.fits(pairs)
}

// toB reads an address of A with B's port for it, where the map has one.
func (m *portMap) toB(ap netip.AddrPort) netip.AddrPort {
	if p, ok := m.ab[ap.Port()]; ok && ap.IsValid() {
		return netip.AddrPortFrom(ap.Addr(), p)
	}
	return ap
}

// addrPort finds "ADDR:PORT" in a result, IPv4 or bracketed IPv6.
var addrPort = regexp.MustCompile(`(\d{1,3}(?:\.\d{1,3}){3}|\])(:)(\d{1,5})\b`)

// maskPorts replaces every port from firstEphemeral up that follows an
// address by "*" and returns them in order.
func maskPorts(s string) (string, []uint16) {
	var ports []uint16
	out := addrPort.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.LastIndexByte(m, ':')
		n, err := strconv.Atoi(m[i+1:])
		if err != nil || n < firstEphemeral || n > math.MaxUint16 {
			return m
		}
		ports = append(ports, uint16(n))
		return m[:i+1] + "*"
	})
	return out, ports
}

// lifeKey names a socket across runs: its process, its fd, and which
// socket with that fd it was (an fd is used again after close).
type lifeKey struct {
	host, proc string
	fd, k      int
}

// addrKey names a connection by its host and addresses.
type addrKey struct {
	host          string
	local, remote netip.AddrPort
}

func (k addrKey) String() string { return fmt.Sprintf("%v <-> %v", k.local, k.remote) }

// life is one socket from creation to close, and its connection's states.
type life struct {
	local, remote netip.AddrPort
	states        []sock.State
	claimed       bool // the states before accept are in
}

func (l *life) statesOrNil() []sock.State {
	if l == nil {
		return nil
	}
	return l.states
}

// sockets is one run's sockets, their states, and the calls that made them.
type sockets struct {
	lives map[lifeKey]*life
	order []lifeKey
	made  map[lifeKey]LineRecord
	// loose are connections no socket claimed (never accepted, say).
	loose      map[addrKey][]sock.State
	looseOrder []addrKey
}

// socketsOf follows every socket of a run through its events. A state
// event with FD 0 belongs to a connection not yet accepted, or closed and
// finishing in the kernel: it goes with the socket whose addresses it has,
// the socket closed before it (unless that one reached CLOSED) or the one
// accepted after it.
func socketsOf(r Recording) *sockets {
	s := &sockets{lives: map[lifeKey]*life{}, made: map[lifeKey]LineRecord{}, loose: map[addrKey][]sock.State{}}
	type fdKey struct {
		host, proc string
		fd         int
	}
	open := map[fdKey]*life{}
	count := map[fdKey]int{}
	closed := map[addrKey]*life{}
	pending := map[addrKey][]sock.State{}
	var pendingOrder []addrKey
	start := func(f fdKey) *life {
		l := &life{}
		k := lifeKey{f.host, f.proc, f.fd, count[f]}
		count[f]++
		s.lives[k] = l
		s.order = append(s.order, k)
		open[f] = l
		return l
	}
	for _, e := range r.Events {
		if e.FD == 0 {
			if e.Kind != sock.KindState {
				continue
			}
			ak := addrKey{e.Host, e.Local, e.Remote}
			if l := closed[ak]; l != nil && len(l.states) > 0 && l.states[len(l.states)-1] != sock.StateClosed {
				l.states = append(l.states, e.To)
				continue
			}
			if _, ok := pending[ak]; !ok {
				pendingOrder = append(pendingOrder, ak)
			}
			pending[ak] = append(pending[ak], e.To)
			continue
		}
		f := fdKey{e.Host, e.Proc, e.FD}
		l := open[f]
		if l == nil || e.Kind == sock.KindSocket || e.Kind == sock.KindAccept {
			l = start(f)
		}
		if e.Local.IsValid() {
			l.local = e.Local
		}
		if e.Remote.IsValid() {
			l.remote = e.Remote
		}
		if !l.claimed && l.local.IsValid() && l.remote.IsValid() {
			l.claimed = true
			ak := addrKey{e.Host, l.local, l.remote}
			if ss, ok := pending[ak]; ok {
				l.states = append(ss, l.states...)
				delete(pending, ak)
			}
		}
		switch e.Kind {
		case sock.KindState:
			l.states = append(l.states, e.To)
		case sock.KindClose:
			delete(open, f)
			if l.local.IsValid() && l.remote.IsValid() {
				closed[addrKey{e.Host, l.local, l.remote}] = l
			}
		}
	}
	for _, ak := range pendingOrder {
		if ss, ok := pending[ak]; ok {
			s.loose[ak] = ss
			s.looseOrder = append(s.looseOrder, ak)
		}
	}

	// The call that made each socket: the k-th socket or accept of its
	// process that returned its fd.
	n := map[fdKey]int{}
	for _, l := range r.Lines {
		if l.Phase != PhaseDone || l.Err != nil {
			continue
		}
		op, _, _ := strings.Cut(l.Text, " ")
		if op != "socket" && op != "accept" {
			continue
		}
		first, _, _ := strings.Cut(l.Result, " ")
		fd, err := strconv.Atoi(first)
		host, proc, ok := strings.Cut(l.Who, "/")
		if err != nil || !ok || fd <= 0 {
			continue
		}
		f := fdKey{host, proc, fd}
		s.made[lifeKey{host, proc, fd, n[f]}] = l
		n[f]++
	}
	return s
}

// WriteComparison writes the report people read: a block for each
// difference, what each run gave and what explains it, and a last line
// with the count.
//
//	line 14  b/web: accept 3
//	  simulator  => 4 from 10.0.0.1:49152
//	  Linux      => 4 from 10.0.0.1:41822
//	  documented: ephemeral ports (the simulator counts up from 49152; ...)
//
//	14 lines and 5 sockets compared: 1 difference, all documented
func WriteComparison(w io.Writer, a, b Recording, diffs []Difference) error {
	texts := map[string]string{}
	for _, d := range netsim.Deliberate() {
		texts[d.Name] = d.Text
	}
	nameA, nameB := a.Kernel, b.Kernel
	if nameA == "" {
		nameA = "first"
	}
	if nameB == "" {
		nameB = "second"
	}
	width := max(len(nameA), len(nameB))
	var sb strings.Builder
	undocumented := 0
	for _, d := range diffs {
		where := "line " + strconv.Itoa(d.Line)
		if d.Line == 0 {
			where = "no line"
		}
		what := d.Text
		if d.Who != "" && d.Line != 0 {
			what = d.Who + ": " + d.Text
		} else if d.Who != "" {
			what = d.Who + " " + d.Text
		}
		if d.Aspect != AspectResult {
			what += "  (" + d.Aspect + ")"
		}
		fmt.Fprintf(&sb, "%s  %s\n", where, what)
		for _, run := range []struct{ name, got string }{{nameA, d.A}, {nameB, d.B}} {
			fmt.Fprintf(&sb, "  %-*s  %s\n", width, run.name, gave(d.Aspect, run.got, width))
		}
		switch {
		case d.Documented == "":
			undocumented++
			sb.WriteString("  not documented\n")
		case texts[d.Documented] != "":
			fmt.Fprintf(&sb, "  documented: %s (%s)\n", d.Documented, texts[d.Documented])
		default:
			fmt.Fprintf(&sb, "  documented: %s\n", d.Documented)
		}
		sb.WriteString("\n")
	}
	c := compare(a, b, nil)
	fmt.Fprintf(&sb, "%d %s and %d %s compared: ", c.lines, plural(c.lines, "line", "lines"), c.sockets, plural(c.sockets, "socket", "sockets"))
	switch {
	case len(diffs) == 0:
		sb.WriteString("no differences\n")
	case undocumented == 0:
		fmt.Fprintf(&sb, "%d %s, all documented\n", len(diffs), plural(len(diffs), "difference", "differences"))
	case undocumented == len(diffs) && len(diffs) == 1:
		sb.WriteString("1 difference, not documented\n")
	default:
		fmt.Fprintf(&sb, "%d %s, %d not documented\n", len(diffs), plural(len(diffs), "difference", "differences"), undocumented)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// gave says what a run gave, as the report prints it; a result of several
// lines goes on indented under the first.
func gave(aspect, got string, width int) string {
	switch {
	case got == "" && aspect == AspectStates:
		return "(no states)"
	case got == "":
		return "(did not complete)"
	case aspect == AspectStates:
		return got
	}
	indent := "\n" + strings.Repeat(" ", 2+width+2+3)
	return "=> " + strings.ReplaceAll(strings.TrimRight(got, "\n"), "\n", indent)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// neighState is the state that ends a line of "arp HOST", with the
// address before it when the entry has one.
var neighState = regexp.MustCompile(`(?m) (REACHABLE|STALE|DELAY|PROBE)$`)

// sameButNeighStates reports whether two ARP caches, as "arp HOST" prints
// them, differ only in the states of entries that both have with the same
// address: the states that time moves through.
func sameButNeighStates(a, b string) bool {
	mask := func(s string) string { return neighState.ReplaceAllString(s, " (resolved)") }
	return a != b && mask(a) == mask(b)
}

// measured is a time a call measured and printed ("44.924" in ping's
// "rtt min/avg/max 44.924/45.132/45.273 ms").
var measured = regexp.MustCompile(`\d+\.\d+(/\d+\.\d+)* ms\b`)

// sameTimings reports whether two results differ only in times they
// measured, which virtual time and the wall clock give differently.
func sameTimings(a, b string) bool {
	mask := func(s string) string { return measured.ReplaceAllString(s, "T ms") }
	return a != b && mask(a) == mask(b)
}
