package reclaim

import (
	"errors"
	"testing"

	"github.com/ember-node/ember-node/shard"
	"github.com/ember-node/ember-node/shard/command"
)

func TestLimitFree(t *testing.T) {
	t.Parallel()
	var m Limit
	used := int64(1000)
	calls := 0
	evictAll := func(p shard.EvictPolicy, need int64) (int, error) {
		calls++
		// The overshoot and the slack: 600/256 = 2 bytes.
		if p != shard.AllKeysLFU || need != used-600+2 {
			t.Errorf("evict(%s, %d)", p, need)
		}
		used -= need
		return 1, nil
	}
	// No limit: nothing happens.
	if err := m.Free(func() int64 { return used }, evictAll); err != nil || calls != 0 {
		t.Fatalf("no limit: %v, %d calls", err, calls)
	}
	m.Set(600, "allkeys-lfu")
	if err := m.Free(func() int64 { return used }, evictAll); err != nil || used != 598 || calls != 1 {
		t.Fatalf("evict to limit: %v, used %d, %d calls", err, used, calls)
	}
	if !m.Over(601) || m.Over(600) {
		t.Error("Over: used == limit is not over, as in Redis")
	}
	used = 1000
	m.Set(600, "noeviction")
	if err := m.Free(func() int64 { return used }, evictAll); !errors.Is(err, command.ErrOOM) || calls != 1 {
		t.Errorf("noeviction: %v", err)
	}
	m.Set(600, "volatile-ttl")
	nothing := func(shard.EvictPolicy, int64) (int, error) { return 0, nil }
	if err := m.Free(func() int64 { return used }, nothing); !errors.Is(err, command.ErrOOM) {
		t.Errorf("nothing evictable: %v", err)
	}
	// Keys go but memory does not come down (another writer fills it):
	// the command proceeds after the bounded effort.
	rounds := 0
	stuck := func(shard.EvictPolicy, int64) (int, error) { rounds++; return 1, nil }
	if err := m.Free(func() int64 { return used }, stuck); err != nil || rounds != EvictRounds {
		t.Errorf("bounded effort: %v after %d rounds", err, rounds)
	}
	boom := errors.New("boom")
	if err := m.Free(func() int64 { return used }, func(shard.EvictPolicy, int64) (int, error) { return 0, boom }); err != boom {
		t.Errorf("error not passed on: %v", err)
	}
}
