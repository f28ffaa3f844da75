//go:build js && wasm

package main

import (
	"net/url"
	"syscall/js"
	"time"

	"socketville/examples"
	"socketville/shared/jsnet"
	"socketville/shared/town/play"
)

// askTimeout bounds a question to the server (/os/info, /watch/info);
// dialTimeout, the opening of a WebSocket.
const (
	askTimeout  = 10 * time.Second
	dialTimeout = 10 * time.Second
)

// osRemote asks the server whether it plays scenarios on its machine's
// sockets (serve --os, or a town with forwards: serve --forward) and, when
// it does, connects a run of the scenario called name to a play.Remote:
// one the server offers, else an example, else hello-tcp. When it does
// not, it returns the server's plain answer.
func osRemote(name string, paused bool) (*play.Remote, examples.Scenario, string) {
	loc := js.Global().Get("location")
	origin := loc.Get("origin").String()
	var info struct {
		OS        bool   `json:"os"`
		Why       string `json:"why"`
		Scenarios []struct {
			Name, Source string
		} `json:"scenarios"`
	}
	status, err := jsnet.GetJSON(origin+"/os/info", askTimeout, &info)
	if status == "" {
		return nil, examples.Scenario{}, "the server could not be asked for its kernel: " + err.Error()
	}
	if err != nil {
		return nil, examples.Scenario{}, "this server does not play scenarios on its machine's sockets (it answered " + status + " to /os/info)"
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
		c, err := jsnet.Dial(ws+"/os/run?"+q.Encode(), dialTimeout)
		if err != nil {
			r.Closed("the run on the server's kernel could not start: " + err.Error())
			return
		}
		defer c.Close(jsnet.NormalClosure, "")
		go func() { // the page's controls, until the run ends
			for {
				select {
				case m := <-ctl:
					if c.WriteJSON(m) != nil || m.Op == "close" {
						c.Close(jsnet.NormalClosure, "")
						return
					}
				case <-c.Done():
					return
				}
			}
		}()
		for {
			var m play.Message
			if err := c.ReadJSON(&m); err != nil {
				// The page's own close, or the server's normal one after
				// its "end", is no trouble; the rest is said, with the
				// server's close code and reason ("the run failed").
				if !jsnet.ClosedHere(err) && jsnet.CloseCode(err) != jsnet.NormalClosure {
					r.Closed("the server's run ended: " + err.Error())
				}
				return
			}
			r.Feed(m)
		}
	}()
	return r
}
