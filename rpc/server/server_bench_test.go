package server

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
	"github.com/ember-node/ember-node/shard/command"
	"github.com/ember-node/ember-node/shard/local"
)

// benchServer serves a fresh local store (as --store memory does) on a
// loopback port for a benchmark.
func benchServer(b *testing.B) string {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	table := command.NewTable()
	srv, err := NewServer(cfg, local.New(table), table, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := srv.Listen()
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// benchPipeline sends the same pipeline of depth commands b.N times over
// one loopback TCP connection and reads every reply, as redis-benchmark -P
// does: one op is one round trip of the whole pipeline. Client and server
// share the process, so allocs/op counts both (the client allocates none).
func benchPipeline(b *testing.B, depth int, name string) {
	addr := benchServer(b)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var set, req []byte
	for i := range depth {
		key := []byte("key:" + strconv.Itoa(100000000000+i*7919))
		set = resp.AppendCommand(set, []byte("SET"), key, benchValue)
		if name == "GET" {
			req = resp.AppendCommand(req, []byte("GET"), key)
		}
	}
	if name == "SET" {
		req = set
	} else if _, err := conn.Write(set); err != nil {
		b.Fatal(err)
	} else if _, err := io.ReadFull(conn, make([]byte, 5*depth)); err != nil { // +OK\r\n each
		b.Fatal(err)
	}
	// The replies of one round are the same every time: learn their size
	// once, then read exactly that much.
	reply := make([]byte, 64<<10)
	roundTrip := func(n int) int {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		if n > 0 {
			if _, err := io.ReadFull(conn, reply[:n]); err != nil {
				b.Fatal(err)
			}
			return n
		}
		got, err := conn.Read(reply)
		if err != nil {
			b.Fatal(err)
		}
		return got
	}
	n := roundTrip(0)
	for roundTrip(n) != n {
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip(n)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
}

// benchValue is 64 bytes, as bench-single.sh's values.
var benchValue = []byte("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")

// BenchmarkServerPipelined is the whole server path over real loopback TCP
// (--store memory): pipelines of 1 and 16 SETs and GETs of 64-byte values.
func BenchmarkServerPipelined(b *testing.B) {
	for _, depth := range []int{1, 16} {
		for _, name := range []string{"SET", "GET"} {
			b.Run(name+"/P="+strconv.Itoa(depth), func(b *testing.B) { benchPipeline(b, depth, name) })
		}
	}
}
