package shard

// slotBits is how many low bits of a SCAN cursor hold the slot number; the
// rest hold the reverse-binary cursor inside that slot's table.
const slotBits = 14

// Scan visits keys from cursor on, calling fn for each, until at least count
// keys were visited or the keyspace is exhausted, and returns the next cursor
// (0 when done). Every key present for the whole of a scan is visited at
// least once; keys may be visited twice. Expired keys are passed too: the
// caller filters with now, as it knows its time.
func (ks *Keyspace) Scan(cursor uint64, count int, fn func(key string, o *Object)) uint64 {
	slot := int(cursor & (NumSlots - 1))
	dc := cursor >> slotBits
	visited := 0
	for slot < NumSlots {
		d := &ks.slots[slot]
		if d.Len() == 0 {
			slot++
			dc = 0
			continue
		}
		dc = d.Scan(dc, func(k string, o *Object) {
			visited++
			fn(k, o)
		})
		if dc == 0 {
			slot++
		}
		if visited >= count {
			break
		}
	}
	if slot >= NumSlots {
		return 0
	}
	return dc<<slotBits | uint64(slot)
}

// Range calls fn for every key, expired ones included, until fn returns
// false. fn must not add or delete keys.
func (ks *Keyspace) Range(fn func(key string, o *Object) bool) {
	for _, slot := range ks.occupied {
		cont := true
		ks.slots[slot].Range(func(k string, o *Object) bool {
			cont = fn(k, o)
			return cont
		})
		if !cont {
			return
		}
	}
}

// CountKeysInSlot returns the number of keys in slot.
func (ks *Keyspace) CountKeysInSlot(slot int) int {
	return ks.slots[slot].Len()
}

// KeysInSlot returns up to n keys of slot.
func (ks *Keyspace) KeysInSlot(slot, n int) []string {
	d := &ks.slots[slot]
	if d.Len() == 0 || n <= 0 {
		return nil
	}
	out := make([]string, 0, min(n, d.Len()))
	d.Range(func(k string, _ *Object) bool {
		out = append(out, k)
		return len(out) < n
	})
	return out
}

// RandomKey returns a random live key, or false when none is found. rnd(n)
// must return a number in [0, n). Like Redis, it gives up after a bounded
// number of tries when nearly every key is expired.
func (ks *Keyspace) RandomKey(now int64, rnd func(n uint64) uint64) (string, bool) {
	for tries := 0; tries < 100 && len(ks.occupied) > 0; tries++ {
		slot := ks.occupied[rnd(uint64(len(ks.occupied)))]
		k, o, ok := ks.slots[slot].Random(rnd)
		if ok && !o.Expired(now) {
			return k, true
		}
	}
	return "", false
}
