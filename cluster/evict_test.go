package cluster

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/shard"
)

// keyspaceStats reads a member's keyspace figures without a leadership
// check: followers included.
func keyspaceStats(g *group.Group) (keys int, used int64, st shard.Stats) {
	_ = g.ReadStale(func(ks *shard.Keyspace, _ int64) {
		keys, used, st = ks.Len(), ks.UsedMemory(), ks.Stats()
	})
	return
}

// The leader evicts through evict records: every replica deletes the same
// keys, counts them, and ends up identical.
// A node evicts from the write's own shard first and, when that one has
// nothing to give, from the fullest other shard it leads.
func TestEvictionFallsBackToOtherShards(t *testing.T) {
	t.Parallel()
	n := testNode(t, t.TempDir(), 4)
	t.Cleanup(func() { n.Close() })
	val := strings.Repeat("x", 100)
	written := 0
	for i := 0; written < 400; i++ {
		k := fmt.Sprint("k", i)
		if ShardOf(shard.KeySlot(k), 4) == 0 {
			continue // shard 0 stays empty
		}
		write(t, n, "set", k, val)
		written++
	}
	limit := n.UsedMemory() * 3 / 4
	n.SetMaxMemory(limit, "allkeys-random")
	if err := n.Admit(0); err != nil {
		t.Fatal(err)
	}
	if used := n.UsedMemory(); used > limit {
		t.Errorf("used %d over limit %d after Admit", used, limit)
	}
	var evicted int64
	for _, g := range n.Groups() {
		keys, _, st := keyspaceStats(g)
		evicted += st.EvictedKeys
		if g.ID() == 0 && (keys != 0 || st.EvictedKeys != 0) {
			t.Errorf("shard 0: %d keys, %d evicted", keys, st.EvictedKeys)
		}
	}
	if evicted < 90 || evicted > 110 {
		t.Errorf("evicted %d keys for a quarter of 400", evicted)
	}
	n.SetMaxMemory(0, "allkeys-random")
	if err := n.Admit(0); err != nil {
		t.Errorf("no limit: %v", err)
	}
}
