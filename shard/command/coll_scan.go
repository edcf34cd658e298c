package command

import (
	"strconv"
	"unsafe"

	"github.com/ember-node/ember-node/shard"
)

// smallScanLen is the size up to which HSCAN and SSCAN return a whole
// collection at once with cursor 0, as Redis does for its compact
// (listpack, intset) encodings; it also bounds the work of one call.
const smallScanLen = 128

// scanRequest is a HSCAN, SSCAN or ZSCAN call's cursor and options.
type scanRequest struct {
	cursor  uint64
	pattern []byte // nil: every element
	count   int
}

// scanStart begins HSCAN, SSCAN and ZSCAN with Redis's order of checks:
// the cursor, then the key (a missing one is an empty page), then MATCH
// and COUNT. It replies itself, and reports false, when the command is
// done.
func scanStart[T any](c *Ctx, argv [][]byte, k kindOf[T]) (*T, scanRequest, bool) {
	cursor, ok := parseCursor(argv[2])
	if !ok {
		c.W.Error("ERR invalid cursor")
		return nil, scanRequest{}, false
	}
	x, ok := k.read(c, argv[1], emptyScanAbsent)
	if !ok {
		return nil, scanRequest{}, false
	}
	pattern, count, ok := collScanOpts(c, argv)
	return x, scanRequest{cursor, pattern, count}, ok
}

// collScanOpts parses the MATCH and COUNT options of HSCAN, SSCAN and
// ZSCAN from argv[3:], replying itself on an error. A nil pattern matches
// everything.
func collScanOpts(c *Ctx, argv [][]byte) (pattern []byte, count int, ok bool) {
	count = 10
	for i := 3; i < len(argv); i += 2 {
		more := i+1 < len(argv)
		switch {
		case more && eq(argv[i], "COUNT"):
			n, ok := intArg(c, argv[i+1])
			if !ok {
				return nil, 0, false
			}
			if n < 1 {
				c.W.Error(ErrSyntax)
				return nil, 0, false
			}
			count = int(n)
		case more && eq(argv[i], "MATCH"):
			pattern = argv[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
		default:
			c.W.Error(ErrSyntax)
			return nil, 0, false
		}
	}
	return pattern, count, true
}

// scanEntry is an element a collection scan found, with its value (a
// hash field's value, a member's score, nothing for a set).
type scanEntry[T any] struct {
	key string
	val T
}

// scanPage gathers the elements of one page that match the pattern, and
// the next cursor. A small collection comes whole, through all, with
// cursor 0. Otherwise buckets are visited through scan from the cursor
// until count entries were seen (weight per element: Redis counts a hash
// field and its value as two) or count*10 buckets were, as Redis's
// scanGenericCommand. Entries count before the pattern filters them, so a
// page may be short or empty with a non-zero cursor.
func scanPage[T any](r scanRequest, small bool, weight int,
	all func(func(string, T) bool), scan func(uint64, func(string, T)) uint64) ([]scanEntry[T], uint64) {
	var out []scanEntry[T]
	entries := 0
	visit := func(k string, v T) bool {
		entries += weight
		if r.pattern == nil || shard.Match(r.pattern, viewBytes(k), false) {
			out = append(out, scanEntry[T]{k, v})
		}
		return true
	}
	if small {
		all(visit)
		return out, 0
	}
	cursor := r.cursor
	for buckets := 1; ; buckets++ {
		cursor = scan(cursor, func(k string, v T) { visit(k, v) })
		if !scanMore(cursor, buckets, entries, r.count) {
			return out, cursor
		}
	}
}

// scanMore reports whether a collection scan should visit another
// bucket: Redis stops after count*10 buckets or once count reply entries
// were gathered before filtering.
func scanMore(cursor uint64, buckets, entries, count int) bool {
	return cursor != 0 && (buckets+9)/10 <= count && entries < count
}

// viewBytes views s as bytes without copying, for read-only use.
func viewBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// writeCursor writes the cursor of a scan reply.
func writeCursor(c *Ctx, cursor uint64) {
	var buf [20]byte
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(buf[:0], cursor, 10))
}

// HSCAN and SSCAN; ZSCAN is with the sorted set range commands.

func hscanCmd(c *Ctx, argv [][]byte) {
	h, r, ok := scanStart(c, argv, hashKind)
	if !ok {
		return
	}
	out, cursor := scanPage(r, h.Len() <= smallScanLen, 2, h.Range, h.Scan)
	writeCursor(c, cursor)
	c.W.Array(2 * len(out))
	for _, e := range out {
		c.W.BulkString(e.key)
		c.W.Bulk(e.val)
	}
}

func sscanCmd(c *Ctx, argv [][]byte) {
	s, r, ok := scanStart(c, argv, setKind)
	if !ok {
		return
	}
	ks := keyedSet{s}
	out, cursor := scanPage(r, s.Len() <= smallScanLen, 1, ks.Range, ks.Scan)
	writeCursor(c, cursor)
	c.W.Array(len(out))
	for _, e := range out {
		c.W.BulkString(e.key)
	}
}

// keyedSet views a set as members with empty values, the shape of the
// helpers shared with hashes and sorted sets (randomPicks, scanPage).
type keyedSet struct{ s *shard.Set }

func (k keyedSet) Range(fn func(string, struct{}) bool) {
	k.s.Range(func(m string) bool { return fn(m, struct{}{}) })
}

func (k keyedSet) Scan(cursor uint64, fn func(string, struct{})) uint64 {
	return k.s.Scan(cursor, func(m string) { fn(m, struct{}{}) })
}

func (k keyedSet) Random(r func(n uint64) uint64) (string, struct{}) {
	m, _ := k.s.Random(r)
	return m, struct{}{}
}
