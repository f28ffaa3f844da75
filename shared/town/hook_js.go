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
	// back is set by the Share button's keydown listener when Shift-Tab
	// brings the keyboard back to the canvas, forward when Tab from the
	// Share menu's last control does; listening says it is installed.
	back, forward, listening bool
}

// shareSelector is the page's Share button (native/web/static/index.html),
// where Tab goes past the town's last thing. By the browser's own order
// Tab from the Share menu would go on to Ebitengine's hidden text field
// and the address bar, not back to the town, so the menu's last control
// hands the keyboard back itself.
const shareSelector = "#share summary"

// tabOut gives the keyboard to the page's Share button; it reports false,
// and the ring wraps round, when the page has none or hides it (before
// the Share menu is ready).
func (h *hook) tabOut() bool {
	doc := js.Global().Get("document")
	s := doc.Call("querySelector", shareSelector)
	if s.IsNull() || s.IsUndefined() || s.Call("closest", "#share").Get("hidden").Bool() {
		return false // no Share button, or hidden: nowhere to go
	}
	h.listenBack(s)
	s.Call("focus")
	return doc.Get("activeElement").Equal(s)
}

// listenBack has Shift-Tab on the Share button give the keyboard back to
// the canvas, the ring on the town's last thing (by the browser's order
// it would go to the address bar, the button being the page's first),
// and Tab from the Share menu's last control give it back with the ring
// on the town's first. The listener only notes it and moves the focus.
func (h *hook) listenBack(s js.Value) {
	if h.listening {
		return
	}
	h.listening = true
	menu := s.Call("closest", "#share")
	menu.Call("addEventListener", "keydown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		if e.Get("key").String() != "Tab" {
			return nil
		}
		shift := e.Get("shiftKey").Bool()
		target := e.Get("target")
		if shift && !target.Equal(s) || !shift && !target.Equal(lastControl(menu, s)) {
			return nil // within the menu: the browser's order
		}
		c := js.Global().Get("document").Call("querySelector", "canvas")
		if c.IsNull() {
			return nil
		}
		e.Call("preventDefault")
		c.Call("focus")
		if shift {
			h.back = true
		} else {
			h.forward = true
		}
		return nil
	}))
}

// lastControl is the Share menu's last control Tab can reach: its button
// when the menu is closed, else the last one shown and enabled.
func lastControl(menu, summary js.Value) js.Value {
	if !menu.Get("open").Bool() {
		return summary
	}
	all := menu.Call("querySelectorAll", "button, select")
	last := summary
	for i := 0; i < all.Get("length").Int(); i++ {
		c := all.Index(i)
		if !c.Get("disabled").Bool() && !c.Get("hidden").Bool() {
			last = c
		}
	}
	return last
}

// tabbedForward reports Tab from the Share menu's last control since
// last asked.
func (h *hook) tabbedForward() bool {
	f := h.forward
	h.forward = false
	return f
}

// tabbedBack reports Shift-Tab from the Share button since last asked.
func (h *hook) tabbedBack() bool {
	b := h.back
	h.back = false
	return b
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
