package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/ember-node/ember-node/rpc/resp"
)

// TestReqReaderChunkings: any cut of a canonical stream into reads gives
// the same commands, and each command's arguments stay intact until the
// next read.
func TestReqReaderChunkings(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	in := validStream(r, 300)
	want := parseAll(t, &chunkConn{chunks: [][]byte{in}})
	if len(want) != 300 {
		t.Fatalf("whole stream: %d commands", len(want))
	}
	for range 200 {
		got := parseAll(t, &chunkConn{chunks: randomChunks(in, r)})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("chunked: %d commands, want %d", len(got), len(want))
		}
	}
}

func parseAll(t *testing.T, src io.Reader) []string {
	t.Helper()
	var out []string
	if err := readCommands(src, func(argv [][]byte) {
		for _, a := range argv {
			if cap(a) != len(a) {
				t.Fatalf("argument %q has room to grow over the next", a)
			}
		}
		out = append(out, fmt.Sprintf("%q", argv))
	}); err != io.EOF {
		t.Fatalf("read: %v", err)
	}
	return out
}

// TestReqReaderRefuses: what is not canonical RESP is an error, never a
// panic or a misparse (the guard should never let it through).
func TestReqReaderRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"PING\r\n", "*0\r\n", "*1\r\n:1\r\n", "*1\r\n$1\r\nab\r\n", "*-1\r\n", "*1\r\n$-1\r\n",
		"*1x\r\n", "*\r\n", "*1\r\n$99999999999999999999\r\n", "*1\n",
	} {
		err := readCommands(&chunkConn{chunks: [][]byte{[]byte(in)}}, func([][]byte) {})
		if err != errReqFrame {
			t.Errorf("%q: %v, want the framing error", in, err)
		}
	}
}

