package command

import "github.com/ember-node/ember-node/shard"

// lsetCmd looks the key up before parsing the index, as Redis does: a
// missing key is "no such key" whatever the index.
func lsetCmd(c *Ctx, argv [][]byte) {
	l, ok := writeList(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	if l == nil {
		c.W.Error(ErrNoSuchKey)
		return
	}
	arg, ok := intArg(c, argv[2])
	if !ok {
		return
	}
	i, ok := listIndex(arg, l.Len())
	if !ok {
		c.W.Error(ErrIndexRange)
		return
	}
	l.Set(i, clone(argv[3]))
	c.W.Simple("OK")
}

func ltrimCmd(c *Ctx, argv [][]byte) {
	start, end, ok := intPair(c, argv[2], argv[3])
	if !ok {
		return
	}
	l, ok := writeList(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	if l != nil {
		// An emptied list is deleted by Flush when the command ends.
		from, to := indexRange(start, end, l.Len())
		l.Trim(from, to-from)
	}
	c.W.Simple("OK")
}

// lremCmd removes from the head for a positive count, from the tail for a
// negative one, and every match for 0. Count -9223372036854775808 negates
// to itself, which Redis's loop also reads as "no limit".
func lremCmd(c *Ctx, argv [][]byte) {
	count, ok := intArg(c, argv[2])
	if !ok {
		return
	}
	l, ok := writeList(c, argv[1], zeroAbsent)
	if !ok {
		return
	}
	fromTail := count < 0
	if fromTail {
		count = -count
	}
	c.W.Int(int64(l.Remove(argv[3], int(count), fromTail)))
}

// insertWhere parses LINSERT's BEFORE|AFTER.
func insertWhere(arg []byte) (after, ok bool) {
	switch {
	case eq(arg, "BEFORE"):
		return false, true
	case eq(arg, "AFTER"):
		return true, true
	}
	return false, false
}

func linsertCheck(argv [][]byte) string {
	if _, ok := insertWhere(argv[2]); !ok {
		return ErrSyntax
	}
	return ""
}

// linsertCmd replies the new length, 0 for a missing key and -1 when the
// pivot is not in the list.
func linsertCmd(c *Ctx, argv [][]byte) {
	after, ok := insertWhere(argv[2])
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	l, ok := writeList(c, argv[1], zeroAbsent)
	if !ok {
		return
	}
	i := l.Index(argv[3], 0)
	if i < 0 {
		c.W.Int(-1)
		return
	}
	if after {
		i++
	}
	l.Insert(i, clone(argv[4]))
	c.W.Int(int64(l.Len()))
}

// listSide parses LEFT|RIGHT; left is the head.
func listSide(arg []byte) (left, ok bool) {
	switch {
	case eq(arg, "LEFT"):
		return true, true
	case eq(arg, "RIGHT"):
		return false, true
	}
	return false, false
}

func lmoveCheck(argv [][]byte) string {
	_, ok1 := listSide(argv[3])
	_, ok2 := listSide(argv[4])
	if !ok1 || !ok2 {
		return ErrSyntax
	}
	return ""
}

func lmoveCmd(c *Ctx, argv [][]byte) {
	from, ok1 := listSide(argv[3])
	to, ok2 := listSide(argv[4])
	if !ok1 || !ok2 {
		c.W.Error(ErrSyntax)
		return
	}
	listMove(c, argv[1], argv[2], from, to)
}

func rpoplpushCmd(c *Ctx, argv [][]byte) {
	listMove(c, argv[1], argv[2], false, true)
}

// listMove pops from src and pushes onto dst, which may be src itself (a
// rotation). The destination's type is checked before anything moves, so a
// WRONGTYPE destination leaves the source as it was. The popped element is
// owned by the list already and moves without a copy.
func listMove(c *Ctx, src, dst []byte, fromLeft, toLeft bool) {
	sl, ok := writeList(c, src, nullAbsent)
	if !ok {
		return
	}
	if sl.Len() == 0 {
		c.W.Null()
		return
	}
	dl, ok := writeList(c, dst, keepAbsent)
	if !ok {
		return
	}
	v := popEnd(sl, fromLeft)
	if dl == nil {
		dl = c.KS.Create(dst, shard.KindList, c.Now).List()
	}
	pushEnd(dl, toLeft, v)
	c.W.Bulk(v)
}
