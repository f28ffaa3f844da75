package e2e

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"socketville/shared/lessons"
)

// TestBrowserLessonWithAFriend: lesson 11 with two pages in one room.
// Ann's page opens it by its link (?lesson=11): before anyone is there
// the panel says to invite a friend. Ann invites (the lesson stays open,
// and the link carries no ?lesson=), bob's page joins from the link and
// types the friend's lines (a server on port 7000 that answers), ann
// types hers, and her panel and the page's aside say the goal is met,
// with YOU and FRIEND named ann and bob. Leaving the room keeps it met.
func TestBrowserLessonWithAFriend(t *testing.T) {
	l, ok := lessons.Find(11)
	if !ok || !l.Shared {
		t.Fatal("lesson 11 is not a shared lesson")
	}
	bound, err := l.Bind(lessons.Pair{You: "ann", Friend: "bob", YouAddr: netip.MustParseAddr("10.99.0.1"), FriendAddr: netip.MustParseAddr("10.99.0.2")})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := startServe(t)
	ann := browser(t, 1100, 700, peerFlags)
	cheap(t, ann)
	openTown(t, ann, url+"/?lesson=11")
	st := waitLesson(t, ann, 30*time.Second, "lesson 11 open, alone", func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == 11 && len(s.Lesson.Checks) == len(l.Goal)
	})
	if !strings.Contains(st.Lesson.Note, "Invite a friend") || st.Lesson.Met {
		t.Errorf("alone, the panel's note is %q (met %v): want it to say to invite a friend", st.Lesson.Note, st.Lesson.Met)
	}
	if note := asideNote(t, ann); !strings.Contains(note, "Invite a friend") {
		t.Errorf("the aside's note says %q", note)
	}
	shot(t, ann, "lesson-11-alone.png")

	link := invite(t, ann)
	if !strings.Contains(link, "#room=") || strings.Contains(link, "lesson=") {
		t.Fatalf("Invite gave %q: want a room link without the lesson", link)
	}
	waitLesson(t, ann, 10*time.Second, "the lesson and its panel kept across the Invite", func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == 11 && s.Selected == "lesson" && strings.Contains(s.Lesson.Note, "waiting for a friend's road")
	})
	bob, cancel := chromedp.NewContext(ann) // a second window of the same browser
	defer cancel()
	// The friend's window is smaller: two pages drawing in software
	// share two cores, and each key typed waits for a frame.
	if err := chromedp.Do(bob, chromedp.EmulateViewport(800, 500, chromedp.EmulateScale(learnerScale))); err != nil {
		t.Fatal(err)
	}
	openTown(t, bob, link)
	st = waitLesson(t, ann, 40*time.Second, "YOU and FRIEND named", func(s lessonState) bool { return s.Lesson != nil && s.Lesson.You != "" })
	if st.Lesson.You != "ann" || st.Lesson.Friend != "bob" || !strings.Contains(st.Lesson.Note, "You are ann at 10.99.0.1; your friend is bob at 10.99.0.2") {
		t.Fatalf("YOU is %q and FRIEND %q; the note says %q", st.Lesson.You, st.Lesson.Friend, st.Lesson.Note)
	}
	waitLesson(t, bob, 20*time.Second, "bob's road to ann", func(s lessonState) bool { return consoleLine(s.state, "$ peer bob ann 10.99.0.1") != "" })

	start := time.Now()
	for _, line := range showLines(bound.Friend) {
		typeQuick(t, bob, line)
	}
	watchAside(t, ann)
	for _, line := range showLines(bound.Show) {
		typeQuick(t, ann, line)
	}
	goalMet := "# Goal met: lesson 11, You and a friend."
	st = waitLesson(t, ann, 30*time.Second, "the goal met", func(s lessonState) bool { return s.Lesson.Met && slices.Contains(s.Console, goalMet) })
	if st.Selected != "lesson" {
		t.Errorf("ann's page shows the %q panel, not the lesson's", st.Selected)
	}
	t.Logf("the friend's server and the learner's lines typed, goal met: %.1f s", time.Since(start).Seconds())
	for _, c := range st.Lesson.Checks {
		if !c.Met || strings.Contains(c.Name, "YOU") || strings.Contains(c.Name, "FRIEND") {
			t.Errorf("check %q: met %v, want met and named", c.Name, c.Met)
		}
	}
	if !slices.Contains(st.Lesson.MetLessons, 11) {
		t.Errorf("lessons met %v: want 11 among them", st.Lesson.MetLessons)
	}
	if seen, err := chromedp.Run(ann, chromedp.Evaluate[bool](`window.svSeenMet === true`)); err != nil || !seen {
		t.Errorf("the aside never said the goal is met with every check ticked (%v)", err)
	}
	if got := consoleLine(mustLesson(t, bob).state, `"hello from ann"`); got == "" {
		t.Errorf("bob's server did not read ann's message")
	}
	shot(t, ann, "lesson-11-met-ann.png")
	shot(t, bob, "lesson-11-friend-bob.png")

	if _, err := chromedp.Run(ann, chromedp.Evaluate[bool](`window.socketvilleShare.leave().then(() => true)`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = ptrTrue() })); err != nil {
		t.Fatalf("Leave the room: %v", err)
	}
	st = waitLesson(t, ann, 10*time.Second, "the lesson kept after leaving", func(s lessonState) bool {
		return s.Lesson != nil && s.Lesson.Number == 11 && strings.Contains(s.Lesson.Note, "The room is left")
	})
	if !st.Lesson.Met {
		t.Errorf("after leaving the room the goal is no longer met: %+v", st.Lesson.Checks)
	}
}

// asideNote is the page's lesson aside's note, as a screen reader reads it.
func asideNote(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("#sv-lesson .sv-lesson-note") || {}).textContent || ""`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustLesson reads a page's state with its lesson row.
func mustLesson(t *testing.T, ctx context.Context) lessonState {
	t.Helper()
	s, err := lessonPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
