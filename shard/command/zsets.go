package command

import (
	"math"
	"slices"

	"github.com/ember-node/ember-node/shard"
)

func zsetCommands() []*Spec {
	return slices.Concat(zsetCoreCommands(), zsetRangeCommands(), zsetPopScanCommands())
}

const zgroup = "sorted-set"

func zsetCoreCommands() []*Spec {
	const g = zgroup
	rw, ro := Write|DenyOOM|Fast, ReadOnly|Fast
	return []*Spec{
		{Name: "zadd", Arity: -4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: zaddPrepare, Exec: zaddCmd, Group: g, Summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist."},
		{Name: "zincrby", Arity: 4, Flags: rw, First: 1, Last: 1, Step: 1, Prepare: zincrbyPrepare, Exec: zincrbyCmd, Group: g, Summary: "Increments the score of a member in a sorted set."},
		{Name: "zrem", Arity: -3, Flags: Write | Fast, First: 1, Last: 1, Step: 1, Exec: zremCmd, Group: g, Summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed."},
		{Name: "zscore", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zscoreCmd, Group: g, Summary: "Returns the score of a member in a sorted set."},
		{Name: "zmscore", Arity: -3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zmscoreCmd, Group: g, Summary: "Returns the score of one or more members in a sorted set."},
		{Name: "zcard", Arity: 2, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zcardCmd, Group: g, Summary: "Returns the number of members in a sorted set."},
		{Name: "zrank", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zrankCmd, Group: g, Summary: "Returns the index of a member in a sorted set ordered by ascending scores."},
		{Name: "zrevrank", Arity: 3, Flags: ro, First: 1, Last: 1, Step: 1, Exec: zrevrankCmd, Group: g, Summary: "Returns the index of a member in a sorted set ordered by descending scores."},
	}
}

// zwrite marks the key of a write command dirty before its first change.
type zwrite struct {
	c      *Ctx
	key    []byte
	marked bool
}

func (w *zwrite) mark() {
	if !w.marked {
		w.c.KS.LookupWrite(w.key, w.c.Now)
		w.marked = true
	}
}

func zaddPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	var buf [8]float64
	if _, _, _, msg := parseZAdd(argv, 0, buf[:0]); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

func zincrbyPrepare(c *Ctx, argv [][]byte) ([][]byte, error) {
	var buf [1]float64
	if _, _, _, msg := parseZAdd(argv, zaddIncr, buf[:0]); msg != "" {
		return nil, ReplyError(msg)
	}
	return argv, nil
}

func zaddCmd(c *Ctx, argv [][]byte)    { zaddGeneric(c, argv, 0) }
func zincrbyCmd(c *Ctx, argv [][]byte) { zaddGeneric(c, argv, zaddIncr) }

// zaddGeneric is Redis's zaddGenericCommand: all scores are parsed before
// anything changes, then each pair is applied in order.
func zaddGeneric(c *Ctx, argv [][]byte, flags int) {
	var buf [16]float64
	scores, flags, first, msg := parseZAdd(argv, flags, buf[:0])
	if failed(c, msg) {
		return
	}
	w := zwrite{c: c, key: argv[1]}
	z, ok := peekZSet(c, w.key, keepAbsent)
	if !ok {
		return
	}
	var added, updated, processed int
	var score float64
	if z == nil && flags&zaddXX == 0 {
		// LookupWrite first deletes an expired key, which Create must not
		// find.
		c.KS.LookupWrite(w.key, c.Now)
		z = c.KS.Create(w.key, shard.KindZSet, c.Now).ZSet()
		w.marked = true
	}
	for j := 0; z != nil && j < len(scores); j++ {
		out, s := zaddOne(&w, z, argv[first+1+2*j], scores[j], flags)
		switch out {
		case zaddNaN:
			c.W.Error(errZNaN)
			return
		case zaddAdded:
			added++
		case zaddUpdated:
			updated++
		}
		if out != zaddNop {
			processed++
			score = s
		}
	}
	zaddReply(c, flags, added, updated, processed, score)
}

func zaddReply(c *Ctx, flags, added, updated, processed int, score float64) {
	switch {
	case flags&zaddIncr == 0 && flags&zaddCH != 0:
		c.W.Int(int64(added + updated))
	case flags&zaddIncr == 0:
		c.W.Int(int64(added))
	case processed > 0:
		c.W.Double(score)
	default:
		c.W.Null()
	}
}

// Outcomes of one ZADD pair; zaddSame is a processed pair that changed
// nothing (the score is unchanged).
const (
	zaddNop = iota
	zaddSame
	zaddAdded
	zaddUpdated
	zaddNaN
)

// zaddOne is Redis's zsetAdd for one pair; it returns the outcome and the
// resulting score.
func zaddOne(w *zwrite, z *shard.ZSet, member []byte, score float64, flags int) (int, float64) {
	cur, exists := z.Score(member)
	if !exists {
		if flags&zaddXX != 0 {
			return zaddNop, 0
		}
		w.mark()
		z.Set(member, score)
		return zaddAdded, score
	}
	if flags&zaddNX != 0 {
		return zaddNop, 0
	}
	if flags&zaddIncr != 0 {
		score += cur
		if math.IsNaN(score) {
			return zaddNaN, 0
		}
	}
	if flags&zaddLT != 0 && score >= cur || flags&zaddGT != 0 && score <= cur {
		return zaddNop, 0
	}
	if score == cur {
		return zaddSame, score
	}
	w.mark()
	z.Set(member, score)
	return zaddUpdated, score
}

func zremCmd(c *Ctx, argv [][]byte) {
	w := zwrite{c: c, key: argv[1]}
	z, ok := peekZSet(c, w.key, zeroAbsent)
	if !ok {
		return
	}
	countArgs(c, argv[2:], func(m []byte) bool {
		if _, in := z.Score(m); !in {
			return false
		}
		w.mark()
		return z.Remove(m)
	})
}

func zscoreCmd(c *Ctx, argv [][]byte)  { zsetScores(c, argv, false) }
func zmscoreCmd(c *Ctx, argv [][]byte) { zsetScores(c, argv, true) }

// zsetScores is ZSCORE and ZMSCORE (array): the scores of members argv[2:].
func zsetScores(c *Ctx, argv [][]byte, array bool) {
	if z, ok := zsetKind.read(c, argv[1], keepAbsent); ok {
		writeEntries(c, argv[2:], array, z, (*shard.ZSet).Score, c.W.Double)
	}
}

func zcardCmd(c *Ctx, argv [][]byte) {
	if z, ok := zsetKind.read(c, argv[1], zeroAbsent); ok {
		c.W.Int(int64(z.Len()))
	}
}

func zrankCmd(c *Ctx, argv [][]byte)    { zrankGeneric(c, argv, false) }
func zrevrankCmd(c *Ctx, argv [][]byte) { zrankGeneric(c, argv, true) }

func zrankGeneric(c *Ctx, argv [][]byte, rev bool) {
	z, ok := zsetKind.read(c, argv[1], nullAbsent)
	if !ok {
		return
	}
	r, in := z.Rank(argv[2])
	switch {
	case !in:
		c.W.Null()
	case rev:
		c.W.Int(int64(z.Len() - 1 - r))
	default:
		c.W.Int(int64(r))
	}
}
