package signal_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

const room = signal.RoomID("q2xk0Yk8Q0W9cQ2a1Zr7uA")

const sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n"

// fixtures are messages and their exact wire form, checked both ways.
var fixtures = []struct {
	name string
	msg  signal.Message
	wire string
}{
	{name: "invite", msg: signal.Invite{Name: "ann"}, wire: `{"v":1,"type":"invite","name":"ann"}`},
	{name: "invite without a name", msg: signal.Invite{}, wire: `{"v":1,"type":"invite"}`},
	{name: "join", msg: signal.Join{Room: room, Name: "Bob the builder"}, wire: `{"v":1,"type":"join","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","name":"Bob the builder"}`},
	{name: "welcome, first in", msg: signal.Welcome{Room: room, You: "p1"}, wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1"}`},
	{
		name: "welcome with peers and ICE",
		msg: signal.Welcome{Room: room, You: "p3", Peers: []signal.Peer{{ID: "p1", Name: "ann"}, {ID: "p2"}},
			ICE: []signal.ICEServer{{URLs: []string{"stun:10.0.0.1:3478"}}, {URLs: []string{"turn:10.0.0.1:3478?transport=udp"}, Username: "u", Credential: "c"}}},
		wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p3","peers":[{"id":"p1","name":"ann"},{"id":"p2"}],` +
			`"ice":[{"urls":["stun:10.0.0.1:3478"]},{"urls":["turn:10.0.0.1:3478?transport=udp"],"username":"u","credential":"c"}]}`,
	},
	{
		name: "welcome to a star",
		msg:  signal.Welcome{Room: room, You: "p2", Peers: []signal.Peer{{ID: "p1", Name: "ann"}}, Router: "star"},
		wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p2","peers":[{"id":"p1","name":"ann"}],"router":"star"}`,
	},
	{name: "peer-joined", msg: signal.PeerJoined{Peer: signal.Peer{ID: "p2", Name: "bob"}}, wire: `{"v":1,"type":"peer-joined","peer":"p2","name":"bob"}`},
	{name: "peer-left", msg: signal.PeerLeft{Peer: "p2"}, wire: `{"v":1,"type":"peer-left","peer":"p2"}`},
	{name: "offer", msg: signal.Offer{Peer: "p1", SDP: sdp}, wire: `{"v":1,"type":"offer","peer":"p1","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n"}`},
	{name: "answer", msg: signal.Answer{Peer: "p2", SDP: "v=0\r\n"}, wire: `{"v":1,"type":"answer","peer":"p2","sdp":"v=0\r\n"}`},
	{name: "leave", msg: signal.Leave{}, wire: `{"v":1,"type":"leave"}`},
	{name: "relay", msg: signal.Relay{Peer: "p1", Data: []byte{0x45, 0, 0, 20}}, wire: `{"v":1,"type":"relay","peer":"p1","data":"RQAAFA=="}`},
	{name: "error", msg: signal.Error{Errno: sock.ErrAgain, Text: "too many messages"}, wire: `{"v":1,"type":"error","code":"EAGAIN","text":"too many messages"}`},
}

func TestFixturesBothWays(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			got, err := signal.Encode(f.msg)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if string(got) != f.wire {
				t.Errorf("Encode:\n got %s\nwant %s", got, f.wire)
			}
			m, err := signal.Decode([]byte(f.wire))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(m, f.msg) {
				t.Errorf("Decode: got %#v, want %#v", m, f.msg)
			}
			if m.Kind().String() != strings.Split(strings.Split(f.wire, `"type":"`)[1], `"`)[0] {
				t.Errorf("Kind %s does not name the wire type of %s", m.Kind(), f.wire)
			}
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	long := strings.Repeat("a", signal.MaxMessage)
	cases := []struct {
		name  string
		wire  string
		errno *sock.Errno
		says  string
	}{
		{name: "empty", wire: ``, errno: sock.ErrInval, says: "an empty message"},
		{name: "too big", wire: `{"v":1,"type":"invite","name":"` + long + `"}`, errno: sock.ErrMsgSize, says: "over the 65536 a message may be"},
		{name: "not JSON", wire: `hello`, errno: sock.ErrInval, says: "not a signaling message of JSON"},
		{name: "array", wire: `[1,2]`, errno: sock.ErrInval, says: "not a signaling message of JSON"},
		{name: "two messages", wire: `{"v":1,"type":"leave"}{"v":1,"type":"leave"}`, errno: sock.ErrInval, says: "something follows"},
		{name: "no version", wire: `{"type":"leave"}`, errno: sock.ErrInval, says: "without its version"},
		{name: "other version", wire: `{"v":2,"type":"leave"}`, errno: sock.ErrInval, says: "version 2, but this side speaks version 1"},
		{name: "no type", wire: `{"v":1}`, errno: sock.ErrInval, says: "without its type"},
		{name: "unknown type", wire: `{"v":1,"type":"candidate"}`, errno: sock.ErrInval, says: `unknown message type "candidate" (known: invite, join,`},
		{name: "unknown field", wire: `{"v":1,"type":"leave","candidate":"x"}`, errno: sock.ErrInval, says: `unknown field "candidate"`},
		{name: "join without room", wire: `{"v":1,"type":"join"}`, errno: sock.ErrInval, says: "a join message needs its room"},
		{name: "join with sdp", wire: `{"v":1,"type":"join","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","sdp":"v=0"}`, errno: sock.ErrInval, says: "a join message carries no sdp"},
		{name: "short room id", wire: `{"v":1,"type":"join","room":"abc"}`, errno: sock.ErrInval, says: "a room id of 3 characters; one has 22"},
		{name: "room id not base64url", wire: `{"v":1,"type":"join","room":"q2xk0Yk8Q0W9cQ2a1Zr7u/"}`, errno: sock.ErrInval, says: "not base64url"},
		{name: "room id not canonical", wire: `{"v":1,"type":"join","room":"q2xk0Yk8Q0W9cQ2a1Zr7uB"}`, errno: sock.ErrInval, says: "not base64url"},
		{name: "offer without sdp", wire: `{"v":1,"type":"offer","peer":"p1"}`, errno: sock.ErrInval, says: "an offer message needs its sdp"},
		{name: "offer to nobody named", wire: `{"v":1,"type":"offer","sdp":"v=0"}`, errno: sock.ErrInval, says: "an offer message needs its peer"},
		{name: "peer id of capitals", wire: `{"v":1,"type":"offer","peer":"P1","sdp":"v=0"}`, errno: sock.ErrInval, says: "peer: signal: EINVAL"},
		{name: "peer id too long", wire: `{"v":1,"type":"offer","peer":"p12345678901234567","sdp":"v=0"}`, errno: sock.ErrInval, says: "a peer id of 18 characters"},
		{name: "sdp not sdp", wire: `{"v":1,"type":"answer","peer":"p1","sdp":"hello"}`, errno: sock.ErrInval, says: "does not start with v=0"},
		{name: "sdp too big", wire: `{"v":1,"type":"answer","peer":"p1","sdp":"v=0` + strings.Repeat("x", signal.MaxSDP) + `"}`, errno: sock.ErrMsgSize, says: "an SDP of 32771 bytes"},
		{name: "relay too big", wire: `{"v":1,"type":"relay","peer":"p1","data":"` + strings.Repeat("AAAA", 700) + `"}`, errno: sock.ErrMsgSize, says: "a relay of 2100 bytes"},
		{name: "relay not base64", wire: `{"v":1,"type":"relay","peer":"p1","data":"!!"}`, errno: sock.ErrInval, says: "not a signaling message of JSON"},
		{name: "relay empty", wire: `{"v":1,"type":"relay","peer":"p1","data":""}`, errno: sock.ErrInval, says: "a relay message needs its data"},
		{name: "error of no errno", wire: `{"v":1,"type":"error","code":"EWHAT","text":"x"}`, errno: sock.ErrInval, says: `an error code "EWHAT" that is no errno`},
		{name: "name with a newline", wire: `{"v":1,"type":"invite","name":"a\nb"}`, errno: sock.ErrInval, says: "a name with the unprintable character U+000A"},
		{name: "name too long", wire: `{"v":1,"type":"invite","name":"` + strings.Repeat("n", 41) + `"}`, errno: sock.ErrMsgSize, says: "a name of 41 bytes"},
		{name: "peers twice", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","peers":[{"id":"p2"},{"id":"p2"}]}`, errno: sock.ErrInval, says: "listing the peer p2 twice"},
		{name: "peers include you", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","peers":[{"id":"p1"}]}`, errno: sock.ErrInval, says: "listing the peer p1 twice"},
		{name: "router is you", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","router":"p1"}`, errno: sock.ErrInval, says: "makes you (p1) the router"},
		{name: "router among the peers", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","peers":[{"id":"star"}],"router":"star"}`, errno: sock.ErrInval, says: "listing the router star among the peers"},
		{name: "router of capitals", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","router":"STAR"}`, errno: sock.ErrInval, says: "router: signal: EINVAL"},
		{name: "router in a join", wire: `{"v":1,"type":"join","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","router":"star"}`, errno: sock.ErrInval, says: "a join message carries no router"},
		{name: "ice of http", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","ice":[{"urls":["http://x"]}]}`, errno: sock.ErrInval, says: "not scheme:host"},
		{name: "stun with password", wire: `{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","ice":[{"urls":["stun:x"],"credential":"c"}]}`, errno: sock.ErrInval, says: "only TURN has them"},
		{name: "long type quoted short", wire: `{"v":1,"type":"` + strings.Repeat("t", 1000) + `"}`, errno: sock.ErrInval, says: `"tttttttttttttttttttttttttttttttt..."`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := signal.Decode([]byte(c.wire))
			if err == nil {
				t.Fatalf("Decode accepted %.80s as %#v", c.wire, m)
			}
			if !errors.Is(err, c.errno) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("Decode: %v\nwant %s saying %q", err, c.errno.Name(), c.says)
			}
			if len(err.Error()) > 400 {
				t.Errorf("the refusal is %d bytes long: %.100s...", len(err.Error()), err)
			}
		})
	}
}

func TestEncodeRefusesWhatDecodeWould(t *testing.T) {
	for _, m := range []signal.Message{
		nil,
		signal.Join{},
		signal.Offer{Peer: "p1", SDP: "hello"},
		signal.Relay{Peer: "p1", Data: make([]byte, signal.MaxRelay+1)},
		signal.Error{Text: "no code"},
		signal.Welcome{Room: room, You: "p1", Peers: []signal.Peer{{ID: "p1"}}},
	} {
		if b, err := signal.Encode(m); err == nil {
			t.Errorf("Encode(%#v) = %s, want a refusal", m, b)
		}
	}
}

func TestErrorIsItsErrno(t *testing.T) {
	m, err := signal.Decode([]byte(`{"v":1,"type":"error","code":"ECONNREFUSED","text":"no room with that id here"}`))
	if err != nil {
		t.Fatal(err)
	}
	e := m.(signal.Error).Err()
	if !errors.Is(e, syscall.ECONNREFUSED) || e.Error() != "signal: ECONNREFUSED: connection refused (no room with that id here)" {
		t.Errorf("Err() = %v", e)
	}
}

func TestRoomIDs(t *testing.T) {
	seen := map[signal.RoomID]bool{}
	for range 100 {
		id, err := signal.NewRoomID(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := signal.CheckRoomID(id); err != nil {
			t.Fatalf("CheckRoomID(%s): %v", id, err)
		}
		if len(id) != 22 || seen[id] {
			t.Fatalf("room id %s: %d characters, seen before: %v", id, len(id), seen[id])
		}
		seen[id] = true
	}
	// Sixteen bytes, all of them from the reader.
	id, err := signal.NewRoomID(bytes.NewReader(bytes.Repeat([]byte{0xff}, 16)))
	if err != nil || id != "_____________________w" {
		t.Errorf("NewRoomID(0xff...) = %q, %v", id, err)
	}
	if _, err := signal.NewRoomID(bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("NewRoomID made an id of 15 random bytes")
	}
}

func TestInviteLinks(t *testing.T) {
	cases := []struct {
		base, link, back string
	}{
		{base: "http://10.0.0.5:8080/", link: "http://10.0.0.5:8080/#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", back: "http://10.0.0.5:8080/"},
		{base: "http://localhost:8080", link: "http://localhost:8080#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", back: "http://localhost:8080"},
		{base: "https://class.example/town/?scenario=hello-tcp", link: "https://class.example/town/?scenario=hello-tcp#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", back: "https://class.example/town/?scenario=hello-tcp"},
		{base: "http://h/#lesson=3", link: "http://h/#lesson=3&room=q2xk0Yk8Q0W9cQ2a1Zr7uA", back: "http://h/#lesson=3"},
	}
	for _, c := range cases {
		link, err := signal.FormatInvite(c.base, room)
		if err != nil || link != c.link {
			t.Errorf("FormatInvite(%s) = %q, %v; want %q", c.base, link, err, c.link)
			continue
		}
		back, id, err := signal.ParseInvite(link)
		if err != nil || back != c.back || id != room {
			t.Errorf("ParseInvite(%s) = %q, %q, %v; want %q, %q", link, back, id, err, c.back, room)
		}
	}
	// A hand-typed link may name its room in the query.
	back, id, err := signal.ParseInvite("http://10.0.0.5:8080/?room=q2xk0Yk8Q0W9cQ2a1Zr7uA&scenario=x")
	if err != nil || back != "http://10.0.0.5:8080/?scenario=x" || id != room {
		t.Errorf("ParseInvite(?room=) = %q, %q, %v", back, id, err)
	}
	for _, bad := range []struct{ link, says string }{
		{"http://10.0.0.5:8080/", "names no room"},
		{"http://10.0.0.5:8080/#room=short", "a room id of 5 characters"},
		{"ftp://10.0.0.5/#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", "not the http or https address of a page"},
		{"/#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", "not the http or https address of a page"},
		{"http://user:pw@h/#room=q2xk0Yk8Q0W9cQ2a1Zr7uA", "not the http or https address of a page"},
		{"http://h/" + strings.Repeat("x", 3000), "a link of 3009 bytes"},
		{"http://%zz/", "not a URL"},
	} {
		if _, _, err := signal.ParseInvite(bad.link); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("ParseInvite(%.40s): %v, want it to say %q", bad.link, err, bad.says)
		}
	}
	if _, err := signal.FormatInvite("http://h/", "nope"); err == nil {
		t.Error("FormatInvite made a link to a malformed room id")
	}
}

func TestSignalURL(t *testing.T) {
	for base, want := range map[string]string{
		"http://10.0.0.5:8080/":                 "ws://10.0.0.5:8080/signal",
		"http://10.0.0.5:8080":                  "ws://10.0.0.5:8080/signal",
		"https://class.example/town/?x=1":       "wss://class.example/town/signal",
		"https://class.example/town/index.html": "wss://class.example/town/signal",
	} {
		if got, err := signal.SignalURL(base); err != nil || got != want {
			t.Errorf("SignalURL(%s) = %q, %v; want %q", base, got, err, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, x := range fixtures {
		f.Add([]byte(x.wire))
	}
	f.Add([]byte(`{"v":1,"type":"relay","peer":"p1","data":"!!"}`))
	f.Add([]byte(`{"V":1,"TYPE":"leave"}`))
	f.Add([]byte(`{"v":1,"type":"welcome","room":"q2xk0Yk8Q0W9cQ2a1Zr7uA","you":"p1","peers":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := signal.Decode(b)
		if err != nil {
			if m != nil {
				t.Fatalf("Decode refused %q (%v) but returned %#v", b, err, m)
			}
			if sock.ErrnoOf(err) == nil {
				t.Fatalf("Decode's refusal %v names no errno", err)
			}
			return
		}
		again, err := signal.Encode(m)
		if err != nil {
			t.Fatalf("Decode accepted %q as %#v, which Encode refuses: %v", b, m, err)
		}
		m2, err := signal.Decode(again)
		if err != nil {
			t.Fatalf("Decode refuses %s, Encode's form of %#v: %v", again, m, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip: %#v became %#v", m, m2)
		}
	})
}
