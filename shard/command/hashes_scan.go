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

// collScanOpts parses the MATCH and COUNT options of HSCAN and SSCAN from
// argv[3:], replying itself on an error. A nil pattern matches everything.
func collScanOpts(c *Ctx, argv [][]byte) (pattern []byte, count int, ok bool) {
	count = 10
	for i := 3; i < len(argv); i += 2 {
		more := i+1 < len(argv)
		switch {
		case more && eq(argv[i], "COUNT"):
			n, ok := ParseInt(argv[i+1])
			if !ok {
				c.W.Error(ErrNotInt)
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

// scanMore reports whether a HSCAN or SSCAN call should visit another
// bucket: Redis stops after count*10 buckets or once count reply entries
// (a hash field and its value are two) were gathered before filtering.
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

func hscanCmd(c *Ctx, argv [][]byte) {
	cursor, ok := parseCursor(argv[2])
	if !ok {
		c.W.Error("ERR invalid cursor")
		return
	}
	h, ok := lookupHash(c, argv[1])
	if !ok {
		return
	}
	if h == nil {
		writeCursor(c, 0)
		c.W.Array(0)
		return
	}
	pattern, count, ok := collScanOpts(c, argv)
	if !ok {
		return
	}
	type pair struct {
		f string
		v []byte
	}
	var out []pair
	entries := 0
	visit := func(f string, v []byte) bool {
		entries += 2
		if pattern == nil || shard.Match(pattern, viewBytes(f), false) {
			out = append(out, pair{f, v})
		}
		return true
	}
	if h.Len() <= smallScanLen {
		h.Range(visit)
		cursor = 0
	} else {
		for buckets := 1; ; buckets++ {
			cursor = h.Scan(cursor, func(f string, v []byte) { visit(f, v) })
			if !scanMore(cursor, buckets, entries, count) {
				break
			}
		}
	}
	writeCursor(c, cursor)
	c.W.Array(2 * len(out))
	for _, p := range out {
		c.W.BulkString(p.f)
		c.W.Bulk(p.v)
	}
}
