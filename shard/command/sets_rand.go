package command

import "github.com/ember-node/ember-node/shard"

// spopPrepare refuses a bad count before it becomes a record.
func spopPrepare(_ *Ctx, argv [][]byte) ([][]byte, error) {
	if len(argv) > 3 {
		return nil, ReplyError(ErrSyntax)
	}
	if len(argv) == 3 {
		if _, ok := parseSpopCount(argv[2]); !ok {
			return nil, ReplyError(ErrMustPositive)
		}
	}
	return argv, nil
}

func parseSpopCount(b []byte) (int, bool) {
	n, ok := ParseInt(b)
	return int(n), ok && n >= 0
}

// spopCmd picks members with the record's random source, so that every
// replica pops the same ones.
func spopCmd(c *Ctx, argv [][]byte) { setRandom(c, argv, true) }

func srandmemberCmd(c *Ctx, argv [][]byte) { setRandom(c, argv, false) }

// setRandom is SPOP (pop) and SRANDMEMBER, which take at most a count and
// without one answer a single random member, or null for a missing key.
func setRandom(c *Ctx, argv [][]byte, pop bool) {
	switch {
	case len(argv) > 3:
		c.W.Error(ErrSyntax)
		return
	case len(argv) == 3 && pop:
		spopCount(c, argv)
		return
	case len(argv) == 3:
		srandmemberCount(c, argv)
		return
	}
	lookup := setKind.read
	if pop {
		lookup = setKind.write
	}
	s, ok := lookup(c, argv[1], nullAbsent)
	if !ok {
		return
	}
	m, _ := s.Random(c.Rand().Uint64N)
	if pop {
		s.RemoveString(m)
	}
	c.W.BulkString(m)
}

func spopCount(c *Ctx, argv [][]byte) {
	count, ok := parseSpopCount(argv[2])
	if !ok {
		c.W.Error(ErrMustPositive)
		return
	}
	s, ok := setKind.write(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Set(0)
		return
	}
	size := s.Len()
	if count >= size {
		writeMembers(c, s)
		c.KS.Delete(argv[1])
		return
	}
	rnd := c.Rand().Uint64N
	c.W.Set(count)
	remaining := size - count
	if remaining*5 > count {
		for range count {
			m, _ := s.Random(rnd)
			s.RemoveString(m)
			c.W.BulkString(m)
		}
		return
	}
	// Popping most of the set: draw the few members that stay instead.
	keep := &shard.Set{}
	for range remaining {
		m, _ := s.Random(rnd)
		s.RemoveString(m)
		keep.AddString(m)
	}
	writeAll(c, s)
	*s = *keep
}

// writeAll writes every member of s, without a header.
func writeAll(c *Ctx, s *shard.Set) {
	s.Range(func(m string) bool {
		c.W.BulkString(m)
		return true
	})
}

// srandmemberCount replies count random members; see randomPicks.
func srandmemberCount(c *Ctx, argv [][]byte) {
	count, ok := parseRandCount(c, argv[2])
	if !ok {
		return
	}
	s, ok := setKind.read(c, argv[1], emptyAbsent)
	if !ok {
		return
	}
	ks, rnd := keyedSet{s}, c.Rand().Uint64N
	random := func() (string, struct{}) { return ks.Random(rnd) }
	emit := func(m string, _ struct{}) { c.W.BulkString(m) }
	randomPicks(c, count, s.Len(), c.W.Array, random, ks.Range, emit)
}
