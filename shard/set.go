package shard

// Set is a Redis set of byte strings. Members are the keys of a dict, held
// as Go strings: being immutable, they may be shared between sets (a SUNION
// result keeps its sources' strings) without copying.
//
// The zero value is an empty set, ready to use.
type Set struct {
	d   Dict[struct{}]
	mem int // bytes of member strings
}

// setMemberOverhead approximates a member's fixed cost: the dict node, its
// bucket pointer and allocator rounding.
const setMemberOverhead = 40

func newSet() *Set { return &Set{} }

// Len returns the number of members.
func (s *Set) Len() int { return s.d.Len() }

// Mem returns the approximate bytes held by the set.
func (s *Set) Mem() int { return s.mem + setMemberOverhead*s.d.Len() }

// Add inserts a copy of m and reports whether it was new.
func (s *Set) Add(m []byte) bool {
	_, created := s.d.Put(m)
	if created {
		s.mem += len(m)
	}
	return created
}

// AddString inserts m, keeping the string, and reports whether it was new.
func (s *Set) AddString(m string) bool {
	_, created := s.d.PutString(m)
	if created {
		s.mem += len(m)
	}
	return created
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool { return s.d.GetBytes(m) != nil }

// HasString reports whether m is a member.
func (s *Set) HasString(m string) bool { return s.d.Get(m) != nil }

// Remove deletes m and reports whether it was a member.
func (s *Set) Remove(m []byte) bool { return s.RemoveString(unsafeString(m)) }

// RemoveString deletes m and reports whether it was a member.
func (s *Set) RemoveString(m string) bool {
	if !s.d.Delete(m) {
		return false
	}
	s.mem -= len(m)
	return true
}

// Range calls fn for every member until fn returns false. fn must not
// write the set.
func (s *Set) Range(fn func(m string) bool) {
	s.d.Range(func(k string, _ *struct{}) bool { return fn(k) })
}

// Scan visits one bucket from cursor, as Dict.Scan, for SSCAN.
func (s *Set) Scan(cursor uint64, fn func(m string)) uint64 {
	return s.d.Scan(cursor, func(k string, _ *struct{}) { fn(k) })
}

// Random returns a random member, drawing from r (r(n) must be in [0, n));
// ok is false when the set is empty.
func (s *Set) Random(r func(n uint64) uint64) (m string, ok bool) {
	k, _, ok := s.d.Random(r)
	return k, ok
}

// Clone returns a copy of s. Members are immutable strings, so sharing
// them is a deep copy in effect.
func (s *Set) Clone() *Set {
	c := newSet()
	s.d.Range(func(k string, _ *struct{}) bool {
		c.AddString(k)
		return true
	})
	return c
}
