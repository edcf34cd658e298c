package shard

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

const evictNow = int64(1_699_999_980_000) // unix ms, on a minute boundary

func seededRand(seed uint64) func(uint64) uint64 {
	r := rand.New(rand.NewPCG(seed, seed+1))
	return r.Uint64N
}

// fillKeys creates n string keys k0..k(n-1), applying set to each object.
func fillKeys(ks *Keyspace, n int, set func(i int, o *Object)) {
	for i := range n {
		k := []byte(fmt.Sprintf("k%04d", i))
		o := ks.SetString(k, []byte("value"), evictNow)
		if set != nil {
			set(i, o)
		}
	}
	ks.Flush()
}

func keyIndex(t *testing.T, k string) int {
	t.Helper()
	var i int
	if _, err := fmt.Sscanf(k, "k%d", &i); err != nil {
		t.Fatalf("victim %q", k)
	}
	return i
}

// The victim must be the best of everything sampled so far: every key the
// pool still holds scores no better.
func TestEvictPicksBestOfSample(t *testing.T) {
	t.Parallel()
	for _, p := range []EvictPolicy{AllKeysLRU, AllKeysLFU, VolatileLRU, VolatileLFU, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			ks := New()
			r := rand.New(rand.NewPCG(7, 8))
			fillKeys(ks, 500, func(i int, o *Object) {
				o.LRU = uint32(evictNow/1000) - uint32(r.IntN(3600))
				o.LFU = uint8(r.IntN(256))
				ks.SetExpire([]byte(fmt.Sprintf("k%04d", i)), o, evictNow+int64(r.IntN(1e6))+1)
			})
			rnd := seededRand(1)
			for range 100 {
				keys, _ := ks.EvictVictims(p, evictNow, rnd, 1, 1)
				if len(keys) != 1 {
					t.Fatalf("victims %q", keys)
				}
				got := evictScore(p, ks.getKey(keys[0]), evictNow)
				for _, e := range ks.evict.pool {
					if s := evictScore(p, ks.getKey(e.key), evictNow); s > got {
						t.Fatalf("victim %s scores %d, pooled %s scores %d", keys[0], got, e.key, s)
					}
				}
				ks.Evict([][]byte{[]byte(keys[0])})
			}
		})
	}
}

// Sampling approximates the exact order well: evicting a tenth of the keys
// takes mostly from the worst tenth.
func TestEvictApproximatesOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p   EvictPolicy
		set func(i int, o *Object) // key i ranks i-th best to keep
	}{
		{AllKeysLRU, func(i int, o *Object) { o.LRU = uint32(evictNow/1000) - uint32(1000-i) }},
		{AllKeysLFU, func(i int, o *Object) { o.LFU = uint8(i / 4) }},
		{VolatileTTL, func(i int, o *Object) { o.ExpireAt = evictNow + 1000 + int64(i) }},
	}
	for _, tc := range cases {
		t.Run(tc.p.String(), func(t *testing.T) {
			t.Parallel()
			ks := New()
			fillKeys(ks, 1000, func(i int, o *Object) {
				tc.set(i, o)
				if o.ExpireAt != 0 {
					at := o.ExpireAt
					o.ExpireAt = 0
					ks.SetExpire([]byte(fmt.Sprintf("k%04d", i)), o, at)
				}
			})
			keys, _ := ks.EvictVictims(tc.p, evictNow, seededRand(2), 1<<40, 100)
			if len(keys) != 100 {
				t.Fatalf("%d victims", len(keys))
			}
			worst := 0
			for _, k := range keys {
				if keyIndex(t, k) < 200 {
					worst++
				}
			}
			if worst < 65 { // random picks would give about 20
				t.Errorf("only %d of 100 victims among the worst 200 keys", worst)
			}
			t.Logf("%s: %d of 100 victims among the worst fifth", tc.p, worst)
		})
	}
}

