// Package reclaim decides which keys a shard's owner deletes on its own
// initiative, active expiry and maxmemory eviction, and turns them into
// records. Both engines use it: the single-node store applies the records
// at once, a Raft leader replicates them, so every replica deletes the same
// keys and none decides for itself.
package reclaim

import (
	"time"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard"
)

// ExpireInterval is how often an owner runs an active-expiry cycle, Redis's
// 10 Hz; ExpireBatch bounds the keys one cycle deletes, so one record and
// its apply stay short.
const (
	ExpireInterval = 100 * time.Millisecond
	ExpireBatch    = 500
)

// ExpireRecord returns the record deleting the keys of ks that are
// expired at now, Redis's sampling of keys with a TTL; false when there
// are none.
func ExpireRecord(ks *shard.Keyspace, now int64) (persistence.Record, bool) {
	keys := ks.ExpiredKeys(now, ExpireBatch)
	if len(keys) == 0 {
		return persistence.Record{}, false
	}
	return persistence.NewExpire(now, keys), true
}

// Every runs fn every interval until stop is closed: the owner's
// active-expiry loop.
func Every(stop <-chan struct{}, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fn()
		}
	}
}
