package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/store"
)

// The store.Store side of a node: route by slot to the local member of the
// slot's group; anything this node cannot serve is store.ErrNotLeader, which the
// server turns into MOVED (or TRYAGAIN while the shard has no leader).

func (n *Node) group(slot int) *group.Group {
	if slot < 0 {
		slot = 0
	}
	return n.groupByID(ShardOf(slot, n.shardCount()))
}

// Write implements store.Store. A keyless write (FLUSHALL) goes to every
// shard this node leads; the reply is the first one's.
func (n *Node) Write(slot int, rec *persistence.Record, w command.Writer) error {
	if slot >= 0 {
		g := n.group(slot)
		if g == nil {
			return store.ErrNotLeader
		}
		return g.Write(rec, w)
	}
	first := true
	for _, g := range n.Groups() {
		if !g.IsReadyLeader() {
			continue
		}
		out := w
		if !first {
			out = command.Discard{}
		}
		if err := g.Write(rec, out); err != nil {
			return err
		}
		first = false
	}
	if first {
		return store.ErrNotLeader
	}
	return nil
}

// Propose implements store.AsyncStore.
func (n *Node) Propose(slot int, rec *persistence.Record) func(w command.Writer) error {
	g := n.group(slot)
	if g == nil {
		return func(command.Writer) error { return store.ErrNotLeader }
	}
	return g.Propose(rec)
}

// Read implements store.Store with a linearizable read.
func (n *Node) Read(slot int, arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error {
	g := n.group(slot)
	if g == nil {
		return store.ErrNotLeader
	}
	return g.ReadSince(arrived, fn)
}

// ReadStale implements store.StaleReader: READONLY connections read the
// local replica, possibly behind the leader.
func (n *Node) ReadStale(slot int, fn func(ks *shard.Keyspace, now int64)) error {
	g := n.group(slot)
	if g == nil {
		return store.ErrNotLeader
	}
	return g.ReadStale(fn)
}

// Each implements store.Store over the groups this node leads, in slot
// order: DBSIZE, KEYS and SCAN answer for the slots this node serves, as
// on a Redis Cluster node.
func (n *Node) Each(fn func(ks *shard.Keyspace, now int64) bool) error {
	for _, g := range n.Groups() {
		// A stopped shard, or one with no leader anywhere, must not be
		// skipped silently: DBSIZE or KEYS would under-report.
		if err := g.FSM().Err(); err != nil {
			return err
		}
		if !g.IsReadyLeader() {
			if _, id := g.Raft().LeaderWithID(); id == "" || string(id) == n.id {
				return store.ErrNotLeader
			}
			continue // led elsewhere: that node answers for it
		}
		cont := true
		if err := g.Read(func(ks *shard.Keyspace, now int64) { cont = fn(ks, now) }); err != nil {
			if errors.Is(err, store.ErrNotLeader) {
				continue
			}
			return err
		}
		if !cont {
			return nil
		}
	}
	return nil
}

// Snapshot takes a Raft snapshot of every local group now (SAVE, BGSAVE).
func (n *Node) Snapshot() error {
	var errs []error
	for _, g := range n.Groups() {
		if err := g.Raft().Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
			errs = append(errs, fmt.Errorf("shard %d: %w", g.ID(), err))
		}
	}
	return errors.Join(errs...)
}

// RaftInfo returns INFO's Raft section: one line per local group.
func (n *Node) RaftInfo() []string {
	var out []string
	for _, g := range n.Groups() {
		out = append(out, g.InfoLine())
	}
	return out
}

// viewTTL is how long a computed cluster view serves: a storm of MOVED
// replies (a client with a stale slot map pipelining to the wrong node)
// must not recompute it, with a Raft configuration read per group, for
// every reply. A view this old costs at most one more redirection.
const viewTTL = 50 * time.Millisecond

type timedView struct {
	at time.Time
	v  store.ClusterView
}

// ClusterView implements store.Topology from the routing table, refreshed
// with what this node knows first-hand about the groups it holds. Callers
// share the view and must not change it.
func (n *Node) ClusterView() store.ClusterView {
	if c := n.view.Load(); c != nil && time.Since(c.at) < viewTTL {
		return c.v
	}
	for _, g := range n.Groups() {
		if g.IsReadyLeader() {
			n.announceGroup(g)
		} else {
			n.observeLeader(g)
		}
	}
	v := n.rt.view()
	n.view.Store(&timedView{at: time.Now(), v: v})
	return v
}

// Prefetch implements store.Prefetcher: each shard's keys of a pipeline are
// handed to that shard's keyspace together, so their lookups' cache
// misses overlap. keys is the server's scratch, so it is reordered in
// place, one shard's keys after another's.
func (n *Node) Prefetch(keys [][]byte) {
	shards := n.shardCount()
	var slots [64]int32
	for len(keys) > 0 {
		part := keys[:min(len(keys), len(slots))]
		for i, k := range part {
			slots[i] = int32(ShardOf(shard.KeySlot(k), shards))
		}
		for len(part) > 0 {
			s, m := slots[0], 0
			for i := range part {
				if slots[i] == s {
					part[m], part[i] = part[i], part[m]
					slots[m], slots[i] = slots[i], slots[m]
					m++
				}
			}
			if g := n.groupByID(int(s)); g != nil && m > 1 {
				g.FSM().Prefetch(part[:m])
			}
			part = part[m:]
			copy(slots[:], slots[m:len(part)+m])
		}
		keys = keys[min(len(keys), len(slots)):]
	}
}
