package shard

// ZSet is a Redis sorted set: a dict member → score for O(1) ZSCORE and a
// skip list ordered by (score, member) for ranks and ranges in O(log n).
// The dict's key string and the node share one copy of the member.
type ZSet struct {
	d      Dict[float64]
	header *ZNode
	tail   *ZNode
	level  int
	length int
	mem    int
	rnd    uint64
	// big mirrors Redis's one-way conversion of a small listpack-encoded
	// set to a skip list, which changes what clients can see: ZSCAN of a
	// listpack returns everything in order at once, and a listpack stores
	// a score of -0 as 0.
	big bool
}

// Redis's default zset-max-listpack-entries and zset-max-listpack-value.
const (
	zSmallEntries = 128
	zSmallValue   = 64
)

// Memory estimates: a node with one level, its dict entry and table slot,
// and the per-level cost of taller nodes.
const (
	zElemOverhead  = 112
	zLevelOverhead = 24
	zSetOverhead   = 64 + zMaxLevel*zLevelOverhead
)

// zSeed starts every set's level generator at the same state.
const zSeed = 0x9e3779b97f4a7c15

func newZSet() *ZSet {
	return &ZSet{
		header: newZNode(zMaxLevel, 0, ""),
		level:  1,
		mem:    zSetOverhead,
		rnd:    zSeed,
	}
}

// Len returns the number of members.
func (z *ZSet) Len() int { return z.length }

// Mem returns the approximate bytes held by the sorted set.
func (z *ZSet) Mem() int { return z.mem }

// Small reports whether Redis would still hold this set as a listpack.
func (z *ZSet) Small() bool { return !z.big }

func nodeMem(x *ZNode) int {
	return zElemOverhead + len(x.member) + zLevelOverhead*(x.height-1)
}

// Score returns the score of member.
func (z *ZSet) Score(member []byte) (float64, bool) {
	p := z.d.GetBytes(member)
	if p == nil {
		return 0, false
	}
	return *p, true
}

// Set gives member the score, inserting it when absent (created reports
// which). The member bytes are copied.
func (z *ZSet) Set(member []byte, score float64) (created bool) {
	if p := z.d.GetBytes(member); p != nil {
		if *p != score {
			z.update(unsafeString(member), p, score)
		}
		return false
	}
	if !z.big && (z.length+1 > zSmallEntries || len(member) > zSmallValue) {
		z.big = true
	}
	score = z.normalize(score)
	m := string(member)
	p, _ := z.d.PutString(m)
	*p = score
	x := newZNode(z.randomLevel(), score, m)
	z.link(x)
	z.mem += nodeMem(x)
	return true
}

func (z *ZSet) update(member string, p *float64, score float64) {
	var update [zMaxLevel]*ZNode
	x := z.find(*p, member, &update)
	score = z.normalize(score)
	*p = score
	z.moveNode(x, score, &update)
}

// normalize turns -0 into 0 while the set is small: a listpack keeps
// scores as text written by d2string, which prints -0 as "0".
func (z *ZSet) normalize(score float64) float64 {
	if !z.big && score == 0 {
		return 0
	}
	return score
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member []byte) bool {
	p := z.d.GetBytes(member)
	if p == nil {
		return false
	}
	var update [zMaxLevel]*ZNode
	x := z.find(*p, unsafeString(member), &update)
	z.unlink(x, &update)
	z.d.Delete(x.member)
	z.mem -= nodeMem(x)
	return true
}

// Rank returns the 0-based ascending rank of member.
func (z *ZSet) Rank(member []byte) (int, bool) {
	p := z.d.GetBytes(member)
	if p == nil {
		return 0, false
	}
	return z.rankOf(*p, unsafeString(member)) - 1, true
}

// At returns the node of 0-based ascending rank r, or nil.
func (z *ZSet) At(r int) *ZNode { return z.byRank(r + 1) }

// First returns the lowest node, or nil.
func (z *ZSet) First() *ZNode { return z.header.lv(0).forward }

// Last returns the highest node, or nil.
func (z *ZSet) Last() *ZNode { return z.tail }

// RemoveRanks deletes the members of 0-based ranks lo..hi-1 and returns how
// many it deleted.
func (z *ZSet) RemoveRanks(lo, hi int) int {
	lo, hi = max(lo, 0), min(hi, z.length)
	if lo >= hi {
		return 0
	}
	z.deleteRanks(lo+1, hi, func(x *ZNode) {
		z.d.Delete(x.member)
		z.mem -= nodeMem(x)
	})
	return hi - lo
}

// Scan visits the dict bucket at cursor, calling fn for each member, and
// returns the next cursor (0 when done), with Dict.Scan's guarantees.
func (z *ZSet) Scan(cursor uint64, fn func(member string, score float64)) uint64 {
	return z.d.Scan(cursor, func(k string, v *float64) { fn(k, *v) })
}

// Clone returns a deep copy with the same structure. Members are shared:
// they are immutable strings.
func (z *ZSet) Clone() *ZSet {
	c := newZSet()
	c.rnd, c.big = z.rnd, z.big
	var last [zMaxLevel]*ZNode
	var lastRank [zMaxLevel]int
	for i := range last {
		last[i] = c.header
	}
	r := 0
	for x := z.First(); x != nil; x = x.Next() {
		r++
		y := newZNode(x.height, x.score, x.member)
		for i := range y.height {
			*last[i].lv(i) = zLevel{forward: y, span: r - lastRank[i], score: y.score}
			last[i], lastRank[i] = y, r
		}
		y.backward = c.tail
		c.tail = y
		p, _ := c.d.PutString(y.member)
		*p = y.score
	}
	for i := range last {
		last[i].lv(i).span = r - lastRank[i]
	}
	c.level, c.length, c.mem = z.level, z.length, z.mem
	return c
}

// Each calls fn for every member in score order.
func (z *ZSet) Each(fn func(member string, score float64)) {
	for x := z.First(); x != nil; x = x.Next() {
		fn(x.Member(), x.Score())
	}
}
