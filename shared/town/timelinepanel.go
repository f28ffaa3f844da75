package town

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"

	"github.com/ebitenui/ebitenui/widget"
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// The timeline panel: every event of the story with its time and what it
// was, like Packet Tracer's event list, filtered by host, socket and kind,
// the event the town shows lit. A click on an entry takes the town to just
// after it; PageUp and PageDown a page of entries back and forward, Home to
// the start and End to the newest; the slider scrubs anywhere between.
// Going there is the town's navigation (the player replays the recorded
// story up to that event), not a shell line: the console says where it
// went as a comment, and a scenario replaying the shell lines never sees
// it.

// timelinePanel is the timeline; what it keeps (the filter, the scroll)
// is the Game's timeline, so that it is there again when reopened.
type timelinePanel struct{}

// timelineView is the timeline's filter and scroll.
type timelineView struct {
	host string // "" for every host
	// sock is the socket chosen, "host/proc fd N"; "" for every one.
	sock string
	kind int // index in kindGroups; 0 is every kind
	// first is the filtered position of the list's top entry while
	// pinned (the learner scrolled it, or clicked in it); unpinned, the
	// list follows the event the town shows.
	first  int
	pinned bool
	memo   *timelineMemo
}

// timelineMemo is the page of entries last asked of the player, kept
// while neither the filter, the scroll nor the history changed: the
// player's list may be 100,000 events long, and the panel is asked every
// frame.
type timelineMemo struct {
	key   timelineKey
	laid  []laidEntry // the entries on screen
	total int
	first int // the filtered position of laid[0]
	shown int // the filtered position of the event the town shows, -1 for none
}

type timelineKey struct {
	host, sock   string
	kind, first  int
	pinned       bool
	area         image.Rectangle
	count, index int
}

// kindGroup is a choice of the kind filter: a name and the event kinds
// it lets through (nil: all).
type kindGroup struct {
	name  string
	kinds []sock.Kind
}

// kindGroups are the kind filter's choices, in the chooser's order.
var kindGroups = []kindGroup{
	{name: "all"},
	{name: "calls", kinds: []sock.Kind{sock.KindSocket, sock.KindBind, sock.KindListen, sock.KindConnect, sock.KindAccept, sock.KindPoll, sock.KindShutdown, sock.KindClose}},
	{name: "states", kinds: []sock.Kind{sock.KindState}},
	{name: "packets", kinds: []sock.Kind{sock.KindSent, sock.KindDelivered, sock.KindDropped, sock.KindForwarded}},
	{name: "data", kinds: []sock.Kind{sock.KindData}},
	{name: "drops, errors", kinds: []sock.Kind{sock.KindDropped, sock.KindError}},
	{name: "ARP, switches", kinds: []sock.Kind{sock.KindNeigh, sock.KindFDB}},
}

// filter is the view's filter as the player takes it.
func (v timelineView) filter() play.TimelineFilter {
	f := play.TimelineFilter{Host: v.host, FD: -1, Kinds: kindGroups[v.kind].kinds}
	if v.sock != "" {
		var fd int
		who, _, _ := strings.Cut(v.sock, " fd ")
		f.Host, f.Proc, _ = strings.Cut(who, "/")
		if _, err := fmt.Sscanf(v.sock[len(who):], " fd %d", &fd); err == nil {
			f.FD = fd
		}
	}
	return f
}

// openTimeline shows the timeline, following the event the town shows.
func (g *Game) openTimeline() {
	g.timeline.pinned = false
	g.open(timelinePanel{})
}

func (timelinePanel) title(g *Game) string {
	if g.player.EventCount() == 0 {
		return "Timeline: nothing has happened yet"
	}
	return fmt.Sprintf("Timeline: %s, the town at event %d", plural(g.player.EventCount(), "event", "events"), g.player.EventIndex())
}

