//go:build js && wasm

package jsnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"syscall/js"
	"time"
)

// NormalClosure is the close code of a WebSocket that ended as meant.
const NormalClosure = 1000

// Conn is a WebSocket the browser holds. Its messages are read in the
// order they came, by one goroutine at a time; it may be written and
// closed from any goroutine. Its callbacks are released when the browser
// says it closed.
type Conn struct {
	url string
	ws  js.Value

	onOpen, onMessage, onError, onClose js.Func

	opened chan struct{} // closed by the open event
	signal chan struct{} // a message came, or the end: wakes Read
	done   chan struct{} // closed when the socket is closed, here or there
	end    sync.Once

	mu     sync.Mutex
	queue  [][]byte // messages not read yet, in order
	failed bool     // an error event came (a close event follows)
	err    *CloseError
}

// CloseError is why a WebSocket closed: what Read returns once the
// messages that came before the close are read.
type CloseError struct {
	Code   int    // 1000 normal closure, 1006 ended without a close frame, 1011 the server failed...
	Reason string // the words that came with the code, if any
	Clean  bool   // the closing handshake completed
	Here   bool   // this side closed it (Close)
}

func (e *CloseError) Error() string {
	s := "the WebSocket closed"
	if e.Here {
		s = "the WebSocket was closed here"
	}
	s += ": code " + strconv.Itoa(e.Code)
	if n := codeNames[e.Code]; n != "" {
		s += " (" + n + ")"
	}
	if e.Reason != "" {
		s += ", reason " + strconv.Quote(e.Reason)
	}
	return s
}

// codeNames are the close codes of RFC 6455 a browser reports.
var codeNames = map[int]string{
	1000: "normal closure",
	1001: "going away",
	1002: "protocol error",
	1003: "unsupported data",
	1005: "no code given",
	1006: "abnormal closure, without a close frame",
	1007: "invalid data",
	1008: "policy violation",
	1009: "message too big",
	1010: "extension missing",
	1011: "internal error",
	1012: "service restart",
	1013: "try again later",
	1015: "TLS handshake failed",
}

// CloseCode is the close code err carries (a *CloseError), else -1.
func CloseCode(err error) int {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

// ClosedHere reports whether err says this side closed the socket.
func ClosedHere(err error) bool {
	var ce *CloseError
	return errors.As(err, &ce) && ce.Here
}

// Dial opens a WebSocket to url (ws:// or wss://) and waits for it to
// open; an error or close event first, or no open within timeout, is an
// error that says which (the browser tells no more: not the HTTP status
// of a refused upgrade, for one).
func Dial(url string, timeout time.Duration) (*Conn, error) {
	ws, err := Catch(func() js.Value { return js.Global().Get("WebSocket").New(url) })
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	ws.Set("binaryType", "arraybuffer")
	c := &Conn{
		url:    url,
		ws:     ws,
		opened: make(chan struct{}),
		signal: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	// The callbacks run on the event loop: none blocks.
	c.onOpen = js.FuncOf(func(js.Value, []js.Value) any {
		close(c.opened)
		return nil
	})
	c.onMessage = js.FuncOf(func(_ js.Value, args []js.Value) any {
		c.received(arg(args).Get("data"))
		return nil
	})
	c.onError = js.FuncOf(func(js.Value, []js.Value) any {
		c.mu.Lock()
		c.failed = true
		c.mu.Unlock()
		return nil
	})
	c.onClose = js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := arg(args)
		c.closed(e.Get("code").Int(), e.Get("reason").String(), e.Get("wasClean").Bool())
		return nil
	})
	ws.Set("onopen", c.onOpen)
	ws.Set("onmessage", c.onMessage)
	ws.Set("onerror", c.onError)
	ws.Set("onclose", c.onClose)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-c.opened:
		return c, nil
	case <-c.done:
		c.mu.Lock()
		err, failed := c.err, c.failed
		c.mu.Unlock()
		what := "it closed before it opened"
		if failed {
			what = "the connection failed"
		}
		return nil, fmt.Errorf("dial %s: %s: %w", url, what, err)
	case <-timer.C:
		_ = c.Close(NormalClosure, "not open in time") // its callbacks go with the close event
		return nil, fmt.Errorf("dial %s: not open after %v", url, timeout)
	}
}

