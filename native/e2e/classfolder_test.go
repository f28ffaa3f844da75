package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserClassFolder serves a teacher's folder with a scenario and a
// lesson: the page's Class folder list offers both, and choosing them
// from the keyboard plays the scenario, then the lesson's start with its
// text beside the town, as page text.
func TestBrowserClassFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("my-town.sv", "# a teacher's town\nhost a 10.0.0.1/24\nhost b 10.0.0.2/24\nlink a b\nprocess a client\nprocess b server\nb/server: socket udp\nb/server: bind 3 0.0.0.0:9000\n")
	lesson, err := os.ReadFile("../../shared/lessons/files/05-bind-listen.lesson")
	if err != nil {
		t.Fatal(err)
	}
	write("21-my-lesson.lesson", string(lesson))
	url, _ := startServe(t, "--scenarios", dir)
	ctx := browser(t, 1280, 800)
	openShared(t, ctx, url)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("folder").hidden`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the Class folder list did not show: %v", err)
	}
	options, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#folder option")].map(o => o.textContent).join("|")`))
	if err != nil || !strings.Contains(options, "my-town") {
		t.Fatalf("the Class folder offers %q (%v), want my-town", options, err)
	}
	pickFromFolder(t, ctx, "ArrowDown", 40)
	waitMessage(t, ctx, "Playing my-town.sv from the class folder")
	waitShared(t, ctx, 10*time.Second, "my-town", func(s shared) bool { return s.Scenario == "my-town" })
	shot(t, ctx, "share-folder-1280x800.png")
	// End picks the list's last: the lesson.
	pickFromFolder(t, ctx, "End", 35)
	waitShared(t, ctx, 10*time.Second, "the lesson's start", func(s shared) bool { return s.Scenario == "lesson-21" })
	text, err := chromedp.Run(ctx, chromedp.Poll[string](`!document.getElementById("lesson").hidden && document.getElementById("lesson").innerText`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || !strings.Contains(text, "listen") {
		t.Errorf("the lesson's text beside the town: %q (%v)", text, err)
	}
	shot(t, ctx, "share-folder-lesson-1280x800.png")
}

// pickFromFolder opens the Share menu with a click, focuses its Class
// folder list (as Tab would) and presses key there, which chooses without opening the
// list's popup (a popup headless Chromium does not draw).
func pickFromFolder(t *testing.T, ctx context.Context, key string, code int64) {
	t.Helper()
	openMenu(t, ctx)
	if f, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("folder").focus(), document.activeElement.id`)); err != nil || f != "folder" {
		t.Fatalf("the Class folder list does not take the focus (%q has it, %v)", f, err)
	}
	if err := pressKey(ctx, key, code); err != nil {
		t.Fatal(err)
	}
}
