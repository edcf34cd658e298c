package shard

// Set is a Redis set of byte strings.
type Set struct {
	d   Dict[struct{}]
	mem int
}

func newSet() *Set { return &Set{} }

// Len returns the number of members.
func (s *Set) Len() int { return s.d.Len() }

// Mem returns the approximate bytes held by the set.
func (s *Set) Mem() int { return s.mem + 40*s.d.Len() }
