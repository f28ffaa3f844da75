package play

import (
	"errors"
	"sync"
	"time"

	"socketville/shared/sock"
)

// A town need not play a scenario: it can show what something else hands
// it, a snapshot at a time with the events between them (the machine's
// own sockets, a peer's town). That something is a Source; the player
// asks it once a frame and never waits for it.

// Source is a stream of snapshots and events that is not a scenario. Take
// is called from the frame loop and must not block.
type Source interface {
	// Take returns what came since the last Take: the newest snapshot
	// and every event since the one before, or ok false when nothing
	// new came.
	Take() (b Batch, ok bool)
	// Kernel names the kernel shown ("Linux"); Label is the badge's
	// words ("watching this machine · sockets refreshed every 500 ms").
	Kernel() string
	Label() string
	// Close stops the source; Take is not called after it.
	Close() error
}

// Batch is one look at the source: its snapshot, the events that led to
// it, and a trouble to say in the console ("" when none; the source goes
// on looking).
type Batch struct {
	Snapshot sock.Snapshot
	Events   []sock.Event
	Err      string
}

// RefreshOptions say what a Refreshing source looks at and how often.
type RefreshOptions struct {
	// Refresh looks again: the snapshot now and the events since the
	// last look. It runs on the source's own goroutine, one call at a
	// time.
	Refresh func() (sock.Snapshot, []sock.Event, error)
	// Every is how long from one look to the next; 0 is 500 ms.
	Every time.Duration
	// Kernel and Label: see Source.
	Kernel, Label string
	// Close, when set, runs once the goroutine has stopped (the watch's
	// netlink sockets go with it).
	Close func() error
}

// Refreshing is a Source that looks again every Every, off the frame
// loop: a goroutine calls Refresh and hands each result over a channel
// that holds one. While the town has not taken the last one the
// goroutine waits and does not look again; the next look's events then
// cover the time it waited, so nothing is lost and nothing piles up.
type Refreshing struct {
	opts RefreshOptions
	ch   chan Batch
	stop chan struct{}
	done chan struct{}
	once sync.Once
	err  error
}

// NewRefreshing starts looking at once.
func NewRefreshing(opts RefreshOptions) *Refreshing {
	if opts.Every <= 0 {
		opts.Every = 500 * time.Millisecond
	}
	r := &Refreshing{opts: opts, ch: make(chan Batch, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *Refreshing) run() {
	defer close(r.done)
	tick := time.NewTicker(r.opts.Every)
	defer tick.Stop()
	failing := ""
	for {
		snap, events, err := r.opts.Refresh()
		var b Batch
		switch {
		case err != nil && err.Error() == failing:
			b = Batch{} // said once already: wait for the next look
		case err != nil:
			failing = err.Error()
			b = Batch{Err: failing + " (still watching)"}
		default:
			failing = ""
			b = Batch{Snapshot: snap, Events: events}
		}
		if err == nil || b.Err != "" {
			select {
			case r.ch <- b:
			case <-r.stop:
				return
			}
		}
		select {
		case <-tick.C:
		case <-r.stop:
			return
		}
	}
}

// Take returns the last look, if the town has not had it yet.
func (r *Refreshing) Take() (Batch, bool) {
	select {
	case b := <-r.ch:
		return b, true
	default:
		return Batch{}, false
	}
}

// Kernel is RefreshOptions.Kernel.
func (r *Refreshing) Kernel() string { return r.opts.Kernel }

// Label is RefreshOptions.Label.
func (r *Refreshing) Label() string { return r.opts.Label }

// Close stops the goroutine, waits for it (a Refresh under way
// finishes first) and runs RefreshOptions.Close. Later calls return the
// first's result.
func (r *Refreshing) Close() error {
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		if r.opts.Close != nil {
			r.err = r.opts.Close()
		}
	})
	return r.err
}

// errWatched is what a typed line gets in a town that shows a source.
var errWatched = errors.New("this town shows real programs' sockets: a typed line has no process of the town's to run in (socketville desktop --os plays a scenario on real sockets)")

// tickSource plays what the source handed over since the last frame.
// Paused, nothing is taken: the picture holds, and the source waits.
func (p *Player) tickSource() {
	if p.paused {
		return
	}
	b, ok := p.source.Take()
	if !ok {
		return
	}
	if b.Err != "" {
		p.console.add(LineError, b.Err)
		return
	}
	for _, e := range b.Events {
		p.sourceNow = max(p.sourceNow, e.Time)
		p.newEvent(e)
		p.anim.event(e, p.links, p.wall)
	}
	p.snap = b.Snapshot
	p.sourceNow = max(p.sourceNow, p.snap.Now)
	p.snapGen++
}

// Watching reports whether the town shows a Source rather than a
// scenario: no story, no lines to type, nothing to restart.
func (p *Player) Watching() bool { return p.source != nil }
