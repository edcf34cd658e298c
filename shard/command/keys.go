package command

import (
	"github.com/ember-node/ember-node/shard"
)

// keyCommands are Redis's "generic" group: commands on keys whatever their
// type. Those flagged AllShards act on one shard's keyspace here; the server
// runs them on every shard and merges the replies.
func keyCommands() []*Spec {
	const g = "generic"
	specs := []*Spec{
		{Name: "del", Arity: -2, Flags: Write, First: 1, Last: -1, Step: 1, Exec: delCmd, Group: g, Summary: "Delete a key"},
		{Name: "unlink", Arity: -2, Flags: Write | Fast, First: 1, Last: -1, Step: 1, Exec: delCmd, Group: g, Summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking."},
		{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, First: 1, Last: -1, Step: 1, Exec: existsCmd, Group: g, Summary: "Determine if a key exists"},
		{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, First: 1, Last: -1, Step: 1, Exec: touchCmd, Group: g, Summary: "Alters the last access time of a key(s). Returns the number of existing keys specified."},
		{Name: "type", Arity: 2, Flags: ReadOnly | Fast, First: 1, Last: 1, Step: 1, Exec: typeCmd, Group: g, Summary: "Determine the type stored at key"},
		{Name: "rename", Arity: 3, Flags: Write, First: 1, Last: 2, Step: 1, Exec: renameCmd, Group: g, Summary: "Rename a key"},
		{Name: "renamenx", Arity: 3, Flags: Write | Fast, First: 1, Last: 2, Step: 1, Exec: renamenxCmd, Group: g, Summary: "Rename a key, only if the new key does not exist"},
		{Name: "copy", Arity: -3, Flags: Write | DenyOOM, First: 1, Last: 2, Step: 1, Prepare: copyPrepare, Exec: copyCmd, Group: g, Summary: "Copy a key"},
		{Name: "randomkey", Arity: 1, Flags: ReadOnly | Random | AllShards, Exec: randomkeyCmd, Group: g, Summary: "Return a random key from the keyspace"},
		{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast | AllShards, Exec: dbsizeCmd, Group: "server", Summary: "Return the number of keys in the selected database"},
		{Name: "flushdb", Arity: -1, Flags: Write | AllShards, Prepare: flushPrepare, Exec: flushCmd, Group: "server", Summary: "Remove all keys from the current database"},
		{Name: "flushall", Arity: -1, Flags: Write | AllShards, Prepare: flushPrepare, Exec: flushCmd, Group: "server", Summary: "Remove all keys from all databases"},
	}
	specs = append(specs, expireCommands()...)
	return append(specs, scanCommands()...)
}

// delCmd serves DEL and UNLINK: the keyspace frees values at once either
// way. A key that has expired is deleted as expired and not counted, as
// Redis's expireIfNeeded before dbDelete.
func delCmd(c *Ctx, argv [][]byte) {
	countArgs(c, argv[1:], func(k []byte) bool {
		return !c.KS.DeleteIfExpired(k, c.Now) && c.KS.Delete(k)
	})
}

// existsCmd counts a key once per mention: EXISTS k k is 2.
func existsCmd(c *Ctx, argv [][]byte) {
	countArgs(c, argv[1:], func(k []byte) bool { return c.KS.LookupNoTouch(k, c.Now) != nil })
}

func touchCmd(c *Ctx, argv [][]byte) {
	countArgs(c, argv[1:], func(k []byte) bool { return c.KS.Lookup(k, c.Now) != nil })
}

func typeCmd(c *Ctx, argv [][]byte) {
	o := c.KS.LookupNoTouch(argv[1], c.Now)
	if o == nil {
		c.W.Simple(shard.KindNone.String())
		return
	}
	c.W.Simple(o.Kind.String())
}

func renameCmd(c *Ctx, argv [][]byte) {
	if rename(c, argv, false) {
		c.W.Simple("OK")
	}
}

func renamenxCmd(c *Ctx, argv [][]byte) {
	if rename(c, argv, true) {
		c.W.Int(1)
	}
}

// rename does RENAME and RENAMENX and reports whether the caller should
// write the success reply; otherwise it replied itself. Renaming a key to
// itself changes nothing (RENAMENX k k is 0), as in Redis.
func rename(c *Ctx, argv [][]byte, nx bool) bool {
	src, dst := argv[1], argv[2]
	if c.KS.LookupLive(src, c.Now) == nil {
		c.W.Error(ErrNoSuchKey)
		return false
	}
	if string(src) == string(dst) && nx {
		c.W.Int(0)
		return false
	}
	if string(src) == string(dst) {
		return true
	}
	if nx && c.KS.LookupLive(dst, c.Now) != nil {
		c.W.Int(0)
		return false
	}
	c.KS.Rename(src, dst, c.Now)
	return true
}

// randomkeyCmd picks a shard with probability proportional to its keys,
// then a key in it.
func randomkeyCmd(c *Ctx, argv [][]byte) {
	r := c.Rand()
	total := 0
	if err := c.eachShard(func(ks *shard.Keyspace, _ int64) bool { total += ks.Len(); return true }); err != nil {
		c.shardError(err)
		return
	}
	var k string
	var found bool
	if total > 0 {
		pick := int(r.Uint64N(uint64(total)))
		err := c.eachShard(func(ks *shard.Keyspace, now int64) bool {
			if pick < ks.Len() {
				k, found = ks.RandomKey(now, r.Uint64N)
				return false
			}
			pick -= ks.Len()
			return true
		})
		if err != nil {
			c.shardError(err)
			return
		}
	}
	if !found {
		c.W.Null()
		return
	}
	c.W.BulkString(k)
}

// dbsizeCmd counts expired keys not deleted yet, as Redis's DBSIZE does.
func dbsizeCmd(c *Ctx, argv [][]byte) {
	n := 0
	if err := c.eachShard(func(ks *shard.Keyspace, _ int64) bool { n += ks.Len(); return true }); err != nil {
		c.shardError(err)
		return
	}
	c.W.Int(int64(n))
}

// flushPrepare refuses bad options at the leader so that they never
// become a record.
func flushPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if !flushArgsOK(argv) {
		return nil, ReplyError(ErrSyntax)
	}
	return argv, nil
}

// flushArgsOK accepts FLUSHDB/FLUSHALL with no option or one of ASYNC and
// SYNC; the keyspace frees at once either way.
func flushArgsOK(argv [][]byte) bool {
	return len(argv) == 1 || len(argv) == 2 && (eq(argv[1], "ASYNC") || eq(argv[1], "SYNC"))
}

func flushCmd(c *Ctx, argv [][]byte) {
	if !flushArgsOK(argv) {
		c.W.Error(ErrSyntax)
		return
	}
	c.KS.FlushAll()
	c.W.Simple("OK")
}
