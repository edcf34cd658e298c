package shard

import "strings"

// Score ranges are answered as half-open rank intervals [lo, hi): two
// O(log n) descents find the bounds, and every score-range command (count,
// list, remove, with LIMIT) then works on ranks.
//
// Lex ranges only make sense when all scores are equal; otherwise Redis
// leaves the result unspecified, and what it actually does depends on the
// encoding. So lex ranges follow Redis's algorithms step by step: a linear
// scan over a small (listpack) set, a skip-list descent over a big one, the
// same early checks, and the same walk from the first node in range while
// the other bound holds. For sets whose scores are equal, that is the plain
// lexicographic range.

// ScoreRange is a score interval; Min/Max exclusive when MinEx/MaxEx.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// LexBound is one end of a ZRANGEBYLEX interval: "-" (Inf < 0), "+"
// (Inf > 0), or S inclusive ("[") or exclusive ("(").
type LexBound struct {
	S   string
	Ex  bool
	Inf int8
}

// LexRange is a member interval, meaningful when all scores are equal.
type LexRange struct {
	Min, Max LexBound
}

// cmpBounds is Redis's sdscmplex: "-" and "+" compare equal to themselves
// and below and above everything else.
func cmpBounds(a, b LexBound) int {
	switch {
	case a.Inf != 0 && a.Inf == b.Inf:
		return 0
	case a.Inf < 0 || b.Inf > 0:
		return -1
	case a.Inf > 0 || b.Inf < 0:
		return 1
	}
	return strings.Compare(a.S, b.S)
}

// cmpMember compares a member with a bound.
func cmpMember(m string, b LexBound) int {
	if b.Inf != 0 {
		return -int(b.Inf)
	}
	return strings.Compare(m, b.S)
}

// GteMin reports whether m satisfies the lower bound.
func (r *LexRange) GteMin(m string) bool {
	c := cmpMember(m, r.Min)
	return c > 0 || c == 0 && !r.Min.Ex
}

// LteMax reports whether m satisfies the upper bound.
func (r *LexRange) LteMax(m string) bool {
	c := cmpMember(m, r.Max)
	return c < 0 || c == 0 && !r.Max.Ex
}

// mayHold is zslIsInLexRange: false when the range is empty or lies
// wholly beyond the ends of the set.
func (z *ZSet) mayHold(r *LexRange) bool {
	c := cmpBounds(r.Min, r.Max)
	if c > 0 || c == 0 && (r.Min.Ex || r.Max.Ex) || z.length == 0 {
		return false
	}
	return r.GteMin(z.tail.member) && r.LteMax(z.First().member)
}

// FirstInLex returns the first node of the range, or nil.
func (z *ZSet) FirstInLex(r *LexRange) *ZNode {
	if !z.mayHold(r) {
		return nil
	}
	x := z.firstGteMin(r)
	if x == nil || !r.LteMax(x.member) {
		return nil
	}
	return x
}

// firstGteMin finds where a lex range starts, without further checks.
func (z *ZSet) firstGteMin(r *LexRange) *ZNode {
	if !z.big {
		x := z.First()
		for x != nil && !r.GteMin(x.member) {
			x = x.Next()
		}
		return x
	}
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && !r.GteMin(f.member); f = x.lv(i).forward {
			x = f
		}
	}
	return x.lv(0).forward
}

// LastInLex returns the last node of the range, or nil.
func (z *ZSet) LastInLex(r *LexRange) *ZNode {
	if !z.mayHold(r) {
		return nil
	}
	var x *ZNode
	if !z.big {
		x = z.tail
		for x != nil && !r.LteMax(x.member) {
			x = x.Prev()
		}
	} else {
		x = z.header
		for i := z.level - 1; i >= 0; i-- {
			for f := x.lv(i).forward; f != nil && r.LteMax(f.member); f = x.lv(i).forward {
				x = f
			}
		}
	}
	if x == nil || x == z.header || !r.GteMin(x.member) {
		return nil
	}
	return x
}

// RankOf returns the 0-based rank of a node of z.
func (z *ZSet) RankOf(x *ZNode) int { return z.rankOf(x.score, x.member) - 1 }

// LexCount is ZLEXCOUNT: the run from the first node while the upper bound
// holds for a listpack, the rank difference of the ends for a skip list.
func (z *ZSet) LexCount(r *LexRange) int {
	first := z.FirstInLex(r)
	if first == nil {
		return 0
	}
	if !z.big {
		n := 0
		for x := first; x != nil && r.LteMax(x.member); x = x.Next() {
			n++
		}
		return n
	}
	n := z.length - z.RankOf(first)
	if last := z.LastInLex(r); last != nil {
		n -= z.length - 1 - z.RankOf(last)
	}
	return n
}

// LexRemoveRanks returns the ranks [lo, hi) that ZREMRANGEBYLEX deletes:
// from the start of the range while the upper bound holds.
func (z *ZSet) LexRemoveRanks(r *LexRange) (lo, hi int) {
	var x *ZNode
	if z.big {
		x = z.firstGteMin(r)
	} else {
		x = z.FirstInLex(r)
	}
	if x == nil {
		return 0, 0
	}
	lo, hi = z.RankOf(x), z.RankOf(x)
	for ; x != nil && r.LteMax(x.member); x = x.Next() {
		hi++
	}
	return lo, hi
}

// countScore returns how many nodes have a score below s, or at most s
// when incl.
func (z *ZSet) countScore(s float64, incl bool) int {
	x := z.header
	r := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && (f.score < s || incl && f.score == s); f = x.lv(i).forward {
			r += x.lv(i).span
			x = f
		}
	}
	return r
}

// ScoreRanks returns the 0-based ranks [lo, hi) of the members in r; the
// range is empty when hi == lo.
func (z *ZSet) ScoreRanks(r ScoreRange) (lo, hi int) {
	lo = z.countScore(r.Min, r.MinEx)
	hi = z.countScore(r.Max, !r.MaxEx)
	return lo, max(lo, hi)
}
