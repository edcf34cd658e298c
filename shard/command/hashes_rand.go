package command

import (
	"math"

	"github.com/ember-node/ember-node/shard"
)

const errRandCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"

// parseRandCount parses the count of HRANDFIELD and SRANDMEMBER, which
// Redis bounds to ±LONG_MAX so that its magnitude fits.
func parseRandCount(c *Ctx, b []byte) (int64, bool) {
	n, ok := ParseInt(b)
	if !ok {
		c.W.Error(ErrNotInt)
		return 0, false
	}
	if n == math.MinInt64 {
		c.W.Error(errRandCountRange)
		return 0, false
	}
	return n, true
}

func hrandfieldCmd(c *Ctx, argv [][]byte) {
	if len(argv) == 2 {
		h, ok := lookupHash(c, argv[1])
		if !ok {
			return
		}
		if h == nil {
			c.W.Null()
			return
		}
		f, _, _ := h.Random(c.Rand().Uint64N)
		c.W.BulkString(f)
		return
	}
	count, ok := parseRandCount(c, argv[2])
	if !ok {
		return
	}
	if len(argv) > 4 || len(argv) == 4 && !eq(argv[3], "WITHVALUES") {
		c.W.Error(ErrSyntax)
		return
	}
	withValues := len(argv) == 4
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.W.Error("ERR value is out of range")
		return
	}
	h, ok := lookupHash(c, argv[1])
	if !ok {
		return
	}
	if h == nil || count == 0 {
		c.W.Array(0)
		return
	}
	hrandfieldCount(c, h, count, withValues)
}

// hrandfieldCount replies count random fields: distinct ones for a
// positive count, with repeats for a negative one, as Redis does.
func hrandfieldCount(c *Ctx, h *shard.Hash, count int64, withValues bool) {
	emit := func(f string, v []byte) {
		if withValues && c.W.Resp3() {
			c.W.Array(2)
		}
		c.W.BulkString(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	header := func(n int) {
		if withValues && !c.W.Resp3() {
			n *= 2
		}
		c.W.Array(n)
	}
	size := h.Len()
	rnd := c.Rand().Uint64N
	switch {
	case count < 0 || count == 1:
		n := int(max(count, -count))
		header(n)
		for range n {
			f, v, _ := h.Random(rnd)
			emit(f, v)
		}
	case count >= int64(size):
		header(size)
		h.Range(func(f string, v []byte) bool {
			emit(f, v)
			return true
		})
	default:
		header(int(count))
		pickDistinct(c, int(count), size, func() (string, []byte) {
			f, v, _ := h.Random(rnd)
			return f, v
		}, h.Range, emit)
	}
}

// pickDistinct emits count distinct elements out of size (count < size)
// in random order. When most elements are wanted it shuffles them all;
// otherwise it draws until it has count different ones, as Redis's cases 3
// and 4 of SRANDMEMBER do.
func pickDistinct[T any](c *Ctx, count, size int, random func() (string, T),
	rangeAll func(func(string, T) bool), emit func(string, T)) {
	r := c.Rand()
	if count*3 > size {
		type elem struct {
			k string
			v T
		}
		all := make([]elem, 0, size)
		rangeAll(func(k string, v T) bool {
			all = append(all, elem{k, v})
			return true
		})
		for i := range count {
			j := i + int(r.Uint64N(uint64(len(all)-i)))
			all[i], all[j] = all[j], all[i]
			emit(all[i].k, all[i].v)
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		k, v := random()
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			emit(k, v)
		}
	}
}
