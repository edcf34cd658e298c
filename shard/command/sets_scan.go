package command

import "github.com/ember-node/ember-node/shard"

func sscanCmd(c *Ctx, argv [][]byte) {
	s, r, ok := scanStart(c, argv, setKind)
	if !ok {
		return
	}
	ks := keyedSet{s}
	out, cursor := scanPage(r, s.Len() <= smallScanLen, 1, ks.Range, ks.Scan)
	writeCursor(c, cursor)
	c.W.Array(len(out))
	for _, e := range out {
		c.W.BulkString(e.key)
	}
}

// keyedSet views a set as members with empty values, the shape of the
// helpers shared with hashes and sorted sets (randomPicks, scanPage).
type keyedSet struct{ s *shard.Set }

func (k keyedSet) Range(fn func(string, struct{}) bool) {
	k.s.Range(func(m string) bool { return fn(m, struct{}{}) })
}

func (k keyedSet) Scan(cursor uint64, fn func(string, struct{})) uint64 {
	return k.s.Scan(cursor, func(m string) { fn(m, struct{}{}) })
}

func (k keyedSet) Random(r func(n uint64) uint64) (string, struct{}) {
	m, _ := k.s.Random(r)
	return m, struct{}{}
}
