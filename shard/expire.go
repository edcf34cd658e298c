package shard

// Active expiry follows Redis's adaptive sampling: look at a batch of keys
// with an expiry, and keep going while more than a quarter of a batch turned
// out to be expired, within an effort budget. The keyspace only finds the
// keys; the caller (the leader) replicates their deletion, and the record's
// apply deletes those still expired at the record's time.

const (
	expireBatch  = 20   // keys sampled per round, as ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
	expireBudget = 2000 // keys looked at in one cycle at most
)

// ExpiredKeys returns up to max keys that are expired at now, found by
// scanning the expiring keys from where the previous call stopped.
func (ks *Keyspace) ExpiredKeys(now int64, max int) []string {
	var out []string
	looked := 0
	for ks.volatile.Len() > 0 && looked < expireBudget && len(out) < max {
		found, seen := 0, 0
		for seen < expireBatch && looked < expireBudget {
			ks.expCur = ks.volatile.Scan(ks.expCur, func(k string, o **Object) {
				seen++
				looked++
				if (*o).Expired(now) && len(out) < max {
					out = append(out, k)
					found++
				}
			})
			if ks.expCur == 0 {
				break
			}
		}
		if found*4 <= seen || ks.expCur == 0 {
			break
		}
	}
	return out
}

// DeleteIfExpired deletes key when it is expired at now; it reports whether
// it did. The apply of an expiry record uses it, so that a key rewritten
// after the leader chose it survives.
func (ks *Keyspace) DeleteIfExpired(key []byte, now int64) bool {
	o := ks.get(key)
	if o == nil || !o.Expired(now) {
		return false
	}
	ks.deleteExpired(unsafeString(key))
	return true
}

// Evict deletes the given keys, chosen by the leader's eviction policy, and
// returns how many existed.
func (ks *Keyspace) Evict(keys [][]byte) int {
	n := 0
	for _, k := range keys {
		if ks.Delete(k) {
			n++
			ks.stats.EvictedKeys++
		}
	}
	return n
}
