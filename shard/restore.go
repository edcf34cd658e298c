package shard

// Restore helpers build a keyspace from a snapshot stream. Collections are
// filled with the returned handle; call FinishRestore at the end.

// restoreKey adds a key of kind expiring at expireAt (0: never), the step
// every Restore function starts with.
func (ks *Keyspace) restoreKey(key []byte, kind Kind, expireAt int64) *Object {
	o := ks.Create(key, kind, 0)
	ks.SetExpire(key, o, expireAt)
	return o
}

// RestoreString adds a string key.
func (ks *Keyspace) RestoreString(key, val []byte, expireAt int64) {
	ks.restoreKey(key, KindString, expireAt).Str = val
}

// RestoreList adds a list key; append its elements with PushBack.
func (ks *Keyspace) RestoreList(key []byte, expireAt int64) *List {
	return ks.restoreKey(key, KindList, expireAt).List()
}

// RestoreHash adds a hash key whose table had table buckets; add its
// fields in snapshot order with RestorePair to rebuild the same layout.
func (ks *Keyspace) RestoreHash(key []byte, expireAt int64, table int) *Hash {
	h := ks.restoreKey(key, KindHash, expireAt).Hash()
	h.d.Reserve(table)
	return h
}

// RestorePair adds a field known to be new, keeping snapshot order.
func (h *Hash) RestorePair(field, val []byte) {
	nf := len(field)
	buf := make([]byte, nf+len(val))
	copy(buf, field)
	copy(buf[nf:], val)
	p := h.d.AppendOrdered(unsafeString(buf[:nf]))
	*p = buf[nf:len(buf):len(buf)]
	h.mem += len(buf)
}

// RestoreSet adds a set key; see RestoreHash.
func (ks *Keyspace) RestoreSet(key []byte, expireAt int64, table int) *Set {
	s := ks.restoreKey(key, KindSet, expireAt).Set()
	s.d.Reserve(table)
	return s
}

// RestoreMember adds a member known to be new, keeping snapshot order.
func (s *Set) RestoreMember(m []byte) {
	s.d.AppendOrdered(string(m))
	s.mem += len(m)
}

// RestoreZSet adds a sorted-set key; add members with Set.
func (ks *Keyspace) RestoreZSet(key []byte, expireAt int64) *ZSet {
	return ks.restoreKey(key, KindZSet, expireAt).ZSet()
}

// FinishRestore accounts the memory of everything restored.
func (ks *Keyspace) FinishRestore() { ks.Flush() }

// TableSize returns the hash's table size, for snapshots.
func (h *Hash) TableSize() int { return h.d.TableSize() }

// TableSize returns the set's table size, for snapshots.
func (s *Set) TableSize() int { return s.d.TableSize() }
