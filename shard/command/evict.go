package command

import (
	"sync/atomic"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
)

// ErrOOM is Redis's refusal of a command flagged denyoom while used memory
// is over maxmemory and eviction cannot bring it down.
const ErrOOM ReplyError = "OOM command not allowed when used memory > 'maxmemory'."

// Eviction effort for one admitted command: at most EvictRounds evict
// records of at most EvictBatch keys. A command that reaches the bound while
// keys are still being evicted proceeds, as Redis lets a command run when
// its eviction time limit is reached; only running out of evictable keys
// refuses it.
//
// Each round frees the overshoot plus EvictSlack of the limit (within
// EvictBatch keys): unlike Redis's local deletes, an eviction here is a
// Raft round trip, and a little headroom lets the next writes in without
// one. Under steady eviction (redis-benchmark SET, 4-shard raft store) it
// took throughput from about 35k to about 60k a second, against 70-85k
// with no limit.
const (
	EvictRounds = 16
	EvictBatch  = 128
	EvictSlack  = 1.0 / 256
)

// MemoryLimit is a store's maxmemory and maxmemory-policy. CONFIG SET
// changes it while writes read it, hence the atomics.
type MemoryLimit struct {
	bytes  atomic.Int64
	policy atomic.Uint32
}

// Set changes the limit (0 = none). An unknown policy name means
// noeviction; the server validates names before.
func (m *MemoryLimit) Set(bytes int64, policy string) {
	p, _ := shard.ParseEvictPolicy(policy)
	m.policy.Store(uint32(p))
	m.bytes.Store(bytes)
}

// Load returns the limit in bytes and the policy.
func (m *MemoryLimit) Load() (int64, shard.EvictPolicy) {
	return m.bytes.Load(), shard.EvictPolicy(m.policy.Load())
}

// Over reports whether a limit is set and used exceeds it: the fast path
// of every denyoom write.
func (m *MemoryLimit) Over(used int64) bool {
	b := m.bytes.Load()
	return b > 0 && used > b
}

// Free brings used() under the limit before a denyoom command runs, Redis's
// performEvictions: evict(p, need) removes keys worth about need bytes (the
// overshoot and the slack) and
// returns how many it removed, 0 meaning nothing is evictable. It returns
// ErrOOM when the policy is noeviction or nothing more can be evicted.
func (m *MemoryLimit) Free(used func() int64, evict func(p shard.EvictPolicy, need int64) (int, error)) error {
	limit, p := m.Load()
	for round := 0; limit > 0 && round < EvictRounds; round++ {
		u := used()
		if u <= limit {
			return nil
		}
		if p == shard.NoEviction {
			return ErrOOM
		}
		n, err := evict(p, u-limit+int64(float64(limit)*EvictSlack))
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrOOM
		}
	}
	return nil
}

// EvictRecord returns the record that deletes keys, the leader's eviction
// victims, at now.
func EvictRecord(now int64, keys []string) persistence.Record {
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	return persistence.Record{Tag: persistence.TagEvict, Time: now, Args: args}
}

// SetMaxMemory sets the local store's limit (rpc.MemoryGuard).
func (l *Local) SetMaxMemory(bytes int64, policy string) { l.limit.Set(bytes, policy) }

// Admit frees memory for a denyoom write, or refuses it with ErrOOM
// (rpc.MemoryGuard). The whole admission holds the store's lock, so
// concurrent writers do not evict twice for one overshoot.
func (l *Local) Admit(int) error {
	if b, _ := l.limit.Load(); b == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit.Free(l.ks.UsedMemory, l.evictLocked)
}

// evictLocked picks victims and applies their evict record, as a leader
// would replicate it.
func (l *Local) evictLocked(p shard.EvictPolicy, need int64) (int, error) {
	now := l.clock()
	keys, _ := l.ks.EvictVictims(p, now, l.rnd.Uint64N, need, EvictBatch)
	if len(keys) == 0 {
		return 0, nil
	}
	rec := EvictRecord(now, keys)
	var n countWriter
	if err := l.table.Apply(l.ks, &rec, &n); err != nil {
		return 0, err
	}
	return int(n), nil
}
