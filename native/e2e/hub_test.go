package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketville/shared/p2p/signal"
)

// TestServeHub runs the real binary's serve and talks to its signaling
// hub as peers do: one invites, a second joins the room, a third is
// refused in words by --hub-max-peers, a page of another origin is
// told it may not, and the counters at /signal/stats say so.
func TestServeHub(t *testing.T) {
	url, _ := startServe(t, "--hub-max-peers", "2")
	hubURL, err := signal.SignalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	ann := dialHub(t, hubURL, nil)
	sendSignal(t, ann, signal.Invite{Name: "ann"})
	w, ok := readSignal(t, ann).(signal.Welcome)
	if !ok || signal.CheckRoomID(w.Room) != nil {
		t.Fatalf("ann's invite was answered %#v", w)
	}
	bob := dialHub(t, hubURL, nil)
	sendSignal(t, bob, signal.Join{Room: w.Room, Name: "bob"})
	if wb, ok := readSignal(t, bob).(signal.Welcome); !ok || wb.Room != w.Room || len(wb.Peers) != 1 {
		t.Fatalf("bob's join was answered %#v", wb)
	}
	cat := dialHub(t, hubURL, nil)
	sendSignal(t, cat, signal.Join{Room: w.Room, Name: "cat"})
	refusal, ok := readSignal(t, cat).(signal.Error)
	if !ok || !strings.Contains(refusal.Text, "2") {
		t.Fatalf("a third in a room of two was answered %#v", refusal)
	}
	t.Logf("the third peer was told: %s", refusal.Text)

	// A page of another origin is let in only to be told why not.
	other := dialHub(t, hubURL, http.Header{"Origin": {"http://elsewhere.example"}})
	if no, ok := readSignal(t, other).(signal.Error); !ok || !strings.Contains(no.Text, "may not use this hub") {
		t.Fatalf("a page of another origin was answered %#v", no)
	}

	resp, err := http.Get(strings.TrimSuffix(url, "/") + "/signal/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats struct {
		Rooms, Peers int
		Refusals     map[string]int
	}
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		t.Fatalf("/signal/stats: %v", err)
	}
	if stats.Rooms != 1 || stats.Peers != 2 || len(stats.Refusals) == 0 {
		t.Errorf("/signal/stats: %+v", stats)
	}
}

func dialHub(t *testing.T, url string, h http.Header) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial the hub at %s: %v", url, err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return ws
}

func sendSignal(t *testing.T, ws *websocket.Conn, m signal.Message) {
	t.Helper()
	b, err := signal.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("send %T: %v", m, err)
	}
}

func readSignal(t *testing.T, ws *websocket.Conn) signal.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("read from the hub: %v", err)
	}
	m, err := signal.Decode(b)
	if err != nil {
		t.Fatalf("the hub sent %q: %v", b, err)
	}
	return m
}
