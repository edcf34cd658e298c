package command

import (
	"math"
	"strconv"
)

// expireCommands are the key-expiry commands: setting (EXPIRE family),
// reading (TTL family) and clearing (PERSIST) a key's time to live.
func expireCommands() []*Spec {
	const g = "generic"
	expire := expireVariant{name: "expire", seconds: true, relative: true}
	pexpire := expireVariant{name: "pexpire", relative: true}
	expireat := expireVariant{name: "expireat", seconds: true}
	pexpireat := expireVariant{name: "pexpireat"}
	spec := func(e expireVariant, summary string) *Spec {
		return &Spec{Name: e.name, Arity: -3, Flags: Write | Fast, First: 1, Last: 1, Step: 1,
			Prepare: e.prepare, Exec: e.exec, Group: g, Summary: summary}
	}
	ttl := func(name string, ms, abs bool, flags Flags, summary string) *Spec {
		return &Spec{Name: name, Arity: 2, Flags: ReadOnly | Fast | flags, First: 1, Last: 1, Step: 1,
			Exec: ttlExec(ms, abs), Group: g, Summary: summary}
	}
	return []*Spec{
		spec(expire, "Set a key's time to live in seconds"),
		spec(pexpire, "Set a key's time to live in milliseconds"),
		spec(expireat, "Set the expiration for a key as a UNIX timestamp"),
		spec(pexpireat, "Set the expiration for a key as a UNIX timestamp specified in milliseconds"),
		ttl("ttl", false, false, Random, "Get the time to live for a key in seconds"),
		ttl("pttl", true, false, Random, "Get the time to live for a key in milliseconds"),
		ttl("expiretime", false, true, 0, "Get the expiration Unix timestamp for a key"),
		ttl("pexpiretime", true, true, 0, "Get the expiration Unix timestamp for a key in milliseconds"),
		{Name: "persist", Arity: 2, Flags: Write | Fast, First: 1, Last: 1, Step: 1, Exec: persistCmd, Group: g, Summary: "Remove the expiration from a key"},
	}
}

// EXPIRE's condition options.
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// expireVariant is one of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT.
type expireVariant struct {
	name     string // lower case, for the overflow error
	seconds  bool   // the time is in seconds, not milliseconds
	relative bool   // the time is a TTL, not a unix time
}

// parse returns the absolute expiry in unix ms and the condition flags, or
// an error reply, checking in Redis's order: options, integer, overflow.
// A negative or past time is valid: it deletes the key.
func (e expireVariant) parse(argv [][]byte, now int64) (at int64, flags int, msg string) {
	if flags, msg = parseExpireFlags(argv[3:]); msg != "" {
		return 0, 0, msg
	}
	at, ok := ParseInt(argv[2])
	if !ok {
		return 0, 0, ErrNotInt
	}
	if e.seconds {
		if at > math.MaxInt64/1000 || at < math.MinInt64/1000 {
			return 0, 0, invalidExpire(e.name)
		}
		at *= 1000
	}
	if e.relative {
		if at > math.MaxInt64-now {
			return 0, 0, invalidExpire(e.name)
		}
		at += now
	}
	return at, flags, ""
}

func parseExpireFlags(opts [][]byte) (int, string) {
	f := 0
	for _, o := range opts {
		switch {
		case eq(o, "NX"):
			f |= expNX
		case eq(o, "XX"):
			f |= expXX
		case eq(o, "GT"):
			f |= expGT
		case eq(o, "LT"):
			f |= expLT
		default:
			return 0, "ERR Unsupported option " + CString(o)
		}
	}
	if f&expNX != 0 && f&(expXX|expGT|expLT) != 0 {
		return 0, "ERR NX and XX, GT or LT options at the same time are not compatible"
	}
	if f&expGT != 0 && f&expLT != 0 {
		return 0, "ERR GT and LT options at the same time are not compatible"
	}
	return f, ""
}

// prepare validates at the leader and replicates a relative command as
// PEXPIREAT with the same options, whose reply is the same. Errors keep
// naming the original command because they are found here.
func (e expireVariant) prepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	at, _, msg := e.parse(argv, c.Now)
	if msg != "" {
		return nil, ReplyError(msg)
	}
	if !e.relative {
		return argv, nil
	}
	const name = "pexpireat"
	b := append(make([]byte, 0, len(name)+20), name...)
	b = strconv.AppendInt(b, at, 10)
	out := make([][]byte, len(argv))
	copy(out, argv)
	out[0], out[2] = b[:len(name):len(name)], b[len(name):]
	return out, nil
}

func (e expireVariant) exec(c *Ctx, argv [][]byte) {
	at, flags, msg := e.parse(argv, c.Now)
	if msg != "" {
		c.W.Error(msg)
		return
	}
	c.W.Int(expireKey(c, argv[1], at, flags))
}

// expireKey sets key's expiry to at under the condition flags and returns
// EXPIRE's reply. A time not after now deletes the key at once, as Redis
// does (and it replies 1). Nothing is marked written when nothing changes.
func expireKey(c *Ctx, key []byte, at int64, flags int) int64 {
	o := c.KS.LookupLive(key, c.Now)
	if o == nil || !expireAllowed(o.ExpireAt, at, flags) {
		return 0
	}
	if at <= c.Now {
		c.KS.Delete(key)
		return 1
	}
	o = c.KS.LookupWrite(key, c.Now)
	c.KS.SetExpire(key, o, at)
	return 1
}

// expireAllowed applies NX/XX/GT/LT to the current expiry cur (0: none,
// which counts as an infinite TTL for GT and LT, as in Redis).
func expireAllowed(cur, at int64, flags int) bool {
	switch {
	case flags&expNX != 0 && cur != 0,
		flags&expXX != 0 && cur == 0,
		flags&expGT != 0 && (cur == 0 || at <= cur),
		flags&expLT != 0 && cur != 0 && at >= cur:
		return false
	}
	return true
}

// ttlExec serves TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing
// key, -1 for one without expiry, else the remaining time (or the unix
// time with abs) in ms, or in seconds rounded to nearest like Redis's
// (t+500)/1000, computed without overflowing near MaxInt64.
func ttlExec(ms, abs bool) func(c *Ctx, argv [][]byte) {
	return func(c *Ctx, argv [][]byte) {
		o := c.KS.LookupNoTouch(argv[1], c.Now)
		switch {
		case o == nil:
			c.W.Int(-2)
			return
		case o.ExpireAt == 0:
			c.W.Int(-1)
			return
		}
		t := o.ExpireAt
		if !abs {
			t = max(t-c.Now, 0)
		}
		if !ms {
			t = t/1000 + (t%1000+500)/1000
		}
		c.W.Int(t)
	}
}

func persistCmd(c *Ctx, argv [][]byte) {
	key := argv[1]
	o := c.KS.LookupLive(key, c.Now)
	if o == nil || o.ExpireAt == 0 {
		c.W.Int(0)
		return
	}
	c.KS.SetExpire(key, c.KS.LookupWrite(key, c.Now), 0)
	c.W.Int(1)
}
