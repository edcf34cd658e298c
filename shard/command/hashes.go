package command

import "github.com/ember-node/ember-node/shard"

func hashCommands() []*Spec {
	const rw, ro = Write | DenyOOM | Fast, ReadOnly | Fast
	return []*Spec{
		{Name: "hset", Arity: -4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: pairsPrepare("hset"), Exec: hsetCmd, Group: "hash", Summary: "Set the string value of a hash field"},
		{Name: "hmset", Arity: -4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: pairsPrepare("hmset"), Exec: hmsetCmd, Group: "hash", Summary: "Set multiple hash fields to multiple values"},
		{Name: "hsetnx", Arity: 4, Flags: rw, First: 1, Last: 1, Step: 1, Exec: hsetnxCmd, Group: "hash", Summary: "Set the value of a hash field, only if the field does not exist"},
		{Name: "hget", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: hgetCmd, Group: "hash", Summary: "Get the value of a hash field"},
		{Name: "hmget", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: hmgetCmd, Group: "hash", Summary: "Get the values of all the given hash fields"},
		{Name: "hgetall", Arity: 2, Flags: ReadOnly, First: 1, Last: 1, Step: 1, Exec: hgetallCmd, Group: "hash", Summary: "Get all the fields and values in a hash"},
		{Name: "hkeys", Arity: 2, Flags: ReadOnly, First: 1, Last: 1, Step: 1, Exec: hkeysCmd, Group: "hash", Summary: "Get all the fields in a hash"},
		{Name: "hvals", Arity: 2, Flags: ReadOnly, First: 1, Last: 1, Step: 1, Exec: hvalsCmd, Group: "hash", Summary: "Get all the values in a hash"},
		{Name: "hdel", Arity: -3, Flags: Write | Fast, First: 1, Last: 1, Step: 1, Exec: hdelCmd, Group: "hash", Summary: "Delete one or more hash fields"},
		{Name: "hexists", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: hexistsCmd, Group: "hash", Summary: "Determine if a hash field exists"},
		{Name: "hlen", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Exec: hlenCmd, Group: "hash", Summary: "Get the number of fields in a hash"},
		{Name: "hstrlen", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: hstrlenCmd, Group: "hash", Summary: "Get the length of the value of a hash field"},
		{Name: "hincrby", Arity: 4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: hincrbyPrepare, Exec: hincrbyCmd, Group: "hash", Summary: "Increment the integer value of a hash field by the given number"},
		{Name: "hincrbyfloat", Arity: 4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: hincrbyfloatPrepare, Exec: hincrbyfloatCmd, Group: "hash", Summary: "Increment the float value of a hash field by the given amount"},
		{Name: "hrandfield", Arity: -2, Flags: ReadOnly | Random, First: 1, Last: 1, Step: 1, Exec: hrandfieldCmd, Group: "hash", Summary: "Get one or multiple random fields from a hash"},
		{Name: "hscan", Arity: -3, Flags: ReadOnly | Random, First: 1, Last: 1, Step: 1, Exec: hscanCmd, Group: "hash", Summary: "Incrementally iterate hash fields and associated values"},
	}
}

// pairsPrepare refuses an odd number of field/value arguments before the
// command becomes a record.
func pairsPrepare(name string) func(*Ctx, [][]byte) ([][]byte, error) {
	return func(_ *Ctx, argv [][]byte) ([][]byte, error) {
		if len(argv)%2 != 0 {
			return nil, ReplyError(ArityError(name))
		}
		return argv, nil
	}
}

func hsetCmd(c *Ctx, argv [][]byte) {
	if n, ok := hsetPairs(c, argv, "hset"); ok {
		c.W.Int(int64(n))
	}
}

func hmsetCmd(c *Ctx, argv [][]byte) {
	if _, ok := hsetPairs(c, argv, "hmset"); ok {
		c.W.Simple("OK")
	}
}

// hsetPairs stores the field/value pairs of argv[2:] and returns how many
// fields were new. It replies itself, and reports false, on an error.
func hsetPairs(c *Ctx, argv [][]byte, name string) (int, bool) {
	if len(argv)%2 != 0 {
		c.W.Error(ArityError(name))
		return 0, false
	}
	h := hashKind.writeOrNew(c, argv[1])
	if h == nil {
		return 0, false
	}
	added := 0
	for i := 2; i < len(argv); i += 2 {
		if h.Set(argv[i], argv[i+1]) {
			added++
		}
	}
	return added, true
}

func hsetnxCmd(c *Ctx, argv [][]byte) {
	h := hashKind.writeOrNew(c, argv[1])
	if h == nil {
		return
	}
	if _, ok := h.Get(argv[2]); ok {
		c.W.Int(0)
		return
	}
	h.Set(argv[2], argv[3])
	c.W.Int(1)
}

func hgetCmd(c *Ctx, argv [][]byte)  { hashFields(c, argv, false) }
func hmgetCmd(c *Ctx, argv [][]byte) { hashFields(c, argv, true) }

// hashFields is HGET and HMGET (array): the values of fields argv[2:].
func hashFields(c *Ctx, argv [][]byte, array bool) {
	if h, ok := hashKind.read(c, argv[1], keepAbsent); ok {
		writeEntries(c, argv[2:], array, h, (*shard.Hash).Get, c.W.Bulk)
	}
}

func hgetallCmd(c *Ctx, argv [][]byte) { hashEntries(c, argv[1], true, true) }
func hkeysCmd(c *Ctx, argv [][]byte)   { hashEntries(c, argv[1], true, false) }
func hvalsCmd(c *Ctx, argv [][]byte)   { hashEntries(c, argv[1], false, true) }

// hashEntries is HGETALL (fields and values, as a map), HKEYS (fields) and
// HVALS (values): one walk of the hash, empty for a missing key.
func hashEntries(c *Ctx, key []byte, fields, values bool) {
	h, ok := hashKind.read(c, key, keepAbsent)
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f string, v []byte) bool {
		if fields {
			c.W.BulkString(f)
		}
		if values {
			c.W.Bulk(v)
		}
		return true
	})
}

func hdelCmd(c *Ctx, argv [][]byte) {
	if h, ok := hashKind.write(c, argv[1], zeroAbsent); ok {
		countArgs(c, argv[2:], h.Delete)
	}
}

func hexistsCmd(c *Ctx, argv [][]byte) {
	if h, ok := hashKind.read(c, argv[1], zeroAbsent); ok {
		_, in := h.Get(argv[2])
		c.W.Int(b2i(in))
	}
}

func hlenCmd(c *Ctx, argv [][]byte) {
	if h, ok := hashKind.read(c, argv[1], zeroAbsent); ok {
		c.W.Int(int64(h.Len()))
	}
}

func hstrlenCmd(c *Ctx, argv [][]byte) {
	if h, ok := hashKind.read(c, argv[1], zeroAbsent); ok {
		v, _ := h.Get(argv[2])
		c.W.Int(int64(len(v)))
	}
}
