package shard

// Each calls fn for every member in score order.
func (z *ZSet) Each(fn func(member string, score float64)) {
	for x := z.First(); x != nil; x = x.Next() {
		fn(x.Member(), x.Score())
	}
}
