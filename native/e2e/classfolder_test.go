package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"socketville/shared/lessons"
)

// TestBrowserClassFolder serves a teacher's folder with a scenario and a
// lesson: the page's Class folder list offers both, and choosing them
// from the keyboard plays the scenario, then opens the lesson as a full
// lesson: its text beside the town, its goal's checks in the panel and
// the page's aside, red after a wrong line, green once its show-me lines
// are typed, and kept by the folder's name and the file's.
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
	l, err := lessons.Parse("21-my-lesson.lesson", lesson)
	if err != nil {
		t.Fatal(err)
	}
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
	waitShared(t, ctx, 10*time.Second, "the lesson's start", func(s shared) bool { return s.Scenario == "class-21-my-lesson" })
	waitMessage(t, ctx, "from the class folder. Its goal is in the town's panel")
	shot(t, ctx, "share-folder-lesson-1280x800.png")
	learnClassLesson(t, ctx, l, filepath.Base(dir)+"/21-my-lesson.lesson")
}

// classRow is the lesson row's class folder fields.
type classRow struct {
	Key      string   `json:"key"`
	Class    string   `json:"class"`
	MetClass []string `json:"met_class"`
}

// classLesson reads the page's lesson row's class folder fields.
func classLesson(t *testing.T, ctx context.Context) classRow {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.socketville ? window.socketville.state() : ""`))
	var st struct{ Lesson *classRow }
	if err == nil {
		err = json.Unmarshal([]byte(s), &st)
	}
	if err != nil || st.Lesson == nil {
		t.Fatalf("the town's lesson row: %v (%.200s)", err, s)
	}
	return *st.Lesson
}

// learnClassLesson does the class folder's lesson (a copy of built-in
// lesson 5) opened from the Share menu as a learner would: its checks
// are there and red; a wrong line keeps them so; Start again, and its
// show-me lines typed key by key turn them green in the panel, the
// console and the aside, and the progress keeps it by key.
func learnClassLesson(t *testing.T, ctx context.Context, l lessons.Lesson, key string) {
	t.Helper()
	started := func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == l.Number && s.Selected == "lesson" && !s.Busy && len(s.Lesson.Checks) == len(l.Goal)
	}
	st := waitLesson(t, ctx, 30*time.Second, "the class lesson open in the panel", started)
	if st.Lesson.Met || !strings.HasPrefix(st.Panel, "Class lesson 21:") {
		t.Fatalf("the class lesson opened met, or not in its panel (%q): %+v", st.Panel, st.Lesson.Checks)
	}
	if c := classLesson(t, ctx); c.Key != key || c.Class == "" {
		t.Errorf("the lesson open is %+v, want the class folder's %s", c, key)
	}
	checkAside(t, ctx, l, false)

	wrong := "b/web: bind 3 0.0.0.0:80" // bound, not listening
	typeQuick(t, ctx, wrong)
	if st = settle(t, ctx); st.Lesson.Met {
		t.Fatalf("a wrong line turned the goal green: %+v", st.Lesson.Checks)
	}
	checkAside(t, ctx, l, false)
	shot(t, ctx, "share-folder-lesson-wrong-1280x800.png")

	again := func(s lessonState) bool {
		return lastIndex(s.Console, "# scenario class-21-my-lesson ") > lastIndex(s.Console, "$ "+wrong)
	}
	clickUntil(t, ctx, "Start again", nil, "the class lesson loaded again", again)
	waitLesson(t, ctx, 30*time.Second, "the class lesson started again", func(s lessonState) bool { return started(s) && again(s) && !s.Lesson.Met })
	for _, line := range showLines(l.Show) {
		typeQuick(t, ctx, line)
	}
	st = waitLesson(t, ctx, 90*time.Second, "the class lesson's goal met", func(s lessonState) bool { return s.Lesson.Met })
	if !slices.Contains(st.Console, fmt.Sprintf("# Goal met: class lesson %d, %s.", l.Number, l.Title)) {
		t.Errorf("the console does not say the goal is met: %q", lastLines(st.Console, 12))
	}
	if c := classLesson(t, ctx); !slices.Contains(c.MetClass, key) || slices.Contains(st.Lesson.MetLessons, 5) || slices.Contains(st.Lesson.MetLessons, 21) {
		t.Errorf("progress: class %q, built-in %v; want %s met alone", c.MetClass, st.Lesson.MetLessons, key)
	}
	checkAside(t, ctx, l, true)
	shot(t, ctx, "share-folder-lesson-met-1280x800.png")
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
