package shard

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// naiveZ is the model: members sorted by (score, member).
type naiveZ []ZNode

func (n naiveZ) index(m string) int {
	for i := range n {
		if n[i].member == m {
			return i
		}
	}
	return -1
}

func (n *naiveZ) set(m string, s float64) {
	if i := n.index(m); i >= 0 {
		*n = slices.Delete(*n, i, i+1)
	}
	i, _ := slices.BinarySearchFunc(*n, ZNode{member: m, score: s}, func(a, b ZNode) int {
		switch {
		case zLess(a.score, a.member, b.score, b.member):
			return -1
		case zLess(b.score, b.member, a.score, a.member):
			return 1
		}
		return 0
	})
	*n = slices.Insert(*n, i, ZNode{member: m, score: s})
}

// checkZ verifies the skip list invariants and that z holds exactly model.
func checkZ(t *testing.T, z *ZSet, model naiveZ) {
	t.Helper()
	if z.Len() != len(model) || z.d.Len() != len(model) {
		t.Fatalf("len %d dict %d, want %d", z.Len(), z.d.Len(), len(model))
	}
	rank := map[*ZNode]int{z.header: 0}
	mem := zSetOverhead
	i := 0
	var prev *ZNode
	for x := z.First(); x != nil; x = x.Next() {
		if x.member != model[i].member || x.score != model[i].score {
			t.Fatalf("rank %d: got %q %v, want %q %v", i, x.member, x.score, model[i].member, model[i].score)
		}
		if x.backward != prev {
			t.Fatalf("rank %d: bad backward link", i)
		}
		if s, ok := z.Score([]byte(x.member)); !ok || s != x.score {
			t.Fatalf("dict score of %q: %v %v", x.member, s, ok)
		}
		mem += nodeMem(x)
		prev = x
		i++
		rank[x] = i
	}
	if z.tail != prev || z.Mem() != mem {
		t.Fatalf("tail %p want %p; mem %d want %d", z.tail, prev, z.Mem(), mem)
	}
	for l := 0; l < z.level; l++ {
		for x := z.header; x.lv(l).forward != nil; x = x.lv(l).forward {
			f := x.lv(l).forward
			if x.lv(l).span != rank[f]-rank[x] {
				t.Fatalf("level %d: span %d from rank %d to %d", l, x.lv(l).span, rank[x], rank[f])
			}
			if s := x.lv(l).score; s != f.score || math.Signbit(s) != math.Signbit(f.score) {
				t.Fatalf("level %d: link to %q carries score %v, node has %v", l, f.member, s, f.score)
			}
		}
	}
	if z.level > 1 && z.header.lv(z.level-1).forward == nil {
		t.Fatalf("empty top level %d", z.level)
	}
}

// randomScore draws from a small set so that ties and lex order matter.
func randomScore(r *rand.Rand) float64 {
	switch r.IntN(10) {
	case 0:
		return math.Inf(1 - 2*r.IntN(2))
	case 1:
		return r.NormFloat64()
	}
	return float64(r.IntN(20) - 10)
}

func TestZSetRandomized(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	z := newZSet()
	var model naiveZ
	for step := 0; step < 20000; step++ {
		m := "m" + strconv.Itoa(r.IntN(300))
		switch op := r.IntN(10); {
		case op < 5:
			s := randomScore(r)
			created := z.Set([]byte(m), s)
			if created != (model.index(m) < 0) {
				t.Fatalf("Set %q created=%v", m, created)
			}
			model.set(m, z.normalize(s))
		case op < 7:
			i := model.index(m)
			if z.Remove([]byte(m)) != (i >= 0) {
				t.Fatalf("Remove %q", m)
			}
			if i >= 0 {
				model = slices.Delete(model, i, i+1)
			}
		case op < 8:
			lo, hi := r.IntN(len(model)+3)-1, r.IntN(len(model)+3)-1
			want := 0
			if l, h := max(lo, 0), min(hi, len(model)); l < h {
				want = h - l
				model = slices.Delete(model, l, h)
			}
			if n := z.RemoveRanks(lo, hi); n != want {
				t.Fatalf("RemoveRanks(%d,%d) = %d, want %d", lo, hi, n, want)
			}
		default:
			checkQueries(t, r, z, model)
		}
		if step%97 == 0 {
			checkZ(t, z, model)
		}
	}
	checkZ(t, z, model)
	checkZ(t, z.Clone(), model)
}