// received queues a message (a string, or an ArrayBuffer) for Read.
func (c *Conn) received(data js.Value) {
	var b []byte
	if data.Type() == js.TypeString {
		b = []byte(data.String())
	} else {
		a := js.Global().Get("Uint8Array").New(data)
		b = make([]byte, a.Get("length").Int())
		js.CopyBytesToGo(b, a)
	}
	c.mu.Lock()
	c.queue = append(c.queue, b)
	c.mu.Unlock()
	c.wake()
}

// closed is the close event: the end of the socket, which releases its
// callbacks (no event comes after it).
func (c *Conn) closed(code int, reason string, clean bool) {
	c.mu.Lock()
	if c.err == nil {
		c.err = &CloseError{Code: code, Reason: reason, Clean: clean}
	}
	c.mu.Unlock()
	for _, on := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		c.ws.Set(on, js.Null())
	}
	c.onOpen.Release()
	c.onMessage.Release()
	c.onError.Release()
	c.onClose.Release()
	c.finish()
}

func (c *Conn) finish() {
	c.end.Do(func() { close(c.done) })
	c.wake()
}

func (c *Conn) wake() {
	select {
	case c.signal <- struct{}{}:
	default: // Read has a wake-up waiting already
	}
}

// Done is closed when the socket is: by Close, or by the server or the
// browser (a close event).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Read returns the next message (a text message's UTF-8, a binary one's
// bytes), waiting for it. Once the socket has closed it returns the
// messages that came before, then a *CloseError with the code and reason
// the server gave; after Close, that error at once.
func (c *Conn) Read() ([]byte, error) { return c.ReadContext(context.Background()) }

// ReadContext is Read that gives up, with ctx's error, when ctx is done;
// the socket stays open.
func (c *Conn) ReadContext(ctx context.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		err := c.err
		if len(c.queue) > 0 && (err == nil || !err.Here) {
			m := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return m, nil
		}
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-c.signal:
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ReadJSON reads the next message into v.
func (c *Conn) ReadJSON(v any) error {
	b, err := c.Read()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("a message of %s is not the JSON expected: %w", c.url, err)
	}
	return nil
}

// WriteJSON sends v as a text message of JSON.
func (c *Conn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("writing to %s: %w", c.url, err)
	}
	return c.WriteText(string(b))
}

// WriteText sends s as a text message. The browser queues it; once the
// socket is closing it drops it.
func (c *Conn) WriteText(s string) error {
	c.mu.Lock()
	closed := c.err
	c.mu.Unlock()
	if closed != nil {
		return fmt.Errorf("writing to %s: %w", c.url, closed)
	}
	if _, err := Catch(func() js.Value { return c.ws.Call("send", s) }); err != nil {
		return fmt.Errorf("writing to %s: %w", c.url, err)
	}
	return nil
}

// Close closes the socket with code (1000, or 3000 to 4999: the browser
// takes no other) and reason (at most 123 bytes), without waiting for the
// server's answer; Read returns at once. Closing a closed socket does
// nothing.
func (c *Conn) Close(code int, reason string) error {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil
	}
	c.err = &CloseError{Code: code, Reason: reason, Here: true}
	c.mu.Unlock()
	_, err := Catch(func() js.Value { return c.ws.Call("close", code, reason) })
	if err != nil {
		c.ws.Call("close") // a code or reason the browser refuses: closed all the same
		err = fmt.Errorf("closing %s: %w", c.url, err)
	}
	c.finish()
	return err
}
