package command

import "github.com/ember-node/ember-node/shard"

// absent is how a command answers a key that does not exist. Redis's
// commands look their key up with lookupKeyReadOrReply, which answers a
// missing key with the command's empty reply, and then check its type;
// the typed lookups below do both, so a command only goes on with a value
// of the right kind.
type absent uint8

const (
	// keepAbsent writes nothing: the command handles a missing key itself.
	keepAbsent absent = iota
	// nullAbsent answers a null bulk (GET, HGET, LINDEX, ZSCORE...).
	nullAbsent
	// zeroAbsent answers the integer 0 (STRLEN, LLEN, HLEN, LREM...).
	zeroAbsent
	// emptyAbsent answers an empty array (LRANGE, HKEYS, ZRANGE...).
	emptyAbsent
	// emptyScanAbsent answers a scan page with cursor 0 and no elements
	// (HSCAN, SSCAN, ZSCAN).
	emptyScanAbsent
)

// reply writes a's answer.
func (a absent) reply(c *Ctx) {
	switch a {
	case nullAbsent:
		c.W.Null()
	case zeroAbsent:
		c.W.Int(0)
	case emptyAbsent:
		c.W.Array(0)
	case emptyScanAbsent:
		writeCursor(c, 0)
		c.W.Array(0)
	}
}

// ofKind passes on o, a key's live object or nil, when it holds kind. A
// key of another kind is answered WRONGTYPE and a missing one with miss;
// ok is false when a reply was written, and the command is then done.
// With keepAbsent a missing key returns nil and ok.
func ofKind(c *Ctx, o *shard.Object, kind shard.Kind, miss absent) (*shard.Object, bool) {
	switch {
	case o == nil:
		miss.reply(c)
		return nil, miss == keepAbsent
	case o.Kind != kind:
		c.W.Error(ErrWrongType)
		return nil, false
	}
	return o, true
}

// collection is ofKind for a collection, returned through its accessor
// (Object.Hash, Object.List...); nil when the key is missing.
func collection[T any](c *Ctx, o *shard.Object, kind shard.Kind, as func(*shard.Object) *T, miss absent) (*T, bool) {
	o, ok := ofKind(c, o, kind, miss)
	if o == nil {
		return nil, ok
	}
	return as(o), true
}

// Typed lookups, each for a read (Lookup: counts a hit or a miss and
// touches the key) or a write (LookupWrite: deletes an expired key and
// re-accounts the value when the command ends). See ofKind for miss.

func readString(c *Ctx, key []byte, miss absent) (*shard.Object, bool) {
	return ofKind(c, c.KS.Lookup(key, c.Now), shard.KindString, miss)
}

func writeString(c *Ctx, key []byte, miss absent) (*shard.Object, bool) {
	return ofKind(c, c.KS.LookupWrite(key, c.Now), shard.KindString, miss)
}

func readList(c *Ctx, key []byte, miss absent) (*shard.List, bool) {
	return collection(c, c.KS.Lookup(key, c.Now), shard.KindList, (*shard.Object).List, miss)
}

func writeList(c *Ctx, key []byte, miss absent) (*shard.List, bool) {
	return collection(c, c.KS.LookupWrite(key, c.Now), shard.KindList, (*shard.Object).List, miss)
}

func readHash(c *Ctx, key []byte, miss absent) (*shard.Hash, bool) {
	return collection(c, c.KS.Lookup(key, c.Now), shard.KindHash, (*shard.Object).Hash, miss)
}

func writeHash(c *Ctx, key []byte, miss absent) (*shard.Hash, bool) {
	return collection(c, c.KS.LookupWrite(key, c.Now), shard.KindHash, (*shard.Object).Hash, miss)
}

func readSet(c *Ctx, key []byte, miss absent) (*shard.Set, bool) {
	return collection(c, c.KS.Lookup(key, c.Now), shard.KindSet, (*shard.Object).Set, miss)
}

func writeSet(c *Ctx, key []byte, miss absent) (*shard.Set, bool) {
	return collection(c, c.KS.LookupWrite(key, c.Now), shard.KindSet, (*shard.Object).Set, miss)
}

func readZSet(c *Ctx, key []byte, miss absent) (*shard.ZSet, bool) {
	return collection(c, c.KS.Lookup(key, c.Now), shard.KindZSet, (*shard.Object).ZSet, miss)
}

// peekZSet is readZSet without touching the keyspace statistics or
// marking anything written: a sorted-set write marks its key (zwrite.mark)
// only once it changes something, so a no-op leaves WATCH alone, as in
// Redis.
func peekZSet(c *Ctx, key []byte, miss absent) (*shard.ZSet, bool) {
	o := c.KS.Peek(key)
	if o != nil && o.Expired(c.Now) {
		o = nil
	}
	return collection(c, o, shard.KindZSet, (*shard.Object).ZSet, miss)
}
