// Package web serves the browser build of the town from the files
// embedded in the binary: the page, Go's wasm_exec.js and the WebAssembly,
// which build.sh compresses with gzip before the native build embeds it.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

const wasmGz = "static/socketville.wasm.gz"

// Handler serves the page at /, wasm_exec.js and socketville.wasm.
type Handler struct {
	// Start, when set, is the query a bare / is sent on to (a redirect),
	// so that the address a server prints opens what it serves:
	// "kernel=watch" for serve --watch. A page asked for with a query of
	// its own is served as asked.
	Start string

	files fs.FS
	once  sync.Once
	raw   int // the wasm's uncompressed size
	err   error
}

// New returns a handler over the embedded files.
func New() *Handler { return &Handler{files: static} }

// NewFS returns a handler over other files laid out as static/ is (for
// tests).
func NewFS(files fs.FS) *Handler { return &Handler{files: files} }

// Built reports whether the web build is in the binary, and its sizes.
func (h *Handler) Built() (compressed, raw int, err error) {
	gz, err := fs.ReadFile(h.files, wasmGz)
	if err != nil {
		return 0, 0, fmt.Errorf("the web build is not in this binary (run ./build.sh serve to make it): %w", err)
	}
	h.once.Do(func() { h.raw, h.err = gunzipSize(gz) })
	return len(gz), h.raw, h.err
}

func gunzipSize(gz []byte) (int, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 0, fmt.Errorf("socketville.wasm.gz: %w", err)
	}
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return 0, fmt.Errorf("socketville.wasm.gz: %w", err)
	}
	return int(n), nil
}

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

func (h *Handler) file(w http.ResponseWriter, r *http.Request, name, mime string) {
	b, err := fs.ReadFile(h.files, name)
	if err != nil {
		http.Error(w, name+" is not in this binary: run ./build.sh serve to build the web page into it", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", zeroTime, bytes.NewReader(b))
}

// wasm sends the compressed build to clients that take gzip (every
// browser), with the MIME type WebAssembly's streaming compile wants.
func (h *Handler) wasm(w http.ResponseWriter, r *http.Request) {
	_, raw, err := h.Built()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	gz, _ := fs.ReadFile(h.files, wasmGz)
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Uncompressed-Length", strconv.Itoa(raw))
	w.Header().Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(gz)
		}
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(raw))
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, zr)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