func checkQueries(t *testing.T, r *rand.Rand, z *ZSet, model naiveZ) {
	t.Helper()
	for i, n := range model {
		if got, ok := z.Rank([]byte(n.member)); !ok || got != i {
			t.Fatalf("Rank(%q) = %d %v, want %d", n.member, got, ok, i)
		}
		if x := z.At(i); x == nil || x.member != n.member {
			t.Fatalf("At(%d) wrong", i)
		}
	}
	if z.At(-1) != nil || z.At(len(model)) != nil {
		t.Fatal("At out of range returned a node")
	}
	if _, ok := z.Rank([]byte("absent")); ok {
		t.Fatal("Rank of absent member")
	}
	sr := ScoreRange{Min: randomScore(r), Max: randomScore(r), MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0}
	lo, hi := z.ScoreRanks(sr)
	wlo, whi := naiveRanks(model, func(n ZNode) bool {
		return n.score > sr.Min || !sr.MinEx && n.score == sr.Min
	}, func(n ZNode) bool {
		return n.score < sr.Max || !sr.MaxEx && n.score == sr.Max
	})
	if lo != wlo || hi != whi {
		t.Fatalf("ScoreRanks(%+v) = [%d,%d), want [%d,%d)", sr, lo, hi, wlo, whi)
	}
}

// naiveRanks returns the ranks [lo, hi) of the members satisfying both
// bounds, clamped like ScoreRanks when empty.
func naiveRanks(model naiveZ, aboveMin, belowMax func(ZNode) bool) (int, int) {
	lo := 0
	for lo < len(model) && !aboveMin(model[lo]) {
		lo++
	}
	hi := lo
	for hi < len(model) && belowMax(model[hi]) {
		hi++
	}
	return lo, hi
}

func TestZSetLexRanges(t *testing.T) {
	t.Parallel()
	for _, size := range []int{20, 500} { // a small (listpack-like) and a big set
		r := rand.New(rand.NewPCG(3, uint64(size)))
		z := newZSet()
		var model naiveZ
		for len(model) < size {
			m := strconv.Itoa(r.IntN(3 * size))
			z.Set([]byte(m), 0)
			model.set(m, 0)
		}
		if z.Small() != (size <= zSmallEntries) {
			t.Fatalf("size %d: Small() = %v", size, z.Small())
		}
		for i := 0; i < 2000; i++ {
			lr := LexRange{Min: randomBound(r, size), Max: randomBound(r, size)}
			checkLex(t, z, model, &lr)
		}
	}
}

func randomBound(r *rand.Rand, size int) LexBound {
	switch r.IntN(6) {
	case 0:
		return LexBound{Inf: -1}
	case 1:
		return LexBound{Inf: 1}
	}
	return LexBound{S: strconv.Itoa(r.IntN(3*size + 10)), Ex: r.IntN(2) == 0}
}

// checkLex compares the lex primitives with a filter of the model, whose
// scores are all equal.
func checkLex(t *testing.T, z *ZSet, model naiveZ, lr *LexRange) {
	t.Helper()
	in := func(b LexBound, m string, lower bool) bool {
		if b.Inf != 0 {
			return (b.Inf < 0) == lower
		}
		if lower {
			return m > b.S || !b.Ex && m == b.S
		}
		return m < b.S || !b.Ex && m == b.S
	}
	lo, hi := naiveRanks(model, func(n ZNode) bool { return in(lr.Min, n.member, true) },
		func(n ZNode) bool { return in(lr.Max, n.member, false) })
	first, last := z.FirstInLex(lr), z.LastInLex(lr)
	if lo == hi {
		if first != nil || last != nil || z.LexCount(lr) != 0 {
			t.Fatalf("%+v: empty range found %v %v", lr, first, last)
		}
	} else if first == nil || last == nil || z.RankOf(first) != lo || z.RankOf(last) != hi-1 || z.LexCount(lr) != hi-lo {
		t.Fatalf("%+v: want ranks [%d,%d), got first %v last %v count %d", lr, lo, hi, first, last, z.LexCount(lr))
	}
	if rlo, rhi := z.LexRemoveRanks(lr); rhi-rlo != hi-lo || lo < hi && rlo != lo {
		t.Fatalf("%+v: remove ranks [%d,%d), want [%d,%d)", lr, rlo, rhi, lo, hi)
	}
}

