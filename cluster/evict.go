package cluster

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ember-node/ember-node/rpc"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// memGuard is a node's maxmemory. The node's used memory is the sum over
// all its groups, led or followed, since followers' data fills this
// process too; but a node only evicts from groups it leads, through evict
// records that every replica applies alike.
type memGuard struct {
	limit command.MemoryLimit
	// mu lets one writer evict at a time: writers arriving together would
	// each evict for the same overshoot. It also guards rnd.
	mu  sync.Mutex
	rnd *rand.Rand
}

// SetMaxMemory implements rpc.MemoryGuard.
func (n *Node) SetMaxMemory(bytes int64, policy string) { n.mem.limit.Set(bytes, policy) }

// UsedMemory returns the accounted bytes of every group on this node.
func (n *Node) UsedMemory() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var sum int64
	for _, g := range n.groups {
		sum += g.fsm.UsedMemory()
	}
	return sum
}

// Admit implements rpc.MemoryGuard: before a denyoom write to slot, bring
// the node under maxmemory by evicting from the groups it leads, the
// write's own group first, or refuse the write with OOM.
func (n *Node) Admit(slot int) error {
	if b, _ := n.mem.limit.Load(); b == 0 || !n.mem.limit.Over(n.UsedMemory()) {
		return nil
	}
	var target *Group
	if slot >= 0 {
		if target = n.group(slot); target == nil || !target.isReadyLeader() {
			return nil // the write itself will be refused
		}
	}
	n.mem.mu.Lock()
	defer n.mem.mu.Unlock()
	if n.mem.rnd == nil {
		n.mem.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	err := n.mem.limit.Free(n.UsedMemory, func(p shard.EvictPolicy, need int64) (int, error) {
		return n.evictSome(target, p, need)
	})
	return storeError(err)
}

// evictSome evicts about need bytes from one led group: target if it has
// candidates, else the fullest other one.
func (n *Node) evictSome(target *Group, p shard.EvictPolicy, need int64) (int, error) {
	if target != nil {
		if k, err := target.evict(p, need, n.mem.rnd.Uint64N); err != nil || k > 0 {
			return k, err
		}
	}
	type byUse struct {
		g    *Group
		used int64
	}
	groups := n.Groups()
	others := make([]byUse, 0, len(groups))
	for _, g := range groups {
		if g != target {
			others = append(others, byUse{g, g.fsm.UsedMemory()})
		}
	}
	slices.SortFunc(others, func(a, b byUse) int { return cmp.Compare(b.used, a.used) })
	for _, o := range others {
		if k, err := o.g.evict(p, need, n.mem.rnd.Uint64N); err != nil || k > 0 {
			return k, err
		}
	}
	return 0, nil
}

// evict picks victims in this group's keyspace and replicates their
// deletion; it returns how many keys the record named. A group this node
// does not lead evicts nothing: only its leader decides.
func (g *Group) evict(p shard.EvictPolicy, need int64, rnd func(uint64) uint64) (int, error) {
	if !g.isReadyLeader() {
		return 0, nil
	}
	now := time.Now().UnixMilli()
	var keys []string
	err := g.fsm.Read(now, func(ks *shard.Keyspace, now int64) {
		keys, _ = ks.EvictVictims(p, now, rnd, need, command.EvictBatch)
	})
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	rec := command.EvictRecord(now, keys)
	if err := g.Write(&rec, command.Discard{}); err != nil {
		switch {
		case errors.Is(err, ErrNotLeader):
			return 0, nil
		case errors.Is(err, rpc.ErrUnknownOutcome):
			// Leadership moved during the eviction: the client's write,
			// not yet proposed, may safely go to the new leader.
			return 0, rpc.ErrTryAgain
		}
		return 0, err
	}
	g.log.Debug("evicted keys", "keys", len(keys), "policy", p.String())
	return len(keys), nil
}
