package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// Looker is one watch of the machine's sockets, as the page's feed reads
// it: each Refresh the snapshot now and the events since the last.
type Looker interface {
	Refresh() (sock.Snapshot, []sock.Event, error)
	Close() error
}

// Watches lets the page show the serving machine's own sockets: GET
// /watch/info says whether it may, what is watched and how it is named,
// and the WebSocket /watch/feed streams a watch of them to the page, one
// look every Every: its events, then its snapshot (play.Message, as
// JSON). Each connection has a watch of its own, closed when the page
// goes and when the server stops. Only a page of this server may connect,
// and only one opened on a loopback address unless Open.
type Watches struct {
	// New makes the watch of one connection; nil means the server was
	// started without --watch.
	New func() (Looker, error)
	// Every is how long from one look to the next; 0 is 500 ms.
	Every time.Duration
	// Name names the town (the machine or namespace watched); Kernel and
	// Label are its badge (see play.Source).
	Name, Kernel, Label string
	// Open lets a page of this server opened on any address watch (the
	// server listens beyond loopback because its --addr says so).
	Open bool

	ctx context.Context
	wg  sync.WaitGroup
}

// NewWatches serves watches until ctx ends; set its fields before it
// serves. Wait waits for the watches to end.
func NewWatches(ctx context.Context) *Watches { return &Watches{ctx: ctx} }

// Wait returns once every connection's watch has been closed.
func (w *Watches) Wait() { w.wg.Wait() }

// WatchInfo is what GET /watch/info answers.
type WatchInfo struct {
	Watch  bool   `json:"watch"`
	Why    string `json:"why,omitempty"`
	Name   string `json:"name,omitempty"`
	Kernel string `json:"kernel,omitempty"`
	Label  string `json:"label,omitempty"`
}

// withoutWatch is the server's answer when it was not started with --watch.
const withoutWatch = "this server was started without --watch: it shows no machine's sockets (start it with socketville serve --watch); the page plays on its own simulator instead"

func (w *Watches) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/watch/info":
		info := WatchInfo{Watch: w.New != nil}
		if info.Watch {
			info.Name, info.Kernel, info.Label = w.Name, w.Kernel, w.Label
		} else {
			info.Why = withoutWatch
		}
		writeJSON(rw, info)
	case "/watch/feed":
		w.serveFeed(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

// sameOrigin reports whether the request comes from a page of this server
// (its Origin names the host it was sent to).
func sameOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func (w *Watches) serveFeed(rw http.ResponseWriter, r *http.Request) {
	if w.New == nil {
		http.Error(rw, withoutWatch, http.StatusNotImplemented)
		return
	}
	if w.Open && !sameOrigin(r) || !w.Open && !loopbackOrigin(r) {
		http.Error(rw, "the machine's sockets may be watched only by this server's own page, opened on a loopback address (serve --addr says where else)", http.StatusForbidden)
		return
	}
	look, err := w.New()
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	w.wg.Add(1)
	defer w.wg.Done()
	defer look.Close()
	c, err := websocket.Accept(rw, r, nil) // the origin was checked above
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	attend(ctx, cancel, c, make(chan play.Control, 1)) // a watch takes no controls
	if err := w.feed(ctx, c, look); err != nil {
		return // the page is gone
	}
	c.Close(websocket.StatusNormalClosure, "the server stops")
}

// feed sends a look every Every until ctx ends; an error is the page's.
// A failing look is said once, and the watch goes on.
func (w *Watches) feed(ctx context.Context, c *websocket.Conn, look Looker) error {
	send := func(m play.Message) error {
		sctx, done := context.WithTimeout(ctx, 5*time.Second)
		defer done()
		return wsjson.Write(sctx, c, m)
	}
	if err := send(play.Message{Type: "hello", Kernel: w.Kernel, Badge: w.Label}); err != nil {
		return err
	}
	every := w.Every
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	failing := ""
	for {
		snap, events, err := look.Refresh()
		switch {
		case err != nil && err.Error() != failing:
			failing = err.Error()
			if err := send(play.Message{Type: "error", Text: failing + " (still watching)"}); err != nil {
				return err
			}
		case err == nil:
			failing = ""
			for _, e := range events {
				if err := send(play.Message{Type: "event", Event: play.ToWire(e)}); err != nil {
					return err
				}
			}
			if err := send(play.Message{Type: "snapshot", Snapshot: &snap}); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			if w.ctx.Err() != nil {
				return nil // the server stops
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}
