//go:build js

package town

import (
	"encoding/json"
	"syscall/js"
)

// hook offers the page a read-only view of the town: window.socketville.
// state() returns the last published state as JSON. It is refreshed a few
// times a second from the game loop, so the callback never touches the
// game while it runs.
type hook struct {
	installed bool
	last      string
}

func newHook(Options) hook { return hook{} }

func (h *hook) publish(g *Game) {
	if !h.installed {
		h.installed = true
		obj := js.Global().Get("Object").New()
		obj.Set("state", js.FuncOf(func(js.Value, []js.Value) any { return h.last }))
		// When the first frame was ready, in ms since the page started
		// loading: the load-time benchmark reads it.
		obj.Set("firstFrameMs", js.Global().Get("performance").Call("now"))
		js.Global().Set("socketville", obj)
	}
	if g.frames%6 != 1 {
		return
	}
	if b, err := json.Marshal(g.State()); err == nil {
		h.last = string(b)
	}
}
