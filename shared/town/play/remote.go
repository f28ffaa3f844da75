package play

import (
	"errors"
	"sync"

	"socketville/shared/script"
	"socketville/shared/sock"
)

// A town can be played elsewhere: a server runs the scenario on its own
// kernel (the machine's real sockets) and streams what happens, and the
// player shows that stream instead of running a simulator. These are the
// stream's messages, as JSON, one a WebSocket message.

// Message is one thing a remote run sends: Type says which field is set.
type Message struct {
	// Type is "hello" (Kernel, Badge: the run has begun), "event",
	// "line", "snapshot", "note" (Text: a line for the console), "end"
	// (the scenario is over) or "error" (Text: the run could not go on).
	Type     string         `json:"type"`
	Kernel   string         `json:"kernel,omitempty"`
	Badge    string         `json:"badge,omitempty"`
	Text     string         `json:"text,omitempty"`
	Event    *WireEvent     `json:"event,omitempty"`
	Line     *WireLine      `json:"line,omitempty"`
	Snapshot *sock.Snapshot `json:"snapshot,omitempty"`
}

// WireEvent is a sock.Event with its error as text.
type WireEvent struct {
	sock.Event
	Err string `json:"Err,omitempty"`
}

// ToWire and Decode carry an event over the stream.
func ToWire(e sock.Event) *WireEvent {
	w := &WireEvent{Event: e}
	w.Event.Err = nil
	if e.Err != nil {
		w.Err = e.Err.Error()
	}
	return w
}

// Decode is the event again, its error a plain one with the same words.
func (w *WireEvent) Decode() sock.Event {
	e := w.Event
	if w.Err != "" {
		e.Err = errors.New(w.Err)
	}
	return e
}

// WireLine is a script.LineRecord with its error as text.
type WireLine struct {
	script.LineRecord
	Err string `json:"Err,omitempty"`
}

// LineToWire carries a line record over the stream.
func LineToWire(r script.LineRecord) *WireLine {
	w := &WireLine{LineRecord: r}
	w.LineRecord.Err = nil
	if r.Err != nil {
		w.Err = r.Err.Error()
	}
	return w
}

// Decode is the line record again.
func (w *WireLine) Decode() script.LineRecord {
	r := w.LineRecord
	if w.Err != "" {
		r.Err = errors.New(w.Err)
	}
	return r
}

// Control is what the page asks of a remote run: "pause", "play" or
// "step" (start the next line now).
type Control struct {
	Op string `json:"op"`
}

// Remote is the player's end of a remote run: the transport Feeds it
// messages from any goroutine, and the player takes them each frame.
type Remote struct {
	// Send carries a control to the run; nil drops them.
	Send func(Control)
	// Reload asks for a run of another scenario (the picker, Restart):
	// a new connection, since a connection carries one run, whose
	// messages the Remote it returns receives. Nil: the console says it
	// cannot.
	Reload func(name string) *Remote

	mu      sync.Mutex
	queue   []Message
	kernel  string
	badge   string
	ended   bool
	stopped string
}

// Feed adds a message from the run.
func (r *Remote) Feed(m Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch m.Type {
	case "hello":
		r.kernel, r.badge = m.Kernel, m.Badge
	case "end":
		r.ended = true
	case "error":
		r.stopped = m.Text
	}
	r.queue = append(r.queue, m)
}

// Closed says the stream ended, why (shown in the console).
func (r *Remote) Closed(why string) {
	r.Feed(Message{Type: "error", Text: why})
}

func (r *Remote) take() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

func (r *Remote) names() (kernel, badge string, over bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kernel, r.badge, r.ended || r.stopped != ""
}

func (r *Remote) send(op string) {
	if r.Send != nil {
		r.Send(Control{Op: op})
	}
}

// tickRemote plays what the remote run sent since the last frame.
func (p *Player) tickRemote() {
	for _, m := range p.remote.take() {
		switch m.Type {
		case "event":
			if m.Event != nil {
				e := m.Event.Decode()
				p.remoteNow = max(p.remoteNow, e.Time)
				p.newEvent(e)
				p.anim.event(e, p.links, p.wall)
			}
		case "line":
			if m.Line != nil {
				r := m.Line.Decode()
				if r.Phase != script.PhaseDone && r.Line > 0 {
					p.started = true
				}
				sink{p}.Line(r)
			}
		case "snapshot":
			if m.Snapshot != nil {
				p.snap = *m.Snapshot
				p.remoteNow = max(p.remoteNow, p.snap.Now)
				p.snapGen++
			}
		case "note":
			p.console.add(LineInfo, m.Text)
		case "hello":
			p.console.add(LineInfo, "# playing on the server's kernel: "+m.Badge)
		case "end":
			p.console.add(LineInfo, "# the scenario is over on the server's kernel")
		case "error":
			p.console.add(LineError, m.Text)
		}
	}
}

// remoteLoad asks for a run of another scenario.
func (p *Player) remoteLoad(name, src string) error {
	if p.remote.Reload == nil {
		err := errors.New("this town plays a run on the server's kernel: reload the page to pick another scenario")
		p.console.add(LineError, err.Error())
		return err
	}
	p.name, p.src = name, src
	p.caption = newCaptions(src)
	p.anim.reset()
	p.snap, p.remoteNow, p.started = sock.Snapshot{}, 0, false
	p.snapGen++
	p.console.gen++
	p.console.add(LineInfo, "# scenario "+name+" on the server's kernel")
	p.remote = p.remote.Reload(name)
	if p.paused {
		p.remote.send("pause")
	}
	return nil
}
