package town

import (
	"fmt"
	"net/netip"

	"socketville/shared/lessons"
	"socketville/shared/town/play"
)

// A shared lesson (lessons.Lesson.Shared, lesson 11) is played in a
// shared town, with a friend. Opened in a town that is not shared, it
// loads its empty start and the panel says how to invite a friend; the
// Invite (Game.Share) keeps it open, its goal judged on the shared town.
// Opened in a shared town, the town is its start and the goal is judged
// from then on. Once a friend's road is open its YOU and FRIEND are
// bound (lessons.Lesson.Bind): YOU is this page's host, the plot that is
// "yours", and FRIEND the first friend's host the town shows. They stay
// bound when the friend leaves, and Leave the room keeps the lesson and
// what was met; Start again judges afresh from that moment, in the town
// as it is, since a shared town cannot be played again.

// inviteHow says how to get a friend into the town.
const inviteHow = "Share (top right) > Invite a friend copies a link: send it to a friend, or open it in another tab or browser to play both parts."

// keepsSharedTown reports whether opening shared lesson l keeps the town
// as it is rather than load the lesson's start: the town is shared, or
// it is the one this lesson was played in while it was.
func (g *Game) keepsSharedTown(l bookLesson) bool {
	if g.player.Shared() {
		return true
	}
	r := g.book.run
	return r != nil && r.inRoom && r.lesson.key() == l.key() && r.name == g.player.Name()
}

// keepSharedLesson keeps shared lesson run r open across a Share: the
// player now plays the shared town, under its own name, and the goal is
// judged on it from its start, with YOU and FRIEND named again once a
// friend's road opens (a new room may give this page another host).
func (g *Game) keepSharedLesson(r *lessonRun) {
	if !r.lesson.Bound.IsZero() {
		if l, ok := g.findLessonByKey(r.lesson.key()); ok {
			r.lesson = l
		}
	}
	r.name, r.inRoom, r.starting = g.player.Name(), true, false
	r.feed = newLessonFeed(r.lesson.Lesson)
	r.met, r.metAt, r.show, r.judged.gen = false, 0, nil, -1
	g.player.SetFastest(false)
	g.player.Console().Add(play.LineInfo, fmt.Sprintf("# %s goes on in the shared town: %s", capital(r.lesson.named()), g.sharedNote(r)))
	g.open(lessonPanel{key: r.lesson.key()}) // the load showed the help
}

// findLessonByKey is the list's lesson with this key, as read (unbound).
func (g *Game) findLessonByKey(key string) (bookLesson, bool) {
	for _, l := range g.lessonsAll() {
		if l.key() == key {
			return l, true
		}
	}
	return bookLesson{}, false
}

// bindShared names an open shared lesson's YOU and FRIEND once the town
// is shared and a friend's host is in it, and says so.
func (g *Game) bindShared(r *lessonRun) {
	if !r.lesson.Shared || !r.lesson.Bound.IsZero() || !g.player.Shared() {
		return
	}
	pair, ok := g.sharedPair()
	if !ok {
		return
	}
	l, err := r.lesson.Bind(pair)
	if err != nil {
		g.player.Console().Add(play.LineError, "# "+err.Error())
		return
	}
	r.lesson.Lesson = l
	r.feed.rebind(l)
	g.player.Console().Add(play.LineInfo, fmt.Sprintf("# %s: %s", capital(r.lesson.named()), g.sharedNote(r)))
	g.rebuildPanel()
}

// sharedPair is who YOU and FRIEND are in the shared town: this page's
// host (its plot is "yours") and the first friend's host the town shows,
// with their addresses.
func (g *Game) sharedPair() (lessons.Pair, bool) {
	_, plots := g.player.PeerSigns()
	if plots == nil {
		return lessons.Pair{}, false
	}
	var p lessons.Pair
	for _, h := range g.player.Snapshot().Hosts {
		whose, ok := plots[h.Name]
		addr := firstIPv4(h.Addrs)
		switch {
		case !ok || !addr.IsValid():
		case whose == "yours" && p.You == "":
			p.You, p.YouAddr = h.Name, addr
		case whose != "yours" && p.Friend == "":
			p.Friend, p.FriendAddr = h.Name, addr
		}
	}
	return p, p.You != "" && p.Friend != ""
}

// firstIPv4 is the first IPv4 address among a host's, or none.
func firstIPv4(addrs []netip.Prefix) netip.Addr {
	for _, a := range addrs {
		if a.Addr().Is4() {
			return a.Addr()
		}
	}
	return netip.Addr{}
}

// sharedNote is the panel's word on a shared lesson's friend.
func (g *Game) sharedNote(r *lessonRun) string {
	b := r.lesson.Bound
	switch {
	case !b.IsZero() && g.player.Shared():
		return fmt.Sprintf("You are %s at %v; your friend is %s at %v, across a real network path (the road's sign says its RTT and loss). The town runs in real time.", b.You, b.YouAddr, b.Friend, b.FriendAddr)
	case !b.IsZero():
		return fmt.Sprintf("You were %s at %v, your friend %s at %v. The room is left: what was met stays met; Share > Invite a friend plays it again.", b.You, b.YouAddr, b.Friend, b.FriendAddr)
	case g.player.Shared():
		return "The town is shared: waiting for a friend's road to open. Then YOU is your host and FRIEND theirs, and the lesson says their names. " + inviteHow
	}
	return "This lesson is played with a friend. " + inviteHow + " Until their road opens, YOU is your host and FRIEND theirs."
}
