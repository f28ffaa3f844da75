package turnrelay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v2"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/native/turnrelay"
	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a log that the relay writes and the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startRelay runs a relay on loopback, closed when the test ends.
func startRelay(t *testing.T, cfg turnrelay.Config) (*turnrelay.Server, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{}
	cfg.Addr, cfg.Log = "127.0.0.1:0", log
	s, err := turnrelay.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close the relay: %v", err)
		}
	})
	return s, log
}

// waitFor waits, up to 10 s, for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTwoPeersTalkThroughTheRelay has two native peers join a room on a
// hub whose welcomes hand out the relay, and use relay candidates only:
// their road opens and frames cross it both ways, and the relay counts the
// allocations and the bytes that went through it.
func TestTwoPeersTalkThroughTheRelay(t *testing.T) {
	relay, log := startRelay(t, turnrelay.Config{})
	h := hub.New(hub.Config{ConnRate: rate.Inf, MsgRate: rate.Inf, PeerICE: func(host, conn string) []signal.ICEServer {
		return []signal.ICEServer{relay.ICEServer(host, conn)}
	}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Close() })
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/signal"

	join := func(name string, room signal.RoomID) *mesh.Mesh {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m, err := mesh.Join(ctx, mesh.Options{URL: url, Name: name, Room: room, Road: road.Options{Loopback: true, RelayOnly: true}})
		if err != nil {
			t.Fatalf("%s joins: %v", name, err)
		}
		t.Cleanup(func() { _ = m.Close() })
		return m
	}
	ann := join("ann", "")
	bob := join("bob", ann.Room())
	open := func(m *mesh.Mesh) bool {
		p := m.Peers()
		return len(p) == 1 && p[0].State == road.StateOpen && !p[0].Relayed
	}
	waitFor(t, "the road open through the relay", func() bool {
		for _, m := range []*mesh.Mesh{ann, bob} {
			for _, p := range m.Peers() {
				if p.Relayed {
					t.Fatalf("%s relays %s through the hub: %v", m.You(), p.ID, p.Err)
				}
			}
		}
		return open(ann) && open(bob)
	})
	if n := relay.Stats().Allocations; n < 2 {
		t.Fatalf("the relay holds %d allocations with two peers on relay candidates only", n)
	}
	before := relay.Stats()

	got := map[string]bool{}
	waitFor(t, "frames both ways", func() bool {
		for _, f := range []struct {
			from *mesh.Mesh
			to   signal.PeerID
			text string
		}{{ann, bob.You(), "to bob"}, {bob, ann.You(), "to ann"}} {
			if !got[f.text] {
				if err := f.from.Send(f.to, []byte(f.text)); err != nil {
					t.Fatalf("send %q: %v", f.text, err)
				}
			}
		}
		ann.Drain(func(_ signal.PeerID, b []byte) { got[string(b)] = true })
		bob.Drain(func(_ signal.PeerID, b []byte) { got[string(b)] = true })
		return got["to bob"] && got["to ann"]
	})
	after := relay.Stats()
	if after.ToPeers <= before.ToPeers || after.FromPeers <= before.FromPeers || after.Allocated < 2 {
		t.Errorf("the frames did not go through the relay: before %+v, after %+v", before, after)
	}
	if len(after.Refusals) != 0 {
		t.Errorf("the relay refused %v; log:\n%s", after.Refusals, log)
	}

	// The counters, as serve shows them at /turn/stats.
	rec := httptest.NewRecorder()
	relay.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/turn/stats", nil))
	var shown turnrelay.Stats
	if err := json.Unmarshal(rec.Body.Bytes(), &shown); err != nil || shown.Allocations < 2 || shown.ToPeers == 0 {
		t.Errorf("/turn/stats said %s (%v)", rec.Body, err)
	}
}

// quiet is a pion logger factory that logs nothing: the test's client
// logs its refusals, which the test expects.
func quiet() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelDisabled
	return f
}

