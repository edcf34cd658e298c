package shard

import (
	"math/bits"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// Dict is a chained hash table keyed by string, shaped like Redis's dict so
// that SCAN keeps Redis's guarantee: a reverse-binary cursor visits every
// bucket of a power-of-two table, and growing or shrinking the table between
// two calls never makes it skip an element that was present throughout.
//
// Nodes never move once allocated, so a *V returned by Get stays valid until
// the key is deleted. The hash is seedless (xxhash), so the same sequence of
// operations gives the same table on every replica.
type Dict[V any] struct {
	table []*dictNode[V]
	used  int
}

type dictNode[V any] struct {
	next *dictNode[V]
	key  string
	val  V
}

const dictMinSize = 4

func hashKey(key string) uint64 { return xxhash.Sum64String(key) }

// Len returns the number of elements.
func (d *Dict[V]) Len() int { return d.used }

// Get returns a pointer to the value stored under key, or nil.
func (d *Dict[V]) Get(key string) *V {
	if d.used == 0 {
		return nil
	}
	n := d.table[hashKey(key)&uint64(len(d.table)-1)]
	for ; n != nil; n = n.next {
		if n.key == key {
			return &n.val
		}
	}
	return nil
}

// Find is Get that also returns the table's own copy of the key, which
// stays valid after the caller's key buffer is reused.
func (d *Dict[V]) Find(key string) (string, *V) {
	if d.used == 0 {
		return "", nil
	}
	n := d.table[hashKey(key)&uint64(len(d.table)-1)]
	for ; n != nil; n = n.next {
		if n.key == key {
			return n.key, &n.val
		}
	}
	return "", nil
}

// GetBytes is Get for a []byte key; it does not allocate.
func (d *Dict[V]) GetBytes(key []byte) *V { return d.Get(unsafeString(key)) }

// Put returns the value under key, inserting a zero value first when the key
// is absent (created reports which). The key is copied on insert.
func (d *Dict[V]) Put(key []byte) (v *V, created bool) {
	if p := d.GetBytes(key); p != nil {
		return p, false
	}
	return d.insert(string(key)), true
}

// PutKey is Put that also returns the table's copy of the key.
func (d *Dict[V]) PutKey(key []byte) (k string, v *V, created bool) {
	if k, p := d.Find(unsafeString(key)); p != nil {
		return k, p, false
	}
	k = string(key)
	return k, d.insert(k), true
}

// PutString is Put for a string key, which it keeps without copying.
func (d *Dict[V]) PutString(key string) (v *V, created bool) {
	if p := d.Get(key); p != nil {
		return p, false
	}
	return d.insert(key), true
}

func (d *Dict[V]) insert(key string) *V {
	if d.used >= len(d.table) {
		d.resize(max(dictMinSize, len(d.table)*2))
	}
	i := hashKey(key) & uint64(len(d.table)-1)
	n := &dictNode[V]{next: d.table[i], key: key}
	d.table[i] = n
	d.used++
	return &n.val
}

// Delete removes key and reports whether it was present.
func (d *Dict[V]) Delete(key string) bool {
	if d.used == 0 {
		return false
	}
	i := hashKey(key) & uint64(len(d.table)-1)
	for p := &d.table[i]; *p != nil; p = &(*p).next {
		if (*p).key == key {
			*p = (*p).next
			d.used--
			if len(d.table) > dictMinSize && d.used*8 < len(d.table) {
				d.resize(max(dictMinSize, len(d.table)/2))
			}
			return true
		}
	}
	return false
}

// resize rehashes at once. Each keyspace dict holds one hash slot, so tables
// stay small and a full rehash is short.
func (d *Dict[V]) resize(size int) {
	if d.used == 0 && size == dictMinSize && len(d.table) > size {
		d.table = nil
		return
	}
	nt := make([]*dictNode[V], size)
	mask := uint64(size - 1)
	for _, n := range d.table {
		for n != nil {
			next := n.next
			i := hashKey(n.key) & mask
			n.next = nt[i]
			nt[i] = n
			n = next
		}
	}
	d.table = nt
}

// Clear removes every element.
func (d *Dict[V]) Clear() { *d = Dict[V]{} }

// Range calls fn for every element until fn returns false. fn must not
// insert or delete.
func (d *Dict[V]) Range(fn func(key string, v *V) bool) {
	for _, n := range d.table {
		for ; n != nil; n = n.next {
			if !fn(n.key, &n.val) {
				return
			}
		}
	}
}

// Scan visits the bucket at cursor and returns the next cursor (0 when the
// iteration is complete). fn must not insert or delete.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v *V)) uint64 {
	if d.used == 0 {
		return 0
	}
	mask := uint64(len(d.table) - 1)
	for n := d.table[cursor&mask]; n != nil; n = n.next {
		fn(n.key, &n.val)
	}
	// Increment the reversed cursor over the bits of the mask.
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// Random returns a pseudo-random element using r as the source, or false
// when the dict is empty. Like Redis's dictGetRandomKey it picks a non-empty
// bucket, then an element of its chain, so it is not perfectly uniform.
func (d *Dict[V]) Random(r func(n uint64) uint64) (string, *V, bool) {
	if d.used == 0 {
		return "", nil, false
	}
	mask := uint64(len(d.table) - 1)
	var n *dictNode[V]
	for n == nil {
		n = d.table[r(mask+1)]
	}
	l := 0
	for p := n; p != nil; p = p.next {
		l++
	}
	for i := r(uint64(l)); i > 0; i-- {
		n = n.next
	}
	return n.key, &n.val, true
}

// TableSize returns the number of buckets. Snapshots record it so that a
// restored dict has the same layout, and so the same Random picks, as the
// replicas that built theirs by applying the log.
func (d *Dict[V]) TableSize() int { return len(d.table) }

// CloneLayout returns a copy with the same buckets and chain order, so
// that random picks from the copy match the original's. cp copies a value.
func (d *Dict[V]) CloneLayout(cp func(V) V) Dict[V] {
	c := Dict[V]{table: make([]*dictNode[V], len(d.table)), used: d.used}
	for i, n := range d.table {
		tail := &c.table[i]
		for ; n != nil; n = n.next {
			nn := &dictNode[V]{key: n.key, val: cp(n.val)}
			*tail = nn
			tail = &nn.next
		}
	}
	return c
}

// Reserve sets up an empty dict with size buckets (a power of two), for
// AppendOrdered.
func (d *Dict[V]) Reserve(size int) {
	if size < dictMinSize || size&(size-1) != 0 {
		size = dictMinSize
	}
	*d = Dict[V]{table: make([]*dictNode[V], size)}
}

// AppendOrdered adds key, known to be absent, at the tail of its chain
// without resizing. Fed the elements of a dict in Range order after
// Reserve(TableSize()), it rebuilds that dict's exact layout. When the
// table is full it falls back to a normal insert.
func (d *Dict[V]) AppendOrdered(key string) *V {
	if len(d.table) == 0 || d.used >= 2*len(d.table) {
		return d.insert(key)
	}
	p := &d.table[hashKey(key)&uint64(len(d.table)-1)]
	for *p != nil {
		p = &(*p).next
	}
	n := &dictNode[V]{key: key}
	*p = n
	d.used++
	return &n.val
}

// unsafeString views b as a string without copying. The caller must not
// keep the string past the lifetime of b's contents, nor change b meanwhile.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
