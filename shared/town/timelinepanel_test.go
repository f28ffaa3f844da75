package town

import (
	"image"
	"slices"
	"strings"
	"testing"
	"time"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// stepUntil steps the town's story until at least n events happened.
func stepUntil(t *testing.T, g *Game, n int) {
	t.Helper()
	for i := 0; i < 10*n && g.player.EventCount() < n; i++ {
		g.step()
	}
	if g.player.EventCount() < n {
		t.Fatalf("%d events after stepping, want %d", g.player.EventCount(), n)
	}
	g.refreshWidgets()
}

// lastConsole is the console's newest line.
func lastConsole(g *Game) string {
	l := g.player.Console().Lines
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1].Text
}

// TestBackAndTimeline steps hello-tcp on, opens the timeline and goes
// back with Back and by the list: the list lights the event the town
// shows, the console says where the town went, the snapshot's digest
// differs back in time and is the head's again at the end, and the Back
// button is off at the start.
func TestBackAndTimeline(t *testing.T) {
	g := newTown(t, "hello-tcp")
	if s := g.State(); s.CanBack || !backDisabled(s) {
		t.Fatalf("before any event: CanBack %v, the Back button disabled %v; want no going back", s.CanBack, backDisabled(s))
	}
	stepUntil(t, g, 30)
	g.openTimeline()
	head := g.State()
	tl := head.Timeline
	if head.Selected != "timeline" || tl == nil || len(tl.Entries) == 0 {
		t.Fatalf("the timeline panel shows %q, %+v", head.Selected, tl)
	}
	if backDisabled(head) || !head.CanBack {
		t.Error("30 events in, the Back button is disabled")
	}
	if tl.Total != head.EventCount || tl.Shown != tl.Total-1 {
		t.Errorf("unfiltered at the head: %d entries, the shown at %d; want all %d, the last lit", tl.Total, tl.Shown, head.EventCount)
	}
	if lit := litEntry(tl); lit.Index != head.EventIndex-1 {
		t.Errorf("the lit entry is event %d, want the last the town shows, %d", lit.Index, head.EventIndex-1)
	}

	g.back()
	back := g.State()
	if back.EventIndex >= head.EventIndex || back.Digest == head.Digest {
		t.Errorf("after Back: at event %d (digest %.8s), before at %d (%.8s): want earlier, another snapshot",
			back.EventIndex, back.Digest, head.EventIndex, head.Digest)
	}
	if st := g.statusLabel(g.townRect()).text; !strings.Contains(st, "back in time at event ") {
		t.Errorf("back in time, the status line says %q", st)
	}
	if want := "# back to event "; !strings.HasPrefix(lastConsole(g), want) {
		t.Errorf("the console says %q after Back, want %q...", lastConsole(g), want)
	}
	if lit := litEntry(back.Timeline); lit.Index != back.EventIndex-1 {
		t.Errorf("back in time the lit entry is event %d, want %d", lit.Index, back.EventIndex-1)
	}

	g.jumpTo(0)
	g.refreshWidgets() // as the next frame does
	if s := g.State(); s.EventIndex != 0 || s.CanBack || !backDisabled(s) || s.Timeline.Shown != -1 {
		t.Errorf("at the start: event %d, CanBack %v, Back disabled %v, lit %d; want 0, false, true, none", s.EventIndex, s.CanBack, backDisabled(s), s.Timeline.Shown)
	}
	g.jumpTo(g.player.EventCount())
	if s := g.State(); s.EventIndex != head.EventIndex || s.Digest != head.Digest {
		t.Errorf("forward again: event %d, digest %.8s; want the head's %d, %.8s", s.EventIndex, s.Digest, head.EventIndex, head.Digest)
	}
}

// backDisabled reports the top bar's Back button disabled.
func backDisabled(s State) bool {
	for _, b := range s.Buttons {
		if b.Label == "Back" {
			return b.Disabled
		}
	}
	return false
}

// TestTimelineFilters chooses each kind and a host: every entry listed
// passes the filter, and the choice says so.
func TestTimelineFilters(t *testing.T) {
	g := newTown(t, "hello-tcp")
	stepUntil(t, g, 40)
	g.openTimeline()
	all := g.State().Timeline.Total
	for i, k := range kindGroups[1:] {
		g.timeline.kind = i + 1
		tl := g.State().Timeline
		if tl.Kind != k.name || tl.Total > all {
			t.Errorf("kind %q: the panel says %q, %d of %d entries", k.name, tl.Kind, tl.Total, all)
		}
		for _, e := range tl.Entries {
			if !kindIn(e.Kind, k) {
				t.Errorf("kind %q lists a %s: %s", k.name, e.Kind, e.Text)
			}
		}
	}
	g.timeline.kind = 0
	g.timeline.host = "b"
	tl := g.State().Timeline
	if tl.Total == 0 || tl.Total >= all {
		t.Errorf("host b: %d of %d entries", tl.Total, all)
	}
	for _, e := range tl.Entries {
		if e.Host != "b" {
			t.Errorf("host b lists %q", e.Text)
		}
	}
}

