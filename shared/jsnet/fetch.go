//go:build js && wasm

// Package jsnet talks to the page's server through the browser's own
// fetch and WebSocket (syscall/js), so that the web build links neither
// net/http nor a WebSocket library (with them come crypto/tls, x509 and
// the rest: megabytes on the wire for what the browser already does).
//
// Every call blocks its goroutine until the browser answers; none may be
// made from a js.Func callback (the answer comes through the event loop
// the callback holds).
package jsnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall/js"
	"time"
)

// GetJSON fetches url with a GET, giving up (the fetch aborted through
// an AbortController) after timeout, and decodes its JSON answer into v.
// status is the answer's status line ("200 OK"), empty when no answer
// came; err says what failed: the fetch, a status other than 200, the
// body or its JSON.
func GetJSON(url string, timeout time.Duration, v any) (status string, err error) {
	ctrl := js.Global().Get("AbortController").New()
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() {
		timedOut.Store(true) // before the abort, which settles what waits
		ctrl.Call("abort")
	})
	defer timer.Stop()
	failed := func(what string, err error) error {
		if timedOut.Load() {
			return fmt.Errorf("GET %s: no answer within %v", url, timeout)
		}
		return fmt.Errorf("GET %s: %s: %w", url, what, err)
	}
	opts := js.Global().Get("Object").New()
	opts.Set("method", "GET")
	opts.Set("signal", ctrl.Get("signal"))
	resp, err := Await(func() js.Value { return js.Global().Call("fetch", url, opts) })
	if err != nil {
		return "", failed("the fetch failed", err)
	}
	code := resp.Get("status").Int()
	status = strconv.Itoa(code)
	if text := resp.Get("statusText").String(); text != "" {
		status += " " + text
	}
	body, err := Await(func() js.Value { return resp.Call("text") })
	if err != nil {
		return status, failed("reading the answer", err)
	}
	if code != 200 {
		return status, fmt.Errorf("GET %s: the server answered %s", url, status)
	}
	if err := json.Unmarshal([]byte(body.String()), v); err != nil {
		return status, fmt.Errorf("GET %s: the answer is not the JSON expected: %w", url, err)
	}
	return status, nil
}

// Await calls start for a promise and waits for it to settle: its value,
// or its rejection (or start's exception) as an error. The callbacks are
// released once it has settled, when neither can be called again.
func Await(start func() js.Value) (v js.Value, err error) {
	type result struct {
		v   js.Value
		err error
	}
	settled := make(chan result, 1) // the callbacks never block the event loop
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		settled <- result{v: arg(args)}
		return nil
	})
	bad := js.FuncOf(func(_ js.Value, args []js.Value) any {
		settled <- result{err: jsError(arg(args))}
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	p, err := Catch(start)
	if err != nil {
		return js.Undefined(), err
	}
	p.Call("then", ok, bad)
	r := <-settled
	return r.v, r.err
}

// Catch calls f, turning a JavaScript exception into an error.
func Catch(f func() js.Value) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(js.Error); ok {
				err = jsError(e.Value)
				return
			}
			panic(r)
		}
	}()
	return f(), nil
}

func arg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// jsError is a JavaScript error (or any thrown value) as a Go error: its
// name and message ("TypeError: Failed to fetch").
func jsError(v js.Value) error {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if msg.Type() == js.TypeString {
			if name.Type() == js.TypeString && name.String() != "" && name.String() != "Error" {
				return errors.New(name.String() + ": " + msg.String())
			}
			return errors.New(msg.String())
		}
	}
	return errors.New(js.Global().Call("String", v).String())
}
