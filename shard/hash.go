package shard

// Hash is a Redis hash: field → value.
//
// A new field is stored in one allocation that holds the field's bytes and
// then its value's: the dict key is a string view of the front, the value a
// slice of the back. A later value is written in place when it fits without
// wasting much, and otherwise the field is stored afresh, so a value that
// shrank never pins its old buffer.
type Hash struct {
	d   Dict[[]byte]
	mem int // bytes of field and value buffers
}

// hashFieldOverhead approximates a field's fixed cost: the dict node (next
// pointer, key string header, value slice header), its bucket pointer and
// allocator rounding.
const hashFieldOverhead = 64

func newHash() *Hash { return &Hash{} }

// Len returns the number of fields.
func (h *Hash) Len() int { return h.d.Len() }

// Mem returns the approximate bytes held by the hash.
func (h *Hash) Mem() int { return h.mem + hashFieldOverhead*h.d.Len() }

// Get returns the value of field and whether it exists. The value aliases
// the hash's storage: it is valid until the hash is next written.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	p := h.d.GetBytes(field)
	if p == nil {
		return nil, false
	}
	return *p, true
}

// Set stores a copy of val under field and reports whether the field is new.
func (h *Hash) Set(field, val []byte) bool {
	p := h.d.GetBytes(field)
	if p == nil {
		h.insert(unsafeString(field), val)
		return true
	}
	old := *p
	if len(val) <= cap(old) && cap(old) <= 2*len(val)+32 {
		*p = append(old[:0], val...)
		return false
	}
	// The old buffer also holds the field: store both anew.
	h.mem -= len(field) + cap(old)
	h.d.Delete(unsafeString(field))
	h.insert(unsafeString(field), val)
	return false
}

// insert adds field, which must be absent, copying field and val.
func (h *Hash) insert(field string, val []byte) {
	nf := len(field)
	buf := make([]byte, nf+len(val))
	copy(buf, field)
	copy(buf[nf:], val)
	p, _ := h.d.PutString(unsafeString(buf[:nf]))
	*p = buf[nf:len(buf):len(buf)]
	h.mem += len(buf)
}

// Delete removes field and reports whether it existed.
func (h *Hash) Delete(field []byte) bool {
	p := h.d.GetBytes(field)
	if p == nil {
		return false
	}
	h.mem -= len(field) + cap(*p)
	h.d.Delete(unsafeString(field))
	return true
}

// Range calls fn for every field until fn returns false. fn must not write
// the hash.
func (h *Hash) Range(fn func(field string, val []byte) bool) {
	h.d.Range(func(k string, v *[]byte) bool { return fn(k, *v) })
}

// Scan visits one bucket from cursor, as Dict.Scan, for HSCAN.
func (h *Hash) Scan(cursor uint64, fn func(field string, val []byte)) uint64 {
	return h.d.Scan(cursor, func(k string, v *[]byte) { fn(k, *v) })
}

// Random returns a random field and its value, drawing from r (r(n) must
// be in [0, n)); ok is false when the hash is empty.
func (h *Hash) Random(r func(n uint64) uint64) (field string, val []byte, ok bool) {
	k, v, ok := h.d.Random(r)
	if !ok {
		return "", nil, false
	}
	return k, *v, true
}

// Clone returns a deep copy that shares no buffers with h.
func (h *Hash) Clone() *Hash {
	c := newHash()
	h.d.Range(func(k string, v *[]byte) bool {
		c.insert(k, *v)
		return true
	})
	return c
}
