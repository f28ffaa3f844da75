package signal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"socketville/shared/sock"
)

// wire is every field any message may carry; each kind uses a few of them
// (see fieldsOf) and the decoder refuses the others, so one message has one
// meaning.
type wire struct {
	V     int         `json:"v"`
	Type  string      `json:"type"`
	Room  string      `json:"room,omitempty"`
	You   string      `json:"you,omitempty"`
	Peer  string      `json:"peer,omitempty"`
	Name  string      `json:"name,omitempty"`
	Peers []Peer      `json:"peers,omitempty"`
	ICE   []ICEServer `json:"ice,omitempty"`
	SDP   string      `json:"sdp,omitempty"`
	Data  []byte      `json:"data,omitempty"`
	Code  string      `json:"code,omitempty"`
	Text  string      `json:"text,omitempty"`
	// Router is the last field, so that a welcome without it encodes
	// as it did before stars.
	Router string `json:"router,omitempty"`
}

// field is one optional field of the wire form.
type field uint16

const (
	fRoom field = 1 << iota
	fName
	fYou
	fPeer
	fPeers
	fICE
	fSDP
	fData
	fCode
	fText
	fRouter
)

var fieldNames = []struct {
	f    field
	name string
}{
	{fRoom, "room"}, {fName, "name"}, {fYou, "you"}, {fPeer, "peer"}, {fPeers, "peers"},
	{fICE, "ice"}, {fSDP, "sdp"}, {fData, "data"}, {fCode, "code"}, {fText, "text"}, {fRouter, "router"},
}

// fieldsOf says, for each kind, which fields it needs and which it may
// carry besides.
var fieldsOf = map[Kind]struct{ need, may field }{
	KindInvite:     {may: fName},
	KindJoin:       {need: fRoom, may: fName},
	KindWelcome:    {need: fRoom | fYou, may: fPeers | fICE | fRouter},
	KindPeerJoined: {need: fPeer, may: fName},
	KindPeerLeft:   {need: fPeer},
	KindOffer:      {need: fPeer | fSDP},
	KindAnswer:     {need: fPeer | fSDP},
	KindLeave:      {},
	KindRelay:      {need: fPeer | fData},
	KindError:      {need: fCode | fText},
}

// present says which fields w carries.
func (w *wire) present() field {
	var f field
	set := func(b bool, x field) {
		if b {
			f |= x
		}
	}
	set(w.Room != "", fRoom)
	set(w.Name != "", fName)
	set(w.You != "", fYou)
	set(w.Peer != "", fPeer)
	set(len(w.Peers) > 0, fPeers)
	set(len(w.ICE) > 0, fICE)
	set(w.SDP != "", fSDP)
	set(len(w.Data) > 0, fData)
	set(w.Code != "", fCode)
	set(w.Text != "", fText)
	set(w.Router != "", fRouter)
	return f
}

// bad is a refusal of a message: EINVAL, or EMSGSIZE for sizes, with a
// sentence.
func bad(format string, args ...any) error {
	return &sock.CallError{Op: "signal", Errno: sock.ErrInval, Note: fmt.Sprintf(format, args...)}
}

func tooBig(format string, args ...any) error {
	return &sock.CallError{Op: "signal", Errno: sock.ErrMsgSize, Note: fmt.Sprintf(format, args...)}
}

// Encode is the wire form of m. It refuses (EINVAL, EMSGSIZE) what Decode
// would refuse, so nothing ill formed leaves this side.
func Encode(m Message) ([]byte, error) {
	if m == nil {
		return nil, bad("no message to encode")
	}
	w := m.toWire()
	w.V, w.Type = Version, m.Kind().String()
	if err := w.check(m.Kind()); err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Kind(), err)
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Kind(), err)
	}
	if len(b) > MaxMessage {
		return nil, fmt.Errorf("encode %s: %w", m.Kind(), tooBig("the message is %d bytes, over the %d a message may be", len(b), MaxMessage))
	}
	return b, nil
}