// build puts the filter's three choosers in the tabs' row, and the
// scrub slider in the actions' row.
func (p timelinePanel) build(g *Game, tabs, actions *widget.Container) {
	v := &g.timeline
	hosts, socks := g.timelineChoices()
	tabs.AddChild(g.chooser("host", v.host, hosts, func(s string) { v.host, v.sock = s, "" }))
	tabs.AddChild(g.chooser("socket", v.sock, socks, func(s string) { v.sock = s }))
	names := make([]string, len(kindGroups))
	for i, k := range kindGroups[1:] {
		names[i+1] = k.name
	}
	tabs.AddChild(g.chooser("kind", names[v.kind], names, func(s string) { v.kind = max(slices.Index(names, s), 0) }))
	w := g.w
	w.scrub = nil // until there is an event to scrub to (update)
	if g.player.EventCount() == 0 {
		return
	}
	w.scrubShown = g.player.EventIndex()
	w.scrub = widget.NewSlider(
		widget.SliderOpts.Direction(widget.DirectionHorizontal),
		widget.SliderOpts.MinMax(0, max(g.player.EventCount(), 1)),
		widget.SliderOpts.InitialCurrent(w.scrubShown),
		widget.SliderOpts.PageSizeFunc(func() int { return max(g.player.EventCount()/20, 1) }),
		widget.SliderOpts.WidgetOpts(widget.WidgetOpts.MinSize(g.px(g.panelWidth()-40), g.px(20))),
		widget.SliderOpts.ChangedHandler(func(e *widget.SliderChangedEventArgs) {
			if e.Dragging || e.Current == w.scrubShown {
				return // being dragged, or put where the town is (update)
			}
			w.scrubShown = e.Current
			g.jumpTo(e.Current)
		}),
	)
	w.sliderNames[w.scrub] = "timeline"
	actions.AddChild(w.scrub)
}

// chooser is a button that steps through choices ("" is "all") at each
// click, saying the one in force: "host: b".
func (g *Game) chooser(what, now string, choices []string, set func(string)) *widget.Button {
	label := now
	if label == "" {
		label = "all"
	}
	return g.button(what+": "+label, func() {
		i := slices.Index(choices, now)
		set(choices[(i+1)%len(choices)])
		g.timeline.pinned = false
		g.rebuildPanel()
	})
}

// timelineChoices are the host and socket filters' choices: every one the
// town has now, after "" for all, and the one chosen even if it is gone.
func (g *Game) timelineChoices() (hosts, socks []string) {
	v := g.timeline
	hosts, socks = []string{""}, []string{""}
	for _, h := range g.player.Snapshot().Hosts {
		hosts = append(hosts, h.Name)
	}
	// Every socket the story has had, closed ones too: their events are
	// still on the timeline.
	for _, s := range g.timelineSockets() {
		if v.host == "" || strings.HasPrefix(s, v.host+"/") {
			socks = append(socks, s)
		}
	}
	if !slices.Contains(hosts, v.host) {
		hosts = append(hosts, v.host)
	}
	if !slices.Contains(socks, v.sock) {
		socks = append(socks, v.sock)
	}
	return hosts, socks
}

// socketsSeen are the sockets the timeline's entries name, gathered as
// the entries come ("host/proc fd N").
type socketsSeen struct {
	seen int // entries looked at
	set  map[string]bool
}

