package command

import (
	"github.com/ember-node/ember-node/shard"
)

// stringCommands is the string family. Summaries are Redis 7.0's COMMAND
// DOCS; flags are its COMMAND INFO flags.
func stringCommands() []*Spec {
	rw := Write | DenyOOM
	return []*Spec{
		strSpec("get", 2, ReadOnly|Fast, getCmd, nil, "Get the value of a key"),
		strSpec("set", -3, rw, setCmd, setPrepare, "Set the string value of a key"),
		strSpec("setnx", 3, rw|Fast, setnxCmd, nil, "Set the value of a key, only if the key does not exist"),
		strSpec("setex", 4, rw, setexCmd, setexPrepare, "Set the value and expiration of a key"),
		strSpec("psetex", 4, rw, setexCmd, setexPrepare, "Set the value and expiration in milliseconds of a key"),
		strSpec("getset", 3, rw|Fast, getsetCmd, nil, "Set the string value of a key and return its old value"),
		strSpec("getdel", 2, Write|Fast, getdelCmd, nil, "Get the value of a key and delete the key"),
		strSpec("getex", -2, Write|Fast, getexCmd, getexPrepare, "Get the value of a key and optionally set its expiration"),
		keysToEnd(1, strSpec("mget", -2, ReadOnly|Fast, mgetCmd, nil, "Get the values of all the given keys")),
		keysToEnd(2, strSpec("mset", -3, rw, msetCmd, msetPrepare, "Set multiple keys to multiple values")),
		keysToEnd(2, strSpec("msetnx", -3, rw, msetCmd, msetPrepare, "Set multiple keys to multiple values, only if none of the keys exist")),
		strSpec("incr", 2, rw|Fast, incrCmd, nil, "Increment the integer value of a key by one"),
		strSpec("decr", 2, rw|Fast, incrCmd, nil, "Decrement the integer value of a key by one"),
		strSpec("incrby", 3, rw|Fast, incrCmd, incrPrepare, "Increment the integer value of a key by the given amount"),
		strSpec("decrby", 3, rw|Fast, incrCmd, incrPrepare, "Decrement the integer value of a key by the given number"),
		strSpec("incrbyfloat", 3, rw|Fast, incrbyfloatCmd, nil, "Increment the float value of a key by the given amount"),
		strSpec("append", 3, rw|Fast, appendCmd, nil, "Append a value to a key"),
		strSpec("strlen", 2, ReadOnly|Fast, strlenCmd, nil, "Get the length of the value stored in a key"),
		strSpec("getrange", 4, ReadOnly, getrangeCmd, nil, "Get a substring of the string stored at a key"),
		strSpec("substr", 4, ReadOnly, getrangeCmd, nil, "Get a substring of the string stored at a key"),
		strSpec("setrange", 4, rw, setrangeCmd, setrangePrepare, "Overwrite part of a string at key starting at the specified offset"),
		{Name: "lcs", Arity: -3, Flags: ReadOnly, First: 1, Last: 2, Step: 1, Exec: lcsCmd, Group: "string", Summary: "Find longest common substring"},
	}
}

// strSpec builds the Spec of a string command whose one key is argv[1].
func strSpec(name string, arity int, f Flags, exec func(*Ctx, [][]byte), prep func(*Ctx, [][]byte) ([][]byte, error), summary string) *Spec {
	return &Spec{Name: name, Arity: arity, Flags: f, First: 1, Last: 1, Step: 1,
		Exec: exec, Prepare: prep, Group: "string", Summary: summary}
}

// keysToEnd makes s take keys from argv[1] to the end, every step arguments.
func keysToEnd(step int, s *Spec) *Spec {
	s.Last, s.Step = -1, step
	return s
}

func getCmd(c *Ctx, argv [][]byte) {
	if o, ok := readString(c, argv[1], nullAbsent); ok {
		c.W.Bulk(o.Str)
	}
}

// putString stores val under key as a string expiring at at (0: never),
// whatever was there. old is the key's live object from LookupWrite, or
// nil. A string is overwritten in place when its storage fits val snugly,
// which keeps an overwrite free of allocation without pinning a much
// larger buffer.
func putString(c *Ctx, key []byte, old *shard.Object, val []byte, at int64) *shard.Object {
	o := old
	if o != nil && o.Kind != shard.KindString {
		// Delete first: Keyspace.Create (via SetString) replacing the
		// last key of a slot writes into the released slot's table.
		c.KS.Delete(key)
		o = nil
	}
	if o == nil || len(val) > cap(o.Str) || cap(o.Str) > 2*len(val)+64 {
		o = c.KS.SetString(key, clone(val), c.Now)
	} else {
		o.Str = append(o.Str[:0], val...)
	}
	c.KS.SetExpire(key, o, at)
	return o
}

// clone copies b: argv aliases the connection's read buffer or a record,
// and the keyspace keeps what it stores.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
