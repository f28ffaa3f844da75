//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"syscall/js"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"socketville/shared/town/play"
)

// watchFeed asks the server whether it shows its machine's sockets (serve
// --watch) and, when it does, connects its watch to a play.Fed, with the
// town's name. When it does not, it returns the server's plain answer.
func watchFeed() (feed *play.Fed, name, why string) {
	origin := js.Global().Get("location").Get("origin").String()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/watch/info", nil)
	if err != nil {
		return nil, "", err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", "the server could not be asked what it watches: " + err.Error()
	}
	defer resp.Body.Close()
	var info struct {
		Watch                    bool
		Why, Name, Kernel, Label string
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&info) != nil {
		return nil, "", "this server shows no machine's sockets (it answered " + resp.Status + " to /watch/info)"
	}
	if !info.Watch {
		return nil, "", info.Why
	}
	ws := "ws" + origin[len("http"):] // http -> ws, https -> wss
	fctx, stop := context.WithCancel(context.Background())
	f := play.NewFed(info.Kernel, info.Label, func() error { stop(); return nil })
	go func() {
		defer stop()
		c, _, err := websocket.Dial(fctx, ws+"/watch/feed", nil)
		if err != nil {
			f.Closed("the server's watch could not start: " + err.Error())
			return
		}
		c.SetReadLimit(1 << 26) // a busy machine's snapshot is large
		defer c.CloseNow()
		for {
			var m play.Message
			if err := wsjson.Read(fctx, c, &m); err != nil {
				if fctx.Err() == nil {
					f.Closed("the server's watch ended: " + err.Error())
				}
				return
			}
			f.Feed(m)
		}
	}()
	return f, info.Name, ""
}