// TestReqReaderLongFrame: a frame far larger than the first buffer, read
// in small pieces, arrives whole.
func TestReqReaderLongFrame(t *testing.T) {
	t.Parallel()
	val := bytes.Repeat([]byte("v"), 1<<20)
	in := append([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n"), val...)
	in = append(in, "\r\n*1\r\n$4\r\nPING\r\n"...)
	var chunks [][]byte
	for b := in; len(b) > 0; b = b[min(len(b), 1000):] {
		chunks = append(chunks, b[:min(len(b), 1000)])
	}
	n := 0
	err := readCommands(&chunkConn{chunks: chunks}, func(argv [][]byte) {
		if n++; n == 1 && !bytes.Equal(argv[2], val) {
			t.Fatal("value damaged")
		}
	})
	if err != io.EOF || n != 2 {
		t.Fatalf("%d commands, %v", n, err)
	}
}

// TestStoredValuesOutliveTheInputBuffer: commands point into the
// connection's input buffer, which the next command overwrites, so every
// command that stores an argument must copy it (shard/command's clone).
// Each write here goes in its own read, over the bytes of the one before.
func TestStoredValuesOutliveTheInputBuffer(t *testing.T) {
	t.Parallel()
	tc := dial(t, startServer(t, nil))
	for _, w := range [][]string{
		{"SET", "s", "v-set-000"}, {"SETNX", "s2", "v-setnx-0"}, {"SETEX", "s3", "100", "v-setex-0"},
		{"GETSET", "s4", "v-getset0"}, {"MSET", "s5", "v-mset-00", "s6", "v-mset-01"},
		{"APPEND", "s7", "v-append0"}, {"SETRANGE", "s8", "0", "v-range-0"},
		{"RPUSH", "l", "v-rpush-0", "v-rpush-1"}, {"LPUSH", "l", "v-lpush-0"},
		{"LINSERT", "l", "BEFORE", "v-rpush-1", "v-linsert"}, {"LSET", "l", "0", "v-lset-00"},
		{"HSET", "h", "f-hset-00", "v-hset-00"}, {"HSETNX", "h", "f-hsetnx0", "v-hsetnx0"},
		{"SADD", "st", "m-sadd-00", "m-sadd-01"}, {"SMOVE", "st", "st2", "m-sadd-01"},
		{"ZADD", "z", "1", "m-zadd-00", "2", "m-zadd-01"}, {"ZINCRBY", "z", "5", "m-zincr-0"},
		{"LMOVE", "l", "l2", "RIGHT", "LEFT"},
	} {
		tc.do(w...)
		tc.do("SET", "scribble", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
	}
	for _, r := range []struct {
		want string
		cmd  []string
	}{
		{`*[$"v-set-000" $"v-setnx-0" $"v-setex-0" $"v-getset0" $"v-mset-00" $"v-mset-01" $"v-append0" $"v-range-0"]`,
			[]string{"MGET", "s", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}},
		{`*[$"v-lset-00" $"v-rpush-0" $"v-linsert"]`, []string{"LRANGE", "l", "0", "-1"}},
		{`*[$"v-rpush-1"]`, []string{"LRANGE", "l2", "0", "-1"}},
		{`*[$"v-hset-00" $"v-hsetnx0"]`, []string{"HMGET", "h", "f-hset-00", "f-hsetnx0"}},
		{`*[$"m-sadd-00"]`, []string{"SMEMBERS", "st"}},
		{`*[$"m-sadd-01"]`, []string{"SMEMBERS", "st2"}},
		{`*[$"m-zadd-00" $"m-zadd-01" $"m-zincr-0"]`, []string{"ZRANGE", "z", "0", "-1"}},
	} {
		tc.expect(r.want, r.cmd...)
	}
}

// TestReqReaderGrowsWhenBusy: a connection whose reads fill its buffer
// reads 16KB at a time, as Redis does; a quiet one keeps 4KB.
func TestReqReaderGrowsWhenBusy(t *testing.T) {
	t.Parallel()
	stream := setStream(2000, 64)
	var rd reqReader
	src := &chunkConn{chunks: [][]byte{stream}}
	for {
		for {
			if _, _, ok, err := rd.next(); err != nil {
				t.Fatal(err)
			} else if !ok {
				break
			}
		}
		if _, err := rd.fill(src); err != nil {
			break
		}
	}
	if len(rd.buf) != reqBufBusy {
		t.Fatalf("busy buffer: %d bytes", len(rd.buf))
	}
	var quiet reqReader
	src = &chunkConn{chunks: [][]byte{setStream(1, 64), setStream(1, 64)}}
	for range 2 {
		if _, err := quiet.fill(src); err != nil {
			t.Fatal(err)
		}
		quiet.next()
	}
	if len(quiet.buf) != reqBufInit {
		t.Fatalf("quiet buffer: %d bytes", len(quiet.buf))
	}
}

// pipelineSource hands out the same pipeline on every read.
type pipelineSource []byte

func (p *pipelineSource) Read(b []byte) (int, error) { return copy(b, *p), nil }

// BenchmarkReqReaderPipelined is the reader alone cutting pipelines of 16
// commands, as a connection does between two fills: per command, no
// allocation.
func BenchmarkReqReaderPipelined(b *testing.B) {
	get := func(i int) [][]byte { return [][]byte{[]byte("GET"), []byte(fmt.Sprintf("key:%012d", i))} }
	set := func(i int) [][]byte {
		return append(get(i)[:1:1], []byte(fmt.Sprintf("key:%012d", i)), bytes.Repeat([]byte("x"), 64))
	}
	for _, bc := range []struct {
		name string
		cmd  func(int) [][]byte
	}{{"GET", get}, {"SET", set}} {
		b.Run(bc.name, func(b *testing.B) {
			var src pipelineSource
			for i := range 16 {
				src = resp.AppendCommand(src, bc.cmd(i)...)
			}
			var rd reqReader
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rd.fill(&src); err != nil {
					b.Fatal(err)
				}
				for range 16 {
					if _, _, ok, err := rd.next(); !ok || err != nil {
						b.Fatal("no command", err)
					}
				}
			}
		})
	}
}

// TestReqReaderNegativeLength: redcon slices with a negative bulk length;
// the reader answers the framing error instead of panicking.
func TestReqReaderNegativeLength(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"*1\r\n$-2\r\n", "*2\r\n$1\r\na\r\n$-2\r\n"} {
		err := readCommands(&chunkConn{chunks: [][]byte{[]byte(in)}}, func([][]byte) {})
		if err != errReqFrame {
			t.Errorf("%q: %v, want the framing error", in, err)
		}
	}
}

// TestReqReaderResumesCutFrame: a frame with many arguments arriving in
// many reads is followed where its scan stopped (redcon parses it once
// when first met, then once whole), not parsed from its start per read.
func TestReqReaderResumesCutFrame(t *testing.T) {
	t.Parallel()
	argv := [][]byte{[]byte("MSET")}
	for i := range 5000 {
		argv = append(argv, []byte(fmt.Sprintf("k%d", i)), []byte("v"))
	}
	in := resp.AppendCommand(nil, argv...)
	var chunks [][]byte
	for b := in; len(b) > 0; b = b[min(len(b), 100):] {
		chunks = append(chunks, b[:min(len(b), 100)])
	}
	src := &chunkConn{chunks: chunks}
	var rd reqReader
	lastPos := -1
	for reads := 0; ; reads++ {
		if _, err := rd.fill(src); err != nil {
			t.Fatalf("no command after %d reads: %v", reads, err)
		}
		got, _, ok, err := rd.next()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if len(got) != len(argv) || string(got[len(got)-2]) != "k4999" {
				t.Fatalf("%d arguments", len(got))
			}
			return
		}
		if !rd.cut || rd.pos < lastPos {
			t.Fatalf("read %d: cut %v, scan at %d after %d", reads, rd.cut, rd.pos, lastPos)
		}
		lastPos = rd.pos
	}
}
