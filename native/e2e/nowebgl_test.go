package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWithoutWebGL opens the page in a Chromium whose WebGL is
// switched off: instead of a black canvas, the page says in plain HTML
// what is missing and what to try, and does not start the town.
func TestBrowserWithoutWebGL(t *testing.T) {
	url := serve(t)
	ctx := browser(t, 1024, 700, chromedp.Flag("disable-3d-apis", true))
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"?scenario=hello-tcp")); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Poll[string](
		`document.getElementById("nowebgl") ? document.getElementById("nowebgl").innerText : null`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("no explanation in the page without WebGL: %v", err)
	}
	for _, want := range []string{"needs WebGL", "hardware acceleration", "another browser", "--enable-unsafe-swiftshader", "socketville desktop"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page without WebGL does not say %q; it says:\n%s", want, text)
		}
	}
	started, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!window.socketville || !!document.getElementById("loading")`))
	if err != nil || started {
		t.Errorf("without WebGL the page still started the town or kept its progress bar (err %v)", err)
	}
	shot, _ := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	saveArtifact(t, "browser-no-webgl.png", shot)
}
