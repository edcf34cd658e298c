package command

import (
	"strconv"

	"github.com/ember-node/ember-node/shard"
)

func stringCommands() []*Spec {
	return []*Spec{
		{Name: "get", Arity: 2, Flags: ReadOnly | Fast, First: 1, Last: 1, Step: 1, Exec: getCmd, Group: "string", Summary: "Returns the string value of a key."},
		{Name: "set", Arity: -3, Flags: Write | DenyOOM, First: 1, Last: 1, Step: 1, Prepare: setPrepare, Exec: setCmd, Group: "string", Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
	}
}

// lookupString returns the live string under key, nil when absent. On a
// key of another type it replies WRONGTYPE and reports false.
func lookupString(c *Ctx, key []byte) (*shard.Object, bool) {
	o := c.KS.Lookup(key, c.Now)
	if o != nil && o.Kind != shard.KindString {
		c.W.Error(ErrWrongType)
		return nil, false
	}
	return o, true
}

func getCmd(c *Ctx, argv [][]byte) {
	o, ok := lookupString(c, argv[1])
	if !ok {
		return
	}
	if o == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(o.Str)
}

// Expiry options shared by SET and GETEX.
const (
	optNX = 1 << iota
	optXX
	optGet
	optKeepTTL
	optPersist
	optEX
	optPX
	optEXAT
	optPXAT
)

const optAnyExpire = optEX | optPX | optEXAT | optPXAT

// expireOpts is the parsed tail of SET or GETEX.
type expireOpts struct {
	flags  int
	expire []byte // the EX/PX/EXAT/PXAT argument
	expPos int    // its argv index
}

// parseExpireOpts parses SET's (set=true) or GETEX's options from argv[from:]
// exactly as Redis's parseExtendedStringArgumentsOrReply does.
func parseExpireOpts(argv [][]byte, from int, set bool) (expireOpts, bool) {
	var o expireOpts
	for j := from; j < len(argv); j++ {
		a := argv[j]
		hasNext := j+1 < len(argv)
		f := o.flags
		switch {
		case set && eq(a, "NX") && f&optXX == 0:
			o.flags |= optNX
		case set && eq(a, "XX") && f&optNX == 0:
			o.flags |= optXX
		case set && eq(a, "GET"):
			o.flags |= optGet
		case set && eq(a, "KEEPTTL") && f&(optPersist|optAnyExpire) == 0:
			o.flags |= optKeepTTL
		case !set && eq(a, "PERSIST") && f&(optAnyExpire|optKeepTTL) == 0:
			o.flags |= optPersist
		case hasNext && f&(optKeepTTL|optPersist) == 0 && expireWord(a) != 0 && f&(optAnyExpire&^expireWord(a)) == 0:
			o.flags |= expireWord(a)
			o.expire, o.expPos = argv[j+1], j+1
			j++
		default:
			return o, false
		}
	}
	return o, true
}

func expireWord(a []byte) int {
	switch {
	case eq(a, "EX"):
		return optEX
	case eq(a, "PX"):
		return optPX
	case eq(a, "EXAT"):
		return optEXAT
	case eq(a, "PXAT"):
		return optPXAT
	}
	return 0
}

// absExpire turns the option's argument into absolute unix ms, with Redis's
// checks and error words (name is the command, for the message).
func absExpire(o expireOpts, now int64, name string) (int64, string) {
	ms, ok := ParseInt(o.expire)
	if !ok {
		return 0, ErrNotInt
	}
	seconds := o.flags&(optEX|optEXAT) != 0
	if ms <= 0 || seconds && ms > maxInt64/1000 {
		return 0, invalidExpire(name)
	}
	if seconds {
		ms *= 1000
	}
	if o.flags&(optEX|optPX) != 0 {
		if ms > maxInt64-now {
			return 0, invalidExpire(name)
		}
		ms += now
	}
	return ms, ""
}

const maxInt64 = 1<<63 - 1

func invalidExpire(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// setPrepare replicates SET with any expiry as an absolute PXAT.
func setPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	o, ok := parseExpireOpts(argv, 3, true)
	if !ok {
		return nil, ReplyError(ErrSyntax)
	}
	if o.flags&optAnyExpire == 0 {
		return argv, nil
	}
	at, msg := absExpire(o, c.Now, "set")
	if msg != "" {
		return nil, ReplyError(msg)
	}
	return absolutize(argv, o.expPos, at), nil
}

// absolutize returns a copy of argv whose expiry option at pos-1/pos reads
// PXAT at.
func absolutize(argv [][]byte, pos int, at int64) [][]byte {
	out := make([][]byte, len(argv))
	copy(out, argv)
	out[pos-1] = []byte("PXAT")
	out[pos] = strconv.AppendInt(nil, at, 10)
	return out
}

func setCmd(c *Ctx, argv [][]byte) {
	o, ok := parseExpireOpts(argv, 3, true)
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	var at int64
	if o.flags&optAnyExpire != 0 {
		var msg string
		if at, msg = absExpire(o, c.Now, "set"); msg != "" {
			c.W.Error(msg)
			return
		}
	}
	key := argv[1]
	old := c.KS.LookupWrite(key, c.Now)
	if o.flags&optGet != 0 {
		if old != nil && old.Kind != shard.KindString {
			c.W.Error(ErrWrongType)
			return
		}
		if old == nil {
			c.W.Null()
		} else {
			c.W.Bulk(old.Str)
		}
	}
	if o.flags&optNX != 0 && old != nil || o.flags&optXX != 0 && old == nil {
		if o.flags&optGet == 0 {
			c.W.Null()
		}
		return
	}
	keep := int64(0)
	if o.flags&optKeepTTL != 0 && old != nil {
		keep = old.ExpireAt
	}
	obj := c.KS.SetString(key, clone(argv[2]), c.Now)
	if at != 0 {
		keep = at
	}
	c.KS.SetExpire(key, obj, keep)
	if o.flags&optGet == 0 {
		c.W.Simple("OK")
	}
}

// clone copies b: argv aliases the connection's read buffer or a record,
// and the keyspace keeps what it stores.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}
