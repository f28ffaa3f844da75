package road_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pipe is one end of a signaler pair that hands messages straight to the
// other end, through the wire form so that what a hub would refuse fails
// here too.
type pipe struct {
	out chan<- []byte
	in  <-chan []byte
}

func pipes() (*pipe, *pipe) {
	ab, ba := make(chan []byte, 4), make(chan []byte, 4)
	return &pipe{out: ab, in: ba}, &pipe{out: ba, in: ab}
}

func (p *pipe) Send(ctx context.Context, m signal.Message) error {
	b, err := signal.Encode(m)
	if err != nil {
		return err
	}
	select {
	case p.out <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pipe) Recv(ctx context.Context) (signal.Message, error) {
	select {
	case b := <-p.in:
		return signal.Decode(b)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pair is two open roads in one process, closed when the test ends.
func pair(t testing.TB, o road.Options) (a, b *road.Road) {
	t.Helper()
	pa, pb := pipes()
	o.Loopback = true
	oa, ob := o, o
	oa.Role, oa.Peer = road.RoleOfferer, "p2"
	ob.Role, ob.Peer = road.RoleAnswerer, "p1"
	a, err := road.New(pa, oa)
	if err != nil {
		t.Fatalf("New offerer: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b, err = road.New(pb, ob)
	if err != nil {
		t.Fatalf("New answerer: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	waitOpen(t, a)
	waitOpen(t, b)
	return a, b
}

func waitOpen(t testing.TB, r *road.Road) {
	t.Helper()
	select {
	case <-r.Opened():
	case <-r.Done():
		t.Fatalf("road closed before opening: %v", r.Err())
	case <-time.After(15 * time.Second):
		t.Fatalf("road not open after 15s: %v", r.State())
	}
}

// collect drains r until want frames came or the deadline passed.
func collect(r *road.Road, want int, within time.Duration) [][]byte {
	var got [][]byte
	deadline := time.After(within)
	for len(got) < want {
		r.Drain(func(b []byte) { got = append(got, b) })
		if len(got) >= want {
			break
		}
		select {
		case <-r.Notify():
		case <-deadline:
			return got
		}
	}
	return got
}

// frame is a frame whose bytes say which it is.
func frame(from string, i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, size)
	copy(b, fmt.Sprintf("%s%06d", from, i))
	return b
}

func TestFramesBothWays(t *testing.T) {
	a, b := pair(t, road.Options{})
	tests := []struct {
		name     string
		from, to *road.Road
		size     int
	}{
		{name: "offerer to answerer, small", from: a, to: b, size: 20},
		{name: "answerer to offerer, small", from: b, to: a, size: 20},
		{name: "offerer to answerer, MTU", from: a, to: b, size: road.MTU},
		{name: "answerer to offerer, MTU", from: b, to: a, size: road.MTU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 50
			sent := map[string]bool{}
			for i := range n {
				f := frame(tt.name[:1], i, tt.size)
				sent[string(f)] = true
				if err := tt.from.Send(f); err != nil {
					t.Fatalf("Send %d: %v", i, err)
				}
			}
			got := collect(tt.to, n, 10*time.Second)
			// Unordered without retransmissions may lose a frame even on
			// loopback; 50 small ones at this pace do not, in practice.
			if len(got) < n*9/10 {
				t.Fatalf("got %d of %d frames; stats %+v", len(got), n, tt.to.Stats())
			}
			for _, g := range got {
				if !sent[string(g)] {
					t.Fatalf("got a frame nobody sent: %q", g[:12])
				}
			}
		})
	}
	sa := a.Stats()
	if sa.SentMsgs == 0 || sa.RecvMsgs == 0 || sa.SentBytes < sa.SentMsgs*20 {
		t.Errorf("offerer's stats count nothing: %+v", sa)
	}
}

func TestSendRefuses(t *testing.T) {
	a, _ := pair(t, road.Options{})
	tests := []struct {
		name string
		size int
		want error
	}{
		{name: "over MTU", size: road.MTU + 1, want: sock.ErrMsgSize},
		{name: "far over MTU", size: 65536, want: sock.ErrMsgSize},
		{name: "empty", size: 0, want: sock.ErrInval},
		{name: "MTU", size: road.MTU, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := a.Send(make([]byte, tt.size)); !errors.Is(err, tt.want) {
				t.Fatalf("Send(%d bytes) = %v, want %v", tt.size, err, tt.want)
			}
		})
	}
	if err := a.SendState(make([]byte, road.MaxState+1)); !errors.Is(err, sock.ErrMsgSize) {
		t.Errorf("SendState over MaxState = %v, want EMSGSIZE", err)
	}
}

func TestStateAndRTT(t *testing.T) {
	a, b := pair(t, road.Options{PingEvery: 20 * time.Millisecond})
	if err := a.SendState([]byte("snapshot 1")); err != nil {
		t.Fatalf("SendState: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var got []byte
	for got == nil && time.Now().Before(deadline) {
		if m, ok := b.RecvState(); ok {
			got = m
			break
		}
		select {
		case <-b.Notify():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if string(got) != "snapshot 1" {
		t.Fatalf("RecvState = %q, want %q", got, "snapshot 1")
	}
	for a.Stats().RTT == 0 || a.Stats().Loss < 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no RTT or loss measured in 10s: %+v", a.Stats())
		}
		time.Sleep(10 * time.Millisecond) // waiting on the road's own ticker
	}
	if rtt := a.Stats().RTT; rtt <= 0 || rtt > time.Second {
		t.Errorf("RTT %v on loopback", rtt)
	}
	t.Logf("RTT over the state channel on loopback: %v", a.Stats().RTT)
}

func TestCloseOneSide(t *testing.T) {
	tests := []struct {
		name  string
		close func(a *road.Road)
	}{
		{name: "owner closes", close: func(a *road.Road) { _ = a.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pair(t, road.Options{})
			start := time.Now()
			tt.close(a)
			if a.State() != road.StateClosed || !errors.Is(a.Err(), road.ErrClosed) {
				t.Fatalf("closer: state %v err %v", a.State(), a.Err())
			}
			select {
			case <-b.Done():
			case <-time.After(5 * time.Second):
				t.Fatalf("the other side still %v 5s after the close", b.State())
			}
			if !errors.Is(b.Err(), road.ErrPeerClosed) {
				t.Errorf("other side's Err = %v, want ErrPeerClosed", b.Err())
			}
			t.Logf("the other side saw the close after %v", time.Since(start))
			if err := b.Send([]byte("late")); err != nil {
				t.Errorf("Send on a closed road = %v, want a counted drop", err)
			}
			if d := b.Stats().Drops[road.DropNotOpen]; d != 1 {
				t.Errorf("not-open drops = %d, want 1", d)
			}
		})
	}
}

// silent is a signaler that never answers.
type silent struct{}

func (silent) Send(context.Context, signal.Message) error { return nil }
func (silent) Recv(ctx context.Context) (signal.Message, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestNoChannelInTime(t *testing.T) {
	r, err := road.New(silent{}, road.Options{Role: road.RoleOfferer, Peer: "p2", Loopback: true, OpenTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer r.Close()
	select {
	case <-r.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("still %v 5s after a 300ms open timeout", r.State())
	}
	if !errors.Is(r.Err(), road.ErrNoChannel) || !errors.Is(r.Err(), sock.ErrTimedOut) {
		t.Errorf("Err = %v, want ErrNoChannel (ETIMEDOUT)", r.Err())
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		sig  road.Signaler
		o    road.Options
	}{
		{name: "no role", sig: silent{}, o: road.Options{}},
		{name: "no signaler", sig: nil, o: road.Options{Role: road.RoleOfferer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := road.New(tt.sig, tt.o); !errors.Is(err, sock.ErrInval) {
				t.Fatalf("New = %v, want EINVAL", err)
			}
		})
	}
}

func TestFloodDropsAndCounts(t *testing.T) {
	a, b := pair(t, road.Options{SendQueue: 16, RecvQueue: 64, HighWater: 32 << 10})
	// Offer frames far faster than the channel carries them for half a
	// second, while nobody drains b: both ends must drop, and count.
	f := make([]byte, road.MTU)
	n := uint64(0)
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); n++ {
		if err := a.Send(f); err != nil {
			t.Fatalf("Send %d: %v", n, err)
		}
		if n%64 == 0 {
			runtime.Gosched() // let the writer and pion run on 2 cores
		}
	}
	time.Sleep(200 * time.Millisecond) // the last frames land
	sa, sb := a.Stats(), b.Stats()
	t.Logf("sender: sent %d, drops %v; receiver: received %d, drops %v", sa.SentMsgs, sa.Drops, sb.RecvMsgs, sb.Drops)
	if sa.Drops[road.DropBuffered]+sa.Drops[road.DropQueueFull] == 0 {
		t.Errorf("a flood of %d frames dropped none at the sender", n)
	}
	if sa.SentMsgs+sa.Dropped() != n {
		t.Errorf("sent %d + dropped %d != %d offered", sa.SentMsgs, sa.Dropped(), n)
	}
	if sb.Drops[road.DropRecvFull] == 0 {
		t.Errorf("an undrained receiver of %d frames dropped none", sb.RecvMsgs)
	}
	if got := b.Drain(func([]byte) {}); got > 64 {
		t.Errorf("drained %d frames from a queue of 64", got)
	}
}

func TestOverheadCarriesTaggedMessages(t *testing.T) {
	const tag = 17
	a, b := pair(t, road.Options{Overhead: tag})
	big := frame("a", 1, road.MTU+tag)
	if err := a.Send(big); err != nil {
		t.Fatalf("Send(MTU+Overhead) = %v, want it taken", err)
	}
	if err := a.Send(make([]byte, road.MTU+tag+1)); !errors.Is(err, sock.ErrMsgSize) {
		t.Errorf("Send(MTU+Overhead+1) = %v, want EMSGSIZE", err)
	}
	if got := collect(b, 1, 10*time.Second); len(got) != 1 || !bytes.Equal(got[0], big) {
		t.Fatalf("received %d frames, want the one of %d bytes (drops %v)", len(got), len(big), b.Stats().Drops)
	}
	if err := a.SendState(make([]byte, road.MaxState+tag)); err != nil {
		t.Errorf("SendState(MaxState+Overhead) = %v, want it sent", err)
	}
	if err := a.SendState(make([]byte, road.MaxState+tag+1)); !errors.Is(err, sock.ErrMsgSize) {
		t.Errorf("SendState(MaxState+Overhead+1) = %v, want EMSGSIZE", err)
	}
}

func TestStateCongestionDrops(t *testing.T) {
	a, _ := pair(t, road.Options{HighWater: 16 << 10})
	// The reliable channel takes 16 KiB messages faster than SCTP moves
	// them: SendState must refuse, counted, rather than buffer them all.
	msg := make([]byte, road.MaxState)
	refused := 0
	for i := 0; i < 400 && refused == 0; i++ {
		switch err := a.SendState(msg); {
		case errors.Is(err, road.ErrCongested):
			refused++
		case err != nil:
			t.Fatalf("SendState %d: %v", i, err)
		}
	}
	if refused == 0 {
		t.Fatal("400 state messages of 16 KiB at once were never refused as congested")
	}
	if !errors.Is(road.ErrCongested, sock.ErrAgain) {
		t.Errorf("ErrCongested does not wrap EAGAIN")
	}
	if d := a.Stats().Drops[road.DropBuffered]; d == 0 {
		t.Errorf("a refused state message was not counted as a buffered drop: %v", a.Stats().Drops)
	}
}
