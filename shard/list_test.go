package shard

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkList compares l with the model and checks the invariants the
// keyspace relies on: exact Len and payload bytes, a power-of-two buffer
// that is shrunk once a quarter full, and no stale references in free slots
// (they would pin popped payloads).
func checkList(t *testing.T, l *List, model [][]byte) {
	t.Helper()
	if l.Len() != len(model) {
		t.Fatalf("len %d, want %d", l.Len(), len(model))
	}
	mem := 0
	for i, v := range model {
		mem += len(v)
		if !bytes.Equal(l.At(i), v) {
			t.Fatalf("at %d: %q, want %q", i, l.At(i), v)
		}
	}
	if l.mem != mem || l.Mem() != mem+24*len(l.items) {
		t.Fatalf("mem %d, want %d", l.mem, mem)
	}
	c := len(l.items)
	if c&(c-1) != 0 || (c == 0) != (l.n == 0) {
		t.Fatalf("capacity %d for %d elements", c, l.n)
	}
	if c > listMinCap && l.n <= c/4 {
		t.Fatalf("capacity %d not shrunk for %d elements", c, l.n)
	}
	for i := l.n; i < c; i++ {
		if l.items[l.slot(i)] != nil {
			t.Fatalf("stale reference in free slot %d", i)
		}
	}
}

// TestListModel drives the ring buffer through random operations, checking
// it against a plain slice after each one.
func TestListModel(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(7, 11))
	l := &List{}
	var model [][]byte
	val := func() []byte { return []byte(strconv.Itoa(rnd.IntN(8) * 111)) }
	for step := 0; step < 20000; step++ {
		n := len(model)
		// Bias toward pushes in the first half and pops in the second, so
		// the buffer both grows large and shrinks back.
		op := rnd.IntN(10)
		if step > 10000 && op < 4 {
			op += 4
		}
		switch {
		case op < 2:
			v := val()
			l.PushFront(v)
			model = append([][]byte{v}, model...)
		case op < 4:
			v := val()
			l.PushBack(v)
			model = append(model, v)
		case op == 4 && n > 0:
			if v := l.PopFront(); !bytes.Equal(v, model[0]) {
				t.Fatalf("pop front %q, want %q", v, model[0])
			}
			model = model[1:]
		case op == 5 && n > 0:
			if v := l.PopBack(); !bytes.Equal(v, model[n-1]) {
				t.Fatalf("pop back %q, want %q", v, model[n-1])
			}
			model = model[:n-1]
		case op == 6:
			i, v := rnd.IntN(n+1), val()
			l.Insert(i, v)
			model = append(model[:i], append([][]byte{v}, model[i:]...)...)
		case op == 7 && n > 0:
			i, v := rnd.IntN(n), val()
			l.Set(i, append(v, 'x'))
			model[i] = append(v, 'x')
		case op == 8 && n > 0 && rnd.IntN(20) == 0:
			start := rnd.IntN(n)
			count := rnd.IntN(n - start + 1)
			l.Trim(start, count)
			model = append([][]byte(nil), model[start:start+count]...)
		case op == 9 && rnd.IntN(10) == 0:
			v, limit, tail := val(), rnd.IntN(4), rnd.IntN(2) == 0
			want := modelRemove(&model, v, limit, tail)
			if got := l.Remove(v, limit, tail); got != want {
				t.Fatalf("remove %q %d %v: %d, want %d", v, limit, tail, got, want)
			}
		}
		checkList(t, l, model)
	}
}

func modelRemove(model *[][]byte, v []byte, limit int, fromTail bool) int {
	m := *model
	keep := make([]bool, len(m))
	removed := 0
	for k := range m {
		i := k
		if fromTail {
			i = len(m) - 1 - k
		}
		if (limit <= 0 || removed < limit) && bytes.Equal(m[i], v) {
			removed++
			continue
		}
		keep[i] = true
	}
	var out [][]byte
	for i, e := range m {
		if keep[i] {
			out = append(out, e)
		}
	}
	*model = out
	return removed
}

func TestListInsertEnds(t *testing.T) {
	t.Parallel()
	l := &List{}
	l.Insert(0, []byte("b"))
	l.Insert(0, []byte("a"))
	l.Insert(2, []byte("d"))
	l.Insert(2, []byte("c"))
	checkList(t, l, [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d")})
	if i := l.Index([]byte("c"), 0); i != 2 {
		t.Fatalf("index of c: %d", i)
	}
	if i := l.Index([]byte("c"), 3); i != -1 {
		t.Fatalf("index of c from 3: %d", i)
	}
}

func TestListTrimAll(t *testing.T) {
	t.Parallel()
	l := &List{}
	for i := 0; i < 100; i++ {
		l.PushBack([]byte("v"))
	}
	l.Trim(0, 0)
	checkList(t, l, nil)
	if l.Mem() != 0 {
		t.Fatalf("empty list holds %d bytes", l.Mem())
	}
	l.PushFront([]byte("x"))
	checkList(t, l, [][]byte{[]byte("x")})
}

// TestListClone checks that a clone shares nothing with its original.
func TestListClone(t *testing.T) {
	t.Parallel()
	l := &List{}
	for _, s := range []string{"c", "", "d"} {
		l.PushBack([]byte(s))
	}
	l.PushFront([]byte("b"))
	l.PushFront([]byte("a"))
	c := l.Clone()
	want := [][]byte{[]byte("a"), []byte("b"), []byte("c"), {}, []byte("d")}
	checkList(t, c, want)
	if c.Mem() != l.Mem() {
		t.Fatalf("clone mem %d, original %d", c.Mem(), l.Mem())
	}
	l.At(0)[0] = 'z'
	l.Set(1, []byte("y"))
	l.PopBack()
	checkList(t, c, want)
	if e := (&List{}).Clone(); e.Len() != 0 || e.Mem() != 0 {
		t.Fatal("clone of empty list is not empty")
	}
}