func TestEvictVolatileSparesPersistentKeys(t *testing.T) {
	t.Parallel()
	for _, p := range []EvictPolicy{VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			ks := New()
			fillKeys(ks, 200, func(i int, o *Object) {
				o.LRU -= uint32(i) // persistent keys are the idlest
				if i%4 == 0 {
					ks.SetExpire([]byte(fmt.Sprintf("k%04d", i)), o, evictNow+int64(i)+1)
				}
			})
			rnd := seededRand(3)
			seen := map[string]bool{}
			for {
				keys, _ := ks.EvictVictims(p, evictNow, rnd, 1<<40, 1000)
				if len(keys) == 0 {
					break
				}
				for _, k := range keys {
					if keyIndex(t, k)%4 != 0 || seen[k] {
						t.Fatalf("victim %s: persistent or repeated", k)
					}
					seen[k] = true
				}
				ks.Evict(toBytes(keys))
			}
			if len(seen) != 50 || ks.Len() != 150 {
				t.Errorf("evicted %d keys, %d left; want the 50 volatile ones", len(seen), ks.Len())
			}
		})
	}
}

func toBytes(keys []string) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = []byte(k)
	}
	return out
}

func TestEvictStopsAtNeedAndCounts(t *testing.T) {
	t.Parallel()
	for _, p := range []EvictPolicy{AllKeysLRU, AllKeysLFU, AllKeysRandom} {
		ks := New()
		fillKeys(ks, 100, nil)
		per := int64(objMem("k0010", ks.Peek([]byte("k0010"))))
		before := ks.UsedMemory()
		keys, freed := ks.EvictVictims(p, evictNow, seededRand(5), 3*per+1, 50)
		if len(keys) != 4 || freed != 4*per {
			t.Fatalf("%s: %d victims freeing %d, want 4 freeing %d", p, len(keys), freed, 4*per)
		}
		if n := ks.Evict(toBytes(keys)); n != 4 || ks.Stats().EvictedKeys != 4 || ks.UsedMemory() != before-freed {
			t.Errorf("%s: evicted %d, stats %+v, memory %d want %d", p, n, ks.Stats(), ks.UsedMemory(), before-freed)
		}
		if keys, _ := ks.EvictVictims(p, evictNow, seededRand(6), 1<<40, 7); len(keys) != 7 {
			t.Errorf("%s: max 7 gave %d", p, len(keys))
		}
	}
	ks := New()
	fillKeys(ks, 10, nil)
	if keys, _ := ks.EvictVictims(NoEviction, evictNow, seededRand(1), 1<<40, 10); keys != nil {
		t.Errorf("noeviction chose %q", keys)
	}
	if keys, _ := New().EvictVictims(AllKeysLRU, evictNow, seededRand(1), 1, 10); keys != nil {
		t.Errorf("empty keyspace gave %q", keys)
	}
}

// With every key chosen in one call, picking stops rather than loops.
func TestEvictAllKeysOfSmallKeyspace(t *testing.T) {
	t.Parallel()
	for _, p := range []EvictPolicy{AllKeysLRU, AllKeysRandom} {
		ks := New()
		fillKeys(ks, 3, nil)
		keys, _ := ks.EvictVictims(p, evictNow, seededRand(8), 1<<40, 10)
		if len(keys) > 3 || len(keys) == 0 {
			t.Errorf("%s: victims %q", p, keys)
		}
	}
}

