// Package web serves the browser build of the town from the files
// embedded in the binary: the page, Go's wasm_exec.js and the WebAssembly,
// which build.sh compresses twice (gzip and brotli) before the native
// build embeds it. It also serves a teacher's folder of scenarios
// (Folder), the WebSocket endpoints of OS runs and of the watch.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"sync"
)

//go:embed static
var static embed.FS

// Handler serves the page at /, wasm_exec.js and socketville.wasm.
type Handler struct {
	// Start, when set, is the query a bare / is sent on to (a redirect),
	// so that the address a server prints opens what it serves:
	// "kernel=watch" for serve --watch. A page asked for with a query of
	// its own is served as asked.
	Start string

	files fs.FS
	once  sync.Once
	build build // the wasm's representations, read once
	err   error
	pages sync.Map // name -> page: index.html and wasm_exec.js with their ETags
}

// New returns a handler over the embedded files.
func New() *Handler { return &Handler{files: static} }

// NewFS returns a handler over other files laid out as static/ is (for
// tests).
func NewFS(files fs.FS) *Handler { return &Handler{files: files} }

// ServeHTTP serves the three files; anything else is 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/", "/index.html":
		if h.Start != "" && r.URL.RawQuery == "" {
			http.Redirect(w, r, r.URL.Path+"?"+h.Start, http.StatusFound)
			return
		}
		h.file(w, r, "static/index.html", "text/html; charset=utf-8")
	case "/wasm_exec.js":
		h.file(w, r, "static/wasm_exec.js", "text/javascript; charset=utf-8")
	case "/socketville.wasm":
		h.wasm(w, r)
	default:
		http.NotFound(w, r)
	}
}
