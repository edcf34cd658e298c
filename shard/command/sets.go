package command

import "github.com/ember-node/ember-node/shard"

func setCommands() []*Spec {
	one := func(s *Spec) *Spec {
		s.First, s.Last, s.Step, s.Group = 1, 1, 1, "set"
		return s
	}
	all := func(s *Spec) *Spec {
		s.First, s.Last, s.Step, s.Group = 1, -1, 1, "set"
		return s
	}
	return []*Spec{
		one(&Spec{Name: "sadd", Arity: -3, Flags: Write | DenyOOM | Fast, Exec: saddCmd, Summary: "Add one or more members to a set"}),
		one(&Spec{Name: "srem", Arity: -3, Flags: Write | Fast, Exec: sremCmd, Summary: "Remove one or more members from a set"}),
		one(&Spec{Name: "smembers", Arity: 2, Flags: ReadOnly, Exec: smembersCmd, Summary: "Get all the members in a set"}),
		one(&Spec{Name: "sismember", Arity: 3, Flags: ReadOnly | Fast, Exec: sismemberCmd, Summary: "Determine if a given value is a member of a set"}),
		one(&Spec{Name: "smismember", Arity: -3, Flags: ReadOnly | Fast, Exec: smismemberCmd, Summary: "Returns the membership associated with the given elements for a set"}),
		one(&Spec{Name: "scard", Arity: 2, Flags: ReadOnly | Fast, Exec: scardCmd, Summary: "Get the number of members in a set"}),
		one(&Spec{Name: "spop", Arity: -2, Flags: Write | Fast | Random, Prepare: spopPrepare, Exec: spopCmd, Summary: "Remove and return one or multiple random members from a set"}),
		one(&Spec{Name: "srandmember", Arity: -2, Flags: ReadOnly | Random, Exec: srandmemberCmd, Summary: "Get one or multiple random members from a set"}),
		{Name: "smove", Arity: 4, Flags: Write | Fast, First: 1, Last: 2, Step: 1, Exec: smoveCmd, Group: "set", Summary: "Move a member from one set to another"},
		all(&Spec{Name: "sinter", Arity: -2, Flags: ReadOnly, Exec: sinterCmd, Summary: "Intersect multiple sets"}),
		all(&Spec{Name: "sunion", Arity: -2, Flags: ReadOnly, Exec: sunionCmd, Summary: "Add multiple sets"}),
		all(&Spec{Name: "sdiff", Arity: -2, Flags: ReadOnly, Exec: sdiffCmd, Summary: "Subtract multiple sets"}),
		all(&Spec{Name: "sinterstore", Arity: -3, Flags: Write | DenyOOM, Exec: sinterstoreCmd, Summary: "Intersect multiple sets and store the resulting set in a key"}),
		all(&Spec{Name: "sunionstore", Arity: -3, Flags: Write | DenyOOM, Exec: sunionstoreCmd, Summary: "Add multiple sets and store the resulting set in a key"}),
		all(&Spec{Name: "sdiffstore", Arity: -3, Flags: Write | DenyOOM, Exec: sdiffstoreCmd, Summary: "Subtract multiple sets and store the resulting set in a key"}),
		{Name: "sintercard", Arity: -3, Flags: ReadOnly, Keys: sintercardKeys, Exec: sintercardCmd, Group: "set", Summary: "Intersect multiple sets and return the cardinality of the result"},
		one(&Spec{Name: "sscan", Arity: -3, Flags: ReadOnly | Random, Exec: sscanCmd, Summary: "Incrementally iterate Set elements"}),
	}
}

func saddCmd(c *Ctx, argv [][]byte) {
	if s := setKind.writeOrNew(c, argv[1]); s != nil {
		countArgs(c, argv[2:], s.Add)
	}
}

func sremCmd(c *Ctx, argv [][]byte) {
	if s, ok := setKind.write(c, argv[1], zeroAbsent); ok {
		countArgs(c, argv[2:], s.Remove)
	}
}

func smembersCmd(c *Ctx, argv [][]byte) {
	s, ok := setKind.read(c, argv[1], keepAbsent)
	if ok {
		writeMembers(c, s)
	}
}

// writeMembers replies the members of s (nil is empty) as a set.
func writeMembers(c *Ctx, s *shard.Set) {
	if s == nil {
		c.W.Set(0)
		return
	}
	c.W.Set(s.Len())
	s.Range(func(m string) bool {
		c.W.BulkString(m)
		return true
	})
}

func sismemberCmd(c *Ctx, argv [][]byte) {
	if s, ok := setKind.read(c, argv[1], zeroAbsent); ok {
		c.W.Int(b2i(s.Has(argv[2])))
	}
}

func smismemberCmd(c *Ctx, argv [][]byte) {
	s, ok := setKind.read(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	c.W.Array(len(argv) - 2)
	for _, m := range argv[2:] {
		c.W.Int(b2i(s != nil && s.Has(m)))
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func scardCmd(c *Ctx, argv [][]byte) {
	if s, ok := setKind.read(c, argv[1], zeroAbsent); ok {
		c.W.Int(int64(s.Len()))
	}
}

// smoveCmd follows Redis's order of checks: a missing source answers 0
// before the destination's type is looked at.
func smoveCmd(c *Ctx, argv [][]byte) {
	src, ok := setKind.write(c, argv[1], zeroAbsent)
	if !ok {
		return
	}
	dst, ok := setKind.write(c, argv[2], keepAbsent)
	if !ok {
		return
	}
	m := argv[3]
	if src == dst {
		c.W.Int(b2i(src.Has(m)))
		return
	}
	if !src.Remove(m) {
		c.W.Int(0)
		return
	}
	if dst == nil {
		dst = c.KS.Create(argv[2], shard.KindSet, c.Now).Set()
	}
	dst.Add(m)
	c.W.Int(1)
}
