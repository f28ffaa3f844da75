package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"socketville/examples"
	"socketville/shared/script"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// OSRuns lets the page play scenarios on the serving machine's real
// sockets: GET /os/info says whether it may, and the WebSocket /os/run
// ?scenario=NAME[&paused=1] runs the example NAME here, on a kernel New
// makes, and streams its events, its lines with their results and a
// snapshot after each change (play.Message, as JSON). The run paces its
// lines as the town does, one play.LineTime apart, and the page may pause
// it, step it or close it (play.Control). One run at a time, one run per
// connection: the kernel is closed (its namespaces removed) when the
// connection closes, and when the server stops.
type OSRuns struct {
	// New makes the kernel of one run, writing what a person should know
	// of it to notes; nil means the server was started without --os.
	New func(notes io.Writer) (sock.Kernel, error)
	// MaxRun caps the scenarios' run lines (a closing run 2m).
	MaxRun time.Duration
	// Scenarios are what the server offers besides the examples (the
	// file given to serve --forward), found first by name; /os/info
	// hands them to the page, which has only the examples built in.
	Scenarios []examples.Scenario

	busy sync.Mutex // one run at a time: namespaces are named after this process
	wg   sync.WaitGroup
	ctx  context.Context
}

// NewOSRuns serves OS runs until ctx ends; Wait waits for them to end.
func NewOSRuns(ctx context.Context, newKernel func(io.Writer) (sock.Kernel, error), maxRun time.Duration) *OSRuns {
	return &OSRuns{New: newKernel, MaxRun: maxRun, ctx: ctx}
}

// Wait returns once every run has ended and closed its kernel.
func (o *OSRuns) Wait() { o.wg.Wait() }

// OSInfo is what GET /os/info answers.
type OSInfo struct {
	OS        bool         `json:"os"`
	Why       string       `json:"why,omitempty"`
	Scenarios []OSScenario `json:"scenarios,omitempty"`
}

// OSScenario is a scenario the server offers that the page may not have.
type OSScenario struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// find is the scenario called name: the server's own, then the examples.
func (o *OSRuns) find(name string) (examples.Scenario, bool) {
	for _, s := range o.Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return examples.Find(name)
}

// withoutOS is the server's plain answer when it was not started with --os.
const withoutOS = "this server was started without --os: it runs no scenario on its machine's sockets (start it with socketville serve --os, as root for namespaces); the page plays on its own simulator instead"

func (o *OSRuns) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/os/info":
		info := OSInfo{OS: o.New != nil}
		if !info.OS {
			info.Why = withoutOS
		}
		for _, sc := range o.Scenarios {
			info.Scenarios = append(info.Scenarios, OSScenario{Name: sc.Name, Source: sc.Source})
		}
		writeJSON(w, info)
	case "/os/run":
		o.serveRun(w, r)
	default:
		http.NotFound(w, r)
	}
}

// writeJSON answers an info request with v, never cached: what the server
// offers can change from one start to the next.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(v)
}

// loopbackOrigin reports whether the request comes from a page of this
// server opened on a loopback address: its Origin names the host it was
// sent to, and that host is loopback.
func loopbackOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (o *OSRuns) serveRun(w http.ResponseWriter, r *http.Request) {
	if o.New == nil {
		http.Error(w, withoutOS, http.StatusNotImplemented)
		return
	}
	if !loopbackOrigin(r) {
		http.Error(w, "an OS run may be started only by this server's own page, opened on a loopback address", http.StatusForbidden)
		return
	}
	name := r.URL.Query().Get("scenario")
	ex, ok := o.find(name)
	if !ok {
		http.Error(w, fmt.Sprintf("no example called %q", name), http.StatusNotFound)
		return
	}
	if !o.busy.TryLock() {
		http.Error(w, "another page is running a scenario on this machine's sockets: one run at a time", http.StatusConflict)
		return
	}
	defer o.busy.Unlock()
	c, err := websocket.Accept(w, r, nil) // the origin was checked above
	if err != nil {
		return
	}
	o.wg.Add(1)
	defer o.wg.Done()
	ctx, cancel := context.WithCancel(o.ctx)
	defer cancel()
	controls := make(chan play.Control, 16)
	attend(ctx, cancel, c, controls)
	run := &osRun{c: c, ctx: ctx, paused: r.URL.Query().Get("paused") == "1"}
	err = run.play(ex, o.New, o.MaxRun, controls)
	if err != nil {
		run.send(play.Message{Type: "error", Text: err.Error()})
		c.Close(websocket.StatusInternalError, "the run failed")
		return
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// osRun is one run on the machine's kernel, streamed to one page.
type osRun struct {
	c      *websocket.Conn
	ctx    context.Context
	paused bool
	out    []play.Message
	events int
	err    error
}

// sink gathers the run's output for the next flush.
type osSink struct{ r *osRun }

func (s osSink) Event(e sock.Event) {
	s.r.events++
	s.r.out = append(s.r.out, play.Message{Type: "event", Event: play.ToWire(e)})
}

func (s osSink) Line(l script.LineRecord) {
	s.r.out = append(s.r.out, play.Message{Type: "line", Line: play.LineToWire(l)})
}

// noteWriter sends a kernel's notes to the page's console.
type noteWriter struct{ r *osRun }

func (n noteWriter) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		n.r.out = append(n.r.out, play.Message{Type: "note", Text: l})
	}
	return len(b), nil
}

