package command

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// zbench runs commands straight through Run, as a leader applying its own
// records does, with a reused reply buffer.
type zbench struct {
	c Ctx
	w resp.Writer
	t *Table
}

func newZBench() *zbench {
	b := &zbench{t: NewTable()}
	b.c = Ctx{KS: shard.New(), Now: 1_700_000_000_000, W: &b.w}
	return b
}

func (b *zbench) run(argv [][]byte) {
	b.w.Reset()
	Run(&b.c, b.t.Lookup(argv[0]), argv)
}

func zbenchMembers(n int) [][]byte {
	m := make([][]byte, n)
	for i := range m {
		m[i] = []byte("member:" + strconv.Itoa(i))
	}
	return m
}

// BenchmarkZAdd adds distinct members with scattered scores to one set,
// starting a new set every 64k members.
func BenchmarkZAdd(b *testing.B) {
	b.ReportAllocs()
	zb := newZBench()
	members := zbenchMembers(1 << 16)
	scores := make([][]byte, len(members))
	for i := range scores {
		scores[i] = []byte(strconv.Itoa(i * 7919 % 100003))
	}
	argv := [][]byte{[]byte("ZADD"), []byte("bench"), nil, nil}
	for i := 0; i < b.N; i++ {
		j := i & (len(members) - 1)
		if j == 0 {
			zb.c.KS.Delete(argv[1])
		}
		argv[2], argv[3] = scores[j], members[j]
		zb.run(argv)
	}
}

// benchZRange fills a 100k-member set and times ranges of 10 members.
func benchZRange(b *testing.B, mk func(i int) [][]byte) {
	const n = 100_000
	zb := newZBench()
	members := zbenchMembers(n)
	add := [][]byte{[]byte("ZADD"), []byte("bench"), nil, nil}
	for i, m := range members {
		add[2], add[3] = []byte(strconv.Itoa(i)), m
		zb.run(add)
	}
	queries := make([][][]byte, 1024)
	for i := range queries {
		queries[i] = mk(i * 97 % (n - 10))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		zb.run(queries[i&(len(queries)-1)])
	}
	if len(zb.w.B) < 10 {
		b.Fatalf("short reply %q", zb.w.B)
	}
}

func BenchmarkZRange(b *testing.B) {
	b.Run("rank", func(b *testing.B) {
		benchZRange(b, func(i int) [][]byte {
			return zbenchArgv("ZRANGE", "bench", strconv.Itoa(i), strconv.Itoa(i+9))
		})
	})
	b.Run("rank-withscores", func(b *testing.B) {
		benchZRange(b, func(i int) [][]byte {
			return zbenchArgv("ZRANGE", "bench", strconv.Itoa(i), strconv.Itoa(i+9), "WITHSCORES")
		})
	})
	b.Run("byscore", func(b *testing.B) {
		benchZRange(b, func(i int) [][]byte {
			return zbenchArgv("ZRANGE", "bench", strconv.Itoa(i), "("+strconv.Itoa(i+10), "BYSCORE")
		})
	})
	b.Run("byscore-limit", func(b *testing.B) {
		benchZRange(b, func(i int) [][]byte {
			return zbenchArgv("ZRANGEBYSCORE", "bench", "-inf", "+inf", "LIMIT", strconv.Itoa(i), "10")
		})
	})
}

func zbenchArgv(args ...string) [][]byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return argv
}
