package command

import "github.com/ember-node/ember-node/shard"

// lcsOpts are LCS's options.
type lcsOpts struct {
	idx, length, withLen bool
	minLen               int64
}

// lcsMatch is one common range: a[a0..a1] equals b[b0..b1].
type lcsMatch struct{ a0, a1, b0, b1 int64 }

// lcsCmd follows Redis's lcsCommand: types are checked before options, a
// missing key is an empty string, and the dynamic-programming table is
// refused when it would exceed proto-max-bulk-len.
func lcsCmd(c *Ctx, argv [][]byte) {
	a, b, ok := lcsStrings(c, argv[1], argv[2])
	if !ok {
		c.W.Error("ERR The specified keys must contain string values")
		return
	}
	opt, msg := parseLcsOpts(argv[3:])
	if msg != "" {
		c.W.Error(msg)
		return
	}
	if int64(len(a)+1)*int64(len(b)+1)*4 > stringMaxLen {
		c.W.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	table := lcsTable(a, b)
	total := int64(table[len(table)-1])
	if opt.length && !opt.idx {
		c.W.Int(total)
		return
	}
	common, matches := lcsWalk(a, b, table, opt.minLen)
	if !opt.idx {
		c.W.Bulk(common)
		return
	}
	writeLcsMatches(c, matches, opt.withLen, total)
}

func lcsStrings(c *Ctx, ka, kb []byte) (a, b []byte, ok bool) {
	oa, ob := c.KS.Lookup(ka, c.Now), c.KS.Lookup(kb, c.Now)
	if oa != nil && oa.Kind != shard.KindString || ob != nil && ob.Kind != shard.KindString {
		return nil, nil, false
	}
	if oa != nil {
		a = oa.Str
	}
	if ob != nil {
		b = ob.Str
	}
	return a, b, true
}

func parseLcsOpts(args [][]byte) (lcsOpts, string) {
	var o lcsOpts
	for j := 0; j < len(args); j++ {
		switch a := args[j]; {
		case eq(a, "IDX"):
			o.idx = true
		case eq(a, "LEN"):
			o.length = true
		case eq(a, "WITHMATCHLEN"):
			o.withLen = true
		case eq(a, "MINMATCHLEN") && j+1 < len(args):
			n, ok := ParseInt(args[j+1])
			if !ok {
				return o, ErrNotInt
			}
			o.minLen = max(n, 0)
			j++
		default:
			return o, ErrSyntax
		}
	}
	if o.idx && o.length {
		return o, "ERR If you want both the length and indexes, please just use IDX."
	}
	return o, ""
}

// lcsTable returns LCS lengths of all prefix pairs: entry j+(len(b)+1)*i
// is the LCS length of a[:i] and b[:j].
func lcsTable(a, b []byte) []uint32 {
	w := len(b) + 1
	t := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		row, prev := t[i*w:(i+1)*w], t[(i-1)*w:i*w]
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	return t
}

// lcsWalk walks the table back from the end as Redis does, returning the
// common subsequence and its contiguous ranges (last first) of at least
// minLen bytes.
func lcsWalk(a, b []byte, t []uint32, minLen int64) ([]byte, []lcsMatch) {
	w := len(b) + 1
	n := t[len(t)-1]
	common := make([]byte, n)
	var out []lcsMatch
	var cur lcsMatch
	open := false
	emit := func() {
		if minLen == 0 || cur.a1-cur.a0+1 >= minLen {
			out = append(out, cur)
		}
		open = false
	}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		if a[i-1] == b[j-1] {
			n--
			common[n] = a[i-1]
			i, j = i-1, j-1
			if open && cur.a0 == int64(i)+1 && cur.b0 == int64(j)+1 {
				cur.a0, cur.b0 = int64(i), int64(j)
			} else {
				cur = lcsMatch{int64(i), int64(i), int64(j), int64(j)}
				open = true
			}
			if i == 0 || j == 0 {
				emit()
			}
			continue
		}
		if t[(i-1)*w+j] > t[i*w+j-1] {
			i--
		} else {
			j--
		}
		if open {
			emit()
		}
	}
	return common, out
}

func writeLcsMatches(c *Ctx, matches []lcsMatch, withLen bool, total int64) {
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(matches))
	for _, m := range matches {
		if withLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(m.a0)
		c.W.Int(m.a1)
		c.W.Array(2)
		c.W.Int(m.b0)
		c.W.Int(m.b1)
		if withLen {
			c.W.Int(m.a1 - m.a0 + 1)
		}
	}
	c.W.BulkString("len")
	c.W.Int(total)
}