func (r *osRun) send(m play.Message) {
	if r.err == nil {
		ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
		r.err = wsjson.Write(ctx, r.c, m)
		cancel()
	}
}

func (r *osRun) flush() {
	for _, m := range r.out {
		r.send(m)
	}
	r.out = r.out[:0]
}

// frame is how often the run looks at its kernel and sends what changed.
const frame = time.Second / 60

func (r *osRun) play(ex examples.Scenario, newKernel func(io.Writer) (sock.Kernel, error), maxRun time.Duration, controls <-chan play.Control) error {
	s, err := script.Parse(ex.Name, strings.NewReader(ex.Source))
	if err == nil {
		err = script.Check(s)
	}
	if err != nil {
		return err
	}
	k, err := newKernel(noteWriter{r})
	if err != nil {
		return fmt.Errorf("the machine's kernel: %w", err)
	}
	if c, ok := k.(io.Closer); ok {
		defer c.Close() // the namespaces go with the connection
	}
	badge := k.Name()
	if l, ok := k.(interface{ Label() string }); ok {
		badge = l.Label()
	}
	hello := play.Message{Type: "hello", Kernel: k.Name(), Badge: badge}
	r.out = append([]play.Message{hello}, r.out...)
	runner := script.NewRunner(script.Options{Kernel: k, Sink: osSink{r}, Interactive: true, MaxRun: maxRun})
	runner.SetGated(true)
	runner.Enqueue(s.Lines...)
	snapshot := func() {
		snap := k.Snapshot()
		r.out = append(r.out, play.Message{Type: "snapshot", Snapshot: &snap})
	}
	gateAt, running, ended := time.Time{}, false, false
	lastSnap, lastEvents := time.Time{}, -1
	tick := time.NewTicker(frame)
	defer tick.Stop()
	for {
		step := false
		select {
		case <-r.ctx.Done():
			return nil
		case ctl := <-controls:
			switch ctl.Op {
			case "pause":
				r.paused = true
			case "play":
				r.paused = false
			case "step":
				r.paused, step = true, true
			case "close":
				return nil
			}
		case <-tick.C:
		}
		runner.CatchUp()
		now := time.Now()
		if l, ok := runner.AtGate(); ok {
			if running { // the line before was blocked: its result gets its time
				running, gateAt = false, maxTime(gateAt, now.Add(play.ResultTime))
			}
			// The lines that build the town go at once, as in the town.
			builds := true
			switch l.Cmd.(type) {
			case script.CallCmd, script.RunCmd, script.StepCmd:
				builds = false
			}
			if builds || step || !r.paused && !now.Before(gateAt) {
				runner.Open()
				runner.Advance(runner.Now())
				gateAt = now.Add(play.LineTime)
				if c, ok := l.Cmd.(script.CallCmd); ok && c.Background {
					gateAt = now.Add(play.BackgroundTime)
				}
				_, done := runner.AtGate()
				running = !done
			}
		}
		for _, err := range runner.Errors() {
			r.out = append(r.out, play.Message{Type: "note", Text: "# " + err.Error()})
		}
		if r.events != lastEvents || now.Sub(lastSnap) >= 200*time.Millisecond {
			snapshot()
			lastSnap, lastEvents = now, r.events
		}
		if !ended && !runner.Busy() && runner.Idle() {
			ended = true
			r.out = append(r.out, play.Message{Type: "end"})
		}
		r.flush()
		if r.err != nil {
			return nil // the page is gone
		}
	}
}

// attend reads the page's controls into controls (dropping what does
// not fit) and pings the page every 5 s; when the page goes, or says
// nothing to a ping, it cancels ctx. It returns at once.
func attend(ctx context.Context, cancel context.CancelFunc, c *websocket.Conn, controls chan<- play.Control) {
	go func() {
		defer cancel() // the page went: what it watched ends
		for {
			var ctl play.Control
			if err := wsjson.Read(ctx, c, &ctl); err != nil {
				return
			}
			select {
			case controls <- ctl:
			default:
			}
		}
	}()
	go func() { // a page that went without a word is found out
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
			pctx, done := context.WithTimeout(ctx, 5*time.Second)
			err := c.Ping(pctx)
			done()
			if err != nil {
				return
			}
		}
	}()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