// Redis's LFULogIncr: counters at or below LFU_INIT_VAL always grow; above
// it with probability 1/((c-5)*10+1); 255 saturates.
func TestLFUIncrement(t *testing.T) {
	t.Parallel()
	if lfuIncr(5, ^uint32(0)) != 6 || lfuIncr(0, ^uint32(0)) != 1 || lfuIncr(255, 0) != 255 {
		t.Fatal("base cases")
	}
	// c=15: p = 1/101, so r must be below 2^32/101.
	edge := uint32((1 << 32) / 101)
	if lfuIncr(15, edge-1) != 16 || lfuIncr(15, edge+1) != 15 {
		t.Error("c=15 threshold")
	}
	// Redis documents (lfu-log-factor 10): 100 hits ~ 10, 1000 ~ 18,
	// 100K ~ 142; the expectation is c = 5+n where 5n^2-4n = hits.
	// Averaged over 10 keys to tame the variance.
	ks := New()
	var objs []*Object
	for i := range 10 {
		objs = append(objs, ks.SetString([]byte{byte(i)}, []byte("v"), evictNow))
	}
	ks.Flush()
	hits := 0
	for _, want := range []struct {
		hits   int
		lo, hi float64
	}{{100, 9, 11}, {1000, 17.5, 21.5}, {100000, 138, 155}} {
		for ; hits < want.hits; hits++ {
			for _, o := range objs {
				ks.touch(o, evictNow)
			}
		}
		sum := 0
		for _, o := range objs {
			sum += int(o.LFU)
		}
		if mean := float64(sum) / 10; mean < want.lo || mean > want.hi {
			t.Errorf("after %d hits mean counter %.1f, want %.1f..%.1f", want.hits, mean, want.lo, want.hi)
		}
	}
}

// Redis's LFUDecrAndReturn: one per lfu-decay-time (1 minute) elapsed
// since the last access, counted in whole minutes, never below zero; an
// access first decays, then increments.
func TestLFUDecay(t *testing.T) {
	t.Parallel()
	ks := New()
	o := ks.SetString([]byte("k"), []byte("v"), evictNow)
	ks.Flush()
	if o.LFU != lfuInitVal {
		t.Fatalf("new key counter %d", o.LFU)
	}
	o.LFU = 10
	for _, tc := range []struct {
		after int64 // ms after the last access
		want  uint8
	}{{0, 10}, {59_999, 10}, {60_000, 9}, {3*60_000 + 500, 7}, {10 * 60_000, 0}, {90 * 60_000, 0}, {-60_000, 10}} {
		if got := LFUFreq(o, evictNow+tc.after); got != tc.want {
			t.Errorf("%d ms later: %d, want %d", tc.after, got, tc.want)
		}
	}
	// Access 3 minutes later: 10 decays to 7, then grows by at most one.
	ks.Lookup([]byte("k"), evictNow+3*60_000)
	if o.LFU != 7 && o.LFU != 8 {
		t.Errorf("counter after access %d", o.LFU)
	}
	if o.LRU != uint32(evictNow/1000)+180 || IdleSeconds(o, evictNow+200_000) != 20 {
		t.Errorf("LRU %d", o.LRU)
	}
	// Overwriting keeps the counter, as Redis's dbOverwrite does.
	before := o.LFU
	ks.SetString([]byte("k"), []byte("w"), evictNow+3*60_000)
	ks.Flush()
	if o := ks.Peek([]byte("k")); o.LFU < before {
		t.Errorf("overwrite reset the counter to %d", o.LFU)
	}
}

func TestParseEvictPolicy(t *testing.T) {
	t.Parallel()
	for i, n := range policyNames {
		if p, ok := ParseEvictPolicy(n); !ok || p != EvictPolicy(i) || p.String() != n {
			t.Errorf("%s", n)
		}
	}
	if _, ok := ParseEvictPolicy("allkeys-foo"); ok {
		t.Error("unknown policy accepted")
	}
}

func BenchmarkEvictVictimLRU(b *testing.B) {
	ks := New()
	fillKeys(ks, 100000, func(i int, o *Object) { o.LRU -= uint32(i % 3600) })
	rnd := seededRand(9)
	b.ReportAllocs()
	for b.Loop() {
		ks.EvictVictims(AllKeysLRU, evictNow, rnd, 1, 1)
	}
}

func BenchmarkLookupTouch(b *testing.B) {
	ks := New()
	ks.SetString([]byte("k"), []byte("v"), evictNow)
	ks.Flush()
	key := []byte("k")
	b.ReportAllocs()
	for b.Loop() {
		ks.Lookup(key, evictNow)
	}
}
