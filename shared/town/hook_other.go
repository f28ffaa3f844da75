//go:build !js

package town

import (
	"encoding/json"
	"os"
)

// hook writes the town's state as JSON to the file Options.StateFile
// names, when set, a few times a second: the desktop tests read it to know
// where the layout put each door. The browser's twin is a read-only JS
// function.
type hook struct {
	path string
	// page is the page round the town, where Tab goes past its last
	// thing; nil in a window, which has no page: Tab wraps round. A
	// test puts a stand-in here to check the order.
	page page
}

// page is what the town asks of the page round it: take the focus, and
// say whether it handed it back (Shift-Tab from its first control).
type page interface {
	takeFocus() bool
	gaveBack() bool
}

// tabOut hands the keyboard to the page, if there is one; it reports
// whether the page took it.
func (h *hook) tabOut() bool { return h.page != nil && h.page.takeFocus() }

// tabbedBack reports the page handing the keyboard back since it was
// last asked.
func (h *hook) tabbedBack() bool { return h.page != nil && h.page.gaveBack() }

// tabbedForward reports Tab from the page's last control since last
// asked; a window has no page, and the stand-in page only hands back.
func (h *hook) tabbedForward() bool { return false }

func newHook(opts Options) hook { return hook{path: opts.StateFile} }

func (h *hook) publish(g *Game) {
	if h.path == "" || g.frames%10 != 0 {
		return
	}
	b, err := json.Marshal(g.State())
	if err != nil {
		return
	}
	tmp := h.path + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil {
		_ = os.Rename(tmp, h.path)
	}
}

// drew is the browser's first-frame mark; the desktop has none.
func (h *hook) drew() {}
