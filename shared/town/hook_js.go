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
	drawn     bool
	obj       js.Value
	last      string
}

func newHook(Options) hook { return hook{} }

func (h *hook) publish(g *Game) {
	if !h.installed {
		h.installed = true
		h.obj = js.Global().Get("Object").New()
		h.obj.Set("state", js.FuncOf(func(js.Value, []js.Value) any { return h.last }))
		h.obj.Set("firstFrameMs", 0)
		js.Global().Set("socketville", h.obj)
	}
	// From the sixth frame on, every sixth: the first frame is not held
	// up by it.
	if g.frames%6 != 0 {
		return
	}
	if b, err := json.Marshal(g.State()); err == nil {
		h.last = string(b)
	}
}

// drew notes the first frame drawn: window.socketville.firstFrameMs is
// when, in ms since the page started loading (the load-time benchmark
// reads it).
func (h *hook) drew() {
	if h.drawn || !h.installed {
		return
	}
	h.drawn = true
	h.obj.Set("firstFrameMs", js.Global().Get("performance").Call("now"))
}
