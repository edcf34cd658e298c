package group

import (
	"errors"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
	"github.com/ember-node/ember-node/shard/store"
)

// Evict picks victims in this group's keyspace and replicates their
// deletion; it returns how many keys the record named. A group this node
// does not lead evicts nothing: only its leader decides.
func (g *Group) Evict(p shard.EvictPolicy, need int64, rnd func(uint64) uint64) (int, error) {
	if !g.IsReadyLeader() {
		return 0, nil
	}
	var (
		rec persistence.Record
		n   int
	)
	err := g.fsm.Read(time.Now().UnixMilli(), func(ks *shard.Keyspace, now int64) {
		rec, n = reclaim.EvictRecord(ks, p, now, rnd, need)
	})
	if err != nil || n == 0 {
		return 0, err
	}
	if err := g.Write(&rec, command.Discard{}); err != nil {
		switch {
		case errors.Is(err, store.ErrNotLeader):
			return 0, nil
		case errors.Is(err, store.ErrUnknownOutcome):
			// Leadership moved during the eviction: the client's write,
			// not yet proposed, may safely go to the new leader.
			return 0, store.ErrNotLeader
		}
		return 0, err
	}
	g.log.Debug("evicted keys", "keys", n, "policy", p.String())
	return n, nil
}
