// Package road is one peer-to-peer road of a shared town: a WebRTC
// PeerConnection to one remote peer carrying two pre-negotiated data
// channels, "frames" (unordered, no retransmissions: one frame or IP packet
// a message, at most MTU bytes) and "state" (reliable and ordered: small
// snapshots, and the road's own pings). It negotiates over a Signaler with
// whole, non-trickled SDP, and it never calls into its owner: sends go
// through a bounded queue that drops, counted, when the channel is
// congested (so TCP above sees loss, not bufferbloat), and what arrives
// waits in bounded queues the owner drains on its own tick.
//
// Hub is the Signaler over a connection to the signaling hub
// (native/hub); tests wire two roads directly with a Signaler of their own.
// The road speaks to WebRTC through a conn (conn.go): pion's
// PeerConnection natively, the page's own RTCPeerConnection in the
// browser; only the conn differs.
package road

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// MTU is the most bytes one frame may have: what Chrome's SCTP carries in
// one chunk, so that one frame is one message is one datagram.
const MTU = 1160

// MaxState is the most bytes one message on the state channel may have.
const MaxState = 16 << 10

// The ids of the two pre-negotiated channels. Both ends create them with
// these ids, so neither waits for the other's DATA_CHANNEL_OPEN.
const (
	FramesID uint16 = 0
	StateID  uint16 = 1
)

// Why a road closes, besides a signaling or WebRTC error.
var (
	// ErrNoChannel says no data channel opened within Options.OpenTimeout:
	// the owner should relay through the hub instead.
	ErrNoChannel = fmt.Errorf("road: no data channel opened in time: %w", sock.ErrTimedOut)
	// ErrPeerClosed says the peer closed the road (or its channels).
	ErrPeerClosed = fmt.Errorf("road: the peer closed the road: %w", sock.ErrConnReset)
	// ErrSilent says nothing came from the peer for Options.SilentAfter.
	ErrSilent = fmt.Errorf("road: nothing heard from the peer: %w", sock.ErrTimedOut)
	// ErrClosed says the owner closed the road.
	ErrClosed = fmt.Errorf("road: closed: %w", sock.ErrNotConn)
	// ErrCongested says a state message was dropped because the state
	// channel holds more than Options.HighWater bytes unsent.
	ErrCongested = fmt.Errorf("road: the state channel is congested: %w", sock.ErrAgain)
)

// Signaler carries the road's offer and answer to the remote peer and
// back: a hub connection (see Hub) or, in tests, a pair of channels. Recv
// must return when ctx is done.
type Signaler interface {
	Send(ctx context.Context, m signal.Message) error
	Recv(ctx context.Context) (signal.Message, error)
}

// Role says which end of a road makes the offer.
type Role uint8

// The roles. The zero Role is none, which New refuses.
const (
	RoleNone     Role = iota
	RoleOfferer       // sends an Offer, waits for an Answer
	RoleAnswerer      // waits for an Offer, sends an Answer
)

// State is where a road is in its life.
type State uint32

// The states, in order. The zero State is none: no road.
const (
	StateNone       State = iota
	StateConnecting       // negotiating, or waiting for the channels to open
	StateOpen             // both channels open
	StateClosed           // closed for good; Err says why
)

var stateNames = [...]string{"none", "connecting", "open", "closed"}

// String is the state's name ("open").
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "none"
}

