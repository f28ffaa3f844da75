package road

import (
	"context"
	"fmt"

	"socketville/shared/p2p/hubconn"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Hub is a Signaler over a connection to the signaling hub, for the road
// to one peer: it sends the road's offer or answer to the hub, which
// forwards it, and hands the road the offers and answers that come from
// that peer. Other messages (peers joining, relays, offers from other
// peers) are skipped: a connection that serves many roads needs a demuxer
// above it, a later step. The connection must already be in a room
// (Invite or Join answered with a Welcome), and nobody else may read it
// while a road negotiates.
type Hub struct {
	ws   *hubconn.Conn
	peer signal.PeerID
}

// NewHub is a Signaler for the road to peer over ws.
func NewHub(ws *hubconn.Conn, peer signal.PeerID) *Hub {
	return &Hub{ws: ws, peer: peer}
}

// Send encodes m and writes it to the hub.
func (h *Hub) Send(ctx context.Context, m signal.Message) error {
	b, err := signal.Encode(m)
	if err != nil {
		return fmt.Errorf("road: to the hub: %w", err)
	}
	if err := h.ws.Write(ctx, b); err != nil {
		return fmt.Errorf("road: to the hub: %w", err)
	}
	return nil
}

// Recv returns the next offer or answer from the peer. A refusal from the
// hub, or the peer leaving, ends the wait with an error.
func (h *Hub) Recv(ctx context.Context) (signal.Message, error) {
	for {
		b, err := h.ws.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("road: from the hub: %w", err)
		}
		m, err := signal.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("road: from the hub: %w", err)
		}
		switch m := m.(type) {
		case signal.Offer:
			if m.Peer == h.peer {
				return m, nil
			}
		case signal.Answer:
			if m.Peer == h.peer {
				return m, nil
			}
		case signal.Error:
			return nil, fmt.Errorf("road: the hub refused: %w", m.Err())
		case signal.PeerLeft:
			if m.Peer == h.peer {
				return nil, fmt.Errorf("road: peer %s left the room: %w", h.peer, sock.ErrConnReset)
			}
		}
	}
}
