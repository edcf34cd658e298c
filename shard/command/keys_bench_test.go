package command

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/shard"
)

func benchKeyspace(b *testing.B, n int) (*shard.Keyspace, [][]byte) {
	ks := shard.New()
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		ks.SetString(keys[i], []byte("value"), 1)
	}
	ks.Flush()
	return ks, keys
}

// BenchmarkExpire measures EXPIRE as a leader and a replica run it:
// Prepare (rewrite to PEXPIREAT) then Exec.
func BenchmarkExpire(b *testing.B) {
	ks, keys := benchKeyspace(b, 10_000)
	table := NewTable()
	s := table.Lookup([]byte("expire"))
	argv := [][]byte{[]byte("EXPIRE"), nil, []byte("100")}
	b.ReportAllocs()
	b.ResetTimer()
	c := &Ctx{KS: ks, W: Discard{}}
	for i := 0; i < b.N; i++ {
		c.Now = 1_000 + int64(i)
		argv[1] = keys[i%len(keys)]
		rec, err := s.Prepare(c, argv)
		if err != nil {
			b.Fatal(err)
		}
		Run(c, table.Lookup(rec[0]), rec)
	}
}

// BenchmarkScan measures one SCAN call of COUNT 10 over 100k keys,
// iterating the whole keyspace over and over.
func BenchmarkScan(b *testing.B) {
	ks, _ := benchKeyspace(b, 100_000)
	s := NewTable().Lookup([]byte("scan"))
	argv := [][]byte{[]byte("SCAN"), []byte("0"), []byte("COUNT"), []byte("10")}
	w := &cursorWriter{}
	b.ReportAllocs()
	b.ResetTimer()
	c := &Ctx{KS: ks, Now: 2, W: w}
	for i := 0; i < b.N; i++ {
		Run(c, s, argv)
		argv[1] = append(argv[1][:0], w.cursor...)
	}
}

// cursorWriter keeps SCAN's cursor, its only Bulk (keys are BulkString),
// and drops the rest.
type cursorWriter struct {
	Discard
	cursor []byte
}

func (w *cursorWriter) Bulk(b []byte) { w.cursor = append(w.cursor[:0], b...) }
