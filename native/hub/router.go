package hub

import (
	"context"
	"fmt"
	"time"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Router is a peer the hub itself holds in every room (serve --star, with
// shared/p2p/star's Router): every welcome names it, each peer offers it a
// road, and it answers in process rather than over a connection of its
// own. Offer may take a while (the router gathers its candidates) and is
// called outside the hub's lock; Left must not wait.
type Router interface {
	// ID is the router's peer id in every room; none of the hub's own.
	ID() signal.PeerID
	// Offer answers the whole SDP offer of peer from of room.
	Offer(ctx context.Context, room signal.RoomID, from signal.PeerID, sdp string) (string, error)
	// Left says peer left room (or went away): its road goes.
	Left(room signal.RoomID, peer signal.PeerID)
}

// ReasonRouter counts offers the room's router refused.
const ReasonRouter Reason = "router"

// routerOfferTimeout bounds one answer of the router's.
const routerOfferTimeout = 20 * time.Second

// routerID is the router every welcome names, or none.
func (h *Hub) routerID() signal.PeerID {
	if h.cfg.Router == nil {
		return ""
	}
	return h.cfg.Router.ID()
}

// toRouter takes an offer of c's for the room's router, answering it in
// the background, and says whether it was one; h.mu is held.
func (h *Hub) toRouter(c *conn, m signal.Offer) bool {
	if h.cfg.Router == nil || m.Peer != h.cfg.Router.ID() {
		return false
	}
	if c.room == nil {
		h.tell(c, ReasonOutOfOrder, sock.ErrNotConn, "an offer before any join: invite or join a room first")
		return true
	}
	r, from := c.room, c.id
	h.forwarded++
	h.wg.Add(2) // the answer, and its watch on Close
	ctx, cancel := context.WithTimeout(context.Background(), routerOfferTimeout)
	go func() {
		defer h.wg.Done()
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	go func() {
		defer h.wg.Done()
		defer cancel()
		sdp, err := h.cfg.Router.Offer(ctx, r.id, from, m.SDP)
		h.mu.Lock()
		defer h.mu.Unlock()
		still := c.room == r && c.id == from && !c.kicked()
		switch {
		case !still:
			if err == nil {
				h.cfg.Router.Left(r.id, from) // gone while it was answered
			}
		case err != nil:
			errno := sock.ErrnoOf(err)
			if errno == nil {
				errno = sock.ErrConnRefused
			}
			h.tell(c, ReasonRouter, errno, clip(fmt.Sprintf("the room's router refused your offer: %v", err), signal.MaxText))
		default:
			h.forward(c, signal.Answer{Peer: h.cfg.Router.ID(), SDP: sdp})
		}
	}()
	return true
}

// routerLeft tells the router that c leaves its room; h.mu is held.
func (h *Hub) routerLeft(c *conn) {
	if h.cfg.Router != nil {
		h.cfg.Router.Left(c.room.id, c.id)
	}
}