func kindIn(kind string, k kindGroup) bool {
	for _, want := range k.kinds {
		if want.String() == kind {
			return true
		}
	}
	return false
}

// litEntry is the timeline's lit entry on screen, or one of index -1.
func litEntry(tl *TimelineState) TimelineRow {
	for _, e := range tl.Entries {
		if e.Lit {
			return e
		}
	}
	return TimelineRow{Index: -1}
}

// TestTimelineChoosesClosedSockets plays hello-tcp to its end: the
// socket chooser still offers the sockets that have closed, whose
// events are on the timeline, and the host chosen narrows it.
func TestTimelineChoosesClosedSockets(t *testing.T) {
	g := newTown(t, "hello-tcp")
	g.player.SetFastest(true)
	g.player.SetPaused(false)
	for i := 0; i < 10000 && g.player.Busy(); i++ {
		g.player.Tick(time.Second / 60)
	}
	_, socks := g.timelineChoices()
	for _, want := range []string{"a/browser fd 3", "b/web fd 3", "b/web fd 4"} {
		if !slices.Contains(socks, want) {
			t.Errorf("the socket chooser offers %q, not %q", socks, want)
		}
	}
	g.timeline.host = "a"
	if _, socks := g.timelineChoices(); slices.Contains(socks, "b/web fd 3") || !slices.Contains(socks, "a/browser fd 3") {
		t.Errorf("host a chosen, the socket chooser offers %q", socks)
	}
	g.timeline.host, g.timeline.sock = "", "b/web fd 4"
	g.openTimeline()
	tl := g.State().Timeline
	if tl.Total == 0 {
		t.Fatal("no entry of b/web fd 4")
	}
	for _, e := range tl.Entries {
		if e.Host != "b" || !strings.Contains(e.Text, "b/web fd 4") {
			t.Errorf("b/web fd 4 chosen, the timeline lists %q", e.Text)
		}
	}
}

// TestTimelineCutsAtWords: an entry too long for two rows is cut at the
// end of a word, with an ellipsis, and the entry the town shows (the one
// clicked or stepped to) has all its rows, so its whole text can be read.
func TestTimelineCutsAtWords(t *testing.T) {
	g := newTown(t, "hello-tcp")
	area := image.Rect(0, 0, g.px(330), g.px(400))
	words := strings.Repeat("retransmission timeout doubled ", 12)
	for _, tc := range []struct {
		name string
		text string
	}{
		{name: "words", text: words},
		{name: "long word", text: "payload " + strings.Repeat("x", 200)},
		{name: "a word at the edge", text: strings.Repeat("abcdefghi ", 30)},
	} {
		e := play.TimelineEntry{Index: 41, At: 1500 * time.Millisecond, Host: "a", Proc: "browser", FD: 3, Kind: sock.KindSent, Text: tc.text}
		full := strings.Join(strings.Fields(entryText(e)), " ")
		cut := g.entryRows(e, area, false)
		if len(cut) != 2 {
			t.Fatalf("%s: %d rows, want two", tc.name, len(cut))
		}
		last := cut[1]
		if !strings.HasSuffix(last, "…") {
			t.Errorf("%s: the second row %q has no ellipsis", tc.name, last)
		}
		shown := strings.Join(strings.Fields(strings.TrimSuffix(strings.Join(cut, " "), "…")), " ")
		if !strings.HasPrefix(full, shown) {
			t.Fatalf("%s: the rows %q are not the entry's text %q", tc.name, shown, full)
		}
		if next := full[len(shown)]; next != ' ' && tc.name != "long word" {
			t.Errorf("%s: cut mid-word: %q, then %q", tc.name, last, full[len(shown):min(len(full), len(shown)+10)])
		}
		all := g.entryRows(e, area, true)
		bare := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got := strings.Join(all, " "); bare(got) != bare(full) || len(all) <= 2 {
			t.Errorf("%s: the shown entry's %d rows say %q, want the whole %q", tc.name, len(all), got, full)
		}
	}
}

// TestTheShownEntryIsWhole: on the panel, the entry the town shows is
// laid out with all its rows, the others with two at most.
func TestTheShownEntryIsWhole(t *testing.T) {
	g := newTown(t, "hello-tcp")
	stepUntil(t, g, 30)
	g.openTimeline()
	area := g.w.panelArea.GetWidget().Rect
	m := g.timelinePage(area)
	for _, e := range m.laid {
		want := g.entryRows(e.TimelineEntry, area, e.pos == m.shown)
		if !slices.Equal(e.rows, want) {
			t.Errorf("entry %d (shown %v): rows %q, want %q", e.pos, e.pos == m.shown, e.rows, want)
		}
		if e.pos != m.shown && len(e.rows) > 2 {
			t.Errorf("entry %d takes %d rows", e.pos, len(e.rows))
		}
	}
}