// timelineSockets are the sockets the timeline names, in order; it reads
// only the entries that came since it was last asked (all again after a
// recorded future was cut, or another scenario loaded).
func (g *Game) timelineSockets() []string {
	ss := &g.timelineSocks
	if n := g.player.EventCount(); n < ss.seen || ss.set == nil {
		*ss = socketsSeen{set: map[string]bool{}}
	}
	entries, _ := g.player.Timeline(play.AllEvents(), ss.seen, g.player.EventCount()-ss.seen)
	for _, e := range entries {
		if e.Proc != "" && e.FD > 0 {
			ss.set[fmt.Sprintf("%s/%s fd %d", e.Host, e.Proc, e.FD)] = true
		}
	}
	ss.seen += len(entries)
	out := make([]string, 0, len(ss.set))
	for s := range ss.set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// colZebra is every other timeline entry's ground.
var colZebra = color.RGBA{0x24, 0x29, 0x31, 0xff}

// timelineRowH is an entry's row's height in CSS pixels.
const timelineRowH = 17

// laidEntry is an entry as the panel lays it out: its rows of text (a
// second when the first does not hold it all), its filtered position,
// and where it is drawn, in device pixels.
type laidEntry struct {
	play.TimelineEntry
	pos  int
	rows []string
	y, h float64
}

// timelinePage is the page of entries the panel shows in area, laid
// out: from the learner's scroll, or round the event the town shows.
func (g *Game) timelinePage(area image.Rectangle) *timelineMemo {
	v := &g.timeline
	key := timelineKey{host: v.host, sock: v.sock, kind: v.kind, first: v.first, pinned: v.pinned, area: area,
		count: g.player.EventCount(), index: g.player.EventIndex()}
	if v.memo != nil && v.memo.key == key {
		return v.memo
	}
	f := v.filter()
	_, total := g.player.Timeline(f, 0, 0)
	m := &timelineMemo{key: key, total: total, shown: g.shownPos(f, total)}
	v.memo = m
	rowH := timelineRowH * g.scale
	room := float64(area.Dy()-g.px(8)) - 16*g.scale // above the "N-M of T" line
	maxRows := max(int(room/rowH), 1)
	first := v.first
	if !v.pinned {
		// The shown event a third of the way down, so what led to it
		// and what comes next are both in sight; at the newest, at the
		// bottom. Entries may take two rows: count back by their heights.
		before, _ := g.player.Timeline(f, max(m.shown-maxRows, 0), min(m.shown+1, maxRows+1))
		budget := room * 2 / 3
		if m.shown == total-1 {
			budget = room
		}
		first = m.shown
		for i := len(before) - 1; i >= 0; i-- {
			pos := m.shown - (len(before) - 1 - i)
			budget -= g.entryHeight(before[i], area, pos == m.shown)
			if budget < 0 {
				break
			}
			first = pos
		}
	}
	first = max(min(first, total-1), 0)
	entries, _ := g.player.Timeline(f, first, maxRows)
	y := float64(area.Min.Y + g.px(8))
	for i, e := range entries {
		rows := g.entryRows(e, area, first+i == m.shown)
		h := float64(len(rows)) * rowH
		if y+h > float64(area.Min.Y+g.px(8))+room && len(m.laid) > 0 {
			break
		}
		m.laid = append(m.laid, laidEntry{TimelineEntry: e, pos: first + i, rows: rows, y: y, h: h})
		y += h
	}
	m.first = first
	return m
}

// entryRows are the rows an entry takes in area: one, or two when it is
// wider than the panel, the second cut at a word with an ellipsis; all of
// them when full (the entry the town shows: the learner clicked it, or
// stepped to it), so that every entry's whole text can be read.
func (g *Game) entryRows(e play.TimelineEntry, area image.Rectangle, full bool) []string {
	cols := int(float64(area.Dx()-g.px(16)) / g.textWidthMono("m", 12*g.scale))
	rows := wrapMono(entryText(e), cols)
	if len(rows) > 2 && !full {
		rest := make([]string, 0, len(rows)-1)
		for _, r := range rows[1:] {
			rest = append(rest, strings.TrimSpace(r))
		}
		rows = []string{rows[0], clipWords("  "+strings.Join(rest, " "), cols)}
	}
	return rows
}

// entryHeight is how tall an entry is drawn in area.
func (g *Game) entryHeight(e play.TimelineEntry, area image.Rectangle, full bool) float64 {
	return float64(len(g.entryRows(e, area, full))) * timelineRowH * g.scale
}

// shownPos is the filtered position of the newest entry that has
// happened in the town as it is shown, -1 for none: a binary search, the
// entries being in the order they happened.
func (g *Game) shownPos(f play.TimelineFilter, total int) int {
	idx := g.player.EventIndex()
	if idx >= g.player.EventCount() {
		return total - 1 // at the head every entry has happened
	}
	lo, hi := 0, total
	for lo < hi {
		mid := (lo + hi) / 2
		if e, _ := g.player.Timeline(f, mid, 1); len(e) == 1 && e[0].Index < idx {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

func (timelinePanel) draw(g *Game, dst *ebiten.Image, area image.Rectangle) {
	x, y := float64(area.Min.X+g.px(8)), float64(area.Min.Y+g.px(8))
	size := 12 * g.scale
	if g.player.EventCount() == 0 {
		msg := "No event yet: Step or Play, and each event the town shows comes here, to go back to."
		if why := backRefusal(g.player); why != "" {
			msg = why
		}
		for _, l := range g.wrap(msg, size, float64(area.Dx()-g.px(16))) {
			g.text(dst, l, x, y, size, colDim, false, alignLeft)
			y += 17 * g.scale
		}
		return
	}
	m := g.timelinePage(area)
	laid := m.laid
	if m.total == 0 {
		g.text(dst, "No event passes this filter.", x, y, size, colDim, false, alignLeft)
		return
	}
	rowH := timelineRowH * g.scale
	for _, e := range laid {
		ink := colDim
		if e.Index < g.player.EventIndex() {
			ink = colText // it has happened in the town shown
		}
		switch {
		case e.pos == m.shown:
			fillRect(dst, float64(area.Min.X), e.y-2*g.scale, float64(area.Dx()), e.h, colHighlight)
			ink = colInk
		case e.pos%2 == 1:
			// Every other entry on a lighter ground, so that an entry's
			// second row reads as its own, not as the next entry.
			fillRect(dst, float64(area.Min.X), e.y-2*g.scale, float64(area.Dx()), e.h, colZebra)
		}
		for i, r := range e.rows {
			g.text(dst, r, x, e.y+float64(i)*rowH, size, ink, true, alignLeft)
		}
	}
	if len(laid) > 0 && (m.total > len(laid)) {
		note := fmt.Sprintf("%d-%d of %d", laid[0].pos+1, laid[len(laid)-1].pos+1, m.total)
		g.text(dst, note, float64(area.Max.X-g.px(8)), float64(area.Max.Y)-14*g.scale, 11*g.scale, colDim, false, alignRight)
	}
}

// entryText is an entry's row: its number (from 1), its time in
// seconds, where it happened, its kind and what it was.
func entryText(e play.TimelineEntry) string {
	where := e.Host
	if e.Proc != "" {
		where += "/" + e.Proc
	}
	if e.FD > 0 {
		where += fmt.Sprintf(" fd %d", e.FD)
	}
	return fmt.Sprintf("%4d %8.3fs %s %s %s", e.Index+1, e.At.Seconds(), where, e.Kind, e.Text)
}

// clipWords cuts s to cols characters at the end of a word, with an
// ellipsis; mid-word only when the word is longer than half the room.
func clipWords(s string, cols int) string {
	r := []rune(s)
	if cols < 2 || len(r) <= cols {
		return s
	}
	cut := cols - 1 // room for the ellipsis
	for k := cut; k > cols/2; k-- {
		if r[k] == ' ' && r[k-1] != ' ' {
			return string(r[:k]) + "…"
		}
	}
	return string(r[:cut]) + "…"
}

// textWidthMono is how wide s is drawn at size in the mono face.
func (g *Game) textWidthMono(s string, size float64) float64 {
	return text.Advance(s, g.fonts.face(size, true))
}

// update builds the panel again when its title moved on (a new event, or
// the town taken elsewhere), and puts the slider where the town is.
func (p timelinePanel) update(g *Game) (panel, bool) {
	w := g.w
	if w.scrub != nil && (w.scrubShown != g.player.EventIndex() || w.scrub.Max != max(g.player.EventCount(), 1)) {
		w.scrubShown = g.player.EventIndex()
		w.scrub.Max = max(g.player.EventCount(), 1)
		w.scrub.Current = w.scrubShown
	}
	// The title counts the events: it changes with each one, so it is
	// set in place rather than by building the panel again every frame
	// a story plays. The first event brings the slider: that builds it.
	title := p.title(g)
	rebuild := w.scrub == nil && g.player.EventCount() > 0
	if title != w.title.Label && !rebuild {
		w.title.Label = title
	}
	return p, rebuild
}

// look: the list changes with the events, and with the learner's filter
// and scroll.
func (timelinePanel) look(g *Game) panelLook {
	v := g.timeline
	v.memo = nil
	return panelLook{gen: g.player.EventIndex(), events: g.player.EventCount(), of: v}
}

// click jumps the town to just after the entry clicked.
func (timelinePanel) click(g *Game, pt image.Point) {
	m := g.timelinePage(g.w.panelArea.GetWidget().Rect)
	for _, e := range m.laid {
		if y := float64(pt.Y) + 2*g.scale; y >= e.y && y < e.y+e.h {
			g.timeline.first, g.timeline.pinned = m.first, true // the list stays where it is under the mouse
			g.jumpTo(e.Index + 1)
			return
		}
	}
}

// wheel scrolls the list three entries a notch.
func (timelinePanel) wheel(g *Game, steps int, _ image.Point) {
	m := g.timelinePage(g.w.panelArea.GetWidget().Rect)
	g.timeline.first, g.timeline.pinned = max(min(m.first-3*steps, m.total-1), 0), true
}

// keys scrub while the timeline is open: PageUp and PageDown a page of
// entries back and forward, Home to the start, End to the newest.
func (timelinePanel) keys(g *Game) bool {
	m := g.timelinePage(g.w.panelArea.GetWidget().Rect)
	page := max(len(m.laid)-1, 1)
	to := -1
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeyPageUp):
		to = max(m.shown-page, -1)
	case inpututil.IsKeyJustPressed(ebiten.KeyPageDown):
		to = min(m.shown+page, m.total-1)
	case inpututil.IsKeyJustPressed(ebiten.KeyHome):
		g.timeline.pinned = false
		g.jumpTo(0)
		return true
	case inpututil.IsKeyJustPressed(ebiten.KeyEnd):
		g.timeline.pinned = false
		g.jumpTo(g.player.EventCount())
		return true
	default:
		return false
	}
	g.timeline.pinned = false
	if to < 0 {
		g.jumpTo(0)
		return true
	}
	f := g.timeline.filter()
	if e, _ := g.player.Timeline(f, to, 1); len(e) == 1 {
		g.jumpTo(e[0].Index + 1)
	}
	return true
}

func (p timelinePanel) state(g *Game, s *State) {
	s.Selected = "timeline"
	area := g.w.panelArea.GetWidget().Rect
	v := g.timeline
	ts := &TimelineState{Host: v.host, Socket: v.sock, Kind: kindGroups[v.kind].name}
	if g.player.EventCount() > 0 {
		m := g.timelinePage(area)
		ts.Total, ts.First, ts.Shown = m.total, m.first, m.shown
		for _, e := range m.laid {
			ts.Entries = append(ts.Entries, TimelineRow{Index: e.Index, AtNS: int64(e.At), Host: e.Host, Kind: e.Kind.String(), Text: entryText(e.TimelineEntry),
				Lit: e.pos == m.shown, Box: g.css(float64(area.Min.X), e.y-2*g.scale, float64(area.Dx()), e.h)})
		}
	}
	s.Timeline = ts
}

// TimelineState is the timeline panel as it is drawn: the filter, how
// many entries pass it, which of them are on screen and which one is the
// event the town shows.
type TimelineState struct {
	Host   string `json:"host"`   // "" for all
	Socket string `json:"socket"` // "host/proc fd N", "" for all
	Kind   string `json:"kind"`   // the kind filter's name, "all" for all
	Total  int    `json:"total"`  // entries that pass the filter
	First  int    `json:"first"`  // the filtered position of Entries[0]
	// Shown is the filtered position of the event the town shows (the
	// newest that has happened), -1 before the first.
	Shown   int           `json:"shown"`
	Entries []TimelineRow `json:"entries"`
}

// TimelineRow is an entry of the timeline where it is drawn.
type TimelineRow struct {
	Index int    `json:"index"` // in the whole history, from 0
	AtNS  int64  `json:"at_ns"`
	Host  string `json:"host"`
	Kind  string `json:"kind"`
	Text  string `json:"text"` // as drawn, before it is cut to the panel's width
	Lit   bool   `json:"lit"`  // the event the town shows
	Box   Box    `json:"box"`
}
