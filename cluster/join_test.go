package cluster

import (
	"testing"

	"github.com/ember-node/ember-node/shard"
)

func TestSeedClusterAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		seed, want string
		bad        bool
	}{
		{seed: "127.0.0.1:7001", want: "127.0.0.1:17001"},
		{seed: "node1:7001@7101", want: "node1:7101"},
		{seed: "[::1]:6379", want: "[::1]:16379"},
		{seed: "127.0.0.1:60000", bad: true}, // port+10000 out of range
		{seed: "127.0.0.1:60000@16000", want: "127.0.0.1:16000"},
		{seed: "127.0.0.1", bad: true},
		{seed: "127.0.0.1:x", bad: true},
		{seed: "127.0.0.1:7001@", bad: true},
		{seed: "127.0.0.1:7001@70000", bad: true},
	} {
		got, err := SeedClusterAddr(tt.seed)
		if tt.bad != (err != nil) || got != tt.want {
			t.Errorf("SeedClusterAddr(%q) = %q, %v", tt.seed, got, err)
		}
	}
}

// Every slot lies in the range CLUSTER SLOTS reports for the shard that
// serves it, for any shard count: a range one slot off sends clients MOVED
// for that slot on every request.
func TestSlotRangeMatchesShardOf(t *testing.T) {
	t.Parallel()
	for shards := 1; shards <= 200; shards++ {
		next := 0
		for i := range shards {
			start, end := SlotRange(i, shards)
			if start != next || end < start {
				t.Fatalf("%d shards: shard %d is %d-%d after a range ending at %d", shards, i, start, end, next-1)
			}
			for slot := start; slot <= end; slot++ {
				if got := ShardOf(slot, shards); got != i {
					t.Fatalf("%d shards: slot %d in shard %d's range %d-%d, ShardOf says %d", shards, slot, i, start, end, got)
				}
			}
			next = end + 1
		}
		if next != shard.NumSlots {
			t.Fatalf("%d shards: ranges end at %d", shards, next-1)
		}
	}
}
