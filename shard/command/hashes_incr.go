package command

import (
	"math"
	"math/big"
	"strconv"
)

const (
	errHashNotInt   = "ERR hash value is not an integer"
	errHashNotFloat = "ERR hash value is not a float"
	errIncrNaNInf   = "ERR value is NaN or Infinity"
)

// hincrbyPrepare refuses a bad increment before it becomes a record.
func hincrbyPrepare(_ *Ctx, argv [][]byte) ([][]byte, error) {
	if _, ok := ParseInt(argv[3]); !ok {
		return nil, ReplyError(ErrNotInt)
	}
	return argv, nil
}

func hincrbyCmd(c *Ctx, argv [][]byte) {
	incr, ok := ParseInt(argv[3])
	if !ok {
		c.W.Error(ErrNotInt)
		return
	}
	h := hashKind.writeOrNew(c, argv[1])
	if h == nil {
		return
	}
	var cur int64
	if v, ok := h.Get(argv[2]); ok {
		if cur, ok = ParseInt(v); !ok {
			c.W.Error(errHashNotInt)
			return
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.W.Error(ErrOverflow)
		return
	}
	var buf [20]byte
	h.Set(argv[2], strconv.AppendInt(buf[:0], cur+incr, 10))
	c.W.Int(cur + incr)
}

// hincrbyfloatPrepare refuses a bad increment before it becomes a record.
func hincrbyfloatPrepare(_ *Ctx, argv [][]byte) ([][]byte, error) {
	if _, msg := parseIncrLD(argv[3]); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

// parseIncrLD parses an HINCRBYFLOAT increment, returning an error reply
// when it is not a finite number.
func parseIncrLD(b []byte) (*big.Float, string) {
	f, inf, ok := parseLD(b)
	switch {
	case !ok:
		return nil, ErrNotFloat
	case inf:
		return nil, errIncrNaNInf
	}
	return f, ""
}

func hincrbyfloatCmd(c *Ctx, argv [][]byte) {
	incr, msg := parseIncrLD(argv[3])
	if msg != "" {
		c.W.Error(msg)
		return
	}
	h := hashKind.writeOrNew(c, argv[1])
	if h == nil {
		return
	}
	cur := new(big.Float)
	if v, ok := h.Get(argv[2]); ok {
		f, inf, ok := parseLD(v)
		if !ok {
			c.W.Error(errHashNotFloat)
			return
		}
		if inf {
			c.W.Error(ErrNaNInf)
			return
		}
		cur = f
	}
	sum, ok := AddLongDouble(cur, incr)
	if !ok {
		c.W.Error(ErrNaNInf)
		return
	}
	out := FormatLongDouble(sum)
	h.Set(argv[2], out)
	c.W.Bulk(out)
}

// parseLD parses b as Redis's string2ld (strtold) does, reporting an
// infinity by inf so the caller can give Redis's error.
func parseLD(b []byte) (f *big.Float, inf, ok bool) {
	f, ok = strtold(b)
	switch {
	case !ok:
		return nil, false, false
	case f.IsInf():
		return nil, true, true
	}
	return f, false, true
}
