package town

import (
	"strings"
	"testing"
	"time"

	"socketville/shared/p2p/peerstate"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// room is two shared towns in one process, ann's and bob's: the road
// between their hosts carries each frame from one simulator to the
// other, and each town shows the other's host from its last snapshot,
// merged as a page merges its peers' states. (Pages do the same over
// WebRTC: TestBrowserLessonWithAFriend.)
type room struct {
	frames map[string][]roomFrame // by the host they go to
	own    map[string]sock.Snapshot
	seq    uint64
}

type roomFrame struct {
	from  string
	frame []byte
}

// side is one town's place in the room: a play.Peers.
type side struct {
	r          *room
	host, peer string
}

func (s side) Take(f func(host, far string, frame []byte)) {
	for _, fr := range s.r.frames[s.host] {
		f(s.host, fr.from, fr.frame)
	}
	s.r.frames[s.host] = nil
}

func (s side) Send(host, far string, frame []byte) {
	s.r.frames[far] = append(s.r.frames[far], roomFrame{from: host, frame: append([]byte(nil), frame...)})
}

func (s side) Show(own sock.Snapshot) sock.Snapshot {
	s.r.own[s.host] = own
	other, ok := s.r.own[s.peer]
	if !ok {
		return own
	}
	s.r.seq++
	part := peerstate.Part{Seq: s.r.seq, Now: other.Now, Hosts: other.Hosts}
	return peerstate.Merge(own, []peerstate.Remote{{Peer: s.peer, Name: s.peer, Part: part,
		Roads: []peerstate.Road{{Local: s.host, Remote: s.peer, Label: "in memory"}}}}).Snapshot
}

func (s side) Signs() (roads, plots map[string]string) {
	plots = map[string]string{s.host: "yours"}
	if _, ok := s.r.own[s.peer]; ok {
		plots[s.peer] = s.peer + "'s"
	}
	return nil, plots
}

// TestLessonWithAFriend: lesson 11 opened before anyone is here says to
// invite a friend and meets nothing; the Invite keeps it open; once the
// friend's host is in the town, YOU and FRIEND are named after the two
// hosts (bob invited, ann joined: the learner is bob); the friend's
// server and the learner's lines, typed by Show me, meet the goal, and
// leaving the room keeps the lesson and what was met.
func TestLessonWithAFriend(t *testing.T) {
	store := &memProgress{}
	g := lessonTown(t, 11, store)
	s, _ := frames(g, 600, func(State) bool { return !g.player.Busy() })
	if s.Lesson == nil || s.Lesson.Number != 11 || len(s.Lesson.Checks) != 5 {
		t.Fatalf("lesson 11 did not open: %+v", s.Lesson)
	}
	if !strings.Contains(s.Lesson.Note, "Invite a friend") || s.Lesson.You != "" || s.Lesson.Met {
		t.Errorf("before a friend: note %q, you %q, met %v", s.Lesson.Note, s.Lesson.You, s.Lesson.Met)
	}
	if !strings.Contains(s.Lesson.Checks[1].Name, "host YOU connected to FRIEND:7000") {
		t.Errorf("the unbound check says %q", s.Lesson.Checks[1].Name)
	}
	g.showMe()
	if s = g.State(); s.Lesson.Showing || !strings.Contains(strings.Join(s.Console, "\n"), "# Show me types your lines once a friend's road is open") {
		t.Errorf("show me before a friend: showing %v, console ends %q", s.Lesson.Showing, s.Console[len(s.Console)-1])
	}

	r := &room{frames: map[string][]roomFrame{}, own: map[string]sock.Snapshot{}}
	if err := g.Share("shared", "host bob 10.99.0.2/16\nprocess bob app\n", side{r: r, host: "bob", peer: "ann"}, "shared with ann"); err != nil {
		t.Fatal(err)
	}
	ann, err := play.New(play.Options{Name: "shared", Source: "host ann 10.99.0.1/16\nprocess ann app\n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ann.JoinPeers(side{r: r, host: "ann", peer: "bob"}, "shared with bob"); err != nil {
		t.Fatal(err)
	}
	both := func(n int, ok func(State) bool) (State, bool) {
		return frames(g, n, func(s State) bool {
			ann.Tick(time.Second / TPS)
			ann.Snapshot()
			return ok(s)
		})
	}
	both(10, func(State) bool { return false })
	if s = g.State(); s.Lesson == nil || s.Lesson.Number != 11 || s.Selected != "lesson" || !strings.Contains(s.Lesson.Note, "waiting for a friend's road") {
		t.Fatalf("the Invite did not keep the lesson and its panel: %+v, panel %q", s.Lesson, s.Selected)
	}
	g.exec("peer bob ann 10.99.0.1")
	if err := ann.Exec("peer ann bob 10.99.0.2"); err != nil {
		t.Fatal(err)
	}
	s, ok := both(60, func(s State) bool { return s.Lesson.You != "" })
	if !ok || s.Lesson.You != "bob" || s.Lesson.Friend != "ann" || !strings.Contains(s.Lesson.Note, "You are bob at 10.99.0.2; your friend is ann at 10.99.0.1") {
		t.Fatalf("YOU and FRIEND: %q and %q, note %q", s.Lesson.You, s.Lesson.Friend, s.Lesson.Note)
	}
	if !strings.Contains(s.Lesson.Checks[1].Name, "host bob connected to 10.99.0.1:7000") {
		t.Errorf("the bound check says %q", s.Lesson.Checks[1].Name)
	}
	for _, l := range []string{"socket tcp", "bind 3 0.0.0.0:7000", "listen 3 5", "accept 3", "recv 4 100", `send 4 "hello from ann"`} {
		if err := ann.Exec("ann/app: " + l); err != nil {
			t.Fatal(err)
		}
	}
	// Show me types the learner's lines, named for bob, into the
	// shared town as it is.
	g.showMe()
	s, ok = both(3000, metOf)
	if !ok {
		t.Fatalf("the goal is not met: %+v\nconsole ends %q", s.Lesson.Checks, s.Console[max(len(s.Console)-10, 0):])
	}
	console := strings.Join(s.Console, "\n")
	if !strings.Contains(console, "$ bob/app: connect 3 10.99.0.1:7000") || !strings.Contains(console, `"hello from ann"`) {
		t.Errorf("show me did not type bob's connect, or bob did not read ann's answer:\n%s", console)
	}
	if !strings.Contains(console, "# Goal met: lesson 11, You and a friend.") || !store.p.HasMet(11) {
		t.Errorf("met, but the console or the progress does not say so: %v", store.p)
	}
	g.Unshare("you left the room")
	s, _ = frames(g, 30, func(State) bool { return false })
	if s.Lesson == nil || s.Lesson.Number != 11 || !s.Lesson.Met || !strings.Contains(s.Lesson.Note, "The room is left") {
		t.Errorf("after leaving the room: %+v", s.Lesson)
	}
	// Start again keeps the town that was shared, and judges from now.
	events := g.player.EventCount()
	g.startAgain()
	s, _ = frames(g, 30, func(State) bool { return false })
	if g.player.Name() != "shared" || g.player.EventCount() < events || s.Lesson == nil || s.Lesson.Number != 11 || s.Lesson.Met || s.Lesson.You != "bob" {
		t.Errorf("Start again after the room: town %q with %d events (had %d), lesson %+v", g.player.Name(), g.player.EventCount(), events, s.Lesson)
	}
}

// TestLessonOpenedInASharedTown: lesson 11 opened from the list in a town
// that is shared already (a friend's link) takes the town as its start,
// and names YOU and FRIEND at once.
func TestLessonOpenedInASharedTown(t *testing.T) {
	g := lessonTown(t, 0, &memProgress{})
	r := &room{frames: map[string][]roomFrame{}, own: map[string]sock.Snapshot{}}
	if err := g.Share("shared", "host bob 10.99.0.2/16\nprocess bob app\n", side{r: r, host: "bob", peer: "ann"}, "shared with ann"); err != nil {
		t.Fatal(err)
	}
	ann, err := play.New(play.Options{Name: "shared", Source: "host ann 10.99.0.1/16\nprocess ann app\n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ann.JoinPeers(side{r: r, host: "ann", peer: "bob"}, "shared with bob"); err != nil {
		t.Fatal(err)
	}
	g.exec("peer bob ann 10.99.0.1")
	g.startLesson(11)
	s, ok := frames(g, 60, func(s State) bool {
		ann.Tick(time.Second / TPS)
		ann.Snapshot()
		return s.Lesson != nil && s.Lesson.You != ""
	})
	if !ok || g.player.Name() != "shared" || s.Lesson.You != "bob" || s.Lesson.Friend != "ann" || s.Lesson.Met || s.Selected != "lesson" {
		t.Fatalf("lesson 11 in a shared town: town %q, lesson %+v, panel %q", g.player.Name(), s.Lesson, s.Selected)
	}
}
