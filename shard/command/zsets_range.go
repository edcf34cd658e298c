package command

import "github.com/ember-node/ember-node/shard"

// How a ZRANGE-family command addresses its range.
const (
	zByAuto = iota // ZRANGE: from the options
	zByRank
	zByScore
	zByLex
)

// Direction of a ZRANGE-family command.
const (
	zDirAuto = iota // ZRANGE: from the options
	zDirFwd
	zDirRev
)

func zsetRangeCommands() []*Spec {
	const g = zgroup
	spec := func(name string, by, dir int, summary string) *Spec {
		return &Spec{Name: name, Arity: -4, Flags: ReadOnly, First: 1, Last: 1, Step: 1, Group: g, Summary: summary,
			Exec: func(c *Ctx, argv [][]byte) { zrangeGeneric(c, argv, by, dir) }}
	}
	ro := ReadOnly | Fast
	return []*Spec{
		spec("zrange", zByAuto, zDirAuto, "Returns members in a sorted set within a range of indexes."),
		spec("zrevrange", zByRank, zDirRev, "Returns members in a sorted set within a range of indexes in reverse order."),
		spec("zrangebyscore", zByScore, zDirFwd, "Returns members in a sorted set within a range of scores."),
		spec("zrevrangebyscore", zByScore, zDirRev, "Returns members in a sorted set within a range of scores in reverse order."),
		spec("zrangebylex", zByLex, zDirFwd, "Returns members in a sorted set within a lexicographical range."),
		spec("zrevrangebylex", zByLex, zDirRev, "Returns members in a sorted set within a lexicographical range in reverse order."),
		{Name: "zcount", Arity: 4, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zcountCmd, Group: g, Summary: "Returns the count of members in a sorted set that have scores within a range."},
		{Name: "zlexcount", Arity: 4, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zlexcountCmd, Group: g, Summary: "Returns the number of members in a sorted set within a lexicographical range."},
		{Name: "zremrangebyrank", Arity: 4, Flags: Write, First: 1, Last: 1, Step: 1, Prepare: zremrangePrepare(zByRank), Exec: zremrangeCmd(zByRank), Group: g, Summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed."},
		{Name: "zremrangebyscore", Arity: 4, Flags: Write, First: 1, Last: 1, Step: 1, Prepare: zremrangePrepare(zByScore), Exec: zremrangeCmd(zByScore), Group: g, Summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed."},
		{Name: "zremrangebylex", Arity: 4, Flags: Write, First: 1, Last: 1, Step: 1, Prepare: zremrangePrepare(zByLex), Exec: zremrangeCmd(zByLex), Group: g, Summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed."},
	}
}

// zrangeArgs is a parsed ZRANGE-family command.
type zrangeArgs struct {
	by         int
	rev        bool
	withScores bool
	offset     int64
	limit      int64 // -1: no limit
	start, end int64 // by rank
	score      shard.ScoreRange
	lex        shard.LexRange
}

// parseZRange parses argv as Redis's zrangeGenericCommand does, with the
// same order of checks: options (LIMIT's integers included), conflicts,
// then the range itself.
func parseZRange(argv [][]byte, by, dir int) (zrangeArgs, string) {
	a := zrangeArgs{limit: -1}
	for j := 4; j < len(argv); j++ {
		left := len(argv) - j - 1
		switch arg := argv[j]; {
		case eq(arg, "WITHSCORES"):
			a.withScores = true
		case eq(arg, "LIMIT") && left >= 2:
			var ok1, ok2 bool
			a.offset, ok1 = ParseInt(argv[j+1])
			a.limit, ok2 = ParseInt(argv[j+2])
			if !ok1 || !ok2 {
				return a, ErrNotInt
			}
			j += 2
		case dir == zDirAuto && eq(arg, "REV"):
			dir = zDirRev
		case by == zByAuto && eq(arg, "BYLEX"):
			by = zByLex
		case by == zByAuto && eq(arg, "BYSCORE"):
			by = zByScore
		default:
			return a, ErrSyntax
		}
	}
	a.by, a.rev = max(by, zByRank), dir == zDirRev
	if a.limit != -1 && a.by == zByRank {
		return a, errZLimitRank
	}
	if a.withScores && a.by == zByLex {
		return a, errZLexScores
	}
	lo, hi := argv[2], argv[3]
	if a.rev && a.by != zByRank {
		lo, hi = hi, lo
	}
	return a, a.parseRange(lo, hi)
}

func (a *zrangeArgs) parseRange(lo, hi []byte) string {
	var ok1, ok2 bool
	switch a.by {
	case zByScore:
		if a.score, ok1 = parseScoreRange(lo, hi); !ok1 {
			return errZNotFloat
		}
	case zByLex:
		if a.lex, ok1 = parseLexRange(lo, hi); !ok1 {
			return errZNotLex
		}
	default:
		a.start, ok1 = ParseInt(lo)
		a.end, ok2 = ParseInt(hi)
		if !ok1 || !ok2 {
			return ErrNotInt
		}
	}
	return ""
}

func zrangeGeneric(c *Ctx, argv [][]byte, by, dir int) {
	a, msg := parseZRange(argv, by, dir)
	if failed(c, msg) {
		return
	}
	z, ok := zsetKind.read(c, argv[1], emptyAbsent)
	if !ok {
		return
	}
	if a.by == zByLex {
		zemitLex(c, z, &a)
		return
	}
	lo, hi := a.ranks(z)
	if a.by == zByScore {
		// A rank range ignores LIMIT, which parsing allows as "LIMIT x -1".
		lo, hi = limitRanks(lo, hi, a.rev, a.offset, a.limit)
	}
	zemit(c, z, lo, hi, a.rev, a.withScores)
}

// ranks returns the ascending 0-based ranks [lo, hi) of a rank or score
// range, before LIMIT.
func (a *zrangeArgs) ranks(z *shard.ZSet) (int, int) {
	if a.by == zByScore {
		return z.ScoreRanks(a.score)
	}
	lo, hi := indexRange(a.start, a.end, z.Len())
	if a.rev {
		// Reverse indexes count from the highest member.
		n := z.Len()
		lo, hi = n-hi, n-lo
	}
	return lo, hi
}

// limitRanks applies LIMIT offset count to [lo, hi) walked upward, or
// downward when rev. As in Redis, a negative offset selects nothing and a
// negative count means all.
func limitRanks(lo, hi int, rev bool, offset, limit int64) (int, int) {
	n := int64(hi - lo)
	if offset < 0 || offset >= n {
		return lo, lo
	}
	n -= offset
	if limit >= 0 {
		n = min(n, limit)
	}
	if rev {
		hi -= int(offset)
		return hi - int(n), hi
	}
	lo += int(offset)
	return lo, lo + int(n)
}

// zemit replies with the members of ranks [lo, hi), downward when rev:
// [member, score] pairs in RESP3, flat in RESP2.
func zemit(c *Ctx, z *shard.ZSet, lo, hi int, rev, withScores bool) {
	n := hi - lo
	pairs := withScores && c.W.Resp3()
	if withScores && !pairs {
		c.W.Array(2 * n)
	} else {
		c.W.Array(n)
	}
	if n == 0 {
		return
	}
	x := z.At(lo)
	if rev {
		x = z.At(hi - 1)
	}
	for i := 0; i < n; i++ {
		if pairs {
			c.W.Array(2)
		}
		c.W.BulkString(x.Member())
		if withScores {
			c.W.Double(x.Score())
		}
		if rev {
			x = x.Prev()
		} else {
			x = x.Next()
		}
	}
}

// zemitLex replies with a lex range the way Redis walks it: from its first
// (last when reversed) node, skip offset nodes, then take nodes while the
// other bound holds, up to the limit. See shard/zset_range.go for why.
func zemitLex(c *Ctx, z *shard.ZSet, a *zrangeArgs) {
	r := &a.lex
	var x *shard.ZNode
	if a.rev {
		x = z.LastInLex(r)
	} else {
		x = z.FirstInLex(r)
	}
	if x != nil && a.offset != 0 {
		// A negative offset walks off the end, as Redis's "offset--" loop.
		rank := int64(z.RankOf(x))
		if a.rev {
			rank -= a.offset
		} else {
			rank += a.offset
		}
		x = nil
		if a.offset > 0 && rank >= 0 && rank < int64(z.Len()) {
			x = z.At(int(rank))
		}
	}
	n := 0
	for y := x; y != nil && int64(n) != a.limit && lexHolds(r, y, a.rev); y = lexStep(y, a.rev) {
		n++
	}
	c.W.Array(n)
	for ; n > 0; n-- {
		c.W.BulkString(x.Member())
		x = lexStep(x, a.rev)
	}
}

func lexHolds(r *shard.LexRange, x *shard.ZNode, rev bool) bool {
	if rev {
		return r.GteMin(x.Member())
	}
	return r.LteMax(x.Member())
}

func lexStep(x *shard.ZNode, rev bool) *shard.ZNode {
	if rev {
		return x.Prev()
	}
	return x.Next()
}

func zcountCmd(c *Ctx, argv [][]byte)    { zcountGeneric(c, argv, zByScore) }
func zlexcountCmd(c *Ctx, argv [][]byte) { zcountGeneric(c, argv, zByLex) }

func zcountGeneric(c *Ctx, argv [][]byte, by int) {
	a, msg := parseZBounds(argv, by)
	if failed(c, msg) {
		return
	}
	z, ok := zsetKind.read(c, argv[1], zeroAbsent)
	if !ok {
		return
	}
	switch {
	case by == zByLex:
		c.W.Int(int64(z.LexCount(&a.lex)))
	default:
		lo, hi := a.ranks(z)
		c.W.Int(int64(hi - lo))
	}
}

// parseZBounds parses the min and max (argv[2] and argv[3]) of ZCOUNT,
// ZLEXCOUNT and ZREMRANGEBY*, addressed by by.
func parseZBounds(argv [][]byte, by int) (zrangeArgs, string) {
	a := zrangeArgs{by: by}
	msg := a.parseRange(argv[2], argv[3])
	return a, msg
}

func zremrangePrepare(by int) func(*Ctx, [][]byte) ([][]byte, error) {
	return func(c *Ctx, argv [][]byte) ([][]byte, error) {
		if _, msg := parseZBounds(argv, by); msg != "" {
			return nil, ReplyError(msg)
		}
		return argv, nil
	}
}

func zremrangeCmd(by int) func(*Ctx, [][]byte) {
	return func(c *Ctx, argv [][]byte) {
		a, msg := parseZBounds(argv, by)
		if failed(c, msg) {
			return
		}
		z, ok := peekZSet(c, argv[1], zeroAbsent)
		if !ok {
			return
		}
		var lo, hi int
		if by == zByLex {
			lo, hi = z.LexRemoveRanks(&a.lex)
		} else {
			lo, hi = a.ranks(z)
		}
		n := 0
		if lo < hi {
			c.KS.LookupWrite(argv[1], c.Now)
			n = z.RemoveRanks(lo, hi)
		}
		c.W.Int(int64(n))
	}
}
