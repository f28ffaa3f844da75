package hubconn_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"socketville/shared/p2p/hubconn"
	"socketville/shared/p2p/signal"
)

// echo is a WebSocket server that sends back every message it reads, and
// one message over the read limit when it reads "big".
func echo(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ws.SetReadLimit(1 << 20)
		for {
			typ, b, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			if string(b) == "big" {
				b = bytes.Repeat([]byte("x"), signal.MaxMessage+1)
			}
			if err := ws.Write(r.Context(), typ, b); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestConnCarriesWholeMessages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := hubconn.Dial(ctx, echo(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{`{"kind":"invite"}`, strings.Repeat("y", signal.MaxMessage)} {
		if err := c.Write(ctx, []byte(msg)); err != nil {
			t.Fatalf("write: %v", err)
		}
		got, err := c.Read(ctx)
		if err != nil || string(got) != msg {
			t.Fatalf("read %d bytes (%v), want the %d written", len(got), err, len(msg))
		}
	}
	if err := c.Write(ctx, []byte("big")); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Read(ctx); err == nil {
		t.Fatalf("read %d bytes over the limit of %d, want an error", len(got), signal.MaxMessage)
	}
	_ = c.Close("done")
}

func TestDialRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := hubconn.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err == nil || !strings.Contains(err.Error(), "hubconn: dial") {
		t.Fatalf("dial a server with no hub: %v, want an error that says dial", err)
	}
}
