package command

import (
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

func listArgv(args ...string) [][]byte {
	argv := make([][]byte, len(args))
	for i, s := range args {
		argv[i] = []byte(s)
	}
	return argv
}

// BenchmarkLPush measures one LPUSH of one element onto a growing list, as
// a replica applies it (no record decoding): the copy of the value is the
// only allocation that should remain.
func BenchmarkLPush(b *testing.B) {
	t := NewTable()
	w := &resp.Writer{}
	c := &Ctx{KS: shard.New(), Now: 1_700_000_000_000, W: w}
	s := t.Lookup([]byte("lpush"))
	argv := listArgv("lpush", "bench:list", "some-value-of-moderate-size")
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		Run(c, s, argv)
	}
}

// BenchmarkLRange reads a 100-element list whole; it should not allocate.
func BenchmarkLRange(b *testing.B) {
	t := NewTable()
	w := &resp.Writer{}
	c := &Ctx{KS: shard.New(), Now: 1_700_000_000_000, W: w}
	push := listArgv("rpush", "bench:list")
	for range 100 {
		push = append(push, []byte("some-value-of-moderate-size"))
	}
	Run(c, t.Lookup([]byte("rpush")), push)
	s := t.Lookup([]byte("lrange"))
	argv := listArgv("lrange", "bench:list", "0", "-1")
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		Run(c, s, argv)
	}
}
