package fsm

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"

	"github.com/ember-node/ember-node/shard"
)

// Digest returns a hash of the keyspace's logical contents (keys, types,
// expiries and values, in a canonical order), so replicas can be compared
// whatever their internal layouts.
func (f *FSM) Digest() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Digest(f.ks)
}

// Digest hashes ks's contents canonically.
func Digest(ks *shard.Keyspace) string {
	type kv struct {
		key string
		o   *shard.Object
	}
	var all []kv
	ks.Range(func(k string, o *shard.Object) bool { all = append(all, kv{k, o}); return true })
	slices.SortFunc(all, func(a, b kv) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	h := sha256.New()
	var buf []byte
	put := func(b []byte) {
		buf = binary.AppendUvarint(buf[:0], uint64(len(b)))
		h.Write(buf)
		h.Write(b)
	}
	for _, e := range all {
		put([]byte(e.key))
		h.Write([]byte{byte(e.o.Kind)})
		h.Write(binary.LittleEndian.AppendUint64(buf[:0], uint64(e.o.ExpireAt)))
		for _, p := range canonicalValue(e.o) {
			put(p)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalValue lists a value's parts in an order independent of layout.
func canonicalValue(o *shard.Object) [][]byte {
	var parts [][]byte
	switch o.Kind {
	case shard.KindString:
		parts = append(parts, o.Str)
	case shard.KindList:
		l := o.List()
		for i := range l.Len() {
			parts = append(parts, l.At(i))
		}
	case shard.KindHash:
		o.Hash().Range(func(f string, v []byte) bool {
			parts = append(parts, append([]byte(f+"\x00"), v...))
			return true
		})
		slices.SortFunc(parts, func(a, b []byte) int { return compareBytes(a, b) })
	case shard.KindSet:
		o.Set().Range(func(m string) bool { parts = append(parts, []byte(m)); return true })
		slices.SortFunc(parts, func(a, b []byte) int { return compareBytes(a, b) })
	case shard.KindZSet:
		o.ZSet().Each(func(m string, s float64) {
			parts = append(parts, binary.LittleEndian.AppendUint64([]byte(m), math.Float64bits(s)))
		})
	}
	return parts
}

func compareBytes(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}
