// Package shard holds the keyspace of one shard: values, expiry, memory
// accounting and the per-slot index. It is single-threaded by contract: no
// locks, no goroutines, no I/O and no clock reads. Callers pass "now" (unix
// milliseconds) so that every replica applying the same record decides the
// same way about expired keys.
package shard

// Kind is the Redis type of a value.
type Kind uint8

// Value kinds, in TYPE's words.
const (
	KindNone Kind = iota
	KindString
	KindList
	KindHash
	KindSet
	KindZSet
)

var kindNames = [...]string{"none", "string", "list", "hash", "set", "zset"}

func (k Kind) String() string { return kindNames[k] }

// Object is one key's value and metadata. It lives inside the slot table's
// node, so a pointer to it is stable until the key is deleted.
type Object struct {
	// Str is the value of a string key.
	Str []byte
	// coll is the *List, *Hash, *Set or *ZSet of a collection key.
	coll collection
	// ExpireAt is the absolute expiry in unix ms; 0 means no expiry.
	ExpireAt int64
	// LRU is the access clock used by eviction (seconds, wrapping).
	LRU uint32
	// LFU is Redis's 8-bit logarithmic access counter; it decays with the
	// minutes since LRU (see evict.go).
	LFU  uint8
	Kind Kind
	// flags marks the object dirty within the current write.
	flags uint8
}

const objDirty = 1

// collection is what the keyspace needs from a collection value: emptiness
// (an empty collection is deleted, as in Redis) and its memory footprint.
type collection interface {
	Len() int
	Mem() int
}

// List, Hash, Set and ZSet return the collection of an object of that kind.
func (o *Object) List() *List { return o.coll.(*List) }
func (o *Object) Hash() *Hash { return o.coll.(*Hash) }
func (o *Object) Set() *Set   { return o.coll.(*Set) }
func (o *Object) ZSet() *ZSet { return o.coll.(*ZSet) }

// Expired reports whether o is logically gone at now.
func (o *Object) Expired(now int64) bool { return o.ExpireAt != 0 && o.ExpireAt <= now }

// objOverhead approximates the fixed cost of one key: the table node, its
// bucket pointer and allocator rounding.
const objOverhead = 96

func objMem(key string, o *Object) int {
	n := objOverhead + len(key)
	if o.Kind == KindString {
		return n + cap(o.Str)
	}
	if o.coll != nil {
		n += o.coll.Mem()
	}
	return n
}

type dirtyRef struct {
	key    string
	obj    *Object
	oldMem int
	slot   int // key's, so that Flush need not hash it again
}

// Keyspace is the data of one shard. The zero value is not usable; call New.
type Keyspace struct {
	// slots holds each slot's table itself, not a pointer to it: a lookup
	// is a chain of dependent cache misses, and this saves one.
	slots    []slotTable // indexed by slot; empty until a key arrives
	occupied []uint16    // slots with at least one key, any order
	slotPos  []int32     // index of a slot in occupied, -1 if absent
	keys     int
	volatile Dict[*Object] // keys with an expiry, for active expiry
	expCur   uint64        // active-expiry scan cursor over volatile
	used     int64         // accounted bytes
	dirty    []dirtyRef
	stats    Stats
	capture  *Capture   // a snapshot in progress
	evict    evictState // eviction pool and access-counter randomness
}

// Stats counts keyspace events for INFO.
type Stats struct {
	Hits, Misses, ExpiredKeys, EvictedKeys int64
}

// New returns an empty keyspace.
func New() *Keyspace {
	ks := &Keyspace{
		slots:   make([]slotTable, NumSlots),
		slotPos: make([]int32, NumSlots),
	}
	for i := range ks.slotPos {
		ks.slotPos[i] = -1
	}
	return ks
}

// Len returns the number of keys, including expired keys not yet deleted
// (as Redis's DBSIZE does).
func (ks *Keyspace) Len() int { return ks.keys }

// VolatileLen returns the number of keys with an expiry.
func (ks *Keyspace) VolatileLen() int { return ks.volatile.Len() }

// UsedMemory returns the accounted bytes of all keys.
func (ks *Keyspace) UsedMemory() int64 { return ks.used }

// Stats returns the hit, miss, expiry and eviction counters.
func (ks *Keyspace) Stats() Stats { return ks.stats }

