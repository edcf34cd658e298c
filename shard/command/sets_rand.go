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
func spopCmd(c *Ctx, argv [][]byte) {
	switch {
	case len(argv) > 3:
		c.W.Error(ErrSyntax)
		return
	case len(argv) == 3:
		spopCount(c, argv)
		return
	}
	s, ok := writeSet(c, argv[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	m, _ := s.Random(c.Rand().Uint64N)
	s.RemoveString(m)
	c.W.BulkString(m)
}

func spopCount(c *Ctx, argv [][]byte) {
	count, ok := parseSpopCount(argv[2])
	if !ok {
		c.W.Error(ErrMustPositive)
		return
	}
	s, ok := writeSet(c, argv[1])
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

func srandmemberCmd(c *Ctx, argv [][]byte) {
	switch {
	case len(argv) > 3:
		c.W.Error(ErrSyntax)
		return
	case len(argv) == 3:
		srandmemberCount(c, argv)
		return
	}
	s, ok := lookupSet(c, argv[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	m, _ := s.Random(c.Rand().Uint64N)
	c.W.BulkString(m)
}

// srandmemberCount replies count random members: distinct ones for a
// positive count, with repeats for a negative one, as Redis does.
func srandmemberCount(c *Ctx, argv [][]byte) {
	count, ok := parseRandCount(c, argv[2])
	if !ok {
		return
	}
	s, ok := lookupSet(c, argv[1])
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Array(0)
		return
	}
	size := s.Len()
	rnd := c.Rand().Uint64N
	switch {
	case count < 0 || count == 1:
		n := int(max(count, -count))
		c.W.Array(n)
		for range n {
			m, _ := s.Random(rnd)
			c.W.BulkString(m)
		}
	case count >= int64(size):
		c.W.Array(size)
		writeAll(c, s)
	default:
		c.W.Array(int(count))
		pickDistinct(c, int(count), size,
			func() (string, struct{}) {
				m, _ := s.Random(rnd)
				return m, struct{}{}
			},
			func(fn func(string, struct{}) bool) {
				s.Range(func(m string) bool { return fn(m, struct{}{}) })
			},
			func(m string, _ struct{}) { c.W.BulkString(m) })
	}
}
