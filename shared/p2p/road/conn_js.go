//go:build js

package road

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"

	"socketville/shared/jsnet"
	"socketville/shared/sock"
)

// ErrNoWebRTC says the browser has no RTCPeerConnection (or the page may
// not use it): the owner should relay instead.
var ErrNoWebRTC = fmt.Errorf("road: this browser has no WebRTC: %w", sock.ErrOpNotSupp)

// conn is a road's WebRTC in the browser: the page's own
// RTCPeerConnection, through syscall/js (see conn.go). Pion's js build
// would wrap the same object, and link its native stack (ICE, DTLS, SCTP,
// TURN, crypto/tls) into the page for the types of its API. Go runs on
// the page's one thread, so the browser's events and the road's calls
// never run at once; live still guards the handlers, since an event may
// come between close's steps.
type conn struct {
	pc            js.Value
	frames, state js.Value
	uint8Array    js.Value
	funcs         []js.Func
	gathered      chan struct{} // closed when ICE gathering completes
	gatherOnce    sync.Once
	live          atomic.Bool
}

func newConn(o Options, h handlers) (*conn, error) {
	ctor := js.Global().Get("RTCPeerConnection")
	if ctor.Type() != js.TypeFunction {
		return nil, ErrNoWebRTC
	}
	c := &conn{uint8Array: js.Global().Get("Uint8Array"), gathered: make(chan struct{})}
	c.live.Store(true)
	pc, err := jsnet.Catch(func() js.Value { return ctor.New(configuration(o)) })
	if err != nil {
		return nil, fmt.Errorf("road: new peer connection: %w", err)
	}
	c.pc = pc
	c.frames, err = jsnet.Catch(func() js.Value {
		return pc.Call("createDataChannel", "frames", map[string]any{
			"negotiated": true, "id": int(FramesID), "ordered": false, "maxRetransmits": 0,
		})
	})
	if err == nil {
		c.state, err = jsnet.Catch(func() js.Value {
			return pc.Call("createDataChannel", "state", map[string]any{"negotiated": true, "id": int(StateID)})
		})
	}
	if err != nil {
		pc.Call("close")
		return nil, fmt.Errorf("road: create data channels: %w", err)
	}
	c.frames.Set("bufferedAmountLowThreshold", o.HighWater/2)
	c.on(c.frames, "onbufferedamountlow", func(js.Value) { h.drained() })
	for _, dc := range []js.Value{c.frames, c.state} {
		dc.Set("binaryType", "arraybuffer")
		c.on(dc, "onopen", func(js.Value) { h.opened() })
		c.on(dc, "onclose", func(js.Value) { h.closed(ErrPeerClosed) })
	}
	c.on(c.frames, "onmessage", func(e js.Value) { h.frame(c.data(e)) })
	c.on(c.state, "onmessage", func(e js.Value) { h.state(c.data(e)) })
	c.on(pc, "onconnectionstatechange", func(js.Value) {
		switch pc.Get("connectionState").String() {
		case "failed":
			h.closed(errors.New("road: the peer connection failed"))
		case "closed":
			h.closed(ErrPeerClosed)
		}
	})
	c.on(pc, "onicegatheringstatechange", func(js.Value) { c.checkGathered() })
	return c, nil
}

// configuration is the RTCConfiguration of o's ICE servers.
func configuration(o Options) map[string]any {
	servers := make([]any, 0, len(o.ICE))
	for _, s := range o.ICE {
		urls := make([]any, len(s.URLs))
		for i, u := range s.URLs {
			urls[i] = u
		}
		srv := map[string]any{"urls": urls}
		if s.Username != "" {
			srv["username"] = s.Username
		}
		if s.Credential != "" {
			srv["credential"] = s.Credential
		}
		servers = append(servers, srv)
	}
	cfg := map[string]any{"iceServers": servers}
	if o.RelayOnly {
		cfg["iceTransportPolicy"] = "relay"
	}
	return cfg
}

