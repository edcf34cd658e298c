package shard

import (
	"strconv"
	"testing"
)

// TestPrefetchChangesNothing: Prefetch reads present, absent, empty and
// collection keys, more than one batch of them, and leaves the keyspace as
// it was.
func TestPrefetchChangesNothing(t *testing.T) {
	t.Parallel()
	ks := New()
	const now = 1000
	var keys [][]byte
	for i := range 100 {
		k := []byte("key:" + strconv.Itoa(i))
		keys = append(keys, k)
		switch i % 4 {
		case 0:
			ks.SetString(k, []byte("v"+strconv.Itoa(i)), now)
		case 1:
			ks.SetString(k, nil, now) // an empty string
		case 2:
			ks.Create(k, KindList, now).List().PushBack([]byte("x"))
		}
		ks.Flush()
	}
	keys = append(keys, nil, []byte("{tag}absent"))
	stats, used, n := ks.Stats(), ks.UsedMemory(), ks.Len()
	if ks.Prefetch(keys) == 0 {
		t.Error("Prefetch read nothing")
	}
	if ks.Stats() != stats || ks.UsedMemory() != used || ks.Len() != n {
		t.Fatal("Prefetch changed the keyspace")
	}
	for i, k := range keys[:100] {
		o := ks.Peek(k)
		if (o == nil) != (i%4 == 3) || o != nil && o.flags != 0 {
			t.Fatalf("key %q after Prefetch: %+v", k, o)
		}
	}
	New().Prefetch(keys) // an empty keyspace
}
