package command

import "github.com/ember-node/ember-node/shard"

// Flags and key positions below are Redis 7.0's COMMAND INFO.
func listCommands() []*Spec {
	const wf = Write | DenyOOM | Fast
	return []*Spec{
		listSpec("lpush", -3, wf, nil, pushCmd(true, false), "Prepend one or multiple elements to a list"),
		listSpec("rpush", -3, wf, nil, pushCmd(false, false), "Append one or multiple elements to a list"),
		listSpec("lpushx", -3, wf, nil, pushCmd(true, true), "Prepend an element to a list, only if the list exists"),
		listSpec("rpushx", -3, wf, nil, pushCmd(false, true), "Append an element to a list, only if the list exists"),
		listSpec("lpop", -2, Write|Fast, checked(popCheck("lpop")), popCmd("lpop", true), "Remove and get the first elements in a list"),
		listSpec("rpop", -2, Write|Fast, checked(popCheck("rpop")), popCmd("rpop", false), "Remove and get the last elements in a list"),
		listSpec("llen", 2, ReadOnly|Fast, nil, llenCmd, "Get the length of a list"),
		listSpec("lrange", 4, ReadOnly, nil, lrangeCmd, "Get a range of elements from a list"),
		listSpec("lindex", 3, ReadOnly, nil, lindexCmd, "Get an element from a list by its index"),
		listSpec("lpos", -3, ReadOnly, nil, lposCmd, "Return the index of matching elements on a list"),
		listSpec("lset", 4, Write|DenyOOM, nil, lsetCmd, "Set the value of an element in a list by its index"),
		listSpec("ltrim", 4, Write, checked(intArgs(2, 3)), ltrimCmd, "Trim a list to the specified range"),
		listSpec("lrem", 4, Write, checked(intArgs(2)), lremCmd, "Remove elements from a list"),
		listSpec("linsert", 5, Write|DenyOOM, checked(linsertCheck), linsertCmd, "Insert an element before or after another element in a list"),
		moveSpec("lmove", 5, checked(lmoveCheck), lmoveCmd, "Pop an element from a list, push it to another list and return it"),
		moveSpec("rpoplpush", 3, nil, rpoplpushCmd, "Remove the last element in a list, prepend it to another list and return it"),
	}
}

func listSpec(name string, arity int, f Flags, prep func(*Ctx, [][]byte) ([][]byte, error), exec func(*Ctx, [][]byte), summary string) *Spec {
	return &Spec{Name: name, Arity: arity, Flags: f, First: 1, Last: 1, Step: 1,
		Prepare: prep, Exec: exec, Group: "list", Summary: summary}
}

func moveSpec(name string, arity int, prep func(*Ctx, [][]byte) ([][]byte, error), exec func(*Ctx, [][]byte), summary string) *Spec {
	s := listSpec(name, arity, Write|DenyOOM, prep, exec, summary)
	s.Last = 2
	return s
}

// checked returns a Prepare that refuses what Redis refuses before looking
// at the keyspace, so such a command is answered by the leader and never
// becomes a record. Exec runs the same check: records are trusted, but a
// replica must still reply exactly as Redis would.
func checked(check func(argv [][]byte) string) func(*Ctx, [][]byte) ([][]byte, error) {
	return func(_ *Ctx, argv [][]byte) ([][]byte, error) {
		if msg := check(argv); msg != "" {
			return nil, ReplyError(msg)
		}
		return argv, nil
	}
}

// intArgs checks that the arguments at positions are integers.
func intArgs(positions ...int) func(argv [][]byte) string {
	return func(argv [][]byte) string {
		for _, p := range positions {
			if _, ok := ParseInt(argv[p]); !ok {
				return ErrNotInt
			}
		}
		return ""
	}
}

// pushCmd is LPUSH (front), RPUSH, and with onlyExisting LPUSHX and RPUSHX,
// which answer 0 for a missing key instead of creating it.
func pushCmd(front, onlyExisting bool) func(*Ctx, [][]byte) {
	return func(c *Ctx, argv [][]byte) {
		var l *shard.List
		if onlyExisting {
			l, _ = listKind.write(c, argv[1], zeroAbsent)
		} else {
			l = listKind.writeOrNew(c, argv[1])
		}
		if l == nil {
			return
		}
		for _, v := range argv[2:] {
			pushEnd(l, front, clone(v))
		}
		c.W.Int(int64(l.Len()))
	}
}

// popCheck validates LPOP/RPOP's optional count as Redis does, before the
// key: at most one, and a non-negative integer.
func popCheck(name string) func(argv [][]byte) string {
	return func(argv [][]byte) string {
		if len(argv) > 3 {
			return ArityError(name)
		}
		if len(argv) == 3 {
			if n, ok := ParseInt(argv[2]); !ok || n < 0 {
				return ErrMustPositive
			}
		}
		return ""
	}
}

// popCmd is LPOP (front) and RPOP. Without a count it replies one bulk (or
// null); with one, an array, a null array for a missing key, and an empty
// array for count 0 on an existing list.
func popCmd(name string, front bool) func(*Ctx, [][]byte) {
	check := popCheck(name)
	return func(c *Ctx, argv [][]byte) {
		if msg := check(argv); msg != "" {
			c.W.Error(msg)
			return
		}
		hasCount := len(argv) == 3
		l, ok := listKind.write(c, argv[1], keepAbsent)
		if !ok {
			return
		}
		switch {
		case l == nil && hasCount:
			c.W.NullArray()
		case l == nil:
			c.W.Null()
		case !hasCount:
			c.W.Bulk(popEnd(l, front))
		default:
			count, _ := ParseInt(argv[2])
			n := int(min(count, int64(l.Len())))
			c.W.Array(n)
			for range n {
				c.W.Bulk(popEnd(l, front))
			}
		}
	}
}

func popEnd(l *shard.List, front bool) []byte {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

func pushEnd(l *shard.List, front bool, v []byte) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}
