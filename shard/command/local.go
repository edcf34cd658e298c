package command

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
)

// Local is one keyspace behind a mutex: the store of a node without
// replication, and of tests. Writes still go through records and Apply, so
// the path is the replicated one with the network taken out.
type Local struct {
	mu    sync.Mutex
	ks    *shard.Keyspace
	table *Table
	clock func() int64
	limit MemoryLimit
	rnd   *rand.Rand // eviction's picks, under mu
	ctx   Ctx        // Write's command context, under mu
	sink  uint64     // what Prefetch read, kept so its loads stay
}

// NewLocal returns an empty local store.
func NewLocal(t *Table) *Local {
	return &Local{
		ks: shard.New(), table: t, clock: func() int64 { return time.Now().UnixMilli() },
		rnd: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// Write applies rec at once. Commands copy what they store (see clone):
// rec's arguments point into a connection's input buffer.
func (l *Local) Write(_ int, rec *persistence.Record, w Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.table.ApplyWith(&l.ctx, l.ks, rec, w)
}

// Prefetch warms the caches for a pipeline's keys (rpc.Prefetcher).
func (l *Local) Prefetch(keys [][]byte) {
	l.mu.Lock()
	l.sink += l.ks.Prefetch(keys)
	l.mu.Unlock()
}

// Read runs fn under the lock at the current time (NowFrom the request's
// arrival).
func (l *Local) Read(_ int, arrived time.Time, fn func(ks *shard.Keyspace, now int64)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.ks, NowFrom(arrived).UnixMilli())
	return nil
}

// NowFrom returns the current time from a recent reading t: t's wall clock
// plus the monotonic time elapsed since. It costs one clock read where
// time.Now costs two (a pipelined SET spent 5% of its time in time.Now on
// a VM's clock).
func NowFrom(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t.Add(time.Since(t))
}

// Each runs fn on the one keyspace.
func (l *Local) Each(fn func(ks *shard.Keyspace, now int64) bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.ks, l.clock())
	return nil
}

// RunExpiry deletes expired keys every interval until ctx ends, through
// expiry records, as a leader does.
func (l *Local) RunExpiry(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.ExpireOnce(200)
		}
	}
}

// ExpireOnce runs one active-expiry cycle and returns the keys deleted.
func (l *Local) ExpireOnce(max int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	keys := l.ks.ExpiredKeys(now, max)
	if len(keys) == 0 {
		return 0
	}
	args := make([][]byte, len(keys))
	for i, k := range keys {
		args[i] = []byte(k)
	}
	rec := persistence.Record{Tag: persistence.TagExpire, Time: now, Args: args}
	var n countWriter
	_ = l.table.Apply(l.ks, &rec, &n)
	return int(n)
}

// countWriter keeps the integer reply of an expiry record.
type countWriter int64

func (c *countWriter) Int(n int64)     { *c = countWriter(n) }
func (*countWriter) Simple(string)     {}
func (*countWriter) Error(string)      {}
func (*countWriter) Bulk([]byte)       {}
func (*countWriter) BulkString(string) {}
func (*countWriter) Null()             {}
func (*countWriter) NullArray()        {}
func (*countWriter) Array(int)         {}
func (*countWriter) Map(int)           {}
func (*countWriter) Set(int)           {}
func (*countWriter) Double(float64)    {}
func (*countWriter) Resp3() bool       { return false }