// Options configure a road. Every zero field has the default its comment
// gives.
type Options struct {
	// Role is which end this is; both ends must differ.
	Role Role
	// Peer is the remote peer, named in the Offer or Answer sent.
	Peer signal.PeerID
	// ICE is the STUN and TURN servers to use (none: host candidates only).
	ICE []signal.ICEServer
	// RelayOnly has the road use relay candidates only, those of ICE's
	// TURN servers (WebRTC's ICE transport policy "relay", natively and in
	// the browser): to check that a TURN relay works, or to keep a peer's
	// own addresses from its friends. Without a TURN server in ICE such a
	// road never opens.
	RelayOnly bool
	// Loopback keeps a native road on the loopback interface (tests, two
	// peers on one machine); the browser ignores it.
	Loopback bool
	// OpenTimeout bounds negotiation and the channels' opening (10 s).
	OpenTimeout time.Duration
	// SendQueue is how many frames may wait for the channel (256).
	SendQueue int
	// RecvQueue is how many frames may wait for the owner (1024); when
	// full, the oldest is dropped.
	RecvQueue int
	// HighWater is the frames channel's buffered amount, in bytes, above
	// which sends drop until it falls below half of it (128 KiB: about
	// 4 ms at loopback speed, so TCP's timers see real delays).
	HighWater int
	// PingEvery is how often the road pings its peer on the state channel
	// to measure RTT and loss (250 ms).
	PingEvery time.Duration
	// SilentAfter closes the road with ErrSilent when nothing has come
	// from the peer for that long (5 s).
	SilentAfter time.Duration
	// Overhead is how many bytes each message may carry beyond MTU (a
	// frame) and MaxState (a state message): a star's tag saying for
	// whom, or from whom, it is (shared/p2p/star). None by default.
	Overhead int
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.OpenTimeout, 10*time.Second)
	def(&o.PingEvery, 250*time.Millisecond)
	def(&o.SilentAfter, 5*time.Second)
	defInt(&o.SendQueue, 256)
	defInt(&o.RecvQueue, 1024)
	defInt(&o.HighWater, 128<<10)
	return o
}

// Road is one road to one remote peer. Its methods are safe to call from
// any goroutine and none of them blocks on the network except Close.
type Road struct {
	opts Options
	sig  Signaler
	c    *conn

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	out     chan []byte   // frames for the writer
	stop    chan struct{} // closed to stop the writer
	in      *queue        // frames for the owner
	stateIn *queue        // state messages for the owner
	notify  chan struct{} // a token when something arrives
	full    atomic.Bool   // the frames channel is over HighWater

	st       atomic.Uint32 // a State
	opened   chan struct{} // closed when open
	done     chan struct{} // closed when closed
	kill     chan struct{} // closed by fail
	openLeft atomic.Int32  // channels not yet open

	mu  sync.Mutex
	err error
	// closing says the owner called Close: whatever ends the road from
	// then on (the peer's answer to our bye), it ends as ErrClosed.
	closing bool

	stats stats
}

// New makes a road and starts negotiating it over sig in the background;
// State says how far it got. The road must be closed.
func New(sig Signaler, o Options) (*Road, error) {
	if o.Role != RoleOfferer && o.Role != RoleAnswerer {
		return nil, fmt.Errorf("road: role %d is neither offerer nor answerer: %w", o.Role, sock.ErrInval)
	}
	if sig == nil {
		return nil, fmt.Errorf("road: no signaler: %w", sock.ErrInval)
	}
	o = o.withDefaults()
	r := &Road{
		opts: o, sig: sig,
		out: make(chan []byte, o.SendQueue), stop: make(chan struct{}),
		in: newQueue(o.RecvQueue), stateIn: newQueue(64),
		notify: make(chan struct{}, 1),
		opened: make(chan struct{}), done: make(chan struct{}), kill: make(chan struct{}),
	}
	r.st.Store(uint32(StateConnecting))
	r.openLeft.Store(2)
	if err := r.build(); err != nil {
		return nil, err
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(2)
	go r.run()
	go r.write()
	return r, nil
}

// build makes the PeerConnection and its two channels, with the road's
// handlers.
func (r *Road) build() error {
	c, err := newConn(r.opts, handlers{
		opened:  r.channelOpened,
		closed:  r.fail,
		frame:   r.onFrame,
		state:   r.onState,
		drained: func() { r.full.Store(false) },
	})
	if err != nil {
		return err
	}
	r.c = c
	return nil
}

// channelOpened counts an open channel; the second opens the road.
func (r *Road) channelOpened() {
	if r.openLeft.Add(-1) == 0 && r.st.CompareAndSwap(uint32(StateConnecting), uint32(StateOpen)) {
		r.stats.heard.Store(time.Now().UnixNano())
		close(r.opened)
	}
}

// fail records why the road ends (the first reason wins) and tells run.
func (r *Road) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	if r.closing {
		err = ErrClosed
	}
	r.err = err
	// Closed from now on, so that Send drops (counted) instead of queueing
	// for a writer that is stopping; Done waits for the teardown.
	r.st.Store(uint32(StateClosed))
	close(r.kill)
}

