package cluster

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// keyspaceStats reads a member's keyspace figures without a leadership
// check: followers included.
func keyspaceStats(g *Group) (keys int, used int64, st shard.Stats) {
	_ = g.fsm.Read(time.Now().UnixMilli(), func(ks *shard.Keyspace, _ int64) {
		keys, used, st = ks.Len(), ks.UsedMemory(), ks.Stats()
	})
	return
}

// The leader evicts through evict records: every replica deletes the same
// keys, counts them, and ends up identical.
func TestEvictionReplicates(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	val := strings.Repeat("x", 200)
	for i := range 300 {
		c.mustWrite("set", fmt.Sprintf("old:%03d", i), val)
	}
	limit := c.members[c.leader()].group().fsm.UsedMemory()
	// admitSet is the server's path for a denyoom write: Admit on the
	// leader's node, then the write. Elections under load may refuse
	// either (TRYAGAIN, unknown outcome); retry those.
	admitSet := func(policy, key string) error {
		for range 50 {
			i := c.leader()
			n := &Node{groups: map[int]*Group{0: c.members[i].group()}}
			n.nshards.Store(1)
			n.SetMaxMemory(limit, policy)
			err := n.Admit(shard.KeySlot(key))
			if errors.Is(err, command.ErrOOM) && c.members[i].group().isReadyLeader() {
				return err // a deposed leader has nothing to evict: retry those
			}
			if err == nil {
				if out, err := c.write(i, "set", key, val); err == nil && out == "+OK\r\n" {
					return nil
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		return fmt.Errorf("set %s never acknowledged", key)
	}
	for i := range 300 {
		if err := admitSet("allkeys-lru", fmt.Sprintf("new:%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	c.converge()
	var first string
	for _, m := range c.members {
		keys, used, st := keyspaceStats(m.group())
		got := fmt.Sprintf("keys=%d used=%d evicted=%d", keys, used, st.EvictedKeys)
		if first == "" {
			first = got
			t.Logf("every replica: %s (limit %d)", got, limit)
		}
		switch {
		case got != first:
			t.Errorf("%s: %s, leader's replica: %s", m.id, got, first)
		case st.EvictedKeys < 250 || int64(keys)+st.EvictedKeys != 601:
			t.Errorf("%s: %d keys, %d evicted; want about 300 evicted of 601", m.id, keys, st.EvictedKeys)
		case used > limit+2*int64(len(val)+100):
			t.Errorf("%s: used %d over limit %d", m.id, used, limit)
		}
	}
	if err := admitSet("noeviction", "refused"); !errors.Is(err, command.ErrOOM) {
		t.Errorf("noeviction over the limit: %v", err)
	}
	if err := admitSet("volatile-lru", "refused"); !errors.Is(err, command.ErrOOM) {
		t.Errorf("volatile-lru without keys with a TTL: %v", err)
	}
}

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
