//go:build !js

package road_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"socketville/native/hub"
	"socketville/shared/p2p/hubconn"
	"socketville/shared/p2p/road"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// hubURL serves a real hub on loopback for the test and returns its
// WebSocket address.
func hubURL(t *testing.T) string {
	t.Helper()
	h := hub.New(hub.Config{ConnRate: rate.Inf, MsgRate: rate.Inf})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Close() })
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// hello dials the hub and sends m (an Invite or a Join), returning the
// connection and the welcome.
func hello(t *testing.T, url string, m signal.Message) (*hubconn.Conn, signal.Welcome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := hubconn.Dial(ctx, url)
	if err != nil {
		t.Fatalf("dial the hub: %v", err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	b, err := signal.Encode(m)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if err := ws.Write(ctx, b); err != nil {
		t.Fatalf("write %s: %v", m.Kind(), err)
	}
	b, err = ws.Read(ctx)
	if err != nil {
		t.Fatalf("read the welcome: %v", err)
	}
	got, err := signal.Decode(b)
	w, ok := got.(signal.Welcome)
	if err != nil || !ok {
		t.Fatalf("got %s (%v), want a welcome", b, err)
	}
	return ws, w
}

func TestThroughHub(t *testing.T) {
	url := hubURL(t)
	annWS, annW := hello(t, url, signal.Invite{Name: "ann"})
	bobWS, bobW := hello(t, url, signal.Join{Room: annW.Room, Name: "bob"})
	// The newcomer offers to everyone already there, as a page will.
	ann, err := road.New(road.NewHub(annWS, bobW.You), road.Options{Role: road.RoleAnswerer, Peer: bobW.You, Loopback: true})
	if err != nil {
		t.Fatalf("New ann: %v", err)
	}
	defer ann.Close()
	bob, err := road.New(road.NewHub(bobWS, annW.You), road.Options{Role: road.RoleOfferer, Peer: annW.You, Loopback: true})
	if err != nil {
		t.Fatalf("New bob: %v", err)
	}
	defer bob.Close()
	waitOpen(t, ann)
	waitOpen(t, bob)

	tests := []struct {
		name     string
		from, to *road.Road
	}{
		{name: "bob to ann", from: bob, to: ann},
		{name: "ann to bob", from: ann, to: bob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 20 {
				if err := tt.from.Send(frame("h", i, 100)); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
			if got := collect(tt.to, 20, 10*time.Second); len(got) < 18 {
				t.Fatalf("got %d of 20 frames through a road set up by the hub", len(got))
			}
		})
	}
}

func TestThroughHubPeerLeaves(t *testing.T) {
	url := hubURL(t)
	annWS, annW := hello(t, url, signal.Invite{Name: "ann"})
	bobWS, bobW := hello(t, url, signal.Join{Room: annW.Room, Name: "bob"})
	ann, err := road.New(road.NewHub(annWS, bobW.You), road.Options{Role: road.RoleAnswerer, Peer: bobW.You, Loopback: true})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer ann.Close()
	// Bob goes before he offers: ann's road must not wait out its timeout.
	if err := bobWS.Close("bye"); err != nil {
		t.Fatalf("close bob: %v", err)
	}
	select {
	case <-ann.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("ann's road still %v 5s after bob left", ann.State())
	}
	if !errors.Is(ann.Err(), sock.ErrConnReset) {
		t.Errorf("Err = %v, want ECONNRESET (the peer left)", ann.Err())
	}
}
