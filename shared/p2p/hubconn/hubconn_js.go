//go:build js

package hubconn

import (
	"context"
	"fmt"
	"time"

	"socketville/shared/jsnet"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
)

// Conn is one connection to the hub: the page's WebSocket. Read is for one
// goroutine at a time; Write and Close for any.
type Conn struct {
	c *jsnet.Conn
}

// dialTimeout bounds Dial when ctx has no deadline.
const dialTimeout = 30 * time.Second

// Dial connects to the hub at url (ws:// or wss://).
func Dial(ctx context.Context, url string) (*Conn, error) {
	timeout := dialTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	c, err := jsnet.Dial(url, timeout)
	if err != nil {
		return nil, fmt.Errorf("hubconn: %w", err)
	}
	return &Conn{c: c}, nil
}

// Read returns the next message from the hub. One over signal.MaxMessage
// closes the connection (1009, message too big), as coder/websocket's read
// limit does natively.
func (c *Conn) Read(ctx context.Context) ([]byte, error) {
	b, err := c.c.ReadContext(ctx)
	if err != nil {
		return nil, err
	}
	if len(b) > signal.MaxMessage {
		_ = c.c.Close(1009, "message too big")
		return nil, fmt.Errorf("hubconn: a message of %d bytes from the hub, over %d: %w", len(b), signal.MaxMessage, sock.ErrMsgSize)
	}
	return b, nil
}

// Write sends b to the hub as one text message (the browser queues it).
func (c *Conn) Write(_ context.Context, b []byte) error {
	return c.c.WriteText(string(b))
}

// Close closes the connection normally, saying why. The browser finishes
// the closing handshake on its own.
func (c *Conn) Close(why string) error { return c.c.Close(jsnet.NormalClosure, why) }

// CloseNow closes the connection.
func (c *Conn) CloseNow() error { return c.c.Close(jsnet.NormalClosure, "") }