// Decode reads one message of the wire form, checking everything once: its
// size, its version, its type, that it has the fields its type needs and no
// others, and each field's form and size. What it refuses it says in a
// sentence, as an error that wraps EINVAL (or EMSGSIZE for sizes).
func Decode(b []byte) (Message, error) {
	switch {
	case len(b) == 0:
		return nil, bad("an empty message")
	case len(b) > MaxMessage:
		return nil, tooBig("the message is %d bytes, over the %d a message may be", len(b), MaxMessage)
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, bad("not a signaling message of JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("something follows the message's closing brace")
	}
	switch {
	case w.V == 0:
		return nil, bad("a message without its version (\"v\": %d)", Version)
	case w.V != Version:
		return nil, bad("a message of version %d, but this side speaks version %d", w.V, Version)
	}
	k := kindByName(w.Type)
	if k == KindUnknown {
		if w.Type == "" {
			return nil, bad("a message without its type")
		}
		return nil, bad("an unknown message type %q (known: %s)", clip(w.Type), strings.Join(kindNames[1:], ", "))
	}
	if err := w.check(k); err != nil {
		return nil, err
	}
	return w.message(k), nil
}

// check says whether w is a well-formed message of kind k.
func (w *wire) check(k Kind) error {
	want := fieldsOf[k]
	has := w.present()
	for _, f := range fieldNames {
		switch {
		case want.need&f.f != 0 && has&f.f == 0:
			return bad("a%s %s message needs its %s", an(k), k, f.name)
		case (want.need|want.may)&f.f == 0 && has&f.f != 0:
			return bad("a%s %s message carries no %s", an(k), k, f.name)
		}
	}
	if has&fRoom != 0 {
		if err := CheckRoomID(RoomID(w.Room)); err != nil {
			return err
		}
	}
	if has&fName != 0 {
		if err := checkName(w.Name); err != nil {
			return err
		}
	}
	for _, id := range []struct {
		f    field
		what string
		s    string
	}{{fYou, "you", w.You}, {fPeer, "peer", w.Peer}, {fRouter, "router", w.Router}} {
		if has&id.f != 0 {
			if err := CheckPeerID(PeerID(id.s)); err != nil {
				return fmt.Errorf("%s: %w", id.what, err)
			}
		}
	}
	if err := checkPeers(w.Peers, PeerID(w.You)); err != nil {
		return err
	}
	if has&fRouter != 0 {
		if w.Router == w.You {
			return bad("a welcome that makes you (%s) the router", w.You)
		}
		for _, p := range w.Peers {
			if string(p.ID) == w.Router {
				return bad("a welcome listing the router %s among the peers", p.ID)
			}
		}
	}
	if err := checkICE(w.ICE); err != nil {
		return err
	}
	if has&fSDP != 0 {
		if err := checkSDP(w.SDP); err != nil {
			return err
		}
	}
	if len(w.Data) > MaxRelay {
		return tooBig("a relay of %d bytes, over the %d one may carry", len(w.Data), MaxRelay)
	}
	if has&fCode != 0 && sock.ErrnoByName(w.Code) == nil {
		return bad("an error code %q that is no errno", clip(w.Code))
	}
	if has&fText != 0 {
		if err := checkText("an error's text", w.Text, MaxText); err != nil {
			return err
		}
	}
	return nil
}

// message is w as the message of kind k; w has been checked.
func (w *wire) message(k Kind) Message {
	switch k {
	case KindInvite:
		return Invite{Name: w.Name}
	case KindJoin:
		return Join{Room: RoomID(w.Room), Name: w.Name}
	case KindWelcome:
		m := Welcome{Room: RoomID(w.Room), You: PeerID(w.You), Router: PeerID(w.Router)}
		// Empty lists decode as nil, so that a message decoded and
		// encoded again is the same message.
		if len(w.Peers) > 0 {
			m.Peers = w.Peers
		}
		if len(w.ICE) > 0 {
			m.ICE = w.ICE
		}
		return m
	case KindPeerJoined:
		return PeerJoined{Peer: Peer{ID: PeerID(w.Peer), Name: w.Name}}
	case KindPeerLeft:
		return PeerLeft{Peer: PeerID(w.Peer)}
	case KindOffer:
		return Offer{Peer: PeerID(w.Peer), SDP: w.SDP}
	case KindAnswer:
		return Answer{Peer: PeerID(w.Peer), SDP: w.SDP}
	case KindLeave:
		return Leave{}
	case KindRelay:
		return Relay{Peer: PeerID(w.Peer), Data: w.Data}
	default:
		return Error{Errno: sock.ErrnoByName(w.Code), Text: w.Text}
	}
}

// an is "n" before a kind's name that starts with a vowel sound.
func an(k Kind) string {
	switch k {
	case KindInvite, KindOffer, KindAnswer, KindError:
		return "n"
	}
	return ""
}

// clip shortens a string quoted back to its sender, so that a refusal is
// never larger than what it refuses.
func clip(s string) string {
	const most = 32
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// CheckPeerID says whether id has the form of a peer id.
func CheckPeerID(id PeerID) error {
	if id == "" || len(id) > 16 {
		return bad("a peer id of %d characters; one has 1 to 16", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0
		if !ok {
			return bad("a peer id %q with a character other than a-z, 0-9 and '-' (not first)", clip(string(id)))
		}
	}
	return nil
}

// checkName says whether s may be a peer's name: printable, one line, at
// most MaxName bytes.
func checkName(s string) error {
	return checkText("a name", s, MaxName)
}

// checkText says whether s is printable text of at most most bytes.
func checkText(what, s string, most int) error {
	if len(s) > most {
		return tooBig("%s of %d bytes, over the %d it may be", what, len(s), most)
	}
	if !utf8.ValidString(s) {
		return bad("%s that is not UTF-8", what)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return bad("%s with the unprintable character %U", what, r)
		}
	}
	return nil
}

func checkPeers(peers []Peer, you PeerID) error {
	if len(peers) > MaxPeers {
		return tooBig("a welcome listing %d peers, over the %d it may", len(peers), MaxPeers)
	}
	seen := make(map[PeerID]bool, len(peers))
	for _, p := range peers {
		if err := CheckPeerID(p.ID); err != nil {
			return fmt.Errorf("peers: %w", err)
		}
		if err := checkName(p.Name); err != nil {
			return fmt.Errorf("peers: %w", err)
		}
		if seen[p.ID] || p.ID == you {
			return bad("a welcome listing the peer %s twice", p.ID)
		}
		seen[p.ID] = true
	}
	return nil
}

func checkICE(servers []ICEServer) error {
	if len(servers) > MaxICEServers {
		return tooBig("%d ICE servers, over the %d a welcome may hand out", len(servers), MaxICEServers)
	}
	for _, s := range servers {
		if err := CheckICEServer(s); err != nil {
			return err
		}
	}
	return nil
}

// CheckICEServer says whether s is an ICE server a page can be handed: 1
// to MaxICEURLs URLs of the schemes stun, stuns, turn and turns, and a user
// name and credential of printable ASCII, for TURN only.
func CheckICEServer(s ICEServer) error {
	if len(s.URLs) == 0 || len(s.URLs) > MaxICEURLs {
		return bad("an ICE server with %d URLs; one has 1 to %d", len(s.URLs), MaxICEURLs)
	}
	turn := false
	for _, u := range s.URLs {
		if len(u) > MaxICEField {
			return tooBig("an ICE URL of %d bytes, over the %d it may be", len(u), MaxICEField)
		}
		scheme, rest, ok := strings.Cut(u, ":")
		if !ok || rest == "" || strings.HasPrefix(rest, "//") {
			return bad("an ICE URL %q that is not scheme:host[:port] (RFC 7064, 7065)", clip(u))
		}
		switch scheme {
		case "turn", "turns":
			turn = true
		case "stun", "stuns":
		default:
			return bad("an ICE URL %q whose scheme is none of stun, stuns, turn, turns", clip(u))
		}
		if err := checkASCII("an ICE URL", rest); err != nil {
			return err
		}
	}
	if !turn && (s.Username != "" || s.Credential != "") {
		return bad("a STUN server with a user name or credential (only TURN has them)")
	}
	for _, f := range []struct{ what, s string }{{"an ICE user name", s.Username}, {"an ICE credential", s.Credential}} {
		if len(f.s) > MaxICEField {
			return tooBig("%s of %d bytes, over the %d it may be", f.what, len(f.s), MaxICEField)
		}
		if err := checkASCII(f.what, f.s); err != nil {
			return err
		}
	}
	return nil
}

// checkASCII says whether s is printable ASCII without spaces.
func checkASCII(what, s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return bad("%s with a character that is not printable ASCII", what)
		}
	}
	return nil
}

// checkSDP says whether s looks like a whole session description: text,
// at most MaxSDP bytes, starting with its version line.
func checkSDP(s string) error {
	if len(s) > MaxSDP {
		return tooBig("an SDP of %d bytes, over the %d one may be", len(s), MaxSDP)
	}
	if !strings.HasPrefix(s, "v=0") {
		return bad("an SDP that does not start with v=0 (RFC 8866)")
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return bad("an SDP that is not text")
	}
	return nil
}
