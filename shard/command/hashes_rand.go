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
		if h, ok := hashKind.read(c, argv[1], nullAbsent); ok {
			f, _, _ := h.Random(c.Rand().Uint64N)
			c.W.BulkString(f)
		}
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
	if h, ok := hashKind.read(c, argv[1], emptyAbsent); ok {
		hrandfieldCount(c, h, count, withValues)
	}
}

// hrandfieldCount replies count random fields, with their values as
// [field, value] pairs in RESP3 and flat in RESP2.
func hrandfieldCount(c *Ctx, h *shard.Hash, count int64, withValues bool) {
	pairs := withValues && c.W.Resp3()
	header := func(n int) {
		if withValues && !pairs {
			n *= 2
		}
		c.W.Array(n)
	}
	emit := func(f string, v []byte) {
		if pairs {
			c.W.Array(2)
		}
		c.W.BulkString(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	rnd := c.Rand().Uint64N
	random := func() (string, []byte) {
		f, v, _ := h.Random(rnd)
		return f, v
	}
	randomPicks(c, count, h.Len(), header, random, h.Range, emit)
}

// randomPicks replies count random elements of a collection of size > 0
// as Redis's SRANDMEMBER and HRANDFIELD do: none for 0, drawn with repeats
// for a negative count (or 1), the whole collection when count covers it,
// and otherwise count distinct ones (see pickDistinct). header announces
// the number of elements; emit writes one.
func randomPicks[T any](c *Ctx, count int64, size int, header func(int), random func() (string, T),
	rangeAll func(func(string, T) bool), emit func(string, T)) {
	switch {
	case count == 0:
		header(0)
	case count < 0 || count == 1:
		n := max(count, -count)
		header(int(n))
		stop := overflow(c.W)
		for i := int64(0); i < n; i++ {
			emit(random())
			if i%overflowEvery == 0 && stop() {
				return // the connection is closed over its output limit
			}
		}
	case count >= int64(size):
		header(size)
		rangeAll(func(k string, v T) bool {
			emit(k, v)
			return true
		})
	default:
		header(int(count))
		pickDistinct(c, int(count), size, random, rangeAll, emit)
	}
}

// Overflower is a Writer that knows its connection's output buffer limit
// (Redis's client-output-buffer-limit): a loop that repeats elements as
// long as the client asks (SRANDMEMBER and HRANDFIELD with a negative
// count) stops once it reports true, as Redis's loops check
// CLIENT_CLOSE_ASAP. The reply is then cut short, and the server closes
// the connection without sending it.
type Overflower interface {
	Overflowed() bool
}

// overflowEvery is how many elements a repeating loop writes between
// checks of the limit.
const overflowEvery = 64

// overflow returns w's limit check, or one that never stops for a writer
// without a limit.
func overflow(w Writer) func() bool {
	if o, ok := w.(Overflower); ok {
		return o.Overflowed
	}
	return func() bool { return false }
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