// SlotVersion returns a counter that changes whenever a key of slot is
// written. WATCH compares it to detect writes between WATCH and EXEC.
func (ks *Keyspace) SlotVersion(slot int) uint64 { return ks.slots[slot].ver }

// slotTable is one slot's keys and its version, side by side: a write
// finds its key through the one and bumps the other, and apart each was a
// cache miss of its own. The version outlives the keys (releaseSlot).
type slotTable struct {
	Dict[Object]
	ver uint64 // modification counter, for WATCH
}

func (ks *Keyspace) get(key []byte) *Object {
	return ks.slots[KeySlot(key)].GetBytes(key)
}

// Peek returns the object under key without expiry checks or statistics,
// for tools and tests.
func (ks *Keyspace) Peek(key []byte) *Object { return ks.get(key) }

// Lookup returns the live object under key for a read, or nil when the key
// is absent or expired. Expired keys are hidden, never deleted here: only a
// replicated record deletes.
func (ks *Keyspace) Lookup(key []byte, now int64) *Object {
	o := ks.get(key)
	if o == nil || o.Expired(now) {
		ks.stats.Misses++
		return nil
	}
	ks.stats.Hits++
	ks.touch(o, now)
	return o
}

// Exists reports whether key is live at now, without touching statistics.
func (ks *Keyspace) Exists(key []byte, now int64) bool {
	o := ks.get(key)
	return o != nil && !o.Expired(now)
}

// LookupWrite returns the live object under key for a mutation, or nil.
// An expired key is deleted first; this is deterministic because writes run
// with the record's time on every replica. The object is marked dirty: when
// the write ends, Flush re-accounts its memory and deletes it if it is an
// empty collection.
func (ks *Keyspace) LookupWrite(key []byte, now int64) *Object {
	slot := KeySlot(key)
	k, o := ks.slots[slot].Find(unsafeString(key))
	if o == nil {
		return nil
	}
	if o.Expired(now) {
		ks.deleteExpired(k)
		return nil
	}
	ks.markDirty(slot, k, o)
	ks.touch(o, now)
	return o
}

// find returns the table's copy of key and its object, or nil.
func (ks *Keyspace) find(key []byte) (string, *Object) {
	return ks.slots[KeySlot(key)].Find(unsafeString(key))
}

// markDirty records o's accounted size before a write changes it; k must
// be the table's copy of the key, which outlives the command, and slot
// its slot.
func (ks *Keyspace) markDirty(slot int, k string, o *Object) {
	if o.flags&objDirty != 0 {
		return
	}
	if ks.capture != nil {
		ks.beforeWrite(slot)
	}
	o.flags |= objDirty
	ks.dirty = append(ks.dirty, dirtyRef{key: k, obj: o, oldMem: objMem(k, o), slot: slot})
}

// Create gives key a new empty value of kind and returns it. Any old value
// under key, live or expired, is dropped with its expiry.
func (ks *Keyspace) Create(key []byte, kind Kind, now int64) *Object {
	slot := KeySlot(key)
	ks.beforeWrite(slot)
	d := &ks.slots[slot]
	if d.Len() == 0 {
		ks.slotPos[slot] = int32(len(ks.occupied))
		ks.occupied = append(ks.occupied, uint16(slot))
	}
	k, o, created := d.PutKey(key)
	if created {
		ks.keys++
		o.LFU = lfuInitVal
		o.flags |= objDirty
		ks.dirty = append(ks.dirty, dirtyRef{key: k, obj: o, slot: slot})
	} else {
		ks.markDirty(slot, k, o)
		if o.ExpireAt != 0 {
			ks.volatile.Delete(k)
			o.ExpireAt = 0
		}
		o.Str, o.coll = nil, nil
	}
	d.ver++
	o.Kind = kind
	o.LRU = uint32(now / 1000)
	switch kind {
	case KindList:
		o.coll = &List{}
	case KindHash:
		o.coll = newHash()
	case KindSet:
		o.coll = newSet()
	case KindZSet:
		o.coll = newZSet()
	}
	return o
}

// SetString stores val under key as a string, dropping any old value and
// expiry. val is kept, not copied.
func (ks *Keyspace) SetString(key, val []byte, now int64) *Object {
	return ks.StoreString(key, ks.LookupWrite(key, now), val, now)
}

