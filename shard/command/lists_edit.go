package command

import "github.com/ember-node/ember-node/shard"

// lsetCmd looks the key up before parsing the index, as Redis does: a
// missing key is "no such key" whatever the index.
func lsetCmd(c *Ctx, argv [][]byte) {
	l, ok := listKind.write(c, argv[1], noKeyAbsent)
	if !ok {
		return
	}
	switch i, ok := listIndexArg(c, argv[2], l); {
	case !ok:
	case i < 0:
		c.W.Error(ErrIndexRange)
	default:
		l.Set(i, clone(argv[3]))
		c.W.Simple("OK")
	}
}

func ltrimCmd(c *Ctx, argv [][]byte) {
	start, end, ok := intPair(c, argv[2], argv[3])
	if !ok {
		return
	}
	l, ok := listKind.write(c, argv[1], keepAbsent)
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
	l, ok := listKind.write(c, argv[1], zeroAbsent)
	if !ok {
		return
	}
	fromTail := count < 0
	if fromTail {
		count = -count
	}
	c.W.Int(int64(l.Remove(argv[3], int(count), fromTail)))
}

// firstOf parses an argument that must be word a or word b, in any case,
// and reports whether it is a; msg is a syntax error for anything else.
func firstOf(arg []byte, a, b string) (isA bool, msg string) {
	switch {
	case eq(arg, a):
		return true, ""
	case eq(arg, b):
		return false, ""
	}
	return false, ErrSyntax
}

// insertAfter parses LINSERT's BEFORE|AFTER.
func insertAfter(argv [][]byte) (after bool, msg string) {
	before, msg := firstOf(argv[2], "BEFORE", "AFTER")
	return !before, msg
}

func linsertCheck(argv [][]byte) string {
	_, msg := insertAfter(argv)
	return msg
}

// linsertCmd replies the new length, 0 for a missing key and -1 when the
// pivot is not in the list.
func linsertCmd(c *Ctx, argv [][]byte) {
	after, msg := insertAfter(argv)
	if failed(c, msg) {
		return
	}
	l, ok := listKind.write(c, argv[1], zeroAbsent)
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

// lmoveSides parses LMOVE's LEFT|RIGHT for its source and destination;
// left is the head.
func lmoveSides(argv [][]byte) (fromLeft, toLeft bool, msg string) {
	fromLeft, msg = firstOf(argv[3], "LEFT", "RIGHT")
	if msg != "" {
		return false, false, msg
	}
	toLeft, msg = firstOf(argv[4], "LEFT", "RIGHT")
	return fromLeft, toLeft, msg
}

func lmoveCheck(argv [][]byte) string {
	_, _, msg := lmoveSides(argv)
	return msg
}

func lmoveCmd(c *Ctx, argv [][]byte) {
	from, to, msg := lmoveSides(argv)
	if !failed(c, msg) {
		listMove(c, argv[1], argv[2], from, to)
	}
}

func rpoplpushCmd(c *Ctx, argv [][]byte) {
	listMove(c, argv[1], argv[2], false, true)
}

// listMove pops from src and pushes onto dst, which may be src itself (a
// rotation). The destination's type is checked before anything moves, so a
// WRONGTYPE destination leaves the source as it was. The popped element is
// owned by the list already and moves without a copy.
func listMove(c *Ctx, src, dst []byte, fromLeft, toLeft bool) {
	sl, ok := listKind.write(c, src, nullAbsent)
	if !ok {
		return
	}
	if sl.Len() == 0 {
		c.W.Null()
		return
	}
	dl, ok := listKind.write(c, dst, keepAbsent)
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
