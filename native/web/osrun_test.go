package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socketville/shared/sock"
)

// TestOSRunsWithoutOS: a server without --os says so plainly, on
// /os/info and on /os/run.
func TestOSRunsWithoutOS(t *testing.T) {
	o := NewOSRuns(context.Background(), nil, 0)
	rec := httptest.NewRecorder()
	o.ServeHTTP(rec, httptest.NewRequest("GET", "/os/info", nil))
	if !strings.Contains(rec.Body.String(), `"os":false`) || !strings.Contains(rec.Body.String(), "without --os") {
		t.Errorf("/os/info says %q", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	o.ServeHTTP(rec, httptest.NewRequest("GET", "/os/run?scenario=hello-udp", nil))
	if rec.Code != http.StatusNotImplemented || !strings.Contains(rec.Body.String(), "without --os") {
		t.Errorf("/os/run: %d %q", rec.Code, rec.Body.String())
	}
}

// TestOSRunsOrigin: only this server's own page, on a loopback address,
// may start a run; no kernel is made for anyone else.
func TestOSRunsOrigin(t *testing.T) {
	made := 0
	o := NewOSRuns(context.Background(), func(io.Writer) (sock.Kernel, error) { made++; return nil, io.EOF }, 0)
	for _, c := range []struct{ host, origin string }{
		{"127.0.0.1:8080", ""},                      // no page at all
		{"127.0.0.1:8080", "http://evil.example"},   // another site's page
		{"127.0.0.1:8080", "http://127.0.0.1:9999"}, // another server's page
		{"10.1.2.3:8080", "http://10.1.2.3:8080"},   // not loopback
	} {
		req := httptest.NewRequest("GET", "/os/run?scenario=hello-udp", nil)
		req.Host = c.host
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		rec := httptest.NewRecorder()
		o.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("host %s origin %q: %d, want 403", c.host, c.origin, rec.Code)
		}
	}
	ok := httptest.NewRequest("GET", "/", nil)
	ok.Host = "localhost:8080"
	ok.Header.Set("Origin", "http://localhost:8080")
	if !loopbackOrigin(ok) {
		t.Errorf("the server's own page on localhost is refused")
	}
	if made != 0 {
		t.Errorf("%d kernels made for refused pages", made)
	}
}
