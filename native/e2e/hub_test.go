package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/logging"
	"github.com/pion/turn/v2"

	"socketville/shared/p2p/signal"
)

// TestServeHub runs the real binary's serve and talks to its signaling
// hub as peers do: one invites, a second joins the room, a third is
// refused in words by --hub-max-peers, a page of another origin is
// told it may not, and the counters at /signal/stats say so. With --turn,
// each welcome hands out the embedded TURN relay with a credential of
// its own, which the relay takes (and a forged one it refuses).
func TestServeHub(t *testing.T) {
	url, _ := startServe(t, "--hub-max-peers", "2", "--turn", "--turn-addr", "127.0.0.1:0")
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
	wb, ok := readSignal(t, bob).(signal.Welcome)
	if !ok || wb.Room != w.Room || len(wb.Peers) != 1 {
		t.Fatalf("bob's join was answered %#v", wb)
	}
	turnAddr := checkTURN(t, w, wb)
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

	// ann's credential is good at the relay; bob's user name with a
	// password of ann's is not.
	ice := w.ICE[0]
	if err := turnAllocate(t, turnAddr, ice.Username, ice.Credential); err != nil {
		t.Errorf("the relay refused ann's credential: %v", err)
	}
	if err := turnAllocate(t, turnAddr, wb.ICE[0].Username, ice.Credential); err == nil {
		t.Errorf("the relay took bob's user name with ann's password")
	}
	resp, err = http.Get(strings.TrimSuffix(url, "/") + "/turn/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var relay struct {
		Allocated uint64
		Refusals  map[string]int
	}
	if err := json.NewDecoder(resp.Body).Decode(&relay); err != nil {
		t.Fatalf("/turn/stats: %v", err)
	}
	if relay.Allocated != 1 || relay.Refusals["password"] != 1 {
		t.Errorf("/turn/stats: %+v, want one allocation and one wrong password", relay)
	}
}

// checkTURN checks that two welcomes of serve --turn hand out its relay,
// each with a credential of its own, and says where the relay is.
func checkTURN(t *testing.T, welcomes ...signal.Welcome) string {
	t.Helper()
	user := regexp.MustCompile(`^[0-9]{10}:c[0-9]+$`)
	seen := map[string]bool{}
	var addr string
	for _, w := range welcomes {
		if len(w.ICE) != 1 || len(w.ICE[0].URLs) != 1 {
			t.Fatalf("a welcome of serve --turn hands out %+v, want the relay", w.ICE)
		}
		s := w.ICE[0]
		a, ok := strings.CutPrefix(s.URLs[0], "turn:127.0.0.1:")
		a, ok2 := strings.CutSuffix(a, "?transport=udp")
		if !ok || !ok2 || !user.MatchString(s.Username) || s.Credential == "" || seen[s.Username] || seen[s.Credential] {
			t.Fatalf("a welcome hands out %+v, want turn:127.0.0.1:PORT?transport=udp with a user name EXPIRY:ID and a credential of its own", s)
		}
		seen[s.Username], seen[s.Credential] = true, true
		addr = "127.0.0.1:" + a
	}
	return addr
}

// turnAllocate asks the TURN relay at addr for an allocation, as a peer's
// ICE agent does.
func turnAllocate(t *testing.T, addr, user, password string) error {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	quiet := logging.NewDefaultLoggerFactory()
	quiet.DefaultLogLevel = logging.LogLevelDisabled
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: addr, Username: user, Password: password, Conn: pc, LoggerFactory: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relayed, err := c.Allocate()
	if err != nil {
		return err
	}
	return relayed.Close()
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
