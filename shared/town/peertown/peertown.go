// Package peertown is a shared town's side of its peers: it joins a room
// of the signaling hub (shared/p2p/mesh), names this page's host and its
// address after its place in the room, tells the peers what its host is
// like (shared/p2p/peerstate) and learns theirs, types the peer lines
// that give the host a road to each peer's host as they come and go, and
// is the play.Peers that carries the roads' frames. The browser and the
// native join share it.
package peertown

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"socketville/shared/p2p/mesh"
	"socketville/shared/p2p/peerstate"
	"socketville/shared/p2p/signal"
	"socketville/shared/sock"
	"socketville/shared/town/play"
)

// Options say which room to join and as whom.
type Options struct {
	// Mesh is how to reach the hub and the room: Room empty invites,
	// a new room. Its Name is the host's name when it is one a host
	// may have; else the host is named after the peer's place.
	Mesh mesh.Options
	// StateEvery is how often the host's state goes to the peers
	// (250 ms).
	StateEvery time.Duration
}

// Town is one page's place in a shared town. Drive it from the frame
// loop; its play.Peers methods are called from the player's.
type Town struct {
	m       *mesh.Mesh
	host    string
	addr    netip.Addr
	every   time.Duration
	peers   map[signal.PeerID]*peer
	order   []signal.PeerID
	byHost  map[string]*peer
	lines   []string // peer lines for the player to type
	notes   []string // what happened, for the console
	seq     uint64
	own     sock.Snapshot
	sentAt  time.Time
	unknown int // frames from a peer whose host is not known yet
	// roadSigns and plotSigns are what Show worked out for Signs;
	// saidLeftOut what of the peers' parts the console was told it
	// left out.
	roadSigns, plotSigns map[string]string
	saidLeftOut          map[string]bool
}

// peer is another page of the room.
type peer struct {
	id   signal.PeerID
	name string
	host string // its host's name, from its first state
	addr netip.Addr
	part peerstate.Part
	road bool // the peer line is typed
	gone bool
	info mesh.PeerInfo
}

// silentAfter is how long a road may hear nothing from its peer.
const silentAfter = 15 * time.Second

// Prefix is the subnet of a shared town's hosts: 10.99.0.0/16, a host's
// address made from its peer's number in the room (p1 is 10.99.0.1).
var Prefix = netip.MustParsePrefix("10.99.0.0/16")

// Join joins the room (or makes one) and returns once the hub has
// welcomed this page.
func Join(ctx context.Context, o Options) (*Town, error) {
	if o.Mesh.Road.SilentAfter <= 0 {
		// A page that draws the town in software can keep its
		// messages waiting for seconds: a road is given up on, and
		// relayed, only after this long without a word.
		o.Mesh.Road.SilentAfter = silentAfter
	}
	m, err := mesh.Join(ctx, o.Mesh)
	if err != nil {
		return nil, err
	}
	addr, err := addrOf(m.You())
	if err != nil {
		m.Close()
		return nil, err
	}
	t := &Town{m: m, addr: addr, host: hostName(o.Mesh.Name, m.You()), every: o.StateEvery,
		peers: map[signal.PeerID]*peer{}, byHost: map[string]*peer{}, saidLeftOut: map[string]bool{}}
	if t.every <= 0 {
		t.every = 250 * time.Millisecond
	}
	return t, nil
}

// addrOf is the address of peer id's host: its number in the room as the
// low 16 bits of Prefix.
func addrOf(id signal.PeerID) (netip.Addr, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(id), "p"))
	if err != nil || n < 1 || n > 65534 {
		return netip.Addr{}, fmt.Errorf("shared town: the hub named this page %q, which gives no host address: %w", id, sock.ErrInval)
	}
	b := Prefix.Addr().As4()
	b[2], b[3] = byte(n>>8), byte(n)
	return netip.AddrFrom4(b), nil
}

// names are the hosts' names of a room's first peers, by number.
var names = []string{"ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lou"}

var hostRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// hostName is the name of this page's host: the one asked for when a
// host may be called so, else one after its number in the room.
func hostName(asked string, id signal.PeerID) string {
	if a := strings.ToLower(strings.TrimSpace(asked)); hostRE.MatchString(a) {
		return a
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(string(id), "p"))
	if n >= 1 && n <= len(names) {
		return names[n-1]
	}
	return "h" + strconv.Itoa(n)
}

// Room is the room's id, You this page's id in it.
func (t *Town) Room() signal.RoomID { return t.m.Room() }

// You is this page's id in the room.
func (t *Town) You() signal.PeerID { return t.m.You() }

// Host is this page's host's name, Addr its address.
func (t *Town) Host() string { return t.host }

// Addr is this page's host's address.
func (t *Town) Addr() netip.Addr { return t.addr }

