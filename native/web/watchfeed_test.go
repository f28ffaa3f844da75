package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// fakeLook is a watch that hands out one listening socket and counts.
type fakeLook struct {
	mu     sync.Mutex
	looks  int
	fail   error
	closed bool
}

func (f *fakeLook) Refresh() (sock.Snapshot, []sock.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.looks++
	if f.fail != nil {
		return sock.Snapshot{}, nil, f.fail
	}
	local := netip.MustParseAddrPort("127.0.0.1:8000")
	snap := sock.Snapshot{Now: time.Duration(f.looks) * time.Millisecond, Hosts: []sock.HostState{{Name: "ns",
		Processes: []sock.ProcessState{{Name: "python3 (42) root", PID: 42, Sockets: []sock.SocketState{
			{ID: 1, FD: 3, Type: sock.SockTCP, State: sock.StateListen, Local: local, TCP: &sock.TCPState{}}}}}}}}
	var events []sock.Event
	if f.looks == 1 {
		events = []sock.Event{{Kind: sock.KindListen, Host: "ns", Proc: "python3[42]", FD: 3, Local: local}}
	}
	return snap, events, nil
}

func (f *fakeLook) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeLook) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// TestWatchesWithoutWatch: a server without --watch says so plainly.
func TestWatchesWithoutWatch(t *testing.T) {
	w := NewWatches(context.Background())
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest("GET", "/watch/info", nil))
	if !strings.Contains(rec.Body.String(), `"watch":false`) || !strings.Contains(rec.Body.String(), "without --watch") {
		t.Errorf("/watch/info says %q", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest("GET", "/watch/feed", nil))
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("/watch/feed: %d %q", rec.Code, rec.Body.String())
	}
}

// TestWatchesOrigin: only this server's own page, on loopback unless the
// server is open, may watch; no watch is made for anyone else.
func TestWatchesOrigin(t *testing.T) {
	made := 0
	w := NewWatches(context.Background())
	w.New = func() (Looker, error) { made++; return nil, errors.New("no") }
	for _, c := range []struct {
		open         bool
		host, origin string
	}{
		{false, "127.0.0.1:8080", ""},
		{false, "127.0.0.1:8080", "http://evil.example"},
		{false, "127.0.0.1:8080", "http://127.0.0.1:9999"},
		{false, "10.1.2.3:8080", "http://10.1.2.3:8080"},
		{true, "10.1.2.3:8080", "http://evil.example"},
		{true, "10.1.2.3:8080", ""},
	} {
		w.Open = c.open
		req := httptest.NewRequest("GET", "/watch/feed", nil)
		req.Host = c.host
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		rec := httptest.NewRecorder()
		w.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("open %v host %s origin %q: %d, want 403", c.open, c.host, c.origin, rec.Code)
		}
	}
	if made != 0 {
		t.Errorf("%d watches made for refused pages", made)
	}
}

// TestWatchesFeed: the page gets a hello with the badge, then looks (the
// events, then the snapshot) over the WebSocket; a failing look is said
// once and the feed goes on; the watch is closed when the page goes.
func TestWatchesFeed(t *testing.T) {
	look := &fakeLook{}
	w := NewWatches(context.Background())
	w.New = func() (Looker, error) { return look, nil }
	w.Every, w.Name, w.Kernel, w.Label = 10*time.Millisecond, "ns", "Linux", "watching netns ns"
	srv := httptest.NewServer(w)
	defer srv.Close()

	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, httptest.NewRequest("GET", "/watch/info", nil))
	if body := rec.Body.String(); !strings.Contains(body, `"watch":true`) || !strings.Contains(body, `"label":"watching netns ns"`) {
		t.Errorf("/watch/info says %q", body)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/watch/feed",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {srv.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 24)
	read := func() play.Message {
		t.Helper()
		var m play.Message
		if err := wsjson.Read(ctx, c, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := read(); m.Type != "hello" || m.Kernel != "Linux" || m.Badge != "watching netns ns" {
		t.Errorf("first message %+v, want the hello", m)
	}
	if m := read(); m.Type != "event" || m.Event.Kind != sock.KindListen {
		t.Errorf("second message %+v, want the listen event", m)
	}
	if m := read(); m.Type != "snapshot" || m.Snapshot.Hosts[0].Processes[0].PID != 42 {
		t.Errorf("third message %+v, want the snapshot", m)
	}
	look.mu.Lock()
	look.fail = errors.New("watch: netlink went away")
	look.mu.Unlock()
	errs := 0
	for errs == 0 {
		if m := read(); m.Type == "error" {
			errs++
			if !strings.Contains(m.Text, "still watching") {
				t.Errorf("the trouble says %q", m.Text)
			}
		}
	}
	look.mu.Lock()
	look.fail = nil
	look.mu.Unlock()
	for m := read(); m.Type != "snapshot"; m = read() {
		if m.Type == "error" {
			t.Error("a failing look was said twice")
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
	end := time.Now().Add(5 * time.Second)
	for !look.isClosed() && time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond)
	}
	if !look.isClosed() {
		t.Error("the watch was not closed when the page went")
	}
}
