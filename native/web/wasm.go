package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
)

const (
	wasmGz = "static/socketville.wasm.gz"
	wasmBr = "static/socketville.wasm.br"
)

// build is the WebAssembly as the binary holds it: gzip-compressed, and
// brotli-compressed when build.sh made that twin and it is smaller.
type build struct {
	gz, br []byte
	raw    int    // the uncompressed size, for the page's progress bar
	etag   string // of the uncompressed wasm; each encoding adds a suffix
}

// Built reports whether the web build is in the binary, and its sizes:
// the smallest compressed form it serves and the uncompressed one.
func (h *Handler) Built() (compressed, raw int, err error) {
	b, err := h.wasmBuild()
	if err != nil {
		return 0, 0, err
	}
	compressed = len(b.gz)
	if b.br != nil {
		compressed = len(b.br)
	}
	return compressed, b.raw, nil
}

// Sizes reports the bytes each encoding of the wasm sends: gzip, brotli
// (0 when the binary has no smaller brotli twin) and none.
func (h *Handler) Sizes() (gzip, brotli, raw int, err error) {
	b, err := h.wasmBuild()
	if err != nil {
		return 0, 0, 0, err
	}
	return len(b.gz), len(b.br), b.raw, nil
}

func (h *Handler) wasmBuild() (build, error) {
	h.once.Do(func() { h.build, h.err = readBuild(h.files) })
	return h.build, h.err
}

func readBuild(files fs.FS) (build, error) {
	gz, err := fs.ReadFile(files, wasmGz)
	if err != nil {
		return build{}, fmt.Errorf("the web build is not in this binary (run ./build.sh serve to make it): %w", err)
	}
	raw, err := gzipSize(gz)
	if err != nil {
		return build{}, fmt.Errorf("socketville.wasm.gz: %w", err)
	}
	b := build{gz: gz, raw: raw}
	// The twin is optional (an older build.sh made none); one that
	// saves nothing is not worth a second ETag.
	if br, err := fs.ReadFile(files, wasmBr); err == nil && len(br) > 0 && len(br) < len(gz) {
		b.br = br
	}
	// The ETag is of what the wasm is, not of how it was compressed:
	// the gzip bytes change only when the build does.
	b.etag = etagOf(gz, "")
	return b, nil
}

// gzipSize reads the uncompressed size from the gzip trailer (ISIZE, RFC
// 1952 section 2.3.1) instead of inflating 20 MB at every start, and
// checks the header so that a file that is not gzip is said at once.
func gzipSize(gz []byte) (int, error) {
	if len(gz) < 18 {
		return 0, errors.New("too short to be gzip")
	}
	if _, err := gzip.NewReader(bytes.NewReader(gz)); err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(gz[len(gz)-4:])), nil
}

// etagOf is a strong ETag for b; suffix tells one encoding from another,
// as a strong validator must (RFC 9110 section 8.8.3.3).
func etagOf(b []byte, suffix string) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + suffix + `"`
}

// wasm sends the smallest encoding the client takes, with the MIME type
// WebAssembly's streaming compile wants, its uncompressed size for the
// progress bar, and an ETag: the browser revalidates (no-cache) and a
// second load is a 304 whose cached response Chromium also keeps the
// compiled code of.
func (h *Handler) wasm(w http.ResponseWriter, r *http.Request) {
	b, err := h.wasmBuild()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/wasm")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Uncompressed-Length", strconv.Itoa(b.raw))
	hd.Add("Vary", "Accept-Encoding")
	offers := []string{"gzip"}
	if b.br != nil {
		offers = []string{"br", "gzip"} // the smaller first: it wins a tie
	}
	body, etag := b.gz, b.etag // a client that takes no coding: inflated below
	switch enc := pick(r.Header.Get("Accept-Encoding"), offers); enc {
	case "br":
		body, etag = b.br, etagSuffix(b.etag, "-br")
		hd.Set("Content-Encoding", enc)
	case "gzip":
		etag = etagSuffix(b.etag, "-gz")
		hd.Set("Content-Encoding", enc)
	}
	hd.Set("ETag", etag)
	if match(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if hd.Get("Content-Encoding") != "" {
		// Not http.ServeContent: it leaves out Content-Length for an
		// encoded body, and the browser's cache and the tests want it.
		hd.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(b.gz))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(b.raw))
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, zr)
	}
}

func etagSuffix(etag, suffix string) string { return etag[:len(etag)-1] + suffix + `"` }
