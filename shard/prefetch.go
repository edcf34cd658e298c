package shard

// prefetchBatch bounds the keys Prefetch walks together: enough for a
// pipeline's misses to overlap, few enough for its state to stay on the
// stack.
const prefetchBatch = 32

// Prefetch reads, level by level across keys, the memory that looking each
// of them up will read: slot table, bucket, first node of the chain, the
// key's bytes and a string value's first bytes. One lookup is a chain of
// dependent cache misses; walked together, the chains of a pipeline's
// keys miss side by side instead of one after another. It changes nothing
// and returns a value only so that the loads cannot be left out.
func (ks *Keyspace) Prefetch(keys [][]byte) uint64 {
	var sink uint64
	for len(keys) > 0 {
		n := min(len(keys), prefetchBatch)
		sink += ks.prefetch(keys[:n])
		keys = keys[n:]
	}
	return sink
}

func (ks *Keyspace) prefetch(keys [][]byte) uint64 {
	var (
		hash  [prefetchBatch]uint64
		slot  [prefetchBatch]int
		table [prefetchBatch][]*dictNode[Object]
		node  [prefetchBatch]*dictNode[Object]
	)
	// Hashing first keeps the loads below close together, so that the
	// processor has many of them in flight at once.
	for i, k := range keys {
		slot[i], hash[i] = KeySlot(k), hashKey(unsafeString(k))
	}
	for i := range keys {
		table[i] = ks.slots[slot[i]].table
	}
	for i := range keys {
		if t := table[i]; len(t) > 0 {
			node[i] = t[hash[i]&uint64(len(t)-1)]
		}
	}
	var sink uint64
	for i := range keys {
		if n := node[i]; n != nil {
			sink += uint64(len(n.key)) + uint64(len(n.val.Str))
		}
	}
	for i := range keys {
		n := node[i]
		if n == nil {
			continue
		}
		if len(n.key) > 0 {
			sink += uint64(n.key[0])
		}
		if s := n.val.Str; len(s) > 0 {
			sink += uint64(s[0]) + uint64(s[len(s)-1])
		}
	}
	return sink
}
