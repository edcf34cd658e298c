package cluster

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ember-node/ember-node/shard"
)

// Prefetch reorders the server's scratch by shard and changes nothing
// else: every key is still there, and reads see what was written.
func TestNodePrefetch(t *testing.T) {
	t.Parallel()
	n := testNode(t, t.TempDir(), 4)
	t.Cleanup(func() { n.Close() })
	var keys [][]byte
	for i := range 150 { // more than one 64-key round
		k := fmt.Sprint("k", i)
		write(t, n, "set", k, "v"+k)
		keys = append(keys, []byte(k))
	}
	want := make([]string, len(keys))
	for i, k := range keys {
		want[i] = string(k)
	}
	n.Prefetch(keys)
	got := make([]string, len(keys))
	for i, k := range keys {
		got[i] = string(k)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("Prefetch lost or duplicated keys")
	}
	// Within each 64-key round, a shard's keys are together.
	for start := 0; start < len(keys); start += 64 {
		seen := map[int]bool{}
		prev := -1
		for _, k := range keys[start:min(start+64, len(keys))] {
			s := ShardOf(shard.KeySlot(k), 4)
			if s != prev && seen[s] {
				t.Fatalf("shard %d's keys are not together in round %d", s, start/64)
			}
			seen[s], prev = true, s
		}
	}
	for _, k := range want {
		var val string
		err := n.Read(shard.KeySlot([]byte(k)), time.Now(), func(ks *shard.Keyspace, now int64) {
			if o := ks.Lookup([]byte(k), now); o != nil {
				val = string(o.Str)
			}
		})
		if err != nil || val != "v"+k {
			t.Fatalf("%s: %q, %v", k, val, err)
		}
	}
}
