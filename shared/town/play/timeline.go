package play

import (
	"slices"
	"time"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// The timeline is every event of the scenario's run since it was loaded,
// as one line each, like Packet Tracer's event list: the town's view lists
// a page of it, filtered, and scrubs with JumpTo.

// TimelineEntry is one event of the timeline.
type TimelineEntry struct {
	Index int           // the event's place in the run, from 0
	At    time.Duration // its virtual time
	Host  string
	Proc  string // "" for an event of the host (a packet on a link)
	FD    int    // 0 for an event not about one socket
	Kind  sock.Kind
	// Text is what the trace prints after the place and the kind:
	// "[a->b] 10.0.0.1:49152 > 10.0.0.2:80 SYN seq=...".
	Text string
}

// TimelineFilter picks entries of the timeline: those that match every
// field set. FD's "any" is -1, so start from AllEvents() and set what
// narrows it.
type TimelineFilter struct {
	Host string // "" any host
	Proc string // "" any process
	// FD picks one socket of Host/Proc; -1 any, 0 events about no socket.
	FD    int
	Kinds []sock.Kind // nil: every kind
}

// AllEvents is the filter that picks every entry.
func AllEvents() TimelineFilter { return TimelineFilter{FD: -1} }

// match reports whether f picks e.
func (f TimelineFilter) match(e *TimelineEntry) bool {
	return (f.Host == "" || e.Host == f.Host) && (f.Proc == "" || e.Proc == f.Proc) &&
		(f.FD < 0 || e.FD == f.FD) && (f.Kinds == nil || slices.Contains(f.Kinds, e.Kind))
}

// all reports whether f picks every entry.
func (f TimelineFilter) all() bool { return f.Host == "" && f.Proc == "" && f.FD < 0 && f.Kinds == nil }

// Timeline returns up to n of the entries f picks, from the from-th of
// them (counting from 0), and how many f picks in all, so that a view
// pages through a long run without copying it each frame. Entries past
// EventIndex are the recorded future, shown while back in time. A
// negative from or n is taken as 0. A town that cannot go back (live,
// remote, watched) lists its events too, the last 50,000 to 100,000 of
// them; Index still counts from its first.
func (p *Player) Timeline(f TimelineFilter, from, n int) (entries []TimelineEntry, total int) {
	all := p.hist.entries
	from, n = max(from, 0), max(n, 0)
	if f.all() {
		end := min(from+n, len(all))
		if from < end {
			entries = slices.Clone(all[from:end])
		}
		return entries, len(all)
	}
	picked := p.hist.picked.of(f, all, p.hist.cuts)
	for _, i := range picked[min(from, len(picked)):min(from+n, len(picked))] {
		entries = append(entries, all[i])
	}
	return entries, len(picked)
}

// picks keeps which entries the last filter asked for picks, so that a
// view asking for a page each frame does not look through the whole
// timeline each time: only at the entries that came since.
type picks struct {
	f      TimelineFilter
	seen   int     // entries looked at
	first  int     // the first entry's Index then (a live town's drop old ones)
	picked []int32 // their places
	cuts   int     // history.cuts then
	valid  bool
}

// of is the places of the entries in all that f picks; cuts counts the
// times the timeline's end was cut off.
func (c *picks) of(f TimelineFilter, all []TimelineEntry, cuts int) []int32 {
	same := c.valid && c.f.Host == f.Host && c.f.Proc == f.Proc && c.f.FD == f.FD && slices.Equal(c.f.Kinds, f.Kinds)
	first := 0
	if len(all) > 0 {
		first = all[0].Index
	}
	if !same || c.seen > len(all) || first != c.first || cuts != c.cuts {
		*c = picks{f: TimelineFilter{Host: f.Host, Proc: f.Proc, FD: f.FD, Kinds: slices.Clone(f.Kinds)}, first: first, cuts: cuts, valid: true}
	}
	for i := c.seen; i < len(all); i++ {
		if f.match(&all[i]) {
			c.picked = append(c.picked, int32(i))
		}
	}
	c.seen = len(all)
	return c.picked
}

// entryOf is event e, the run's index-th, as the timeline lists it.
func entryOf(index int, e sock.Event) TimelineEntry {
	return TimelineEntry{
		Index: index, At: e.Time, Host: e.Host, Proc: e.Proc, FD: e.FD, Kind: e.Kind,
		Text: script.Describe(e),
	}
}
