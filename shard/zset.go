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

// Clone returns a deep copy.
func (z *ZSet) Clone() *ZSet {
	c := &ZSet{mem: z.mem}
	z.d.Range(func(k string, v *float64) bool {
		p, _ := c.d.PutString(k)
		*p = *v
		return true
	})
	return c
}
