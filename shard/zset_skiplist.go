package shard

import (
	"reflect"
	"unsafe"
)

// The skip list is Redis's zskiplist: nodes ordered by (score, member), each
// level link carrying a span (how many nodes it jumps) so that rank lookups
// and rank-addressed ranges cost O(log n). A span whose link is nil is kept
// as Redis keeps it but never read.
//
// Unlike Redis's, a link also carries the score of the node it points to.
// A search on each level moves forward until the next node is past the
// target: with the score beside the link, that last look costs no cache
// miss on the node itself (only equal scores read its member), for 8 bytes
// a level (docs/performance.md).

// zMaxLevel bounds node height; with p = 1/4 it covers 2^64 elements.
const zMaxLevel = 32

// ZNode is one member of a sorted set. A node obtained from a ZSet is valid
// until the next write to that set; its member and score must not change.
//
// The layout is Redis's: the levels follow the node in one block, so that
// a node of height 1 (three in four) is 64 bytes, one cache line, and a
// search step reads the score, the link and the member's header from one
// line. A slice of levels cost a second line per step for its header.
type ZNode struct {
	score    float64
	member   string
	backward *ZNode
	height   int
	level0   zLevel // levels 1 to height-1 follow in the same allocation
}

type zLevel struct {
	forward *ZNode
	span    int
	score   float64 // forward's score; undefined when forward is nil
}

// lv returns level i, which must be below the node's height. The levels
// after level0 belong to the same allocated object (newZNode), so the
// arithmetic stays inside it.
func (n *ZNode) lv(i int) *zLevel {
	return (*zLevel)(unsafe.Add(unsafe.Pointer(&n.level0), uintptr(i)*unsafe.Sizeof(zLevel{})))
}

// Member returns the member.
func (n *ZNode) Member() string { return n.member }

// Score returns the score.
func (n *ZNode) Score() float64 { return n.score }

// Next returns the following node in ascending order, or nil.
func (n *ZNode) Next() *ZNode { return n.level0.forward }

// Prev returns the preceding node in ascending order, or nil.
func (n *ZNode) Prev() *ZNode { return n.backward }

// zLess orders by score, then member bytes, as Redis does.
func zLess(aScore float64, aMember string, bScore float64, bMember string) bool {
	return aScore < bScore || aScore == bScore && aMember < bMember
}

// zNodeTypes[h] is a node followed by h-1 more levels, for h >= 2: the
// collector must see the trailing levels' pointers, so each height is a
// real type (built once; heights above 4 are one node in 256).
var zNodeTypes = func() [zMaxLevel + 1]reflect.Type {
	var t [zMaxLevel + 1]reflect.Type
	for h := 2; h <= zMaxLevel; h++ {
		t[h] = reflect.StructOf([]reflect.StructField{
			{Name: "N", Type: reflect.TypeFor[ZNode]()},
			{Name: "L", Type: reflect.ArrayOf(h-1, reflect.TypeFor[zLevel]())},
		})
	}
	return t
}()

type (
	zNode2 struct {
		n ZNode
		_ [1]zLevel // levels 1 and up
	}
	zNode3 struct {
		n ZNode
		_ [2]zLevel // levels 1 and up
	}
)

func newZNode(height int, score float64, member string) *ZNode {
	var x *ZNode
	switch height {
	case 1:
		x = &ZNode{}
	case 2:
		x = &(&zNode2{}).n
	case 3:
		x = &(&zNode3{}).n
	default:
		x = (*ZNode)(reflect.New(zNodeTypes[height]).UnsafePointer())
	}
	x.score, x.member, x.height = score, member, height
	return x
}

// randomLevel draws a height with P(h > k) = 4^-k from the set's own
// generator: deterministic, so every replica builds the same list.
func (z *ZSet) randomLevel() int {
	// xorshift64*
	z.rnd ^= z.rnd >> 12
	z.rnd ^= z.rnd << 25
	z.rnd ^= z.rnd >> 27
	r := z.rnd * 2685821657736338717
	h := 1
	for r&3 == 0 && h < zMaxLevel {
		h++
		r >>= 2
	}
	return h
}

// path fills update with the last node before (score, member) on every
// level, and rank with the rank of that node (header = 0).
func (z *ZSet) path(score float64, member string, update *[zMaxLevel]*ZNode, rank *[zMaxLevel]int) {
	x := z.header
	r := 0
	for i := z.level - 1; i >= 0; i-- {
		for {
			l := x.lv(i)
			if l.forward == nil || !zLess(l.score, l.forward.member, score, member) {
				break
			}
			r += l.span
			x = l.forward
		}
		update[i] = x
		if rank != nil {
			rank[i] = r
		}
	}
}

