package reclaim

import (
	"sync/atomic"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

// Eviction effort for one admitted command: at most EvictRounds evict
// records of at most EvictBatch keys. A command that reaches the bound while
// keys are still being evicted proceeds, as Redis lets a command run when
// its eviction time limit is reached; only running out of evictable keys
// refuses it.
//
// Each round frees the overshoot plus EvictSlack of the limit (within
// EvictBatch keys): unlike Redis's local deletes, an eviction in a cluster
// is a Raft round trip, and a little headroom lets the next writes in
// without one.
const (
	EvictRounds = 16
	EvictBatch  = 128
	EvictSlack  = 1.0 / 256
)

// Limit is a store's maxmemory and maxmemory-policy. CONFIG SET changes it
// while writes read it, hence the atomics.
type Limit struct {
	bytes    atomic.Int64
	policy   atomic.Uint32
	overhead atomic.Pointer[func() int64]
}

// SetOverhead counts memory outside the keyspace toward the limit: the
// server's client buffers, which Redis counts in used_memory.
func (m *Limit) SetOverhead(fn func() int64) { m.overhead.Store(&fn) }

// extra returns the overhead's bytes now.
func (m *Limit) extra() int64 {
	if fn := m.overhead.Load(); fn != nil {
		return (*fn)()
	}
	return 0
}

// Set changes the limit (0 = none). An unknown policy name means
// noeviction; the server validates names before.
func (m *Limit) Set(bytes int64, policy string) {
	p, _ := shard.ParseEvictPolicy(policy)
	m.policy.Store(uint32(p))
	m.bytes.Store(bytes)
}

// Load returns the limit in bytes and the policy.
func (m *Limit) Load() (int64, shard.EvictPolicy) {
	return m.bytes.Load(), shard.EvictPolicy(m.policy.Load())
}

// Over reports whether a limit is set and used exceeds it: the fast path
// of every denyoom write.
func (m *Limit) Over(used int64) bool {
	b := m.bytes.Load()
	return b > 0 && used+m.extra() > b
}

// Free brings used() under the limit before a denyoom command runs, Redis's
// performEvictions: evict(p, need) removes keys worth about need bytes (the
// overshoot and the slack) and returns how many it removed, 0 meaning
// nothing is evictable. It returns command.ErrOOM when the policy is
// noeviction or nothing more can be evicted.
func (m *Limit) Free(used func() int64, evict func(p shard.EvictPolicy, need int64) (int, error)) error {
	limit, p := m.Load()
	for round := 0; limit > 0 && round < EvictRounds; round++ {
		u := used() + m.extra()
		if u <= limit {
			return nil
		}
		if p == shard.NoEviction {
			return command.ErrOOM
		}
		n, err := evict(p, u-limit+int64(float64(limit)*EvictSlack))
		if err != nil {
			return err
		}
		if n == 0 {
			return command.ErrOOM
		}
	}
	return nil
}

// EvictRecord picks victims worth about need bytes in ks under policy p
// (Redis's sampled eviction pool, rnd its random source) and returns the
// record deleting them, with how many it names; 0 when nothing is
// evictable.
func EvictRecord(ks *shard.Keyspace, p shard.EvictPolicy, now int64, rnd func(uint64) uint64, need int64) (persistence.Record, int) {
	keys, _ := ks.EvictVictims(p, now, rnd, need, EvictBatch)
	if len(keys) == 0 {
		return persistence.Record{}, 0
	}
	return persistence.NewEvict(now, keys), len(keys)
}
