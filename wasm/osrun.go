//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"syscall/js"
	"time"

	"socketville/examples"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"socketville/shared/town/play"
)

// osRemote asks the server whether it plays scenarios on its machine's
// sockets (serve --os, or a town with forwards: serve --forward) and, when
// it does, connects a run of the scenario called name to a play.Remote:
// one the server offers, else an example, else hello-tcp. When it does
// not, it returns the server's plain answer.
func osRemote(name string, paused bool) (*play.Remote, examples.Scenario, string) {
	loc := js.Global().Get("location")
	origin := loc.Get("origin").String()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/os/info", nil)
	if err != nil {
		return nil, examples.Scenario{}, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, examples.Scenario{}, "the server could not be asked for its kernel: " + err.Error()
	}
	defer resp.Body.Close()
	var info struct {
		OS        bool   `json:"os"`
		Why       string `json:"why"`
		Scenarios []struct {
			Name, Source string
		} `json:"scenarios"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&info) != nil {
		return nil, examples.Scenario{}, "this server does not play scenarios on its machine's sockets (it answered " + resp.Status + " to /os/info)"
	}
	if !info.OS {
		return nil, examples.Scenario{}, info.Why
	}
	ex, ok := examples.Find(name)
	for _, s := range info.Scenarios {
		if s.Name == name {
			ex, ok = examples.Scenario{Name: s.Name, Source: s.Source, Description: examples.Description(s.Source)}, true
		}
	}
	if !ok {
		ex, _ = examples.Find("hello-tcp")
	}
	ws := "ws" + origin[len("http"):] // http -> ws, https -> wss
	return connect(ws, ex.Name, paused), ex, ""
}

// connect starts a run of scenario on the server and feeds what it sends
// to the Remote it returns; Reload connects a fresh run.
func connect(ws, scenario string, paused bool) *play.Remote {
	r := &play.Remote{}
	ctl := make(chan play.Control, 16)
	r.Send = func(c play.Control) {
		select {
		case ctl <- c:
		default: // never block a frame
		}
	}
	r.Reload = func(name string) *play.Remote {
		r.Send(play.Control{Op: "close"})
		return connect(ws, name, false)
	}
	q := url.Values{"scenario": {scenario}}
	if paused {
		q.Set("paused", "1")
	}
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, _, err := websocket.Dial(ctx, ws+"/os/run?"+q.Encode(), nil)
		if err != nil {
			r.Closed("the run on the server's kernel could not start: " + err.Error())
			return
		}
		c.SetReadLimit(1 << 24) // a snapshot of a busy town is large
		defer c.CloseNow()
		go func() {
			for {
				select {
				case m := <-ctl:
					if wsjson.Write(ctx, c, m) != nil || m.Op == "close" {
						cancel()
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}()
		for {
			var m play.Message
			if err := wsjson.Read(ctx, c, &m); err != nil {
				if ctx.Err() == nil && websocket.CloseStatus(err) != websocket.StatusNormalClosure {
					r.Closed("the server's run ended: " + err.Error())
				}
				return
			}
			r.Feed(m)
		}
	}()
	return r
}