// link inserts x, which must not be in the list, at its place.
func (z *ZSet) link(x *ZNode) {
	var update [zMaxLevel]*ZNode
	var rank [zMaxLevel]int
	z.path(x.score, x.member, &update, &rank)
	h := x.height
	for i := z.level; i < h; i++ {
		rank[i] = 0
		update[i] = z.header
		z.header.lv(i).span = z.length
	}
	z.level = max(z.level, h)
	for i := 0; i < h; i++ {
		u := update[i].lv(i)
		x.lv(i).forward, x.lv(i).score = u.forward, u.score
		u.forward, u.score = x, x.score
		x.lv(i).span = u.span - (rank[0] - rank[i])
		u.span = rank[0] - rank[i] + 1
	}
	for i := h; i < z.level; i++ {
		update[i].lv(i).span++
	}
	x.backward = nil
	if update[0] != z.header {
		x.backward = update[0]
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x
	} else {
		z.tail = x
	}
	z.length++
}

// unlink removes x given the update path that leads to it.
func (z *ZSet) unlink(x *ZNode, update *[zMaxLevel]*ZNode) {
	for i := 0; i < z.level; i++ {
		u := update[i].lv(i)
		if u.forward == x {
			u.span += x.lv(i).span - 1
			u.forward, u.score = x.lv(i).forward, x.lv(i).score
		} else {
			u.span--
		}
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x.backward
	} else {
		z.tail = x.backward
	}
	for z.level > 1 && z.header.lv(z.level-1).forward == nil {
		z.level--
	}
	z.length--
}

// find returns the node of (score, member) and its update path, or nil.
func (z *ZSet) find(score float64, member string, update *[zMaxLevel]*ZNode) *ZNode {
	z.path(score, member, update, nil)
	x := update[0].lv(0).forward
	if x != nil && x.score == score && x.member == member {
		return x
	}
	return nil
}

// moveNode changes the score of x, which holds (old score, x.member);
// update is the path find returned for it. As in Redis, x stays in place
// when the order is unchanged.
func (z *ZSet) moveNode(x *ZNode, score float64, update *[zMaxLevel]*ZNode) {
	prev, next := x.backward, x.lv(0).forward
	if (prev == nil || zLess(prev.score, prev.member, score, x.member)) &&
		(next == nil || zLess(score, x.member, next.score, next.member)) {
		x.score = score
		for i := range x.height {
			update[i].lv(i).score = score
		}
		return
	}
	z.unlink(x, update)
	x.score = score
	z.link(x)
}

// rankOf returns the 1-based rank of (score, member), or 0 when absent.
func (z *ZSet) rankOf(score float64, member string) int {
	x := z.header
	r := 0
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && (f.score < score || f.score == score && f.member <= member); f = x.lv(i).forward {
			r += x.lv(i).span
			x = f
		}
		if x != z.header && x.member == member {
			return r
		}
	}
	return 0
}

// byRank returns the node of 1-based rank r, or nil.
func (z *ZSet) byRank(r int) *ZNode {
	if r < 1 || r > z.length {
		return nil
	}
	x := z.header
	traversed := 0
	for i := z.level - 1; i >= 0; i-- {
		for x.lv(i).forward != nil && traversed+x.lv(i).span <= r {
			traversed += x.lv(i).span
			x = x.lv(i).forward
		}
		if traversed == r {
			return x
		}
	}
	return nil
}

// deleteRanks unlinks the nodes of 1-based ranks start..end and calls fn on
// each, in order, in one walk (Redis's zslDeleteRangeByRank).
func (z *ZSet) deleteRanks(start, end int, fn func(x *ZNode)) {
	var update [zMaxLevel]*ZNode
	x := z.header
	traversed := 0
	for i := z.level - 1; i >= 0; i-- {
		for x.lv(i).forward != nil && traversed+x.lv(i).span < start {
			traversed += x.lv(i).span
			x = x.lv(i).forward
		}
		update[i] = x
	}
	traversed++
	x = x.lv(0).forward
	for x != nil && traversed <= end {
		next := x.lv(0).forward
		z.unlink(x, &update)
		fn(x)
		traversed++
		x = next
	}
}
