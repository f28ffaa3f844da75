//go:build !js

package road

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/pion/webrtc/v3"

	"socketville/shared/p2p/signal"
)

// conn is a road's WebRTC made of pion's PeerConnection (see conn.go).
type conn struct {
	pc            *webrtc.PeerConnection
	frames, state *webrtc.DataChannel
	// live is cleared by close before anything is closed, so that no
	// callback of pion's reaches a road that is gone.
	live atomic.Bool
}

func newConn(o Options, h handlers) (*conn, error) {
	cfg := webrtc.Configuration{ICEServers: iceServers(o.ICE)}
	if o.RelayOnly {
		cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := newAPI(o).NewPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("road: new peer connection: %w", err)
	}
	c := &conn{pc: pc}
	c.live.Store(true)
	yes, zero := true, uint16(0)
	unordered := false
	fid, sid := FramesID, StateID
	c.frames, err = pc.CreateDataChannel("frames", &webrtc.DataChannelInit{
		Negotiated: &yes, ID: &fid, Ordered: &unordered, MaxRetransmits: &zero,
	})
	if err == nil {
		c.state, err = pc.CreateDataChannel("state", &webrtc.DataChannelInit{Negotiated: &yes, ID: &sid})
	}
	if err != nil {
		_ = pc.Close()
		return nil, fmt.Errorf("road: create data channels: %w", err)
	}
	c.frames.SetBufferedAmountLowThreshold(uint64(o.HighWater / 2))
	c.frames.OnBufferedAmountLow(func() { c.call(h.drained) })
	for _, dc := range []*webrtc.DataChannel{c.frames, c.state} {
		dc.OnOpen(func() { c.call(h.opened) })
		dc.OnClose(func() { c.call(func() { h.closed(ErrPeerClosed) }) })
	}
	c.frames.OnMessage(func(m webrtc.DataChannelMessage) { c.call(func() { h.frame(m.Data, m.IsString) }) })
	c.state.OnMessage(func(m webrtc.DataChannelMessage) { c.call(func() { h.state(m.Data, m.IsString) }) })
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateFailed:
			c.call(func() { h.closed(errors.New("road: the peer connection failed")) })
		case webrtc.PeerConnectionStateClosed:
			c.call(func() { h.closed(ErrPeerClosed) })
		}
	})
	return c, nil
}

// call calls f while the conn is live.
func (c *conn) call(f func()) {
	if c.live.Load() {
		f()
	}
}

func iceServers(in []signal.ICEServer) []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(in))
	for _, s := range in {
		out = append(out, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	return out
}

func (c *conn) offer(ctx context.Context) (string, error) {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("road: create offer: %w", err)
	}
	return c.gather(ctx, offer)
}

func (c *conn) answer(ctx context.Context, offer string) (string, error) {
	if err := c.remote(webrtc.SDPTypeOffer, offer); err != nil {
		return "", err
	}
	answer, err := c.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("road: create answer: %w", err)
	}
	return c.gather(ctx, answer)
}

func (c *conn) accept(answer string) error { return c.remote(webrtc.SDPTypeAnswer, answer) }

func (c *conn) remote(t webrtc.SDPType, sdp string) error {
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: t, SDP: sdp}); err != nil {
		return fmt.Errorf("road: the peer's %s: %w", t, err)
	}
	return nil
}

// gather sets d as the local description and waits for ICE gathering to
// complete, returning the whole SDP with every candidate in it (pion's
// wasm build mishandles trickled ones).
func (c *conn) gather(ctx context.Context, d webrtc.SessionDescription) (string, error) {
	complete := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(d); err != nil {
		return "", fmt.Errorf("road: set local %s: %w", d.Type, err)
	}
	select {
	case <-complete:
	case <-ctx.Done():
		return "", fmt.Errorf("road: gathering candidates: %w", ctx.Err())
	}
	return c.pc.LocalDescription().SDP, nil
}

func (c *conn) sendFrame(b []byte) error { return c.frames.Send(b) }
func (c *conn) buffered() uint64         { return c.frames.BufferedAmount() }
func (c *conn) sendState(b []byte) error { return c.state.Send(b) }
func (c *conn) stateBuffered() uint64    { return c.state.BufferedAmount() }

// close takes the handlers away and closes the channels and the
// PeerConnection.
func (c *conn) close() {
	c.live.Store(false)
	c.pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) {})
	for _, dc := range []*webrtc.DataChannel{c.frames, c.state} {
		// OnOpen stays: pion's native OnOpen races with its own once
		// (and runs the new handler on an open channel), and live keeps
		// it from the road.
		dc.OnClose(func() {})
		dc.OnMessage(func(webrtc.DataChannelMessage) {})
		dc.OnBufferedAmountLow(func() {})
	}
	for _, dc := range []*webrtc.DataChannel{c.frames, c.state} {
		closeChannel(dc)
	}
	_ = c.pc.Close()
}