// on sets target's handler property to f while the conn is live; close
// takes it away and releases it.
func (c *conn) on(target js.Value, property string, f func(event js.Value)) {
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if c.live.Load() {
			e := js.Undefined()
			if len(args) > 0 {
				e = args[0]
			}
			f(e)
		}
		return nil
	})
	target.Set(property, fn)
	c.funcs = append(c.funcs, fn)
}

// data is a message event's bytes, and whether the peer sent a string.
func (c *conn) data(e js.Value) ([]byte, bool) {
	d := e.Get("data")
	if d.Type() == js.TypeString {
		return []byte(d.String()), true
	}
	a := c.uint8Array.New(d)
	b := make([]byte, a.Get("length").Int())
	js.CopyBytesToGo(b, a)
	return b, false
}

func (c *conn) checkGathered() {
	if c.pc.Get("iceGatheringState").String() == "complete" {
		c.gatherOnce.Do(func() { close(c.gathered) })
	}
}

func (c *conn) offer(ctx context.Context) (string, error) {
	offer, err := jsnet.Await(func() js.Value { return c.pc.Call("createOffer") })
	if err != nil {
		return "", fmt.Errorf("road: create offer: %w", err)
	}
	return c.gather(ctx, offer)
}

func (c *conn) answer(ctx context.Context, offer string) (string, error) {
	if err := c.remote("offer", offer); err != nil {
		return "", err
	}
	answer, err := jsnet.Await(func() js.Value { return c.pc.Call("createAnswer") })
	if err != nil {
		return "", fmt.Errorf("road: create answer: %w", err)
	}
	return c.gather(ctx, answer)
}

func (c *conn) accept(answer string) error { return c.remote("answer", answer) }

func (c *conn) remote(typ, sdp string) error {
	_, err := jsnet.Await(func() js.Value {
		return c.pc.Call("setRemoteDescription", map[string]any{"type": typ, "sdp": sdp})
	})
	if err != nil {
		return fmt.Errorf("road: the peer's %s: %w", typ, err)
	}
	return nil
}

// gather sets d as the local description and waits for ICE gathering to
// complete, returning the whole SDP with every candidate in it: the hub
// carries no trickled candidates.
func (c *conn) gather(ctx context.Context, d js.Value) (string, error) {
	typ := d.Get("type").String()
	if _, err := jsnet.Await(func() js.Value { return c.pc.Call("setLocalDescription", d) }); err != nil {
		return "", fmt.Errorf("road: set local %s: %w", typ, err)
	}
	c.checkGathered() // it may have completed before the first event
	select {
	case <-c.gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("road: gathering candidates: %w", ctx.Err())
	}
	return c.pc.Get("localDescription").Get("sdp").String(), nil
}

func (c *conn) sendFrame(b []byte) error { return c.send(c.frames, b) }
func (c *conn) sendState(b []byte) error { return c.send(c.state, b) }

// send sends b on dc; the browser copies it at once. A channel that is not
// open, or whose buffer is full, throws: that is the error.
func (c *conn) send(dc js.Value, b []byte) error {
	a := c.uint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	_, err := jsnet.Catch(func() js.Value { return dc.Call("send", a) })
	return err
}

func (c *conn) buffered() uint64      { return bufferedAmount(c.frames) }
func (c *conn) stateBuffered() uint64 { return bufferedAmount(c.state) }

func bufferedAmount(dc js.Value) uint64 { return uint64(dc.Get("bufferedAmount").Float()) }

// close takes the handlers away, closes the PeerConnection (which closes
// its channels: closing them first lets some browsers fire events on
// handlers already gone) and releases the callbacks.
func (c *conn) close() {
	c.live.Store(false)
	for _, t := range []struct {
		target js.Value
		props  []string
	}{
		{c.pc, []string{"onconnectionstatechange", "onicegatheringstatechange"}},
		{c.frames, []string{"onopen", "onclose", "onmessage", "onbufferedamountlow"}},
		{c.state, []string{"onopen", "onclose", "onmessage"}},
	} {
		for _, p := range t.props {
			t.target.Set(p, js.Null())
		}
	}
	_, _ = jsnet.Catch(func() js.Value { return c.pc.Call("close") })
	for _, f := range c.funcs {
		f.Release()
	}
	c.funcs = nil
}