// Scenario is the town a page starts sharing with: its own host, with a
// house to make calls from.
func (t *Town) Scenario() string {
	return fmt.Sprintf("# A shared town: your host is %s at %v; each friend who joins brings a host of their own,\n# and the road to it is a WebRTC data channel.\nhost %s %v/16\nprocess %s app\n",
		t.host, t.addr, t.host, t.addr, t.host)
}

// Drive is the frame loop's part, before the player's tick: what the mesh
// heard (peers coming, roads opening, peers leaving), the peers' states,
// the peer lines that follow, typed into p, and this host's state to the
// peers every StateEvery.
func (t *Town) Drive(p *play.Player, now time.Time) {
	for _, e := range t.m.Events() {
		t.event(e)
	}
	t.m.DrainState(func(id signal.PeerID, b []byte) { t.state(id, b) })
	for _, l := range t.lines {
		if err := p.Exec(l); err != nil {
			t.notes = append(t.notes, fmt.Sprintf("%s: %v", l, err))
		}
	}
	t.lines = t.lines[:0]
	for _, n := range t.notes {
		p.Console().Add(play.LineInfo, "# "+n)
	}
	t.notes = t.notes[:0]
	for _, i := range t.m.Peers() {
		if pp := t.peers[i.ID]; pp != nil {
			pp.info = i
		}
	}
	if now.Sub(t.sentAt) >= t.every {
		t.sentAt = now
		t.sendState()
	}
}

// event is one thing the mesh heard.
func (t *Town) event(e mesh.Event) {
	pp := t.peers[e.Peer]
	switch e.Kind {
	case mesh.EventJoined:
		if pp == nil {
			pp = &peer{id: e.Peer, name: e.Name}
			t.peers[e.Peer] = pp
			t.order = append(t.order, e.Peer)
		}
		t.notes = append(t.notes, fmt.Sprintf("%s joined the room; the road to them is being set up", who(pp)))
	case mesh.EventOpen:
		if pp != nil {
			how := "a WebRTC data channel"
			if t.viaServer(e.Peer) {
				how = "via the server (this page has one WebRTC road, to the server, which passes the frames on)"
			}
			t.notes = append(t.notes, fmt.Sprintf("the road to %s is open: %s", who(pp), how))
			t.sendState()
		}
	case mesh.EventRelayed:
		if pp != nil {
			t.notes = append(t.notes, fmt.Sprintf("the road to %s goes through the hub instead of a data channel (relayed): %v", who(pp), t.whyRelayed(e.Peer)))
			t.sendState()
		}
	case mesh.EventHubGone:
		t.notes = append(t.notes, fmt.Sprintf("the hub is gone (%v): the roads that are open go on, but no one new can join", e.Err))
	case mesh.EventLeft:
		if pp == nil || pp.gone {
			return
		}
		pp.gone = true
		// Leaving is no reset of anyone's connection: a socket to the
		// friend's host learns it as TCP does, from the road gone quiet.
		why := " (their page left or closed)"
		if e.Err != nil && !errors.Is(e.Err, mesh.ErrLeft) {
			why = " (" + e.Err.Error() + ")"
		}
		t.notes = append(t.notes, fmt.Sprintf("%s left the room%s", who(pp), why))
		if pp.road {
			t.lines = append(t.lines, fmt.Sprintf("peer %s %s gone", t.host, pp.host))
		}
	}
}

// whyRelayed says why a peer's road is relayed, as the mesh knows it.
func (t *Town) whyRelayed(id signal.PeerID) error {
	for _, i := range t.m.Peers() {
		if i.ID == id && i.Err != nil {
			return i.Err
		}
	}
	return errors.New("no data channel opened in time")
}

// viaServer says whether the road to a peer goes by the server's router.
func (t *Town) viaServer(id signal.PeerID) bool {
	for _, i := range t.m.Peers() {
		if i.ID == id {
			return i.Star
		}
	}
	return false
}

// who names a peer for people.
func who(pp *peer) string {
	if pp.host != "" {
		return pp.host
	}
	return hostName(pp.name, pp.id) // what its page will call its host
}

