package web_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"socketville/native/web"
)

func br(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fetch asks for the wasm as a browser would, without Go's automatic
// decompression, so the test sees the bytes on the wire.
func fetch(t *testing.T, url, accept, ifNoneMatch string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url+"/socketville.wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", accept)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestServesTheSmallerEncodingAndRevalidates: a browser that takes
// brotli gets the brotli twin, one that takes only gzip the gzip one,
// each with its own ETag, Content-Length, Vary and the uncompressed
// length; asked again with that ETag, the server says 304 and sends
// nothing, so a second load is the browser's cache.
func TestServesTheSmallerEncodingAndRevalidates(t *testing.T) {
	// Random bytes behind a repeated part: compressed, still larger than
	// the few kilobytes a server would measure by itself.
	wasm := append(bytes.Repeat([]byte("\x00asm some wasm bytes, repeated "), 2000), random(t, 20000)...)
	brotliBytes := br(t, wasm)
	h := web.NewFS(fstest.MapFS{
		"static/index.html":          {Data: []byte("<html>town</html>")},
		"static/socketville.wasm.gz": {Data: gz(t, wasm)},
		"static/socketville.wasm.br": {Data: brotliBytes},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	etags := map[string]bool{}
	for _, c := range []struct {
		accept, encoding string
		decode           func([]byte) []byte
	}{
		{accept: "gzip, deflate, br, zstd", encoding: "br", decode: func(b []byte) []byte {
			out, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
			return out
		}},
		{accept: "gzip, deflate", encoding: "gzip", decode: gunzip},
		{accept: "identity", encoding: "", decode: func(b []byte) []byte { return b }},
	} {
		resp, body := fetch(t, srv.URL, c.accept, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != c.encoding {
			t.Fatalf("Accept-Encoding %q: %s, Content-Encoding %q, want 200 %q", c.accept, resp.Status, resp.Header.Get("Content-Encoding"), c.encoding)
		}
		if got := c.decode(body); !bytes.Equal(got, wasm) {
			t.Errorf("Accept-Encoding %q: decodes to %d bytes, want the %d of the wasm", c.accept, len(got), len(wasm))
		}
		if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n != len(body) || len(body) < 20000 {
			t.Errorf("Accept-Encoding %q: Content-Length %q for %d bytes", c.accept, resp.Header.Get("Content-Length"), len(body))
		}
		if got := resp.Header.Get("X-Uncompressed-Length"); got != strconv.Itoa(len(wasm)) {
			t.Errorf("Accept-Encoding %q: X-Uncompressed-Length %q, want %d", c.accept, got, len(wasm))
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("Accept-Encoding %q: Vary %q, Cache-Control %q", c.accept, resp.Header.Get("Vary"), resp.Header.Get("Cache-Control"))
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || etags[etag] {
			t.Errorf("Accept-Encoding %q: ETag %q is missing or the same as another encoding's", c.accept, etag)
		}
		etags[etag] = true
		again, body := fetch(t, srv.URL, c.accept, etag)
		if again.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: %s with %d bytes, want 304 and none", c.accept, etag, again.Status, len(body))
		}
	}
	if gzLen, brLen, raw, err := h.Sizes(); err != nil || brLen != len(brotliBytes) || raw != len(wasm) || gzLen == 0 {
		t.Errorf("Sizes() = %d, %d, %d, %v", gzLen, brLen, raw, err)
	}
}

// TestBrotliTwinThatSavesNothingIsNotServed: build.sh makes the brotli
// twin, but a browser gets it only when it is the smaller.
func TestBrotliTwinThatSavesNothingIsNotServed(t *testing.T) {
	wasm := bytes.Repeat([]byte("x"), 5000)
	gzBytes := gz(t, wasm)
	h := web.NewFS(fstest.MapFS{
		"static/socketville.wasm.gz": {Data: gzBytes},
		"static/socketville.wasm.br": {Data: bytes.Repeat([]byte{1}, len(gzBytes)+10)},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	if resp, _ := fetch(t, srv.URL, "br, gzip", ""); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip: the brotli twin is larger", resp.Header.Get("Content-Encoding"))
	}
}

// TestPagesRevalidate: the page and wasm_exec.js carry ETags too.
func TestPagesRevalidate(t *testing.T) {
	srv := httptest.NewServer(web.NewFS(fstest.MapFS{
		"static/index.html":   {Data: []byte("<html>town</html>")},
		"static/wasm_exec.js": {Data: []byte("// go")},
	}))
	defer srv.Close()
	for _, path := range []string{"/", "/wasm_exec.js"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("If-None-Match", etag)
		again, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Close()
		if etag == "" || again.StatusCode != http.StatusNotModified {
			t.Errorf("%s: ETag %q, asked again %s, want 304", path, etag, again.Status)
		}
	}
}

func gunzip(b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(r)
	return out
}

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
