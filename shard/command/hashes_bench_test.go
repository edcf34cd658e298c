package command

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard"
)

// benchRun applies argvs round robin as a replica applies records: Exec
// and Flush, replies to a reused buffer.
func benchRun(b *testing.B, argvs [][][]byte) {
	t := NewTable()
	ks := shard.New()
	w := &resp.Writer{}
	s := t.Lookup(argvs[0][0])
	c := &Ctx{KS: ks, Now: 1, W: w}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.Reset()
		c.Seed = uint64(i)
		Run(c, s, argvs[i%len(argvs)])
	}
}

// benchArgvs returns n commands name key <prefix><i> [value] over 16 keys.
func benchArgvs(name, prefix string, n int, value bool) [][][]byte {
	out := make([][][]byte, n)
	for i := range out {
		argv := [][]byte{[]byte(name), []byte("key:" + strconv.Itoa(i%16)), []byte(prefix + strconv.Itoa(i))}
		if value {
			argv = append(argv, []byte("value-"+strconv.Itoa(i)))
		}
		out[i] = argv
	}
	return out
}

func BenchmarkHSet(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchRun(b, benchArgvs("HSET", "f", 1<<20, true)) })
	b.Run("overwrite", func(b *testing.B) { benchRun(b, benchArgvs("HSET", "f", 1024, true)) })
}
