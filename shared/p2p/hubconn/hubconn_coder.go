//go:build !js

package hubconn

import (
	"context"
	"errors"
	"fmt"

	"github.com/coder/websocket"

	"socketville/shared/p2p/signal"
)

// Conn is one connection to the hub. Read and Write may be called from
// different goroutines, each from one at a time.
type Conn struct {
	ws *websocket.Conn
}

// Dial connects to the hub at url (ws:// or wss://).
func Dial(ctx context.Context, url string) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("hubconn: dial %s: %w", url, err)
	}
	ws.SetReadLimit(signal.MaxMessage)
	return &Conn{ws: ws}, nil
}

// Read returns the next message from the hub.
func (c *Conn) Read(ctx context.Context) ([]byte, error) {
	_, b, err := c.ws.Read(ctx)
	return b, err
}

// Write sends b to the hub as one text message.
func (c *Conn) Write(ctx context.Context, b []byte) error {
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// Close closes the connection normally, saying why, and waits (a few
// seconds at most) for the hub to close its end; if it does not, the
// connection is cut.
func (c *Conn) Close(why string) error {
	err := c.ws.Close(websocket.StatusNormalClosure, why)
	if err != nil && !errors.Is(err, context.Canceled) {
		_ = c.ws.CloseNow()
	}
	return err
}

// CloseNow cuts the connection without a closing handshake.
func (c *Conn) CloseNow() error { return c.ws.CloseNow() }
