package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startUp is what a page of the town says about its start: its sv-*
// performance marks and first frame in ms since navigation, the wasm's
// resource timing (what crossed the wire) and the bytes the progress bar
// counted against the total it was told.
type startUp struct {
	Marks    map[string]float64 `json:"marks"`
	First    float64            `json:"first"`
	Transfer float64            `json:"transfer"` // bytes over the wire, headers included; about 300 for a 304
	Encoded  float64            `json:"encoded"`  // the body as sent (compressed)
	Decoded  float64            `json:"decoded"`
	Counted  float64            `json:"counted"` // bytes the progress bar saw before the module was ready
	Total    float64            `json:"total"`   // X-Uncompressed-Length
}

// loadTown navigates to url in ctx and waits for the town's first frame,
// then reads how the start went.
func loadTown(t testing.TB, ctx context.Context, url string) startUp {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	needWebGL(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Poll[float64](`window.socketville && socketville.firstFrameMs`,
		chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(10*time.Millisecond))); err != nil {
		t.Fatalf("%s: no first frame: %v", url, err)
	}
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
  const w = performance.getEntriesByType("resource").find(e => e.name.endsWith("/socketville.wasm")) || {};
  const p = window.socketvilleProgress || {};
  return JSON.stringify({
    marks: Object.fromEntries(performance.getEntriesByType("mark").map(m => [m.name, m.startTime])),
    first: socketville.firstFrameMs,
    transfer: w.transferSize || 0, encoded: w.encodedBodySize || 0, decoded: w.decodedBodySize || 0,
    counted: p.counted || 0, total: p.total || 0,
  });
})()`))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var s startUp
	if err := jsonUnmarshal(js, &s); err != nil {
		t.Fatalf("%s: start-up %q: %v", url, js, err)
	}
	return s
}

// phases prints the marks in the order they came, for a person reading
// the log: where the start-up's time went.
func (s startUp) phases() string {
	names := make([]string, 0, len(s.Marks))
	for n := range s.Marks {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return s.Marks[names[i]] < s.Marks[names[j]] })
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s %.0f, ", strings.TrimPrefix(n, "sv-"), s.Marks[n])
	}
	fmt.Fprintf(&b, "first frame %.0f ms", s.First)
	return b.String()
}

// wireSize is what the server sends for the wasm to a client that takes
// accept: the Content-Encoding and the Content-Length.
func wireSize(t testing.TB, url, accept string) (encoding string, n int) {
	t.Helper()
	req, err := http.NewRequest("HEAD", url+"socketville.wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", accept)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	n, _ = strconv.Atoi(resp.Header.Get("Content-Length"))
	return resp.Header.Get("Content-Encoding"), n
}

// TestQuickStart loads the town twice in one browser, as a learner who
// comes back does. The first load takes the brotli build (smaller than
// the gzip one) and its progress bar counts every byte of the wasm; the
// second is a revalidation (a 304, a few hundred bytes on the wire) and
// still reaches its first frame.
func TestQuickStart(t *testing.T) {
	url := serve(t)
	enc, brLen := wireSize(t, url, "gzip, deflate, br, zstd")
	_, gzLen := wireSize(t, url, "gzip, deflate")
	if enc != "br" || brLen >= gzLen {
		t.Errorf("a browser that takes brotli got %q, %d bytes (gzip is %d): want the smaller brotli", enc, brLen, gzLen)
	}
	ctx := browser(t, 1280, 800)
	cold := loadTown(t, ctx, url+"?scenario=hello-tcp")
	t.Logf("cold: %s; %.0f bytes on the wire", cold.phases(), cold.Transfer)
	if cold.Encoded != float64(brLen) {
		t.Errorf("the first load's wasm body was %.0f bytes, want the %d of the brotli build", cold.Encoded, brLen)
	}
	if cold.Total != cold.Decoded || cold.Counted == 0 || cold.Counted > cold.Total {
		t.Errorf("the progress bar counted %.0f of %.0f bytes, the wasm has %.0f", cold.Counted, cold.Total, cold.Decoded)
	}
	warm := loadTown(t, ctx, url+"?scenario=hello-tcp")
	t.Logf("warm: %s; %.0f bytes on the wire", warm.phases(), warm.Transfer)
	if warm.Transfer > 2000 {
		t.Errorf("the second load moved %.0f bytes for the wasm: want a revalidation (304) of the cached one", warm.Transfer)
	}
}

// BenchmarkQuickStart measures the town's start in headless Chromium on
// localhost: the first frame on a first visit (cold: nothing cached) and
// on a second (warm: the wasm revalidated, its compiled code cached by
// the browser), each phase of the start, and the wasm's bytes on the wire
// with brotli and with gzip. Run it with -benchtime 1x: each op is two
// page loads in a fresh browser.
func BenchmarkQuickStart(b *testing.B) {
	url := serve(b)
	_, brLen := wireSize(b, url, "br, gzip")
	_, gzLen := wireSize(b, url, "gzip")
	b.ReportMetric(float64(brLen)/1e6, "wire-brotli-MB")
	b.ReportMetric(float64(gzLen)/1e6, "wire-gzip-MB")
	for i := 0; i < b.N; i++ {
		ctx, stop := newBrowser(b, 1280, 800)
		cold := loadTown(b, ctx, url+"?scenario=hello-tcp")
		warm := loadTown(b, ctx, url+"?scenario=hello-tcp")
		stop()
		b.Logf("cold: %s", cold.phases())
		b.Logf("warm: %s", warm.phases())
		b.ReportMetric(cold.First, "cold-first-frame-ms")
		b.ReportMetric(warm.First, "warm-first-frame-ms")
		for _, m := range []string{"sv-fetched", "sv-instantiated", "sv-main", "sv-town"} {
			b.ReportMetric(cold.Marks[m], "cold-"+strings.TrimPrefix(m, "sv-")+"-ms")
			b.ReportMetric(warm.Marks[m], "warm-"+strings.TrimPrefix(m, "sv-")+"-ms")
		}
	}
}
