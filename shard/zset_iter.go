package shard

// Each calls fn for every member in score order.
func (z *ZSet) Each(fn func(member string, score float64)) {
	z.d.Range(func(k string, v *float64) bool { fn(k, *v); return true })
}

// Set is the placeholder's insert (the real sorted set replaces it).
func (z *ZSet) Set(member []byte, score float64) bool {
	p, created := z.d.Put(member)
	*p = score
	return created
}
