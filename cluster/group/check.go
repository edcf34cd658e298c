package group

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/journal"
)

// checkSnapshots runs before raft starts. raft falls back to an older
// snapshot when the newest fails its checksum, which is only safe when the
// log still holds every entry after that older snapshot; otherwise raft
// would crash applying a missing entry, or worse. So a damaged newest
// snapshot either is provably covered by an older one and the log, or the
// group refuses to start with an error naming the file.
func checkSnapshots(store raft.SnapshotStore, logs *journal.Store, stable raft.StableStore, dir string) error {
	metas, err := store.List()
	if err != nil {
		return err
	}
	// A log compacted past its start needs the snapshot that replaced
	// those entries: without it raft panics ("log not found") or starts
	// an empty member that forgot its data.
	compacted, err := logs.CompactedTo()
	if err != nil {
		return err
	}
	if compacted > 0 && (len(metas) == 0 || metas[0].Index < compacted) {
		return fmt.Errorf("%s was compacted up to entry %d but %s holds no snapshot of those entries "+
			"(deleted?); see README, Recovering a shard", filepath.Join(dir, "raft.db"), compacted, filepath.Join(dir, "snapshots"))
	}
	if len(metas) == 0 {
		return nil
	}
	// A log store that forgot its term (raft.db emptied, deleted or
	// replaced) while snapshots remain has lost the entries after them:
	// starting would silently serve the snapshot's older state.
	if term, err := stable.GetUint64([]byte("CurrentTerm")); err != nil || term < metas[0].Term {
		return fmt.Errorf("%s holds no Raft state for snapshot %s (term %d): the log after it is missing, "+
			"so recent writes would be lost; see README, Recovering a shard", filepath.Join(dir, "raft.db"), metas[0].ID, metas[0].Term)
	}
	var bad []string
	for _, m := range metas {
		_, rc, err := store.Open(m.ID)
		if err == nil {
			rc.Close()
			if len(bad) == 0 {
				return nil
			}
			first, ferr := logs.FirstIndex()
			if ferr == nil && (first == 0 || first <= m.Index+1) {
				return nil // raft will fall back to m and replay the log
			}
			break
		}
		bad = append(bad, fmt.Sprintf("%s: %v", filepath.Join(dir, "snapshots", m.ID, "state.bin"), err))
	}
	return fmt.Errorf("damaged snapshot not covered by an older one and the log (%v); see README, Recovering a shard", bad)
}
