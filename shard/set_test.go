package shard

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func setMem(s *Set) int {
	n := 0
	s.Range(func(m string) bool {
		n += len(m)
		return true
	})
	return n
}

func TestSetAddRemove(t *testing.T) {
	t.Parallel()
	s := &Set{}
	bin := []byte{0, 0xff, '\n'}
	if !s.Add(bin) || s.Add(bin) || !s.AddString("") || !s.Add([]byte("a")) {
		t.Fatal("Add: want new, existing, new, new")
	}
	if !s.Has(bin) || !s.HasString("") || s.Has([]byte("b")) || s.Len() != 3 {
		t.Fatal("Has/Len")
	}
	if !s.Remove(bin) || s.Remove(bin) || s.RemoveString("zz") || s.Len() != 2 {
		t.Fatal("Remove")
	}
	if s.mem != setMem(s) {
		t.Fatalf("mem %d want %d", s.mem, setMem(s))
	}
}

// A member is the set's own copy: reusing the caller's buffer must not
// change it.
func TestSetAddCopies(t *testing.T) {
	t.Parallel()
	s := newSet()
	b := []byte("abc")
	s.Add(b)
	b[0] = 'X'
	if !s.HasString("abc") || s.HasString("Xbc") {
		t.Fatal("member aliases the caller's buffer")
	}
}

func TestSetChurnAccounting(t *testing.T) {
	t.Parallel()
	s := newSet()
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		m := []byte(strconv.Itoa(r.IntN(700)))
		if r.IntN(2) == 0 {
			s.Add(m)
		} else {
			s.Remove(m)
		}
	}
	if s.mem != setMem(s) || s.Mem() != s.mem+setMemberOverhead*s.Len() {
		t.Fatalf("mem %d, recomputed %d", s.mem, setMem(s))
	}
}

func TestSetClone(t *testing.T) {
	t.Parallel()
	s := newSet()
	for i := range 50 {
		s.Add([]byte(strconv.Itoa(i)))
	}
	c := s.Clone()
	c.Remove([]byte("1"))
	s.Remove([]byte("2"))
	s.Add([]byte("new"))
	if c.Len() != 49 || !c.HasString("2") || c.HasString("new") || !s.HasString("1") {
		t.Fatal("clone shares state with its source")
	}
}

func TestSetRandomAndScan(t *testing.T) {
	t.Parallel()
	s := newSet()
	if _, ok := s.Random(rand.New(rand.NewPCG(1, 1)).Uint64N); ok {
		t.Fatal("Random on empty set")
	}
	for i := range 1000 {
		s.Add([]byte(strconv.Itoa(i)))
	}
	r := rand.New(rand.NewPCG(7, 8))
	hits := map[string]bool{}
	for range 20000 {
		m, ok := s.Random(r.Uint64N)
		if !ok || !s.HasString(m) {
			t.Fatalf("Random gave %q", m)
		}
		hits[m] = true
	}
	if len(hits) < 990 {
		t.Fatalf("Random reached only %d of 1000 members", len(hits))
	}
	// Members present throughout are all seen even when the set shrinks
	// and grows between calls.
	seen := map[string]bool{}
	cur, step := uint64(0), 0
	for {
		cur = s.Scan(cur, func(m string) { seen[m] = true })
		if cur == 0 {
			break
		}
		step++
		if step == 10 {
			for i := 500; i < 1000; i++ {
				s.Remove([]byte(strconv.Itoa(i)))
			}
		}
		if step == 40 {
			for i := 2000; i < 4000; i++ {
				s.Add([]byte(strconv.Itoa(i)))
			}
		}
	}
	for i := range 500 {
		if !seen[strconv.Itoa(i)] {
			t.Fatalf("Scan missed %d", i)
		}
	}
}

func BenchmarkSetAdd(b *testing.B) {
	s := newSet()
	ms := make([][]byte, 1024)
	for i := range ms {
		ms[i] = []byte("member:" + strconv.Itoa(i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Add(ms[i&1023])
	}
}
