package shard

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

// hashMem recomputes what Hash.mem must hold, from scratch.
func hashMem(h *Hash) int {
	n := 0
	h.Range(func(f string, v []byte) bool {
		n += len(f) + cap(v)
		return true
	})
	return n
}

func TestHashSetGetDelete(t *testing.T) {
	t.Parallel()
	h := newHash()
	if !h.Set([]byte("f"), []byte("v1")) || h.Set([]byte("f"), []byte("v2")) {
		t.Fatal("Set: want new then existing")
	}
	if v, ok := h.Get([]byte("f")); !ok || string(v) != "v2" {
		t.Fatalf("Get = %q %v", v, ok)
	}
	// Binary and empty fields and values.
	bin := []byte{0, 0xff, '\r', '\n'}
	h.Set(bin, nil)
	h.Set(nil, bin)
	if v, ok := h.Get(nil); !ok || !bytes.Equal(v, bin) {
		t.Fatalf("Get(empty) = %q %v", v, ok)
	}
	if v, ok := h.Get(bin); !ok || len(v) != 0 {
		t.Fatalf("Get(bin) = %q %v", v, ok)
	}
	if h.Len() != 3 || h.mem != hashMem(h) {
		t.Fatalf("Len %d mem %d want 3, %d", h.Len(), h.mem, hashMem(h))
	}
	if !h.Delete(bin) || h.Delete(bin) || h.Len() != 2 {
		t.Fatal("Delete")
	}
	if _, ok := h.Get(bin); ok {
		t.Fatal("deleted field still there")
	}
}

// The value buffer is the caller's: changing it after Set must not show.
func TestHashSetCopies(t *testing.T) {
	t.Parallel()
	h := newHash()
	f, v := []byte("field"), []byte("value")
	h.Set(f, v)
	f[0], v[0] = 'X', 'X'
	if got, ok := h.Get([]byte("field")); !ok || string(got) != "value" {
		t.Fatalf("Get = %q %v", got, ok)
	}
}

// Values that grow, shrink a little and shrink a lot keep the field intact
// and the accounting exact; a big value that shrinks releases its buffer.
func TestHashReplaceAccounting(t *testing.T) {
	t.Parallel()
	h := newHash()
	f := []byte("counter")
	for _, n := range []int{1, 5, 3, 100, 90, 1, 1 << 16, 2} {
		val := bytes.Repeat([]byte{'x'}, n)
		h.Set(f, val)
		got, _ := h.Get(f)
		if !bytes.Equal(got, val) || h.Len() != 1 || h.mem != hashMem(h) {
			t.Fatalf("after %d bytes: got %d bytes, mem %d want %d", n, len(got), h.mem, hashMem(h))
		}
		k, _ := h.d.Find("counter")
		if k != "counter" {
			t.Fatalf("field became %q", k)
		}
	}
	if v, _ := h.Get(f); cap(v) > 64 {
		t.Fatalf("shrunk value still holds %d bytes", cap(v))
	}
}

func TestHashRandomMemChurn(t *testing.T) {
	t.Parallel()
	h := newHash()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		f := []byte(strconv.Itoa(r.IntN(500)))
		switch r.IntN(3) {
		case 0:
			h.Delete(f)
		default:
			h.Set(f, bytes.Repeat([]byte{'v'}, r.IntN(80)))
		}
	}
	if h.mem != hashMem(h) {
		t.Fatalf("mem %d, recomputed %d", h.mem, hashMem(h))
	}
	if want := h.mem + hashFieldOverhead*h.Len(); h.Mem() != want {
		t.Fatalf("Mem %d want %d", h.Mem(), want)
	}
}

func TestHashClone(t *testing.T) {
	t.Parallel()
	h := newHash()
	for i := range 100 {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte(strconv.Itoa(i)))
	}
	c := h.Clone()
	if c.Len() != 100 || c.Mem() != h.Mem() {
		t.Fatalf("clone Len %d Mem %d, want 100 %d", c.Len(), c.Mem(), h.Mem())
	}
	// Writing either side in place must not show on the other.
	h.Set([]byte("f1"), []byte("X"))
	c.Set([]byte("f2"), []byte("Y"))
	c.Delete([]byte("f3"))
	if v, _ := c.Get([]byte("f1")); string(v) != "1" {
		t.Fatalf("clone f1 = %q", v)
	}
	if v, _ := h.Get([]byte("f2")); string(v) != "2" {
		t.Fatalf("orig f2 = %q", v)
	}
	if _, ok := h.Get([]byte("f3")); !ok || c.Len() != 99 {
		t.Fatal("delete leaked across clone")
	}
}

func TestHashRandomAndScan(t *testing.T) {
	t.Parallel()
	h := newHash()
	if _, _, ok := h.Random(rand.New(rand.NewPCG(1, 1)).Uint64N); ok {
		t.Fatal("Random on empty hash")
	}
	for i := range 300 {
		h.Set([]byte(strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		f, v, ok := h.Random(r.Uint64N)
		if got, _ := h.Get([]byte(f)); !ok || !bytes.Equal(got, v) {
			t.Fatalf("Random gave %q=%q", f, v)
		}
	}
	seen := map[string]bool{}
	for cur := h.Scan(0, func(f string, _ []byte) { seen[f] = true }); cur != 0; {
		cur = h.Scan(cur, func(f string, _ []byte) { seen[f] = true })
	}
	if len(seen) != 300 {
		t.Fatalf("Scan saw %d fields, want 300", len(seen))
	}
}

func BenchmarkHashSet(b *testing.B) {
	h := newHash()
	fields := make([][]byte, 1024)
	for i := range fields {
		fields[i] = []byte("field:" + strconv.Itoa(i))
	}
	val := []byte("value-123")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Set(fields[i&1023], val)
	}
}
