package shard

import "math"

// Eviction follows Redis's approximated LRU/LFU/TTL: sample a few keys
// (maxmemory-samples), merge them into a small pool of the best candidates
// kept across calls, and evict the best of the pool. The keyspace only
// chooses; the leader replicates the deletion as an evict record, and
// replicas never choose. Randomness comes from the caller.
//
// Both access trackers are kept on every access, whatever the policy: the
// policy is a node setting that CONFIG SET may change at any time and that
// replicas do not know, and a switch to LFU then finds counters with
// history instead of Redis's reinterpreted LRU bits. The cost is one
// xorshift step per access.

// EvictPolicy is Redis's maxmemory-policy.
type EvictPolicy uint8

// Policies, in Redis's words.
const (
	NoEviction EvictPolicy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{
	"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
}

func (p EvictPolicy) String() string { return policyNames[p] }

// ParseEvictPolicy returns the policy named name (lower case).
func ParseEvictPolicy(name string) (EvictPolicy, bool) {
	for i, n := range policyNames {
		if n == name {
			return EvictPolicy(i), true
		}
	}
	return NoEviction, false
}

// Volatile reports whether p only evicts keys with an expiry.
func (p EvictPolicy) Volatile() bool { return p >= VolatileLRU }

const (
	evictSamples  = 5  // maxmemory-samples
	evictPoolSize = 16 // EVPOOL_SIZE
	// evictTries bounds the sample-and-pick rounds for one victim, for
	// keyspaces whose every sampled key was already chosen by this call.
	evictTries = 16

	lfuInitVal   = 5  // LFU_INIT_VAL: a new key's counter
	lfuLogFactor = 10 // lfu-log-factor
	lfuDecayMin  = 1  // lfu-decay-time, minutes
)

// evictState is the keyspace's eviction memory across calls.
type evictState struct {
	pool   []poolEntry // ascending score: the best victim is last
	policy EvictPolicy // the policy the pool's scores were computed for
	rng    uint64      // xorshift state for LFU increments
}

type poolEntry struct {
	key   string
	score uint64
}

// touch records an access at now for both LRU and LFU.
func (ks *Keyspace) touch(o *Object, now int64) {
	o.LFU = lfuIncr(lfuDecay(o, now), ks.rand32())
	o.LRU = uint32(now / 1000)
}

// rand32 is the keyspace's own generator, so access tracking reads no
// global state. It only decides counter increments, never what a record
// does, so replicas need not agree on it.
func (ks *Keyspace) rand32() uint32 {
	x := ks.evict.rng
	if x == 0 {
		x = 0x9e3779b97f4a7c15
	}
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	ks.evict.rng = x
	return uint32(x >> 32)
}

// lfuIncr is Redis's LFULogIncr: the counter grows with probability
// 1/((counter-LFU_INIT_VAL)*lfu-log-factor+1), r being uniform in 2^32.
func lfuIncr(c uint8, r uint32) uint8 {
	if c == 255 {
		return 255
	}
	base := max(int(c)-lfuInitVal, 0)
	if uint64(r)*uint64(base*lfuLogFactor+1) < 1<<32 {
		c++
	}
	return c
}

// lfuDecay is Redis's LFUDecrAndReturn: the counter less one per
// lfu-decay-time minutes since the last access. Redis keeps the access
// minute next to the counter; here it is LRU's minute, which every access
// sets too.
func lfuDecay(o *Object, now int64) uint8 {
	nowMin, lastMin := uint32(now/1000)/60, o.LRU/60
	if nowMin <= lastMin {
		return o.LFU
	}
	periods := (nowMin - lastMin) / lfuDecayMin
	if periods >= uint32(o.LFU) {
		return 0
	}
	return o.LFU - uint8(periods)
}

// LFUFreq returns o's access counter as decayed at now (OBJECT FREQ).
func LFUFreq(o *Object, now int64) uint8 { return lfuDecay(o, now) }

// IdleSeconds returns the seconds since o was last accessed (OBJECT
// IDLETIME).
func IdleSeconds(o *Object, now int64) int64 {
	return max(now/1000-int64(o.LRU), 0)
}

// evictScore ranks o as a victim under p: higher goes first, as Redis's
// pool "idle" value.
func evictScore(p EvictPolicy, o *Object, now int64) uint64 {
	switch p {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(lfuDecay(o, now))
	case VolatileTTL:
		return math.MaxUint64 - uint64(o.ExpireAt)
	}
	return uint64(IdleSeconds(o, now))
}

// EvictVictims picks keys to evict under p, best first, until their
// accounted memory reaches need bytes or max keys are picked. The keys are
// not deleted: the caller replicates an evict record for them. rnd(n)
// returns a uniform number below n. It returns nothing for noeviction or
// when no key qualifies (volatile-* without keys with an expiry).
func (ks *Keyspace) EvictVictims(p EvictPolicy, now int64, rnd func(n uint64) uint64, need int64, max int) (keys []string, freed int64) {
	if p == NoEviction {
		return nil, 0
	}
	if ks.evict.policy != p {
		ks.evict.pool = ks.evict.pool[:0]
		ks.evict.policy = p
	}
	for freed < need && len(keys) < max {
		k, o := ks.nextVictim(p, now, rnd, keys)
		if o == nil {
			break
		}
		keys = append(keys, k)
		freed += int64(objMem(k, o))
	}
	return keys, freed
}

// nextVictim returns one key not in chosen, or nil.
func (ks *Keyspace) nextVictim(p EvictPolicy, now int64, rnd func(uint64) uint64, chosen []string) (string, *Object) {
	if ks.candidates(p) <= len(chosen) {
		return "", nil
	}
	for range evictTries {
		var k string
		var o *Object
		switch p {
		case AllKeysRandom, VolatileRandom:
			k, o = ks.sample(p, rnd)
		default:
			ks.fillPool(p, now, rnd)
			k, o = ks.popPool(p, chosen)
		}
		if o != nil && !contains(chosen, k) {
			return k, o
		}
	}
	return "", nil
}

// candidates returns how many keys p may evict.
func (ks *Keyspace) candidates(p EvictPolicy) int {
	if p.Volatile() {
		return ks.volatile.Len()
	}
	return ks.keys
}

// sample returns a random key among those p may evict. Over all keys it
// picks a random non-empty slot, then a key in it: Redis's
// dictGetRandomKey is not uniform either.
func (ks *Keyspace) sample(p EvictPolicy, rnd func(uint64) uint64) (string, *Object) {
	if p.Volatile() {
		k, v, ok := ks.volatile.Random(rnd)
		if !ok {
			return "", nil
		}
		return k, *v
	}
	if len(ks.occupied) == 0 {
		return "", nil
	}
	d := &ks.slots[ks.occupied[rnd(uint64(len(ks.occupied)))]]
	k, o, _ := d.Random(rnd)
	return k, o
}

// fillPool merges evictSamples sampled keys into the pool (Redis's
// evictionPoolPopulate).
func (ks *Keyspace) fillPool(p EvictPolicy, now int64, rnd func(uint64) uint64) {
	for range evictSamples {
		k, o := ks.sample(p, rnd)
		if o == nil {
			return
		}
		ks.evict.insert(k, evictScore(p, o, now))
	}
}

// insert adds key to the pool at its rank, dropping the worst entry when
// the pool is full and key ranks above it. A key already pooled is
// re-ranked with its fresh score.
func (s *evictState) insert(key string, score uint64) {
	for i, e := range s.pool {
		if e.key == key {
			s.pool = append(s.pool[:i], s.pool[i+1:]...)
			break
		}
	}
	k := 0
	for k < len(s.pool) && s.pool[k].score < score {
		k++
	}
	e := poolEntry{key: key, score: score}
	if len(s.pool) < evictPoolSize {
		s.pool = append(s.pool, poolEntry{})
		copy(s.pool[k+1:], s.pool[k:])
		s.pool[k] = e
		return
	}
	if k == 0 {
		return // worse than every pooled key
	}
	copy(s.pool[:k-1], s.pool[1:k])
	s.pool[k-1] = e
}

// popPool removes pool entries from the best down and returns the first
// that is still a candidate and not already chosen. Stale entries (keys
// deleted, or no longer volatile) are dropped, as Redis does.
func (ks *Keyspace) popPool(p EvictPolicy, chosen []string) (string, *Object) {
	s := &ks.evict
	for len(s.pool) > 0 {
		e := s.pool[len(s.pool)-1]
		s.pool[len(s.pool)-1] = poolEntry{}
		s.pool = s.pool[:len(s.pool)-1]
		if contains(chosen, e.key) {
			continue
		}
		o := ks.getKey(e.key)
		if o != nil && (!p.Volatile() || o.ExpireAt != 0) {
			return e.key, o
		}
	}
	return "", nil
}

func (ks *Keyspace) getKey(key string) *Object {
	return ks.slots[KeySlot(key)].Get(key)
}

func contains(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}