// allocation is a TURN client's allocation on the relay.
type allocation struct {
	client *turn.Client
	conn   net.PacketConn // the relayed socket, as the client sees it
}

// allocate asks the relay for an allocation with user and password.
func allocate(t *testing.T, s *turnrelay.Server, user, password string) (*allocation, error) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := turn.NewClient(&turn.ClientConfig{
		TURNServerAddr: s.Addr().String(),
		Username:       user,
		Password:       password,
		Conn:           pc,
		RTO:            200 * time.Millisecond,
		LoggerFactory:  quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); _ = pc.Close() })
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relayed, err := c.Allocate()
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = relayed.Close() })
	return &allocation{client: c, conn: relayed}, nil
}

func TestCredentials(t *testing.T) {
	relay, log := startRelay(t, turnrelay.Config{})
	good := relay.ICEServer("127.0.0.1:8080", "c1")
	if len(good.URLs) != 1 || good.URLs[0] != "turn:"+relay.Addr().String()+"?transport=udp" || !strings.HasSuffix(good.Username, ":c1") || good.Credential == "" {
		t.Fatalf("the relay hands out %+v", good)
	}
	if err := signal.CheckICEServer(good); err != nil {
		t.Fatalf("a welcome may not hand out %+v: %v", good, err)
	}
	if _, err := allocate(t, relay, good.Username, good.Credential); err != nil {
		t.Fatalf("a welcome's credential: %v", err)
	}

	expiredUser, expiredPass := relay.Credential("c2", time.Now().Add(-time.Minute))
	other, err := turnrelay.Listen(turnrelay.Config{Addr: "127.0.0.1:0"}) // another secret
	if err != nil {
		t.Fatal(err)
	}
	otherUser, otherPass := other.Credential("c3", time.Now().Add(time.Hour))
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, pass string
		why              turnrelay.Reason
		says             string
	}{
		{name: "a wrong password", user: good.Username, pass: good.Credential + "x", why: turnrelay.ReasonPassword, says: "password of"},
		{name: "another relay's credential", user: otherUser, pass: otherPass, why: turnrelay.ReasonPassword, says: "password of"},
		{name: "an expired credential", user: expiredUser, pass: expiredPass, why: turnrelay.ReasonExpired, says: "expired"},
		{name: "a user name of no welcome", user: "teacher", pass: "secret", why: turnrelay.ReasonMalformed, says: "not one of this relay's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := relay.Stats()
			if a, err := allocate(t, relay, tc.user, tc.pass); err == nil {
				t.Fatalf("allocated %s with %s", a.conn.LocalAddr(), tc.name)
			}
			// The client may give up, or send again, before the relay's
			// one goroutine gets to its request on a busy machine: the
			// refusal is counted once for each request it reads.
			want := before.Refusals[tc.why] + 1
			deadline := time.Now().Add(5 * time.Second)
			for relay.Stats().Refusals[tc.why] < want && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := relay.Stats().Refusals[tc.why]; got < want {
				t.Errorf("refusals for %s: %d, want at least %d", tc.why, got, want)
			}
			if !strings.Contains(log.String(), tc.says) {
				t.Errorf("the log does not say %q:\n%s", tc.says, log)
			}
		})
	}
	if n := relay.Stats().Allocations; n != 1 {
		t.Errorf("the relay holds %d allocations, want the good one", n)
	}
	t.Logf("the relay said:\n%s", log)
}

