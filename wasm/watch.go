//go:build js && wasm

package main

import (
	"sync"
	"syscall/js"

	"socketville/shared/jsnet"
	"socketville/shared/town/play"
)

// watchFeed asks the server whether it shows its machine's sockets (serve
// --watch) and, when it does, connects its watch to a play.Fed, with the
// town's name. When it does not, it returns the server's plain answer.
func watchFeed() (feed *play.Fed, name, why string) {
	origin := js.Global().Get("location").Get("origin").String()
	var info struct {
		Watch                    bool
		Why, Name, Kernel, Label string
	}
	status, err := jsnet.GetJSON(origin+"/watch/info", askTimeout, &info)
	if status == "" {
		return nil, "", "the server could not be asked what it watches: " + err.Error()
	}
	if err != nil {
		return nil, "", "this server shows no machine's sockets (it answered " + status + " to /watch/info)"
	}
	if !info.Watch {
		return nil, "", info.Why
	}
	ws := "ws" + origin[len("http"):] // http -> ws, https -> wss
	// stop is closed when the town closes the Fed: the watch ends.
	stop := make(chan struct{})
	var once sync.Once
	f := play.NewFed(info.Kernel, info.Label, func() error { once.Do(func() { close(stop) }); return nil })
	go func() {
		c, err := jsnet.Dial(ws+"/watch/feed", dialTimeout)
		if err != nil {
			f.Closed("the server's watch could not start: " + err.Error())
			return
		}
		defer c.Close(jsnet.NormalClosure, "")
		go func() { // the Fed's Close ends the watch
			select {
			case <-stop:
				c.Close(jsnet.NormalClosure, "")
			case <-c.Done():
			}
		}()
		for {
			var m play.Message
			if err := c.ReadJSON(&m); err != nil {
				if !jsnet.ClosedHere(err) {
					f.Closed("the server's watch ended: " + err.Error())
				}
				return
			}
			f.Feed(m)
		}
	}()
	return f, info.Name, ""
}
