// Package star is the classroom topology of a shared town (socketville
// serve --star): instead of a road from every peer to every other (435
// PeerConnections for 30 peers), each peer makes one road, to a router the
// server runs, and the router passes on what the peers send each other.
//
// On a star road a message is what a relay message of the hub carries
// (shared/p2p/mesh), on a data channel: its tag, the peer it is for (from
// a peer) or the peer it is from (from the router), then the body, a frame
// on the frames channel or a state message on the state channel; the
// channel says which, as the relay's kind byte does on the hub. A state
// message tagged with no peer is for every peer of the room. The router
// reads the tag and nothing else: it never parses or rewrites the packets
// it passes on.
//
// Tag and Untag are the framing, shared by every peer's mesh (natively and
// in the browser); Router is the server's end, a pion peer natively.
package star

import (
	"fmt"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// MaxTag is the most bytes a tag adds to a message: a length byte and a
// peer id of at most 16 characters. A star road's Options.Overhead.
const MaxTag = 1 + 16

// Tag is body behind the tag of peer: one byte of the id's length, then
// the id. The empty peer is every peer of the room.
func Tag(peer signal.PeerID, body []byte) []byte {
	b := make([]byte, 0, 1+len(peer)+len(body))
	b = append(b, byte(len(peer)))
	b = append(b, peer...)
	return append(b, body...)
}

// Untag splits a message into its tag's peer (empty: every peer) and its
// body, which aliases b. A message too short for its tag, with a tag that
// is no peer id, or with nothing behind its tag is refused with EINVAL.
func Untag(b []byte) (signal.PeerID, []byte, error) {
	if len(b) == 0 {
		return "", nil, fmt.Errorf("star: an empty message: %w", sock.ErrInval)
	}
	n := int(b[0])
	if n > MaxTag-1 || len(b) < 1+n {
		return "", nil, fmt.Errorf("star: a message of %d bytes with a tag of %d: %w", len(b), n, sock.ErrInval)
	}
	peer := signal.PeerID(b[1 : 1+n])
	if n > 0 {
		if err := signal.CheckPeerID(peer); err != nil {
			return "", nil, fmt.Errorf("star: a tag: %w", err)
		}
	}
	body := b[1+n:]
	if len(body) == 0 {
		return "", nil, fmt.Errorf("star: a message with nothing behind its tag: %w", sock.ErrInval)
	}
	return peer, body, nil
}
