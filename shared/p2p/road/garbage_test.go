//go:build !js

package road_test

import (
	"context"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/pion/ice/v2"
	"github.com/pion/webrtc/v3"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
)

// evil is a peer that speaks WebRTC but not the road's protocol: a bare
// pion PeerConnection with the road's two channel ids, free to send
// anything on them.
type evil struct {
	pc            *webrtc.PeerConnection
	frames, state *webrtc.DataChannel
	low           chan struct{}
}

// newEvil opens an evil peer to a road that answers over sig's other end.
func newEvil(t testing.TB, sig road.Signaler) *evil {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetIncludeLoopbackCandidate(true)
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("evil peer: %v", err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	yes, no, zero, fid, sid := true, false, uint16(0), road.FramesID, road.StateID
	e := &evil{pc: pc, low: make(chan struct{}, 1)}
	if e.frames, err = pc.CreateDataChannel("frames", &webrtc.DataChannelInit{Negotiated: &yes, ID: &fid, Ordered: &no, MaxRetransmits: &zero}); err != nil {
		t.Fatalf("evil frames: %v", err)
	}
	if e.state, err = pc.CreateDataChannel("state", &webrtc.DataChannelInit{Negotiated: &yes, ID: &sid}); err != nil {
		t.Fatalf("evil state: %v", err)
	}
	// Both channels must be open before the garbage starts: pion refuses
	// a send on a channel still opening (io.ErrClosedPipe).
	opened := make(chan struct{}, 2)
	e.frames.OnOpen(func() { opened <- struct{}{} })
	e.state.OnOpen(func() { opened <- struct{}{} })
	e.frames.SetBufferedAmountLowThreshold(256 << 10)
	e.frames.OnBufferedAmountLow(func() {
		select {
		case e.low <- struct{}{}:
		default:
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("evil offer: %v", err)
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatalf("evil local: %v", err)
	}
	<-done
	if err := sig.Send(ctx, signal.Offer{Peer: "p1", SDP: pc.LocalDescription().SDP}); err != nil {
		t.Fatalf("evil send offer: %v", err)
	}
	m, err := sig.Recv(ctx)
	a, ok := m.(signal.Answer)
	if err != nil || !ok {
		t.Fatalf("evil wants an answer, got %v, %v", m, err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: a.SDP}); err != nil {
		t.Fatalf("evil remote: %v", err)
	}
	for range 2 {
		select {
		case <-opened:
		case <-ctx.Done():
			t.Fatal("evil peer's channels did not open")
		}
	}
	return e
}

// send sends one message on dc, waiting while the channel holds over
// 1 MiB so that the garbage reaches the road rather than pion's buffer.
func (e *evil) send(dc *webrtc.DataChannel, b []byte, text bool) error {
	for dc == e.frames && dc.BufferedAmount() > 1<<20 {
		select {
		case <-e.low:
		case <-time.After(10 * time.Millisecond):
		}
	}
	if text {
		return dc.SendText(string(b))
	}
	return dc.Send(b)
}

// garbage is one random message: empty, short, up to the MTU or over it,
// binary or text, on either channel (a tenth on the state channel).
func garbage(rng *rand.Rand, buf []byte) (b []byte, onState, text bool) {
	var n int
	switch rng.IntN(10) {
	case 0:
		n = 0
	case 1:
		n = road.MTU + 1 + rng.IntN(900)
	default:
		n = 1 + rng.IntN(road.MTU)
	}
	b = buf[:n]
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	onState, text = rng.IntN(10) == 0, rng.IntN(20) == 0
	if onState && n == 1 && b[0] == 3 {
		b[0] = 0 // a bye would only close the evil peer's own road
	}
	return b, onState, text
}

// roadForEvil is a road answering an evil peer, drained by the test.
func roadForEvil(t testing.TB) (*road.Road, *evil) {
	t.Helper()
	pr, pe := pipes()
	r, err := road.New(pr, road.Options{Role: road.RoleAnswerer, Peer: "evil", Loopback: true, SilentAfter: time.Minute})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	e := newEvil(t, pe)
	waitOpen(t, r)
	return r, e
}

// flood sends n garbage messages from e, draining r as the owner would.
func flood(t testing.TB, r *road.Road, e *evil, n int) {
	rng := rand.New(rand.NewPCG(13, 2))
	buf := make([]byte, 2*road.MTU)
	for i := range n {
		b, onState, text := garbage(rng, buf)
		dc := e.frames
		if onState {
			dc = e.state
		}
		if err := e.send(dc, b, text); err != nil {
			t.Fatalf("evil send %d: %v", i, err)
		}
		if i%256 == 0 {
			r.Drain(func([]byte) {})
			for _, ok := r.RecvState(); ok; _, ok = r.RecvState() {
			}
		}
	}
}

func TestGarbage(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	r, e := roadForEvil(t)
	start := time.Now()
	flood(t, r, e, n)
	// The reliable state channel delivers everything; wait for its last
	// message to be judged, then look.
	deadline := time.Now().Add(10 * time.Second)
	for r.Stats().Drops[road.DropBadState] == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	s := r.Stats()
	t.Logf("%d garbage messages in %v; road %v, received %d frames, drops %v", n, time.Since(start), s.State, s.RecvMsgs, s.Drops)
	if s.State != road.StateOpen {
		t.Fatalf("the road is %v after garbage: %v", s.State, r.Err())
	}
	for _, d := range []road.Drop{road.DropEmpty, road.DropOversize, road.DropText, road.DropBadState} {
		if s.Drops[d] == 0 {
			t.Errorf("no %v drops counted after %d garbage messages", d, n)
		}
	}
	if got := s.RecvMsgs + s.Dropped(); got == 0 || got > uint64(n) {
		t.Errorf("received %d + dropped %d of %d sent", s.RecvMsgs, s.Dropped(), n)
	}
}

// BenchmarkGarbage sends b.N garbage messages at a road (the issue's
// 1,000,000: -bench Garbage -benchtime 1000000x).
func BenchmarkGarbage(b *testing.B) {
	r, e := roadForEvil(b)
	b.ResetTimer()
	flood(b, r, e, b.N)
	b.StopTimer()
	s := r.Stats()
	if s.State != road.StateOpen {
		b.Fatalf("the road is %v after garbage: %v", s.State, r.Err())
	}
	b.ReportMetric(float64(s.Dropped())/float64(b.N), "drops/op")
}

func TestPeerVanishes(t *testing.T) {
	tests := []struct {
		name   string
		vanish func(e *evil)
		within time.Duration
	}{
		// A peer whose PeerConnection closes (a tab closed) says no bye;
		// its DTLS and SCTP endings must close the road.
		{name: "peer connection closed", vanish: func(e *evil) { _ = e.pc.Close() }, within: 5 * time.Second},
		// A peer that stays connected but never pings (here: the evil
		// peer's channels are up but silent) is closed after SilentAfter.
		{name: "silent", vanish: func(*evil) {}, within: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, pe := pipes()
			r, err := road.New(pr, road.Options{Role: road.RoleAnswerer, Peer: "evil", Loopback: true, SilentAfter: time.Second, PingEvery: 50 * time.Millisecond})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer r.Close()
			e := newEvil(t, pe)
			waitOpen(t, r)
			start := time.Now()
			tt.vanish(e)
			select {
			case <-r.Done():
			case <-time.After(tt.within):
				t.Fatalf("road still %v %v after the peer went", r.State(), tt.within)
			}
			if r.Err() == nil {
				t.Errorf("a closed road with no reason")
			}
			t.Logf("closed after %v: %v", time.Since(start), r.Err())
		})
	}
}
