package shard

import (
	"errors"
	"testing"
)

func TestRenameKeepsValueExpiryAndMemory(t *testing.T) {
	t.Parallel()
	ks := New()
	const now = 1000
	o := ks.SetString([]byte("a"), []byte("value"), now)
	ks.SetExpire([]byte("a"), o, 5000)
	ks.SetString([]byte("b"), []byte("old"), now) // alone in its slot
	ks.Flush()
	memB := int64(objMem("b", ks.Peek([]byte("b"))))
	before := ks.UsedMemory()

	if ks.Rename([]byte("missing"), []byte("x"), now) {
		t.Fatal("renamed a missing key")
	}
	if !ks.Rename([]byte("a"), []byte("b"), now) {
		t.Fatal("rename failed")
	}
	ks.Flush()
	n := ks.Peek([]byte("b"))
	switch {
	case ks.Peek([]byte("a")) != nil:
		t.Error("source still present")
	case n == nil || string(n.Str) != "value" || n.Kind != KindString:
		t.Errorf("destination %+v", n)
	case n.ExpireAt != 5000 || ks.VolatileLen() != 1:
		t.Errorf("expiry %d, volatile %d", n.ExpireAt, ks.VolatileLen())
	case ks.Len() != 1:
		t.Errorf("len %d", ks.Len())
	case ks.UsedMemory() != before-memB:
		t.Errorf("memory %d, want %d", ks.UsedMemory(), before-memB)
	}
	if !ks.Rename([]byte("b"), []byte("b"), now) || ks.Peek([]byte("b")) == nil {
		t.Error("rename onto itself")
	}
	ks.Flush()
	ks.Delete([]byte("b"))
	if ks.UsedMemory() != 0 || ks.VolatileLen() != 0 {
		t.Errorf("after delete: memory %d, volatile %d", ks.UsedMemory(), ks.VolatileLen())
	}
}

func TestCopyString(t *testing.T) {
	t.Parallel()
	ks := New()
	const now = 1000
	o := ks.SetString([]byte("a"), []byte("value"), now)
	ks.SetExpire([]byte("a"), o, 5000)
	ks.SetString([]byte("b"), []byte("old"), now) // alone in its slot
	ks.Flush()
	if ok, err := ks.Copy([]byte("a"), []byte("b"), false, now); ok || err != nil {
		t.Fatalf("copy onto a live key without replace: %v %v", ok, err)
	}
	if ok, err := ks.Copy([]byte("x"), []byte("y"), true, now); ok || err != nil {
		t.Fatalf("copy of a missing key: %v %v", ok, err)
	}
	if ok, err := ks.Copy([]byte("a"), []byte("b"), true, now); !ok || err != nil {
		t.Fatalf("copy with replace: %v %v", ok, err)
	}
	ks.Flush()
	a, b := ks.Peek([]byte("a")), ks.Peek([]byte("b"))
	switch {
	case string(b.Str) != "value" || b.ExpireAt != 5000 || ks.VolatileLen() != 2:
		t.Errorf("copy %q expiring %d, volatile %d", b.Str, b.ExpireAt, ks.VolatileLen())
	case &a.Str[0] == &b.Str[0]:
		t.Error("copy shares bytes")
	case ks.UsedMemory() != int64(objMem("a", a)+objMem("b", b)):
		t.Errorf("memory %d", ks.UsedMemory())
	}
	// An expired destination is replaced even without REPLACE.
	if ok, _ := ks.Copy([]byte("a"), []byte("c"), false, now); !ok {
		t.Fatal("copy to c")
	}
	ks.Flush()
	if ok, _ := ks.Copy([]byte("b"), []byte("c"), false, 5000); ok {
		t.Error("copied an expired source")
	}
	ks.SetString([]byte("d"), []byte("d"), 5000)
	ks.Flush()
	if ok, _ := ks.Copy([]byte("d"), []byte("c"), false, 5000); !ok {
		t.Error("expired destination blocked the copy")
	}
	ks.Flush()
	if c := ks.Peek([]byte("c")); string(c.Str) != "d" || c.ExpireAt != 0 {
		t.Errorf("c = %q expiring %d", c.Str, c.ExpireAt)
	}
}

// TestCopyCollection covers collection copies as far as the types allow:
// a type without Clone is refused with nothing changed; a type with Clone
// gets a distinct collection of the same kind and length.
func TestCopyCollection(t *testing.T) {
	t.Parallel()
	const now = 1000
	for _, kind := range []Kind{KindList, KindHash, KindSet, KindZSet} {
		ks := New()
		src := ks.Create([]byte("src"), kind, now) // empty: no Flush, or it goes
		ok, err := ks.Copy([]byte("src"), []byte("dst"), false, now)
		dst := ks.Peek([]byte("dst"))
		if cloneColl(src.coll) == nil {
			if ok || !errors.Is(err, ErrNotCloneable) || dst != nil {
				t.Errorf("%s without Clone: %v %v %v", kind, ok, err, dst)
			}
			continue
		}
		switch {
		case !ok || err != nil:
			t.Errorf("%s: copy %v %v", kind, ok, err)
		case dst.Kind != kind || dst.coll == src.coll || dst.coll.Len() != src.coll.Len():
			t.Errorf("%s: bad copy %+v", kind, dst)
		}
	}
}

func TestLookupLiveAndNoTouch(t *testing.T) {
	t.Parallel()
	ks := New()
	o := ks.SetString([]byte("k"), []byte("v"), 1000)
	ks.SetExpire([]byte("k"), o, 3000)
	ks.Flush()
	slot := KeySlot("k")
	ver := ks.SlotVersion(slot)
	if ks.LookupLive([]byte("k"), 2000) == nil {
		t.Fatal("live key not found")
	}
	ks.Flush()
	if ks.SlotVersion(slot) != ver {
		t.Error("LookupLive marked the key written")
	}
	if o := ks.LookupNoTouch([]byte("k"), 2_000_000); o != nil {
		t.Error("expired key visible")
	}
	if o := ks.LookupNoTouch([]byte("k"), 2500); o == nil || o.LRU != 1 {
		t.Errorf("LookupNoTouch: %+v", o)
	}
	if s := ks.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Errorf("stats %+v", s)
	}
	if ks.LookupLive([]byte("k"), 3000) != nil || ks.Len() != 0 || ks.Stats().ExpiredKeys != 1 {
		t.Error("LookupLive kept an expired key")
	}
}

func TestMatchKey(t *testing.T) {
	t.Parallel()
	if !MatchKey([]byte("user:*"), "user:1") || MatchKey([]byte("user:?"), "user:10") {
		t.Error("MatchKey")
	}
}
