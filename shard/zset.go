package shard

// ZSet is a Redis sorted set. (Placeholder until the sorted-set family lands.)
type ZSet struct {
	d   Dict[float64]
	mem int
}

func newZSet() *ZSet { return &ZSet{} }

// Len returns the number of members.
func (z *ZSet) Len() int { return z.d.Len() }

// Mem returns the approximate bytes held by the sorted set.
func (z *ZSet) Mem() int { return z.mem + 80*z.d.Len() }
