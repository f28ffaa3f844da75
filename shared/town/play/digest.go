package play

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"socketville/shared/script"
)

// Digests say in a line whether two towns are the same: a shared link
// opened elsewhere, a town gone back and forward again.

// SnapshotDigest is a sha256 of the town's state now (every host,
// socket, queue and timer the snapshot shows, and the virtual time), in
// hex: of the kernel's, or partway through an instant, of the snapshot
// shown (see Snapshot). It is "" for a town that shows no run of its own
// (a feed).
func (p *Player) SnapshotDigest() string {
	if p.r == nil {
		return ""
	}
	snap := p.snap
	if len(p.held) == 0 {
		snap = p.r.Kernel().Snapshot()
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return "" // a snapshot is plain data: it always encodes
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TraceDigest is a sha256 of the timeline up to the moment shown (each
// event's time, place, kind and words, as the trace prints them), in hex:
// two runs with the same digest made the same events.
func (p *Player) TraceDigest() string {
	h := sha256.New()
	for _, e := range p.hist.entries[:min(p.EventIndex(), len(p.hist.entries))] {
		where := e.Host
		switch {
		case e.Proc != "" && e.FD > 0:
			where = fmt.Sprintf("%s/%s:%d", e.Host, e.Proc, e.FD)
		case e.Proc != "":
			where = e.Host + "/" + e.Proc
		}
		fmt.Fprintf(h, "%s %s %s %s\n", script.Stamp(e.At), where, e.Kind, e.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}
