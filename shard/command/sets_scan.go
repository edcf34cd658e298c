package command

import "github.com/ember-node/ember-node/shard"

func sscanCmd(c *Ctx, argv [][]byte) {
	cursor, ok := parseCursor(argv[2])
	if !ok {
		c.W.Error("ERR invalid cursor")
		return
	}
	s, ok := lookupSet(c, argv[1])
	if !ok {
		return
	}
	if s == nil {
		writeCursor(c, 0)
		c.W.Array(0)
		return
	}
	pattern, count, ok := collScanOpts(c, argv)
	if !ok {
		return
	}
	var out []string
	visit := func(m string) bool {
		if pattern == nil || shard.Match(pattern, viewBytes(m), false) {
			out = append(out, m)
		}
		return true
	}
	if s.Len() <= smallScanLen {
		s.Range(visit)
		cursor = 0
	} else {
		entries := 0
		for buckets := 1; ; buckets++ {
			cursor = s.Scan(cursor, func(m string) {
				entries++
				visit(m)
			})
			if !scanMore(cursor, buckets, entries, count) {
				break
			}
		}
	}
	writeCursor(c, cursor)
	c.W.Array(len(out))
	for _, m := range out {
		c.W.BulkString(m)
	}
}
