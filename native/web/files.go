package web

import (
	"bytes"
	"io/fs"
	"net/http"
)

// page is a small file of the build, kept with its ETag.
type page struct {
	data []byte
	etag string
}

// file serves a small file of the build with an ETag, so that a second
// load revalidates it with a 304 instead of fetching it again.
func (h *Handler) file(w http.ResponseWriter, r *http.Request, name, mime string) {
	p, err := h.page(name)
	if err != nil {
		http.Error(w, name+" is not in this binary: run ./build.sh serve to build the web page into it", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", p.etag)
	http.ServeContent(w, r, "", zeroTime, bytes.NewReader(p.data))
}

func (h *Handler) page(name string) (page, error) {
	if p, ok := h.pages.Load(name); ok {
		return p.(page), nil
	}
	b, err := fs.ReadFile(h.files, name)
	if err != nil {
		return page{}, err
	}
	p := page{data: b, etag: etagOf(b, "")}
	h.pages.Store(name, p)
	return p, nil
}
