package command

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
	if failed(c, msg) {
		return
	}
	z, ok := peekZSet(c, argv[1], emptyAbsent)
	if !ok {
		return
	}
	if count == 0 {
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

// zscanCmd returns a small sorted set (a listpack in Redis) whole and in
// order, whatever the cursor. Scores are bulk strings in RESP3 too, as in
// Redis.
func zscanCmd(c *Ctx, argv [][]byte) {
	z, r, ok := scanStart(c, argv, zsetKind)
	if !ok {
		return
	}
	inOrder := func(fn func(string, float64) bool) {
		z.Each(func(m string, s float64) { fn(m, s) })
	}
	out, cursor := scanPage(r, z.Small(), 1, inOrder, z.Scan)
	writeCursor(c, cursor)
	c.W.Array(2 * len(out))
	var sb [32]byte
	for _, e := range out {
		c.W.BulkString(e.key)
		c.W.Bulk(AppendDouble(sb[:0], e.val))
	}
}
