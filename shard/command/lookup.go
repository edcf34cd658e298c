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
	// noKeyAbsent answers "no such key" (LSET).
	noKeyAbsent
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
	case noKeyAbsent:
		c.W.Error(ErrNoSuchKey)
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

// kindOf is a collection type: its Kind and its accessor on Object.
type kindOf[T any] struct {
	kind shard.Kind
	as   func(*shard.Object) *T
}

// The collection types, for their typed lookups (listKind.read...).
var (
	listKind = kindOf[shard.List]{shard.KindList, (*shard.Object).List}
	hashKind = kindOf[shard.Hash]{shard.KindHash, (*shard.Object).Hash}
	setKind  = kindOf[shard.Set]{shard.KindSet, (*shard.Object).Set}
	zsetKind = kindOf[shard.ZSet]{shard.KindZSet, (*shard.Object).ZSet}
)

// of is ofKind for a collection, returned through its accessor; nil when
// the key is missing.
func (k kindOf[T]) of(c *Ctx, o *shard.Object, miss absent) (*T, bool) {
	o, ok := ofKind(c, o, k.kind, miss)
	if o == nil {
		return nil, ok
	}
	return k.as(o), true
}

// read looks key up for a read: the lookup counts a hit or a miss and
// touches the key. See ofKind for miss.
func (k kindOf[T]) read(c *Ctx, key []byte, miss absent) (*T, bool) {
	return k.of(c, c.KS.Lookup(key, c.Now), miss)
}

// write looks key up for a write: an expired key is deleted and the value
// is re-accounted when the command ends. See ofKind for miss.
func (k kindOf[T]) write(c *Ctx, key []byte, miss absent) (*T, bool) {
	return k.of(c, c.KS.LookupWrite(key, c.Now), miss)
}

// writeOrNew is write for a command that adds to the collection: a
// missing key is created (left empty, it is deleted when the write ends).
// It returns nil after replying WRONGTYPE.
func (k kindOf[T]) writeOrNew(c *Ctx, key []byte) *T {
	x, ok := k.write(c, key, keepAbsent)
	if ok && x == nil {
		x = k.as(c.KS.Create(key, k.kind, c.Now))
	}
	return x
}

// readString and writeString are read and write for strings, whose value
// is the Object itself; kept apart from kindOf so that GET, APPEND or INCR
// call no function value.
func readString(c *Ctx, key []byte, miss absent) (*shard.Object, bool) {
	return ofKind(c, c.KS.Lookup(key, c.Now), shard.KindString, miss)
}

func writeString(c *Ctx, key []byte, miss absent) (*shard.Object, bool) {
	return ofKind(c, c.KS.LookupWrite(key, c.Now), shard.KindString, miss)
}

// peekZSet is zsetKind.read without touching the keyspace statistics or
// marking anything written: a sorted-set write marks its key (zwrite.mark)
// only once it changes something, so a no-op leaves WATCH alone, as in
// Redis.
func peekZSet(c *Ctx, key []byte, miss absent) (*shard.ZSet, bool) {
	o := c.KS.Peek(key)
	if o != nil && o.Expired(c.Now) {
		o = nil
	}
	return zsetKind.of(c, o, miss)
}