func TestZSetSmallEncoding(t *testing.T) {
	t.Parallel()
	z := newZSet()
	z.Set([]byte("a"), math.Copysign(0, -1))
	if s, _ := z.Score([]byte("a")); math.Signbit(s) {
		t.Fatal("small set kept -0")
	}
	for i := 0; i < zSmallEntries-1; i++ {
		z.Set([]byte(strconv.Itoa(i)), 1)
	}
	if !z.Small() {
		t.Fatal("128 members should still be small")
	}
	z.Set([]byte("last"), math.Copysign(0, -1))
	if z.Small() {
		t.Fatal("129 members should be big")
	}
	if s, _ := z.Score([]byte("last")); !math.Signbit(s) {
		t.Fatal("big set lost -0")
	}
	z.RemoveRanks(0, z.Len())
	if z.Small() || z.Len() != 0 {
		t.Fatal("conversion must be one-way")
	}
	long := newZSet()
	long.Set(make([]byte, zSmallValue+1), 1)
	if long.Small() || !long.Clone().big {
		t.Fatal("a member over 64 bytes makes the set big")
	}
}

func TestZSetUpdateInPlace(t *testing.T) {
	t.Parallel()
	z := newZSet()
	var model naiveZ
	for i := 0; i < 50; i++ {
		m := strconv.Itoa(i)
		z.Set([]byte(m), float64(i))
		model.set(m, float64(i))
	}
	z.Set([]byte("10"), 10.5) // stays between 10 and 11... of the same node
	model.set("10", 10.5)
	z.Set([]byte("10"), -1) // moves to the front
	model.set("10", -1)
	checkZ(t, z, model)
	c := z.Clone()
	c.Set([]byte("new"), 3)
	checkZ(t, z, model)
	model.set("new", 3)
	checkZ(t, c, model)
}

func BenchmarkZSetSet(b *testing.B) {
	b.ReportAllocs()
	members := make([][]byte, 1<<16)
	for i := range members {
		members[i] = []byte("member:" + strconv.Itoa(i))
	}
	z := newZSet()
	for i := 0; i < b.N; i++ {
		if i&(len(members)-1) == 0 {
			z = newZSet()
		}
		z.Set(members[i&(len(members)-1)], float64(i*7919%100003))
	}
}

// BenchmarkZSetUpdate moves members of a 100k-member set to new scores,
// as redis-benchmark's ZADD does once its members all exist.
func BenchmarkZSetUpdate(b *testing.B) {
	const n = 100_000
	members := make([][]byte, n)
	z := newZSet()
	for i := range members {
		members[i] = []byte("element:" + strconv.Itoa(i))
		// Scattered scores: list order is not allocation order, as in a
		// set filled by clients.
		z.Set(members[i], float64(uint64(i)*0x9e3779b97f4a7c15>>40%n))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := uint64(i) * 0x9e3779b97f4a7c15
		z.Set(members[j%n], float64(j>>40%n))
	}
}

// TestZSetTallNodes grows a set large enough for nodes of every common
// height (those above 3 are built from reflect types with their levels in
// the same block), moves and removes members, and checks every invariant
// against a model. Under -race the level arithmetic is checkptr-checked.
func TestZSetTallNodes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	z := newZSet()
	want := map[string]float64{}
	for range 30000 {
		m := "m" + strconv.Itoa(r.IntN(12000))
		s := float64(1 + r.IntN(2000))
		z.Set([]byte(m), s)
		want[m] = s
	}
	for range 4000 {
		m := "m" + strconv.Itoa(r.IntN(12000))
		if z.Remove([]byte(m)) != (want[m] != 0) {
			t.Fatalf("Remove(%s) disagrees with the model", m)
		}
		delete(want, m)
	}
	tallest := 0
	for x := z.First(); x != nil; x = x.Next() {
		tallest = max(tallest, x.height)
	}
	if tallest < 5 {
		t.Fatalf("tallest node %d: the test does not reach reflect-built heights", tallest)
	}
	var model naiveZ
	for m, s := range want {
		model = append(model, ZNode{member: m, score: s})
	}
	slices.SortFunc(model, func(a, b ZNode) int {
		if zLess(a.score, a.member, b.score, b.member) {
			return -1
		}
		return 1
	})
	checkZ(t, z, model)
}