// State is where the road is now.
func (r *Road) State() State { return State(r.st.Load()) }

// Opened is closed when the road opens.
func (r *Road) Opened() <-chan struct{} { return r.opened }

// Done is closed when the road has closed and let go of everything.
func (r *Road) Done() <-chan struct{} { return r.done }

// Err says why the road closed (ErrClosed if its owner closed it), or nil
// while it has not.
func (r *Road) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Notify gives a token (without blocking the sender) whenever a frame or a
// state message arrives, for an owner that sleeps between ticks.
func (r *Road) Notify() <-chan struct{} { return r.notify }

func (r *Road) poke() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Close closes the road, tells the peer, and returns once every goroutine
// of the road has ended. It returns nil, or why the road had already
// closed.
func (r *Road) Close() error {
	r.mu.Lock()
	already := r.err
	r.closing = true
	r.mu.Unlock()
	if already == nil && r.State() == StateOpen {
		_ = r.c.sendState([]byte{kindBye})
	}
	r.fail(ErrClosed)
	r.cancel()
	r.wg.Wait()
	if already == ErrClosed {
		return nil
	}
	return already
}

// run negotiates, waits for the channels, then pings until the road ends,
// and tears it down.
func (r *Road) run() {
	defer r.wg.Done()
	defer r.teardown()
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.OpenTimeout)
	defer cancel()
	r.wg.Add(1)
	go func() { // let kill interrupt a signaler that is waiting
		defer r.wg.Done()
		select {
		case <-r.kill:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := r.negotiate(ctx); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("%w (while signaling: %v)", ErrNoChannel, err)
		}
		r.fail(err)
		return
	}
	select {
	case <-r.opened:
	case <-r.kill:
		return
	case <-ctx.Done():
		r.fail(ErrNoChannel)
		return
	}
	r.keepAlive()
}

// keepAlive pings the peer every PingEvery and closes a silent road.
func (r *Road) keepAlive() {
	t := time.NewTicker(r.opts.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-r.kill:
			return
		case now := <-t.C:
			if now.Sub(time.Unix(0, r.stats.heard.Load())) > r.opts.SilentAfter {
				r.fail(ErrSilent)
				return
			}
			r.ping(now)
		}
	}
}

// teardown stops the writer, takes the handlers away (so no callback of
// pion's, native or the browser's, reaches a road that is gone) and closes
// the channels and the PeerConnection.
func (r *Road) teardown() {
	close(r.stop)
	r.c.close()
	r.st.Store(uint32(StateClosed))
	close(r.done)
}

// negotiate exchanges the whole offer and answer over the signaler.
func (r *Road) negotiate(ctx context.Context) error {
	if r.opts.Role == RoleOfferer {
		sdp, err := r.c.offer(ctx)
		if err != nil {
			return err
		}
		if err := r.sig.Send(ctx, signal.Offer{Peer: r.opts.Peer, SDP: sdp}); err != nil {
			return fmt.Errorf("road: send offer: %w", err)
		}
		m, err := r.sig.Recv(ctx)
		if err != nil {
			return fmt.Errorf("road: wait for answer: %w", err)
		}
		a, ok := m.(signal.Answer)
		if !ok {
			return fmt.Errorf("road: got %s where an answer was due: %w", m.Kind(), sock.ErrInval)
		}
		return r.c.accept(a.SDP)
	}
	m, err := r.sig.Recv(ctx)
	if err != nil {
		return fmt.Errorf("road: wait for offer: %w", err)
	}
	o, ok := m.(signal.Offer)
	if !ok {
		return fmt.Errorf("road: got %s where an offer was due: %w", m.Kind(), sock.ErrInval)
	}
	sdp, err := r.c.answer(ctx, o.SDP)
	if err != nil {
		return err
	}
	if err := r.sig.Send(ctx, signal.Answer{Peer: r.opts.Peer, SDP: sdp}); err != nil {
		return fmt.Errorf("road: send answer: %w", err)
	}
	return nil
}
