package command

import (
	"slices"

	"github.com/ember-node/ember-node/shard"
)

// setOperands returns the sets under keys, nil for a missing key. Like
// Redis 7.0 it checks every key's type before computing anything, so a
// WRONGTYPE is reported even when an earlier key is missing.
func setOperands(c *Ctx, keys [][]byte) ([]*shard.Set, bool) {
	sets := make([]*shard.Set, len(keys))
	for i, k := range keys {
		s, ok := setKind.read(c, k, keepAbsent)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// interEach calls fn for each member of the intersection of sets until fn
// returns false. A missing set makes the intersection empty. It iterates
// the smallest set and probes the others, smallest first.
func interEach(sets []*shard.Set, fn func(m string) bool) {
	if slices.Contains(sets, nil) {
		return
	}
	slices.SortFunc(sets, func(a, b *shard.Set) int { return a.Len() - b.Len() })
	sets[0].Range(func(m string) bool {
		for _, o := range sets[1:] {
			if !o.HasString(m) {
				return true
			}
		}
		return fn(m)
	})
}

// diffEach calls fn for each member of the first set found in none of the
// others.
func diffEach(sets []*shard.Set, fn func(m string)) {
	if sets[0] == nil {
		return
	}
	sets[0].Range(func(m string) bool {
		for _, o := range sets[1:] {
			if o != nil && o.HasString(m) {
				return true
			}
		}
		fn(m)
		return true
	})
}

// union returns a new set of every member of sets. It shares the members'
// strings with the sources, which is safe as strings are immutable.
func union(sets []*shard.Set) *shard.Set {
	res := &shard.Set{}
	for _, s := range sets {
		if s != nil {
			s.Range(func(m string) bool {
				res.AddString(m)
				return true
			})
		}
	}
	return res
}

// setOpCmd returns the Exec of SINTER, SUNION or SDIFF (store=false) or of
// their STORE forms, which take the destination first.
func setOpCmd(op func(sets []*shard.Set) *shard.Set, store bool) func(*Ctx, [][]byte) {
	return func(c *Ctx, argv [][]byte) {
		from := 1
		if store {
			from = 2
		}
		sets, ok := setOperands(c, argv[from:])
		if !ok {
			return
		}
		res := op(sets)
		if store {
			storeSet(c, argv[1], res)
			return
		}
		writeMembers(c, res)
	}
}

func setInter(sets []*shard.Set) *shard.Set {
	res := &shard.Set{}
	interEach(sets, func(m string) bool {
		res.AddString(m)
		return true
	})
	return res
}

func setDiff(sets []*shard.Set) *shard.Set {
	res := &shard.Set{}
	diffEach(sets, func(m string) { res.AddString(m) })
	return res
}

// storeSet makes res the value of dst, replacing whatever dst held (type
// and expiry included), or deletes dst when res is empty, and replies with
// the size.
func storeSet(c *Ctx, dst []byte, res *shard.Set) {
	// Deleting first also keeps Create off its path that replaces a key,
	// which loses the key when it was alone in its slot.
	c.KS.Delete(dst)
	if res.Len() == 0 {
		c.W.Int(0)
		return
	}
	o := c.KS.Create(dst, shard.KindSet, c.Now)
	*o.Set() = *res
	c.W.Int(int64(res.Len()))
}

var (
	sinterCmd      = setOpCmd(setInter, false)
	sunionCmd      = setOpCmd(union, false)
	sdiffCmd       = setOpCmd(setDiff, false)
	sinterstoreCmd = setOpCmd(setInter, true)
	sunionstoreCmd = setOpCmd(union, true)
	sdiffstoreCmd  = setOpCmd(setDiff, true)
)

const (
	errNumkeys  = "ERR numkeys should be greater than 0"
	errTooMany  = "ERR Number of keys can't be greater than number of args"
	errNegLimit = "ERR LIMIT can't be negative"
)

// sintercardKeys locates the numkeys keys of SINTERCARD; none when numkeys
// is invalid, as the command then fails without touching a key.
func sintercardKeys(argv [][]byte) []int {
	if len(argv) < 2 {
		return nil
	}
	n, ok := ParseInt(argv[1])
	if !ok || n < 1 || n > int64(len(argv)-2) {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 2 + i
	}
	return out
}

func sintercardCmd(c *Ctx, argv [][]byte) {
	n, ok := ParseInt(argv[1])
	if !ok || n < 1 {
		c.W.Error(errNumkeys)
		return
	}
	if n > int64(len(argv)-2) {
		c.W.Error(errTooMany)
		return
	}
	end := 2 + int(n)
	limit := int64(0)
	for j := end; j < len(argv); j++ {
		if !eq(argv[j], "LIMIT") || j+1 == len(argv) {
			c.W.Error(ErrSyntax)
			return
		}
		j++
		if limit, ok = ParseInt(argv[j]); !ok || limit < 0 {
			c.W.Error(errNegLimit)
			return
		}
	}
	sets, ok := setOperands(c, argv[2:end])
	if !ok {
		return
	}
	count := int64(0)
	interEach(sets, func(string) bool {
		count++
		return limit == 0 || count < limit
	})
	c.W.Int(count)
}
