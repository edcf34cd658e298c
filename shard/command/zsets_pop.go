package command

import (
	"strconv"

	"github.com/ember-node/ember-node/shard"
)

func zsetPopScanCommands() []*Spec {
	const g = zgroup
	return []*Spec{
		{Name: "zpopmin", Arity: -2, Flags: Write | Fast, First: 1, Last: 1, Step: 1, Prepare: zpopPrepare, Exec: zpopminCmd, Group: g, Summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped."},
		{Name: "zpopmax", Arity: -2, Flags: Write | Fast, First: 1, Last: 1, Step: 1, Prepare: zpopPrepare, Exec: zpopmaxCmd, Group: g, Summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped."},
		{Name: "zscan", Arity: -3, Flags: ReadOnly, First: 1, Last: 1, Step: 1, Exec: zscanCmd, Group: g, Summary: "Iterates over members and scores of a sorted set."},
	}
}

// parseZPopCount returns the count of ZPOPMIN/ZPOPMAX, -1 when absent.
func parseZPopCount(argv [][]byte) (int64, string) {
	switch {
	case len(argv) > 3:
		return 0, ErrSyntax
	case len(argv) < 3:
		return -1, ""
	}
	n, ok := ParseInt(argv[2])
	if !ok || n < 0 {
		return 0, ErrMustPositive
	}
	return n, ""
}

func zpopPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if _, msg := parseZPopCount(argv); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

func zpopminCmd(c *Ctx, argv [][]byte) { zpopGeneric(c, argv, false) }
func zpopmaxCmd(c *Ctx, argv [][]byte) { zpopGeneric(c, argv, true) }

// zpopGeneric pops from the low end, or the high end when max. The reply is
// a flat member, score array, except in RESP3 with a count, where it is an
// array of pairs.
func zpopGeneric(c *Ctx, argv [][]byte, high bool) {
	count, msg := parseZPopCount(argv)
	if msg != "" {
		c.W.Error(msg)
		return
	}
	z, ok := zget(c, argv[1])
	if !ok {
		return
	}
	if z == nil || count == 0 {
		c.W.Array(0)
		return
	}
	pairs := c.W.Resp3() && count > 0
	n := int(min(max1(count), int64(z.Len())))
	if pairs {
		c.W.Array(n)
	} else {
		c.W.Array(2 * n)
	}
	lo, hi := 0, n
	x := z.First()
	if high {
		lo, hi = z.Len()-n, z.Len()
		x = z.Last()
	}
	for i := 0; i < n; i++ {
		if pairs {
			c.W.Array(2)
		}
		c.W.BulkString(x.Member())
		c.W.Double(x.Score())
		if high {
			x = x.Prev()
		} else {
			x = x.Next()
		}
	}
	c.KS.LookupWrite(argv[1], c.Now)
	z.RemoveRanks(lo, hi)
}

// max1 is the count of a pop: 1 when none was given.
func max1(count int64) int64 {
	if count < 0 {
		return 1
	}
	return count
}

// zscanArgs are ZSCAN's options.
type zscanArgs struct {
	count   int64
	pattern []byte // nil: every member
}

func parseZScanOpts(argv [][]byte) (zscanArgs, string) {
	a := zscanArgs{count: 10}
	for i := 3; i < len(argv); i += 2 {
		switch {
		case i+1 >= len(argv):
			return a, ErrSyntax
		case eq(argv[i], "COUNT"):
			n, ok := ParseInt(argv[i+1])
			if !ok {
				return a, ErrNotInt
			}
			if n < 1 {
				return a, ErrSyntax
			}
			a.count = n
		case eq(argv[i], "MATCH"):
			a.pattern = argv[i+1]
			if len(a.pattern) == 1 && a.pattern[0] == '*' {
				a.pattern = nil
			}
		default:
			return a, ErrSyntax
		}
	}
	return a, ""
}

func zscanCmd(c *Ctx, argv [][]byte) {
	cursor, ok := parseCursor(argv[2])
	if !ok {
		c.W.Error(errZCursor)
		return
	}
	z, ok := zread(c, argv[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Array(2)
		c.W.BulkString("0")
		c.W.Array(0)
		return
	}
	a, msg := parseZScanOpts(argv)
	if msg != "" {
		c.W.Error(msg)
		return
	}
	var found []zpair
	next := uint64(0)
	if z.Small() {
		// A listpack is returned whole, in order, whatever the cursor.
		found = make([]zpair, 0, z.Len())
		for x := z.First(); x != nil; x = x.Next() {
			found = append(found, zpair{x.Member(), x.Score()})
		}
	} else {
		found, next = zscanBig(z, cursor, a.count)
	}
	zscanReply(c, found, next, a.pattern)
}

// zscanBig visits buckets until count members were found, the table is
// done, or count*10 buckets were looked at, as Redis's scanGenericCommand.
func zscanBig(z *shard.ZSet, cursor uint64, count int64) ([]zpair, uint64) {
	var found []zpair
	budget := count * 10
	if count > (1<<63-1)/10 {
		budget = 1<<63 - 1
	}
	for {
		cursor = z.Scan(cursor, func(m string, s float64) {
			found = append(found, zpair{m, s})
		})
		if cursor == 0 || budget == 0 || int64(len(found)) >= count {
			return found, cursor
		}
		budget--
	}
}

// zpair is a member and its score found by ZSCAN.
type zpair struct {
	member string
	score  float64
}

// zscanReply filters by pattern after the scan, as Redis does, so a page
// may come back short or empty with a non-zero cursor.
func zscanReply(c *Ctx, found []zpair, next uint64, pattern []byte) {
	if pattern != nil {
		kept := found[:0]
		for _, x := range found {
			if shard.Match(pattern, zbytes(x.member), false) {
				kept = append(kept, x)
			}
		}
		found = kept
	}
	var buf [24]byte
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(buf[:0], next, 10))
	c.W.Array(2 * len(found))
	var sb [32]byte
	for _, x := range found {
		c.W.BulkString(x.member)
		c.W.Bulk(AppendDouble(sb[:0], x.score))
	}
}