// StoreString is SetString for a caller that already holds the result of
// LookupWrite(key) in old, saving a second lookup on the hottest write.
func (ks *Keyspace) StoreString(key []byte, old *Object, val []byte, now int64) *Object {
	o := old
	if o == nil || o.Kind != KindString {
		o = ks.Create(key, KindString, now)
	}
	o.Str = val
	if o.ExpireAt != 0 {
		ks.SetExpire(key, o, 0)
	}
	return o
}

// Delete removes key (live or expired) and reports whether it existed.
func (ks *Keyspace) Delete(key []byte) bool {
	return ks.deleteKey(unsafeString(key))
}

// deleteExpired removes a key that is logically gone already. It does not
// bump the slot version: as in Redis, a watched key that had expired when
// it was watched is not "modified" by its removal.
func (ks *Keyspace) deleteExpired(key string) {
	if ks.removeKey(key, false) {
		ks.stats.ExpiredKeys++
	}
}

func (ks *Keyspace) deleteKey(key string) bool { return ks.removeKey(key, true) }

func (ks *Keyspace) removeKey(key string, bump bool) bool {
	slot := KeySlot(key)
	d := &ks.slots[slot]
	o := d.Get(key)
	if o == nil {
		return false
	}
	ks.beforeWrite(slot)
	mem := objMem(key, o)
	if o.flags&objDirty != 0 {
		for i := range ks.dirty {
			if ks.dirty[i].obj == o {
				mem = ks.dirty[i].oldMem
				ks.dirty[i].obj = nil
				break
			}
		}
	}
	ks.used -= int64(mem)
	if o.ExpireAt != 0 {
		ks.volatile.Delete(key)
	}
	o.Kind = KindNone
	o.coll = nil
	d.Delete(key)
	ks.keys--
	if bump {
		d.ver++
	}
	if d.Len() == 0 {
		ks.releaseSlot(slot)
	}
	return true
}

func (ks *Keyspace) releaseSlot(slot int) {
	i := ks.slotPos[slot]
	last := ks.occupied[len(ks.occupied)-1]
	ks.occupied[i] = last
	ks.slotPos[last] = i
	ks.occupied = ks.occupied[:len(ks.occupied)-1]
	ks.slotPos[slot] = -1
	ks.slots[slot].Dict = Dict[Object]{}
}

// SetExpire sets (at > 0) or clears (at == 0) the expiry of a live key.
func (ks *Keyspace) SetExpire(key []byte, o *Object, at int64) {
	if ks.capture != nil {
		ks.beforeWrite(KeySlot(key))
	}
	if (o.ExpireAt != 0) != (at != 0) {
		if at != 0 {
			k, _ := ks.find(key)
			v, _ := ks.volatile.PutString(k)
			*v = o
		} else {
			ks.volatile.Delete(unsafeString(key))
		}
	}
	o.ExpireAt = at
}

// Flush ends a write: it deletes collections the write emptied, re-accounts
// the memory of every object it touched and bumps their slot versions.
// Command execution calls it once per write command.
func (ks *Keyspace) Flush() {
	for _, r := range ks.dirty {
		o := r.obj
		if o == nil || o.Kind == KindNone {
			continue
		}
		o.flags &^= objDirty
		if o.coll != nil && o.coll.Len() == 0 {
			ks.used += int64(objMem(r.key, o) - r.oldMem)
			ks.deleteKey(r.key)
			continue
		}
		ks.used += int64(objMem(r.key, o) - r.oldMem)
		ks.slots[r.slot].ver++
	}
	clear(ks.dirty)
	ks.dirty = ks.dirty[:0]
}

// FlushAll deletes every key.
func (ks *Keyspace) FlushAll() {
	ks.beforeFlushAll()
	for _, slot := range ks.occupied {
		ks.slots[slot].ver++
		ks.slots[slot].Dict = Dict[Object]{}
		ks.slotPos[slot] = -1
	}
	ks.occupied = ks.occupied[:0]
	ks.keys = 0
	ks.used = 0
	ks.volatile.Clear()
	ks.expCur = 0
	clear(ks.dirty)
	ks.dirty = ks.dirty[:0]
}
