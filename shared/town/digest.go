package town

// digestMemo is what State says of the town's digests, kept while the
// town shows the same moment: State is asked for them a few times a
// second, and the trace's digest reads every event.
type digestMemo struct {
	gen, index, count int
	snapshot, trace   string
}

// digests are the shown snapshot's digest and the trace's up to the
// moment shown (see play.Player.SnapshotDigest and TraceDigest).
func (g *Game) digests() (snapshot, trace string) {
	m := &g.digest
	gen, index, count := g.player.SnapshotGen(), g.player.EventIndex(), g.player.EventCount()
	if m.snapshot == "" || m.gen != gen || m.index != index || m.count != count {
		*m = digestMemo{gen: gen, index: index, count: count,
			snapshot: g.player.SnapshotDigest(), trace: g.player.TraceDigest()}
	}
	return m.snapshot, m.trace
}
