package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socketville/native/web"
)

// The crowded town the issue measures: 100 hosts, 1,000 sockets, and
// bulk transfers that keep about 500 letters on the roads.
const crowdSize = "50x10"

// desktopFrames runs the desktop build under Xvfb for n frames and
// returns its "frames ... frame_ms ..." line as numbers.
func desktopFrames(b *testing.B, display string, n int, args ...string) map[string]float64 {
	b.Helper()
	cmd := exec.Command(binary(b), append([]string{"desktop", "--play", "--frames", strconv.Itoa(n)}, args...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("desktop %v: %v", args, err)
	}
	f := strings.Fields(string(out))
	m := map[string]float64{}
	for i := 0; i+1 < len(f); i += 2 {
		if v, err := strconv.ParseFloat(f[i+1], 64); err == nil {
			m[f[i]] = v
		}
	}
	return m
}

// BenchmarkDesktopFrame measures the CPU time of Update+Draw per frame in
// the native build (under Xvfb, software GL), with the crowded town and,
// as the baseline, hello-tcp. Run it with -benchtime 1x: each op is a
// whole run of the binary.
func BenchmarkDesktopFrame(b *testing.B) {
	display := xvfb(b, 1280, 800)
	for i := 0; i < b.N; i++ {
		crowd := desktopFrames(b, display, 600, "--crowd", crowdSize)
		hello := desktopFrames(b, display, 600, "hello-tcp")
		b.ReportMetric(crowd["frame_ms"], "crowd-ms/frame")
		b.ReportMetric(crowd["update_ms"], "crowd-update-ms/frame")
		b.ReportMetric(crowd["draw_ms"], "crowd-draw-ms/frame")
		b.ReportMetric(crowd["doors"], "crowd-doors")
		b.ReportMetric(crowd["letters"], "crowd-letters")
		b.ReportMetric(hello["frame_ms"], "hello-ms/frame")
		b.ReportMetric(crowd["frame_ms"]/hello["frame_ms"], "crowd/hello")
	}
}

// BenchmarkBrowser measures the browser build in headless Chromium: the
// web build's size as served, the time to the town's first frame, and the
// frames per second of hello-tcp and the crowded town against an empty
// Ebitengine page (the baseline: what this browser draws at all).
func BenchmarkBrowser(b *testing.B) {
	url := serve(b)
	raw, gz := wasmSizes(b, url)
	b.ReportMetric(float64(raw)/1e6, "wasm-MB")
	b.ReportMetric(float64(gz)/1e6, "wasm-gzip-MB")
	empty := emptyGame(b)
	for i := 0; i < b.N; i++ {
		marks, helloFPS := pageFPS(b, url+"?play=1&scenario=hello-tcp", "JSON.parse(socketville.state()).fps")
		_, crowdFPS := pageFPS(b, url+"?play=1&crowd="+crowdSize, "JSON.parse(socketville.state()).fps")
		_, emptyFPS := pageFPS(b, empty, "window.emptyFPS || 0")
		// The start-up's phases, in ms since navigation: the wasm
		// downloaded and compiled, instantiated, Go's main running after
		// the packages' init, the town made, its first frame drawn.
		for _, m := range []string{"sv-fetched", "sv-instantiated", "sv-main", "sv-town"} {
			b.ReportMetric(marks[m], strings.TrimPrefix(m, "sv-")+"-ms")
		}
		b.ReportMetric(marks["first"], "first-frame-ms")
		b.ReportMetric(helloFPS, "hello-fps")
		b.ReportMetric(crowdFPS, "crowd-fps")
		b.ReportMetric(emptyFPS, "empty-page-fps")
		b.ReportMetric(crowdFPS/emptyFPS, "crowd/empty")
	}
}

func wasmSizes(b *testing.B, url string) (raw, gz int) {
	req, _ := http.NewRequest("HEAD", url+"socketville.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	raw, _ = strconv.Atoi(resp.Header.Get("X-Uncompressed-Length"))
	gz, _ = strconv.Atoi(resp.Header.Get("Content-Length"))
	return raw, gz
}

// emptyGame builds the baseline page and serves it like the town.
func emptyGame(b *testing.B) string {
	dir := b.TempDir()
	static := filepath.Join(dir, "static")
	if err := os.MkdirAll(static, 0o755); err != nil {
		b.Fatal(err)
	}
	wasm := filepath.Join(dir, "empty.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s", "-o", wasm, "./testdata/emptygame")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("empty game: %v\n%s", err, out)
	}
	gzipTo(b, wasm, filepath.Join(static, "socketville.wasm.gz"))
	for _, f := range []string{"index.html", "wasm_exec.js"} {
		data, err := os.ReadFile(filepath.Join("../web/static", f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(static, f), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(web.NewFS(os.DirFS(dir)))
	b.Cleanup(srv.Close)
	return srv.URL + "/"
}

func gzipTo(b *testing.B, src, dst string) {
	out, err := exec.Command("gzip", "-9", "-c", src).Output()
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		b.Fatal(err)
	}
}

// pageFPS opens a page in a fresh browser and returns its start-up marks
// (ms since navigation started: the page's sv-* performance marks, and
// "first" for the town's first frame drawn) and its frames per second
// after ten seconds. The browser is closed before the next page, so
// pages never compete for the two cores.
func pageFPS(b *testing.B, url, fpsExpr string) (marks map[string]float64, fps float64) {
	ctx, stop := newBrowser(b, 1280, 800)
	defer stop()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		b.Fatal(err)
	}
	end := time.Now().Add(30 * time.Second)
	for first := 0.0; first == 0 && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.socketville ? socketville.firstFrameMs : (window.emptyFPS !== undefined ? performance.now() : 0)`))
		if err == nil {
			first = v
		}
	}
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(Object.fromEntries(performance.getEntriesByType("mark").map(m => [m.name, m.startTime]).concat([["first", window.socketville ? socketville.firstFrameMs : 0]])))`))
	if err != nil {
		b.Fatalf("%s: %v", url, err)
	}
	if err := jsonUnmarshal(js, &marks); err != nil {
		b.Fatalf("%s: marks %q: %v", url, js, err)
	}
	time.Sleep(10 * time.Second)
	if fps, err = chromedp.Run(ctx, chromedp.Evaluate[float64](fpsExpr)); err != nil {
		b.Fatalf("%s: %v", url, err)
	}
	return marks, fps
}
