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
}

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
