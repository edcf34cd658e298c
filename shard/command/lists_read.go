package command

import (
	"bytes"

	"github.com/ember-node/ember-node/shard"
)

func llenCmd(c *Ctx, argv [][]byte) {
	if l, ok := listKind.read(c, argv[1], zeroAbsent); ok {
		c.W.Int(int64(l.Len()))
	}
}

func lrangeCmd(c *Ctx, argv [][]byte) {
	start, end, ok := intPair(c, argv[2], argv[3])
	if !ok {
		return
	}
	l, ok := listKind.read(c, argv[1], emptyAbsent)
	if !ok {
		return
	}
	from, to := indexRange(start, end, l.Len())
	c.W.Array(to - from)
	for i := from; i < to; i++ {
		c.W.Bulk(l.At(i))
	}
}

// listIndexArg parses the index of LINDEX and LSET, negative counting from
// the tail, replying "not an integer" (and ok false) for a bad one. i is -1
// when the index falls outside l.
func listIndexArg(c *Ctx, arg []byte, l *shard.List) (i int, ok bool) {
	n, ok := intArg(c, arg)
	if !ok {
		return 0, false
	}
	if n < 0 {
		n += int64(l.Len())
	}
	if n < 0 || n >= int64(l.Len()) {
		return -1, true
	}
	return int(n), true
}

// lindexCmd looks the key up before parsing the index, as Redis does: a
// missing key answers null whatever the index.
func lindexCmd(c *Ctx, argv [][]byte) {
	l, ok := listKind.read(c, argv[1], nullAbsent)
	if !ok {
		return
	}
	switch i, ok := listIndexArg(c, argv[2], l); {
	case !ok:
	case i < 0:
		c.W.Null()
	default:
		c.W.Bulk(l.At(i))
	}
}

// lposOpts are LPOS's options; count < 0 means COUNT was not given.
type lposOpts struct {
	rank, count, maxlen int64
}

const errRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"

func parseLpos(argv [][]byte) (lposOpts, string) {
	o := lposOpts{rank: 1, count: -1}
	for j := 3; j < len(argv); j++ {
		if j+1 >= len(argv) {
			return o, ErrSyntax
		}
		opt, v := argv[j], argv[j+1]
		j++
		n, ok := ParseInt(v)
		switch {
		case eq(opt, "RANK"):
			if !ok {
				return o, ErrNotInt
			}
			if n == 0 {
				return o, errRankZero
			}
			o.rank = n
		case eq(opt, "COUNT"):
			if !ok || n < 0 {
				return o, "ERR COUNT can't be negative"
			}
			o.count = n
		case eq(opt, "MAXLEN"):
			if !ok || n < 0 {
				return o, "ERR MAXLEN can't be negative"
			}
			o.maxlen = n
		default:
			return o, ErrSyntax
		}
	}
	return o, ""
}

func lposCmd(c *Ctx, argv [][]byte) {
	o, msg := parseLpos(argv)
	if failed(c, msg) {
		return
	}
	l, ok := listKind.read(c, argv[1], keepAbsent)
	if !ok {
		return
	}
	var buf [16]int64
	var found []int64
	if l != nil {
		found = lposSearch(l, argv[2], o, buf[:0])
	}
	if o.count >= 0 {
		c.W.Array(len(found))
		for _, i := range found {
			c.W.Int(i)
		}
		return
	}
	if len(found) == 0 {
		c.W.Null()
		return
	}
	c.W.Int(found[0])
}

// lposSearch appends the indexes LPOS answers to out. The arithmetic is
// Redis's, wrap-around included: RANK -9223372036854775808 negates to
// itself, so every match qualifies and COUNT never stops the scan.
func lposSearch(l *shard.List, ele []byte, o lposOpts, out []int64) []int64 {
	size := int64(l.Len())
	rank, fromTail := o.rank, o.rank < 0
	if fromTail {
		rank = -rank
	}
	var matches int64
	for k := int64(0); k < size && (o.maxlen == 0 || k < o.maxlen); k++ {
		i := k
		if fromTail {
			i = size - 1 - k
		}
		if !bytes.Equal(l.At(int(i)), ele) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		out = append(out, i)
		if o.count < 0 || o.count != 0 && matches-rank+1 >= o.count {
			break
		}
	}
	return out
}
