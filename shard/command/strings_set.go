package command

import (
	"strconv"

	"github.com/ember-node/ember-node/shard"
)

// Options of SET and GETEX.
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
	expire []byte // the last EX/PX/EXAT/PXAT argument
}

// parseExpireOpts parses SET's (set=true) or GETEX's options from argv[from:]
// exactly as Redis's parseExtendedStringArgumentsOrReply does, quirks
// included: a repeated EX (or PX...) is accepted and the last one wins, and
// repeated NX, GET, KEEPTTL or PERSIST are harmless.
func parseExpireOpts(argv [][]byte, from int, set bool) (expireOpts, bool) {
	var o expireOpts
	for j := from; j < len(argv); j++ {
		a := argv[j]
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
		case j+1 < len(argv) && f&(optKeepTTL|optPersist) == 0 && expireWord(a) != 0 &&
			f&(optAnyExpire&^expireWord(a)) == 0:
			o.flags |= expireWord(a)
			o.expire = argv[j+1]
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

// absExpire turns the option's argument into absolute unix ms, 0 when no
// expiry was given, with Redis's checks and error words (name is the
// command, for the message).
func absExpire(o expireOpts, now int64, name string) (int64, string) {
	if o.flags&optAnyExpire == 0 {
		return 0, ""
	}
	return expireAt(o.expire, o.flags&(optEX|optEXAT) != 0, o.flags&(optEX|optPX) != 0, now, name)
}

// expireAt is Redis's getExpireMillisecondsOrReply: arg in seconds or ms,
// relative to now or absolute.
func expireAt(arg []byte, seconds, relative bool, now int64, name string) (int64, string) {
	ms, ok := ParseInt(arg)
	if !ok {
		return 0, ErrNotInt
	}
	if ms <= 0 || seconds && ms > maxInt64/1000 {
		return 0, invalidExpire(name)
	}
	if seconds {
		ms *= 1000
	}
	if relative {
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

// setPrepare replicates SET with any expiry in a canonical form with an
// absolute PXAT, as Redis propagates it. Conditions and GET stay: they are
// decided again on every replica, and GET decides whether a key of another
// type is an error or is overwritten.
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
	return setArgv(argv[1], argv[2], o.flags, at), nil
}

// setArgv is SET key val [NX|XX] [GET] PXAT at.
func setArgv(key, val []byte, flags int, at int64) [][]byte {
	out := make([][]byte, 0, 7)
	out = append(out, []byte("SET"), key, val)
	if flags&optNX != 0 {
		out = append(out, []byte("NX"))
	}
	if flags&optXX != 0 {
		out = append(out, []byte("XX"))
	}
	if flags&optGet != 0 {
		out = append(out, []byte("GET"))
	}
	return append(out, []byte("PXAT"), strconv.AppendInt(nil, at, 10))
}

func setCmd(c *Ctx, argv [][]byte) {
	o, ok := parseExpireOpts(argv, 3, true)
	if !ok {
		c.W.Error(ErrSyntax)
		return
	}
	at, msg := absExpire(o, c.Now, "set")
	if failed(c, msg) {
		return
	}
	switch setGeneric(c, argv[1], argv[2], o.flags, at) {
	case setDone:
		if o.flags&optGet == 0 {
			c.W.Simple("OK")
		}
	case setAborted:
		if o.flags&optGet == 0 {
			c.W.Null()
		}
	}
}

// Outcomes of setGeneric.
const (
	setDone    = iota
	setAborted // NX or XX did not hold
	setFailed  // an error was replied
)

// setGeneric is Redis's setGenericCommand once the expiry is known (at is
// absolute ms, 0 for none). With GET it replies the old value itself;
// otherwise the caller replies according to the outcome.
func setGeneric(c *Ctx, key, val []byte, flags int, at int64) int {
	old := c.KS.LookupWrite(key, c.Now)
	if flags&optGet != 0 {
		if old != nil && old.Kind != shard.KindString {
			c.W.Error(ErrWrongType)
			return setFailed
		}
		if old == nil {
			c.W.Null()
		} else {
			c.W.Bulk(old.Str)
		}
	}
	if flags&optNX != 0 && old != nil || flags&optXX != 0 && old == nil {
		return setAborted
	}
	if flags&optKeepTTL != 0 && old != nil && at == 0 {
		at = old.ExpireAt
	}
	putString(c, key, old, val, at)
	return setDone
}

func setnxCmd(c *Ctx, argv [][]byte) {
	if setGeneric(c, argv[1], argv[2], optNX, 0) == setDone {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// setexUnit tells SETEX (seconds) from PSETEX (ms), with the name Redis
// puts in its error.
func setexUnit(argv [][]byte) (seconds bool, name string) {
	if eq(argv[0], "PSETEX") {
		return false, "psetex"
	}
	return true, "setex"
}

// setexPrepare replicates SETEX and PSETEX as SET key val PXAT at, which
// replies the same +OK and likewise overwrites a key of any type.
func setexPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	seconds, name := setexUnit(argv)
	at, msg := expireAt(argv[2], seconds, true, c.Now, name)
	if msg != "" {
		return nil, ReplyError(msg)
	}
	return setArgv(argv[1], argv[3], 0, at), nil
}

func setexCmd(c *Ctx, argv [][]byte) {
	seconds, name := setexUnit(argv)
	at, msg := expireAt(argv[2], seconds, true, c.Now, name)
	if failed(c, msg) {
		return
	}
	setGeneric(c, argv[1], argv[3], 0, at)
	c.W.Simple("OK")
}

// GETSET is SET key val GET, reply and errors included.
func getsetCmd(c *Ctx, argv [][]byte) {
	setGeneric(c, argv[1], argv[2], optGet, 0)
}

func getdelCmd(c *Ctx, argv [][]byte) {
	o, ok := writeString(c, argv[1], nullAbsent)
	if !ok {
		return
	}
	c.W.Bulk(o.Str)
	c.KS.Delete(argv[1])
}
