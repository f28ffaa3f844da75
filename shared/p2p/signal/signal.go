// Package signal is the signaling vocabulary of Socketville's peer-to-peer
// towns: the messages a page (or a native peer) and the hub exchange to
// meet in a room and set up a WebRTC data channel between every two peers,
// their versioned JSON wire form, and one validating decoder for all of
// them. Room ids, peer ids and invite links have their own types and
// checks here, so the browser, the native peer and the hub agree on what is
// well formed. The package knows no socket and no screen; it builds for
// GOOS=js too.
//
// A conversation, as the hub sees it:
//
//	a -> hub  {"v":1,"type":"invite","name":"ann"}
//	hub -> a  {"v":1,"type":"welcome","room":"ROOM","you":"p1"}
//	b -> hub  {"v":1,"type":"join","room":"ROOM","name":"bob"}
//	hub -> b  {"v":1,"type":"welcome","room":"ROOM","you":"p2","peers":[{"id":"p1","name":"ann"}]}
//	hub -> a  {"v":1,"type":"peer-joined","peer":"p2","name":"bob"}
//	b -> hub  {"v":1,"type":"offer","peer":"p1","sdp":"v=0..."}    (peer: to whom)
//	hub -> a  {"v":1,"type":"offer","peer":"p2","sdp":"v=0..."}    (peer: from whom)
//	a -> hub  {"v":1,"type":"answer","peer":"p2","sdp":"v=0..."}
//	hub -> b  {"v":1,"type":"answer","peer":"p1","sdp":"v=0..."}
//	b -> hub  {"v":1,"type":"leave"}
//	hub -> a  {"v":1,"type":"peer-left","peer":"p2"}
//
// SDP is sent whole, after ICE gathering has completed (no trickled
// candidates: pion v3's wasm build mishandles them).
//
// In a star room (socketville serve --star) the welcome names a router,
// a peer of the server's own that is never listed among the peers:
//
//	hub -> b  {"v":1,"type":"welcome","room":"ROOM","you":"p2","peers":[...],"router":"star"}
//	b -> hub  {"v":1,"type":"offer","peer":"star","sdp":"v=0..."}
//	hub -> b  {"v":1,"type":"answer","peer":"star","sdp":"v=0..."}
//
// and each peer makes one road, to the router, that carries what it sends
// every other peer (see shared/p2p/star).
package signal

import (
	"socketville/shared/sock"
)

// Version is the version of the wire form this package speaks; every
// message carries it as "v", and a message of another version is refused
// by name rather than misread.
const Version = 1

// Limits of the wire form. The hub reads at most MaxMessage bytes a
// message; the others bound the fields inside one.
const (
	// MaxMessage is the largest encoded message, in bytes (the hub's
	// WebSocket read limit).
	MaxMessage = 64 << 10
	// MaxSDP is the largest session description, in bytes. A non-trickle
	// offer with a data channel and a dozen candidates is 1-3 KiB.
	MaxSDP = 32 << 10
	// MaxRelay is the most bytes one relay message carries: one frame of a
	// road (its MTU is 1160) with room for a link header.
	MaxRelay = 2048
	// MaxPeers is the most peers a welcome may list.
	MaxPeers = 256
	// MaxName is the longest peer name, in bytes.
	MaxName = 40
	// MaxText is the longest sentence of an error message, in bytes.
	MaxText = 512
	// MaxICEServers is the most ICE servers a welcome may hand out, and
	// MaxICEURLs the most URLs one of them may have.
	MaxICEServers = 8
	MaxICEURLs    = 4
	// MaxICEField is the longest ICE URL, user name or credential.
	MaxICEField = 256
)

// Kind is the type of a signaling message, as its "type" field names it.
// The zero Kind is no kind at all.
type Kind uint8

// The kinds of message, in the order a conversation meets them.
const (
	KindUnknown    Kind = iota
	KindInvite          // client -> hub: make a new room and put me in it
	KindJoin            // client -> hub: put me in this existing room
	KindWelcome         // hub -> client: you are in; your id and the room's peers
	KindPeerJoined      // hub -> client: a peer came into your room
	KindPeerLeft        // hub -> client: a peer left your room or went away
	KindOffer           // both ways: a whole SDP offer, to (or from) one peer
	KindAnswer          // both ways: a whole SDP answer, to (or from) one peer
	KindLeave           // client -> hub: take me out of my room
	KindRelay           // both ways: a packet through the hub, to (or from) one peer
	KindError           // hub -> client: what was refused, in a sentence, and its errno
)

var kindNames = [...]string{
	KindUnknown:    "unknown",
	KindInvite:     "invite",
	KindJoin:       "join",
	KindWelcome:    "welcome",
	KindPeerJoined: "peer-joined",
	KindPeerLeft:   "peer-left",
	KindOffer:      "offer",
	KindAnswer:     "answer",
	KindLeave:      "leave",
	KindRelay:      "relay",
	KindError:      "error",
}

// String is the kind's name on the wire ("peer-joined").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// kindByName returns the kind named s on the wire, or KindUnknown.
func kindByName(s string) Kind {
	for k := KindInvite; int(k) < len(kindNames); k++ {
		if kindNames[k] == s {
			return k
		}
	}
	return KindUnknown
}

