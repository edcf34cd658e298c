package command

import (
	"math"
	"math/big"
	"strconv"

	"github.com/ember-node/ember-node/shard"
)

// incrCmd is INCR, DECR, INCRBY and DECRBY. Which one is told by the name
// and argument count, so the four share one Exec.
func incrCmd(c *Ctx, argv [][]byte) {
	delta, msg := incrDelta(argv)
	if failed(c, msg) {
		return
	}
	incrBy(c, argv[1], delta)
}

// incrDelta returns the increment of an INCR-family argv. Redis checks it
// before the key, so Prepare can reject a bad one.
func incrDelta(argv [][]byte) (int64, string) {
	decr := argv[0][0]|0x20 == 'd'
	if len(argv) == 2 {
		if decr {
			return -1, ""
		}
		return 1, ""
	}
	n, ok := ParseInt(argv[2])
	if !ok {
		return 0, ErrNotInt
	}
	if decr {
		if n == math.MinInt64 {
			return 0, "ERR decrement would overflow"
		}
		n = -n
	}
	return n, ""
}

func incrPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	if _, msg := incrDelta(argv); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

// incrBy adds delta to the integer at key, keeping its TTL. The digits are
// rewritten in the string's own storage.
func incrBy(c *Ctx, key []byte, delta int64) {
	o, ok := writeString(c, key, keepAbsent)
	if !ok {
		return
	}
	var v int64
	if o != nil {
		if v, ok = ParseInt(o.Str); !ok {
			c.W.Error(ErrNotInt)
			return
		}
	}
	if delta < 0 && v < 0 && delta < math.MinInt64-v || delta > 0 && v > 0 && delta > math.MaxInt64-v {
		c.W.Error(ErrOverflow)
		return
	}
	v += delta
	if o == nil {
		o = c.KS.Create(key, shard.KindString, c.Now)
	}
	o.Str = strconv.AppendInt(o.Str[:0], v, 10)
	c.W.Int(v)
}

// incrbyfloatCmd computes in long double precision like Redis on amd64,
// so that 1.1 + 0.2 is "1.3". big.Float arithmetic is exact and portable,
// so every replica stores the same digits.
func incrbyfloatCmd(c *Ctx, argv [][]byte) {
	key := argv[1]
	o, ok := writeString(c, key, keepAbsent)
	if !ok {
		return
	}
	cur := new(big.Float)
	if o != nil {
		if cur, ok = strtold(o.Str); !ok {
			c.W.Error(ErrNotFloat)
			return
		}
	}
	incr, ok := strtold(argv[2])
	if !ok {
		c.W.Error(ErrNotFloat)
		return
	}
	sum, ok := addLD(cur, incr)
	if !ok {
		c.W.Error(ErrNaNInf)
		return
	}
	if o == nil {
		o = c.KS.Create(key, shard.KindString, c.Now)
	}
	o.Str = FormatLongDouble(sum)
	c.W.Bulk(o.Str)
}
