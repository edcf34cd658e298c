package fsm

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/ember-node/ember-node/persistence"
	"github.com/ember-node/ember-node/shard/command"
)

// BenchmarkApplyBatch applies group-commit entries of 128 SETs of 64-byte
// values to random keys of a 130k-key shard (the shape redis-benchmark
// -P16 -r gives a shard), as a replica does: decode, apply, encode the replies. One op is
// one SET. The batch is built with Record.AppendBinary only, so the same
// file runs against older versions of the package.
func BenchmarkApplyBatch(b *testing.B) {
	const perBatch = 128
	f := New(0, command.NewTable(), "/data/shard-00000", slog.New(slog.NewTextHandler(io.Discard, nil)))
	rnd := rand.New(rand.NewPCG(1, 2))
	val := make([]byte, 64)
	batches := make([]*raft.Log, 1024)
	for i := range batches {
		entries := make([][]byte, perBatch)
		for j := range entries {
			key := []byte("key:" + strconv.Itoa(rnd.IntN(1<<30)))
			rec := persistence.Record{Tag: persistence.TagCommand, Time: 1, Args: [][]byte{[]byte("SET"), key, val}}
			entries[j] = rec.AppendBinary(nil)
		}
		batch := persistence.Record{Tag: persistence.TagBatch, Args: entries}
		batches[i] = &raft.Log{Type: raft.LogCommand, Data: batch.AppendBinary(nil)}
	}
	// Every key is written once first, so the measured SETs overwrite
	// keys of a keyspace too large for the caches.
	index := uint64(0)
	for _, l := range batches {
		index++
		l.Index = index
		f.ApplyBatch([]*raft.Log{l})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += perBatch {
		l := *batches[(i/perBatch)%len(batches)]
		index++
		l.Index = index
		f.ApplyBatch([]*raft.Log{&l})
	}
}
