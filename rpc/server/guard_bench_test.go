package server

import (
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// setStream is n pipelined SETs of 16-byte keys and size-byte values, as
// redis-benchmark -P sends them.
func setStream(n, size int) []byte {
	var b []byte
	val := make([]byte, size)
	for i := range val {
		val[i] = 'x'
	}
	for i := range n {
		key := []byte("key:" + strconv.Itoa(100000000000+i))
		b = resp.AppendCommand(b, []byte("SET"), key, val)
	}
	return b
}

func benchGuard(b *testing.B, size int, parse bool) {
	stream := setStream(1000, size)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	p := make([]byte, 4096)
	for b.Loop() {
		var chunks [][]byte
		for rest := stream; len(rest) > 0; rest = rest[min(len(rest), 16<<10):] {
			chunks = append(chunks, rest[:min(len(rest), 16<<10)])
		}
		conn := &chunkConn{chunks: chunks}
		g := &guardConn{Conn: conn, lim: guardLimits{maxBulk: 512 << 20, maxQuery: 1 << 30}}
		if parse {
			cmds := 0
			_ = readCommands(g, func([][]byte) { cmds++ })
			if cmds != 1000 {
				b.Fatalf("parsed %d commands", cmds)
			}
			continue
		}
		for {
			if _, err := g.Read(p); err != nil {
				break
			}
		}
	}
}

// BenchmarkGuardPipelinedSET is the guard alone over pipelined SETs.
func BenchmarkGuardPipelinedSET(b *testing.B) {
	for _, size := range []int{64, 1024, 64 << 10} {
		b.Run("value="+strconv.Itoa(size), func(b *testing.B) { benchGuard(b, size, false) })
	}
}

// BenchmarkGuardReaderPipelinedSET adds the connection's reader (reqReader),
// as a connection runs it.
func BenchmarkGuardReaderPipelinedSET(b *testing.B) {
	for _, size := range []int{64, 1024} {
		b.Run("value="+strconv.Itoa(size), func(b *testing.B) { benchGuard(b, size, true) })
	}
}
