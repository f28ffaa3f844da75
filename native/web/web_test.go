package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"socketville/native/web"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestServesCompressedWasm(t *testing.T) {
	wasm := bytes.Repeat([]byte("\x00asm wasm bytes "), 1000)
	h := web.NewFS(fstest.MapFS{
		"static/index.html":          {Data: []byte("<html>town</html>")},
		"static/wasm_exec.js":        {Data: []byte("// go")},
		"static/socketville.wasm.gz": {Data: gz(t, wasm)},
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/socketville.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := http.DefaultTransport.RoundTrip(req) // no automatic decompression
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type %q", got)
	}
	if got := resp.Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q", got)
	}
	if got := resp.Header.Get("X-Uncompressed-Length"); got != "16000" {
		t.Errorf("X-Uncompressed-Length %q", got)
	}
	if len(body) >= len(wasm) {
		t.Errorf("sent %d bytes for a %d-byte wasm", len(body), len(wasm))
	}

	// A client that takes no gzip gets the plain bytes.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, wasm) || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("identity: %d bytes, encoding %q", len(body), resp.Header.Get("Content-Encoding"))
	}

	for path, want := range map[string]string{"/": "text/html; charset=utf-8", "/wasm_exec.js": "text/javascript; charset=utf-8"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want {
			t.Errorf("%s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := http.Get(srv.URL + "/../etc/passwd"); resp.StatusCode != 404 {
		t.Errorf("an unknown path gave %d", resp.StatusCode)
	}
	if resp, _ := http.Post(srv.URL+"/", "text/plain", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST gave %d", resp.StatusCode)
	}
}

func TestMissingBuildSaysHowToMakeIt(t *testing.T) {
	h := web.NewFS(fstest.MapFS{"static/index.html": {Data: []byte("x")}})
	if _, _, err := h.Built(); err == nil {
		t.Fatal("Built reports a wasm that is not there")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/socketville.wasm", nil))
	if rec.Code != 404 || !bytes.Contains(rec.Body.Bytes(), []byte("./build.sh serve")) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// TestStartQuery: with Start set, the bare address sends the page on to
// it (serve --watch prints an address that opens the machine); a page
// asked for with a query of its own is served as asked.
func TestStartQuery(t *testing.T) {
	h := web.NewFS(fstest.MapFS{"static/index.html": {Data: []byte("<html>town</html>")}})
	h.Start = "kernel=watch"
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.DefaultTransport.RoundTrip(must(http.NewRequest("GET", srv.URL+"/", nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/?kernel=watch" {
		t.Errorf("/: %s to %q, want 302 to /?kernel=watch", resp.Status, resp.Header.Get("Location"))
	}
	resp, err = http.DefaultTransport.RoundTrip(must(http.NewRequest("GET", srv.URL+"/?scenario=hello-tcp", nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/?scenario=hello-tcp: %s, want the page", resp.Status)
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}
