package shard

import (
	"errors"
	"unsafe"
)

// Keyspace operations of the generic key commands (RENAME, COPY, EXPIRE,
// TTL, KEYS...) that need more than the per-key API of keyspace.go.

// LookupNoTouch is Lookup without the access-clock update: Redis's
// LOOKUP_NOTOUCH, used by EXISTS, TYPE and TTL so that asking about a key
// does not make it look recently used to eviction. Hits and misses still
// count, as in Redis.
func (ks *Keyspace) LookupNoTouch(key []byte, now int64) *Object {
	o := ks.get(key)
	if o == nil || o.Expired(now) {
		ks.stats.Misses++
		return nil
	}
	ks.stats.Hits++
	return o
}

// LookupLive is for a write that may turn out to change nothing (EXPIRE
// NX on a key that has a TTL, PERSIST on a persistent key): an expired key
// is deleted as LookupWrite does, but the object is not marked dirty, so
// its slot version (WATCH) only moves if the caller then calls LookupWrite
// to change it.
func (ks *Keyspace) LookupLive(key []byte, now int64) *Object {
	o := ks.get(key)
	if o == nil {
		return nil
	}
	if o.Expired(now) {
		ks.deleteExpired(unsafeString(key))
		return nil
	}
	return o
}

// Rename moves the live value of src to dst, replacing dst, keeping the
// value's expiry and access clock as Redis's RENAME does. It reports false
// when src is not live. The value is moved, not copied: O(1) whatever its
// size.
func (ks *Keyspace) Rename(src, dst []byte, now int64) bool {
	o := ks.LookupWrite(src, now)
	if o == nil {
		return false
	}
	if string(src) == string(dst) {
		return true
	}
	moved := *o
	ks.Delete(src)
	ks.Delete(dst) // see Copy
	n := ks.Create(dst, KindNone, now)
	n.Kind, n.Str, n.coll, n.LRU, n.LFU = moved.Kind, moved.Str, moved.coll, moved.LRU, moved.LFU
	ks.SetExpire(dst, n, moved.ExpireAt)
	return true
}

// ErrNotCloneable is returned by Copy for a collection type that has no
// Clone method yet.
var ErrNotCloneable = errors.New("value type cannot be copied")

// Copy copies the live value of src, with its expiry, to dst. When dst is
// live it is replaced only with replace; copied reports whether the copy
// happened (false also when src is absent). src and dst must differ.
func (ks *Keyspace) Copy(src, dst []byte, replace bool, now int64) (copied bool, err error) {
	o := ks.Lookup(src, now)
	if o == nil {
		return false, nil
	}
	if ks.LookupLive(dst, now) != nil && !replace {
		return false, nil
	}
	var coll collection
	if o.coll != nil {
		if coll = cloneColl(o.coll); coll == nil {
			return false, ErrNotCloneable
		}
	}
	// Create would replace dst itself, but when dst is alone in its slot
	// that releases the slot's table under Create's feet; delete first.
	// Nodes never move, so o survives the delete and the insert.
	ks.Delete(dst)
	n := ks.Create(dst, KindNone, now)
	n.Kind, n.coll = o.Kind, coll
	if o.Kind == KindString {
		n.Str = append(make([]byte, 0, len(o.Str)), o.Str...)
	}
	ks.SetExpire(dst, n, o.ExpireAt)
	return true, nil
}

// cloneColl deep-copies a collection through the Clone method each
// collection type provides (func (x *T) Clone() *T). The per-type interface
// assertions keep this file independent of which types have Clone; a type
// without it yields nil.
func cloneColl(c collection) collection {
	switch x := c.(type) {
	case interface{ Clone() *List }:
		return x.Clone()
	case interface{ Clone() *Hash }:
		return x.Clone()
	case interface{ Clone() *Set }:
		return x.Clone()
	case interface{ Clone() *ZSet }:
		return x.Clone()
	}
	return nil
}

// MatchKey is Match for a key held as a string (as Range and Scan pass
// them), without copying it.
func MatchKey(pattern []byte, key string) bool {
	return Match(pattern, unsafe.Slice(unsafe.StringData(key), len(key)), false)
}