func TestAllocationCaps(t *testing.T) {
	relay, log := startRelay(t, turnrelay.Config{MaxAllocations: 3, MaxPerCredential: 2})
	ann := relay.ICEServer("", "c1")
	for i := range 2 {
		if _, err := allocate(t, relay, ann.Username, ann.Credential); err != nil {
			t.Fatalf("ann's allocation %d: %v", i+1, err)
		}
	}
	if _, err := allocate(t, relay, ann.Username, ann.Credential); err == nil {
		t.Fatal("ann's third allocation was made, over the 2 a credential may hold")
	}
	bob := relay.ICEServer("", "c2")
	if _, err := allocate(t, relay, bob.Username, bob.Credential); err != nil {
		t.Fatalf("bob's allocation: %v", err)
	}
	cat := relay.ICEServer("", "c3")
	if _, err := allocate(t, relay, cat.Username, cat.Credential); err == nil {
		t.Fatal("a fourth allocation was made, over the relay's 3")
	}
	s := relay.Stats()
	if s.Allocations != 3 || s.Refusals[turnrelay.ReasonQuota] != 1 || s.Refusals[turnrelay.ReasonFull] != 1 {
		t.Errorf("stats %+v, want 3 allocations, one refusal for the credential's quota and one for the relay's", s)
	}
	for _, says := range []string{"holds its 2", "holds its 3"} {
		if !strings.Contains(log.String(), says) {
			t.Errorf("the log does not say %q:\n%s", says, log)
		}
	}
	if strings.Contains(log.String(), "Failed to handle") {
		t.Errorf("pion's own words are logged besides the relay's:\n%s", log)
	}
}

// TestRelaysReachOnlyRelays sends relayed packets from one allocation to
// another (they arrive) and to another service of this machine (it is
// not sent), and asks to relay to the Internet (refused).
func TestRelaysReachOnlyRelays(t *testing.T) {
	relay, log := startRelay(t, turnrelay.Config{})
	ann := relay.ICEServer("", "c1")
	bob := relay.ICEServer("", "c2")
	a, err := allocate(t, relay, ann.Username, ann.Credential)
	if err != nil {
		t.Fatal(err)
	}
	// Only a permission is asked for: nothing is sent to the address.
	internet := &net.UDPAddr{IP: net.IPv4(198, 51, 100, 7), Port: 53}
	if err := a.client.CreatePermission(internet); err == nil {
		t.Error("the relay granted a permission to relay to the Internet")
	}
	for _, lan := range []net.IP{net.IPv4(192, 168, 1, 20), net.IPv4(10, 1, 2, 3), net.IPv4(100, 64, 0, 9)} {
		if err := a.client.CreatePermission(&net.UDPAddr{IP: lan, Port: 5000}); err != nil {
			t.Errorf("a permission to relay to %s, of a school's network: %v", lan, err)
		}
	}
	if n := relay.Stats().Refusals[turnrelay.ReasonPeer]; n != 1 || !strings.Contains(log.String(), "not the Internet") {
		t.Errorf("%d refusals of peers beyond the network; log:\n%s", n, log)
	}
	b, err := allocate(t, relay, bob.Username, bob.Credential)
	if err != nil {
		t.Fatal(err)
	}
	service, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()

	if _, err := a.conn.WriteTo([]byte("to a service"), service.LocalAddr()); err != nil {
		t.Fatalf("ask the relay to send to a service: %v", err)
	}
	waitFor(t, "the packet to the service refused", func() bool { return relay.Stats().Refusals[turnrelay.ReasonOwnHost] > 0 })
	if !strings.Contains(log.String(), "none of its relays") {
		t.Errorf("the log does not say why:\n%s", log)
	}

	// bob lets ann's relayed address in; ann's packets then reach him.
	if _, err := b.conn.WriteTo([]byte("hello"), a.conn.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 100)
		_ = b.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := b.conn.ReadFrom(buf)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf[:n])
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.conn.WriteTo([]byte("from ann"), b.conn.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-got:
			if s != "from ann" {
				t.Fatalf("bob read %q, want ann's packet", s)
			}
			if relay.Stats().ToPeers == 0 {
				t.Errorf("the relay counted no bytes to peers")
			}
			_ = service.SetReadDeadline(time.Now())
			if _, _, err := service.ReadFrom(make([]byte, 100)); err == nil {
				t.Fatal("the service got a relayed packet")
			}
			return
		case <-time.After(100 * time.Millisecond): // the permission may not be there yet
		}
		if time.Now().After(deadline) {
			t.Fatal("ann's packet never reached bob")
		}
	}
}