// state takes a peer's state: the first one names its host, and the peer
// line follows.
func (t *Town) state(id signal.PeerID, b []byte) {
	pp := t.peers[id]
	if pp == nil || pp.gone {
		return
	}
	part, err := peerstate.Decode(b)
	if err != nil {
		t.notes = append(t.notes, fmt.Sprintf("%s sent a state this page cannot read, left out: %v", who(pp), err))
		return
	}
	if part.Seq <= pp.part.Seq && pp.host != "" {
		return // an older one
	}
	pp.part = part
	if pp.host != "" || len(part.Hosts) == 0 {
		return
	}
	h := part.Hosts[0]
	addr, ok := hostAddr(h)
	switch {
	case !ok:
		t.notes = append(t.notes, fmt.Sprintf("%s's host %s has no address in %v: no road to it", who(pp), h.Name, Prefix))
		return
	case h.Name == t.host || t.byHost[h.Name] != nil:
		t.notes = append(t.notes, fmt.Sprintf("%s's host is called %s, as one in this town already is: no road to it", who(pp), h.Name))
		return
	}
	pp.host, pp.addr = h.Name, addr
	t.byHost[h.Name] = pp
	pp.road = true
	t.lines = append(t.lines, fmt.Sprintf("peer %s %s %v", t.host, pp.host, addr))
}

// hostAddr is a peer's host's address in Prefix.
func hostAddr(h sock.HostState) (netip.Addr, bool) {
	for _, a := range h.Addrs {
		if Prefix.Contains(a.Addr()) {
			return a.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// sendState tells the peers what this page's host is like now.
func (t *Town) sendState() {
	var hosts []sock.HostState
	for _, h := range t.own.Hosts {
		if h.Name == t.host {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		return
	}
	t.seq++
	b, err := peerstate.Encode(peerstate.Part{Seq: t.seq, Now: t.own.Now, Hosts: hosts})
	if err != nil {
		return // too big even trimmed: the peers keep the last one
	}
	_ = t.m.SendState(b) // a peer whose road is not open gets the next one
}

// Take hands the player the frames that came from the peers' hosts.
func (t *Town) Take(f func(host, far string, frame []byte)) {
	t.m.Drain(func(id signal.PeerID, frame []byte) {
		pp := t.peers[id]
		if pp == nil || !pp.road || pp.gone {
			t.unknown++ // before its state named its host: TCP sends again
			return
		}
		f(t.host, pp.host, frame)
	})
}

// Send carries a frame of this page's host to a peer's.
func (t *Town) Send(host, far string, frame []byte) {
	if pp := t.byHost[far]; pp != nil && !pp.gone {
		_ = t.m.Send(pp.id, frame) // a drop is counted by the road: the loss TCP sees
	}
}

// Show is the town with the peers' hosts and the roads to them.
func (t *Town) Show(own sock.Snapshot) sock.Snapshot {
	t.own = own
	var remotes []peerstate.Remote
	for _, id := range t.order {
		pp := t.peers[id]
		if pp.host == "" || pp.gone {
			continue
		}
		name := pp.name
		if name == "" {
			name = pp.host
		}
		remotes = append(remotes, peerstate.Remote{Peer: string(id), Name: name, Part: pp.part,
			Roads: []peerstate.Road{{Local: t.host, Remote: pp.host, Label: label(pp.info), RTT: pp.info.Stats.RTT}}})
	}
	m := peerstate.Merge(own, remotes)
	t.roadSigns, t.plotSigns = m.Labels, map[string]string{t.host: "yours"}
	for h, whose := range m.Owners {
		t.plotSigns[h] = whose + "'s"
	}
	for _, l := range m.LeftOut {
		if !t.saidLeftOut[l] {
			t.saidLeftOut[l] = true
			t.notes = append(t.notes, "left out of the town: "+l)
		}
	}
	return m.Snapshot
}

// Signs are the roads' labels and whose each plot is (see play.Peers).
func (t *Town) Signs() (roads, plots map[string]string) { return t.roadSigns, t.plotSigns }

// label is what a road's sign says: how it goes, its round trip and loss
// (by the server's router, those of this page's road to the router).
func label(i mesh.PeerInfo) string {
	how := "WebRTC"
	switch {
	case i.Relayed:
		how = "relayed"
	case i.Star:
		how = "via the server"
	}
	s := how
	if i.Stats.RTT > 0 {
		s += fmt.Sprintf(" · RTT %s", roundRTT(i.Stats.RTT))
	}
	if i.Stats.Loss >= 0 {
		s += fmt.Sprintf(" · loss %.0f%%", i.Stats.Loss*100)
	}
	return s
}

func roundRTT(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// Peer is one of the room's other pages, as Peers lists it.
type Peer struct {
	ID         signal.PeerID
	Name, Host string
	Label      string // the road's sign: "WebRTC · RTT 1.2 ms · loss 0%", "via the server · ...", "relayed"
	Gone       bool
}

// Peers lists the room's other pages, in the order they came.
func (t *Town) Peers() []Peer {
	var out []Peer
	for _, id := range t.order {
		pp := t.peers[id]
		out = append(out, Peer{ID: id, Name: pp.name, Host: pp.host, Label: label(pp.info), Gone: pp.gone})
	}
	return out
}

// Close leaves the room.
func (t *Town) Close() error { return t.m.Close() }

var _ play.Peers = (*Town)(nil)