// PeerID names a peer within its room. The hub gives it ("p1", "p2", ...);
// its form is 1 to 16 characters of a-z, 0-9 and '-', starting with a
// letter or digit.
type PeerID string

// Peer is a peer of a room as the others see it: its id and the name it
// gave (empty if it gave none).
type Peer struct {
	ID   PeerID `json:"id"`
	Name string `json:"name,omitempty"`
}

// ICEServer is a STUN or TURN server a peer may use, shaped like WebRTC's
// RTCIceServer so the page can hand it on as it is.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Message is one signaling message: one of the types below, each of which
// has the fields its kind carries and no others.
type Message interface {
	// Kind says which message this is.
	Kind() Kind
	// toWire fills the wire form; it seals the set of messages.
	toWire() wire
}

// Invite asks the hub for a new room with a fresh id and puts the sender
// in it, named Name. The hub answers with a Welcome.
type Invite struct {
	Name string
}

// Join puts the sender in the existing room Room, named Name. The hub
// answers with a Welcome, and tells the room's other peers with a
// PeerJoined.
type Join struct {
	Room RoomID
	Name string
}

// Welcome tells a peer it is in room Room as You, who else is there
// (Peers, in the order they came) and which ICE servers to use. Router,
// when not empty, says the room is a star: the peer makes one road, to
// the router, instead of one to every peer; the router is none of Peers
// and neither is it You.
type Welcome struct {
	Room   RoomID
	You    PeerID
	Peers  []Peer
	ICE    []ICEServer
	Router PeerID
}

// PeerJoined tells the peers of a room that Peer came in.
type PeerJoined struct {
	Peer Peer
}

// PeerLeft tells the peers of a room that Peer left or went away.
type PeerLeft struct {
	Peer PeerID
}

// Offer carries a whole SDP offer. From a client, Peer is the peer it is
// for; from the hub, Peer is the peer that made it.
type Offer struct {
	Peer PeerID
	SDP  string
}

// Answer carries a whole SDP answer to an Offer. From a client, Peer is
// the peer whose offer it answers; from the hub, Peer is the peer that
// answered.
type Answer struct {
	Peer PeerID
	SDP  string
}

// Leave takes the sender out of its room; the connection stays open for
// another Invite or Join.
type Leave struct{}

// Relay carries one packet through the hub, for peers whose data channel
// did not open. From a client, Peer is the peer it is for; from the hub,
// the peer that sent it.
type Relay struct {
	Peer PeerID
	Data []byte
}

// Error tells a client what the hub refused: Errno says which kind of
// refusal (EMSGSIZE, EAGAIN, ECONNREFUSED, ...) and Text says it in a
// sentence.
type Error struct {
	Errno *sock.Errno
	Text  string
}

// Err is the refusal as a Go error that wraps the errno, so that
// errors.Is(err, syscall.EAGAIN) holds for a rate limit.
func (e Error) Err() error {
	return &sock.CallError{Op: "signal", Errno: e.Errno, Note: e.Text}
}

// Kind is KindInvite.
func (Invite) Kind() Kind { return KindInvite }

// Kind is KindJoin.
func (Join) Kind() Kind { return KindJoin }

// Kind is KindWelcome.
func (Welcome) Kind() Kind { return KindWelcome }

// Kind is KindPeerJoined.
func (PeerJoined) Kind() Kind { return KindPeerJoined }

// Kind is KindPeerLeft.
func (PeerLeft) Kind() Kind { return KindPeerLeft }

// Kind is KindOffer.
func (Offer) Kind() Kind { return KindOffer }

// Kind is KindAnswer.
func (Answer) Kind() Kind { return KindAnswer }

// Kind is KindLeave.
func (Leave) Kind() Kind { return KindLeave }

// Kind is KindRelay.
func (Relay) Kind() Kind { return KindRelay }

// Kind is KindError.
func (Error) Kind() Kind { return KindError }

func (m Invite) toWire() wire { return wire{Name: m.Name} }
func (m Join) toWire() wire   { return wire{Room: string(m.Room), Name: m.Name} }
func (m Welcome) toWire() wire {
	return wire{Room: string(m.Room), You: string(m.You), Peers: m.Peers, ICE: m.ICE, Router: string(m.Router)}
}
func (m PeerJoined) toWire() wire { return wire{Peer: string(m.Peer.ID), Name: m.Peer.Name} }
func (m PeerLeft) toWire() wire   { return wire{Peer: string(m.Peer)} }
func (m Offer) toWire() wire      { return wire{Peer: string(m.Peer), SDP: m.SDP} }
func (m Answer) toWire() wire     { return wire{Peer: string(m.Peer), SDP: m.SDP} }
func (Leave) toWire() wire        { return wire{} }
func (m Relay) toWire() wire      { return wire{Peer: string(m.Peer), Data: m.Data} }
func (m Error) toWire() wire {
	w := wire{Text: m.Text}
	if m.Errno != nil {
		w.Code = m.Errno.Name()
	}
	return w
}
