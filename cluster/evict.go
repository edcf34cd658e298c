package cluster

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/ember-node/ember-node/cluster/group"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/reclaim"
)

// memGuard is a node's maxmemory. The node's used memory is the sum over
// all its groups, led or followed, since followers' data fills this
// process too; but a node only evicts from groups it leads, through evict
// records that every replica applies alike.
type memGuard struct {
	limit reclaim.Limit
	// mu lets one writer evict at a time: writers arriving together would
	// each evict for the same overshoot. It also guards rnd.
	mu  sync.Mutex
	rnd *rand.Rand
}

// SetMaxMemory implements store.MemoryGuard.
func (n *Node) SetMaxMemory(bytes int64, policy string) { n.mem.limit.Set(bytes, policy) }

// SetOverhead implements store.OverheadGuard: the server's client
// buffers count toward maxmemory.
func (n *Node) SetOverhead(fn func() int64) { n.mem.limit.SetOverhead(fn) }

// UsedMemory returns the accounted bytes of every group on this node.
func (n *Node) UsedMemory() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var sum int64
	for _, g := range n.groups {
		sum += g.FSM().UsedMemory()
	}
	return sum
}

// Admit implements store.MemoryGuard: before a denyoom write to slot, bring
// the node under maxmemory by evicting from the groups it leads, the
// write's own group first, or refuse the write with OOM.
func (n *Node) Admit(slot int) error {
	if b, _ := n.mem.limit.Load(); b == 0 || !n.mem.limit.Over(n.UsedMemory()) {
		return nil
	}
	var target *group.Group
	if slot >= 0 {
		if target = n.group(slot); target == nil || !target.IsReadyLeader() {
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
	return err
}

// evictSome evicts about need bytes from one led group: target if it has
// candidates, else the fullest other one.
func (n *Node) evictSome(target *group.Group, p shard.EvictPolicy, need int64) (int, error) {
	if target != nil {
		if k, err := target.Evict(p, need, n.mem.rnd.Uint64N); err != nil || k > 0 {
			return k, err
		}
	}
	type byUse struct {
		g    *group.Group
		used int64
	}
	groups := n.Groups()
	others := make([]byUse, 0, len(groups))
	for _, g := range groups {
		if g != target {
			others = append(others, byUse{g, g.FSM().UsedMemory()})
		}
	}
	slices.SortFunc(others, func(a, b byUse) int { return cmp.Compare(b.used, a.used) })
	for _, o := range others {
		if k, err := o.g.Evict(p, need, n.mem.rnd.Uint64N); err != nil || k > 0 {
			return k, err
		}
	}
	return 0, nil
}
