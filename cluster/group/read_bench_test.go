package group

import (
	"sync/atomic"
	"testing"

	"github.com/ember-node/ember-node/shard"
)

// The cost of linearizable reads: every read waits for a read-index round
// (leadership confirmed by a quorum, then the commit index applied); a
// stale read runs on the local replica at once. Parallel readers share
// rounds, so the per-read cost falls with concurrency.
//
//	go test ./cluster -run XXX -bench Read -benchtime 2s
func benchRead(b *testing.B, linear bool, parallel int) {
	c := makeCluster(b, 3, fastGroupConfig())
	c.mustWrite("set", "k", "v")
	g := c.members[c.leader()].group()
	var misses atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(parallel)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		fn := func(ks *shard.Keyspace, now int64) {
			if ks.Lookup([]byte("k"), now) == nil {
				misses.Add(1)
			}
		}
		for pb.Next() {
			var err error
			if linear {
				err = g.Read(fn)
			} else {
				err = g.ReadStale(fn)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	if misses.Load() > 0 {
		b.Fatalf("%d reads missed the key", misses.Load())
	}
}

func BenchmarkReadLinearizable(b *testing.B)    { benchRead(b, true, 1) }
func BenchmarkReadLinearizable16x(b *testing.B) { benchRead(b, true, 16) }
func BenchmarkReadStale(b *testing.B)           { benchRead(b, false, 1) }
func BenchmarkReadStale16x(b *testing.B)        { benchRead(b, false, 16) }
