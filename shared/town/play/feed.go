package play

import (
	"sync"

	"socketville/shared/sock"
)

// A source can be elsewhere too: a server watches its machine and streams
// each look to a page as Messages ("event"s, then the "snapshot" they led
// to). Fed is the page's end: the transport feeds it from any goroutine,
// and the town takes each complete look a frame at a time.

// maxFedEvents bounds the events a Fed keeps while the town does not take
// them (paused): past it the oldest go, since the next snapshot holds
// what they led to.
const maxFedEvents = 4096

// Fed is a Source whose looks a transport feeds as Messages: "event"s
// gather until a "snapshot" completes a look; an "error" or "note" is a
// trouble for the console (the source goes on). Kernel and Label are
// fixed when it is made, from what the server said of its watch.
type Fed struct {
	kernel, label string
	close         func() error

	mu      sync.Mutex
	events  []sock.Event // since the last snapshot the town took
	snap    sock.Snapshot
	ready   bool     // a snapshot came that the town has not taken
	trouble []string // words for the console, in order
	once    sync.Once
	err     error
}

// NewFed makes a Fed; close, when set, runs once on Close (it ends the
// transport).
func NewFed(kernel, label string, close func() error) *Fed {
	return &Fed{kernel: kernel, label: label, close: close}
}

// Feed adds a message of the stream.
func (f *Fed) Feed(m Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch m.Type {
	case "event":
		if m.Event == nil {
			return
		}
		if len(f.events) >= maxFedEvents {
			f.events = append(f.events[:0], f.events[len(f.events)-maxFedEvents/2:]...)
		}
		f.events = append(f.events, m.Event.Decode())
	case "snapshot":
		if m.Snapshot != nil {
			f.snap, f.ready = *m.Snapshot, true
		}
	case "error", "note":
		if m.Text != "" {
			f.trouble = append(f.trouble, m.Text)
		}
	}
}

// Closed says the stream ended, and why (shown in the console).
func (f *Fed) Closed(why string) { f.Feed(Message{Type: "error", Text: why}) }

// Take returns a trouble to say, else the newest complete look with every
// event since the last one taken.
func (f *Fed) Take() (Batch, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.trouble) > 0 {
		b := Batch{Err: f.trouble[0]}
		f.trouble = f.trouble[1:]
		return b, true
	}
	if !f.ready {
		return Batch{}, false
	}
	b := Batch{Snapshot: f.snap, Events: f.events}
	f.events, f.snap, f.ready = nil, sock.Snapshot{}, false
	return b, true
}

// Kernel names the kernel shown.
func (f *Fed) Kernel() string { return f.kernel }

// Label is the badge's words.
func (f *Fed) Label() string { return f.label }

// Close runs the close function given to NewFed, once; later calls return
// its result.
func (f *Fed) Close() error {
	f.once.Do(func() {
		if f.close != nil {
			f.err = f.close()
		}
	})
	return f.err
}
