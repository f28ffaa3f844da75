package play

import (
	"errors"
	"time"

	"socketville/shared/sock"
)

// A shared town: this page's hosts run on its own simulator, and their
// roads to the hosts of peers' towns ("peer" lines) are data channels.
// Peers cannot wait for a town to think, so while peers are joined the
// town runs in real time: virtual time is the wall's, the pace is 1x, no
// quiet stretch is skipped, and it can neither pause, hurry nor go back.
// What came from the peers is recorded (an arrival op), so once they are
// gone the town goes back over its story, and a saved session replays
// it, with no peer there.

// Peers is a shared town's side of its roads: the frames that came from
// peers, where the frames its hosts send go, and what the town shows of
// the peers' hosts.
type Peers interface {
	// Take hands every frame that came since the last call, in order:
	// on host's road from far. It must not block.
	Take(f func(host, far string, frame []byte))
	// Send carries a frame host sent on its road to far, a copy the
	// peer may keep. It is called from inside the runner's move and
	// must neither block nor call the player.
	Send(host, far string, frame []byte)
	// Show is what the town shows: the snapshot of this town's own
	// hosts, with the peers' hosts and the roads to them added.
	Show(own sock.Snapshot) sock.Snapshot
	// Signs are the words the town puts on what Show added: each
	// road's, by its link's name ("WebRTC · RTT 1.2 ms · loss 0%"), and
	// whose each plot is, by its host's name ("bob's", "yours").
	Signs() (roads, plots map[string]string)
}

// errShared refuses what a town in real time cannot do.
var errShared = errors.New("this town is shared with peers, so it runs in real time: it cannot pause, hurry or go back while it is in the room (Share > Leave the room ends that)")

// JoinPeers makes the town a shared one from now on (see Peers); why
// says it in the console. A town that plays no simulator of its own (a
// live kernel, a remote run, a watch) cannot be shared.
func (p *Player) JoinPeers(peers Peers, why string) error {
	if !p.recording() {
		return errors.New("share: this town does not run on this page's simulator, so it cannot be shared with peers")
	}
	if p.BackInTime() {
		p.cutFuture() // the recorded future goes: from here on is the shared story
	}
	p.peers, p.paused, p.fastest = peers, false, false
	p.anim.live = true // letters are slowed onto wall time, as a live kernel's
	if why != "" {
		p.console.add(LineInfo, "# "+why)
	}
	return nil
}

// LeavePeers ends sharing: the roads stay in the town, but what its hosts
// send on them goes nowhere, and the town can pause and go back again.
func (p *Player) LeavePeers(why string) {
	if p.peers == nil {
		return
	}
	p.peers = nil
	p.anim.live = p.live
	if why != "" {
		p.console.add(LineInfo, "# "+why)
	}
}

// PeerSigns are the shared town's words for its roads and plots (see
// Peers.Signs); nil maps when the town is not shared.
func (p *Player) PeerSigns() (roads, plots map[string]string) {
	if p.peers == nil {
		return nil, nil
	}
	return p.peers.Signs()
}

// Shared reports whether peers are joined: the town runs in real time.
func (p *Player) Shared() bool { return p.peers != nil }

// sendRoad is where the runner's roads hand their frames: to the peers
// while they are joined and the runner is at the head (a replay sends
// nothing to anyone).
func (p *Player) sendRoad(host, far string, frame []byte) {
	if p.peers != nil && p.hist.atHead() {
		p.peers.Send(host, far, frame)
	}
}

// tickShared moves a shared town on by dt of wall time: what came from
// the peers arrives now, then virtual time runs on as far as the wall's
// and the scenario's next line starts when its time has come.
func (p *Player) tickShared(dt time.Duration) {
	p.paced += dt
	p.peers.Take(func(host, far string, frame []byte) {
		p.anim.arriving(host, far, frame, p.r.Now(), p.wall, p.links)
		if err := p.arrive(host, far, frame); err != nil {
			p.console.add(LineError, err.Error())
		}
	})
	p.advance(p.r.Now() + dt)
	p.openGate()
}
