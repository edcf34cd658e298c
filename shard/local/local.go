// Package local is the single-node store: one keyspace behind a mutex,
// without replication (--store memory, and tests). Writes still go through
// records and the command table's Apply, so the path is the replicated one
// with the network taken out; expiry and eviction are decided by reclaim,
// as a Raft leader decides them.
package local

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/reclaim"
	"github.com/ember-node/ember-node/shard/store"
)

// Store is one keyspace behind a mutex; it implements store.Store,
// store.MemoryGuard and store.Prefetcher.
type Store struct {
	mu    sync.Mutex
	ks    *shard.Keyspace
	table *command.Table
	clock func() int64
	limit reclaim.Limit
	rnd   *rand.Rand  // eviction's picks, under mu
	ctx   command.Ctx // Write's command context, under mu
	sink  uint64      // what Prefetch read, kept so its loads stay
}

// New returns an empty local store running the commands of t.
func New(t *command.Table) *Store {
	return &Store{
		ks: shard.New(), table: t, clock: func() int64 { return time.Now().UnixMilli() },
		rnd: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// Write applies rec at once. Commands copy what they store: rec's
// arguments point into a connection's input buffer.
func (l *Store) Write(_ int, rec *persistence.Record, w command.Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.table.ApplyWith(&l.ctx, l.ks, rec, w)
}

// Prefetch warms the caches for a pipeline's keys (store.Prefetcher).
func (l *Store) Prefetch(keys [][]byte) {
	l.mu.Lock()
	l.sink += l.ks.Prefetch(keys)
	l.mu.Unlock()
}

// Read runs fn under the lock at the current time (store.NowFrom the
// request's arrival).
func (l *Store) Read(_ int, arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.ks, store.NowFrom(arrived).UnixMilli())
	return nil
}

// Each runs fn on the one keyspace.
func (l *Store) Each(fn func(ks *shard.Keyspace, now int64) bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.ks, l.clock())
	return nil
}

// RunExpiry deletes expired keys every reclaim.ExpireInterval until ctx
// ends, through expiry records, as a leader does.
func (l *Store) RunExpiry(ctx context.Context) {
	reclaim.Every(ctx.Done(), reclaim.ExpireInterval, func() { l.ExpireOnce() })
}

// ExpireOnce runs one active-expiry cycle and returns the keys deleted.
func (l *Store) ExpireOnce() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec, ok := reclaim.ExpireRecord(l.ks, l.clock())
	if !ok {
		return 0
	}
	var n command.Count
	_ = l.table.Apply(l.ks, &rec, &n)
	return int(n.N)
}

// SetMaxMemory sets the store's limit (store.MemoryGuard).
func (l *Store) SetMaxMemory(bytes int64, policy string) { l.limit.Set(bytes, policy) }

// SetOverhead counts the server's client buffers toward maxmemory
// (store.OverheadGuard).
func (l *Store) SetOverhead(fn func() int64) { l.limit.SetOverhead(fn) }

// Admit frees memory for a denyoom write, or refuses it with
// command.ErrOOM (store.MemoryGuard). The whole admission holds the lock,
// so concurrent writers do not evict twice for one overshoot.
func (l *Store) Admit(int) error {
	if b, _ := l.limit.Load(); b == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit.Free(l.ks.UsedMemory, l.evictLocked)
}

// evictLocked picks victims and applies their evict record, as a leader
// would replicate it.
func (l *Store) evictLocked(p shard.EvictPolicy, need int64) (int, error) {
	rec, k := reclaim.EvictRecord(l.ks, p, l.clock(), l.rnd.Uint64N, need)
	if k == 0 {
		return 0, nil
	}
	var n command.Count
	if err := l.table.Apply(l.ks, &rec, &n); err != nil {
		return 0, err
	}
	return int(n.N), nil
}
