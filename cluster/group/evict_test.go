package group

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
)

// keyspaceStats reads a member's keyspace figures without a leadership
// check: followers included.
func keyspaceStats(g *Group) (keys int, used int64, st shard.Stats) {
	_ = g.ReadStale(func(ks *shard.Keyspace, _ int64) {
		keys, used, st = ks.Len(), ks.UsedMemory(), ks.Stats()
	})
	return
}

func TestEvictionReplicates(t *testing.T) {
	t.Parallel()
	c := makeCluster(t, 3, fastGroupConfig())
	val := strings.Repeat("x", 200)
	for i := range 300 {
		c.mustWrite("set", fmt.Sprintf("old:%03d", i), val)
	}
	limit := c.members[c.leader()].group().fsm.UsedMemory()
	// admitSet is the server's path for a denyoom write: the node's Admit
	// (reclaim.Limit evicting from the leader's group), then the write. Elections under load may refuse
	// either (TRYAGAIN, unknown outcome); retry those.
	rnd := rand.New(rand.NewPCG(1, 2))
	admitSet := func(policy, key string) error {
		for range 50 {
			i := c.leader()
			g := c.members[i].group()
			var lim reclaim.Limit
			lim.Set(limit, policy)
			err := lim.Free(g.FSM().UsedMemory, func(p shard.EvictPolicy, need int64) (int, error) {
				return g.Evict(p, need, rnd.Uint64N)
			})
			if errors.Is(err, command.ErrOOM) && g.IsReadyLeader() {
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
