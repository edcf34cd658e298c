package command

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// strBench runs argv b.N times the way a node's hot path does: a Ctx and
// a resp.Writer reused, Run called directly (no Prepare: these argvs have
// nothing to rewrite).
func strBench(b *testing.B, setup [][]byte, argv [][]byte) {
	table := NewTable()
	ks := shard.New()
	w := &resp.Writer{}
	c := &Ctx{KS: ks, Now: 1_700_000_000_000, W: w}
	if setup != nil {
		Run(c, table.Lookup(setup[0]), setup)
	}
	s := table.Lookup(argv[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Reset()
		Run(c, s, argv)
	}
	if len(w.B) == 0 || w.B[0] == '-' {
		b.Fatalf("%q replied %q", argv, w.B)
	}
}

func BenchmarkGet(b *testing.B) {
	strBench(b, strSplit("SET key:000123 value-of-some-16b"), strSplit("GET key:000123"))
}

// BenchmarkSet overwrites one key: the value is copied into the string's
// existing storage.
func BenchmarkSet(b *testing.B) {
	strBench(b, nil, strSplit("SET key:000123 value-of-some-16b"))
}

func BenchmarkIncr(b *testing.B) {
	strBench(b, nil, strSplit("INCR counter:1"))
}
